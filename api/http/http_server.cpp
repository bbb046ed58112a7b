#include "api/http/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <nlohmann/json.hpp>

#include "api/http/listener.h"
#include "api/http/server_context.h"
#include "api/http/shutdown.h"

namespace mingzhang::api {
namespace {

namespace net = boost::asio;

Status ValidateOptions(const ServerOptions& o) {
  const auto bad = [](const std::string& what) { return InvalidArgument("bad-server-options", what); };
  if (o.threads > kThreadsMax) return bad("threads must be at most " + std::to_string(kThreadsMax));
  if (o.header_bytes_max == 0 || o.header_bytes_max > UINT32_MAX) return bad("header_bytes_max is out of range");
  if (o.body_bytes_max == 0) return bad("body_bytes_max must be positive");
  if (o.connections_max == 0) return bad("connections_max must be positive");
  if (o.read_timeout_ms == 0 || o.write_timeout_ms == 0 || o.tls_handshake_timeout_ms == 0) {
    return bad("timeouts must be positive");
  }
  if (o.tls_certificate_chain_path.empty() != o.tls_private_key_path.empty()) {
    return bad("TLS needs both a certificate chain and a private key");
  }
  return OkStatus();
}

Result<std::unique_ptr<net::ssl::context>> LoadTls(const ServerOptions& o) {
  auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  boost::system::error_code ec;
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                   ec);
  if (!ec) tls->use_certificate_chain_file(o.tls_certificate_chain_path, ec);
  if (ec) return InvalidArgument("tls-config", "cannot use the certificate chain " + o.tls_certificate_chain_path + ": " + ec.message());
  // Also refuses a key that does not belong to the certificate.
  tls->use_private_key_file(o.tls_private_key_path, net::ssl::context::pem, ec);
  if (ec) return InvalidArgument("tls-config", "cannot use the private key " + o.tls_private_key_path + ": " + ec.message());
  return tls;
}

void RegisterMetrics(ServerContext& ctx) {
  Metrics& m = *ctx.metrics;
  for (const Route& route : ctx.router.routes()) {
    const auto method = http::to_string(route.method);
    ctx.route_stats.push_back(&m.Route(std::string_view(method.data(), method.size()), route.pattern));
  }
  ctx.unmatched_stats = &m.Route("*", "(unmatched)");
  ctx.open_connections = &m.GetGauge("mingzhang_http_open_connections", "Open HTTP connections.");
  ctx.refused_connections = &m.GetCounter("mingzhang_http_refused_connections_total",
                                          "Connections refused because connections_max were open.");
}

// Descriptors the process needs besides its connections: the store's files, the listener, stdio
// and refused sockets on their way out.
constexpr size_t kDescriptorsReserved = 256;

// Every connection holds a descriptor. Past RLIMIT_NOFILE accept() fails with EMFILE: clients
// wait in the backlog instead of hearing 503, and the store can no longer open its files. So the
// soft limit is raised to the hard one when the connections would not fit, and connections_max
// lowered to what the limit leaves if even that is short.
size_t FitConnectionsToDescriptors(size_t connections_max) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections_max;
  const rlim_t wanted = static_cast<rlim_t>(connections_max + kDescriptorsReserved);
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return connections_max;
  rlimit raised = limit;
  raised.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted) return connections_max;
  const size_t fit = static_cast<size_t>(limit.rlim_cur) > 2 * kDescriptorsReserved
                         ? static_cast<size_t>(limit.rlim_cur) - kDescriptorsReserved
                         : static_cast<size_t>(limit.rlim_cur) / 2;
  std::fprintf(stderr, "{\"warning\":\"connections_max lowered from %zu to %zu to fit RLIMIT_NOFILE %zu\"}\n",
               connections_max, fit, static_cast<size_t>(limit.rlim_cur));
  return std::max<size_t>(1, fit);
}

// An exception escaping a handler must not take an I/O thread (and its connections) with it.
void RunIo(net::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      const nlohmann::json line = {{"error", "io-thread-exception"}, {"what", e.what()}};
      const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
      std::fwrite(text.data(), 1, text.size(), stderr);
    } catch (...) {
      std::fputs("{\"error\":\"io-thread-exception\"}\n", stderr);
    }
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(std::shared_ptr<ServerContext> c, size_t t) : ctx(std::move(c)), ioc(static_cast<int>(t)), threads(t) {}
  ~Impl() {
    // Answers arriving from now on are dropped. Sessions still waiting for one (a drain that timed
    // out) are destroyed now, while the io_context their sockets and strands belong to exists.
    ctx->MarkStopped();
    ctx->connections.Abandon();
  }

  std::shared_ptr<ServerContext> ctx;  // before ioc: sessions destroyed with ioc still use it
  net::io_context ioc;
  size_t threads;
  std::shared_ptr<Listener> listener;
  std::unique_ptr<Shutdown> shutdown;
};

Result<std::unique_ptr<HttpServer>> HttpServer::Create(ServerOptions options, Router router,
                                                       std::shared_ptr<Metrics> metrics) {
  MZ_RETURN_IF_ERROR(ValidateOptions(options));
  options.connections_max = FitConnectionsToDescriptors(options.connections_max);
  if (!options.access_log) options.access_log = StderrAccessLog();
  const size_t threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  auto ctx = std::make_shared<ServerContext>(std::move(options), std::move(router),
                                             metrics ? std::move(metrics) : std::make_shared<Metrics>());
  ctx->body_bytes_max_any = ctx->router.BodyBytesMaxAny(ctx->options.body_bytes_max);
  RegisterMetrics(*ctx);
  if (!ctx->options.tls_certificate_chain_path.empty()) {
    MZ_ASSIGN_OR_RETURN(ctx->tls, LoadTls(ctx->options));
  }
  auto impl = std::make_unique<Impl>(ctx, threads);
  MZ_ASSIGN_OR_RETURN(impl->listener, Listener::Open(impl->ioc, ctx));
  impl->listener->Run();
  Shutdown::Hooks hooks{
      .stop_accepting = [listener = impl->listener] { listener->Stop(); },
      .drain = [ctx](std::function<void()> drained) { ctx->connections.BeginDrain(std::move(drained)); }};
  impl->shutdown = std::make_unique<Shutdown>(impl->ioc, std::chrono::milliseconds(ctx->options.drain_timeout_ms),
                                              ctx->options.handle_signals, std::move(hooks));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->listener->port(); }
Metrics& HttpServer::metrics() const { return *impl_->ctx->metrics; }

void HttpServer::Run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl_->threads; ++i) threads.emplace_back([this] { RunIo(impl_->ioc); });
  RunIo(impl_->ioc);
  for (std::thread& t : threads) t.join();
  impl_->ctx->MarkStopped();
}

void HttpServer::Stop() { impl_->shutdown->Begin(); }
void HttpServer::StopNow() { impl_->shutdown->Now(); }

}  // namespace mingzhang::api
