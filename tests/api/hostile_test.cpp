// Hostile input and abuse against the real mingzhangd binary (issue 6; tests/support/api_harness.h):
//
//   1. a table of hostile requests, each sent as raw bytes on a connection of its own: each gets
//      its documented refusal (status and problem type), writes nothing (the signed tree size
//      stays), and the server answers the next request;
//   2. slow clients, a flood of connections, pipelining and request smuggling, token guessing;
//   3. secrets: no token in the log, tokens only hashed at rest, the log key's file mode.
//
// The read timeout is shortened with --read-timeout-ms so that waiting it out takes a second.
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "api/auth/tokens.h"
#include "api/http/http_server.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/log/ledger.h"
#include "ledger/log/store.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using api::kBatchBodyBytesMax;
using api::kBodyBytesMax;
using api::kConnectionsMax;
using api::kHeaderBytesMax;

const std::string kProblem = "application/problem+json";
constexpr const char* kPayments = "/v1/communities/C1/payments";
constexpr int kFastAnswerMs = 1'000;  // what "answered at once" means while others misbehave

// One request as raw bytes: request line, Host, an optional bearer token, `headers` (each line
// ending in \r\n), a Content-Length for any body or POST, and the body.
std::string Http(std::string_view method, std::string_view target, std::string_view token = "",
                 std::string_view body = "", std::string_view headers = "") {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) out += "Authorization: Bearer " + std::string(token) + "\r\n";
  out += headers;
  if (!body.empty() || method == "POST") out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + std::string(body);
}

// A POST whose body is sent in chunks of `chunk_bytes` under `transfer_encoding`.
std::string ChunkedPost(std::string_view target, std::string_view token, std::string_view body,
                        size_t chunk_bytes, std::string_view transfer_encoding = "chunked") {
  std::string out = "POST " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    std::string(token) + "\r\nTransfer-Encoding: " + std::string(transfer_encoding) + "\r\n\r\n";
  for (size_t at = 0; at < body.size(); at += chunk_bytes) {
    std::string_view chunk = body.substr(at, chunk_bytes);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    out += size + std::string(chunk) + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// A request whose body is one chunk, followed by the trailer section `trailer` (field lines, each
// ending in \r\n). RFC 9110 §6.5.1: trailer fields are not part of the header section.
std::string ChunkedWithTrailer(std::string_view method, std::string_view target, std::string_view token,
                               std::string_view body, std::string_view trailer) {
  std::string out = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token.empty()) out += "Authorization: Bearer " + std::string(token) + "\r\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", body.size());
  return out + "Transfer-Encoding: chunked\r\n\r\n" + size + std::string(body) + "\r\n0\r\n" + std::string(trailer) +
         "\r\n";
}

// A payment by the firm for unit U1 with the amount (and any more fields) as raw JSON text.
std::string Payment(const std::string& key, std::string_view amount = "100", std::string_view more = "") {
  return R"({"idempotency_key":")" + key + R"(","unit_id":"U1","amount":)" + std::string(amount) +
         R"(,"period":"2026-05","months":1,"paid_on":"2026-05-03","method":"bank")" + std::string(more) + "}";
}

// A payment with one string field's JSON text replaced (e.g. "unit_id", "\"U\\u0000\"").
std::string PaymentField(const std::string& key, std::string_view field, std::string_view raw) {
  std::string body = Payment(key);
  const std::string name = "\"" + std::string(field) + "\":";
  const size_t at = body.find(name) + name.size();
  const size_t end = body.find_first_of(",}", at);
  return body.replace(at, end - at, raw);
}

constexpr const char* kDisbursements = "/v1/communities/C1/disbursements";

// A disbursement of 1 fen from FEES by the firm (the one payment pays for it), with `changes`
// made to its fields. Strings are written as JSON writes them: control characters as \u00XX.
std::string Spending(const std::string& key, const json& changes = json::object()) {
  json body = {{"idempotency_key", key}, {"fund", "FEES"},          {"category", "CLEANING"},
               {"amount", 1},            {"payee", "Cleaner Ltd"},  {"description", "stairs"},
               {"paid_on", "2026-05-03"}, {"voucher_sha256", std::string(64, 'a')}};
  body.update(changes);
  return body.dump();
}

std::string Repeat(std::string_view what, size_t times) {
  std::string out;
  out.reserve(what.size() * times);
  for (size_t i = 0; i < times; ++i) out += what;
  return out;
}

bool Alive(const Daemon& d) {
  int status = 0;
  return d.pid() > 0 && ::waitpid(d.pid(), &status, WNOHANG) == 0;
}

// A daemon with firm F1, community C1 (units U1, U2), an open proposal PM, one payment, and a
// token for every role.
struct Target {
  Daemon daemon;
  std::unique_ptr<HttpClient> client;
  std::string admin, firm, owner, committee, regulator;
  uint64_t payment_seq = 0;

  explicit Target(const std::vector<std::string>& daemon_flags = {}) {
    daemon.Start(daemon_flags);
    client = std::make_unique<HttpClient>(daemon.port());
    admin = daemon.admin_token();
    Write("/v1/firms", admin, R"({"idempotency_key":"f","firm_id":"F1","name":"Firm One"})");
    Write("/v1/communities", admin,
          R"({"idempotency_key":"c","community_id":"C1","name":"Garden","firm_id":"F1","fee_rate_fen_per_m2_month":250,)"
          R"("remuneration":{"basis_points_of_fee_income":1000},"start_month":"2026-01"})");
    firm = IssueToken(*client, admin, "firm", "F1", {"C1"});
    committee = IssueToken(*client, admin, "committee", "committee-C1", {"C1"});
    regulator = IssueToken(*client, admin, "regulator", "regulator");
    Write("/v1/communities/C1/units", firm,
          R"({"idempotency_key":"u","units":[{"unit_id":"U1","area_centi_m2":10000},{"unit_id":"U2","area_centi_m2":8000}]})");
    owner = IssueToken(*client, admin, "owner", "owner-U1", {"C1"}, {"U1"});
    Write("/v1/communities/C1/proposals", committee,
          R"({"idempotency_key":"p","proposal_id":"PM","title":"Benches","matter":"ORDINARY","amount":100,"fund":"FEES","closes_on":"2099-12-31"})");
    payment_seq = std::stoull(Write(kPayments, firm, Payment("pay-1"))["seq"].get<std::string>());
  }

  uint16_t port() const { return daemon.port(); }

  json Write(const std::string& path, const std::string& token, const std::string& body) {
    Reply r = client->Post(path, token, body);
    INFO(path << ": " << r.Describe());
    REQUIRE(r.status == 201);
    return r.Json();
  }
};

struct Abuse {
  std::string name;
  std::string bytes;  // sent as they are, on a new connection
  int status;
  std::string type;
};

// Each case: its refusal, nothing written, and the server (still running) answers the next
// request on a new connection.
void CheckRefusals(Target& t, const std::vector<Abuse>& cases) {
  HttpClient probe(t.port());
  const uint64_t size = TreeSize(probe);
  REQUIRE(size != ~uint64_t{0});
  for (const Abuse& a : cases) {
    INFO("case: " << a.name);
    HttpClient c(t.port());
    const Reply r = c.Raw(a.bytes);
    INFO(r.Describe());
    CHECK(r.status == a.status);
    CHECK(r.content_type == kProblem);
    const json problem = r.Json();
    CHECK(problem["type"] == a.type);
    CHECK(problem["status"] == a.status);
    CHECK(TreeSize(probe) == size);
    CHECK(HttpClient(t.port()).Get("/healthz").status == 200);
    REQUIRE(Alive(t.daemon));
  }
}

// ---------------------------------------------------------------------------------------------
// 1. The table.

std::vector<Abuse> HttpLayerCases(const Target& t) {
  const std::string big(kHeaderBytesMax + 1024, 'h');
  const std::string firm_body = R"({"idempotency_key":"x","firm_id":"FX","name":")" + std::string(kBodyBytesMax, 'n') + "\"}";
  const std::string batch_body = "{\"payments\":[" + Repeat(Payment("b") + ",", kBatchBodyBytesMax / 100) + "]}";
  const std::string over = std::to_string(kBodyBytesMax + 1);
  const std::string bad = "bad-request";
  return {
      // Huge headers.
      {"one header of 17 KiB", Http("GET", "/healthz", "", "", "X-Big: " + big + "\r\n"), 431, "header-too-large"},
      {"400 small headers", Http("GET", "/healthz", "", "", Repeat("X-Many: 0123456789012345678901234567890123456789\r\n", 400)),
       431, "header-too-large"},
      {"a request target of 17 KiB", Http("GET", "/v1/checkpoint?x=" + big), 431, "header-too-large"},
      {"an Authorization header of 17 KiB", Http("GET", "/v1/ratings?period=2026", big), 431, "header-too-large"},
      {"a method of 17 KiB", Http(big, "/healthz"), 431, "header-too-large"},
      // Not HTTP/1.1.
      {"binary garbage", "\x00\x01\x02\xff\xfe garbage\r\n\r\n"s, 400, bad},
      {"a TLS ClientHello on the plain port", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"s + std::string(64, 'r'), 400, bad},
      {"the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, bad},
      {"bare LF line endings", "GET /healthz HTTP/1.1\nHost: x\n\n", 400, bad},
      // RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; a proxy may route by another.
      {"no Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, bad},
      {"two Hosts", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, bad},
      {"NUL in a header value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s, 400, bad},
      {"NUL in the target", "GET /v1/check\0point HTTP/1.1\r\nHost: x\r\n\r\n"s, 400, bad},
      {"a space in the target", "GET /v1/check point HTTP/1.1\r\nHost: x\r\n\r\n", 400, bad},
      {"HTTP/9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", 400, bad},
      {"a method with '<'", "GE<T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 400, bad},
      // Framing: what a proxy could read differently (request smuggling).
      {"Content-Length and Transfer-Encoding", Http("POST", "/v1/firms", t.admin, "0\r\n\r\n", "Transfer-Encoding: chunked\r\n"),
       400, bad},
      {"two different Content-Lengths", Http("POST", "/v1/firms", t.admin, "{}", "Content-Length: 3\r\n"), 400, bad},
      {"Content-Length -1", "POST /v1/firms HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, bad},
      {"Content-Length 2^70", "POST /v1/firms HTTP/1.1\r\nHost: x\r\nContent-Length: 1180591620717411303424\r\n\r\n", 400, bad},
      {"chunked not the final coding", ChunkedPost("/v1/firms", t.admin, "{}", 2, "chunked, gzip"), 400, bad},
      {"a transfer coding without chunked", ChunkedPost("/v1/firms", t.admin, "{}", 2, "gzip"), 400, bad},
      // RFC 9112 §6.1: chunked is the one transfer coding implemented; another is not ignored (501).
      {"gzip, then chunked", ChunkedPost("/v1/firms", t.admin, R"({"idempotency_key":"te1","firm_id":"FTE1","name":"n"})", 8, "gzip, chunked"),
       501, "unsupported-transfer-coding"},
      {"gzip, then chunked in a second field",
       ChunkedPost("/v1/firms", t.admin, R"({"idempotency_key":"te2","firm_id":"FTE2","name":"n"})", 8, "gzip\r\nTransfer-Encoding: chunked"),
       501, "unsupported-transfer-coding"},
      {"identity, then chunked",
       ChunkedPost("/v1/firms", t.admin, R"({"idempotency_key":"te3","firm_id":"FTE3","name":"n"})", 8, "identity,chunked"), 501,
       "unsupported-transfer-coding"},
      {"a chunk size that is not hex",
       "POST /v1/firms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.admin +
           "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       400, bad},
      {"a control character in a chunk extension",
       "POST /v1/firms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.admin +
           "\r\nTransfer-Encoding: chunked\r\n\r\n1;\x01\r\na\r\n0\r\n\r\n",
       400, bad},
      // A write's body is not read without a valid token: refused on the header, connection closed.
      {"a body with no token", "POST /v1/communities/C1/payments:batch HTTP/1.1\r\nHost: x\r\n"
                               "Content-Length: 16000000\r\n\r\n",
       401, "unauthenticated"},
      {"a body with a bad token", "POST /v1/firms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n"
                                  "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n",
       401, "bad-token"},
      {"a body to no route", "POST /v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 404,
       "no-route"},
      // Nor a body to a route that takes none: a GET's, or a POST's to a route only read.
      {"an anonymous GET with a body and Expect: 100-continue",
       "GET /v1/checkpoint HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n", 413,
       "body-too-large"},
      {"a GET with a chunked body", "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 413,
       "body-too-large"},
      {"a GET with a small body sent whole", Http("GET", "/v1/keys", "", "{}"), 413, "body-too-large"},
      {"a POST to a route only read", "POST /v1/checkpoint HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 405,
       "method-not-allowed"},
      // Bodies over the limits.
      {"a chunked body over 1 MiB", ChunkedPost("/v1/firms", t.admin, firm_body, 64 * 1024), 413, "body-too-large"},
      {"a chunked batch over 16 MiB", ChunkedPost("/v1/communities/C1/payments:batch", t.firm, batch_body, 1 << 20), 413,
       "body-too-large"},
      {"Content-Length over 1 MiB, no body sent", "POST /v1/firms HTTP/1.1\r\nHost: x\r\nContent-Length: " + over + "\r\n\r\n",
       413, "body-too-large"},
      {"Content-Length over 16 MiB on the batch route",
       "POST /v1/communities/C1/payments:batch HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(kBatchBodyBytesMax + 1) +
           "\r\n\r\n",
       413, "body-too-large"},
      {"Expect: 100-continue with a body over the limit",
       "POST /v1/firms HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + over + "\r\n\r\n", 413, "body-too-large"},
      // Methods.
      {"DELETE on a write route", Http("DELETE", "/v1/firms", t.admin), 405, "method-not-allowed"},
      {"PUT on payments", Http("PUT", kPayments, t.firm, Payment("put")), 405, "method-not-allowed"},
      {"PATCH on an entry", Http("PATCH", "/v1/entries/0", t.admin, "{}"), 405, "method-not-allowed"},
      {"TRACE", Http("TRACE", "/v1/checkpoint"), 405, "method-not-allowed"},
      {"a made-up method", Http("FROBNICATE", "/v1/checkpoint"), 405, "method-not-allowed"},
      {"a lower-case method", Http("get", "/v1/checkpoint"), 405, "method-not-allowed"},
      {"OPTIONS *", Http("OPTIONS", "*"), 400, "bad-target"},
      {"CONNECT to an authority", Http("CONNECT", "127.0.0.1:443"), 400, "bad-target"},
      {"an absolute-form target", Http("GET", "http://evil.example/v1/checkpoint"), 400, "bad-target"},
  };
}

std::vector<Abuse> PathAndQueryCases(const Target& t) {
  const std::string account = "/v1/communities/C1/units/U1/account";
  std::string many_params = "/v1/checkpoint?";
  for (size_t i = 0; i <= api::kQueryParamsMax; ++i) many_params += "p" + std::to_string(i) + "=1&";
  return {
      // Path traversal: paths are matched as sent, never normalized; a parameter cannot hold '/'.
      {"/../ in the path", Http("GET", "/v1/../v1/checkpoint"), 404, "no-route"},
      {"/../../ out of the root", Http("GET", "/../../../../etc/passwd"), 404, "no-route"},
      {"encoded dots as a segment", Http("GET", "/v1/%2e%2e/v1/checkpoint"), 404, "no-route"},
      {"encoded dots as a community", Http("GET", "/v1/communities/%2e%2e/statements/2026", t.regulator), 404,
       "unknown-community"},
      {"encoded dots and slashes", Http("GET", "/v1/communities/..%2F..%2Fstore/statements/2026", t.regulator), 400, "bad-path"},
      {"encoded slash in a unit", Http("GET", "/v1/communities/C1/units/%2e%2e%2fU2/account?period=2026-01", t.owner), 400,
       "bad-path"},
      {"encoded slash in a seq", Http("GET", "/v1/entries/..%2f0", t.regulator), 400, "bad-path"},
      {"backslashes", Http("GET", "/v1/communities/C1%5c..%5c..%5cetc/statements/2026", t.regulator), 404, "unknown-community"},
      {"overlong UTF-8 dots", Http("GET", "/v1/communities/%c0%ae%c0%ae/statements/2026", t.regulator), 404, "unknown-community"},
      {"encoded dots as a firm's community", Http("POST", "/v1/communities/%2e%2e/payments", t.firm, Payment("dots")), 403,
       "forbidden"},
      {"a leading //", Http("GET", "//v1/checkpoint"), 404, "no-route"},
      {"an empty segment", Http("GET", "/v1//checkpoint"), 404, "no-route"},
      {"a trailing slash", Http("GET", "/v1/checkpoint/"), 404, "no-route"},
      {"a fragment", Http("GET", "/v1/checkpoint#x"), 400, "bad-target"},
      // Control characters and invalid escapes in the path and the query.
      {"%00 in a community", Http("GET", "/v1/communities/C1%00/statements/2026", t.regulator), 400, "bad-path"},
      {"CR LF in a proposal", Http("GET", "/v1/communities/C1/proposals/PM%0d%0aX-Injected:%201", t.regulator), 400, "bad-path"},
      {"DEL in a unit", Http("GET", "/v1/communities/C1/units/U1%7f/account?period=2026-01", t.firm), 400, "bad-path"},
      {"an invalid escape", Http("GET", "/v1/entries/%zz", t.regulator), 400, "bad-path"},
      {"%00 in the query", Http("GET", "/v1/checkpoint?tree_size=%00"), 400, "bad-query"},
      {"an invalid escape in the query", Http("GET", "/v1/checkpoint?tree_size=%g1"), 400, "bad-query"},
      {"a query parameter without a name", Http("GET", "/v1/checkpoint?=5"), 400, "bad-query"},
      {"33 query parameters", Http("GET", many_params), 400, "bad-query"},
      {"the same parameter twice", Http("GET", account + "?period=2026-01&period=2026-02", t.owner), 400,
       "duplicate-query-parameter"},
      {"invalid UTF-8 in a period", Http("GET", account + "?period=2026-0%ff", t.owner), 400, "bad-period"},
      // Very long strings in the path and the query.
      {"a community id of 8 KiB", Http("GET", "/v1/communities/" + std::string(8 * 1024, 'C') + "/statements/2026", t.regulator),
       404, "unknown-community"},
      {"a proposal id of 8 KiB", Http("GET", "/v1/communities/C1/proposals/" + std::string(8 * 1024, 'P'), t.regulator), 404,
       "unknown-proposal"},
      {"a tree_size of 8 KiB of digits", Http("GET", "/v1/checkpoint?tree_size=" + std::string(8 * 1024, '9')), 400, "bad-request"},
      {"a period of 8 KiB", Http("GET", account + "?period=" + std::string(8 * 1024, '2'), t.owner), 400, "bad-period"},
      // Integers at the edges of 64 bits in the path and the query.
      {"tree_size 2^64", Http("GET", "/v1/checkpoint?tree_size=18446744073709551616"), 400, "bad-request"},
      {"tree_size 2^64-1", Http("GET", "/v1/checkpoint?tree_size=18446744073709551615"), 404, "no-checkpoint"},
      {"an inclusion proof at 2^64-1", Http("GET", "/v1/proofs/inclusion?leaf_index=18446744073709551614&tree_size=18446744073709551615"),
       404, "beyond-tree"},
      {"a consistency proof to 2^64-1", Http("GET", "/v1/proofs/consistency?first=1&second=18446744073709551615"), 404,
       "beyond-tree"},
      {"limit -1", Http("GET", "/v1/entries?community=C1&limit=-1", t.firm), 400, "bad-request"},
      {"an entry at 2^64-1", Http("GET", "/v1/entries/18446744073709551615", t.regulator), 404, "unknown-entry"},
      {"a reversal of seq 2^64-1", Http("POST", "/v1/entries/18446744073709551615/reversal", t.admin, R"({"idempotency_key":"r1","reason":"x"})"),
       404, "unknown-entry"},
      {"a reversal of seq 2^64", Http("POST", "/v1/entries/18446744073709551616/reversal", t.admin, R"({"idempotency_key":"r2","reason":"x"})"),
       400, "bad-seq"},
      {"a reversal of seq ' 5'", Http("POST", "/v1/entries/%20" + std::to_string(t.payment_seq) + "/reversal", t.firm,
                                      R"({"idempotency_key":"r3","reason":"x"})"),
       400, "bad-seq"},
      {"a reversal of seq '+5'", Http("POST", "/v1/entries/+" + std::to_string(t.payment_seq) + "/reversal", t.firm,
                                      R"({"idempotency_key":"r4","reason":"x"})"),
       400, "bad-seq"},
  };
}

std::vector<Abuse> BodyCases(const Target& t) {
  const std::string units = "/v1/communities/C1/units";
  const std::string deep_arrays = Repeat("[", 100'000) + Repeat("]", 100'000);
  const std::string deep_objects = Repeat("{\"a\":", 100'000) + "1" + Repeat("}", 100'000);
  const std::string evaluation = R"({"idempotency_key":"ev","payment_seq":)" + std::to_string(t.payment_seq) +
                                 R"(,"scores":{"cleaning":3,"security":3,"greenery":3,"repair":3,"service":3},"comment":")";
  std::string units_5001 = R"({"idempotency_key":"u5001","units":[)";
  for (int i = 0; i < 5001; ++i) units_5001 += (i ? "," : "") + (R"({"unit_id":"X)" + std::to_string(i) + R"(","area_centi_m2":1})");
  units_5001 += "]}";
  auto post = [](const std::string& path, const std::string& token, const std::string& body) { return Http("POST", path, token, body); };
  auto pay = [&](const std::string& body) { return post(kPayments, t.firm, body); };
  return {
      // Deep JSON.
      {"100,000 nested arrays in a field", pay(Payment("deep1", deep_arrays)), 400, "bad-json"},
      {"100,000 nested objects in a field", pay(Payment("deep2", "1", ",\"x\":" + deep_objects)), 400, "bad-json"},
      {"100,000 nested arrays as the body", pay(deep_arrays), 400, "bad-json"},
      {"33 nested objects", pay(Repeat("{\"a\":", 33) + "1" + Repeat("}", 33)), 400, "bad-json"},
      {"half a MiB of '['", pay(std::string(512 * 1024, '[')), 400, "bad-json"},
      // Very long strings in the body.
      {"an idempotency key of 100 KiB", pay(Payment(std::string(100 * 1024, 'k'))), 400, "bad-idempotency-key"},
      {"a unit id of 64 KiB", pay(PaymentField("long-unit", "unit_id", "\"" + std::string(64 * 1024, 'U') + "\"")), 404,
       "unknown-unit"},
      {"a receipt_ref of 500 KiB", pay(Payment("long-ref", "100", ",\"receipt_ref\":\"" + std::string(500 * 1024, 'r') + "\"")),
       400, "bad-request"},
      {"a firm name of almost 1 MiB",
       post("/v1/firms", t.admin, R"({"idempotency_key":"n","firm_id":"FN","name":")" + std::string(kBodyBytesMax - 100, 'n') + "\"}"),
       400, "bad-request"},
      {"a comment of 1,001 bytes", post("/v1/communities/C1/evaluations", t.owner, evaluation + std::string(1001, 'c') + "\"}"), 400,
       "bad-request"},
      {"a principal id of 65 characters",
       post("/v1/tokens", t.admin, R"({"role":"regulator","principal_id":")" + std::string(65, 'p') + "\"}"), 400, "bad-credential"},
      {"5,001 units in one entry", post(units, t.firm, units_5001), 400, "bad-request"},
      // A voucher's hash has one spelling in the log: lowercase, as the proto says.
      {"a voucher in upper case", post(kDisbursements, t.firm, Spending("vu", {{"voucher_sha256", std::string(64, 'A')}})), 400,
       "bad-voucher"},
      {"a voucher in mixed case",
       post(kDisbursements, t.firm, Spending("vm", {{"voucher_sha256", std::string(63, 'a') + "F"}})), 400, "bad-voucher"},
      // Control characters in free text: stored in the signed log for good, and printed back on
      // screens and terminals (escape sequences, forged lines). JSON escapes them; C1 needs none.
      {"ESC [ in a payee", post(kDisbursements, t.firm, Spending("cc1", {{"payee", "Cleaner\x1b[2J\x1b[31mLtd"}})), 400, "bad-text"},
      {"a C1 CSI (U+009B) in a description", post(kDisbursements, t.firm, Spending("cc2", {{"description", "stairs\xc2\x9b" "31m"}})),
       400, "bad-text"},
      {"NUL in a firm name", post("/v1/firms", t.admin, R"({"idempotency_key":"cc3","firm_id":"FCC","name":"Firm\u0000One"})"), 400,
       "bad-text"},
      {"CR LF in a comment", post("/v1/communities/C1/evaluations", t.owner, evaluation + "fine\\r\\nseq 9: refund 1000000\"}"), 400,
       "bad-text"},
      {"DEL in a proposal title",
       post("/v1/communities/C1/proposals", t.committee,
            R"({"idempotency_key":"cc5","proposal_id":"PCC","title":"Benches\u007f","matter":"ORDINARY","amount":100,"fund":"FEES","closes_on":"2099-12-31"})"),
       400, "bad-text"},
      {"a tab in a reversal's reason",
       post("/v1/entries/" + std::to_string(t.payment_seq) + "/reversal", t.firm, R"({"idempotency_key":"cc6","reason":"typo\tfix"})"),
       400, "bad-text"},
      {"an OSC sequence in a receipt_ref", pay(Payment("cc7", "100", R"(,"receipt_ref":"r\u001b]0;pwned\u0007")")), 400, "bad-text"},
      {"NEL (U+0085) in a payer",
       post("/v1/communities/C1/public-revenue", t.firm,
            R"({"idempotency_key":"cc8","source":"parking","amount":100,"payer":"Car\u0085Park","received_on":"2026-05-03"})"),
       400, "bad-text"},
      // Invalid UTF-8.
      {"invalid UTF-8 in a string", pay(Payment("utf8", "100", ",\"receipt_ref\":\"\xc3\x28\"")), 400, "bad-json"},
      {"a UTF-16 body", pay("\xfe\xff\x00{\x00}"s), 400, "bad-json"},
      {"a UTF-8 byte order mark", pay("\xef\xbb\xbf" + Payment("bom")), 400, "bad-json"},
      {"a NUL byte after the object", pay(Payment("nul") + "\0{\"more\":1}"s), 400, "bad-json"},
      {"a reversed surrogate pair", pay(Payment("surrogate", "100", ",\"receipt_ref\":\"\\udc00\\ud800\"")), 400, "bad-json"},
      {"invalid UTF-8 in a bank statement",
       Http("POST", "/v1/communities/C1/reconciliation", t.firm,
            "date,amount,direction,counterparty,reference\n2026-05-03,1.00,credit,\xff\xfe,R\n", "Content-Type: text/csv\r\n"),
       400, "bad-bank-statement"},
      {"a bank statement dated in the year 1013",
       Http("POST", "/v1/communities/C1/reconciliation", t.firm,
            "date,amount,direction,counterparty,reference\n1013-01-07,600.00,credit,owner,R\n", "Content-Type: text/csv\r\n"),
       400, "bad-bank-statement"},
      // Control characters in ids.
      {"NUL in a unit id", pay(PaymentField("nul-unit", "unit_id", R"("U1\u0000")")), 404, "unknown-unit"},
      {"NUL in an idempotency key", pay(Payment("k\\u0000")), 400, "bad-idempotency-key"},
      {"a newline in an idempotency key", pay(Payment("k\\n")), 400, "bad-idempotency-key"},
      {"DEL in a firm id", post("/v1/firms", t.admin, R"({"idempotency_key":"del","firm_id":"F\u007f","name":"n"})"), 400,
       "bad-request"},
      {"a tab as a unit id", post(units, t.firm, R"({"idempotency_key":"tab","units":[{"unit_id":"\t","area_centi_m2":1}]})"), 400,
       "bad-request"},
      {"a space in a community id",
       post("/v1/communities", t.admin,
            R"({"idempotency_key":"sp","community_id":"C 2","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":1,"remuneration":{"basis_points_of_fee_income":1},"start_month":"2026-01"})"),
       400, "bad-request"},
      {"NUL in a principal id", post("/v1/tokens", t.admin, R"({"role":"regulator","principal_id":"r\u0000"})"), 400,
       "bad-credential"},
      // Integers: overflows, signs, floats, exponents, numbers as strings.
      {"amount INT64_MAX", pay(Payment("i1", "9223372036854775807")), 400, "bad-amount"},
      {"amount INT64_MAX as a string", pay(Payment("i2", "\"9223372036854775807\"")), 400, "bad-amount"},
      {"amount INT64_MIN", pay(Payment("i3", "-9223372036854775808")), 400, "bad-amount"},
      {"amount below INT64_MIN as a string", pay(Payment("i4", "\"-9223372036854775809\"")), 400, "bad-json"},
      {"amount 2^64 as a string", pay(Payment("i5", "\"18446744073709551616\"")), 400, "bad-json"},
      {"amount one over the limit", pay(Payment("i6", "100000000001")), 400, "bad-amount"},
      {"amount 1e3", pay(Payment("i7", "1e3")), 400, "bad-json"},
      {"amount 1E2", pay(Payment("i8", "1E2")), 400, "bad-json"},
      {"amount 100.0 (yuan written as fen?)", pay(Payment("i9", "100.0")), 400, "bad-json"},
      {"amount 256.00", pay(Payment("i10", "256.00")), 400, "bad-json"},
      {"amount 1e400", pay(Payment("i11", "1e400")), 400, "bad-json"},
      {"amount \"1e3\"", pay(Payment("i12", "\"1e3\"")), 400, "bad-json"},
      {"amount \"0x10\"", pay(Payment("i13", "\"0x10\"")), 400, "bad-json"},
      {"amount \" 100\"", pay(Payment("i14", "\" 100\"")), 400, "bad-json"},
      {"amount NaN", pay(Payment("i15", "NaN")), 400, "bad-json"},
      {"amount \"Infinity\"", pay(Payment("i16", "\"Infinity\"")), 400, "bad-json"},
      {"months 2^32", pay(PaymentField("m1", "months", "4294967296")), 400, "bad-json"},
      {"months 2^32-1", pay(PaymentField("m2", "months", "4294967295")), 400, "bad-period"},
      {"months 1.0", pay(PaymentField("m3", "months", "1.0")), 400, "bad-json"},
      {"area INT64_MAX", post(units, t.firm, R"({"idempotency_key":"a1","units":[{"unit_id":"Z1","area_centi_m2":9223372036854775807}]})"),
       400, "bad-area"},
      {"fee rate INT64_MAX",
       post("/v1/communities", t.admin,
            R"({"idempotency_key":"fr","community_id":"C9","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":9223372036854775807,"remuneration":{"basis_points_of_fee_income":1},"start_month":"2026-01"})"),
       400, "bad-rate"},
      {"basis points 2^32",
       post("/v1/communities", t.admin,
            R"({"idempotency_key":"bp","community_id":"C9","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":1,"remuneration":{"basis_points_of_fee_income":4294967296},"start_month":"2026-01"})"),
       400, "bad-json"},
      {"payment_seq 2^64", post("/v1/communities/C1/evaluations", t.owner, R"({"idempotency_key":"ps","payment_seq":18446744073709551616})"),
       400, "bad-json"},
      {"payment_seq 2^64-1",
       post("/v1/communities/C1/evaluations", t.owner,
            R"({"idempotency_key":"ps2","payment_seq":"18446744073709551615","scores":{"cleaning":3,"security":3,"greenery":3,"repair":3,"service":3}})"),
       404, "unknown-payment"},
      // Content types: the body is judged by what it is, whatever it is labelled.
      {"a form-encoded body", Http("POST", "/v1/firms", t.admin, "firm_id=F9&name=x", "Content-Type: application/x-www-form-urlencoded\r\n"),
       400, "bad-json"},
      {"a multipart body",
       Http("POST", "/v1/firms", t.admin, "--b\r\nContent-Disposition: form-data; name=\"firm_id\"\r\n\r\nF9\r\n--b--\r\n",
            "Content-Type: multipart/form-data; boundary=b\r\n"),
       400, "bad-json"},
      {"XML", Http("POST", "/v1/firms", t.admin, "<firm><firm_id>F9</firm_id></firm>", "Content-Type: application/xml\r\n"), 400,
       "bad-json"},
      {"a CSV labelled text/csv on a JSON route", Http("POST", kPayments, t.firm, "unit_id,amount\nU1,100\n", "Content-Type: text/csv\r\n"),
       400, "bad-json"},
      {"gzip bytes labelled Content-Encoding: gzip",
       Http("POST", "/v1/firms", t.admin, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\xae\x05\x00"s,
            "Content-Encoding: gzip\r\n"),
       400, "bad-json"},
      {"JSON sent to the bank statement route", Http("POST", "/v1/communities/C1/reconciliation", t.firm, Payment("csv")), 400,
       "bad-bank-statement"},
  };
}

std::vector<Abuse> TokenCases(const Target& t) {
  const std::string& a = t.admin;
  const std::string firm = R"({"idempotency_key":"tok","firm_id":"FT","name":"n"})";
  auto with = [&](const std::string& authorization) {
    return Http("POST", "/v1/firms", "", firm, "Authorization: " + authorization + "\r\n");
  };
  std::string last_changed = a;
  last_changed.back() = last_changed.back() == 'A' ? 'Q' : 'A';  // both canonical last characters
  std::string middle_changed = a;
  middle_changed[20] = middle_changed[20] == 'x' ? 'y' : 'x';
  std::string upper_prefix = a;
  upper_prefix.replace(0, 3, "MZ_");
  return {
      {"no token", Http("POST", "/v1/firms", "", firm), 401, "unauthenticated"},
      {"Bearer and nothing", with("Bearer"), 401, "bad-token"},
      {"a short token", with("Bearer mz_abc"), 401, "bad-token"},
      {"a token of 8 KiB", with("Bearer mz_" + std::string(8 * 1024, 'A')), 401, "bad-token"},
      {"the last character changed", with("Bearer " + last_changed), 401, "bad-token"},
      {"one character changed", with("Bearer " + middle_changed), 401, "bad-token"},
      {"one character short", with("Bearer " + a.substr(0, a.size() - 1)), 401, "bad-token"},
      {"one character more", with("Bearer " + a + "A"), 401, "bad-token"},
      {"the prefix in capitals", with("Bearer " + upper_prefix), 401, "bad-token"},
      {"invalid UTF-8 in the token", with("Bearer mz_\xff\xfe" + a.substr(5)), 401, "bad-token"},
      {"the stored hash instead of the token", with("Bearer " + HexEncode(AsBytes(Sha256(a)))), 401, "bad-token"},
      {"Basic credentials", with("Basic YWRtaW46YWRtaW4="), 401, "bad-token"},
      {"the token in the query", Http("POST", "/v1/firms?access_token=" + a, "", firm), 401, "unauthenticated"},
      {"the token as a cookie", Http("POST", "/v1/firms", "", firm, "Cookie: token=" + a + "\r\n"), 401, "unauthenticated"},
      {"a bad token, then the admin's", Http("POST", "/v1/firms", "", firm, "Authorization: Bearer x\r\nAuthorization: Bearer " + a + "\r\n"),
       401, "bad-token"},
      {"the admin's token, then a bad one", Http("POST", "/v1/firms", "", firm, "Authorization: Bearer " + a + "\r\nAuthorization: Bearer x\r\n"),
       401, "bad-token"},
      // Only the header section authenticates: a token in a chunked body's trailer is not merged in.
      // (A GET's trailer is not even read now: a GET takes no body.)
      {"a token only in a trailer, on a read",
       ChunkedWithTrailer("GET", "/v1/communities/C1/statements/2026", "", "{}", "Authorization: Bearer " + t.regulator + "\r\n"),
       413, "body-too-large"},
      {"a firm's token in the header and the admin's in the trailer",
       ChunkedWithTrailer("POST", "/v1/firms", t.firm, firm, "Authorization: Bearer " + a + "\r\n"), 403, "forbidden"},
      {"a firm's token on an admin route", Http("POST", "/v1/firms", t.firm, firm), 403, "forbidden"},
      {"an owner's token for another unit", Http("POST", kPayments, t.owner, PaymentField("other", "unit_id", "\"U2\"")), 403, "forbidden"},
  };
}

TEST_CASE("hostile requests get their documented refusal, write nothing, and the server answers the next", "[hostile]") {
  Target t;
  std::vector<Abuse> cases;
  for (auto make : {HttpLayerCases, PathAndQueryCases, BodyCases, TokenCases}) {
    for (Abuse& a : make(t)) cases.push_back(std::move(a));
  }
  CHECK(cases.size() >= 60);
  CheckRefusals(t, cases);
  // And it still writes, ordinary Chinese text too.
  t.Write(kPayments, t.firm, Payment("after-the-abuse"));
  t.Write(kDisbursements, t.firm,
          Spending("chinese", {{"payee", "北京市朝阳区洁净保洁服务有限公司"}, {"description", "楼道保洁（2026年5月）· 含垃圾清运"}}));
}

// ---------------------------------------------------------------------------------------------
// 2. Slow clients, floods, pipelining, guessing.

// Milliseconds `request` takes to answer `status`; a failed CHECK and a large number otherwise.
int64_t TimedMs(const std::function<Reply()>& request, int status) {
  const auto start = std::chrono::steady_clock::now();
  const Reply r = request();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  INFO(r.Describe());
  CHECK(r.status == status);
  return r.status == status ? ms : std::numeric_limits<int64_t>::max();
}

TEST_CASE("slow clients hold up nobody else", "[hostile][slow]") {
  constexpr int kStalledConnections = 64;
  constexpr auto kTrickleGap = std::chrono::milliseconds(25);
  Target t;
  // Connections that send half a header and then nothing, and one that announces a body and
  // sends only its start.
  std::vector<std::unique_ptr<HttpClient>> stalled;
  for (int i = 0; i < kStalledConnections; ++i) {
    stalled.push_back(std::make_unique<HttpClient>(t.port()));
    REQUIRE(stalled.back()->Write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").empty());
  }
  HttpClient half_body(t.port());
  REQUIRE(half_body.Write("POST /v1/firms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.admin +
                          "\r\nContent-Length: 100\r\n\r\n{\"idem")
              .empty());
  // A request trickled one byte at a time while others are served.
  Reply trickled;
  std::thread trickle([&] {
    HttpClient c(t.port());
    for (char byte : Http("GET", "/v1/checkpoint")) {
      if (!c.Write(std::string(1, byte)).empty()) return;
      std::this_thread::sleep_for(kTrickleGap);
    }
    trickled = c.Read();
  });
  HttpClient fast(t.port());
  const uint64_t size = TreeSize(fast);
  for (int i = 0; i < 20; ++i) {
    CHECK(TimedMs([&] { return fast.Get("/v1/checkpoint"); }, 200) < kFastAnswerMs);
    CHECK(TimedMs([&] { return HttpClient(t.port()).Get("/healthz"); }, 200) < kFastAnswerMs);
  }
  CHECK(TimedMs([&] { return fast.Post(kPayments, t.firm, Payment("while-slow")); }, 201) < kFastAnswerMs);
  trickle.join();
  INFO(trickled.Describe());
  CHECK(trickled.status == 200);
  CHECK(TreeSize(fast) == size + 1);
  // The stalled ones were waited for, not dropped: finishing a header still gets its answer.
  REQUIRE(stalled[0]->Write("1\r\n\r\n").empty());
  CHECK(stalled[0]->Read().status == 200);
}

TEST_CASE("a request not complete within the read timeout is closed unanswered", "[hostile][slow]") {
  constexpr int kReadTimeoutTestMs = 1'000;
  constexpr int kStalledConnections = 16;
  Target t({"--read-timeout-ms", std::to_string(kReadTimeoutTestMs)});
  HttpClient idle(t.port());
  const uint64_t size = TreeSize(idle);  // leaves `idle` open between requests
  std::vector<std::unique_ptr<HttpClient>> stalled;
  for (int i = 0; i < kStalledConnections; ++i) {
    stalled.push_back(std::make_unique<HttpClient>(t.port()));
    REQUIRE(stalled.back()->Write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").empty());
  }
  HttpClient half_body(t.port());
  REQUIRE(half_body.Write("POST /v1/communities/C1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          t.firm + "\r\nContent-Length: 300\r\n\r\n" + Payment("never-finished").substr(0, 40))
              .empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(kReadTimeoutTestMs + 500));
  for (auto& c : stalled) CHECK(c->ClosedByServer(kFastAnswerMs));
  CHECK(half_body.ClosedByServer(kFastAnswerMs));
  CHECK(idle.ClosedByServer(kFastAnswerMs));  // idle as long, between requests
  HttpClient after(t.port());
  CHECK(TreeSize(after) == size);  // the half-sent payment was not written
  CHECK(after.Get("/healthz").status == 200);
}

TEST_CASE("a body that would not be taken is not read: refused on its header, no 100 Continue, connection closed",
          "[hostile][slow]") {
  Target t;
  HttpClient probe(t.port());
  const uint64_t size = TreeSize(probe);
  struct Case {
    std::string name, header;  // a header announcing 1 MB that is never sent
    int status;
    std::string type, allow;
  };
  const std::string announced = "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n";
  const std::vector<Case> cases = {
      {"an anonymous GET", "GET /v1/checkpoint HTTP/1.1\r\nHost: x\r\n" + announced, 413, "body-too-large", ""},
      {"an owner's GET", "GET /v1/communities/C1/statements/2026 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.owner +
                             "\r\n" + announced,
       413, "body-too-large", ""},
      {"an anonymous chunked GET", "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
       413, "body-too-large", ""},
      {"an anonymous POST to a route only read", "POST /v1/keys HTTP/1.1\r\nHost: x\r\n" + announced, 405,
       "method-not-allowed", "GET"},
      {"the admin's POST to a route only read",
       "POST /v1/entries/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.admin + "\r\n" + announced, 405,
       "method-not-allowed", "GET"},
      {"an anonymous POST to no route", "POST /v1/nothing HTTP/1.1\r\nHost: x\r\n" + announced, 404, "no-route", ""},
      {"an anonymous write", "POST /v1/firms HTTP/1.1\r\nHost: x\r\n" + announced, 401, "unauthenticated", ""},
      {"the admin's write in a transfer coding not implemented",
       "POST /v1/firms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.admin +
           "\r\nTransfer-Encoding: gzip, chunked\r\nExpect: 100-continue\r\n\r\n",
       501, "unsupported-transfer-coding", ""},
  };
  for (const Case& c : cases) {
    INFO("case: " << c.name);
    HttpClient client(t.port());
    Reply r;
    // Answered at once, not after the client gave up waiting for 100 Continue or the timeout.
    CHECK(TimedMs([&] { return r = client.Raw(c.header); }, c.status) < kFastAnswerMs);
    INFO(r.Describe());
    CHECK(r.Json()["type"] == c.type);
    CHECK(r.Header(http::field::allow) == c.allow);
    CHECK_FALSE(r.keep_alive);
    CHECK(client.ClosedByServer(kFastAnswerMs));
  }
  CHECK(TreeSize(probe) == size);
  // A write with its token is still asked for its body.
  HttpClient writer(t.port());
  const std::string body = Payment("continued");
  Reply interim = writer.Raw("POST " + std::string(kPayments) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t.firm +
                             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
  CHECK(interim.status == 100);
  REQUIRE(writer.Write(body).empty());
  CHECK(writer.Read().status == 201);
}

// A connected TCP socket and nothing more: thousands of them must not cost thousands of
// io_contexts in this process.
class BareConnection {
 public:
  explicit BareConnection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~BareConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  BareConnection(const BareConnection&) = delete;
  BareConnection& operator=(const BareConnection&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

// Sets this process's soft limit of open files (children inherit it); restores it on scope exit.
class SoftFileLimit {
 public:
  explicit SoftFileLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit changed = saved_;
    changed.rlim_cur = std::min(soft, saved_.rlim_max);
    ok_ = ::setrlimit(RLIMIT_NOFILE, &changed) == 0 && changed.rlim_cur == soft;
  }
  ~SoftFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  SoftFileLimit(const SoftFileLimit&) = delete;
  SoftFileLimit& operator=(const SoftFileLimit&) = delete;
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  bool ok_ = false;
};

// Waits (a few seconds at most) until the server counts `n` open connections, `client`'s included.
bool WaitOpenConnections(HttpClient& client, int n) {
  const std::string line = "\nmingzhang_http_open_connections " + std::to_string(n) + "\n";
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (client.Get("/metrics").body.find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_CASE("a flood of connections: 503 beyond the limit, and the store still writes", "[hostile][connections]") {
  // This process holds its own end of every connection.
  SoftFileLimit room(2 * kConnectionsMax + 256);
  if (!room.ok()) {
    WARN("skipped: the hard limit of open files is below " << 2 * kConnectionsMax + 256);
    return;
  }
  // Start the daemon under the common default of 1,024 files, fewer than its connections and its
  // store need: it must make room (or lower its limit), so that a flood meets 503, not EMFILE.
  std::optional<Target> t;
  {
    SoftFileLimit common_default(1024);
    REQUIRE(common_default.ok());
    t.emplace();
  }
  // One connection of the limit, kept open to write while flooded; the set-up's has gone.
  t->client->Close();
  HttpClient writer(t->port());
  REQUIRE(WaitOpenConnections(writer, 1));
  const uint64_t size = TreeSize(writer);
  std::vector<std::unique_ptr<BareConnection>> flood;
  for (size_t i = 1; i < kConnectionsMax; ++i) {
    flood.push_back(std::make_unique<BareConnection>(t->port()));
    REQUIRE(flood.back()->connected());
  }
  HttpClient one_more(t->port());
  const Reply refused = one_more.Get("/healthz");
  INFO(refused.Describe());
  CHECK(refused.status == 503);
  CHECK(refused.Json()["type"] == "too-many-connections");
  CHECK(refused.Header(http::field::retry_after) == "1");
  CHECK_FALSE(refused.keep_alive);
  // The connections already open are served, writes included.
  CHECK(TimedMs([&] { return writer.Post(kPayments, t->firm, Payment("in-the-flood")); }, 201) < kFastAnswerMs);
  CHECK(TreeSize(writer) == size + 1);
  flood.clear();
  // Once the flood has gone, new connections are served again.
  // (The server closes the flood's connections as it reads their ends, so on a busy machine a
  // first attempt may still find it full: each such refusal is counted too.)
  int status = 0;
  int refused_while_closing = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    status = HttpClient(t->port()).Get("/healthz").status;
    refused_while_closing += status == 503 ? 1 : 0;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(status == 200);
  const Reply metrics = HttpClient(t->port()).Get("/metrics");
  const std::string refused_total = "mingzhang_http_refused_connections_total " + std::to_string(1 + refused_while_closing) + "\n";
  CHECK(metrics.body.find(refused_total) != std::string::npos);
}

TEST_CASE("pipelined requests are answered in order, garbage after them is refused, a smuggled request never runs",
          "[hostile][pipeline]") {
  Target t;
  HttpClient probe(t.port());
  const uint64_t size = TreeSize(probe);

  SECTION("four requests and garbage in one write") {
    HttpClient c(t.port());
    REQUIRE(c.Write(Http("GET", "/healthz") + Http("GET", "/v1/checkpoint") +
                    Http("POST", "/v1/firms", t.admin, R"({"idempotency_key":"pipe","firm_id":"FP","name":"n"})") +
                    Http("GET", "/v1/keys") + "\x16\x03\x01 not http\r\n\r\n")
                .empty());
    Reply health = c.Read(), checkpoint = c.Read(), written = c.Read(), keys = c.Read(), garbage = c.Read();
    CHECK(health.body == "ok\n");
    CHECK(checkpoint.body.rfind("mingzhang.local/district\n" + std::to_string(size) + "\n", 0) == 0);
    CHECK(written.status == 201);
    CHECK(keys.Json()["algorithm"] == "Ed25519");
    INFO(garbage.Describe());
    CHECK(garbage.status == 400);
    CHECK(garbage.Json()["type"] == "bad-request");
    CHECK_FALSE(garbage.keep_alive);
    CHECK(c.ClosedByServer(kFastAnswerMs));
    CHECK(TreeSize(probe) == size + 1);
  }

  SECTION("200 pipelined reads in one write") {
    HttpClient c(t.port());
    REQUIRE(c.Write(Repeat(Http("GET", "/v1/proofs/consistency?first=1&second=2"), 200)).empty());
    int answered = 0;
    for (int i = 0; i < 200; ++i) answered += c.Read().Json()["second"] == "2" ? 1 : 0;
    CHECK(answered == 200);
  }

  SECTION("a request hidden in the body of one whose length a proxy could read otherwise") {
    const std::string smuggled =
        Http("POST", "/v1/firms", t.admin, R"({"idempotency_key":"smuggled","firm_id":"FS","name":"n"})");
    for (const std::string& te : {std::string("chunked, gzip"), std::string("gzip"), std::string("chunked\r\nContent-Length: 3")}) {
      INFO("Transfer-Encoding: " << te);
      HttpClient c(t.port());
      REQUIRE(c.Write("POST /v1/firms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n" + smuggled).empty());
      const Reply first = c.Read();
      INFO(first.Describe());
      CHECK(first.status == 400);
      CHECK_FALSE(first.keep_alive);
      CHECK(c.ClosedByServer(kFastAnswerMs));
    }
    CHECK(TreeSize(probe) == size);
    // Had it run, FS would exist and this would be a duplicate.
    t.Write("/v1/firms", t.admin, R"({"idempotency_key":"not-smuggled","firm_id":"FS","name":"n"})");
  }
}

// A well-formed token nobody was given: "mz_" and 43 base64url characters, the last canonical.
std::string GuessToken(std::mt19937_64& rng) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token(kTokenPrefix);
  for (size_t i = 0; i + 1 < kTokenChars - kTokenPrefix.size(); ++i) token += kAlphabet[rng() % kAlphabet.size()];
  return token + kAlphabet[(rng() % 16) * 4];
}

TEST_CASE("token guessing: every guess is 401, nothing is written, the real token still works at once",
          "[hostile][tokens]") {
  constexpr int kGuesses = 300;
  Target t;
  HttpClient c(t.port());
  const uint64_t size = TreeSize(c);
  std::mt19937_64 rng(20261123);
  const std::string body = R"({"idempotency_key":"g","firm_id":"FG","name":"n"})";
  std::map<std::string, int> answers;
  for (int i = 0; i < kGuesses; ++i) {
    std::string guess = GuessToken(rng);
    REQUIRE(WellFormedToken(guess));
    Reply r = c.Post("/v1/firms", guess, body);
    ++answers[std::to_string(r.status) + " " + r.Json().value("type", "")];
    // Near misses of the real token: one character changed at a random place.
    std::string near = t.admin;
    const size_t at = kTokenPrefix.size() + rng() % (near.size() - kTokenPrefix.size() - 1);
    near[at] = near[at] == 'a' ? 'b' : 'a';
    r = c.Post("/v1/firms", near, body);
    ++answers[std::to_string(r.status) + " " + r.Json().value("type", "")];
  }
  CHECK(answers == std::map<std::string, int>{{"401 bad-token", 2 * kGuesses}});
  CHECK(TreeSize(c) == size);
  // No lock-out an attacker could trigger against the holder: the real token works at once.
  CHECK(TimedMs([&] { return c.Post("/v1/firms", t.admin, body); }, 201) < kFastAnswerMs);
}

// ---------------------------------------------------------------------------------------------
// 3. Secrets.

TEST_CASE("no token in the log, and tokens only hashed at rest", "[hostile][secrets]") {
  // A stored string shaped like a token body, to show that the searches below find what is stored.
  const std::string canary = "canary-Qx7LrT2vNw9KpZ4sYb6HcJ1mGfD8uE3aWq5";
  Target t;
  const std::vector<std::string> tokens = {t.admin, t.firm, t.owner, t.committee, t.regulator};
  // The tokens at work, and where a careless server would log them: targets, queries, refusals.
  HttpClient c(t.port());
  for (const std::string& token : tokens) {
    c.Get("/v1/communities/C1/statements/2026", token);
    c.Get("/v1/communities/C1/statements/2026?token=" + token, token);
    c.Get("/v1/communities/" + token + "/statements/2026", token);
    c.Post(kPayments, token, Payment("refused", "0"));
    c.Post("/v1/firms", token + "x", "{}");
  }
  t.Write(kPayments, t.firm, Payment("canary", "100", ",\"receipt_ref\":\"" + canary + "\""));
  REQUIRE(t.daemon.Terminate() == 0);
  const std::string data_dir = t.daemon.data_dir();

  INFO("the log: the requests, and never a token");
  const std::string log = t.daemon.log();
  CHECK(log.find("\"route\":\"/v1/communities/{c}/statements/{period}\"") != std::string::npos);
  for (const std::string& token : tokens) CHECK(log.find(token.substr(kTokenPrefix.size())) == std::string::npos);

  INFO("the files of the data dir: no token but in admin.token, which is 0600");
  bool canary_found = false;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(data_dir)) {
    if (!e.is_regular_file()) continue;
    const std::string bytes = ReadFile(e.path().string());
    INFO(e.path().string());
    canary_found = canary_found || bytes.find(canary) != std::string::npos;
    if (e.path().filename() == "admin.token") {
      CHECK(bytes == t.admin + "\n");
      CHECK((e.status().permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
      continue;
    }
    for (const std::string& token : tokens) CHECK(bytes.find(token.substr(kTokenPrefix.size())) == std::string::npos);
  }
  CHECK(canary_found);

  INFO("the store, read through the library: SHA-256 of each token, and no token");
  StoreOptions read_only;
  read_only.read_only = true;
  read_only.create_if_missing = false;
  Result<std::unique_ptr<Store>> store = Store::Open(data_dir + "/" + kStoreDirName, read_only);
  REQUIRE(store.ok());
  canary_found = false;
  for (int column = 0; column < kColumnCount; ++column) {
    std::unique_ptr<Cursor> cursor = (*store)->NewCursor(static_cast<Column>(column));
    for (cursor->Seek(""); cursor->Valid(); cursor->Next()) {
      canary_found = canary_found || cursor->value().find(canary) != std::string_view::npos;
      for (const std::string& token : tokens) {
        const std::string body = token.substr(kTokenPrefix.size());
        CHECK(cursor->key().find(body) == std::string_view::npos);
        CHECK(cursor->value().find(body) == std::string_view::npos);
      }
    }
    CHECK(cursor->status().ok());
  }
  CHECK(canary_found);
  for (const std::string& token : tokens) {
    Result<std::optional<std::string>> credential = (*store)->Get(Column::kAuth, "t" + std::string(AsBytes(Sha256(token))));
    REQUIRE(credential.ok());
    CHECK(credential->has_value());
  }
}

TEST_CASE("mingzhangd refuses numbers out of range in its flags and creates nothing", "[hostile][flags]") {
  testing::TempDir root;
  const std::string data_dir = root / "data";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--read-timeout-ms", "0"}, "--read-timeout-ms must be a whole number from 1 to 600000"},
      {{"--read-timeout-ms", "600001"}, "--read-timeout-ms must be a whole number from 1 to 600000"},
      {{"--read-timeout-ms", "-5"}, "--read-timeout-ms must be"},
      {{"--read-timeout-ms", "1e3"}, "--read-timeout-ms must be"},
      {{"--threads", "18446744073709551617"}, "--threads must be a whole number from 0 to 256"},
      {{"--threads", " 4"}, "--threads must be"},
      {{"--listen", "127.0.0.1:65536"}, "the port of --listen must be a whole number from 0 to 65535"},
      {{"--listen", "127.0.0.1:"}, "the port of --listen must be"},
      {{"--listen", "127.0.0.1"}, "usage: mingzhangd"},
      {{"--read-timeout-ms"}, "usage: mingzhangd"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> argv = {MINGZHANGD, "--data-dir", data_dir};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto [code, output] = RunCommand(argv, root / "flags.log");
    INFO(flags.back() << ": " << output);
    CHECK(code == 2);
    CHECK(output.find(message) != std::string::npos);
    CHECK_FALSE(fs::exists(data_dir));
  }
}

TEST_CASE("a log key that group or others may read or write: mingzhangd and mingzhang init refuse it", "[hostile][secrets]") {
  testing::TempDir root;
  const std::string data_dir = root / "data";
  const std::string key = data_dir + "/" + kKeyFileName;
  {
    Daemon d(data_dir);
    d.Start();
    REQUIRE(d.Terminate() == 0);
  }
  struct stat st {};
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // The exit code of a refusal (mingzhangd 1, the CLI 2), and a message naming the file and the fix.
  auto refused = [](const std::pair<int, std::string>& run, int code, const std::string& path) {
    INFO(run.second);
    CHECK(run.first == code);
    CHECK(run.second.find(path + " may be read by group or others; chmod 600 it") != std::string::npos);
  };
  for (mode_t mode : {0644, 0640, 0604, 0660, 0620, 0602, 0666}) {
    INFO("mode " << std::oct << mode);
    REQUIRE(::chmod(key.c_str(), mode) == 0);
    refused(RunCommand({MINGZHANGD, "--data-dir", data_dir, "--listen", "127.0.0.1:0"}, root / "refused.log"), 1, key);
  }
  for (mode_t mode : {0600, 0400}) {
    INFO("mode " << std::oct << mode);
    REQUIRE(::chmod(key.c_str(), mode) == 0);
    Daemon d(data_dir);
    d.Start();
    CHECK(d.Terminate() == 0);
  }

  // A key made beforehand for a new log, left readable by others: init refuses to use it.
  const std::string fresh = root / "fresh";
  fs::create_directories(fresh);
  const std::string fresh_key = fresh + "/" + kKeyFileName;
  auto made = RunCommand({MINGZHANG_CLI, "keygen", "--out", fresh_key}, root / "keygen.log");
  INFO(made.second);
  REQUIRE(made.first == 0);
  REQUIRE(::chmod(fresh_key.c_str(), 0644) == 0);
  refused(RunCommand({MINGZHANG_CLI, "init", "--data-dir", fresh}, root / "init.log"), 2, fresh_key);
  CHECK_FALSE(fs::exists(fresh + "/" + kStoreDirName + "/CURRENT"));
}

}  // namespace
}  // namespace mingzhang::apitest
