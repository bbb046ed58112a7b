// A small blocking HTTP/1.1 client for the mingzhang CLI (Boost.Beast, plain http:// only).
//
// One HttpClient is one keep-alive connection, opened on first use and reopened when the server
// closed it. It is not thread-safe: ForEachParallel gives each worker thread its own.
//
//   MZ_ASSIGN_OR_RETURN(ServerUrl server, ServerUrl::Parse("http://127.0.0.1:8080"));
//   HttpClient client(server);
//   Result<HttpAnswer> a = client.Send(Method::kGet, "/v1/checkpoint");
//   Result<nlohmann::json> keys = CallJson(client, Method::kGet, "/v1/keys");
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"

namespace mingzhang::cli {

inline constexpr int kHttpTimeoutSeconds = 60;               // connect, and each whole request
inline constexpr size_t kHttpAnswerBytesMax = 256u << 20;    // a response body beyond this is refused
inline constexpr int kHttpRetriesMax = 6;                    // SendRetrying: busy/unavailable/IO

struct ServerUrl {
  std::string host;       // without brackets for IPv6
  std::string port;       // "80" by default
  std::string base_path;  // "" or "/prefix" (no trailing slash), put before every target
  std::string authority;  // "host:port" ("[v6]:port"), the Host header
  std::string text;       // "http://host:port/prefix" as normalized

  // Accepts http://host[:port][/prefix]. https:// is refused (plain HTTP only).
  static Result<ServerUrl> Parse(std::string_view url);
};

enum class Method { kGet, kPost, kPut };

struct HttpAnswer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  bool ok() const { return status >= 200 && status < 300; }
};

class HttpClient {
 public:
  explicit HttpClient(ServerUrl server);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const ServerUrl& server() const { return server_; }

  // One request and its answer, whatever its status. `target` starts with '/'. `bearer` empty:
  // no Authorization header. Connection and I/O failures: Unavailable "http-io". A failure on a
  // reused connection (the server may have closed it while idle) is retried once on a new one.
  Result<HttpAnswer> Send(Method method, std::string_view target, std::string_view bearer = {},
                          std::string_view body = {}, std::string_view content_type = "application/json");

  // As Send, but retries (with backoff) answers 429 and 503 and I/O failures, up to
  // kHttpRetriesMax times. Only for requests that are safe to repeat (reads, idempotent writes).
  Result<HttpAnswer> SendRetrying(Method method, std::string_view target, std::string_view bearer = {},
                                  std::string_view body = {});

 private:
  struct Impl;
  ServerUrl server_;
  std::unique_ptr<Impl> impl_;
};

// The Status an error answer stands for: slug = the problem's `type`, message = its `detail`
// (or the status line when the body is no problem+json); the code follows the HTTP status.
Status ProblemStatus(const HttpAnswer& answer);

// Sends (retrying when `retry`) and parses a 2xx JSON answer; anything else becomes ProblemStatus.
Result<nlohmann::json> CallJson(HttpClient& client, Method method, std::string_view target,
                                std::string_view bearer = {}, const nlohmann::json* body = nullptr,
                                bool retry = true);

// Runs job(client, i) for every i in [0, n) on `workers` threads, each with its own keep-alive
// connection to `server`. Indices are handed out in increasing order. Returns when all are done.
void ForEachParallel(const ServerUrl& server, size_t workers, size_t n,
                     const std::function<void(HttpClient& client, size_t index)>& job);

}  // namespace mingzhang::cli
