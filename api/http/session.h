// Session: one HTTP/1.1 connection, plain or TLS. Internal to api/.
//
// The loop, after Beast's async server examples (Boost 1.74): [handshake] -> read header ->
// read body -> dispatch -> (handler answers, maybe later, maybe from another thread) -> write
// -> read header ... Everything runs on the connection's strand; a Responder posts back to it.
// Only one request is between read and written at a time, which keeps pipelined responses in
// order. See session.cpp for how each failure ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/http/connections.h"
#include "api/http/request.h"
#include "api/http/router.h"
#include "api/http/server_context.h"

namespace mingzhang::api {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

template <class Stream>
class Session final : public Connection, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<ServerContext> ctx, uint64_t slot, tcp::socket socket, std::string remote);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start();
  void Drain() override;
  void Abandon() override;

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { kStarting, kReadingHeader, kReadingBody, kHandling, kWriting, kClosing };

  void OnStart();
  void OnHandshake(beast::error_code ec);
  void DoRead();
  void OnReadHeader(beast::error_code ec, size_t bytes);
  void CheckHeader();
  void ReadBodyIfTaken();
  void ReadBody();
  void OnContinueWritten(beast::error_code ec, size_t bytes);
  void OnReadBody(beast::error_code ec, size_t bytes);
  void OnReadError(beast::error_code ec);
  void Dispatch();
  Responder::Deliver MakeDeliver();
  HttpResponse RefusalResponse(const Problem& problem) const;  // with Allow for a 405
  void Fail(const Problem& problem);
  void Deliver(HttpResponse response);
  void OnWrite(beast::error_code ec, size_t bytes);
  void Record(unsigned status, uint64_t body_bytes);
  void OnDrain();
  void Close();
  void DoLinger();
  void OnLinger(beast::error_code ec, size_t bytes);

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  const std::shared_ptr<ServerContext> ctx_;
  const uint64_t slot_;
  Stream stream_;
  const typename Stream::executor_type executor_;  // the strand; copied once for other threads
  const std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::empty_body> continue_{http::status::continue_, 11};
  RouteMatch match_;
  http::verb method_ = http::verb::unknown;  // of the request being read; for the access log
  std::string query_;                  // the raw query of the request being read
  std::optional<Problem> refusal_;     // decided from the header, answered after the body
  // A chunked request's header section as read. Beast's parser adds the fields of the trailer to
  // the same container; RFC 9110 §6.5.1 keeps them out of it, so the handler gets this back.
  std::optional<http::request_header<>> header_;
  Request request_;
  std::optional<HttpResponse> response_;
  Phase phase_ = Phase::kStarting;
  bool draining_ = false;
  bool close_after_ = false;           // set by Fail: the rest of the input is not HTTP we can read
  std::chrono::steady_clock::time_point started_;
  // Keeps the session alive while a handler holds its Responder: no I/O is pending then, and a
  // Responder refers to the session only weakly so that it can never outlive the io_context.
  std::shared_ptr<Session> pending_self_;
};

using PlainSession = Session<beast::tcp_stream>;
using TlsSession = Session<beast::ssl_stream<beast::tcp_stream>>;
extern template class Session<beast::tcp_stream>;
extern template class Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace mingzhang::api
