// Demo routes for the server tests, including handlers that answer later from another thread
// the way ledger appends do.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "api/http/router.h"
#include "api/http/test_client.h"

namespace mingzhang::api::testing {

inline constexpr auto kSlowAnswerDelay = std::chrono::milliseconds(200);
inline constexpr size_t kDemoBatchBodyBytesMax = 4 << 20;

// Threads that answer requests later. Joined before the server is destroyed: answering after
// that is outside the Responder's contract.
class Background {
 public:
  ~Background() { JoinAll(); }
  void Run(std::function<void()> work) {
    std::lock_guard lock(mu_);
    threads_.emplace_back(std::move(work));
  }
  void JoinAll() {
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      threads.swap(threads_);
    }
    for (std::thread& t : threads) t.join();
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
};

struct DemoState {
  void MarkSlow() {
    std::lock_guard lock(mu);
    ++slow_received;
    cv.notify_all();
  }
  bool WaitSlow(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(5), [&] { return slow_received >= n; });
  }
  // /hold answers only once Release() is called.
  void Release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  void WaitReleased() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released; });
  }

  std::mutex mu;
  std::condition_variable cv;
  int slow_received = 0;
  bool released = false;
  std::atomic<bool> async_answered_elsewhere{false};
};

inline Router DemoRouter(Background& bg, DemoState& st) {
  using http::verb;
  Router r;
  r.Add(verb::get, "/hello", [](Request&, Responder res) { res.Text(http::status::ok, "hello"); });
  r.Add(verb::get, "/items/{id}", [](Request& req, Responder res) {
    nlohmann::json body = {{"id", *req.Param("id")}, {"route", std::string(req.route)}};
    if (const std::string* q = req.Query("q")) body["q"] = *q;
    res.Json(http::status::ok, body);
  });
  r.Add(verb::get, "/items/special", [](Request&, Responder res) { res.Text(http::status::ok, "special"); });
  r.Add(verb::post, "/echo", [](Request& req, Responder res) { res.Text(http::status::ok, req.message.body()); });
  r.Add(verb::post, "/batch", [](Request& req, Responder res) {
    res.Text(http::status::ok, std::to_string(req.message.body().size()));
  }, {.body_bytes_max = kDemoBatchBodyBytesMax});
  r.Add(verb::get, "/async", [&bg, &st](Request&, Responder res) {
    bg.Run([res, &st, handler_thread = std::this_thread::get_id()] {
      st.async_answered_elsewhere = std::this_thread::get_id() != handler_thread;
      res.Text(http::status::ok, "async");
    });
  });
  r.Add(verb::get, "/slow", [&bg, &st](Request&, Responder res) {
    st.MarkSlow();
    bg.Run([res] {
      std::this_thread::sleep_for(kSlowAnswerDelay);
      res.Text(http::status::ok, "slow");
    });
  });
  r.Add(verb::get, "/hold", [&bg, &st](Request&, Responder res) {
    st.MarkSlow();
    bg.Run([res, &st] {
      st.WaitReleased();
      res.Text(http::status::ok, "held");
    });
  });
  r.Add(verb::get, "/throw", [](Request&, Responder) { throw std::runtime_error("boom"); });
  r.Add(verb::get, "/drop", [](Request&, Responder) {});
  r.Add(verb::get, "/refuse", [](Request&, Responder res) {
    res.Problem(FailedPrecondition("insufficient-funds", "FEES holds 120 fen"));
  });
  return r;
}

// A server with the demo routes. The destructor joins the answering threads first.
struct DemoServer {
  explicit DemoServer(ServerOptions options = TestOptions())
      : server(std::move(options), DemoRouter(*background, *state)) {}
  ~DemoServer() {
    state->Release();
    background->JoinAll();
  }
  uint16_t port() const { return server.port(); }

  std::shared_ptr<Background> background = std::make_shared<Background>();
  std::shared_ptr<DemoState> state = std::make_shared<DemoState>();
  TestServer server;
};

}  // namespace mingzhang::api::testing
