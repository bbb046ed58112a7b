// HttpServer: the HTTP/1.1 server of mingzhangd, over Beast (Boost 1.74), plain TCP or TLS.
//
//   Router router;
//   router.Add(http::verb::get, "/healthz", [](Request&, Responder res) {
//     res.Text(http::status::ok, "ok\n");
//   });
//   Result<std::unique_ptr<HttpServer>> server = HttpServer::Create({.port = 8080}, std::move(router));
//   if (!server.ok()) return Fail(server.status());
//   (*server)->Run();  // until SIGTERM/SIGINT or Stop(): drains, then returns
//
// Each connection answers one request at a time, in order: the next request (pipelined or not)
// is read only after the previous response is written. Requests are bounded in header bytes,
// body bytes (per route) and reading time; a request over a size limit is answered 431/413 and
// the connection closed. A body is judged on its header before it is read (or 100 Continue
// sent): one no route would take (404, 405, a GET's 413), one of a write without a good token
// (401) or in a transfer coding other than chunked alone (501) is refused unread, and the
// connection closed. A chunked body's trailer fields never reach a handler. Errors are
// application/problem+json (problem.h).
//
// Stopping: the first SIGTERM/SIGINT (or Stop()) closes the listening socket, answers the
// requests in flight (with Connection: close), closes idle connections, and stops once all are
// closed or after drain_timeout_ms; a second signal (or StopNow()) stops at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "api/http/access_log.h"
#include "api/http/metrics.h"
#include "api/http/router.h"
#include "ledger/base/status.h"

namespace mingzhang::api {

inline constexpr size_t kHeaderBytesMax = 16 * 1024;
inline constexpr size_t kBodyBytesMax = 1 << 20;
// For bulk routes (payments:batch, up to 5,000 payments of a few hundred bytes each).
inline constexpr size_t kBatchBodyBytesMax = 16 << 20;
inline constexpr uint32_t kReadTimeoutMs = 30'000;   // a whole request: header and body
inline constexpr uint32_t kReadTimeoutMsMax = 600'000;  // mingzhangd --read-timeout-ms
inline constexpr uint32_t kWriteTimeoutMs = 30'000;  // a whole response
inline constexpr uint32_t kTlsHandshakeTimeoutMs = 10'000;
// After a response that closes the connection, how long the client's unread bytes are drained so
// that closing the socket does not reset it (and destroy the response) before the client read it.
inline constexpr uint32_t kLingerTimeoutMs = 2'000;
inline constexpr uint32_t kDrainTimeoutMs = 10'000;
inline constexpr uint32_t kAcceptRetryMs = 100;  // after an accept error such as EMFILE
inline constexpr size_t kConnectionsMax = 1024;
inline constexpr size_t kThreadsMax = 256;
static_assert(kBodyBytesMax <= kBatchBodyBytesMax);
static_assert(kLingerTimeoutMs < kDrainTimeoutMs, "a drain must outlast the lingering closes it waits for");

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: an ephemeral port, see HttpServer::port()
  size_t threads = 0;    // threads running the I/O; 0: one per hardware thread

  // Both set: HTTPS only (TLS 1.2 or later). Both empty: plain HTTP.
  std::string tls_certificate_chain_path;  // PEM, the leaf first
  std::string tls_private_key_path;        // PEM

  size_t header_bytes_max = kHeaderBytesMax;
  size_t body_bytes_max = kBodyBytesMax;  // routes may raise it: RouteOptions::body_bytes_max
  uint32_t read_timeout_ms = kReadTimeoutMs;
  uint32_t write_timeout_ms = kWriteTimeoutMs;
  uint32_t tls_handshake_timeout_ms = kTlsHandshakeTimeoutMs;
  uint32_t linger_timeout_ms = kLingerTimeoutMs;
  uint32_t drain_timeout_ms = kDrainTimeoutMs;
  // Beyond it a new connection gets 503 "too-many-connections" (plain) or is closed (TLS).
  size_t connections_max = kConnectionsMax;

  bool handle_signals = true;  // SIGTERM and SIGINT; off in tests and when embedding
  AccessLogSink access_log;    // empty: StderrAccessLog()
};

class HttpServer {
 public:
  // Validates the options, loads the TLS files and binds the listening socket, so that port() is
  // known and bind errors surface here; serving begins with Run(). `metrics` may be shared with a
  // /metrics route; empty: the server makes its own.
  // Errors: bad-server-options, tls-config, listen-failed.
  static Result<std::unique_ptr<HttpServer>> Create(ServerOptions options, Router router,
                                                    std::shared_ptr<Metrics> metrics = nullptr);
  // REQUIRES: Run() has returned or was never called. Responders may outlive the server (e.g. in
  // the Ledger's append queue): their answers are dropped.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;  // the bound port, also when options.port was 0
  Metrics& metrics() const;

  // Serves on options.threads threads (the caller's included) until stopped. Call once.
  void Run();
  // Any thread, also before Run: the graceful stop of the first signal. Idempotent.
  void Stop();
  // Any thread: stop at once; responses in flight are lost.
  void StopNow();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mingzhang::api
