#include "api/http/shutdown.h"

#include <csignal>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace mingzhang::api {

namespace net = boost::asio;

Shutdown::Shutdown(net::io_context& ioc, std::chrono::milliseconds drain_timeout, bool handle_signals,
                   Hooks hooks)
    : ioc_(ioc), strand_(net::make_strand(ioc)), drain_timer_(strand_), drain_timeout_(drain_timeout),
      hooks_(std::move(hooks)) {
  if (handle_signals) {
    // Registered now, before Run: a signal between start-up and Run is not lost to the default
    // action (terminate), it begins the stop as soon as the server runs.
    signals_.emplace(strand_, SIGINT, SIGTERM);
    WaitForSignal();
  }
}

void Shutdown::Begin() { net::post(strand_, [this] { OnBegin(); }); }

void Shutdown::Now() { ioc_.stop(); }

void Shutdown::WaitForSignal() {
  signals_->async_wait(net::bind_executor(strand_, [this](boost::beast::error_code ec, int signal) {
    OnSignal(ec, signal);
  }));
}

void Shutdown::OnSignal(boost::beast::error_code ec, int) {
  if (ec) return;  // cancelled
  if (begun_) return Now();  // the operator insists
  OnBegin();
  WaitForSignal();
}

void Shutdown::OnBegin() {
  if (begun_) return;
  begun_ = true;
  hooks_.stop_accepting();
  drain_timer_.expires_after(drain_timeout_);
  drain_timer_.async_wait(net::bind_executor(strand_, [this](boost::beast::error_code ec) {
    if (!ec) Now();  // requests still in flight lose their answers
  }));
  // Stopping rather than waiting for run() to run out of work: refusals and timers still pending
  // would otherwise hold it for their own timeouts.
  hooks_.drain([&ioc = ioc_] { ioc.stop(); });
}

}  // namespace mingzhang::api
