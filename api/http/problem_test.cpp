#include "api/http/problem.h"

#include <catch2/catch.hpp>

namespace mingzhang::api {
namespace {

TEST_CASE("HttpStatusFor maps every code", "[problem]") {
  const auto status_of = [](Code code, std::string slug = "x") {
    return static_cast<unsigned>(HttpStatusFor(Status(code, std::move(slug), "m")));
  };
  CHECK(status_of(Code::kInvalidArgument) == 400);
  CHECK(status_of(Code::kUnauthenticated) == 401);
  CHECK(status_of(Code::kPermissionDenied) == 403);
  CHECK(status_of(Code::kNotFound) == 404);
  CHECK(status_of(Code::kAlreadyExists) == 409);
  CHECK(status_of(Code::kFailedPrecondition) == 422);
  CHECK(status_of(Code::kAborted) == 409);
  CHECK(status_of(Code::kResourceExhausted, "busy") == 429);
  CHECK(status_of(Code::kResourceExhausted, "batch-too-large") == 413);
  CHECK(status_of(Code::kUnavailable) == 503);
  CHECK(status_of(Code::kDataLoss) == 500);
  CHECK(status_of(Code::kInternal) == 500);
}

TEST_CASE("ProblemFor and ProblemBody", "[problem]") {
  SECTION("client errors carry the ledger's slug and message") {
    Problem p = ProblemFor(FailedPrecondition("remuneration-cap", "taken 900 of 800 fen allowed"));
    CHECK(ProblemBody(p) ==
          R"({"type":"remuneration-cap","title":"Unprocessable Entity","status":422,"detail":"taken 900 of 800 fen allowed"})");
  }
  SECTION("server errors keep the slug but hide the message") {
    Problem p = ProblemFor(DataLoss("store-corrupt", "/var/lib/mingzhang/store/000012.sst: bad block"));
    CHECK(p.status == http::status::internal_server_error);
    CHECK(p.type == "store-corrupt");
    CHECK(p.detail.find("/var/lib") == std::string::npos);
  }
  SECTION("invalid UTF-8 in a detail does not throw") {
    Problem p = MakeProblem(http::status::bad_request, "bad-request", "byte \xff here");
    CHECK_NOTHROW(ProblemBody(p));
  }
  SECTION("the response") {
    HttpResponse r = ProblemResponse(MakeProblem(http::status::not_found, "unknown-unit", "no unit u1"));
    CHECK(r.result() == http::status::not_found);
    CHECK(std::string(r[http::field::content_type]) == "application/problem+json");
  }
}

}  // namespace
}  // namespace mingzhang::api
