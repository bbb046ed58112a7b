// Listener: accepts connections and gives each a session (or a refusal). Internal to api/.
//
// Each accepted socket gets its own strand, so a connection's handlers never run concurrently
// while different connections use every I/O thread.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>

#include "api/http/server_context.h"
#include "ledger/base/status.h"

namespace mingzhang::api {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens on ctx->options.address and port. Errors: listen-failed.
  static Result<std::shared_ptr<Listener>> Open(boost::asio::io_context& ioc,
                                                std::shared_ptr<ServerContext> ctx);

  uint16_t port() const { return port_; }
  // Starts accepting; runs once the io_context runs.
  void Run();
  // Any thread: closes the listening socket; connections already accepted are not touched.
  void Stop();

  Listener(boost::asio::io_context& ioc, std::shared_ptr<ServerContext> ctx);

 private:
  void DoAccept();
  void OnAccept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);
  void StartSession(boost::asio::ip::tcp::socket socket, uint64_t slot);
  void Refuse(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  const std::shared_ptr<ServerContext> ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
};

}  // namespace mingzhang::api
