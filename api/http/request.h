// What a route handler receives (Request) and how it answers (Responder).
//
// A handler may answer at once or later from any thread, e.g. from the ledger's sequencer:
//
//   router.Add(http::verb::post, "/v1/firms", [&](Request& req, Responder res) {
//     ledger.AppendAsync(ToEntry(req), [res](Result<StoredEntry> r) {
//       if (!r.ok()) return res.Problem(r.status());
//       res.Json(http::status::created, ProtoToJson(*r));
//     });
//   });
//
// Contracts:
// - The Request stays valid, unchanged, until the Responder answers or the server is destroyed,
//   whichever comes first: a handler that answers later copies what it needs before returning.
// - The first answer wins; later ones are ignored. If every copy of a Responder is destroyed
//   without an answer, the client gets 500 "no-response" rather than a hung connection.
// - A Responder may outlive the server (and be used from any thread): once the server has
//   stopped, answers are dropped.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "api/http/problem.h"
#include "api/http/target.h"
#include "ledger/base/status.h"

namespace mingzhang::api {

using HttpRequest = http::request<http::string_body>;

inline constexpr const char* kJsonContentType = "application/json";

struct Request {
  HttpRequest message;
  std::string_view route;  // the matched pattern, e.g. "/v1/entries/{seq}"
  Params params;           // path parameters, percent-decoded
  Params query;            // query parameters, percent-decoded
  std::string remote;      // the peer, "address:port"

  // nullptr when absent.
  const std::string* Param(std::string_view name) const;
  const std::string* Query(std::string_view name) const;
};

class Responder {
 public:
  // Hands the finished response to the session; called at most once, from any thread.
  using Deliver = std::function<void(HttpResponse)>;

  explicit Responder(Deliver deliver);

  // The session sets the version, keep-alive, Server and Content-Length. Every application/json
  // answer of at least kGzipBodyBytesMin bytes not already coded carries Vary: Accept-Encoding
  // and is gzip-coded here when the request accepted gzip (SetAcceptsGzip); the one place that
  // codes answers (a view's kept gzip is sent as it is).
  void Send(HttpResponse response) const;
  // Whether the request admits gzip (gzip.h AcceptsGzip); the router sets it before the handler runs.
  void SetAcceptsGzip(bool accepts) const;
  void Json(http::status status, const nlohmann::json& body) const;
  void Text(http::status status, std::string body,
            std::string_view content_type = "text/plain; charset=utf-8") const;
  void Problem(const Status& status) const;
  void Problem(const api::Problem& problem) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace mingzhang::api
