#include "api/http/connections.h"

#include <vector>

namespace mingzhang::api {

uint64_t ConnectionRegistry::TryReserve() {
  std::lock_guard lock(mu_);
  if (draining_ || open_.size() >= connections_max_) return 0;
  const uint64_t slot = next_slot_++;
  open_.emplace(slot, std::weak_ptr<Connection>());
  return slot;
}

void ConnectionRegistry::Attach(uint64_t slot, std::weak_ptr<Connection> connection) {
  bool drain;
  {
    std::lock_guard lock(mu_);
    open_[slot] = connection;
    drain = draining_;
  }
  // Outside the lock: Drain may run code that releases other slots.
  if (std::shared_ptr<Connection> c = connection.lock(); drain && c) c->Drain();
}

void ConnectionRegistry::Release(uint64_t slot) {
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    open_.erase(slot);
    if (draining_ && open_.empty() && on_drained_) {
      done = std::move(on_drained_);
      on_drained_ = nullptr;
    }
  }
  if (done) done();
}

void ConnectionRegistry::BeginDrain(std::function<void()> on_drained) {
  std::vector<std::weak_ptr<Connection>> open;
  std::function<void()> done;
  {
    std::lock_guard lock(mu_);
    if (draining_) return;
    draining_ = true;
    for (const auto& [slot, connection] : open_) open.push_back(connection);
    if (open_.empty()) done = std::move(on_drained);
    else on_drained_ = std::move(on_drained);
  }
  // A connection already in its destructor has expired; its Release ends the drain.
  for (const auto& weak : open) {
    if (std::shared_ptr<Connection> c = weak.lock()) c->Drain();
  }
  if (done) done();
}

void ConnectionRegistry::Abandon() {
  std::vector<std::weak_ptr<Connection>> open;
  {
    std::lock_guard lock(mu_);
    on_drained_ = nullptr;
    for (const auto& [slot, connection] : open_) open.push_back(connection);
  }
  for (const auto& weak : open) {
    if (std::shared_ptr<Connection> c = weak.lock()) c->Abandon();
  }
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return open_.size();
}

}  // namespace mingzhang::api
