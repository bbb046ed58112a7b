// The sequencer: group commit of queued appends (README "Durability").
#include <future>
#include <unordered_map>

#include "ledger/keys.h"
#include "ledger/ledger.h"

namespace mingzhang {
namespace {

Status CheckRequestShape(const v1::Entry& request) {
  if (request.seq() != 0 || !request.prev_hash().empty() || request.recorded_at_ms() != 0) {
    return InvalidArgument("bad-request", "seq, prev_hash and recorded_at_ms are set by the ledger");
  }
  const std::string& key = request.idempotency_key();
  if (key.empty() || key.size() > kIdempotencyKeyBytesMax) {
    return InvalidArgument("bad-idempotency-key", "idempotency_key must be 1-128 printable ASCII characters");
  }
  for (unsigned char c : key) {
    if (c < 0x20 || c > 0x7e) {
      return InvalidArgument("bad-idempotency-key", "idempotency_key must be 1-128 printable ASCII characters");
    }
  }
  if (request.body_case() == v1::Entry::BODY_NOT_SET) return InvalidArgument("bad-request", "entry has no body");
  if (request.actor().role() == v1::ROLE_UNSPECIFIED || request.actor().principal_id().empty()) {
    return InvalidArgument("bad-request", "entry has no actor");
  }
  if (request.community_id().empty() && request.body_case() != v1::Entry::kFirm) {
    return InvalidArgument("bad-request", "entry names no community");
  }
  return OkStatus();
}

}  // namespace

// One request's fate within a batch: appended, a repeat of an earlier request, or refused.
struct Ledger::BatchResult {
  enum class Kind { kAppended, kReplayOfStored, kReplayInBatch, kRefused } kind = Kind::kRefused;
  Status refusal;
  StoredEntry stored;
  size_t replay_index = 0;  // kReplayInBatch: index of the request it repeats
  // Prepared before sequencing: the request's bytes (seq, prev_hash and time unset), what
  // identifies it for idempotency, and where its idempotency record lives.
  std::string request_bytes;
  std::string fingerprint;
  std::string idem_key;
};

void Ledger::AppendAsync(v1::Entry request, AppendCallback done) {
  std::unique_lock<std::mutex> lock(queue_mu_);
  if (stopping_) {
    lock.unlock();
    done(Unavailable("shutting-down", "the ledger is closing"));
    return;
  }
  if (queue_.size() >= kAppendQueueMax) {
    lock.unlock();
    done(ResourceExhausted("busy", "too many appends are waiting; retry later"));
    return;
  }
  queue_.push_back(Pending{std::move(request), std::move(done), nullptr});
  lock.unlock();
  queue_cv_.notify_one();
}

Result<StoredEntry> Ledger::Append(v1::Entry request) {
  std::promise<Result<StoredEntry>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(request), [&promise](Result<StoredEntry> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// The members of a group, answered together once the group's batch is decided.
struct Ledger::Group {
  size_t members = 0;
  GroupCallback done;
  std::vector<Result<StoredEntry>> answers;
};

void Ledger::AppendGroupAsync(std::vector<v1::Entry> requests, GroupCallback done) {
  if (requests.empty() || requests.size() > kGroupEntriesMax) {
    return done(InvalidArgument("bad-request", "a group holds 1 to " + std::to_string(kGroupEntriesMax) + " entries"));
  }
  for (const v1::Entry& r : requests) {
    if (r.community_id() != requests[0].community_id() || r.community_id().empty()) {
      return done(InvalidArgument("bad-request", "a group's entries belong to one community"));
    }
  }
  auto group = std::make_shared<Group>();
  group->members = requests.size();
  group->done = std::move(done);
  std::unique_lock<std::mutex> lock(queue_mu_);
  if (stopping_ || queue_.size() + requests.size() > kAppendQueueMax) {
    lock.unlock();
    group->done(stopping_ ? Unavailable("shutting-down", "the ledger is closing")
                          : ResourceExhausted("busy", "too many appends are waiting; retry later"));
    return;
  }
  for (v1::Entry& r : requests) queue_.push_back(Pending{std::move(r), nullptr, group});
  lock.unlock();
  queue_cv_.notify_one();
}

// A batch is either one whole group or up to batch_entries_max single appends.
void Ledger::TakeBatch(std::vector<Pending>& batch) {
  if (queue_.front().group) {
    std::shared_ptr<Group> group = queue_.front().group;
    while (!queue_.empty() && queue_.front().group == group) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    return;
  }
  while (!queue_.empty() && !queue_.front().group && batch.size() < options_.batch_entries_max) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void Ledger::RunSequencer() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      TakeBatch(batch);
    }
    CommitBatch(batch);
    batch.clear();
  }
}

int64_t Ledger::NextTimestampMs() {
  // Never run backwards, even if the wall clock does: entries are in time order.
  last_timestamp_ms_ = std::max(last_timestamp_ms_, options_.clock_ms());
  return last_timestamp_ms_;
}

// The batch being built: writes and the tree and chain as they will be once it is durable.
struct Ledger::BatchState {
  WriteSet writes;
  CompactRange range;
  TreeRows rows;
  Hash chain{};
  size_t appended = 0;
  std::unordered_map<std::string, size_t> keys_in_batch;  // idempotency key -> request index
};

// Serializes each well-formed request once and reads all their idempotency records in one call.
std::vector<Result<std::optional<std::string>>> Ledger::Prepare(std::vector<Pending>& batch,
                                                                std::vector<BatchResult>& results) {
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    BatchResult& r = results[i];
    const v1::Entry& request = batch[i].request;
    r.refusal = CheckRequestShape(request);
    if (r.refusal.ok()) {
      request.SerializeToString(&r.request_bytes);
      r.fingerprint = std::string(AsBytes(Sha256(r.request_bytes)));
      r.idem_key = IdempotencyKey(request.actor().principal_id(), request.idempotency_key());
    }
    keys.push_back(r.idem_key);  // refused requests look up "" and ignore the answer
  }
  return store_->MultiGet(Column::kIdempotency, keys);
}

// Answers an idempotent repeat (of a stored entry or of one earlier in this batch) or a conflict.
// Returns false when the request is new and must be appended.
bool Ledger::ResolveRepeat(const std::vector<BatchResult>& results, const Result<std::optional<std::string>>& previous,
                           BatchState& state, BatchResult& r) {
  const Status conflict = AlreadyExists("idempotency-conflict", "idempotency_key was used with a different body");
  if (auto it = state.keys_in_batch.find(r.idem_key); it != state.keys_in_batch.end()) {
    if (results[it->second].fingerprint != r.fingerprint) {
      r.refusal = conflict;
    } else {
      r.kind = BatchResult::Kind::kReplayInBatch;
      r.replay_index = it->second;
    }
    return true;
  }
  if (!previous.ok()) {
    r.refusal = previous.status();
    return true;
  }
  if (!*previous) return false;
  std::string_view record = **previous;
  if (record.size() != 8 + kHashBytes || record.substr(8) != r.fingerprint) {
    r.refusal = conflict;
    return true;
  }
  Result<StoredEntry> original = ReadEntry(*ParseBe64(record.substr(0, 8)));
  if (!original.ok()) {
    r.refusal = original.status();
    return true;
  }
  r.kind = BatchResult::Kind::kReplayOfStored;
  r.stored = std::move(original).value();
  r.stored.replayed = true;
  return true;
}

// Assigns the next seq, chains and hashes the entry, and adds its writes to the batch.
// The stored bytes are the three ledger-set fields followed by the request's bytes: protobuf
// writes fields in number order and those are fields 1-3, so this is the message's serialization.
void Ledger::Sequence(v1::Entry& request, BatchState& state, BatchResult& r) {
  uint64_t seq = state.range.size();
  v1::Entry header;
  header.set_seq(seq);
  header.set_prev_hash(std::string(AsBytes(state.chain)));
  header.set_recorded_at_ms(NextTimestampMs());
  request.set_seq(seq);
  request.set_recorded_at_ms(header.recorded_at_ms());
  bool changed = false;
  r.refusal = domain_.Admit(request, &changed);
  if (!r.refusal.ok()) return;
  if (changed) {  // the ledger filled fields: serialize the entry as it now is
    request.clear_seq();
    request.clear_recorded_at_ms();
    request.SerializeToString(&r.request_bytes);
  }
  std::string bytes = header.SerializeAsString();
  bytes.append(r.request_bytes);
  if (bytes.size() > kEntryBytesMax) {
    r.refusal = InvalidArgument("entry-too-large", "the entry exceeds " + std::to_string(kEntryBytesMax) + " bytes");
    return;
  }
  r.kind = BatchResult::Kind::kAppended;
  r.stored.leaf_hash = LeafHash(bytes);
  r.stored.chain_hash = state.chain = Sha256(bytes);
  state.range.Append(r.stored.leaf_hash, [&](int level, uint64_t index, const Hash& h) {
    state.rows.Add(level, index, h, state.writes);
  });
  state.writes.Put(Column::kEntries, EntryKey(seq), bytes);
  state.writes.Put(Column::kIdempotency, r.idem_key, Be64(seq) + r.fingerprint);
  r.stored.bytes = std::move(bytes);
  r.stored.entry = std::move(request);
  r.stored.entry.set_seq(seq);
  r.stored.entry.set_prev_hash(header.prev_hash());
  r.stored.entry.set_recorded_at_ms(header.recorded_at_ms());
  domain_.Record(r.stored.entry, r.stored.leaf_hash);
  ++state.appended;
}

// Signs the checkpoint of the new size and writes the whole batch, synced. On success the new
// head is published; on failure the in-memory tree and chain stay as they were.
Status Ledger::WriteBatch(BatchState& state) {
  if (state.appended == 0) return OkStatus();
  state.rows.Flush(state.writes);
  domain_.FlushState(state.writes);
  Checkpoint checkpoint{origin_, state.range.size(), state.range.Root(), {}};
  std::string note = SignNote(FormatCheckpoint(checkpoint), key_name_, key_);
  state.writes.Put(Column::kCheckpoints, CheckpointKey(state.range.size()), note);
  state.writes.Put(Column::kMeta, std::string(kMetaHead),
                   Be64(state.range.size()) + std::string(AsBytes(state.chain)));
  MZ_RETURN_IF_ERROR(store_->Write(state.writes, /*sync=*/true));
  range_ = std::move(state.range);
  rows_ = std::move(state.rows);
  chain_head_ = state.chain;
  std::unique_lock lock(head_mu_);
  head_ = Head{range_.size(), range_.Root(), chain_head_, std::move(note)};
  stats_.appends += state.appended;
  stats_.batches += 1;
  stats_.last_batch_entries = state.appended;
  return OkStatus();
}

void Ledger::CommitBatch(std::vector<Pending>& batch) {
  std::unique_lock domain_lock(domain_mu_);
  std::vector<BatchResult> results(batch.size());
  std::vector<Result<std::optional<std::string>>> previous = Prepare(batch, results);
  BatchState state;
  state.range = range_;
  state.rows = rows_;
  state.chain = chain_head_;
  for (size_t i = 0; i < batch.size(); ++i) {
    BatchResult& r = results[i];
    if (!r.refusal.ok() || ResolveRepeat(results, previous[i], state, r)) continue;
    Sequence(batch[i].request, state, r);
    if (r.kind == BatchResult::Kind::kAppended) state.keys_in_batch.emplace(r.idem_key, i);
  }
  bool is_group = !batch.empty() && batch[0].group;
  Status written = OkStatus();
  for (size_t i = 0; is_group && written.ok() && i < results.size(); ++i) {
    if (results[i].kind != BatchResult::Kind::kRefused) continue;
    const Status& why = results[i].refusal;
    written = Status(why.code(), why.slug(), "entry " + std::to_string(i) + " of the group: " + why.message());
  }
  if (written.ok()) written = WriteBatch(state);
  if (!written.ok() && state.appended > 0) {
    // The domain state took in entries that are not durable: rebuild it from the log.
    Domain rebuilt;
    Status replayed = ReplayDomain(head().tree_size, rebuilt);
    if (replayed.ok()) domain_ = std::move(rebuilt);
  }
  domain_lock.unlock();
  Deliver(batch, results, written);
}

// Answers every caller of the batch. Nobody hears success for anything of a failed batch.
void Ledger::Deliver(std::vector<Pending>& batch, std::vector<BatchResult>& results, const Status& written) {
  using Kind = BatchResult::Kind;
  if (!batch.empty() && batch[0].group) {
    Group& group = *batch[0].group;
    if (!written.ok()) return group.done(written);
    std::vector<StoredEntry> entries;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].kind == Kind::kReplayInBatch) {
        entries.push_back(results[results[i].replay_index].stored);
        entries.back().replayed = true;
      } else {
        entries.push_back(results[i].stored);
      }
    }
    return group.done(std::move(entries));
  }
  // In-batch repeats copy their original before any original is moved out.
  for (BatchResult& r : results) {
    if (r.kind != Kind::kReplayInBatch) continue;
    r.stored = results[r.replay_index].stored;
    r.stored.replayed = true;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    BatchResult& r = results[i];
    if (r.kind == Kind::kRefused) {
      batch[i].done(std::move(r.refusal));
    } else if (!written.ok() && r.kind != Kind::kReplayOfStored) {
      batch[i].done(written);
    } else {
      batch[i].done(std::move(r.stored));
    }
  }
}

}  // namespace mingzhang
