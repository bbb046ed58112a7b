// The harness of the API tests: the real mingzhangd binary in a child process on a temporary
// data directory, and a small blocking Beast HTTP client that never throws and never uses Catch
// (so client threads may use it freely).
//
//   Daemon d;                 // fresh temp data dir
//   d.Start();                // free port, waits for GET /healthz, reads DATA/admin.token
//   HttpClient c(d.port());
//   Reply r = c.Post("/v1/firms", d.admin_token(), R"({"idempotency_key":"1","firm_id":"F","name":"F"})");
//   int exit_code = d.Terminate();  // SIGTERM, waits for the exit
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

#ifndef MINGZHANGD
#error "MINGZHANGD (path of the mingzhangd binary) must be defined"
#endif
#ifndef MINGZHANG_CLI
#error "MINGZHANG_CLI (path of the mingzhang binary) must be defined"
#endif

extern char** environ;

namespace mingzhang::apitest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

inline constexpr int kClientTimeoutMs = 10'000;

// One HTTP response, or why there is none (status 0).
struct Reply {
  int status = 0;
  std::string error;  // transport failure, when status == 0
  std::string body;
  std::string content_type;
  bool keep_alive = false;
  http::fields headers;

  bool ok() const { return status != 0; }
  // The body as JSON; a null json when it does not parse (a test then fails on its contents).
  json Json() const {
    json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    return j.is_discarded() ? json() : j;
  }
  std::string Header(http::field f) const {
    auto it = headers.find(f);
    return it == headers.end() ? std::string() : std::string(it->value());
  }
  // What a failed test prints about this reply.
  std::string Describe() const {
    if (!ok()) return "transport error: " + error;
    return std::to_string(status) + " " + content_type + " " + body.substr(0, 600);
  }
};

// A keep-alive HTTP/1.1 connection to 127.0.0.1:port, reconnected when the server closed it.
// Blocking, each socket read and write bounded by a timeout.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port, int timeout_ms = kClientTimeoutMs) : port_(port), timeout_ms_(timeout_ms) {}
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Reply Send(http::verb method, std::string_view target, std::string body = "", std::string_view token = "",
             std::string_view content_type = "application/json",
             const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
    http::request<http::string_body> req{method, beast::string_view(target.data(), target.size()), 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + std::string(token));
    for (const auto& [name, value] : extra_headers) req.set(name, value);
    if (method == http::verb::post || !body.empty()) {
      if (!content_type.empty()) req.set(http::field::content_type, std::string(content_type));
      req.body() = std::move(body);
      req.prepare_payload();
    }
    std::string error;
    if (!Connect(error)) return Failure(error);
    beast::error_code ec;
    http::write(*socket_, req, ec);
    // A server refusing early (413) may close while we still write; its answer may still be readable.
    if (ec && ec != net::error::broken_pipe && ec != net::error::connection_reset) return Failure(ec.message());
    return ReadReply();
  }

  Reply Get(std::string_view target, std::string_view token = "") { return Send(http::verb::get, target, "", token); }
  Reply Post(std::string_view target, std::string_view token, std::string body,
             std::string_view content_type = "application/json") {
    return Send(http::verb::post, target, std::move(body), token, content_type);
  }

  // Writes `bytes` as they are and reads one response.
  Reply Raw(std::string_view bytes) {
    std::string error = Write(bytes);
    if (!error.empty()) return Failure(error);
    return ReadReply();
  }

  // Writes `bytes` as they are and reads nothing (a slow or pipelining client); the error, or "".
  std::string Write(std::string_view bytes) {
    std::string error;
    if (!Connect(error)) return error;
    beast::error_code ec;
    net::write(*socket_, net::buffer(bytes.data(), bytes.size()), ec);
    if (ec && ec != net::error::broken_pipe && ec != net::error::connection_reset) return ec.message();
    return "";
  }
  // Reads the next response on the open connection: one that was pipelined, or after Write.
  Reply Read() { return socket_ ? ReadReply() : Failure("not connected"); }
  // True when the server closes the connection (end of stream or reset) within `timeout_ms`
  // without sending another byte.
  bool ClosedByServer(int timeout_ms) {
    if (!socket_) return true;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte = 0;
    const ssize_t n = ::recv(socket_->native_handle(), &byte, 1, 0);
    const bool closed = n == 0 || (n < 0 && errno == ECONNRESET);
    Close();
    return closed;
  }

  void Close() {
    if (socket_) {
      beast::error_code ec;
      socket_->shutdown(tcp::socket::shutdown_both, ec);
      socket_->close(ec);
    }
    socket_.reset();
    buffer_.clear();
  }

 private:
  bool Connect(std::string& error) {
    if (socket_) return true;
    socket_.emplace(ioc_);
    beast::error_code ec;
    socket_->connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    if (ec) {
      error = "connect: " + ec.message();
      socket_.reset();
      return false;
    }
    timeval tv{};
    tv.tv_sec = timeout_ms_ / 1000;
    tv.tv_usec = (timeout_ms_ % 1000) * 1000;
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket_->native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    buffer_.clear();
    return true;
  }

  Reply ReadReply() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    beast::error_code ec;
    http::read(*socket_, buffer_, parser, ec);
    if (ec) return Failure("read: " + ec.message());
    http::response<http::string_body> res = parser.release();
    Reply r;
    r.status = static_cast<int>(res.result_int());
    r.body = std::move(res.body());
    r.content_type = std::string(res[http::field::content_type]);
    r.keep_alive = res.keep_alive();
    for (const auto& f : res.base()) r.headers.insert(f.name_string(), f.value());
    if (!r.keep_alive) Close();
    return r;
  }

  Reply Failure(std::string error) {
    Close();
    Reply r;
    r.error = std::move(error);
    return r;
  }

  uint16_t port_;
  int timeout_ms_;
  net::io_context ioc_;
  std::optional<tcp::socket> socket_;
  beast::flat_buffer buffer_;
};

// A port nobody listens on right now: bind port 0, read it, release it. Another process may
// take it before the daemon does; Daemon::Start retries with a new one then.
inline uint16_t FreePort() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `argv` with stdout and stderr appended to `log_path`; returns the child's pid or -1.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// waitpid with a deadline. Returns the exit code, 128 + signal when killed by one, or nullopt
// when the child is still running at the deadline.
inline std::optional<int> WaitExit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (r < 0) return -1;
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Runs a command to its end (at most `timeout`); returns its exit code and output.
inline std::pair<int, std::string> RunCommand(const std::vector<std::string>& argv, const std::string& log_path,
                                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  std::filesystem::remove(log_path);
  pid_t pid = Spawn(argv, log_path);
  if (pid < 0) return {-1, "spawn failed"};
  std::optional<int> code = WaitExit(pid, timeout);
  if (!code) {
    ::kill(pid, SIGKILL);
    WaitExit(pid, std::chrono::seconds(5));
    return {-1, "timed out\n" + ReadFile(log_path)};
  }
  return {*code, ReadFile(log_path)};
}

// mingzhangd in a child process. The data directory is a fresh temporary one (removed at the
// end) unless one is given, e.g. to restart on the data of an earlier daemon.
class Daemon {
 public:
  Daemon() : owned_(std::make_unique<testing::TempDir>()), root_(owned_->path()), data_dir_(root_ + "/data") {}
  explicit Daemon(std::string data_dir)
      : root_(std::filesystem::path(data_dir).parent_path().string()), data_dir_(std::move(data_dir)) {}
  // Its output in `log_dir`, e.g. off a file system the test fills.
  Daemon(std::string data_dir, std::string log_dir) : root_(std::move(log_dir)), data_dir_(std::move(data_dir)) {}
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, std::chrono::seconds(5));
    }
  }

  // Starts the daemon on a free port and waits until GET /healthz answers 200; then reads the
  // admin token. REQUIREs success (retrying a few ports when one was taken meanwhile).
  // `extra_flags` follow the data dir, port and threads, e.g. {"--read-timeout-ms", "1000"}.
  void Start(const std::vector<std::string>& extra_flags = {}) {
    REQUIRE(pid_ < 0);
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = FreePort();
      log_path_ = root_ + "/mingzhangd-" + std::to_string(++starts_) + ".log";
      std::vector<std::string> argv = {MINGZHANGD, "--data-dir", data_dir_, "--listen",
                                       "127.0.0.1:" + std::to_string(port_), "--threads", "4"};
      argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
      pid_ = Spawn(argv, log_path_);
      REQUIRE(pid_ > 0);
      if (WaitHealthy()) {
        admin_token_ = ReadFile(data_dir_ + "/admin.token");
        while (!admin_token_.empty() && (admin_token_.back() == '\n' || admin_token_.back() == '\r')) {
          admin_token_.pop_back();
        }
        REQUIRE(admin_token_.rfind("mz_", 0) == 0);
        return;
      }
      if (pid_ > 0) {  // up but not healthy: give up on it
        ::kill(pid_, SIGKILL);
        WaitExit(pid_, std::chrono::seconds(5));
        pid_ = -1;
      }
      UNSCOPED_INFO("mingzhangd did not come up (attempt " << attempt << "): " << ReadFile(log_path_));
    }
    FAIL("mingzhangd did not start");
  }

  // Like Start, but a daemon whose /healthz answers 503 (its scrub found the log damaged: it
  // serves reads and refuses writes) has started too.
  void StartAnswering(const std::vector<std::string>& extra_flags = {}) {
    healthy_only_ = false;
    Start(extra_flags);
    healthy_only_ = true;
  }

  // Sends `signal` and waits for the exit; returns the exit code (128 + signal if killed by one)
  // or -1 if it had not exited within `timeout` (it is then killed).
  int Terminate(int signal = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    if (pid_ < 0) return -1;
    ::kill(pid_, signal);
    return WaitExited(timeout);
  }
  void Signal(int signal) const {
    if (pid_ > 0) ::kill(pid_, signal);
  }
  // Waits for an exit already under way (no signal sent); like Terminate otherwise.
  int WaitExited(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    if (pid_ < 0) return -1;
    std::optional<int> code = WaitExit(pid_, timeout);
    if (!code) {
      ::kill(pid_, SIGKILL);
      WaitExit(pid_, std::chrono::seconds(5));
      code = -1;
    }
    pid_ = -1;
    return *code;
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }
  const std::string& admin_token() const { return admin_token_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& root() const { return root_; }
  std::string log() const { return ReadFile(log_path_); }

 private:
  bool WaitHealthy() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (WaitExit(pid_, std::chrono::milliseconds(0))) {  // exited (e.g. the port was taken)
        pid_ = -1;
        return false;
      }
      HttpClient probe(port_, 1'000);
      Reply r = probe.Get("/healthz");
      if (r.status == 200 || (!healthy_only_ && r.status == 503)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  std::unique_ptr<testing::TempDir> owned_;
  std::string root_;
  std::string data_dir_;
  std::string log_path_;
  std::string admin_token_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
  bool healthy_only_ = true;  // Start waits for /healthz 200; StartAnswering takes 503 too
};

// The tree size of the current checkpoint (its second line); 2^64-1 when it cannot be read.
inline uint64_t TreeSize(HttpClient& client) {
  Reply r = client.Get("/v1/checkpoint");
  if (r.status != 200) return ~uint64_t{0};
  size_t first = r.body.find('\n');
  size_t second = r.body.find('\n', first + 1);
  if (first == std::string::npos || second == std::string::npos) return ~uint64_t{0};
  return std::stoull(r.body.substr(first + 1, second - first - 1));
}

// POST /v1/tokens as admin; REQUIREs 201 and returns the token.
inline std::string IssueToken(HttpClient& client, const std::string& admin, const std::string& role,
                              const std::string& principal, const std::vector<std::string>& communities = {},
                              const std::vector<std::string>& units = {}) {
  json body{{"role", role}, {"principal_id", principal}};
  if (!communities.empty()) body["communities"] = communities;
  if (!units.empty()) body["units"] = units;
  Reply r = client.Post("/v1/tokens", admin, body.dump());
  INFO(r.Describe());
  REQUIRE(r.status == 201);
  json j = r.Json();
  REQUIRE(j["token"].is_string());
  return j["token"].get<std::string>();
}

}  // namespace mingzhang::apitest
