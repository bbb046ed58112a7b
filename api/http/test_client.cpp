#include "api/http/test_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <catch2/catch.hpp>

namespace mingzhang::api::testing {
namespace {

void SetReceiveTimeout(tcp::socket& socket) {
  timeval tv{};
  tv.tv_sec = kClientReceiveTimeoutMs / 1000;
  tv.tv_usec = (kClientReceiveTimeoutMs % 1000) * 1000;
  REQUIRE(::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
}

tcp::endpoint Loopback(uint16_t port) { return {net::ip::make_address("127.0.0.1"), port}; }

}  // namespace

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.handle_signals = false;
  return options;
}

TestServer::TestServer(ServerOptions options, Router router) {
  options.access_log = [mu = log_mu_, log = log_](std::string_view line) {
    std::lock_guard lock(*mu);
    log->emplace_back(line);
  };
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Create(std::move(options), std::move(router));
  REQUIRE(server.ok());
  server_ = std::move(server).value();
  std::packaged_task<void()> run([s = server_.get()] { s->Run(); });
  stopped_ = run.get_future();
  thread_ = std::thread(std::move(run));
}

TestServer::~TestServer() {
  server_->StopNow();
  thread_.join();
}

bool TestServer::WaitStopped(std::chrono::milliseconds timeout) {
  return stopped_.wait_for(timeout) == std::future_status::ready;
}

std::vector<std::string> TestServer::LogLines() const {
  std::lock_guard lock(*log_mu_);
  return *log_;
}

Client::Client(uint16_t port) {
  socket_.connect(Loopback(port));
  SetReceiveTimeout(socket_);
}

HttpResponse Client::Get(std::string_view target) { return Send(MakeRequest(http::verb::get, target)); }

HttpResponse Client::Send(HttpRequest request) {
  http::write(socket_, request);
  return Read();
}

void Client::Write(std::string_view raw) { net::write(socket_, net::buffer(raw.data(), raw.size())); }

HttpResponse Client::Read() {
  HttpResponse response;
  http::read(socket_, buffer_, response);
  return response;
}

bool Client::ReadsEof() {
  char byte;
  beast::error_code ec;
  const size_t n = socket_.read_some(net::buffer(&byte, 1), ec);
  return n == 0 && (ec == net::error::eof || ec == net::error::connection_reset);
}

std::string Client::ReadAll() {
  std::string all(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.clear();
  char chunk[4096];
  beast::error_code ec;
  while (!ec) all.append(chunk, socket_.read_some(net::buffer(chunk), ec));
  return all;
}

TlsClient::TlsClient(uint16_t port) {
  ctx_.set_verify_mode(net::ssl::verify_none);
  stream_.next_layer().connect(Loopback(port));
  SetReceiveTimeout(stream_.next_layer());
  stream_.handshake(net::ssl::stream_base::client);
}

HttpResponse TlsClient::Get(std::string_view target) {
  HttpRequest request = MakeRequest(http::verb::get, target);
  http::write(stream_, request);
  HttpResponse response;
  http::read(stream_, buffer_, response);
  return response;
}

bool Eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

HttpRequest MakeRequest(http::verb method, std::string_view target, std::string body) {
  HttpRequest request{method, beast::string_view(target.data(), target.size()), 11};
  request.set(http::field::host, "127.0.0.1");
  if (!body.empty() || method == http::verb::post) {
    request.body() = std::move(body);
    request.prepare_payload();
  }
  return request;
}

}  // namespace mingzhang::api::testing
