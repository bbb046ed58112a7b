// Offline verification of a whole log from its store: every entry, the chain, the stored tree and
// every signed checkpoint, streamed in seq order. It trusts nothing it reads; the only input taken
// on faith is the verifier key.
//
//   auto report = VerifyLog(store, verifier);
//   if (report.ok() && !report->ok()) print(report->problem, report->bad_seq, report->detail);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ledger/note.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace mingzhang {

// What verification found wrong first. Names are stable: tools print them.
enum class Finding {
  kNone,
  kModified,            // an entry's bytes differ from what the tree or the chain committed to
  kMissing,             // a seq has no entry while later ones exist
  kReordered,           // the entry stored at seq N says it is another seq
  kTruncated,           // a checkpoint or the head covers entries the log no longer has
  kBadSignature,        // a checkpoint's signature does not verify with the verifier key
  kTreeMismatch,        // a stored tree node differs from the recomputed one
  kCheckpointMismatch,  // a checkpoint's root or origin differs from the recomputed tree
  kMetaMismatch,        // the stored head disagrees with the log
};
const char* FindingName(Finding finding);

struct VerifyReport {
  Finding finding = Finding::kNone;
  std::optional<uint64_t> bad_seq;  // the first seq found wrong, when the finding has one
  std::string detail;               // a sentence for people
  uint64_t entries = 0;             // entries read and checked
  uint64_t checkpoints = 0;         // checkpoints whose signature and root were checked
  Hash root{};                      // the recomputed root of all entries read

  bool ok() const { return finding == Finding::kNone; }
  std::string ToString() const;
};

// The returned Status is an I/O failure; what is wrong with the data is in the report.
Result<VerifyReport> VerifyLog(const Store& store, const NoteVerifier& verifier);

}  // namespace mingzhang
