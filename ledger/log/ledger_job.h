// The sequencer's unit of work (ledger_append.cpp), complete here so that Ledger can own one.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/log/ledger.h"

namespace mingzhang {

// One request's fate within a batch: appended, a repeat of an earlier request, or refused.
struct Ledger::BatchResult {
  enum class Kind { kAppended, kReplayOfStored, kReplayOfInFlight, kReplayInBatch, kRefused } kind = Kind::kRefused;
  Status refusal;
  StoredEntry stored;
  size_t replay_index = 0;  // kReplayInBatch: index of the request it repeats
  uint64_t replay_seq = 0;  // kReplayOfInFlight: seq of the entry it repeats
  // Prepared before sequencing: the request's bytes (seq, prev_hash and time unset), what
  // identifies it for idempotency, and where its idempotency record lives.
  std::string request_bytes;
  std::string fingerprint;
  std::string idem_key;
};

// The batch being built: writes and the tree and chain as they will be once it is durable.
struct Ledger::BatchState {
  WriteSet writes;
  TreeState tree;
  size_t appended = 0;
  std::unordered_map<std::string, size_t> keys_in_batch;  // idempotency key -> request index
  Status failure;  // reading the state failed: the batch is not written
};

// A sequenced batch on its way to the writer: what to write, the head it makes, whom to answer.
struct Ledger::Job {
  std::vector<Pending> batch;
  std::vector<BatchResult> results;
  BatchState state;
  Head head;
  Status refusal;  // a group with a refused member, or a failed read of the state: nothing is written
};

}  // namespace mingzhang
