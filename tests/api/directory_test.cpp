// The district for regulators on the real mingzhangd: GET /v1/firms and GET /v1/communities (who
// may read them, every field, pages), GET /v1/communities/{c}/spending (sums that add up to the
// signed statement, and the count of voucher files uploaded), and a proposal whose voting would
// already be over (bad-closes-on).
#include <chrono>

#include <catch2/catch.hpp>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/views/views_directory.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {
namespace {

const std::string kProblem = "application/problem+json";
constexpr int64_t kDayMs = 86'400'000;

// The voucher file of the disbursement recorded with idempotency key `key`: a PDF of its own.
std::string VoucherFile(const std::string& key) { return "%PDF-1.4\nvoucher of " + key + "\n"; }
std::string VoucherSha(const std::string& key) { return HexEncode(AsBytes(Sha256(VoucherFile(key)))); }

void CheckProblem(const Reply& r, int status, const std::string& type) {
  INFO(r.Describe());
  CHECK(r.status == status);
  CHECK(r.content_type == kProblem);
  CHECK(r.Json()["type"] == type);
}

json Get200(HttpClient& c, const std::string& path, const std::string& token) {
  Reply r = c.Get(path, token);
  INFO(path << ": " << r.Describe());
  REQUIRE(r.status == 200);
  return r.Json();
}

// Firms F1 (C1 with units 101 and 102, C2 with 201) and F2 (C3, no units); tokens for each role.
struct District {
  Daemon daemon;
  std::unique_ptr<HttpClient> client;
  std::string admin, firm, committee, committee2, regulator, owner;

  District() {
    daemon.Start();
    client = std::make_unique<HttpClient>(daemon.port());
    admin = daemon.admin_token();
    Post201("/v1/firms", admin, {{"idempotency_key", "f1"}, {"firm_id", "F1"}, {"name", "Firm One"}});
    Post201("/v1/firms", admin, {{"idempotency_key", "f2"}, {"firm_id", "F2"}, {"name", "二号物业"}});
    for (auto [c, f] : {std::pair{"C1", "F1"}, {"C2", "F1"}, {"C3", "F2"}}) {
      Post201("/v1/communities", admin,
              {{"idempotency_key", std::string("c-") + c}, {"community_id", c}, {"name", std::string("兰亭") + c},
               {"firm_id", f}, {"fee_rate_fen_per_m2_month", 250},
               {"remuneration", {{"basis_points_of_fee_income", 1000}}}, {"start_month", "2026-01"}});
    }
    firm = IssueToken(c(), admin, "firm", "F1", {"C1", "C2"});
    committee = IssueToken(c(), admin, "committee", "committee-C1", {"C1"});
    committee2 = IssueToken(c(), admin, "committee", "committee-C2", {"C2"});
    regulator = IssueToken(c(), admin, "regulator", "reg");
    Post201("/v1/communities/C1/units", firm,
            {{"idempotency_key", "u1"},
             {"units", json::array({{{"unit_id", "101"}, {"area_centi_m2", 9000}}, {{"unit_id", "102"}, {"area_centi_m2", 8050}}})}});
    Post201("/v1/communities/C2/units", firm,
            {{"idempotency_key", "u2"}, {"units", json::array({{{"unit_id", "201"}, {"area_centi_m2", 9000}}})}});
    owner = IssueToken(c(), admin, "owner", "owner-101", {"C1"}, {"101"});
  }
  HttpClient& c() { return *client; }
  json Post201(const std::string& path, const std::string& token, const json& body) {
    Reply r = c().Post(path, token, body.dump());
    INFO(path << ": " << r.Describe());
    REQUIRE(r.status == 201);
    return r.Json();
  }
  json Spend(const std::string& key, const std::string& category, int64_t amount, const std::string& paid_on) {
    return Post201("/v1/communities/C1/disbursements", firm,
                   {{"idempotency_key", key}, {"fund", "FEES"}, {"category", category}, {"amount", amount},
                    {"payee", "Clean Co"}, {"description", key}, {"paid_on", paid_on}, {"voucher_sha256", VoucherSha(key)}});
  }
  // Uploads the voucher file of the disbursement recorded as `key`.
  void Upload(const std::string& key) {
    Reply r = c().Send(http::verb::put, "/v1/vouchers/" + VoucherSha(key), VoucherFile(key), firm, "application/pdf");
    INFO(r.Describe());
    REQUIRE(r.status == 201);
  }
};

std::string DayFromNow(int64_t days) {
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return FormatDate(DateOfUnixMs(now_ms + days * kDayMs));
}

std::vector<std::string> Ids(const json& rows, const char* key) {
  std::vector<std::string> ids;
  for (const json& row : rows) ids.push_back(row.at(key).get<std::string>());
  return ids;
}

TEST_CASE("directory: firms and communities for regulators and admins, every field", "[api][directory]") {
  District d;
  HttpClient& c = d.c();
  d.Post201("/v1/communities/C1/proposals", d.committee,
            {{"idempotency_key", "p"}, {"proposal_id", "P1"}, {"title", "Benches"}, {"matter", "ORDINARY"},
             {"amount", 100}, {"fund", "FEES"}, {"closes_on", "2099-12-31"}});
  const uint64_t size = TreeSize(c);
  for (const std::string& token : {d.regulator, d.admin}) {
    const json firms = Get200(c, "/v1/firms", token);
    CHECK(firms == json::parse(R"({"firms":[
      {"firm_id":"F1","name":"Firm One","communities":2,"units":3},
      {"firm_id":"F2","name":"二号物业","communities":1,"units":0}]})"));
    const json communities = Get200(c, "/v1/communities", token);
    REQUIRE(Ids(communities["communities"], "community_id") == std::vector<std::string>{"C1", "C2", "C3"});
    CHECK_FALSE(communities.contains("next_after"));
    const json& c1 = communities["communities"][0];
    CHECK(c1["name"] == "兰亭C1");
    CHECK(c1["firm_id"] == "F1");
    CHECK(c1["firm_name"] == "Firm One");
    CHECK(c1["units"] == 2);
    CHECK(c1["area_centi_m2"] == "17050");
    CHECK(c1["start_month"] == "2026-01");
    // Recorded today, China Standard Time (or yesterday, if midnight passed since).
    CHECK((c1["registered_on"] == DayFromNow(0) || c1["registered_on"] == DayFromNow(-1)));
    CHECK(c1["entries"] == 3);  // registration, units, proposal
    CHECK(c1["open_proposals"] == 1);
    CHECK(communities["communities"][2]["firm_name"] == "二号物业");
    CHECK(communities["communities"][2]["units"] == 0);
  }
  SECTION("one firm's communities") {
    CHECK(Ids(Get200(c, "/v1/communities?firm=F2", d.regulator)["communities"], "community_id") ==
          std::vector<std::string>{"C3"});
    CheckProblem(c.Get("/v1/communities?firm=F404", d.regulator), 404, "unknown-firm");
  }
  SECTION("a page at a time: next_after names where the next page starts") {
    json first = Get200(c, "/v1/communities?limit=2", d.regulator);
    CHECK(Ids(first["communities"], "community_id") == std::vector<std::string>{"C1", "C2"});
    REQUIRE(first["next_after"] == "C2");
    json second = Get200(c, "/v1/communities?limit=2&after=C2", d.regulator);
    CHECK(Ids(second["communities"], "community_id") == std::vector<std::string>{"C3"});
    CHECK_FALSE(second.contains("next_after"));
    json firms = Get200(c, "/v1/firms?limit=1", d.regulator);
    CHECK(Ids(firms["firms"], "firm_id") == std::vector<std::string>{"F1"});
    CHECK(firms["next_after"] == "F1");
    CHECK(Ids(Get200(c, "/v1/firms?after=F1", d.regulator)["firms"], "firm_id") == std::vector<std::string>{"F2"});
    CHECK(Get200(c, "/v1/firms?after=F2", d.regulator)["firms"].empty());
    CHECK(Get200(c, "/v1/communities?limit=3", d.regulator)["communities"].size() == 3);
  }
  SECTION("a page is 1 to kDirectoryPageMax") {
    for (const std::string& limit : std::vector<std::string>{"0", std::to_string(kDirectoryPageMax + 1), "-1", "abc", "", "99999999999"}) {
      INFO("limit=" << limit);
      CheckProblem(c.Get("/v1/communities?limit=" + limit, d.regulator), 400, "bad-request");
      CheckProblem(c.Get("/v1/firms?limit=" + limit, d.regulator), 400, "bad-request");
    }
    CHECK(Get200(c, "/v1/firms?limit=" + std::to_string(kDirectoryPageMax), d.regulator)["firms"].size() == 2);
  }
  SECTION("firms, committees and owners may not list the district; nobody without a token") {
    for (const std::string& token : {d.firm, d.committee, d.owner}) {
      CheckProblem(c.Get("/v1/firms", token), 403, "forbidden");
      CheckProblem(c.Get("/v1/communities", token), 403, "forbidden");
    }
    CheckProblem(c.Get("/v1/firms"), 401, "unauthenticated");
    CheckProblem(c.Get("/v1/communities"), 401, "unauthenticated");
  }
  CHECK(TreeSize(c) == size);  // reads write nothing
}

TEST_CASE("directory: spending by category adds up to the signed statement and counts the vouchers uploaded", "[api][directory]") {
  District d;
  HttpClient& c = d.c();
  d.Post201("/v1/communities/C1/payments", d.firm,
            {{"idempotency_key", "pay"}, {"unit_id", "101"}, {"amount", 90000}, {"period", "2026-01"},
             {"months", 3}, {"paid_on", "2026-01-05"}, {"method", "wechat"}});
  d.Spend("clean-1", "CLEANING", 20000, "2026-01-20");
  d.Spend("clean-2", "CLEANING", 5050, "2026-01-28");
  const json wrong = d.Spend("clean-3", "CLEANING", 7000, "2026-01-29");
  d.Post201("/v1/entries/" + wrong["seq"].get<std::string>() + "/reversal", d.firm,
            {{"idempotency_key", "undo"}, {"reason", "recorded twice"}});
  d.Spend("green", "GREENERY", 3000, "2026-02-10");
  d.Spend("april", "REPAIR", 1000, "2026-04-01");  // outside Q1
  // Every disbursement names its voucher; none is uploaded yet, so none is counted.
  const json before = Get200(c, "/v1/communities/C1/spending?period=2026-Q1", d.regulator);
  CHECK(before["funds"][0]["categories"] == json::parse(R"([
      {"category":"CLEANING","disbursed":"25050","disbursements":2,"vouchers":0},
      {"category":"GREENERY","disbursed":"3000","disbursements":1,"vouchers":0}])"));
  // One of CLEANING's two; the reversed one's and April's count in no Q1 category.
  d.Upload("clean-1");
  d.Upload("clean-3");
  d.Upload("april");

  const json q1 = Get200(c, "/v1/communities/C1/spending?period=2026-Q1", d.regulator);
  CHECK(q1["community_id"] == "C1");
  CHECK(q1["community_name"] == "兰亭C1");
  CHECK(q1["firm_name"] == "Firm One");
  // When the last entry of the tree was recorded: in the batch that signed its checkpoint.
  const json last = Get200(c, "/v1/entries/" + std::to_string(std::stoull(q1["tree_size"].get<std::string>()) - 1), d.regulator);
  CHECK(q1["checkpoint_signed_at_ms"] == last["entry"]["recorded_at_ms"]);
  CHECK(q1["period"] == "2026-Q1");
  CHECK(q1["funds"] == json::parse(R"([
    {"fund":"FEES","categories":[
      {"category":"CLEANING","disbursed":"25050","disbursements":2,"vouchers":1},
      {"category":"GREENERY","disbursed":"3000","disbursements":1,"vouchers":0}]},
    {"fund":"PUBLIC_REVENUE","categories":[]}])"));
  // The statement at the same tree size sums each category to the same fen.
  const std::string size = q1["tree_size"].get<std::string>();
  CHECK(size == std::to_string(TreeSize(c)));
  const json statement = Get200(c, "/v1/communities/C1/statements/2026-Q1?tree_size=" + size, d.regulator)["statement"];
  CHECK(statement["checkpoint"]["tree_size"] == size);
  CHECK(statement["funds"][0]["disbursed_by_category"] == json{{"CLEANING", "25050"}, {"GREENERY", "3000"}});

  const json january = Get200(c, "/v1/communities/C1/spending?period=2026-01", d.owner);
  CHECK(january["funds"][0]["categories"].size() == 1);
  CHECK(january["funds"][0]["categories"][0]["disbursements"] == 2);
  const json year = Get200(c, "/v1/communities/C1/spending?period=2026", d.committee);
  CHECK(year["funds"][0]["categories"].size() == 3);
  CHECK(year["funds"][0]["categories"][2] == json{{"category", "REPAIR"}, {"disbursed", "1000"}, {"disbursements", 1}, {"vouchers", 1}});

  CheckProblem(c.Get("/v1/communities/C1/spending", d.regulator), 400, "bad-period");
  CheckProblem(c.Get("/v1/communities/C1/spending?period=2026-13", d.regulator), 400, "bad-period");
  CheckProblem(c.Get("/v1/communities/C404/spending?period=2026", d.regulator), 404, "unknown-community");
  CheckProblem(c.Get("/v1/communities/C1/spending?period=2026", d.committee2), 403, "forbidden");
  CheckProblem(c.Get("/v1/communities/C1/spending?period=2026"), 401, "unauthenticated");
}

TEST_CASE("proposals: one whose voting would already be over is refused when it is made", "[api][directory]") {
  District d;
  HttpClient& c = d.c();
  auto proposal = [](const std::string& id, const std::string& closes_on) {
    return json{{"idempotency_key", id}, {"proposal_id", id}, {"title", "路灯"}, {"matter", "ORDINARY"},
                {"amount", 500000}, {"fund", "PUBLIC_REVENUE"}, {"closes_on", closes_on}}.dump();
  };
  const uint64_t size = TreeSize(c);
  // Two days back: past whatever the server's clock says today is (China Standard Time).
  Reply late = c.Post("/v1/communities/C1/proposals", d.committee, proposal("P-late", DayFromNow(-2)));
  CheckProblem(late, 422, "bad-closes-on");
  CHECK(late.Json()["detail"].get<std::string>().find("is already past") != std::string::npos);
  CheckProblem(c.Post("/v1/communities/C1/proposals", d.committee, proposal("P-bad", "2026-02-30")), 400, "bad-date");
  CHECK(TreeSize(c) == size);
  CheckProblem(c.Get("/v1/communities/C1/proposals/P-late", d.committee), 404, "unknown-proposal");
  Reply ok = c.Post("/v1/communities/C1/proposals", d.committee, proposal("P-ok", DayFromNow(2)));
  INFO(ok.Describe());
  CHECK(ok.status == 201);
  CHECK(Get200(c, "/v1/communities/C1/proposals/P-ok", d.committee)["closed"] == false);
}

}  // namespace
}  // namespace mingzhang::apitest
