// ConnectionRegistry: the open connections of a server, for two jobs: refusing connections
// beyond connections_max, and draining every connection on a graceful stop.
//
//   uint64_t slot = registry.TryReserve();   // on accept; 0: refuse the connection
//   registry.Attach(slot, session);          // once the session exists
//   registry.Release(slot);                  // in the session's destructor
//   registry.BeginDrain([&] { ioc.stop(); }); // on stop: every session's Drain() is called
//   registry.Abandon();                       // on destruction: every session's Abandon()
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace mingzhang::api {

class Connection {
 public:
  virtual ~Connection() = default;
  // Any thread. Finish the request in flight (answering it with Connection: close), then close;
  // close at once if no request is in flight.
  virtual void Drain() = 0;
  // Called by the destroying server with its I/O threads stopped: drop every reference the
  // connection holds to itself, so it goes now, while its io_context still exists.
  virtual void Abandon() = 0;
};

class ConnectionRegistry {
 public:
  explicit ConnectionRegistry(size_t connections_max) : connections_max_(connections_max) {}

  // A slot for a new connection; 0 when connections_max are open or the server drains.
  uint64_t TryReserve();
  // Names the connection in a reserved slot; drains it at once when draining has begun.
  void Attach(uint64_t slot, std::weak_ptr<Connection> connection);
  // Frees a slot; the last release while draining runs the on_drained callback.
  void Release(uint64_t slot);
  // Refuses new slots and drains every open connection. `on_drained` runs exactly once, on the
  // thread that frees the last slot (or on this one when none is open). Later calls do nothing.
  void BeginDrain(std::function<void()> on_drained);
  // The server is being destroyed: forgets the on_drained callback (what it would touch is going
  // away) and abandons every open connection.
  void Abandon();
  size_t size() const;

 private:
  mutable std::mutex mu_;
  const size_t connections_max_;
  uint64_t next_slot_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> open_;
  bool draining_ = false;
  std::function<void()> on_drained_;
};

}  // namespace mingzhang::api
