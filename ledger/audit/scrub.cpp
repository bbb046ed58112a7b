#include "ledger/audit/scrub.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mingzhang {
namespace {

// Linux's I/O priority (ioprio_set(2)); glibc has no wrapper.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioLevelLowest = 7;
constexpr int kNiceLowest = 19;

// The calling thread at nice 19 and the lowest best-effort I/O level; threads it starts (the
// scan's workers) inherit both. Best effort, not idle: an idle I/O class would never be served
// on a disk that is always busy. Failing to lower them is no reason not to verify.
void LowerThisThreadsPriority() {
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  (void)::setpriority(PRIO_PROCESS, tid, kNiceLowest);
  (void)::syscall(SYS_ioprio_set, kIoprioWhoProcess, static_cast<int>(tid),
                  kIoprioClassBestEffort << kIoprioClassShift | kIoprioLevelLowest);
}

}  // namespace

Scrubber::Scrubber(const Store& store, const NoteVerifier& verifier, ScrubOptions options)
    : store_(store), verifier_(verifier), options_(std::move(options)), thread_([this] { Loop(); }) {}

Scrubber::~Scrubber() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<VerifyReport> Scrubber::finding() const {
  std::lock_guard lock(mu_);
  return finding_;
}

bool Scrubber::Sleep(std::chrono::steady_clock::duration duration) {
  std::unique_lock lock(mu_);
  return !wake_.wait_for(lock, duration, [this] { return stopping_; });
}

void Scrubber::Loop() {
  if (options_.lowest_priority) LowerThisThreadsPriority();
  while (true) {
    const auto start = std::chrono::steady_clock::now();
    const bool completed = RunPass();
    if (finding()) return;  // it stays; another pass would only find it again
    const auto next = start + (completed ? options_.interval : options_.retry);
    if (!Sleep(next - std::chrono::steady_clock::now())) return;
  }
}

// Stops the pass when the Scrubber goes, and when writes stopped after a storage error: the
// store's recovery may need to close the instance the pass's cursors hold. Otherwise paces it.
bool Scrubber::OnProgress(uint64_t checked, uint64_t total) {
  entries_checked_.store(checked);
  log_size_.store(total);
  if (!store_.WriteState().ok()) {
    yielded_.store(true);
    return false;
  }
  if (options_.pause_per_chunk.count() == 0 || checked == 0) {  // no pause before the first chunk
    std::lock_guard lock(mu_);
    return !stopping_;
  }
  return Sleep(options_.pause_per_chunk);
}

// True when the pass ran to its end (with a finding or none).
bool Scrubber::RunPass() {
  VerifyOptions checks;
  checks.as_of_head = true;
  checks.all_signatures = options_.all_signatures;
  checks.idempotency_records = true;
  checks.balances = false;  // the owner's state_check
  checks.on_progress = [this](uint64_t checked, uint64_t total) { return OnProgress(checked, total); };
  yielded_.store(false);
  entries_checked_.store(0);
  running_.store(true);
  const auto start = std::chrono::steady_clock::now();
  Result<VerifyReport> report = VerifyLog(store_, verifier_, checks);
  if (report.ok() && !report->stopped && report->ok() && options_.state_check) {
    // Paced and stopped as the log's chunks are, between one community and the next.
    // The log's counts stay the pass's; the state check adds a finding or its stop.
    Result<VerifyReport> state = options_.state_check([this] { return OnProgress(entries_checked_.load(), log_size_.load()); });
    if (!state.ok()) {
      report = state.status();
    } else {
      report->finding = state->finding;
      report->bad_seq = state->bad_seq;
      report->detail = state->detail;
      report->stopped = state->stopped;
    }
  }
  const bool stopped = report.ok() && report->stopped;
  running_.store(false);
  if (stopped && !yielded_.load()) return false;  // the Scrubber is going
  if (report.ok() && !report->ok()) {
    std::lock_guard lock(mu_);
    finding_ = *report;
  }
  const bool completed = report.ok() && !stopped;
  if (completed) passes_completed_.fetch_add(1);
  if (options_.on_pass_end) {
    options_.on_pass_end(report, std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - start));
  }
  return completed;
}

}  // namespace mingzhang
