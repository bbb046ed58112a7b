#include "api/http/router.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "api/http/gzip.h"

namespace mingzhang::api {
namespace {

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// "/a/b" -> {"a", "b"}; "/" -> {""}. Empty segments are kept so that "/a//b" cannot match "/a/b".
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);  // the leading '/'
  for (;;) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

bool Matches(const Route& route, const std::vector<std::string_view>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (IsParam(want) ? segments[i].empty() : want != segments[i]) return false;
  }
  return true;
}

// True when a is more specific than b: a literal at the first position where they differ.
bool MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size(); ++i) {
    const bool a_literal = !IsParam(a.segments[i]);
    if (a_literal != !IsParam(b.segments[i])) return a_literal;
  }
  return false;
}

std::string AllowHeader(const std::set<std::string>& methods) {
  std::string allow;
  for (const std::string& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  return allow;
}

Status DecodeParams(const Route& route, const std::vector<std::string_view>& segments,
                    Params& params) {
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = route.segments[i];
    if (!IsParam(want)) continue;
    Result<std::string> value = DecodePathSegment(segments[i]);
    if (!value.ok()) return value.status();
    params.emplace(want.substr(1, want.size() - 2), std::move(value).value());
  }
  return OkStatus();
}

}  // namespace

void Router::Add(http::verb method, std::string_view pattern, Handler handler, RouteOptions options) {
  assert(!pattern.empty() && pattern.front() == '/');
  // Every answer learns whether its request admits gzip, for Responder::Send to code JSON by.
  Handler coded = [handler = std::move(handler)](Request& req, Responder res) {
    res.SetAcceptsGzip(AcceptsGzip(req.message));
    handler(req, std::move(res));
  };
  Route route{method, std::string(pattern), {}, std::move(coded), options, routes_.size()};
  std::set<std::string_view> names;
  for (std::string_view segment : SplitPath(pattern)) {
    assert(!segment.empty() || pattern == "/");  // "/" is the one route of a single empty segment
    assert(IsParam(segment) || segment.find_first_of("{}") == std::string_view::npos);
    if (IsParam(segment)) {
      [[maybe_unused]] const bool fresh = names.insert(segment).second;
      assert(fresh);
    }
    route.segments.emplace_back(segment);
  }
  assert(std::none_of(routes_.begin(), routes_.end(), [&](const Route& r) {
    return r.method == method && r.pattern == route.pattern;
  }));
  routes_.push_back(std::move(route));
}

RouteMatch Router::Resolve(http::verb method, std::string_view path) const {
  RouteMatch match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = SplitPath(path);
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!Matches(route, segments)) continue;
    if (route.method != method) {
      const auto name = http::to_string(route.method);
      allowed.emplace(name.data(), name.size());
      continue;
    }
    if (match.route == nullptr || MoreSpecific(route, *match.route)) match.route = &route;
  }
  if (match.route == nullptr) {
    match.kind = allowed.empty() ? RouteMatch::Kind::kNoRoute : RouteMatch::Kind::kMethodNotAllowed;
    match.allow = AllowHeader(allowed);
    return match;
  }
  match.error = DecodeParams(*match.route, segments, match.params);
  match.kind = match.error.ok() ? RouteMatch::Kind::kFound : RouteMatch::Kind::kBadPath;
  return match;
}

size_t Router::BodyBytesMaxAny(size_t default_bytes_max) const {
  size_t bytes_max = default_bytes_max;
  for (const Route& route : routes_) bytes_max = std::max(bytes_max, route.options.body_bytes_max);
  return bytes_max;
}

Problem ProblemForMatch(const RouteMatch& match) {
  switch (match.kind) {
    case RouteMatch::Kind::kNoRoute:
      return MakeProblem(http::status::not_found, "no-route", "no resource has this path");
    case RouteMatch::Kind::kMethodNotAllowed:
      return MakeProblem(http::status::method_not_allowed, "method-not-allowed",
                         "this resource answers only " + match.allow);
    case RouteMatch::Kind::kBadPath:
      return ProblemFor(match.error);
    case RouteMatch::Kind::kFound:
      break;
  }
  assert(false && "a found route is not a problem");
  return MakeProblem(http::status::internal_server_error, "internal", "routing failed");
}

}  // namespace mingzhang::api
