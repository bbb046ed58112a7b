// mingzhang export --data-dir DIR [--community C] [--out FILE]
//
// Writes the log's entries as JSON lines, in seq order, from the store opened read-only (beside a
// running server is fine): {seq, leaf_bytes (base64 of the stored bytes), leaf_hash, chain_hash,
// entry (protobuf JSON)} — the shape GET /v1/entries/{seq} answers. Entries up to the stored head
// only. With --community, only that community's entries (firm registrations have none).
#include <fstream>
#include <iostream>

#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"
#include "mingzhang/v1/ledger.pb.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

int Export(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Usage("export needs --data-dir DIR");
  if (!args.positional().empty()) return Usage("export takes no argument " + args.positional().front());
  std::optional<std::string> community = args.Get("community");
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*dir);
  if (!store.ok()) return Fail(store.status());
  Result<std::optional<std::string>> head = (*store)->Get(Column::kMeta, kMetaHead);
  if (!head.ok()) return Fail(head.status());
  std::optional<uint64_t> size = *head && (*head)->size() >= 8 ? ParseBe64(std::string_view(**head).substr(0, 8))
                                                              : std::optional<uint64_t>(0);
  if (!size) return Fail(DataLoss("store-corrupt", "the stored head is malformed; run mingzhang verify"));

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto path = args.Get("out")) {
    file.open(*path, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(Unavailable("file-write", "cannot write " + *path));
    out = &file;
  }
  std::unique_ptr<Cursor> cursor = (*store)->NewCursor(Column::kEntries, Store::Access::kScan);
  uint64_t seq = 0;
  uint64_t written = 0;
  for (cursor->Seek(EntryKey(0)); cursor->Valid() && seq < *size; cursor->Next(), ++seq) {
    std::string bytes(cursor->value());
    v1::Entry entry;
    if (cursor->key() != EntryKey(seq) || !entry.ParseFromString(bytes) || entry.seq() != seq) {
      return Fail(DataLoss("store-corrupt", "entry " + std::to_string(seq) + " is missing or does not decode; run mingzhang verify"));
    }
    if (community && entry.community_id() != *community) continue;
    nlohmann::json line{{"seq", std::to_string(seq)},
                        {"leaf_bytes", Base64Encode(bytes)},
                        {"leaf_hash", Base64Encode(AsBytes(LeafHash(bytes)))},
                        {"chain_hash", Base64Encode(AsBytes(Sha256(bytes)))},
                        {"entry", ProtoToJson(entry)}};
    *out << line.dump() << "\n";
    ++written;
  }
  if (!cursor->status().ok()) return Fail(cursor->status());
  if (seq != *size) return Fail(DataLoss("store-corrupt", "the store has fewer entries than its head; run mingzhang verify"));
  out->flush();
  if (!*out) return Fail(Unavailable("file-write", "writing the export failed"));
  std::cerr << "exported " << written << " entries (tree size " << *size << ")\n";
  return kExitOk;
}

}  // namespace

const Command& ExportCommand() {
  static const Command command{
      "export",
      "  export --data-dir DIR [--community C] [--out FILE]\n"
      "                                          the log's entries as JSON lines {seq, leaf_bytes,\n"
      "                                          leaf_hash, chain_hash, entry}, read-only\n",
      {"data-dir", "community", "out"}, {}, {}, Export};
  return command;
}

}  // namespace mingzhang::cli
