#include "api/http/session.h"

#include <string_view>
#include <type_traits>

namespace mingzhang::api {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kServerName = "mingzhang";
constexpr size_t kLingerChunkBytes = 4096;

std::chrono::milliseconds Ms(uint32_t ms) { return std::chrono::milliseconds(ms); }
std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

template <class Stream>
Stream MakeStream(tcp::socket socket, ServerContext& ctx) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    return Stream(std::move(socket));
  } else {
    return Stream(std::move(socket), *ctx.tls);
  }
}

// Input that is not HTTP/1.1 (as opposed to a peer that went away): worth a 400 before closing.
bool IsSyntaxError(beast::error_code ec) {
  if (ec.category() != http::make_error_code(http::error::bad_method).category()) return false;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::bad_line_ending:
    case http::error::bad_method:
    case http::error::bad_target:
    case http::error::bad_version:
    case http::error::bad_field:
    case http::error::bad_value:
    case http::error::bad_content_length:
    case http::error::bad_transfer_encoding:
    case http::error::bad_chunk:
    case http::error::bad_chunk_extension:
    case http::error::bad_obs_fold:
      return true;
    default:
      return false;
  }
}

// True when the request's transfer codings, over all its Transfer-Encoding fields, are chunked
// alone: the one coding implemented here (coding names are case-insensitive, RFC 9112 §7).
bool ChunkedAlone(const http::fields& header) {
  size_t codings = 0;
  bool chunked = false;
  for (auto [it, end] = header.equal_range(http::field::transfer_encoding); it != end; ++it) {
    for (const auto& coding : http::token_list(it->value())) {
      ++codings;
      chunked = beast::iequals(coding, "chunked");
    }
  }
  return codings == 1 && chunked;
}

}  // namespace

template <class Stream>
Session<Stream>::Session(std::shared_ptr<ServerContext> ctx, uint64_t slot, tcp::socket socket,
                         std::string remote)
    : ctx_(std::move(ctx)),
      slot_(slot),
      stream_(MakeStream<Stream>(std::move(socket), *ctx_)),
      executor_(stream_.get_executor()),
      remote_(std::move(remote)) {
  ctx_->open_connections->Add(1);
}

template <class Stream>
Session<Stream>::~Session() {
  ctx_->open_connections->Add(-1);
  ctx_->connections.Release(slot_);
}

template <class Stream>
void Session<Stream>::Start() {
  auto self = this->shared_from_this();
  net::dispatch(executor_, beast::bind_front_handler(&Session::OnStart, self));
  // After the dispatch: a drain that began meanwhile posts OnDrain behind OnStart.
  ctx_->connections.Attach(slot_, self);
}

template <class Stream>
void Session<Stream>::Drain() {
  net::post(executor_, beast::bind_front_handler(&Session::OnDrain, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::Abandon() {
  pending_self_.reset();  // the caller's reference keeps this alive until it returns
}

template <class Stream>
void Session<Stream>::OnDrain() {
  draining_ = true;
  // Nothing received is owed an answer while handshaking or waiting for a request header, and
  // waiting would hold the stop for up to read_timeout_ms. Later phases see draining_ and
  // answer with Connection: close.
  if (phase_ == Phase::kStarting || phase_ == Phase::kReadingHeader) tcp().cancel();
}

template <class Stream>
void Session<Stream>::OnStart() {
  if constexpr (kTls) {
    tcp().expires_after(Ms(ctx_->options.tls_handshake_timeout_ms));
    stream_.async_handshake(net::ssl::stream_base::server,
                            beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
  } else {
    DoRead();
  }
}

template <class Stream>
void Session<Stream>::OnHandshake(beast::error_code ec) {
  if (ec) return;  // not a TLS client, or too slow; the socket closes with the session
  DoRead();
}

template <class Stream>
void Session<Stream>::DoRead() {
  if (draining_) return Close();
  phase_ = Phase::kReadingHeader;
  request_ = Request{};
  response_.reset();
  match_ = RouteMatch{};
  method_ = http::verb::unknown;
  query_.clear();
  refusal_.reset();
  header_.reset();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(ctx_->options.header_bytes_max));
  parser_->body_limit(ctx_->body_bytes_max_any);
  // One deadline for the whole request, header and body: a client trickling bytes cannot hold a
  // connection (and its slot) longer than read_timeout_ms.
  tcp().expires_after(Ms(ctx_->options.read_timeout_ms));
  started_ = Clock::now();
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::OnReadHeader, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnReadHeader(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  started_ = Clock::now();
  phase_ = Phase::kReadingBody;
  const auto& header = parser_->get();
  method_ = header.method();
  // Only a chunked body has a trailer; other requests keep their header without a copy.
  if (parser_->chunked()) header_.emplace(header.base());
  Result<Target> target = SplitTarget(ToStd(header.target()));
  if (target.ok()) {
    query_ = std::string(target->query);
    match_ = ctx_->router.Resolve(header.method(), target->path);
  } else {
    refusal_ = ProblemFor(target.status());
  }
  CheckHeader();
}

template <class Stream>
void Session<Stream>::CheckHeader() {
  // RFC 9112 §3.2: a server answers 400 to an HTTP/1.1 request without a Host, and to any with
  // more than one; a proxy in front may have routed it by the other.
  const size_t hosts = parser_->get().count(http::field::host);
  if (hosts > 1 || (hosts == 0 && parser_->get().version() == 11)) {
    return Fail(MakeProblem(http::status::bad_request, "bad-request", "send exactly one Host header"));
  }
  // RFC 9112 §6.3: when chunked is not the final transfer coding the body's length is unknown;
  // Beast would read no body and take what follows as the next request, which a proxy in front
  // may frame differently (request smuggling).
  if (parser_->get().count(http::field::transfer_encoding) != 0 && !parser_->chunked()) {
    return Fail(MakeProblem(http::status::bad_request, "bad-request",
                            "a Transfer-Encoding must end in chunked"));
  }
  // RFC 9112 §6.1: a transfer coding the server does not implement is answered 501, before the
  // body is read; ignoring it would take gzip bytes (say) for the body itself.
  if (parser_->chunked() && !ChunkedAlone(parser_->get())) {
    return Fail(MakeProblem(http::status::not_implemented, "unsupported-transfer-coding",
                            "no transfer coding but chunked is implemented: send Transfer-Encoding: chunked alone, "
                            "or a Content-Length"));
  }
  const size_t limit = match_.route != nullptr && match_.route->options.body_bytes_max != 0
                           ? match_.route->options.body_bytes_max
                           : ctx_->options.body_bytes_max;
  // The parser checked Content-Length against the largest limit of any route; this route's may
  // be lower. A chunked body is checked as it arrives against the limit set here.
  if (const auto length = parser_->content_length(); length && *length > limit) {
    return Fail(MakeProblem(http::status::payload_too_large, "body-too-large",
                            "the request body exceeds " + std::to_string(limit) + " bytes"));
  }
  parser_->body_limit(limit);
  if (!parser_->is_done()) return ReadBodyIfTaken();
  ReadBody();
}

template <class Stream>
void Session<Stream>::ReadBodyIfTaken() {
  // A route that takes no body (a GET's) refuses one, read or not: the same bytes get the same
  // answer however they arrive, and no 100 Continue invites the rest.
  if (match_.kind == RouteMatch::Kind::kFound && !match_.route->TakesBody()) {
    return Fail(MakeProblem(http::status::payload_too_large, "body-too-large",
                            std::string("a ") + std::string(ToStd(http::to_string(method_))) + " request takes no body"));
  }
  // A body not yet read in full is not read for a request refused by its header: no route (404),
  // a method the path does not take (405), a bad path, a bad or missing token. One already in the
  // buffer (most small writes arrive with their header) costs nothing more to take in, and the
  // handler checks the token anyway: no second lookup for it.
  const auto length = parser_->content_length();
  const bool body_buffered = length && buffer_.size() >= *length;
  if (!body_buffered) {
    if (!refusal_ && match_.kind != RouteMatch::Kind::kFound) refusal_ = ProblemForMatch(match_);
    if (refusal_) return Fail(*refusal_);
    if (match_.route->options.header_check) {
      if (Status s = match_.route->options.header_check(parser_->get().base()); !s.ok()) return Fail(ProblemFor(s));
    }
  }
  ReadBody();
}

template <class Stream>
void Session<Stream>::ReadBody() {
  if (parser_->is_done()) return Dispatch();
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    // Such a client waits (curl: 1 s) for this before sending its body.
    return http::async_write(stream_, continue_,
                             beast::bind_front_handler(&Session::OnContinueWritten, this->shared_from_this()));
  }
  OnContinueWritten({}, 0);
}

template <class Stream>
void Session<Stream>::OnContinueWritten(beast::error_code ec, size_t) {
  if (ec) return;
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::OnReadBody, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnReadBody(beast::error_code ec, size_t) {
  if (ec) return OnReadError(ec);
  Dispatch();
}

template <class Stream>
void Session<Stream>::OnReadError(beast::error_code ec) {
  if (ec == http::error::header_limit) {
    return Fail(MakeProblem(http::status::request_header_fields_too_large, "header-too-large",
                            "the request header exceeds " + std::to_string(ctx_->options.header_bytes_max) + " bytes"));
  }
  if (ec == http::error::body_limit) {
    return Fail(MakeProblem(http::status::payload_too_large, "body-too-large",
                            "the request body exceeds the limit of this resource"));
  }
  if (IsSyntaxError(ec)) {
    return Fail(MakeProblem(http::status::bad_request, "bad-request", "the request is not valid HTTP/1.1"));
  }
  if (ec == http::error::end_of_stream) return Close();  // the client closed between requests
  // A timeout (the stream closed the socket), a reset, or a drain's cancel: nothing more can be
  // read and nothing is owed; the socket closes with the session.
}

template <class Stream>
void Session<Stream>::Dispatch() {
  phase_ = Phase::kHandling;
  request_.message = parser_->release();
  // Only the header section counts (a token in a trailer authenticates nothing): the header is put
  // back as it was read, which drops the trailer's fields the parser merged into it.
  if (header_) request_.message.base() = std::move(*header_);
  if (!refusal_ && match_.kind != RouteMatch::Kind::kFound) refusal_ = ProblemForMatch(match_);
  if (!refusal_) {
    Result<Params> query = ParseQuery(query_);
    if (query.ok()) request_.query = std::move(query).value();
    else refusal_ = ProblemFor(query.status());
  }
  if (refusal_) return Deliver(RefusalResponse(*refusal_));
  request_.route = match_.route->pattern;
  request_.params = std::move(match_.params);
  request_.remote = remote_;
  pending_self_ = this->shared_from_this();
  Responder responder(MakeDeliver());
  // A throwing handler answers 500 instead of unwinding through an I/O thread.
  try {
    match_.route->handler(request_, responder);
  } catch (...) {
    responder.Problem(MakeProblem(http::status::internal_server_error, "internal",
                                  "the server failed to complete the request"));
  }
}

template <class Stream>
Responder::Deliver Session<Stream>::MakeDeliver() {
  // Any thread. Once the server has stopped the answer is dropped: nothing would write it, and
  // the session and its strand must not be touched from here any more.
  return [weak = this->weak_from_this(), ctx = ctx_](HttpResponse response) {
    ctx->PostIfRunning([&] {
      if (std::shared_ptr<Session> self = weak.lock()) {
        net::post(self->executor_, [self, response = std::move(response)]() mutable {
          self->Deliver(std::move(response));
        });
      }
    });
  };
}

template <class Stream>
HttpResponse Session<Stream>::RefusalResponse(const Problem& problem) const {
  HttpResponse response = ProblemResponse(problem);
  if (match_.kind == RouteMatch::Kind::kMethodNotAllowed && problem.status == http::status::method_not_allowed) {
    response.set(http::field::allow, match_.allow);
  }
  return response;
}

template <class Stream>
void Session<Stream>::Fail(const Problem& problem) {
  // What follows on the connection cannot be parsed as the next request: answer, then close.
  close_after_ = true;
  phase_ = Phase::kHandling;
  Deliver(RefusalResponse(problem));
}

template <class Stream>
void Session<Stream>::Deliver(HttpResponse response) {
  if (phase_ != Phase::kHandling) return;  // defensive: a Responder answers once
  phase_ = Phase::kWriting;
  pending_self_.reset();  // the write below holds the session from here
  response.version(request_.message.version());
  response.keep_alive(!close_after_ && !draining_ && request_.message.keep_alive());
  response.set(http::field::server, kServerName);
  response.prepare_payload();
  // A response to HEAD has the headers of the GET response, Content-Length included, but no body:
  // body bytes would be read as the start of the next response.
  if (method_ == http::verb::head) response.body().clear();
  response_ = std::move(response);
  tcp().expires_after(Ms(ctx_->options.write_timeout_ms));
  http::async_write(stream_, *response_, beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnWrite(beast::error_code ec, size_t) {
  Record(response_->result_int(), response_->body().size());
  if (ec) return;  // the peer is gone or too slow to read; the socket closes with the session
  if (!response_->keep_alive()) return Close();
  DoRead();
}

template <class Stream>
void Session<Stream>::Record(unsigned status, uint64_t body_bytes) {
  const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
  const uint64_t duration_us = static_cast<uint64_t>(duration.count());
  ctx_->StatsFor(match_).Observe(status, duration_us);
  AccessRecord record;
  record.time = std::chrono::system_clock::now();
  // Only names the server chose are logged: never the target, its query or any header.
  if (method_ != http::verb::unknown) record.method = ToStd(http::to_string(method_));
  if (match_.route != nullptr) record.route = match_.route->pattern;
  record.status = status;
  record.bytes = body_bytes;
  record.duration_us = duration_us;
  record.remote = remote_;
  ctx_->options.access_log(AccessLogLine(record));
}

template <class Stream>
void Session<Stream>::Close() {
  phase_ = Phase::kClosing;
  tcp().expires_after(Ms(ctx_->options.linger_timeout_ms));
  if constexpr (kTls) {
    // close_notify, then wait (bounded) for the peer's; TCP closes with the session.
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
  } else {
    // Half-close, then read until the peer closes: closing a socket with unread input sends a
    // reset, which can destroy our last response before the client has read it.
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    buffer_.clear();
    if (!ec) DoLinger();
  }
}

template <class Stream>
void Session<Stream>::DoLinger() {
  tcp().async_read_some(buffer_.prepare(kLingerChunkBytes),
                        beast::bind_front_handler(&Session::OnLinger, this->shared_from_this()));
}

template <class Stream>
void Session<Stream>::OnLinger(beast::error_code ec, size_t) {
  if (ec) return;  // the peer closed, or linger_timeout_ms passed
  DoLinger();
}

template class Session<beast::tcp_stream>;
template class Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace mingzhang::api
