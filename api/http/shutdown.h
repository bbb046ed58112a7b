// Shutdown: the two-stage stop of a server's io_context. Internal to api/.
//
// ioc.stop() on the first signal would drop the responses in flight (an append that became
// durable but was never acknowledged). So the first SIGTERM/SIGINT, or Begin(), stops accepting
// and drains: requests in flight are answered, then the io_context stops, at the latest after
// drain_timeout. A second signal, or Now(), stops at once.
//
//   Shutdown shutdown(ioc, 10s, /*handle_signals=*/true,
//                     {.stop_accepting = [&] { listener->Stop(); },
//                      .drain = [&](auto drained) { registry.BeginDrain(drained); }});
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

namespace mingzhang::api {

class Shutdown {
 public:
  struct Hooks {
    std::function<void()> stop_accepting;
    // Drains every connection and calls its argument, from any thread, once none is left.
    std::function<void(std::function<void()>)> drain;
  };

  // REQUIRES: outlives every run of `ioc` (its handlers refer to this object).
  Shutdown(boost::asio::io_context& ioc, std::chrono::milliseconds drain_timeout,
           bool handle_signals, Hooks hooks);

  void Begin();  // any thread; later calls do nothing
  void Now();    // any thread

 private:
  void WaitForSignal();
  void OnSignal(boost::beast::error_code ec, int signal);
  void OnBegin();

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::optional<boost::asio::signal_set> signals_;
  boost::asio::steady_timer drain_timer_;
  const std::chrono::milliseconds drain_timeout_;
  const Hooks hooks_;
  bool begun_ = false;  // on strand_
};

}  // namespace mingzhang::api
