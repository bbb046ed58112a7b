// Whole HTTP requests through the real routes: bytes -> Beast's request parser with mingzhangd's
// limits -> SplitTarget and Router::Resolve -> the handlers of every v1 route over a real
// Ledger in a temporary directory (MINGZHANG_FUZZ_DIR, else the system's; /dev/shm is fastest).
// The steps are those of api/http/session.cpp without a socket; the ledger starts with the world of
// fuzz_support.h, and writes that are accepted stay for the inputs that follow.
//
// Input: one or more pipelined requests. "@admin@", "@firm@" (F1, of C1), "@owner@" (of U1),
// "@committee@" (of C1) and "@regulator@" are replaced by tokens issued at start.
// Properties: no crash, hang or sanitizer report; every answer has a status of 200-499 or 503,
// never 500 (a handler that threw or answered nothing); an error is problem+json carrying that
// status and a type; a JSON answer parses.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "api/v1/endpoints.h"
#include "api/http/http_server.h"
#include "api/http/problem.h"
#include "ledger/views/district.h"
#include "tests/fuzz/fuzz_support.h"

namespace mingzhang::fuzz {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

constexpr auto kAnswerTimeout = std::chrono::seconds(30);
constexpr int kRequestsPerInputMax = 16;

// A ledger with its routes, on a directory of its own that goes with it.
class Server {
 public:
  Server() : dir_(MakeDir()) {
    LedgerOptions options;
    options.data_dir = dir_;
    options.clock_ms = [] { return kWorldClockMs; };
    Result<std::unique_ptr<District>> ledger = District::Open(options);
    FUZZ_CHECK(ledger.ok());
    ledger_ = std::move(ledger).value();
    access_ = std::make_unique<api::Access>(*ledger_);
    for (v1::Entry& entry : WorldRequests()) FUZZ_CHECK(ledger_->Append(std::move(entry)).ok());
    Issue("@admin@", v1::admin, "admin", {}, {});
    Issue("@firm@", v1::firm, "F1", {"C1"}, {});
    Issue("@owner@", v1::owner, "owner-U1", {"C1"}, {"U1"});
    Issue("@committee@", v1::committee, "committee-C1", {"C1"}, {});
    Issue("@regulator@", v1::regulator, "regulator", {}, {});
    ctx_ = std::make_unique<api::ApiContext>(
        api::ApiContext{*ledger_, *access_, std::make_shared<api::Metrics>()});
    api::AddWriteEndpoints(router_, *ctx_);
    api::AddReadEndpoints(router_, *ctx_);
  }
  ~Server() {
    access_.reset();
    ledger_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  const api::Router& router() const { return router_; }
  std::string WithTokens(std::string text) const {
    for (const auto& [placeholder, token] : tokens_) {
      for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at)) {
        text.replace(at, placeholder.size(), token);
      }
    }
    return text;
  }

 private:
  static std::string MakeDir() {
    const char* base = std::getenv("MINGZHANG_FUZZ_DIR");
    std::string pattern = (base != nullptr ? fs::path(base) : fs::temp_directory_path()) / "mingzhang-fuzz-http-XXXXXX";
    FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }
  void Issue(const std::string& placeholder, v1::Role role, const std::string& principal,
             std::vector<std::string> communities, std::vector<std::string> units) {
    v1::Credential credential;
    credential.set_role(role);
    credential.set_principal_id(principal);
    for (std::string& c : communities) credential.add_community_ids(std::move(c));
    for (std::string& u : units) credential.add_unit_ids(std::move(u));
    Result<std::string> token = access_->tokens().Issue(credential);
    FUZZ_CHECK(token.ok());
    tokens_.emplace_back(placeholder, *token);
  }

  std::string dir_;
  std::unique_ptr<District> ledger_;
  std::unique_ptr<api::Access> access_;  // over ledger_'s store
  std::unique_ptr<api::ApiContext> ctx_;
  api::Router router_;
  std::vector<std::pair<std::string, std::string>> tokens_;
};

Server& TheServer() {
  static Server server;
  return server;
}

// Feeds `rest` to the parser until it has the header (or the whole message, once `eager`);
// consumed bytes leave `rest`. False when the input is malformed or ends first: the session would
// answer 4xx and close, or wait for more until its read timeout.
bool Feed(http::request_parser<http::string_body>& parser, std::string_view& rest) {
  beast::error_code ec;
  while (!(parser.eager() ? parser.is_done() : parser.is_header_done())) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec || used == 0) return false;  // malformed, or the input ends before the message
  }
  return true;
}

void CheckAnswer(const api::HttpResponse& response) {
  const unsigned status = response.result_int();
  FUZZ_CHECK(status >= 200 && (status < 500 || status == 503));
  const auto type = response[http::field::content_type];
  if (status >= 400) {
    FUZZ_CHECK(type == api::kProblemContentType);
    const nlohmann::json problem = nlohmann::json::parse(response.body(), nullptr, false);
    FUZZ_CHECK(problem.is_object() && problem["status"] == status);
    FUZZ_CHECK(problem["type"].is_string() && !problem["type"].get<std::string>().empty());
  } else if (type == api::kJsonContentType) {
    FUZZ_CHECK(!nlohmann::json::parse(response.body(), nullptr, false).is_discarded());
  }
}

// Runs the matched handler and waits for its answer, which may come from the sequencer thread.
api::HttpResponse Handle(const api::RouteMatch& match, api::Request& request) {
  auto answer = std::make_shared<std::promise<api::HttpResponse>>();
  std::future<api::HttpResponse> answered = answer->get_future();
  request.route = match.route->pattern;
  request.params = match.params;
  request.remote = "127.0.0.1:1";
  match.route->handler(request, api::Responder([answer](api::HttpResponse r) { answer->set_value(std::move(r)); }));
  FUZZ_CHECK(answered.wait_for(kAnswerTimeout) == std::future_status::ready);
  return answered.get();
}

// One request from the front of `rest`, as api/http/session.cpp reads and dispatches it. False when
// the connection would close after it (or before an answer).
bool ServeOne(const api::Router& router, std::string_view& rest) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(api::kHeaderBytesMax));
  parser.body_limit(router.BodyBytesMaxAny(api::kBodyBytesMax));
  if (!Feed(parser, rest)) return false;
  const auto& header = parser.get();
  Result<api::Target> target = api::SplitTarget(std::string_view(header.target().data(), header.target().size()));
  const api::RouteMatch match = target.ok() ? router.Resolve(header.method(), target->path) : api::RouteMatch{};
  const size_t limit = match.route != nullptr && match.route->options.body_bytes_max != 0
                           ? match.route->options.body_bytes_max
                           : api::kBodyBytesMax;
  if (header.count(http::field::transfer_encoding) != 0 && !parser.chunked()) return false;  // 400
  if (parser.content_length() && *parser.content_length() > limit) return false;             // 413
  parser.body_limit(limit);
  parser.eager(true);
  if (!Feed(parser, rest)) return false;
  const std::string query = target.ok() ? std::string(target->query) : "";  // views into the header
  const Status bad_target = target.status();
  api::Request request;
  request.message = parser.release();
  std::optional<api::Problem> refusal;
  if (!bad_target.ok()) refusal = api::ProblemFor(bad_target);
  else if (match.kind != api::RouteMatch::Kind::kFound) refusal = api::ProblemForMatch(match);
  if (!refusal) {
    Result<api::Params> params = api::ParseQuery(query);
    if (params.ok()) request.query = std::move(params).value();
    else refusal = api::ProblemFor(params.status());
  }
  const api::HttpResponse answer = refusal ? api::ProblemResponse(*refusal) : Handle(match, request);
  // MINGZHANG_FUZZ_TRACE=1: what each request got, to see how far a corpus reaches.
  if (std::getenv("MINGZHANG_FUZZ_TRACE") != nullptr) {
    std::fprintf(stderr, "%s %s -> %u %.100s\n", std::string(request.message.method_string()).c_str(),
                 std::string(request.message.target()).c_str(), answer.result_int(), answer.body().c_str());
  }
  CheckAnswer(answer);
  return request.message.keep_alive();
}

}  // namespace
}  // namespace mingzhang::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mingzhang::fuzz;
  Server& server = TheServer();
  const std::string input = server.WithTokens(std::string(AsText(data, size)));
  std::string_view rest = input;
  int served = 0;
  while (served < kRequestsPerInputMax && !rest.empty() && ServeOne(server.router(), rest)) ++served;
  return 0;
}
