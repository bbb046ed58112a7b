#include "api/http/router.h"

#include <catch2/catch.hpp>

#include "api/http/target.h"

namespace mingzhang::api {
namespace {

Handler Noop() {
  return [](Request&, Responder) {};
}

TEST_CASE("Router resolves patterns", "[router]") {
  Router router;
  router.Add(http::verb::get, "/v1/entries/{seq}", Noop());
  router.Add(http::verb::post, "/v1/entries/{seq}/reversal", Noop());
  router.Add(http::verb::get, "/v1/communities/{c}/evaluations/summary", Noop());
  router.Add(http::verb::get, "/v1/communities/{c}/evaluations/{p}", Noop());
  router.Add(http::verb::post, "/v1/communities/{c}/payments", Noop());
  router.Add(http::verb::post, "/v1/communities/{c}/payments:batch", Noop(), {.body_bytes_max = 1 << 24});
  router.Add(http::verb::get, "/v1/checkpoint", Noop());

  SECTION("parameters") {
    RouteMatch m = router.Resolve(http::verb::get, "/v1/entries/42");
    REQUIRE(m.kind == RouteMatch::Kind::kFound);
    CHECK(m.route->pattern == "/v1/entries/{seq}");
    CHECK(m.params.at("seq") == "42");
  }
  SECTION("a literal beats a parameter, whichever was added first") {
    RouteMatch m = router.Resolve(http::verb::get, "/v1/communities/c1/evaluations/summary");
    REQUIRE(m.kind == RouteMatch::Kind::kFound);
    CHECK(m.route->pattern == "/v1/communities/{c}/evaluations/summary");
    CHECK(router.Resolve(http::verb::get, "/v1/communities/c1/evaluations/x").route->pattern ==
          "/v1/communities/{c}/evaluations/{p}");
  }
  SECTION("a colon is part of a literal segment") {
    RouteMatch m = router.Resolve(http::verb::post, "/v1/communities/c1/payments:batch");
    REQUIRE(m.kind == RouteMatch::Kind::kFound);
    CHECK(m.route->options.body_bytes_max == 1 << 24);
    CHECK(router.BodyBytesMaxAny(1 << 20) == 1 << 24);
  }
  SECTION("404 and 405") {
    CHECK(router.Resolve(http::verb::get, "/v1/nothing").kind == RouteMatch::Kind::kNoRoute);
    CHECK(router.Resolve(http::verb::get, "/v1/entries/").kind == RouteMatch::Kind::kNoRoute);
    CHECK(router.Resolve(http::verb::get, "/v1/checkpoint/").kind == RouteMatch::Kind::kNoRoute);
    RouteMatch m = router.Resolve(http::verb::delete_, "/v1/entries/4");
    CHECK(m.kind == RouteMatch::Kind::kMethodNotAllowed);
    CHECK(m.allow == "GET");
    CHECK(ProblemForMatch(m).status == http::status::method_not_allowed);
    router.Add(http::verb::put, "/v1/checkpoint", Noop());
    CHECK(router.Resolve(http::verb::post, "/v1/checkpoint").allow == "GET, PUT");
  }
  SECTION("bad parameters are 400 on the matched route") {
    RouteMatch m = router.Resolve(http::verb::get, "/v1/entries/%2F");
    CHECK(m.kind == RouteMatch::Kind::kBadPath);
    CHECK(m.route->pattern == "/v1/entries/{seq}");
    CHECK(ProblemForMatch(m).status == http::status::bad_request);
    CHECK(ProblemForMatch(m).type == "bad-path");
  }
}

TEST_CASE("DecodePathSegment is strict", "[router]") {
  CHECK(DecodePathSegment("a%20b").value() == "a b");
  CHECK(DecodePathSegment("a+b").value() == "a+b");
  CHECK(DecodePathSegment("%e6%98%8e").value() == "\xe6\x98\x8e");
  for (const char* bad : {"%", "%a", "%zz", "%g0", "a%2fb", "a%2Fb", "%00", "%1f", "%7F", "a\x01"}) {
    INFO(bad);
    CHECK(DecodePathSegment(bad).status().slug() == "bad-path");
  }
}

TEST_CASE("ParseQuery", "[router]") {
  Result<Params> q = ParseQuery("leaf_index=3&tree_size=10&&flag&name=a+b%2Bc");
  REQUIRE(q.ok());
  CHECK(q->at("leaf_index") == "3");
  CHECK(q->at("tree_size") == "10");
  CHECK(q->at("flag").empty());
  CHECK(q->at("name") == "a b+c");
  CHECK(ParseQuery("").value().empty());
  CHECK(ParseQuery("a=1&a=2").status().slug() == "duplicate-query-parameter");
  CHECK(ParseQuery("a=1&a").status().slug() == "duplicate-query-parameter");
  CHECK(ParseQuery("=1").status().slug() == "bad-query");
  CHECK(ParseQuery("a=%zz").status().slug() == "bad-query");
  CHECK(ParseQuery("a=%00").status().slug() == "bad-query");
  std::string many;
  for (size_t i = 0; i <= kQueryParamsMax; ++i) many += "k" + std::to_string(i) + "=1&";
  CHECK(ParseQuery(many).status().slug() == "bad-query");
}

TEST_CASE("SplitTarget", "[router]") {
  CHECK(SplitTarget("/a/b?x=1").value().path == "/a/b");
  CHECK(SplitTarget("/a/b?x=1").value().query == "x=1");
  CHECK(SplitTarget("/a").value().query.empty());
  CHECK(SplitTarget("http://host/a").status().slug() == "bad-target");
  CHECK(SplitTarget("*").status().slug() == "bad-target");
  CHECK(SplitTarget("/a#frag").status().slug() == "bad-target");
}

}  // namespace
}  // namespace mingzhang::api
