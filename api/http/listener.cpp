#include "api/http/listener.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/http/session.h"

namespace mingzhang::api {
namespace {

constexpr uint32_t kRefusalTimeoutMs = 1'000;

std::string RemoteName(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const std::string address = peer.address().to_string();
  return (peer.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(peer.port());
}

// Answers 503 on a connection beyond connections_max, then closes it. Plain HTTP only: a TLS
// client cannot read a response before its handshake, which is what the limit protects.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  explicit Refusal(tcp::socket socket) : stream_(std::move(socket)) {
    response_ = ProblemResponse(MakeProblem(http::status::service_unavailable, "too-many-connections",
                                            "the server has too many open connections; retry later"));
    response_.set(http::field::retry_after, "1");
    response_.keep_alive(false);
    response_.prepare_payload();
  }

  void Run() {
    stream_.expires_after(std::chrono::milliseconds(kRefusalTimeoutMs));
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec) self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    });
  }

 private:
  beast::tcp_stream stream_;
  HttpResponse response_;
};

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerContext> ctx)
    : ioc_(ioc), ctx_(std::move(ctx)), strand_(net::make_strand(ioc)), acceptor_(strand_),
      retry_timer_(strand_) {}

Result<std::shared_ptr<Listener>> Listener::Open(net::io_context& ioc, std::shared_ptr<ServerContext> ctx) {
  auto listener = std::make_shared<Listener>(ioc, ctx);
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(ctx->options.address, ec);
  if (ec) return InvalidArgument("bad-server-options", "not an IP address: " + ctx->options.address);
  const tcp::endpoint endpoint(address, ctx->options.port);
  tcp::acceptor& acceptor = listener->acceptor_;
  const auto failed = [&](const char* what) {
    return Unavailable("listen-failed", std::string(what) + " " + ctx->options.address + ":" +
                                            std::to_string(ctx->options.port) + ": " + ec.message());
  };
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return failed("cannot open a socket for");
  // A restarted daemon can bind while connections of its predecessor sit in TIME_WAIT.
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("cannot set SO_REUSEADDR on");
  acceptor.bind(endpoint, ec);
  if (ec) return failed("cannot bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("cannot listen on");
  listener->port_ = acceptor.local_endpoint(ec).port();
  if (ec) return failed("cannot read the port of");
  return listener;
}

void Listener::Run() { net::dispatch(strand_, beast::bind_front_handler(&Listener::DoAccept, shared_from_this())); }

void Listener::Stop() {
  net::post(strand_, [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void Listener::DoAccept() {
  if (!acceptor_.is_open()) return;
  // A strand per connection: its handlers are serialized, different connections run in parallel.
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
}

void Listener::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (ec) {
    // EMFILE and the like pass when connections close; retrying at once would spin.
    retry_timer_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (const uint64_t slot = ctx_->connections.TryReserve(); slot != 0) {
    StartSession(std::move(socket), slot);
  } else {
    Refuse(std::move(socket));
  }
  DoAccept();
}

void Listener::StartSession(tcp::socket socket, uint64_t slot) {
  beast::error_code ec;
  // Responses go out in one write; waiting to coalesce them only adds latency.
  socket.set_option(tcp::no_delay(true), ec);
  std::string remote = RemoteName(socket);
  if (ctx_->tls) {
    std::make_shared<TlsSession>(ctx_, slot, std::move(socket), std::move(remote))->Start();
  } else {
    std::make_shared<PlainSession>(ctx_, slot, std::move(socket), std::move(remote))->Start();
  }
}

void Listener::Refuse(tcp::socket socket) {
  ctx_->refused_connections->Add();
  if (ctx_->tls) return;  // closed as it goes out of scope
  std::make_shared<Refusal>(std::move(socket))->Run();
}

}  // namespace mingzhang::api
