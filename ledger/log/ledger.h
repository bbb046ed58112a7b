// Ledger: the append-only, hash-chained, Merkle-tree log of one district, on a Store.
//
// One sequencer thread owns all writes. Append calls queue; the sequencer takes up to
// batch_entries_max of them, assigns seqs, chains and hashes them, extends the tree, signs a
// checkpoint of the new size and writes everything as one synced batch. Only then does it answer
// the callers. A caller never sees success for an entry that a crash can lose.
//
//   auto ledger = Ledger::Open({.data_dir = "./data"});
//   v1::Entry request;  // community_id, actor, idempotency_key and a body; nothing else
//   Result<Appended> a = (*ledger)->Append(request);
//   std::string note = (*ledger)->head().checkpoint;
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <optional>

#include "ledger/base/crypto.h"
#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "ledger/log/state_machine.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "ledger/log/tree_rows.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

inline constexpr size_t kBatchEntriesMax = 1024;
inline constexpr size_t kAppendQueueMax = 64 * 1024;  // beyond this, appends are refused (busy)
inline constexpr size_t kGroupEntriesMax = 5'000;  // payments:batch
inline constexpr size_t kEntryBytesMax = 4 << 20;  // a 5,000-unit registration is ~150 KiB
static_assert(kBatchEntriesMax <= kAppendQueueMax);

// The state rows of a log written before them are built in synced batches of this many entries,
// each with how far it got (meta "state_head"): a build that stops goes on from there.
inline constexpr uint64_t kStateBuildChunkEntries = 100'000;

inline constexpr const char* kKeyFileName = "log.key.pem";
inline constexpr const char* kPublicKeyFileName = "log.pub.pem";
inline constexpr const char* kStoreDirName = "store";

// The state cache's default (LedgerOptions::state_cache_bytes): what the state machine keeps
// decoded (the trust domain's communities: a 2,000-unit community with a year is ~300 KiB).
inline constexpr size_t kStateCacheBytesDefault = 256 << 20;

struct LedgerOptions {
  std::string data_dir = "./data";
  // Used only when the log is created; afterwards they are read from the store.
  std::string origin = "mingzhang.local/district";
  std::string key_name;  // defaults to the origin up to its first '/'
  size_t batch_entries_max = kBatchEntriesMax;
  bool create_if_missing = true;
  std::function<int64_t()> clock_ms;  // defaults to the system clock
  std::shared_ptr<StorageFaults> storage_faults;  // tests only (store.h); mingzhangd sets none
  std::function<void(const WriteSet&)> observe_writes;  // benches only: StoreOptions::observe_writes
  unsigned store_stats_period_s = kStatsDumpPeriodSecondsDefault;  // RocksDB's statistics dump
  std::function<void(const Status&)> on_write_state;  // StoreOptions::on_write_state
  // The state machine the log keeps (state_machine.h), made over the store with the cache budget
  // below; none: the log alone, every entry admitted as it is.
  std::function<std::unique_ptr<StateMachine>(const Store& store, size_t cache_bytes)> state_machine;
  // The state machine's cache; the store's block cache is apart from it.
  size_t state_cache_bytes = kStateCacheBytesDefault;
  // Called while the state rows are built from the entries, once for a log written before them
  // or with rows of another format (StateMachine::format), or whose building stopped: entries
  // done of the total, every kStateBuildChunkEntries.
  std::function<void(uint64_t done, uint64_t total)> on_state_build;
};

// An entry as stored, with what proves it: its leaf hash and the chain head after it.
struct StoredEntry {
  v1::Entry entry;
  std::string bytes;
  Hash leaf_hash{};
  Hash chain_hash{};  // SHA-256 of bytes: the chain head once this entry is appended
  bool replayed = false;  // an idempotent repeat answered with the original entry
};

struct Head {
  uint64_t tree_size = 0;
  Hash root{};
  Hash chain_head{};
  std::string checkpoint;  // the signed note at tree_size
};

// A consistent read of the log's state: the store as of one durable batch, and that batch's head.
// Views are made from it (state_rows.h StateReader over StoreRows(view.store)).
struct ReadView {
  std::shared_ptr<const StoreView> store;
  Head head;
};

class Ledger {
 public:
  using AppendCallback = std::function<void(Result<StoredEntry>)>;

  static Result<std::unique_ptr<Ledger>> Open(const LedgerOptions& options);
  // Answers every queued append, stops the sequencer and closes the store.
  virtual ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Queues `request` (seq, prev_hash and recorded_at_ms unset). `done` runs on the sequencer
  // thread once the batch is durable, or with the reason it was refused; it must not block.
  void AppendAsync(v1::Entry request, AppendCallback done);
  Result<StoredEntry> Append(v1::Entry request);

  using GroupCallback = std::function<void(Result<std::vector<StoredEntry>>)>;
  // Appends every request of one community or none: the group is sequenced as a batch of its own,
  // and if any member is refused nothing is written and `done` gets the first refusal, its
  // message prefixed with the member's index. At most kGroupEntriesMax members.
  void AppendGroupAsync(std::vector<v1::Entry> requests, GroupCallback done);

  // What AppendGroupAsync would make of each member, writing nothing: the group is sequenced as
  // a batch of its own, each member checked with the members before it that pass already applied
  // (a receipt used twice in a file is refused on its second use), and then forgotten. So every
  // refusal of a file is known at once, not only the first. Same limits as AppendGroupAsync.
  struct MemberCheck {
    Status refusal;       // OK: the member would be appended, or is a repeat
    bool repeat = false;  // an idempotent repeat: of a stored entry or of an earlier member
  };
  using CheckCallback = std::function<void(Result<std::vector<MemberCheck>>)>;
  void CheckGroupAsync(std::vector<v1::Entry> requests, CheckCallback done);

  Head head() const;
  // The state and head of the last durable batch, read together (see ReadView).
  Result<ReadView> Read() const;
  // Since start: entries appended and durable batches written, and the size of the last batch.
  struct Stats {
    uint64_t appends = 0;
    uint64_t batches = 0;
    uint64_t last_batch_entries = 0;
  };
  Stats stats() const;
  const std::string& origin() const { return origin_; }
  const NoteVerifier& verifier() const { return verifier_; }
  const PublicKey& public_key() const { return key_.public_key(); }

  // The signed checkpoint exactly as first written at that size.
  Result<std::string> CheckpointAt(uint64_t tree_size) const;
  Result<StoredEntry> ReadEntry(uint64_t seq) const;
  Result<Hash> RootAt(uint64_t tree_size) const;
  Result<std::vector<Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size) const;
  Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second) const;
  const Store& store() const { return *store_; }
  // Whether the store takes writes (Store::WriteState), and a recovery attempt now (Store::Recover).
  Status WriteState() const { return store_->WriteState(); }
  Status RecoverStorage() { return store_->Recover(); }
  // The store, for a column of the API's own beside the log (auth: tokens, invitations); the
  // log neither reads nor writes it.
  Store& shared_store() { return *store_; }
  // The ledger's clock (LedgerOptions::clock_ms), Unix milliseconds.
  int64_t NowMs() const { return options_.clock_ms(); }

 protected:
  Ledger(LedgerOptions options, std::unique_ptr<Store> store, SigningKey key);
  // What Open does, for a class that extends the log (views/district.h): `make` constructs it
  // from the opened store and key; then the head is loaded and the threads start.
  using Make = std::function<Ledger*(LedgerOptions, std::unique_ptr<Store>, SigningKey)>;
  static Result<std::unique_ptr<Ledger>> OpenWith(const LedgerOptions& options, const Make& make);
  const LedgerOptions& options() const { return options_; }
  // The log's key: what signs its checkpoints, and a district's statements.
  const SigningKey& signing_key() const { return key_; }

 private:
  struct Group;
  struct Pending {
    v1::Entry request;
    AppendCallback done;
    std::shared_ptr<Group> group;  // set for the members of an all-or-nothing group
  };
  struct BatchResult;
  struct BatchState;
  struct Job;
  // The tree and chain as of some batch: what the sequencer rolls back to when a write fails.
  struct TreeState {
    CompactRange range;
    TreeRows rows;
    Hash chain{};
  };

  static Status CreateStore(const LedgerOptions& options, const SigningKey& key, const std::string& store_dir,
                            const StoreOptions& store_options);
  Status Load();
  Status BuildState(uint64_t state_size, uint64_t tree_size);
  Status DeleteState();
  Status CreateLog();
  NodeReader TreeReader() const;

  void RunSequencer();
  std::unique_ptr<Job> SequenceBatch(std::vector<Pending> batch);
  std::vector<Result<std::optional<std::string>>> Prepare(std::vector<Pending>& batch,
                                                          std::vector<BatchResult>& results);
  bool ResolveRepeat(const v1::Entry& request, const std::vector<BatchResult>& results,
                     const Result<std::optional<std::string>>& previous,
                     BatchState& state, BatchResult& r);
  void Sequence(v1::Entry& request, BatchState& state, BatchResult& r);
  void SealBatch(Job& job);
  Status AwaitWriter();
  Status TakeIdleWriterFailure();
  void Settle(const Status& written);
  void HandToWriter(std::unique_ptr<Job> job);
  void RollBack(bool tree_too);
  void RunWriter();
  void Publish(Job& job);
  void Deliver(Job& job, const Status& written);
  void TakeBatch(std::vector<Pending>& batch);
  void QueueGroup(std::vector<v1::Entry> requests, std::shared_ptr<Group> group);
  void DeliverCheck(Job& job);
  int64_t NextTimestampMs();

  LedgerOptions options_;
  std::unique_ptr<Store> store_;
  SigningKey key_;
  std::string origin_;
  std::string key_name_;
  NoteVerifier verifier_;

  // Group commit is a two-stage pipeline: while the writer thread syncs batch k, the sequencer
  // prepares and sequences batch k+1 on its own copy of the tree, chain and domain state, which
  // run ahead of what is durable by at most that one batch.
  //
  // Owned by the sequencer thread: the state as it will be once every handed-over batch is durable,
  // the state before the batch being written (restored if its write fails), and that batch's
  // idempotency records, which its successor cannot yet read from the store.
  TreeState tree_;
  TreeState tree_before_in_flight_;
  std::unique_ptr<StateMachine> state_;  // its batches not yet durable kept over the store
  bool in_flight_ = false;          // a batch was handed to the writer and its outcome is not known
  struct InFlightKey {
    std::string fingerprint;
    uint64_t seq = 0;
  };
  std::unordered_map<std::string, InFlightKey> in_flight_keys_;
  int64_t last_timestamp_ms_ = 0;

  // The hand-over slot between the sequencer and the writer thread.
  std::mutex writer_mu_;
  std::condition_variable writer_cv_;
  std::unique_ptr<Job> writer_job_;  // set: waiting for or being written
  Status writer_last_;               // how the last job's write ended
  bool writer_stopping_ = false;
  std::thread writer_;

  mutable std::shared_mutex head_mu_;
  Head head_;
  Stats stats_;  // under head_mu_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread sequencer_;
};

// Reads the signed checkpoint with the largest tree size from a store (no key needed).
Result<std::string> LatestCheckpoint(const Store& store);

}  // namespace mingzhang
