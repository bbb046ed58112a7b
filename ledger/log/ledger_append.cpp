// The sequencer: group commit of queued appends (README "Durability").
#include <future>
#include <unordered_map>

#include "ledger/log/keys.h"
#include "ledger/log/ledger.h"
#include "ledger/log/ledger_job.h"

namespace mingzhang {
namespace {

Status CheckRequestShape(const v1::Entry& request) {
  if (request.seq() != 0 || !request.prev_hash().empty() || request.recorded_at_ms() != 0) {
    return InvalidArgument("bad-request", "seq, prev_hash and recorded_at_ms are set by the ledger");
  }
  MZ_RETURN_IF_ERROR(CheckIdempotencyKey(request.idempotency_key()));
  if (request.body_case() == v1::Entry::BODY_NOT_SET) return InvalidArgument("bad-request", "entry has no body");
  if (request.actor().role() == v1::ROLE_UNSPECIFIED || request.actor().principal_id().empty()) {
    return InvalidArgument("bad-request", "entry has no actor");
  }
  if (request.community_id().empty() && request.body_case() != v1::Entry::kFirm) {
    return InvalidArgument("bad-request", "entry names no community");
  }
  return OkStatus();
}

// An owner's request repeated under a token issued since, for more or fewer units: the actor's
// unit_ids are the token's scope, copied into the entry, not part of what the owner asked for.
bool SameButOwnersUnits(const v1::Entry& request, const v1::Entry& stored) {
  if (request.actor().role() != v1::owner) return false;
  v1::Entry asked = request, original = stored;
  asked.mutable_actor()->clear_unit_ids();
  original.mutable_actor()->clear_unit_ids();
  original.clear_seq();
  original.clear_prev_hash();
  original.clear_recorded_at_ms();
  return asked.SerializeAsString() == original.SerializeAsString();
}

}  // namespace

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

// The members of a group, answered together once the group's batch is decided. A group made by
// CheckGroupAsync has `checked` set: it is sequenced, answered member by member, and forgotten.
struct Ledger::Group {
  GroupCallback done;
  CheckCallback checked;
  void Fail(const Status& why) const { checked ? checked(why) : done(why); }
};

void Ledger::AppendGroupAsync(std::vector<v1::Entry> requests, GroupCallback done) {
  auto group = std::make_shared<Group>();
  group->done = std::move(done);
  QueueGroup(std::move(requests), std::move(group));
}

void Ledger::CheckGroupAsync(std::vector<v1::Entry> requests, CheckCallback done) {
  auto group = std::make_shared<Group>();
  group->checked = std::move(done);
  QueueGroup(std::move(requests), std::move(group));
}

void Ledger::QueueGroup(std::vector<v1::Entry> requests, std::shared_ptr<Group> group) {
  if (requests.empty() || requests.size() > kGroupEntriesMax) {
    return group->Fail(
        InvalidArgument("bad-request", "a group holds 1 to " + std::to_string(kGroupEntriesMax) + " entries"));
  }
  for (const v1::Entry& r : requests) {
    if (r.community_id() != requests[0].community_id() || r.community_id().empty()) {
      return group->Fail(InvalidArgument("bad-request", "a group's entries belong to one community"));
    }
  }
  std::unique_lock<std::mutex> lock(queue_mu_);
  if (stopping_ || queue_.size() + requests.size() > kAppendQueueMax) {
    Status refusal = stopping_ ? Unavailable("shutting-down", "the ledger is closing")
                               : ResourceExhausted("busy", "too many appends are waiting; retry later");
    lock.unlock();  // answered outside the lock, which the answer may need
    group->Fail(refusal);
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
  for (;;) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      TakeBatch(batch);
    }
    // The last write failed while the sequencer waited for work: start again from the durable
    // state, or this batch, which came after the failure was answered, would be failed with it.
    if (!TakeIdleWriterFailure().ok()) RollBack(/*tree_too=*/true);
    // Sequenced while the previous batch is being written; handed over once that write is known.
    std::unique_ptr<Job> job = SequenceBatch(std::move(batch));
    Status previous = AwaitWriter();
    if (!previous.ok()) {
      // This batch was built on entries that did not become durable: nobody hears success.
      Deliver(*job, previous);
      RollBack(/*tree_too=*/true);
    } else if (job->batch[0].group && job->batch[0].group->checked) {
      DeliverCheck(*job);
      RollBack(/*tree_too=*/false);  // a check never moved the tree; its members leave the domain
    } else if (!job->refusal.ok()) {
      Deliver(*job, job->refusal);
      RollBack(/*tree_too=*/false);  // a refused group never moved the tree
    } else if (job->state.appended == 0) {
      Deliver(*job, OkStatus());  // only repeats and refusals: nothing to write
    } else {
      HandToWriter(std::move(job));
    }
  }
  AwaitWriter().IgnoreError();  // the writer answered that batch's callers itself
}

int64_t Ledger::NextTimestampMs() {
  // Never run backwards, even if the wall clock does: entries are in time order.
  last_timestamp_ms_ = std::max(last_timestamp_ms_, options_.clock_ms());
  return last_timestamp_ms_;
}

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
bool Ledger::ResolveRepeat(const v1::Entry& request, const std::vector<BatchResult>& results,
                           const Result<std::optional<std::string>>& previous,
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
  if (auto it = in_flight_keys_.find(r.idem_key); it != in_flight_keys_.end()) {
    // A repeat of an entry still being written: answered from the store once it is durable.
    if (it->second.fingerprint != r.fingerprint) {
      r.refusal = conflict;
    } else {
      r.kind = BatchResult::Kind::kReplayOfInFlight;
      r.replay_seq = it->second.seq;
    }
    return true;
  }
  if (!previous.ok()) {
    r.refusal = previous.status();
    return true;
  }
  if (!*previous) return false;
  std::string_view record = **previous;
  if (record.size() != 8 + kHashBytes) {
    r.refusal = conflict;
    return true;
  }
  Result<StoredEntry> original = ReadEntry(*ParseBe64(record.substr(0, 8)));
  if (!original.ok()) {
    r.refusal = original.status();
    return true;
  }
  if (record.substr(8) != r.fingerprint && !SameButOwnersUnits(request, original->entry)) {
    r.refusal = conflict;
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
  uint64_t seq = state.tree.range.size();
  v1::Entry header;
  header.set_seq(seq);
  header.set_prev_hash(std::string(AsBytes(state.tree.chain)));
  header.set_recorded_at_ms(NextTimestampMs());
  request.set_seq(seq);
  request.set_recorded_at_ms(header.recorded_at_ms());
  bool changed = false;
  r.refusal = state_->Admit(request, &changed);
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
  r.stored.chain_hash = state.tree.chain = Sha256(bytes);
  state.tree.range.Append(r.stored.leaf_hash, [&](int level, uint64_t index, const Hash& h) {
    state.tree.rows.Add(level, index, h, state.writes);
  });
  state.writes.Put(Column::kEntries, EntryKey(seq), bytes);
  state.writes.Put(Column::kIdempotency, r.idem_key, Be64(seq) + r.fingerprint);
  r.stored.bytes = std::move(bytes);
  r.stored.entry = std::move(request);
  r.stored.entry.set_seq(seq);
  r.stored.entry.set_prev_hash(header.prev_hash());
  r.stored.entry.set_recorded_at_ms(header.recorded_at_ms());
  // A failed read of the state leaves the batch's state half made: nothing of it is written.
  if (Status recorded = state_->Record(r.stored.entry, r.stored.leaf_hash); !recorded.ok()) {
    state.failure = recorded;
    return;
  }
  ++state.appended;
}

// Prepares and sequences a batch on the sequencer's state, and seals it for the writer.
std::unique_ptr<Ledger::Job> Ledger::SequenceBatch(std::vector<Pending> batch) {
  auto job = std::make_unique<Job>();
  job->batch = std::move(batch);
  job->results.resize(job->batch.size());
  std::vector<Result<std::optional<std::string>>> previous = Prepare(job->batch, job->results);
  BatchState& state = job->state;
  state.tree = tree_;
  for (size_t i = 0; i < job->batch.size(); ++i) {
    BatchResult& r = job->results[i];
    if (!r.refusal.ok() || ResolveRepeat(job->batch[i].request, job->results, previous[i], state, r)) continue;
    Sequence(job->batch[i].request, state, r);
    if (!state.failure.ok()) {
      job->refusal = state.failure;
      return job;
    }
    if (r.kind == BatchResult::Kind::kAppended) state.keys_in_batch.emplace(r.idem_key, i);
  }
  bool is_group = !job->batch.empty() && job->batch[0].group;
  if (is_group && job->batch[0].group->checked) return job;  // never sealed, never written
  for (size_t i = 0; is_group && i < job->results.size(); ++i) {
    if (job->results[i].kind != BatchResult::Kind::kRefused) continue;
    const Status& why = job->results[i].refusal;
    job->refusal = Status(why.code(), why.slug(), "entry " + std::to_string(i) + " of the group: " + why.message());
    return job;
  }
  if (state.appended > 0) SealBatch(*job);
  return job;
}

// Signs the checkpoint of the new size and completes the batch's writes; the sequencer's state
// moves on to the batch's, remembering where to roll back to should the write fail.
void Ledger::SealBatch(Job& job) {
  BatchState& state = job.state;
  state.tree.rows.Flush(state.writes);
  state_->Seal(state.writes);
  Checkpoint checkpoint{origin_, state.tree.range.size(), state.tree.range.Root(), {}};
  std::string note = SignNote(FormatCheckpoint(checkpoint), key_name_, key_);
  state.writes.Put(Column::kCheckpoints, CheckpointKey(state.tree.range.size()), note);
  const std::string head = Be64(state.tree.range.size()) + std::string(AsBytes(state.tree.chain));
  state.writes.Put(Column::kMeta, std::string(kMetaHead), head);
  if (!state_->format().empty()) state.writes.Put(Column::kMeta, std::string(kMetaStateHead), head);
  job.head = Head{state.tree.range.size(), state.tree.range.Root(), state.tree.chain, std::move(note)};
}

// Waits until the writer has finished the job it holds; returns how its write ended.
Status Ledger::AwaitWriter() {
  std::unique_lock<std::mutex> lock(writer_mu_);
  writer_cv_.wait(lock, [&] { return writer_job_ == nullptr; });
  Status last = std::move(writer_last_);
  writer_last_ = OkStatus();
  Settle(last);
  return last;
}

// The sequencer learns how the batch it handed over ended: written, its state rows are the
// store's now; failed, the caller rolls every batch back.
void Ledger::Settle(const Status& written) {
  if (!in_flight_) return;
  in_flight_ = false;
  if (written.ok()) state_->Durable();
}

// The failure of the writer's last job when the writer is idle (and forgets it); OK otherwise.
Status Ledger::TakeIdleWriterFailure() {
  std::lock_guard<std::mutex> lock(writer_mu_);
  if (writer_job_ != nullptr) return OkStatus();
  Status last = std::move(writer_last_);
  writer_last_ = OkStatus();
  Settle(last);
  return last;
}

// REQUIRES: the writer is idle (AwaitWriter returned OK).
void Ledger::HandToWriter(std::unique_ptr<Job> job) {
  in_flight_keys_.clear();
  for (const BatchResult& r : job->results) {
    if (r.kind == BatchResult::Kind::kAppended) {
      in_flight_keys_.emplace(r.idem_key, InFlightKey{r.fingerprint, r.stored.entry.seq()});
    }
  }
  in_flight_ = true;
  tree_before_in_flight_ = std::move(tree_);
  tree_ = std::move(job->state.tree);  // the writer needs only the writes and the head
  {
    std::lock_guard<std::mutex> lock(writer_mu_);
    writer_job_ = std::move(job);
  }
  writer_cv_.notify_all();
}

// Forgets what the sequencer built past the durable head: after a failed write, or the members a
// refused group recorded. REQUIRES: the writer is idle, so the store holds the durable state, and
// tree_before_in_flight_ is it when the last write failed.
void Ledger::RollBack(bool tree_too) {
  in_flight_keys_.clear();
  if (tree_too) {
    tree_ = tree_before_in_flight_;
    state_->AbandonAll();
  } else {
    state_->AbandonOpen();
  }
}

void Ledger::RunWriter() {
  for (;;) {
    std::unique_lock<std::mutex> lock(writer_mu_);
    writer_cv_.wait(lock, [&] { return writer_stopping_ || writer_job_ != nullptr; });
    if (!writer_job_) return;
    Job& job = *writer_job_;
    lock.unlock();
    Status written = store_->Write(job.state.writes, /*sync=*/true);
    if (written.ok()) Publish(job);
    // Idle, with the outcome known to the sequencer, before anyone is answered: a request made
    // after an answer is sequenced knowing how that write ended.
    lock.lock();
    writer_last_ = written;
    std::unique_ptr<Job> done = std::move(writer_job_);
    lock.unlock();
    writer_cv_.notify_all();
    Deliver(*done, written);
  }
}

// Makes a durable batch's head visible (readers see its state rows through Store::View already).
void Ledger::Publish(Job& job) {
  std::unique_lock head_lock(head_mu_);
  head_ = job.head;
  stats_.appends += job.state.appended;
  stats_.batches += 1;
  stats_.last_batch_entries = job.state.appended;
}

// Answers a checked group member by member. REQUIRES: the write before it succeeded.
void Ledger::DeliverCheck(Job& job) {
  std::vector<MemberCheck> checks;
  checks.reserve(job.results.size());
  for (const BatchResult& r : job.results) {
    const bool refused = r.kind == BatchResult::Kind::kRefused;
    checks.push_back({refused ? r.refusal : OkStatus(), !refused && r.kind != BatchResult::Kind::kAppended});
  }
  job.batch[0].group->checked(std::move(checks));
}

// Answers every caller of the batch. Nobody hears success for anything of a failed batch.
void Ledger::Deliver(Job& job, const Status& written) {
  using Kind = BatchResult::Kind;
  std::vector<BatchResult>& results = job.results;
  for (BatchResult& r : results) {
    if (r.kind != Kind::kReplayOfInFlight || !written.ok()) continue;
    Result<StoredEntry> original = ReadEntry(r.replay_seq);  // durable now: it preceded this batch
    if (!original.ok()) {
      r.kind = Kind::kRefused;
      r.refusal = original.status();
      continue;
    }
    r.stored = std::move(original).value();
    r.stored.replayed = true;
  }
  if (!job.batch.empty() && job.batch[0].group) {
    Group& group = *job.batch[0].group;
    if (!written.ok()) return group.Fail(written);
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
  for (size_t i = 0; i < job.batch.size(); ++i) {
    BatchResult& r = results[i];
    if (!written.ok() && r.kind != Kind::kReplayOfStored) {
      // A refusal too: it may rest on an entry of this batch or the one before, which is not
      // durable (a unit "already registered" by a write that failed). The caller retries.
      job.batch[i].done(written);
    } else if (r.kind == Kind::kRefused) {
      job.batch[i].done(std::move(r.refusal));
    } else {
      job.batch[i].done(std::move(r.stored));
    }
  }
}

}  // namespace mingzhang
