// Offline verification of a whole log from its store: every entry, the chain, the stored tree and
// every signed checkpoint, streamed in seq order; then what the store keeps beside the log (the
// balances and the idempotency records) against a replay of it. It trusts nothing it reads; the
// only input taken on faith is the verifier key.
//
//   auto report = VerifyLog(store, verifier);
//   if (report.ok() && !report->ok()) print(report->problem, report->bad_seq, report->detail);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ledger/log/note.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"

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
  kStateMismatch,       // a state row other than a balance differs from a replay of the log
};
const char* FindingName(Finding finding);

struct VerifyReport {
  Finding finding = Finding::kNone;
  std::optional<uint64_t> bad_seq;  // the first seq found wrong, when the finding has one
  std::string detail;               // a sentence for people
  uint64_t entries = 0;             // entries read and checked
  uint64_t checkpoints = 0;         // checkpoints whose signature and root were checked
  Hash root{};                      // the recomputed root of all entries read
  // VerifyOptions::on_progress asked to stop before the end: nothing was found in what was read
  // up to there, and the rest was not checked.
  bool stopped = false;

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
  // Where the replay for `balances` keeps its rows: a RocksDB store made in a new directory here
  // and deleted at the end (empty: the system's temporary directory), so that a verification's
  // memory does not grow with the log. It needs about the state column's size on disk.
  std::string scratch_dir;
  // A store written meanwhile (the daemon's scrub, ledger/audit/scrub.h): the log as of the head read
  // when verification starts — its entries, the tree over them, the checkpoints up to its size
  // (the one at its size always with its signature), their idempotency records and the head's
  // chain hash. What is appended meanwhile is left to the next pass. Off (mingzhang verify): the
  // store is not being written, and anything past the head (an entry, a checkpoint) is a finding.
  bool as_of_head = false;
  // Called on the checking thread before the first entry and after each chunk of entries
  // (kScanChunkItems) and of idempotency records, with the entries checked so far and the head's
  // size. Returning false stops the verification there (the report says stopped). A caller
  // that runs at low priority sleeps in it between chunks. None: full speed to the end.
  std::function<bool(uint64_t entries_checked, uint64_t entries_total)> on_progress;
};

// What mingzhangd checks before serving, in time bounded by `last_entries` (not by the log's
// size): the checkpoint at the head's size (signature, origin, root against the stored tree's
// nodes on the right edge) and the last `last_entries` entries — each at its seq, hashing to the
// leaf the tree holds, linked by prev_hash to the entry before it — and the last one's hash
// against the head's chain hash. A finding names the seq as VerifyLog would for the same change.
Result<VerifyReport> VerifyHead(const Store& store, const NoteVerifier& verifier, uint64_t last_entries);

// The replay for VerifyOptions::balances writes its rows to its scratch store every this many
// entries, and keeps at most this much of them decoded in memory.
inline constexpr uint64_t kVerifyReplayChunkEntries = 100'000;
inline constexpr size_t kVerifyReplayCacheBytes = 64 << 20;

// The returned Status is an I/O failure; what is wrong with the data is in the report.
Result<VerifyReport> VerifyLog(const Store& store, const NoteVerifier& verifier, const VerifyOptions& options = {});

}  // namespace mingzhang
