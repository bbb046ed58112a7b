#include "ledger/views/district.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "ledger/log/keys.h"
#include "ledger/audit/verify.h"
#include "tests/support/entry_builders.h"
#include "tests/support/raw_db.h"
#include "tests/support/test_util.h"

namespace mingzhang {
namespace {

using testing::FirmEntry;
using testing::TempDir;

std::unique_ptr<District> OpenLedger(const TempDir& dir, size_t batch_max = kBatchEntriesMax,
                                   std::shared_ptr<StorageFaults> faults = nullptr) {
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/ledger-test";
  options.batch_entries_max = batch_max;
  options.storage_faults = std::move(faults);
  auto ledger = District::Open(options);
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

void RequireVerifies(const District& ledger, uint64_t entries) {
  auto report = VerifyLog(ledger.store(), ledger.verifier());
  REQUIRE(report.ok());
  INFO(report->ToString());
  REQUIRE(report->ok());
  REQUIRE(report->entries == entries);
}

TEST_CASE("a new ledger has a signed checkpoint of the empty tree", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  Head head = ledger->head();
  REQUIRE(head.tree_size == 0);
  auto text = OpenNote(head.checkpoint, ledger->verifier());
  REQUIRE(text.ok());
  REQUIRE(*text == "mingzhang.test/ledger-test\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  REQUIRE(ledger->verifier().name == "mingzhang.test");
  RequireVerifies(*ledger, 0);
}

TEST_CASE("appends are chained, hashed into the tree and checkpointed", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  std::vector<StoredEntry> stored;
  for (int i = 0; i < 5; ++i) {
    auto r = ledger->Append(FirmEntry("k" + std::to_string(i), "f" + std::to_string(i)));
    REQUIRE(r.ok());
    REQUIRE(r->entry.seq() == static_cast<uint64_t>(i));
    REQUIRE_FALSE(r->replayed);
    // The stored bytes are exactly the protobuf serialization of the entry they hold.
    REQUIRE(r->bytes == r->entry.SerializeAsString());
    stored.push_back(*r);
  }
  REQUIRE(stored[0].entry.prev_hash() == std::string(32, '\0'));
  for (int i = 1; i < 5; ++i) {
    REQUIRE(stored[i].entry.prev_hash() == AsBytes(Sha256(stored[i - 1].bytes)));
    REQUIRE(stored[i].entry.recorded_at_ms() >= stored[i - 1].entry.recorded_at_ms());
  }
  // The stored bytes are what is hashed.
  auto read = ledger->ReadEntry(3);
  REQUIRE(read.ok());
  REQUIRE(read->bytes == stored[3].bytes);
  REQUIRE(read->leaf_hash == LeafHash(stored[3].bytes));
  REQUIRE(read->chain_hash == stored[3].chain_hash);

  Head head = ledger->head();
  REQUIRE(head.tree_size == 5);
  REQUIRE(head.chain_head == stored[4].chain_hash);
  auto text = OpenNote(head.checkpoint, ledger->verifier());
  REQUIRE(text.ok());
  auto checkpoint = ParseCheckpoint(*text);
  REQUIRE(checkpoint.ok());
  REQUIRE(checkpoint->tree_size == 5);
  REQUIRE(checkpoint->root_hash == head.root);

  // Every batch's checkpoint stays readable byte for byte, and proofs check against it.
  for (uint64_t size = 1; size <= 5; ++size) {
    auto note = ledger->CheckpointAt(size);
    REQUIRE(note.ok());
    auto cp = ParseCheckpoint(*OpenNote(*note, ledger->verifier()));
    REQUIRE(cp.ok());
    for (uint64_t leaf = 0; leaf < size; ++leaf) {
      auto proof = ledger->InclusionProof(leaf, size);
      REQUIRE(proof.ok());
      std::vector<std::string> path;
      for (const Hash& h : *proof) path.emplace_back(AsBytes(h));
      REQUIRE(VerifyInclusion(leaf, size, AsBytes(stored[leaf].leaf_hash), path, AsBytes(cp->root_hash)).ok());
    }
    auto consistency = ledger->ConsistencyProof(size, 5);
    REQUIRE(consistency.ok());
    std::vector<std::string> path;
    for (const Hash& h : *consistency) path.emplace_back(AsBytes(h));
    REQUIRE(VerifyConsistency(size, 5, path, AsBytes(cp->root_hash), AsBytes(head.root)).ok());
  }
  REQUIRE(ledger->CheckpointAt(6).status().code() == Code::kNotFound);
  REQUIRE(ledger->InclusionProof(0, 6).status().code() == Code::kNotFound);
  RequireVerifies(*ledger, 5);
}

// Proofs hash the nodes of levels 1 to 4 from the row of leaf hashes that holds them; these
// sizes cross rows of leaves and reach every level that is read rather than hashed.
TEST_CASE("every proof of a 100-entry log at every earlier size checks against that size's checkpoint", "[ledger]") {
  constexpr uint64_t kEntries = 100;
  TempDir dir;
  std::vector<Hash> leaf_hashes;
  {
    auto ledger = OpenLedger(dir);
    std::vector<Hash> roots{{}};  // roots[size]
    for (uint64_t i = 0; i < kEntries; ++i) {
      auto r = ledger->Append(FirmEntry("k" + std::to_string(i), "f" + std::to_string(i)));
      REQUIRE(r.ok());
      leaf_hashes.push_back(r->leaf_hash);
      roots.push_back(ledger->head().root);
    }
    for (uint64_t size = 1; size <= kEntries; ++size) {
      for (uint64_t leaf = 0; leaf < size; ++leaf) {
        auto proof = ledger->InclusionProof(leaf, size);
        REQUIRE(proof.ok());
        std::vector<std::string> path;
        for (const Hash& h : *proof) path.emplace_back(AsBytes(h));
        REQUIRE(VerifyInclusion(leaf, size, AsBytes(leaf_hashes[leaf]), path, AsBytes(roots[size])).ok());
      }
      for (uint64_t first = 1; first <= size; ++first) {
        auto proof = ledger->ConsistencyProof(first, size);
        REQUIRE(proof.ok());
        std::vector<std::string> path;
        for (const Hash& h : *proof) path.emplace_back(AsBytes(h));
        REQUIRE(VerifyConsistency(first, size, path, AsBytes(roots[first]), AsBytes(roots[size])).ok());
      }
    }
  }
  // Without the row of leaves 32..63, a proof that needs a node of levels 0 to 4 hashed from it
  // fails as data loss; one that reads only the level-5 node above it does not.
  { testing::RawDb(dir.path()).Delete("tree", TreeKey(0, 1)); }
  auto ledger = OpenLedger(dir);
  REQUIRE(ledger->InclusionProof(40, kEntries).status().code() == Code::kDataLoss);
  REQUIRE(ledger->InclusionProof(32, 40).status().code() == Code::kDataLoss);
  REQUIRE(ledger->InclusionProof(0, kEntries).ok());
}

TEST_CASE("idempotency: a repeat returns the original, a different body conflicts", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  auto first = ledger->Append(FirmEntry("same-key", "acme"));
  REQUIRE(first.ok());

  SECTION("same key and body returns the original entry and writes nothing") {
    auto again = ledger->Append(FirmEntry("same-key", "acme"));
    REQUIRE(again.ok());
    REQUIRE(again->replayed);
    REQUIRE(again->bytes == first->bytes);
    REQUIRE(ledger->head().tree_size == 1);
  }
  SECTION("same key, other body is a conflict and writes nothing") {
    auto other = ledger->Append(FirmEntry("same-key", "other-firm"));
    REQUIRE(other.status().code() == Code::kAlreadyExists);
    REQUIRE(other.status().slug() == "idempotency-conflict");
    REQUIRE(ledger->head().tree_size == 1);
  }
  SECTION("the same key of another principal is another request") {
    v1::Entry e = FirmEntry("same-key", "acme-2");
    e.mutable_actor()->set_principal_id("admin-2");
    auto r = ledger->Append(e);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->replayed);
    REQUIRE(ledger->head().tree_size == 2);
  }
  SECTION("repeats survive a reopen") {
    ledger.reset();
    ledger = OpenLedger(dir);
    auto again = ledger->Append(FirmEntry("same-key", "acme"));
    REQUIRE(again.ok());
    REQUIRE(again->replayed);
    REQUIRE(again->entry.seq() == 0);
    REQUIRE(ledger->Append(FirmEntry("same-key", "x")).status().slug() == "idempotency-conflict");
  }
}

TEST_CASE("idempotency within one batch: never two entries for one key", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  constexpr int kRequests = 200;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Result<StoredEntry>> results;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests / 4; ++i) {
        // Every thread sends the same 10 keys: half with a matching body, some with another.
        std::string firm = (t == 3 && i % 2 == 0 ? "other" : "f") + std::to_string(i % 10);
        auto r = ledger->Append(FirmEntry("key-" + std::to_string(i % 10), firm));
        std::lock_guard<std::mutex> lock(mu);
        results.push_back(std::move(r));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(ledger->head().tree_size <= 10);
  std::set<std::string> keys;
  for (uint64_t seq = 0; seq < ledger->head().tree_size; ++seq) {
    auto e = ledger->ReadEntry(seq);
    REQUIRE(e.ok());
    REQUIRE(keys.insert(e->entry.idempotency_key()).second);
  }
  for (const auto& r : results) {
    if (!r.ok()) REQUIRE(r.status().slug() == "idempotency-conflict");
  }
  RequireVerifies(*ledger, ledger->head().tree_size);
}

// Group commit is pipelined: a batch is sequenced while the one before it is still being written,
// so a repeat often meets its original in flight, not yet readable from the store.
TEST_CASE("idempotency across pipelined batches: a repeat of an entry in flight is answered with it",
          "[ledger]") {
  // Slow syncs: while one batch is being synced, the next is sequenced against it.
  struct SlowSyncs : StorageFaults {
    StorageFault Inject(FileOp op, std::string_view) override {
      if (op == FileOp::kSync) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return StorageFault::kNone;
    }
  };
  TempDir dir;
  auto ledger = OpenLedger(dir, /*batch_max=*/3, std::make_shared<SlowSyncs>());
  constexpr int kKeys = 300;
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  const Status unanswered = Unavailable("unanswered", "no answer yet");
  std::vector<Result<StoredEntry>> firsts(kKeys, unanswered), repeats(kKeys, unanswered), conflicts(kKeys, unanswered);
  auto keep = [&](Result<StoredEntry>& slot) {
    return [&](Result<StoredEntry> r) {
      std::lock_guard<std::mutex> lock(mu);
      slot = std::move(r);
      ++answered;
      cv.notify_all();
    };
  };
  // Batches of 3: key k is sent, then repeated and contradicted in the next batch.
  for (int k = 0; k < kKeys; ++k) {
    ledger->AppendAsync(FirmEntry("key-" + std::to_string(k), "f" + std::to_string(k)), keep(firsts[k]));
    if (k >= 1) {
      ledger->AppendAsync(FirmEntry("key-" + std::to_string(k - 1), "f" + std::to_string(k - 1)), keep(repeats[k - 1]));
      ledger->AppendAsync(FirmEntry("key-" + std::to_string(k - 1), "other"), keep(conflicts[k - 1]));
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return answered == kKeys + 2 * (kKeys - 1); });
  REQUIRE(ledger->head().tree_size == kKeys);
  for (int k = 0; k < kKeys - 1; ++k) {
    REQUIRE(firsts[k].ok());
    REQUIRE_FALSE(firsts[k]->replayed);
    REQUIRE(repeats[k].ok());
    REQUIRE(repeats[k]->replayed);
    REQUIRE(repeats[k]->entry.seq() == firsts[k]->entry.seq());
    REQUIRE(repeats[k]->bytes == firsts[k]->bytes);
    REQUIRE(conflicts[k].status().slug() == "idempotency-conflict");
  }
  RequireVerifies(*ledger, kKeys);
}

// Every sync fails while `failing`; each sync waits a little, so the next batch is sequenced
// behind the one being written.
struct FailingSyncs : StorageFaults {
  std::atomic<bool> failing{false};
  StorageFault Inject(FileOp op, std::string_view) override {
    if (op != FileOp::kSync) return StorageFault::kNone;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return failing ? StorageFault::kIoError : StorageFault::kNone;
  }
};

TEST_CASE("a failed write fails the batch sequenced behind it too, and the ledger goes on after", "[ledger]") {
  auto faults = std::make_shared<FailingSyncs>();
  TempDir dir;
  auto ledger = OpenLedger(dir, /*batch_max=*/3, faults);
  for (int i = 0; i < 10; ++i) REQUIRE(ledger->Append(FirmEntry("ok-" + std::to_string(i), "a" + std::to_string(i))).ok());
  const Head before = ledger->head();
  faults->failing = true;
  std::vector<std::future<Result<StoredEntry>>> failed;
  // Each firm is registered twice, under two keys: the second would be refused as a duplicate of
  // the first, which never became durable, so it is failed too, never refused.
  for (int i = 0; i < 12; ++i) {
    for (const char* key : {"lost-", "dup-"}) {
      auto promise = std::make_shared<std::promise<Result<StoredEntry>>>();
      failed.push_back(promise->get_future());
      ledger->AppendAsync(FirmEntry(key + std::to_string(i), "b" + std::to_string(i)),
                          [promise](Result<StoredEntry> r) { promise->set_value(std::move(r)); });
    }
  }
  for (auto& f : failed) {
    Result<StoredEntry> r = f.get();
    INFO(r.status().ToString());
    REQUIRE(r.status().code() == Code::kUnavailable);
  }
  REQUIRE(ledger->head().tree_size == before.tree_size);
  REQUIRE(ledger->head().checkpoint == before.checkpoint);
  faults->failing = false;
  // The same keys now succeed once: nothing of the failed batches was kept.
  for (int i = 0; i < 12; ++i) {
    auto r = ledger->Append(FirmEntry("lost-" + std::to_string(i), "b" + std::to_string(i)));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->replayed);
    REQUIRE(r->entry.seq() == 10 + static_cast<uint64_t>(i));
    REQUIRE(ledger->Append(FirmEntry("dup-" + std::to_string(i), "b" + std::to_string(i))).status().slug() ==
            "duplicate-firm");
  }
  RequireVerifies(*ledger, 22);
  ledger.reset();
  ledger = OpenLedger(dir);
  REQUIRE(ledger->head().tree_size == 22);
  RequireVerifies(*ledger, 22);
}

// The state rows of failed batches are forgotten with them: a payment whose write failed leaves
// no receipt, no balance and no paid month behind, also when its community was cached.
TEST_CASE("failed writes leave the state rows as they were: receipts, balances, paid months", "[ledger]") {
  using namespace testing;
  auto faults = std::make_shared<FailingSyncs>();
  TempDir dir;
  auto ledger = OpenLedger(dir, /*batch_max=*/2, faults);
  const v1::Actor firm = FirmActor("F1");
  for (const v1::Entry& e : {Firm("F1"), Community("C1", "F1", 250, BasisPoints(1000), "2026-01"),
                             Units("C1", firm, {{"U1", 10000}, {"U2", 8000}})}) {
    REQUIRE(ledger->Append(e).ok());
  }
  auto pay = [&](int i) {
    return Payment("C1", firm, i % 2 ? "U1" : "U2", 25000, "2026-01", 1, "2026-01-05", v1::FeePayment::cash,
                   "R" + std::to_string(i));
  };
  REQUIRE(ledger->Append(pay(0)).ok());
  faults->failing = true;
  std::vector<std::future<Result<StoredEntry>>> failed;
  for (int i = 1; i <= 8; ++i) {
    auto promise = std::make_shared<std::promise<Result<StoredEntry>>>();
    failed.push_back(promise->get_future());
    ledger->AppendAsync(pay(i), [promise](Result<StoredEntry> r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : failed) REQUIRE(f.get().status().code() == Code::kUnavailable);
  faults->failing = false;
  // The receipts of the failed payments are free: each is taken once now, and only once.
  for (int i = 1; i <= 8; ++i) {
    Result<StoredEntry> r = ledger->Append(pay(i));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->replayed);
  }
  RequireVerifies(*ledger, 12);  // every state row is what a replay of the 12 entries makes
  ledger.reset();
  ledger = OpenLedger(dir);
  RequireVerifies(*ledger, 12);
}

TEST_CASE("a request made after a failed write was answered is not failed with it", "[ledger]") {
  struct SwitchedSyncs : StorageFaults {
    std::atomic<bool> failing{false};
    StorageFault Inject(FileOp op, std::string_view) override {
      return op == FileOp::kSync && failing ? StorageFault::kIoError : StorageFault::kNone;
    }
  };
  auto faults = std::make_shared<SwitchedSyncs>();
  TempDir dir;
  auto ledger = OpenLedger(dir, /*batch_max=*/3, faults);
  REQUIRE(ledger->Append(FirmEntry("ok", "a")).ok());
  for (int round = 0; round < 3; ++round) {
    faults->failing = true;
    // Alone in its batch, written while the sequencer waits for work.
    REQUIRE(ledger->Append(FirmEntry("lost-" + std::to_string(round), "b" + std::to_string(round))).status().code() ==
            Code::kUnavailable);
    faults->failing = false;
    auto r = ledger->Append(FirmEntry("after-" + std::to_string(round), "c" + std::to_string(round)));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->entry.seq() == 1 + static_cast<uint64_t>(round));
  }
  RequireVerifies(*ledger, 4);
}

TEST_CASE("refused requests write nothing", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  v1::Entry no_key = FirmEntry("", "acme");
  v1::Entry long_key = FirmEntry(std::string(129, 'k'), "acme");
  v1::Entry control_key = FirmEntry("a\nb", "acme");
  v1::Entry no_body = FirmEntry("k1", "acme");
  no_body.clear_body();
  v1::Entry preset_seq = FirmEntry("k2", "acme");
  preset_seq.set_seq(7);
  v1::Entry no_actor = FirmEntry("k3", "acme");
  no_actor.clear_actor();
  for (const v1::Entry& bad : {no_key, long_key, control_key, no_body, preset_seq, no_actor}) {
    auto r = ledger->Append(bad);
    REQUIRE(r.status().code() == Code::kInvalidArgument);
  }
  REQUIRE(ledger->head().tree_size == 0);
  REQUIRE(ledger->Append(FirmEntry(std::string(128, 'k'), "acme")).ok());
}

TEST_CASE("8 threads x 10,000 concurrent appends: dense seqs, verified chain and tree, same root after reopen",
          "[ledger][concurrency]") {
  TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  constexpr int kInFlightPerThread = 64;
  auto ledger = OpenLedger(dir);
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread keeps a window of appends in flight, as many HTTP clients would.
      std::mutex mu;
      std::condition_variable cv;
      int in_flight = 0;
      for (int i = 0; i < kPerThread; ++i) {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return in_flight < kInFlightPerThread; });
        ++in_flight;
        lock.unlock();
        std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
        ledger->AppendAsync(FirmEntry(key, key), [&, t](Result<StoredEntry> r) {
          std::lock_guard<std::mutex> l(mu);
          if (r.ok()) seqs[t].push_back(r->entry.seq());
          else failures++;
          --in_flight;
          cv.notify_one();
        });
      }
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight == 0; });
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(failures == 0);
  std::vector<bool> seen(kThreads * kPerThread, false);
  for (const auto& s : seqs) {
    for (uint64_t seq : s) {
      REQUIRE(seq < seen.size());
      REQUIRE_FALSE(seen[seq]);
      seen[seq] = true;
    }
  }
  Head head = ledger->head();
  REQUIRE(head.tree_size == kThreads * kPerThread);
  RequireVerifies(*ledger, head.tree_size);
  ledger.reset();
  auto reopened = OpenLedger(dir);
  REQUIRE(reopened->head().tree_size == head.tree_size);
  REQUIRE(reopened->head().root == head.root);
  REQUIRE(reopened->head().checkpoint == head.checkpoint);
  REQUIRE(reopened->Append(FirmEntry("after-reopen", "x"))->entry.seq() == head.tree_size);
}

TEST_CASE("a batch never exceeds its maximum and each batch gets a checkpoint", "[ledger]") {
  TempDir dir;
  auto ledger = OpenLedger(dir, /*batch_max=*/4);
  std::atomic<int> done{0};
  for (int i = 0; i < 40; ++i) {
    ledger->AppendAsync(FirmEntry("k" + std::to_string(i), "f" + std::to_string(i)), [&](Result<StoredEntry> r) {
      REQUIRE(r.ok());
      done++;
    });
  }
  while (done < 40) std::this_thread::yield();
  // Checkpoints exist at every batch boundary; consecutive ones differ by at most 4.
  uint64_t previous = 0;
  for (uint64_t size = 1; size <= 40; ++size) {
    if (ledger->CheckpointAt(size).ok()) {
      REQUIRE(size - previous <= 4);
      previous = size;
    }
  }
  REQUIRE(previous == 40);
}

TEST_CASE("a ledger refuses a key that is not the one it was created with", "[ledger]") {
  TempDir dir;
  { OpenLedger(dir); }
  std::filesystem::remove(dir / kKeyFileName);
  auto other = SigningKey::Generate();
  REQUIRE(other->SaveFile(dir / kKeyFileName).ok());
  LedgerOptions options;
  options.data_dir = dir.path();
  auto reopened = District::Open(options);
  REQUIRE(reopened.status().slug() == "key-mismatch");
}

TEST_CASE("a ledger refuses a world-readable key file", "[ledger]") {
  TempDir dir;
  { OpenLedger(dir); }
  std::filesystem::permissions(dir / kKeyFileName, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  LedgerOptions options;
  options.data_dir = dir.path();
  REQUIRE(District::Open(options).status().slug() == "key-file-mode");
}

}  // namespace
}  // namespace mingzhang

namespace mingzhang {
namespace {

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A first start killed part-way: RocksDB had written its CURRENT file but not the log's column
// families and meta keys, and the public key file was not yet written.
TEST_CASE("a first start killed part-way leaves nothing that stops the next start", "[ledger]") {
  TempDir dir;
  const std::string data_dir = dir.path();
  {
    auto key = SigningKey::Generate();
    REQUIRE(key.ok());
    REQUIRE(key->SaveFile(data_dir + "/" + kKeyFileName).ok());
    StoreOptions options;
    auto partial = Store::Open(data_dir + "/" + kStoreDirName + ".new", options);
    REQUIRE(partial.ok());
  }
  auto ledger = OpenLedger(dir);
  REQUIRE(ledger->head().tree_size == 0);
  REQUIRE(ledger->Append(FirmEntry("k", "acme")).ok());
  CHECK_FALSE(std::filesystem::exists(data_dir + "/" + kStoreDirName + ".new"));
  auto public_key = PublicKey::FromPem(FileText(data_dir + "/" + kPublicKeyFileName));
  REQUIRE(public_key.ok());
  CHECK(public_key->raw() == ledger->public_key().raw());
  ledger.reset();
  CHECK(OpenLedger(dir)->head().tree_size == 1);
}

TEST_CASE("a store directory that holds something but no log is refused, not overwritten", "[ledger]") {
  TempDir dir;
  const std::string store_dir = dir.path() + "/" + kStoreDirName;
  std::filesystem::create_directories(store_dir);
  { std::ofstream(store_dir + "/notes.txt") << "someone's file"; }
  LedgerOptions options;
  options.data_dir = dir.path();
  auto ledger = District::Open(options);
  REQUIRE(ledger.status().slug() == "store-invalid");
  CHECK(std::filesystem::exists(store_dir + "/notes.txt"));
}

}  // namespace
}  // namespace mingzhang

namespace mingzhang {
namespace {

TEST_CASE("recorded_at_ms never runs backwards, also across a restart with the clock set back", "[ledger]") {
  TempDir dir;
  auto open_at = [&](int64_t now_ms) {
    LedgerOptions options;
    options.data_dir = dir.path();
    options.clock_ms = [now_ms] { return now_ms; };
    auto ledger = District::Open(options);
    REQUIRE(ledger.ok());
    return std::move(ledger).value();
  };
  constexpr int64_t kLaterMs = 1'800'000'000'000;
  open_at(kLaterMs)->Append(FirmEntry("first", "a")).value();
  auto second = open_at(kLaterMs - 3'600'000)->Append(FirmEntry("second", "b"));
  REQUIRE(second.ok());
  CHECK(second->entry.recorded_at_ms() == kLaterMs);
}

}  // namespace
}  // namespace mingzhang
