#include "api/http/problem.h"

#include <cassert>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mingzhang::api {
namespace {

// Size refusals are "too large", not "too many": 413 tells a client that retrying the same
// request cannot help, where 429 invites a retry later.
bool IsSizeSlug(std::string_view slug) {
  constexpr std::string_view kSuffix = "-too-large";
  return slug.size() >= kSuffix.size() && slug.substr(slug.size() - kSuffix.size()) == kSuffix;
}

// What a client is told about a server-side failure. Most get one sentence, since their messages
// may name files or internal state (RocksDB messages carry paths); a failed write to storage is
// something a client can act on, and a retry with the same idempotency_key is always safe: a
// write either became durable (the retry is answered with it) or left nothing.
std::string PublicDetail(std::string_view slug) {
  if (slug == "storage-full") {
    return "the ledger's storage is full, so this write was not recorded; retry it later with the same "
           "idempotency_key";
  }
  if (slug == "storage-unavailable") {
    return "the ledger's storage failed, so this write was not recorded; retry it later with the same "
           "idempotency_key";
  }
  return "the server failed to complete the request";
}

}  // namespace

http::status HttpStatusFor(const Status& status) {
  assert(!status.ok());
  switch (status.code()) {
    case Code::kInvalidArgument: return http::status::bad_request;
    case Code::kUnauthenticated: return http::status::unauthorized;
    case Code::kPermissionDenied: return http::status::forbidden;
    case Code::kNotFound: return http::status::not_found;
    case Code::kAlreadyExists: return http::status::conflict;
    // Domain rule refusals (insufficient-funds, remuneration-cap, ...): the request is well
    // formed but the ledger's state forbids it.
    case Code::kFailedPrecondition: return http::status::unprocessable_entity;
    case Code::kAborted: return http::status::conflict;
    case Code::kResourceExhausted:
      return IsSizeSlug(status.slug()) ? http::status::payload_too_large
                                       : http::status::too_many_requests;
    case Code::kUnavailable: return http::status::service_unavailable;
    case Code::kDataLoss:
    case Code::kInternal:
    case Code::kOk:  // a caller bug; never tell a client that a failure succeeded
      return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

Problem MakeProblem(http::status status, std::string type, std::string detail) {
  const auto reason = http::obsolete_reason(status);
  return Problem{status, std::move(type), std::string(reason.data(), reason.size()),
                 std::move(detail)};
}

Problem ProblemFor(const Status& status) {
  const http::status http_status = HttpStatusFor(status);
  // Server-side failures keep their slug (operators grep for it) but not their message, except a
  // damaged log's: the scrub's finding (what and at which seq, no file or internal state) is
  // what anyone relying on the log needs to know.
  const bool hide_detail = static_cast<unsigned>(http_status) >= 500 && status.slug() != "log-damaged";
  return MakeProblem(http_status, status.slug().empty() ? "internal" : status.slug(),
                     hide_detail ? PublicDetail(status.slug()) : status.message());
}

std::string ProblemBody(const Problem& problem) {
  nlohmann::ordered_json body;
  body["type"] = problem.type;
  body["title"] = problem.title;
  body["status"] = static_cast<unsigned>(problem.status);
  body["detail"] = problem.detail;
  // A detail may quote client input; replacing invalid UTF-8 keeps dump() from throwing.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse ProblemResponse(const Problem& problem) {
  HttpResponse response{problem.status, 11};
  response.set(http::field::content_type, kProblemContentType);
  response.body() = ProblemBody(problem);
  return response;
}

}  // namespace mingzhang::api
