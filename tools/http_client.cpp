#include "tools/http_client.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mingzhang::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Status IoError(const std::string& what, const beast::error_code& ec) {
  return Unavailable("http-io", what + ": " + ec.message());
}

Code CodeForHttpStatus(unsigned status) {
  switch (status) {
    case 400: return Code::kInvalidArgument;
    case 401: return Code::kUnauthenticated;
    case 403: return Code::kPermissionDenied;
    case 404: return Code::kNotFound;
    case 409: return Code::kAlreadyExists;
    case 413:
    case 429: return Code::kResourceExhausted;
    case 422: return Code::kFailedPrecondition;
    case 503: return Code::kUnavailable;
    default: return status >= 500 ? Code::kInternal : Code::kInvalidArgument;
  }
}

bool Retryable(unsigned status) { return status == 429 || status == 503; }

}  // namespace

Result<ServerUrl> ServerUrl::Parse(std::string_view url) {
  constexpr std::string_view kHttp = "http://";
  if (url.rfind("https://", 0) == 0) {
    return InvalidArgument("usage", "only http:// servers are supported (put a TLS proxy in front, or use http)");
  }
  if (url.rfind(kHttp, 0) != 0) return InvalidArgument("usage", "the server URL must start with http://");
  std::string_view rest = url.substr(kHttp.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgument("usage", "the server URL may not carry a query or fragment");
  }
  ServerUrl out;
  out.port = "80";
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("usage", "unbalanced [ in the server URL");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("usage", "bad server URL " + std::string(url));
      port = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty() || authority.find('@') != std::string_view::npos) {
    return InvalidArgument("usage", "bad server URL " + std::string(url));
  }
  if (!port.empty() || authority.back() == ':') {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) > 65535) {
      return InvalidArgument("usage", "bad port in server URL " + std::string(url));
    }
    out.port = std::string(port);
  }
  out.base_path = std::string(path);
  bool v6 = out.host.find(':') != std::string::npos;
  out.authority = (v6 ? "[" + out.host + "]" : out.host) + ":" + out.port;
  out.text = "http://" + out.authority + out.base_path;
  return out;
}

struct HttpClient::Impl {
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::optional<tcp::resolver::results_type> endpoints;
  size_t served = 0;  // requests answered on the current connection

  void Close() {
    if (stream) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    }
    stream.reset();
    buffer.clear();
    served = 0;
  }

  Status Connect(const ServerUrl& server) {
    beast::error_code ec;
    if (!endpoints) {
      tcp::resolver resolver(ioc);
      auto results = resolver.resolve(server.host, server.port, ec);
      if (ec) return IoError("cannot resolve " + server.host, ec);
      endpoints = results;
    }
    stream.emplace(ioc);
    stream->expires_after(std::chrono::seconds(kHttpTimeoutSeconds));
    stream->connect(*endpoints, ec);
    if (ec) {
      stream.reset();
      return IoError("cannot connect to " + server.text, ec);
    }
    stream->socket().set_option(tcp::no_delay(true), ec);
    return OkStatus();
  }
};

HttpClient::HttpClient(ServerUrl server) : server_(std::move(server)), impl_(std::make_unique<Impl>()) {}

HttpClient::~HttpClient() { impl_->Close(); }

Result<HttpAnswer> HttpClient::Send(Method method, std::string_view target, std::string_view bearer,
                                    std::string_view body, std::string_view content_type) {
  const http::verb verb = method == Method::kGet ? http::verb::get : method == Method::kPut ? http::verb::put : http::verb::post;
  http::request<http::string_body> request{verb, server_.base_path + std::string(target), 11};
  request.set(http::field::host, server_.authority);
  request.set(http::field::user_agent, "mingzhang-cli");
  request.set(http::field::accept, "application/json, application/problem+json, text/plain");
  if (!bearer.empty()) request.set(http::field::authorization, "Bearer " + std::string(bearer));
  if (method != Method::kGet) {
    request.set(http::field::content_type, beast::string_view(content_type.data(), content_type.size()));
    request.body() = std::string(body);
  }
  request.keep_alive(true);
  request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    if (!impl_->stream) MZ_RETURN_IF_ERROR(impl_->Connect(server_));
    const bool reused = impl_->served > 0;
    beast::error_code ec;
    impl_->stream->expires_after(std::chrono::seconds(kHttpTimeoutSeconds));
    http::write(*impl_->stream, request, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(kHttpAnswerBytesMax);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      impl_->Close();
      // The server closes idle keep-alive connections: a reused connection that fails before any
      // byte of an answer was most likely closed while idle, so try once more on a fresh one.
      // (Writes carry idempotency keys, so even a request that did arrive is not written twice.)
      if (reused && attempt == 0 && (ec == http::error::end_of_stream || ec == net::error::eof ||
                                     ec == net::error::connection_reset || ec == net::error::broken_pipe)) {
        continue;
      }
      return IoError(server_.text + std::string(target), ec);
    }
    http::response<http::string_body> response = parser.release();
    ++impl_->served;
    HttpAnswer answer;
    answer.status = response.result_int();
    if (auto it = response.find(http::field::content_type); it != response.end()) {
      answer.content_type = std::string(it->value());
    }
    answer.body = std::move(response.body());
    if (!response.keep_alive()) impl_->Close();
    return answer;
  }
}

Result<HttpAnswer> HttpClient::SendRetrying(Method method, std::string_view target, std::string_view bearer,
                                            std::string_view body) {
  std::chrono::milliseconds backoff(50);
  for (int attempt = 0;; ++attempt) {
    Result<HttpAnswer> answer = Send(method, target, bearer, body);
    bool again = answer.ok() ? Retryable(answer->status) : answer.status().code() == Code::kUnavailable;
    if (!again || attempt >= kHttpRetriesMax) return answer;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

Status ProblemStatus(const HttpAnswer& answer) {
  std::string slug = "http-" + std::to_string(answer.status);
  std::string detail = "the server answered HTTP " + std::to_string(answer.status);
  nlohmann::json problem = nlohmann::json::parse(answer.body, nullptr, false);
  if (problem.is_object()) {
    if (problem.contains("type") && problem["type"].is_string()) slug = problem["type"].get<std::string>();
    if (problem.contains("detail") && problem["detail"].is_string()) detail = problem["detail"].get<std::string>();
  }
  return Status(CodeForHttpStatus(answer.status), slug, detail);
}

Result<nlohmann::json> CallJson(HttpClient& client, Method method, std::string_view target, std::string_view bearer,
                                const nlohmann::json* body, bool retry) {
  std::string text = body != nullptr ? body->dump() : std::string();
  Result<HttpAnswer> answer = retry ? client.SendRetrying(method, target, bearer, text)
                                    : client.Send(method, target, bearer, text);
  if (!answer.ok()) return answer.status();
  if (!answer->ok()) return ProblemStatus(*answer);
  nlohmann::json out = nlohmann::json::parse(answer->body, nullptr, false);
  if (out.is_discarded()) {
    return DataLoss("bad-answer", "the server's answer to " + std::string(target) + " is not JSON");
  }
  return out;
}

void ForEachParallel(const ServerUrl& server, size_t workers, size_t n,
                     const std::function<void(HttpClient& client, size_t index)>& job) {
  workers = std::max<size_t>(1, std::min(workers, n));
  std::atomic<size_t> next{0};
  auto work = [&] {
    HttpClient client(server);
    for (size_t i = next++; i < n; i = next++) job(client, i);
  };
  if (n == 0) return;
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace mingzhang::cli
