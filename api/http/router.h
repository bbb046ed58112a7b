// Router: (method, path pattern) -> handler. Patterns are literal segments and whole-segment
// parameters in braces; a literal beats a parameter where both match.
//
//   Router router;
//   router.Add(http::verb::get, "/v1/entries/{seq}", GetEntry);
//   router.Add(http::verb::post, "/v1/communities/{c}/payments:batch", PostBatch,
//              {.body_bytes_max = kBatchBodyBytesMax});
//
// Resolve answers 404 (no pattern matches the path), 405 with the allowed methods (a pattern
// matches but not for this method) or 400 (a parameter fails strict decoding, see target.h).
// REQUIRES: every Add happens before the server starts; the router is read-only afterwards.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http.hpp>

#include "api/http/request.h"
#include "ledger/base/status.h"

namespace mingzhang::api {

using Handler = std::function<void(Request&, Responder)>;

// Checks a request by its header alone, before its body is read or 100 Continue is sent: a refusal
// is answered at once and the connection closed, so an anonymous client cannot make the server
// take in a body of up to body_bytes_max first.
using HeaderCheck = std::function<Status(const http::fields& header)>;

struct RouteOptions {
  size_t body_bytes_max = 0;  // 0: the server's body_bytes_max
  HeaderCheck header_check = nullptr;  // none: every request's body is read before its handler runs
};

struct Route {
  http::verb method;
  std::string pattern;
  std::vector<std::string> segments;  // "{name}" for a parameter
  Handler handler;
  RouteOptions options;
  size_t index = 0;  // position in Router::routes(), for per-route state such as metrics

  // Only writes carry a body. A GET's has no meaning (RFC 9110 §9.3.1): the server refuses one
  // on its header (413, connection closed) rather than read it.
  bool TakesBody() const {
    return method == http::verb::post || method == http::verb::put || method == http::verb::patch;
  }
};

struct RouteMatch {
  enum class Kind { kFound, kNoRoute, kMethodNotAllowed, kBadPath };
  Kind kind = Kind::kNoRoute;
  const Route* route = nullptr;  // kFound
  Params params;                 // kFound
  std::string allow;             // kMethodNotAllowed: "GET, POST"
  Status error;                  // kBadPath
};

class Router {
 public:
  // REQUIRES: pattern starts with '/', has no empty segment (but "/" itself), each parameter is a whole segment
  // with a unique name, and (method, pattern) is new. A violation is a programming error: assert.
  void Add(http::verb method, std::string_view pattern, Handler handler, RouteOptions options = {});

  // `path` as sent: still percent-encoded, without the query.
  RouteMatch Resolve(http::verb method, std::string_view path) const;

  // The largest body any route accepts, given the server default; the parser's first limit.
  size_t BodyBytesMaxAny(size_t default_bytes_max) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// The problem to answer for a match that is not kFound.
Problem ProblemForMatch(const RouteMatch& match);

}  // namespace mingzhang::api
