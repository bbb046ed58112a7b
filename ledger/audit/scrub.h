// The daemon's background verification of its own log (README "Verification at start-up and the
// scrub"): VerifyLog over the log as of the head when a pass starts, on a thread of its own at
// the lowest CPU and I/O priority, paced between chunks; one pass at start and then one every
// ScrubOptions::interval. A finding stays (until a restart): the daemon then refuses writes and
// reports it on /healthz and /metrics.
//
//   Scrubber scrub(ledger.store(), verifier, {});   // starts the first pass
//   if (std::optional<VerifyReport> f = scrub.finding()) refuse(f->ToString());
//   // ~Scrubber stops a pass under way within a chunk.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "ledger/log/note.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "ledger/audit/verify.h"

namespace mingzhang {

// A pass a day: a whole pass over 10M entries takes minutes even paced (bench/RESULTS.md).
inline constexpr std::chrono::hours kScrubIntervalDefault{24};
// The pause after each chunk of kScanChunkItems entries (a few ms of hashing on every core):
// the daemon's requests get the cores and the disk most of the time.
inline constexpr std::chrono::milliseconds kScrubPausePerChunkDefault{10};
// After a pass that failed to read the store (not a finding) or gave way to a storage recovery.
inline constexpr std::chrono::minutes kScrubRetryDefault{1};

struct ScrubOptions {
  std::chrono::milliseconds interval = kScrubIntervalDefault;  // from one pass's start to the next's
  std::chrono::milliseconds pause_per_chunk = kScrubPausePerChunkDefault;
  std::chrono::milliseconds retry = kScrubRetryDefault;
  // nice 19 and the lowest best-effort I/O priority for the pass's threads (its scan's workers
  // inherit them). Off: tests that want a pass done at once.
  bool lowest_priority = true;
  // Every checkpoint's signature, or only the one at the head's size (each checkpoint's root is
  // checked against the recomputed tree either way): ~36 µs a signature, so with a checkpoint per
  // small batch the signatures are most of a pass.
  bool all_signatures = false;
  // The owner's checks of what its state machine stored, run after a pass's log checks found
  // nothing; a finding it returns is the scrub's finding. It asks `go_on` between steps (which
  // paces it) and returns a report marked stopped when told to stop. None: the log only.
  std::function<Result<VerifyReport>(const std::function<bool()>& go_on)> state_check;
  // Told the end of each pass on the scrub's thread: its report (stopped when it gave way to a
  // storage recovery) or the error that ended it, and how long it took. Must not block.
  std::function<void(const Result<VerifyReport>&, std::chrono::milliseconds took)> on_pass_end;
};

class Scrubber {
 public:
  // Starts the scrub's thread; `store` and `verifier` must outlive the Scrubber.
  Scrubber(const Store& store, const NoteVerifier& verifier, ScrubOptions options);
  // Stops a pass under way (within a chunk) and joins the thread.
  ~Scrubber();
  Scrubber(const Scrubber&) = delete;
  Scrubber& operator=(const Scrubber&) = delete;

  uint64_t passes_completed() const { return passes_completed_.load(); }
  uint64_t entries_checked() const { return entries_checked_.load(); }  // in the pass under way or the last
  uint64_t log_size() const { return log_size_.load(); }                // the head's size that pass checks
  bool running() const { return running_.load(); }                     // a pass is under way
  // The first finding of any pass; once made it stays, and no further pass runs.
  std::optional<VerifyReport> finding() const;

 private:
  void Loop();
  bool RunPass();
  bool OnProgress(uint64_t checked, uint64_t total);
  // Waits up to `duration`; false when the Scrubber is being destroyed.
  bool Sleep(std::chrono::steady_clock::duration duration);

  const Store& store_;
  const NoteVerifier verifier_;
  const ScrubOptions options_;
  std::atomic<uint64_t> passes_completed_{0};
  std::atomic<uint64_t> entries_checked_{0};
  std::atomic<uint64_t> log_size_{0};
  std::atomic<bool> running_{false};
  std::atomic<bool> yielded_{false};  // the pass under way stopped for a storage recovery
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;              // guarded by mu_
  std::optional<VerifyReport> finding_;  // guarded by mu_
  std::thread thread_;                 // last: started once everything above is ready
};

}  // namespace mingzhang
