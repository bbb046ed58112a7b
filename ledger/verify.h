// Offline verification of a whole log from its store: every entry, the chain, the stored tree and
// every signed checkpoint, streamed in seq order; then what the store keeps beside the log (the
// balances and the idempotency records) against a replay of it. It trusts nothing it reads; the
// only input taken on faith is the verifier key.
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
  kBalanceMismatch,     // a stored balance (state column) differs from a replay of the log
  kIndexMismatch,       // an idempotency record is missing, extra, or points at the wrong entry
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

struct VerifyOptions {
  // Every checkpoint's Ed25519 signature, or only the one at the head's size. Each checkpoint's
  // size, origin and root are checked either way; with one checkpoint per small batch, the
  // signatures are most of the time a full verification takes.
  bool all_signatures = true;
  // What the store keeps beside the log, against the entries: every idempotency record names its
  // entry (key, seq, request fingerprint), one to one; and the balances (state column) are those
  // a replay of the log gives. The replay is about as long as the daemon's own at start-up.
  bool idempotency_records = true;
  bool balances = true;
};

// The returned Status is an I/O failure; what is wrong with the data is in the report.
Result<VerifyReport> VerifyLog(const Store& store, const NoteVerifier& verifier, const VerifyOptions& options = {});

}  // namespace mingzhang
