// mingzhang init --data-dir DIR [--origin ORIGIN]: create a log (key, store, signed empty checkpoint).
#include <filesystem>
#include <iostream>

#include "ledger/views/district.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

int Init(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Usage("init needs --data-dir DIR");
  if (!args.positional().empty()) return Usage("init takes no argument " + args.positional().front());
  if (std::filesystem::exists(*dir + "/" + kStoreDirName)) {
    return Fail(AlreadyExists("exists", "a log already exists in " + *dir));
  }
  LedgerOptions options;
  options.data_dir = *dir;
  options.origin = args.GetOr("origin", options.origin);
  Result<std::unique_ptr<District>> ledger = District::Open(options);
  if (!ledger.ok()) return Fail(ledger.status());
  std::cout << "created log " << (*ledger)->origin() << " in " << *dir << "\nverifier key: "
            << (*ledger)->verifier().String() << "\n";
  return kExitOk;
}

}  // namespace

const Command& InitCommand() {
  static const Command command{
      "init",
      "  init --data-dir DIR [--origin ORIGIN]   create a log: key, store, signed empty checkpoint\n",
      {"data-dir", "origin"}, {}, {}, Init};
  return command;
}

}  // namespace mingzhang::cli
