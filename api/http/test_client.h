// Test helpers for the HTTP server: a server running on its own thread, and blocking Beast
// clients (plain and TLS) with receive timeouts so that a broken server fails a test instead of
// hanging it.
//
//   TestServer server(TestOptions(), DemoRouter());
//   Client client(server.port());
//   HttpResponse r = client.Get("/hello");
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/http/http_server.h"

namespace mingzhang::api::testing {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

inline constexpr int kClientReceiveTimeoutMs = 5'000;

// Loopback, an ephemeral port, two threads, no signal handling, the access log captured.
ServerOptions TestOptions();

class TestServer {
 public:
  // Creates the server (REQUIRE-ing success) and runs it on a thread.
  TestServer(ServerOptions options, Router router);
  // Stops at once if still running, and joins.
  ~TestServer();

  HttpServer& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  // True when Run() returned within `timeout`.
  bool WaitStopped(std::chrono::milliseconds timeout);
  std::vector<std::string> LogLines() const;

 private:
  std::shared_ptr<std::mutex> log_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::vector<std::string>> log_ = std::make_shared<std::vector<std::string>>();
  std::unique_ptr<HttpServer> server_;
  std::future<void> stopped_;
  std::thread thread_;
};

// A connection to 127.0.0.1:port; blocking, each read bounded by kClientReceiveTimeoutMs.
class Client {
 public:
  explicit Client(uint16_t port);

  HttpResponse Get(std::string_view target);
  HttpResponse Send(HttpRequest request);
  void Write(std::string_view raw);
  HttpResponse Read();
  // Reads until the server closes the connection; false if it stays open (receive timeout) or
  // sends something instead.
  bool ReadsEof();
  // Everything until the server closes the connection (or the receive timeout).
  std::string ReadAll();

  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_{ioc_};
  beast::flat_buffer buffer_;
};

class TlsClient {
 public:
  explicit TlsClient(uint16_t port);  // connects and handshakes, trusting any certificate
  HttpResponse Get(std::string_view target);

 private:
  net::io_context ioc_;
  net::ssl::context ctx_{net::ssl::context::tls_client};
  beast::ssl_stream<tcp::socket> stream_{ioc_, ctx_};
  beast::flat_buffer buffer_;
};

// Polls `condition` until it holds or 5 s pass. The server logs and counts a request once its
// response is written, which may be just after the client has read it.
bool Eventually(const std::function<bool()>& condition);

HttpRequest MakeRequest(http::verb method, std::string_view target, std::string body = "");

}  // namespace mingzhang::api::testing
