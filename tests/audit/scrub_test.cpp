// The daemon's background verification (ledger/audit/scrub.h) and its bounded start-up check
// (VerifyHead), over real stores: a good log, one changed in RocksDB as someone with the disk
// would, one appended to while a pass runs.
#include "ledger/audit/scrub.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/log/chunked_scan.h"
#include "ledger/log/keys.h"
#include "ledger/views/district.h"
#include "ledger/audit/verify.h"
#include "tests/support/raw_db.h"
#include "tests/support/test_util.h"

namespace mingzhang {
namespace {

using testing::FirmEntry;
using testing::RawDb;
using testing::TempDir;

constexpr auto kWaitMax = std::chrono::seconds(60);  // a deadline for a pass to be seen ending, not a timing check

std::unique_ptr<District> OpenLog(const TempDir& dir, size_t batch_max = kBatchEntriesMax) {
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/scrub";
  options.batch_entries_max = batch_max;
  auto ledger = District::Open(options);
  INFO(ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

// Appends `count` firm registrations, keys from `first`; waits until every one is durable.
void Append(District& ledger, uint64_t first, uint64_t count) {
  std::atomic<uint64_t> done{0}, ok{0};
  for (uint64_t i = first; i < first + count; ++i) {
    ledger.AppendAsync(FirmEntry("k" + std::to_string(i), "firm-" + std::to_string(i)), [&](Result<StoredEntry> r) {
      ok += r.ok();
      ++done;
    });
  }
  while (done < count) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(ok == count);
}

void BuildLog(const TempDir& dir, uint64_t entries, size_t batch_max = kBatchEntriesMax) {
  std::unique_ptr<District> ledger = OpenLog(dir, batch_max);
  Append(*ledger, 0, entries);
}

// The store of a closed log, and its verifier key.
struct ClosedLog {
  std::unique_ptr<Store> store;
  NoteVerifier verifier;
};

ClosedLog OpenClosedLog(const TempDir& dir) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(dir / kStoreDirName, options);
  REQUIRE(store.ok());
  auto key = SigningKey::LoadFile(dir / kKeyFileName);
  REQUIRE(key.ok());
  return {std::move(store).value(), NoteVerifier::For("mingzhang.test", key->public_key())};
}

// A pass at once and at full speed: the tests wait for its end.
ScrubOptions FastScrub() {
  ScrubOptions options;
  options.lowest_priority = false;
  options.pause_per_chunk = std::chrono::milliseconds(0);
  return options;
}

template <typename Predicate>
bool WaitFor(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// One byte of entry `seq`'s stored bytes changed (the last: inside a firm's name); it still decodes.
void ChangeEntry(const TempDir& dir, uint64_t seq) {
  RawDb db(dir.path());
  std::string bytes = db.Get("entries", EntryKey(seq));
  bytes.back() ^= 0x01;
  db.Put("entries", EntryKey(seq), bytes);
}

TEST_CASE("a scrub pass over a good log finds nothing and checks every entry", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 5'000, 64);  // 79 checkpoints
  ClosedLog log = OpenClosedLog(dir);
  Scrubber scrub(*log.store, log.verifier, FastScrub());
  REQUIRE(WaitFor([&] { return scrub.passes_completed() == 1; }));
  CHECK_FALSE(scrub.finding().has_value());
  CHECK(scrub.log_size() == 5'000);
  CHECK(scrub.entries_checked() == 5'000);
}

TEST_CASE("a scrub pass names an entry changed in the store, and its finding stays", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 5'000, 64);
  ChangeEntry(dir, 4'321);
  ClosedLog log = OpenClosedLog(dir);
  std::atomic<int> pass_ends{0};
  ScrubOptions options = FastScrub();
  options.interval = std::chrono::milliseconds(1);  // it would pass again at once, were a finding not final
  options.on_pass_end = [&](const Result<VerifyReport>&, std::chrono::milliseconds) { ++pass_ends; };
  Scrubber scrub(*log.store, log.verifier, options);
  REQUIRE(WaitFor([&] { return scrub.finding().has_value(); }));
  std::optional<VerifyReport> finding = scrub.finding();
  INFO(finding->ToString());
  CHECK(finding->finding == Finding::kModified);
  CHECK(finding->bad_seq == 4'321);
  CHECK(finding->ToString().rfind("modified at seq 4321: entry 4321 ", 0) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pass_ends == 1);
  CHECK(scrub.passes_completed() == 1);
  CHECK(scrub.finding()->bad_seq == 4'321);
}

TEST_CASE("a scrub's owner hook checks the state after the log, and its finding is the scrub's", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 100);
  ClosedLog log = OpenClosedLog(dir);
  ScrubOptions options = FastScrub();
  std::atomic<int> calls{0};
  options.state_check = [&](const std::function<bool()>&) -> Result<VerifyReport> {
    ++calls;
    VerifyReport report;
    report.finding = Finding::kBalanceMismatch;
    report.detail = "the stored balance C1/FEES is 1 fen; a replay of the log gives 2 fen";
    return report;
  };
  Scrubber scrub(*log.store, log.verifier, options);
  REQUIRE(WaitFor([&] { return scrub.finding().has_value(); }));
  CHECK(calls == 1);
  CHECK(scrub.finding()->finding == Finding::kBalanceMismatch);
  CHECK_FALSE(scrub.finding()->bad_seq);
}

TEST_CASE("passes over a log appended to meanwhile check the head as each pass began", "[scrub]") {
  TempDir dir;
  std::unique_ptr<District> ledger = OpenLog(dir, 16);  // many checkpoints, many batches during each pass
  Append(*ledger, 0, 500);
  std::mutex mu;
  int findings = 0, errors = 0;
  std::set<uint64_t> sizes_checked;  // the head each pass checked
  ScrubOptions options = FastScrub();
  options.interval = std::chrono::milliseconds(0);  // back to back
  options.on_pass_end = [&](const Result<VerifyReport>& report, std::chrono::milliseconds) {
    std::lock_guard lock(mu);
    if (!report.ok()) ++errors;
    else if (!report->ok()) ++findings;
    else sizes_checked.insert(report->entries);
  };
  {
    Scrubber scrub(ledger->store(), ledger->verifier(), options);
    for (uint64_t round = 0; round < 20; ++round) Append(*ledger, 500 + round * 100, 100);
    REQUIRE(WaitFor([&] { return scrub.passes_completed() >= 3; }));
    INFO((scrub.finding() ? scrub.finding()->ToString() : std::string("no finding")));
    CHECK_FALSE(scrub.finding().has_value());
    CHECK(scrub.log_size() <= 2'500);
  }
  std::lock_guard lock(mu);
  CHECK(findings == 0);
  CHECK(errors == 0);
  CHECK(sizes_checked.size() >= 2);  // passes over the log at more than one size
  CHECK(*sizes_checked.rbegin() <= 2'500);
}

TEST_CASE("a Scrubber going away stops its pass mid-way", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 10'000);
  ClosedLog log = OpenClosedLog(dir);
  ScrubOptions options = FastScrub();
  options.pause_per_chunk = std::chrono::hours(1);  // the first chunk is all a pass gets to without the stop
  std::optional<Scrubber> scrub;
  scrub.emplace(*log.store, log.verifier, options);
  REQUIRE(WaitFor([&] { return scrub->entries_checked() == kScanChunkItems; }));
  CHECK(scrub->running());
  CHECK(scrub->log_size() == 10'000);
  scrub.reset();  // returns only once the pass let go: an hour's pause would fail the test's timeout
  SUCCEED("the pass stopped in its pause");
}

TEST_CASE("VerifyLog stops when its progress callback says so, and says it stopped", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 10'000);
  ClosedLog log = OpenClosedLog(dir);
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  VerifyOptions options;
  options.on_progress = [&](uint64_t checked, uint64_t total) {
    calls.emplace_back(checked, total);
    return calls.size() < 2;
  };
  Result<VerifyReport> report = VerifyLog(*log.store, log.verifier, options);
  REQUIRE(report.ok());
  CHECK(report->stopped);
  CHECK(report->ok());
  CHECK(report->entries == kScanChunkItems);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == std::pair<uint64_t, uint64_t>(0, 10'000));
  CHECK(calls[1] == std::pair<uint64_t, uint64_t>(kScanChunkItems, 10'000));
}

TEST_CASE("VerifyHead checks the head's checkpoint and the last entries only", "[scrub]") {
  TempDir dir;
  BuildLog(dir, 3'000, 64);
  auto head_of = [&](uint64_t last_entries) {
    ClosedLog log = OpenClosedLog(dir);
    Result<VerifyReport> report = VerifyHead(*log.store, log.verifier, last_entries);
    REQUIRE(report.ok());
    return *report;
  };
  SECTION("a good log") {
    VerifyReport report = head_of(1'024);
    INFO(report.ToString());
    CHECK(report.ok());
    CHECK(report.entries == 1'024);
    CHECK(report.checkpoints == 1);
    CHECK(head_of(10'000).entries == 3'000);
  }
  SECTION("the last entry changed") {
    ChangeEntry(dir, 2'999);
    VerifyReport report = head_of(1'024);
    CHECK(report.ToString().rfind("modified at seq 2999: entry 2999 does not hash to the leaf the tree holds", 0) == 0);
  }
  SECTION("an entry inside the window changed") {
    ChangeEntry(dir, 2'000);
    CHECK(head_of(1'024).ToString().rfind("modified at seq 2000:", 0) == 0);
  }
  SECTION("an entry before the window changed: left to the scrub") {
    ChangeEntry(dir, 1'000);
    CHECK(head_of(1'024).ok());
    ClosedLog log = OpenClosedLog(dir);
    Result<VerifyReport> full = VerifyLog(*log.store, log.verifier);
    REQUIRE(full.ok());
    CHECK(full->ToString().rfind("modified at seq 1000:", 0) == 0);
  }
  SECTION("an entry of the window gone") {
    RawDb(dir.path()).Delete("entries", EntryKey(2'500));
    CHECK(head_of(1'024).ToString().rfind("missing at seq 2500:", 0) == 0);
  }
  SECTION("the tail gone") {
    {
      RawDb db(dir.path());
      for (uint64_t seq = 2'990; seq < 3'000; ++seq) db.Delete("entries", EntryKey(seq));
    }
    CHECK(head_of(1'024).ToString().rfind("truncated at seq 2990:", 0) == 0);
  }
  SECTION("the head's chain hash changed") {
    {
      RawDb db(dir.path());
      std::string head = db.Get("meta", std::string(kMetaHead));
      head.back() ^= 0x01;
      db.Put("meta", std::string(kMetaHead), head);
    }
    CHECK(head_of(1'024).ToString().rfind("meta-mismatch: the stored head's chain hash is not the hash of the last entry", 0) == 0);
  }
  SECTION("the head's checkpoint signature changed") {
    {
      RawDb db(dir.path());
      std::string note = db.Get("checkpoints", CheckpointKey(3'000));
      note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
      db.Put("checkpoints", CheckpointKey(3'000), note);
    }
    CHECK(head_of(1'024).ToString().rfind("bad-signature at seq 2999:", 0) == 0);
  }
}

}  // namespace
}  // namespace mingzhang
