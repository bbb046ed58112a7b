// What the log calls, in log order, to keep a state derived from its entries (the trust domain:
// ledger/domain/domain.h). The log knows nothing of what the entries mean; the machine knows nothing of
// seqs' durability but what these calls tell it. Modelled on a replicated state machine over a
// log: admit, apply into the batch's write set, learn the batch's fate.
//
// Calls come from one thread at a time: the sequencer's, or the opening's while the machine
// builds its state from entries it has not seen (a log written before it kept state, or whose
// state is of another format).
#pragma once

#include <string_view>

#include "ledger/base/crypto.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Checks `entry` (seq and recorded_at_ms set) against the machine's rules: a refusal with its
  // reason, or OK with the fields the machine computes filled (*changed then: re-serialize).
  // Changes no state.
  virtual Status Admit(v1::Entry& entry, bool* changed) = 0;
  // Applies an entry admitted (or read back from the log) to the open batch's state. An error is
  // a failed read: the batch cannot be written.
  virtual Status Record(const v1::Entry& entry, const Hash& leaf_hash) = 0;
  // The open batch's state changes into `writes`, which the log writes, synced, with the batch's
  // entries; a new batch opens.
  virtual void Seal(WriteSet& writes) = 0;
  // The oldest sealed batch is in the store.
  virtual void Durable() = 0;
  // Every batch not yet durable failed (a write failed), or only the open one is dropped (a
  // refused or checked group).
  virtual void AbandonAll() = 0;
  virtual void AbandonOpen() = 0;
  // The name and version of what the machine keeps in the store: the log rebuilds a state of
  // another format from the entries when it opens. Empty: the machine keeps nothing, and the log
  // leaves the state column and its marker as they are (a district's log opened without its
  // domain keeps its rows, and they are built up from the marker when the domain opens it again).
  virtual std::string_view format() const = 0;
};

}  // namespace mingzhang
