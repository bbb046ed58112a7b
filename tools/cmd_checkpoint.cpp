// mingzhang checkpoint --data-dir DIR [--tree-size N]: print a signed checkpoint from a store.
#include <iostream>

#include "ledger/log/keys.h"
#include "ledger/log/ledger.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

int PrintCheckpoint(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Usage("checkpoint needs --data-dir DIR");
  if (!args.positional().empty()) return Usage("checkpoint takes no argument " + args.positional().front());
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*dir);
  if (!store.ok()) return Fail(store.status());
  Result<std::string> note = LatestCheckpoint(**store);
  if (auto size = args.Get("tree-size")) {
    std::optional<uint64_t> n = ParseU64(*size);
    if (!n) return Usage("--tree-size must be a number");
    Result<std::optional<std::string>> at = (*store)->Get(Column::kCheckpoints, CheckpointKey(*n));
    if (!at.ok()) return Fail(at.status());
    if (!*at) return Fail(NotFound("no-checkpoint", "no checkpoint was signed at tree size " + *size));
    note = **at;
  }
  if (!note.ok()) return Fail(note.status());
  std::cout << *note;
  return kExitOk;
}

}  // namespace

const Command& CheckpointCommand() {
  static const Command command{
      "checkpoint",
      "  checkpoint --data-dir DIR [--tree-size N]  print a signed checkpoint (the latest by default)\n",
      {"data-dir", "tree-size"}, {}, {}, PrintCheckpoint};
  return command;
}

}  // namespace mingzhang::cli
