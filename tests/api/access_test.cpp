// Signing in from paper (issue 22) end to end on the real mingzhangd: unit labels, GET /v1/me,
// invitations (issue, redeem once, expire is in tokens_test, revoke, rate limit), sign-out, the
// proposals listing and gzip for every large JSON answer.
#include <atomic>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "api/http/gzip.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {
namespace {

const std::string kProblem = "application/problem+json";

void CheckProblem(const Reply& r, int status, const std::string& type) {
  INFO(r.Describe());
  CHECK(r.status == status);
  CHECK(r.content_type == kProblem);
  CHECK(r.Json()["type"] == type);
}

std::string Checkpoint(HttpClient& c) {
  Reply r = c.Get("/v1/checkpoint");
  REQUIRE(r.status == 200);
  return r.body;
}

// A firm F1 serving C1 (units 101 labelled, 102 unlabelled) and C2 (unit 201), tokens for each role.
struct Town {
  Daemon daemon;
  std::unique_ptr<HttpClient> client;
  std::string admin, firm, committee, committee2, regulator, owner;

  Town() {
    daemon.Start();
    client = std::make_unique<HttpClient>(daemon.port());
    admin = daemon.admin_token();
    Post201("/v1/firms", admin, {{"idempotency_key", "f"}, {"firm_id", "F1"}, {"name", "Firm One"}});
    for (const char* c : {"C1", "C2"}) {
      Post201("/v1/communities", admin,
              {{"idempotency_key", std::string("c-") + c}, {"community_id", c}, {"name", std::string("兰亭") + c},
               {"firm_id", "F1"}, {"fee_rate_fen_per_m2_month", 250},
               {"remuneration", {{"basis_points_of_fee_income", 1000}}}, {"start_month", "2026-01"}});
    }
    firm = IssueToken(c(), admin, "firm", "F1", {"C1", "C2"});
    committee = IssueToken(c(), admin, "committee", "committee-C1", {"C1"});
    committee2 = IssueToken(c(), admin, "committee", "committee-C2", {"C2"});
    regulator = IssueToken(c(), admin, "regulator", "reg");
    Post201("/v1/communities/C1/units", firm,
            {{"idempotency_key", "u1"},
             {"units", json::array({{{"unit_id", "101"}, {"area_centi_m2", 9000}, {"label", "1栋1单元101"}},
                                    {{"unit_id", "102"}, {"area_centi_m2", 9000}}})}});
    Post201("/v1/communities/C2/units", firm,
            {{"idempotency_key", "u2"},
             {"units", json::array({{{"unit_id", "201"}, {"area_centi_m2", 9000}, {"label", "2栋201"}}})}});
    owner = IssueToken(c(), admin, "owner", "owner-101", {"C1"}, {"101"});
  }
  HttpClient& c() { return *client; }
  json Post201(const std::string& path, const std::string& token, const json& body) {
    Reply r = c().Post(path, token, body.dump());
    INFO(path << ": " << r.Describe());
    REQUIRE(r.status == 201);
    return r.Json();
  }
};

TEST_CASE("unit labels: stored in the entry, checked as free text, bad ones write nothing", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  const std::string before = Checkpoint(c);
  auto units = [](const json& label) {
    return json{{"idempotency_key", "bad-label"},
                {"units", json::array({{{"unit_id", "103"}, {"area_centi_m2", 9000}, {"label", label}}})}}.dump();
  };
  CheckProblem(c.Post("/v1/communities/C1/units", t.firm, units(std::string(65, 'a'))), 400, "bad-request");
  CheckProblem(c.Post("/v1/communities/C1/units", t.firm, units("1栋\n101")), 400, "bad-text");
  CheckProblem(c.Post("/v1/communities/C1/units", t.firm, units("a\u0085b")), 400, "bad-text");
  CHECK(Checkpoint(c) == before);
  // 64 bytes exactly is taken (21 three-byte characters and one ASCII).
  std::string longest;
  for (int i = 0; i < 21; ++i) longest += "栋";
  longest += "1";
  REQUIRE(longest.size() == 64);
  json ok = t.Post201("/v1/communities/C1/units", t.firm, json::parse(units(longest)));
  CHECK(ok["entry"]["units"]["units"][0]["label"] == longest);
}

TEST_CASE("GET /v1/me names what a token covers, with names and labels", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  SECTION("owner: its community and its units with labels") {
    Reply r = c.Get("/v1/me", t.owner);
    INFO(r.Describe());
    REQUIRE(r.status == 200);
    CHECK(r.Json() == json{{"role", "owner"},
                           {"principal_id", "owner-101"},
                           {"communities", json::array({{{"community_id", "C1"},
                                                         {"name", "兰亭C1"},
                                                         {"units", json::array({{{"unit_id", "101"}, {"label", "1栋1单元101"}}})}}})}});
  }
  SECTION("firm: its communities with all their units") {
    json j = c.Get("/v1/me", t.firm).Json();
    CHECK(j["role"] == "firm");
    REQUIRE(j["communities"].size() == 2);
    CHECK(j["communities"][0]["units"] ==
          json::array({{{"unit_id", "101"}, {"label", "1栋1单元101"}}, {{"unit_id", "102"}, {"label", ""}}}));
    CHECK(j["communities"][1]["name"] == "兰亭C2");
  }
  SECTION("committee: its community") {
    json j = c.Get("/v1/me", t.committee2).Json();
    REQUIRE(j["communities"].size() == 1);
    CHECK(j["communities"][0]["community_id"] == "C2");
    CHECK(j["communities"][0]["units"].size() == 1);
  }
  SECTION("regulator and admin: every community, names only") {
    for (const std::string& token : {t.regulator, t.admin}) {
      json j = c.Get("/v1/me", token).Json();
      CHECK(j["communities"] == json::array({{{"community_id", "C1"}, {"name", "兰亭C1"}},
                                             {{"community_id", "C2"}, {"name", "兰亭C2"}}}));
    }
  }
  SECTION("no token or a bad one: 401") {
    CheckProblem(c.Get("/v1/me"), 401, "unauthenticated");
    CheckProblem(c.Get("/v1/me", "mz_" + std::string(43, 'A')), 401, "bad-token");
  }
}

TEST_CASE("invitations: issued by the firm or committee, redeemed once for an owner token", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  const std::string before = Checkpoint(c);

  Reply issued = c.Post("/v1/communities/C1/invitations", t.committee,
                        json{{"idempotency_key", "inv-1"}}.dump());
  INFO(issued.Describe());
  REQUIRE(issued.status == 201);
  json invitations = issued.Json()["invitations"];
  REQUIRE(invitations.size() == 2);  // no unit_ids: every unit of C1
  CHECK(invitations[0]["unit_id"] == "101");
  CHECK(invitations[0]["label"] == "1栋1单元101");
  CHECK(invitations[1]["label"] == "");
  const std::string code = invitations[0]["code"];
  CHECK(code.size() == 19);
  CHECK(code[4] == '-');
  CHECK(code.find_first_not_of("0123456789ABCDEFGHJKMNPQRSTVWXYZ-") == std::string::npos);
  CHECK(invitations[0]["expires_on"].get<std::string>().size() == 10);
  CHECK(invitations[0]["code"] != invitations[1]["code"]);
  CHECK(Checkpoint(c) == before);  // nothing in the signed log

  SECTION("a repeat answers the same units without codes; another body conflicts") {
    Reply again = c.Post("/v1/communities/C1/invitations", t.committee, json{{"idempotency_key", "inv-1"}}.dump());
    REQUIRE(again.status == 200);
    CHECK(again.Json()["replayed"] == true);
    CHECK(again.Json()["invitations"][0] == json{{"unit_id", "101"}, {"label", "1栋1单元101"},
                                                 {"expires_on", invitations[0]["expires_on"]}});
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.committee,
                        json{{"idempotency_key", "inv-1"}, {"unit_ids", {"101"}}}.dump()),
                 409, "idempotency-conflict");
  }

  SECTION("redeemed in lower case with O and L for 0 and 1, once") {
    std::string typed = code;
    for (char& ch : typed) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (ch == '0') ch = 'O';
      if (ch == '1') ch = 'l';
    }
    Reply r = c.Post("/v1/invitations:redeem", "", json{{"code", typed}}.dump());
    INFO(r.Describe());
    REQUIRE(r.status == 201);
    json j = r.Json();
    CHECK(j["community_id"] == "C1");
    CHECK(j["community_name"] == "兰亭C1");
    CHECK(j["unit_id"] == "101");
    CHECK(j["unit_label"] == "1栋1单元101");
    CHECK(j["credential"]["role"] == "owner");
    CHECK(j["credential"]["unit_ids"] == json::array({"101"}));
    const std::string token = j["token"];
    json me = c.Get("/v1/me", token).Json();
    CHECK(me["communities"][0]["units"][0]["label"] == "1栋1单元101");
    CHECK(c.Get("/v1/communities/C1/units/101/account?period=2026", token).status == 200);
    CHECK(c.Get("/v1/communities/C1/units/102/account?period=2026", token).status == 403);
    CheckProblem(c.Post("/v1/invitations:redeem", "", json{{"code", code}}.dump()), 409, "invitation-used");
  }

  SECTION("two concurrent redemptions of one code: one wins") {
    std::atomic<int> won{0}, used{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        HttpClient mine(t.daemon.port());
        Reply r = mine.Post("/v1/invitations:redeem", "", json{{"code", code}}.dump());
        if (r.status == 201) ++won;
        if (r.status == 409) ++used;
      });
    }
    for (auto& th : threads) th.join();
    CHECK(won == 1);
    CHECK(used == 7);
  }

  SECTION("revoked by unit or by code: 409 invitation-revoked; bad input revokes nothing") {
    CheckProblem(c.Post("/v1/communities/C1/invitations:revoke", t.firm, json{{"unit_ids", {"nope"}}}.dump()), 404,
                 "unknown-unit");
    CheckProblem(c.Post("/v1/communities/C1/invitations:revoke", t.firm,
                        json{{"codes", {invitations[1]["code"], "not a code"}}}.dump()),
                 400, "bad-invitation-code");
    CheckProblem(c.Post("/v1/communities/C1/invitations:revoke", t.firm, json::object().dump()), 400, "bad-request");
    Reply by_unit = c.Post("/v1/communities/C1/invitations:revoke", t.firm, json{{"unit_ids", {"101"}}}.dump());
    REQUIRE(by_unit.status == 200);
    CHECK(by_unit.Json()["revoked"] == 1);
    Reply by_code = c.Post("/v1/communities/C1/invitations:revoke", t.committee,
                           json{{"codes", {invitations[1]["code"]}}}.dump());
    REQUIRE(by_code.status == 200);
    CHECK(by_code.Json()["revoked"] == 1);
    CheckProblem(c.Post("/v1/invitations:redeem", "", json{{"code", code}}.dump()), 409, "invitation-revoked");
    CheckProblem(c.Post("/v1/invitations:redeem", "", json{{"code", invitations[1]["code"]}}.dump()), 409,
                 "invitation-revoked");
    // Another community's committee cannot reach C1's codes.
    CheckProblem(c.Post("/v1/communities/C2/invitations:revoke", t.committee2, json{{"codes", {code}}}.dump()), 404,
                 "unknown-invitation");
  }

  SECTION("who may issue, and bad requests") {
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.owner, json{{"idempotency_key", "x"}}.dump()), 403,
                 "forbidden");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.committee2, json{{"idempotency_key", "x"}}.dump()), 403,
                 "forbidden");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.regulator, json{{"idempotency_key", "x"}}.dump()), 403,
                 "forbidden");
    CheckProblem(c.Post("/v1/communities/C1/invitations", "", json{{"idempotency_key", "x"}}.dump()), 401,
                 "unauthenticated");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.firm,
                        json{{"idempotency_key", "x"}, {"unit_ids", {"101", "999"}}}.dump()),
                 404, "unknown-unit");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.firm,
                        json{{"idempotency_key", "x"}, {"unit_ids", {"101", "101"}}}.dump()),
                 400, "bad-request");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.firm, json{{"idempotency_key", "x"}, {"valid_days", 91}}.dump()),
                 400, "bad-valid-days");
    CheckProblem(c.Post("/v1/communities/C1/invitations", t.firm, json{{"unit_ids", {"101"}}}.dump()), 400,
                 "bad-idempotency-key");
    Reply week = c.Post("/v1/communities/C1/invitations", t.firm,
                        json{{"idempotency_key", "x"}, {"unit_ids", {"102"}}, {"valid_days", 7}}.dump());
    REQUIRE(week.status == 201);
    CHECK(week.Json()["invitations"].size() == 1);
  }
}

TEST_CASE("failed redemptions are limited per client address: 429 with Retry-After", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  CheckProblem(c.Post("/v1/invitations:redeem", "", json{{"code", "short"}}.dump()), 400, "bad-invitation-code");
  CheckProblem(c.Post("/v1/invitations:redeem", "", json{{"code", "0000-0000-0000-0000"}}.dump()), 404,
               "unknown-invitation");
  CheckProblem(c.Post("/v1/invitations:redeem", "", R"({"code":1})"), 400, "bad-json");
  for (int i = 3; i < 10; ++i) {
    CHECK(c.Post("/v1/invitations:redeem", "", json{{"code", "0000-0000-0000-0000"}}.dump()).status == 404);
  }
  Reply limited = c.Post("/v1/invitations:redeem", "", json{{"code", "0000-0000-0000-0000"}}.dump());
  CheckProblem(limited, 429, "too-many-attempts");
  const std::string retry = limited.Header(http::field::retry_after);
  REQUIRE(!retry.empty());
  CHECK(std::stoi(retry) >= 1);
  CHECK(std::stoi(retry) <= 60);
}

TEST_CASE("sign-out revokes the token it is sent with", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  const std::string other = IssueToken(c, t.admin, "owner", "owner-101b", {"C1"}, {"101"});
  Reply r = c.Post("/v1/tokens:revoke-self", t.owner, "");
  INFO(r.Describe());
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CheckProblem(c.Get("/v1/me", t.owner), 401, "bad-token");
  CheckProblem(c.Post("/v1/tokens:revoke-self", t.owner, ""), 401, "bad-token");
  CHECK(c.Get("/v1/me", other).status == 200);  // only that token
  CheckProblem(c.Post("/v1/tokens:revoke-self", "", ""), 401, "unauthenticated");
  CheckProblem(c.Post("/v1/tokens:revoke-self", t.admin, ""), 403, "forbidden");
  CHECK(c.Get("/v1/me", t.admin).status == 200);
}

TEST_CASE("GET /v1/communities/{c}/proposals lists every proposal with its status and tally", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  CHECK(c.Get("/v1/communities/C1/proposals", t.owner).Json() == json{{"community_id", "C1"}, {"proposals", json::array()}});
  for (const char* id : {"P1", "P2", "P3"}) {
    t.Post201("/v1/communities/C1/proposals", t.committee,
              {{"idempotency_key", std::string("p-") + id}, {"proposal_id", id}, {"title", "路灯"}, {"matter", "ORDINARY"},
               {"amount", 500}, {"fund", "FEES"}, {"closes_on", "2099-12-31"}});
  }
  const std::string owner102 = IssueToken(c, t.admin, "owner", "owner-102", {"C1"}, {"102"});
  // Every unit votes on P1 (yes) and P2 (no), so both may close before their closes_on.
  for (const std::string& token : {t.owner, owner102}) {
    const std::string unit = token == t.owner ? "101" : "102";
    t.Post201("/v1/communities/C1/proposals/P1/votes", token,
              {{"idempotency_key", "v1-" + unit}, {"unit_id", unit}, {"choice", "YES"}});
    t.Post201("/v1/communities/C1/proposals/P2/votes", token,
              {{"idempotency_key", "v2-" + unit}, {"unit_id", unit}, {"choice", "NO"}});
  }
  t.Post201("/v1/communities/C1/proposals/P1/close", t.committee, {{"idempotency_key", "close-1"}});
  t.Post201("/v1/communities/C1/proposals/P2/close", t.committee, {{"idempotency_key", "close-2"}});
  Reply r = c.Get("/v1/communities/C1/proposals", t.owner);
  INFO(r.Describe());
  REQUIRE(r.status == 200);
  json list = r.Json()["proposals"];
  REQUIRE(list.size() == 3);
  CHECK(list[0]["status"] == "passed");
  CHECK(list[1]["status"] == "rejected");
  CHECK(list[2]["status"] == "open");
  for (const json& p : list) {
    json one = c.Get("/v1/communities/C1/proposals/" + p["proposal_id"].get<std::string>(), t.owner).Json();
    json without_status = p;
    without_status.erase("status");
    CHECK(without_status == one);  // the single-proposal view, tally and all
  }
  CHECK(list[0]["tally"]["yes_units"] == 2);
  CheckProblem(c.Get("/v1/communities/C2/proposals", t.owner), 403, "forbidden");
  CheckProblem(c.Get("/v1/communities/C9/proposals", t.regulator), 404, "unknown-community");
}

TEST_CASE("every JSON answer of 1 KiB or more is gzip-coded when accepted, with Vary", "[api][access]") {
  Town t;
  HttpClient& c = t.c();
  json units = json::array();
  for (int i = 0; i < 40; ++i) units.push_back({{"unit_id", "X" + std::to_string(i)}, {"area_centi_m2", 9000}, {"label", "3栋" + std::to_string(i)}});
  // A write's answer (from the ledger's thread) and a read's.
  Reply write = c.Send(http::verb::post, "/v1/communities/C1/units",
                       json{{"idempotency_key", "many"}, {"units", units}}.dump(), t.firm, "application/json",
                       {{"Accept-Encoding", "gzip"}});
  INFO(write.Describe());
  REQUIRE(write.status == 201);
  CHECK(write.Header(http::field::content_encoding) == "gzip");
  CHECK(write.Header(http::field::vary) == "Accept-Encoding");
  std::optional<std::string> write_plain = api::Gunzip(write.body);
  REQUIRE(write_plain);
  CHECK(json::parse(*write_plain)["entry"]["units"]["units"].size() == 40);

  Reply plain = c.Get("/v1/me", t.firm);
  REQUIRE(plain.status == 200);
  REQUIRE(plain.body.size() >= api::kGzipBodyBytesMin);
  CHECK(plain.Header(http::field::content_encoding).empty());
  CHECK(plain.Header(http::field::vary) == "Accept-Encoding");
  Reply gz = c.Send(http::verb::get, "/v1/me", "", t.firm, "", {{"Accept-Encoding", "gzip, deflate"}});
  REQUIRE(gz.status == 200);
  CHECK(gz.Header(http::field::content_encoding) == "gzip");
  CHECK(gz.body.size() < plain.body.size());
  std::optional<std::string> bytes = api::Gunzip(gz.body);
  REQUIRE(bytes);
  CHECK(*bytes == plain.body);  // byte for byte

  // Small answers stay plain and say nothing about coding.
  Reply small = c.Send(http::verb::get, "/v1/me", "", t.owner, "", {{"Accept-Encoding", "gzip"}});
  REQUIRE(small.status == 200);
  CHECK(small.body.size() < api::kGzipBodyBytesMin);
  CHECK(small.Header(http::field::content_encoding).empty());
  CHECK(json::parse(small.body)["role"] == "owner");
  // gzip;q=0 refuses it.
  Reply refused = c.Send(http::verb::get, "/v1/me", "", t.firm, "", {{"Accept-Encoding", "gzip;q=0"}});
  CHECK(refused.Header(http::field::content_encoding).empty());
  CHECK(refused.body == plain.body);
}

}  // namespace
}  // namespace mingzhang::apitest
