// RFC 9457 problem details, and the one place where a ledger Status becomes an HTTP status.
//
// Every error the API answers is `application/problem+json` with a stable machine-readable
// `type` (the ledger's slug, such as "insufficient-funds"), a short `title`, the HTTP `status`
// and a human `detail`:
//
//   Status s = FailedPrecondition("insufficient-funds", "FEES holds 120 fen");
//   HttpResponse r = ProblemResponse(ProblemFor(s));  // 422, {"type":"insufficient-funds",...}
#pragma once

#include <string>

#include <boost/beast/http.hpp>

#include "ledger/base/status.h"

namespace mingzhang::api {

namespace http = boost::beast::http;
using HttpResponse = http::response<http::string_body>;

inline constexpr const char* kProblemContentType = "application/problem+json";

struct Problem {
  http::status status = http::status::internal_server_error;
  std::string type;    // a stable slug, e.g. "insufficient-funds"
  std::string title;   // the same for every problem of one status: its reason phrase
  std::string detail;  // a sentence for people about this occurrence
};

// THE mapping of ledger codes to HTTP statuses; nothing else in the API decides this.
// REQUIRES: !status.ok().
http::status HttpStatusFor(const Status& status);

// A problem of the given status and slug; the title is the status's reason phrase.
Problem MakeProblem(http::status status, std::string type, std::string detail);
Problem ProblemFor(const Status& status);

// {"type":..,"title":..,"status":..,"detail":..} in that order, invalid UTF-8 replaced.
std::string ProblemBody(const Problem& problem);
// A complete response (status, content type, body); the session adds version and keep-alive.
HttpResponse ProblemResponse(const Problem& problem);

}  // namespace mingzhang::api
