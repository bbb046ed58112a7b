// What the mingzhang commands share: exit statuses, the command table entry, and small helpers
// (files, tokens, ids, protobuf JSON, the read-only store).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "ledger/base/encoding.h"    // ValidUtf8, ParseU64
#include "ledger/base/ids.h"         // ValidId: ids as the ledger accepts them
#include "ledger/base/proto_json.h"  // ProtoToJson: entries as the API prints them
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "tools/args.h"

namespace mingzhang::cli {

// Exit statuses: 0 the command did what it says (verifications: everything holds), 1 it found a
// problem (a verification failed, a write was refused), 2 usage, input and I/O errors.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblem = 1;
inline constexpr int kExitUsage = 2;

// One command of the CLI: its flags (Args::Parse) and what runs it.
struct Command {
  const char* name;
  const char* usage;  // the lines `mingzhang help` prints for it, each ending in \n
  std::set<std::string> valued;
  std::set<std::string> switches;
  std::set<std::string> repeated;
  int (*run)(const Args& args);
};

const Command& InitCommand();
const Command& KeygenCommand();
const Command& VerifyCommand();
const Command& CheckpointCommand();
const Command& TokenCommand();
const Command& ImportCommand();
const Command& ExportCommand();
const Command& VerifyStatementCommand();
const Command& AuditCommand();
const Command& DemoCommand();
const Command& VoucherCommand();

// Prints "mingzhang: <message>" to stderr and returns kExitUsage.
int Fail(const Status& status);
// Fails with a usage error naming what is missing.
int Usage(const std::string& message);

Result<std::string> ReadFile(const std::string& path);
// Writes `content` to a new temporary file beside `path` (mode `mode`), syncs it and renames it
// over `path`, so readers see the old file or the new one, never a part.
Status WriteFileAtomic(const std::string& path, std::string_view content, unsigned mode = 0644);
// A bearer token file: the token on its first line; surrounding white space is ignored.
Result<std::string> ReadTokenFile(const std::string& path);

// A decimal integer (optional leading '-') that fits in int64.
std::optional<int64_t> ParseI64(std::string_view text);

// Parses JSON as I-JSON (RFC 7493), which JCS (RFC 8785) requires: a name repeated in one object
// makes the document invalid, as a syntax error does (is_discarded()). A reader that kept the
// first of two "collected" values would see another figure than the one that was signed.
nlohmann::json ParseStrictJson(std::string_view text);

// Opens a log's store read-only (beside a running server is fine).
Result<std::unique_ptr<Store>> OpenReadOnly(const std::string& data_dir);

// A small progress bar on stderr, drawn only when stderr is a terminal.
class Progress {
 public:
  Progress(std::string label, size_t total);
  ~Progress();
  void Set(size_t done);  // thread-compatible: call from one thread, or under a lock
  void Finish();

 private:
  std::string label_;
  size_t total_;
  bool enabled_;
  int last_width_ = -1;
  size_t last_done_ = static_cast<size_t>(-1);
  bool finished_ = false;
};

}  // namespace mingzhang::cli
