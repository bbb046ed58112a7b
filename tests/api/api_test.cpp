// The HTTP API (README "mingzhangd (the HTTP API)") end to end: the real mingzhangd binary on a temporary data
// directory, driven over HTTP by a Beast client (tests/support/api_harness.h).
//
//   1. every endpoint with its status codes and shapes, proofs and signatures verified here;
//   2. a role x endpoint matrix (401 / 403 exactly where the README says);
//   3. bad requests: each a documented 4xx problem+json that writes nothing;
//   4. graceful shutdown under concurrent writes: every acknowledged entry survives a restart.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "api/http/gzip.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/base/jcs.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {
namespace {

const std::string kProblem = "application/problem+json";
const std::string kVoucher(64, 'a');  // 64 hex digits
const std::string kVoucher2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string Unb64(const json& j) {
  REQUIRE(j.is_string());
  Result<std::string> bytes = Base64Decode(j.get<std::string>());
  REQUIRE(bytes.ok());
  return *bytes;
}

uint64_t U64(const json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  REQUIRE(j.is_string());
  return std::stoull(j.get<std::string>());
}

// Asserts a problem+json answer of `status` and slug `type`.
void CheckProblem(const Reply& r, int status, const std::string& type) {
  INFO(r.Describe());
  CHECK(r.status == status);
  CHECK(r.content_type == kProblem);
  json j = r.Json();
  REQUIRE(j.is_object());
  CHECK(j["type"] == type);
  CHECK(j["status"] == status);
  CHECK(j["title"].is_string());
  CHECK(j["detail"].is_string());
}

// Asserts a successful write's shape: {entry, seq, leaf_hash, chain_hash}, the hashes 32 bytes.
void CheckWriteShape(const Reply& r, int status) {
  INFO(r.Describe());
  REQUIRE(r.status == status);
  CHECK(r.content_type == "application/json");
  json j = r.Json();
  REQUIRE(j.is_object());
  CHECK(j["entry"].is_object());
  CHECK(j["seq"].is_string());
  CHECK(Unb64(j["leaf_hash"]).size() == kHashBytes);
  CHECK(Unb64(j["chain_hash"]).size() == kHashBytes);
  CHECK(j["entry"].value("seq", "0") == j["seq"].get<std::string>());  // proto3 JSON omits a zero seq
  CHECK(j["entry"]["recorded_at_ms"].is_string());
  CHECK(Unb64(j["entry"]["prev_hash"]).size() == kHashBytes);
}

// Two firms with a community each, units, tokens for every role, and a history in C1: payments,
// spending, public revenue, an evaluation, a passed proposal and its spending, a reversal.
struct World {
  Daemon daemon;
  std::unique_ptr<HttpClient> client;
  std::string admin, firm, firm2, committee, committee2, owner, owner2, owner_c2, regulator;
  std::map<std::string, Reply> replies;  // setup step -> its answer
  std::map<std::string, uint64_t> seq;   // setup step -> seq of its entry

  World() {
    daemon.Start();
    client = std::make_unique<HttpClient>(daemon.port());
    admin = daemon.admin_token();
    Setup();
  }

  HttpClient& c() { return *client; }

  // A write REQUIRE-d to answer 201; remembered under `name`.
  json Write(const std::string& name, const std::string& path, const std::string& token, const json& body) {
    Reply r = c().Post(path, token, body.dump());
    INFO(name << ": " << r.Describe());
    REQUIRE(r.status == 201);
    replies[name] = r;
    json j = r.Json();
    seq[name] = U64(j["seq"]);
    return j;
  }

  void Setup() {
    Write("firm F1", "/v1/firms", admin, {{"idempotency_key", "firm-F1"}, {"firm_id", "F1"}, {"name", "Firm One"}});
    Write("firm F2", "/v1/firms", admin, {{"idempotency_key", "firm-F2"}, {"firm_id", "F2"}, {"name", "Firm Two"}});
    Write("community C1", "/v1/communities", admin,
          {{"idempotency_key", "comm-C1"}, {"community_id", "C1"}, {"name", "Garden One"}, {"firm_id", "F1"},
           {"fee_rate_fen_per_m2_month", 250}, {"remuneration", {{"basis_points_of_fee_income", 1000}}},
           {"start_month", "2026-01"}});
    Write("community C2", "/v1/communities", admin,
          {{"idempotency_key", "comm-C2"}, {"community_id", "C2"}, {"name", "Garden Two"}, {"firm_id", "F2"},
           {"fee_rate_fen_per_m2_month", "300"}, {"remuneration", {{"fixed_fen_per_month", "1000"}}},
           {"start_month", "2026-01"}});

    firm = IssueToken(c(), admin, "firm", "F1", {"C1"});
    firm2 = IssueToken(c(), admin, "firm", "F2", {"C2"});
    committee = IssueToken(c(), admin, "committee", "committee-C1", {"C1"});
    committee2 = IssueToken(c(), admin, "committee", "committee-C2", {"C2"});
    regulator = IssueToken(c(), admin, "regulator", "district-regulator");

    Write("units C1", "/v1/communities/C1/units", firm,
          {{"idempotency_key", "units-C1"},
           {"units", json::array({{{"unit_id", "U1"}, {"area_centi_m2", 10000}},
                                  {{"unit_id", "U2"}, {"area_centi_m2", "8000"}},
                                  {{"unit_id", "U3"}, {"area_centi_m2", 12000}}})}});
    Write("units C2", "/v1/communities/C2/units", admin,
          {{"idempotency_key", "units-C2"}, {"units", json::array({{{"unit_id", "V1"}, {"area_centi_m2", 10000}}})}});
    // Owners' tokens name registered units only.
    owner = IssueToken(c(), admin, "owner", "owner-U1", {"C1"}, {"U1"});
    owner2 = IssueToken(c(), admin, "owner", "owner-U2U3", {"C1"}, {"U2", "U3"});
    owner_c2 = IssueToken(c(), admin, "owner", "owner-V1", {"C2"}, {"V1"});

    Write("payment U1 by owner", "/v1/communities/C1/payments", owner,
          {{"idempotency_key", "pay-U1"}, {"unit_id", "U1"}, {"amount", "75000"}, {"period", "2026-01"},
           {"months", 3}, {"paid_on", "2026-01-05"}, {"method", "wechat"}, {"receipt_ref", "R-U1"}});
    Write("payment U2 by firm", "/v1/communities/C1/payments", firm,
          {{"idempotency_key", "pay-U2"}, {"unit_id", "U2"}, {"amount", 60000}, {"period", "2026-01"},
           {"months", 3}, {"paid_on", "2026-01-06"}, {"method", "bank"}, {"receipt_ref", "R-U2"}});
    Write("payment U3 by firm", "/v1/communities/C1/payments", firm,
          {{"idempotency_key", "pay-U3"}, {"unit_id", "U3"}, {"amount", 90000}, {"period", "2026-01"},
           {"months", 3}, {"paid_on", "2026-01-07"}, {"method", "alipay"}, {"receipt_ref", "R-U3"}});
    Write("payment U1 small", "/v1/communities/C1/payments", firm,
          {{"idempotency_key", "pay-U1-small"}, {"unit_id", "U1"}, {"amount", 100}, {"period", "2026-04"},
           {"months", 1}, {"paid_on", "2026-04-02"}, {"method", "cash"}, {"receipt_ref", "R-small"}});
    Write("payment V1", "/v1/communities/C2/payments", firm2,
          {{"idempotency_key", "pay-V1"}, {"unit_id", "V1"}, {"amount", 30000}, {"period", "2026-01"},
           {"months", 1}, {"paid_on", "2026-01-03"}, {"method", "other"}, {"receipt_ref", "R-V1"}});

    Write("disbursement cleaning", "/v1/communities/C1/disbursements", firm,
          {{"idempotency_key", "disb-clean"}, {"fund", "FEES"}, {"category", "CLEANING"}, {"amount", 20000},
           {"payee", "Clean Co"}, {"description", "January cleaning"}, {"paid_on", "2026-01-20"},
           {"voucher_sha256", kVoucher}});
    Write("public revenue parking", "/v1/communities/C1/public-revenue", committee,
          {{"idempotency_key", "rev-park"}, {"source", "parking"}, {"amount", 50000}, {"payer", "Park Co"},
           {"received_on", "2026-01-10"}, {"contract_ref", "K-1"}});

    Write("evaluation", "/v1/communities/C1/evaluations", owner,
          {{"idempotency_key", "eval-U1"}, {"payment_seq", seq["payment U1 by owner"]},
           {"scores", {{"cleaning", 5}, {"security", 4}, {"greenery", 3}, {"repair", 4}, {"service", 5}}},
           {"comment", "好"}});

    Write("proposal P1", "/v1/communities/C1/proposals", committee,
          {{"idempotency_key", "prop-P1"}, {"proposal_id", "P1"}, {"title", "Repair the gate"}, {"matter", "SPECIAL"},
           {"amount", 30000}, {"fund", "PUBLIC_REVENUE"}, {"closes_on", "2099-12-31"}});
    Write("proposal P2 open", "/v1/communities/C1/proposals", committee,
          {{"idempotency_key", "prop-P2"}, {"proposal_id", "P2"}, {"title", "Benches"}, {"matter", "ORDINARY"},
           {"amount", 10000}, {"fund", "PUBLIC_REVENUE"}, {"closes_on", "2099-12-31"}});
    Write("proposal PM", "/v1/communities/C1/proposals", committee,
          {{"idempotency_key", "prop-PM"}, {"proposal_id", "PM"}, {"title", "Matrix"}, {"matter", "ORDINARY"},
           {"amount", 100}, {"fund", "FEES"}, {"closes_on", "2099-12-31"}});
    Write("vote U1", "/v1/communities/C1/proposals/P1/votes", owner,
          {{"idempotency_key", "vote-P1-U1"}, {"unit_id", "U1"}, {"choice", "YES"}});
    Write("vote U2", "/v1/communities/C1/proposals/P1/votes", owner2,
          {{"idempotency_key", "vote-P1-U2"}, {"unit_id", "U2"}, {"choice", "YES"}});
    Write("vote U3", "/v1/communities/C1/proposals/P1/votes", owner2,
          {{"idempotency_key", "vote-P1-U3"}, {"unit_id", "U3"}, {"choice", "YES"}});
    Write("close P1", "/v1/communities/C1/proposals/P1/close", committee, {{"idempotency_key", "close-P1"}});
    Write("disbursement repair", "/v1/communities/C1/disbursements", firm,
          {{"idempotency_key", "disb-gate"}, {"fund", "PUBLIC_REVENUE"}, {"category", "REPAIR"}, {"amount", 20000},
           {"payee", "Gate Co"}, {"description", "new gate"}, {"paid_on", "2026-03-05"},
           {"voucher_sha256", kVoucher2}, {"resolution_id", "R-P1"}});
    Write("reversal U3", "/v1/entries/" + std::to_string(seq["payment U3 by firm"]) + "/reversal", firm,
          {{"idempotency_key", "rev-U3"}, {"reason", "recorded twice"}});
  }
};

// ---------------------------------------------------------------------------------------------
// 1. Every endpoint.

TEST_CASE("every endpoint of the API answers with its status and shape", "[api]") {
  World w;
  HttpClient& c = w.c();

  SECTION("writes: 201 with {entry, seq, leaf_hash, chain_hash}, chained one to the next") {
    std::vector<std::pair<uint64_t, std::string>> by_seq;
    for (auto& [name, reply] : w.replies) {
      INFO(name);
      CheckWriteShape(reply, 201);
      by_seq.emplace_back(w.seq[name], name);
    }
    std::sort(by_seq.begin(), by_seq.end());
    for (size_t i = 0; i < by_seq.size(); ++i) CHECK(by_seq[i].first == i);  // setup wrote every seq
    for (size_t i = 1; i < by_seq.size(); ++i) {
      INFO(by_seq[i].second);
      CHECK(w.replies[by_seq[i].second].Json()["entry"]["prev_hash"] ==
            w.replies[by_seq[i - 1].second].Json()["chain_hash"]);
    }
    // What each body became.
    json pay = w.replies["payment U1 by owner"].Json()["entry"];
    CHECK(pay["community_id"] == "C1");
    CHECK(pay["actor"]["role"] == "owner");
    CHECK(pay["actor"]["principal_id"] == "owner-U1");
    CHECK(pay["actor"]["unit_ids"] == json::array({"U1"}));
    CHECK(pay["fee_payment"]["amount"] == "75000");
    CHECK(pay["fee_payment"]["method"] == "wechat");
    CHECK(pay["fee_payment"]["months"] == 3);
    CHECK(pay["idempotency_key"] == "pay-U1");
    json close = w.replies["close P1"].Json()["entry"]["proposal_close"];
    CHECK(close["proposal_id"] == "P1");
    CHECK(close["resolution_id"] == "R-P1");
    CHECK(close["tally"]["passed"] == true);
    CHECK(close["tally"]["quorum_met"] == true);
    CHECK(close["tally"]["yes_units"] == "3");
    json rev = w.replies["reversal U3"].Json()["entry"];
    CHECK(U64(rev["reversal"]["target_seq"]) == w.seq["payment U3 by firm"]);
    CHECK(rev["reversal"]["reason"] == "recorded twice");
    CHECK(w.replies["evaluation"].Json()["entry"]["evaluation"]["scores"]["cleaning"] == 5);
    CHECK(w.replies["firm F1"].Json()["entry"]["firm"]["firm_id"] == "F1");
    CHECK_FALSE(w.replies["firm F1"].Json()["entry"].contains("community_id"));
  }

  SECTION("a replay with the same body answers 200 with the original entry; nothing is written") {
    const uint64_t size = TreeSize(c);
    struct Replay {
      std::string name, path, token;
      json body;
    };
    std::vector<Replay> replays = {
        {"units C1", "/v1/communities/C1/units", w.firm,
         {{"idempotency_key", "units-C1"},
          {"units", json::array({{{"unit_id", "U1"}, {"area_centi_m2", 10000}},
                                 {{"unit_id", "U2"}, {"area_centi_m2", "8000"}},
                                 {{"unit_id", "U3"}, {"area_centi_m2", 12000}}})}}},
        {"firm F1", "/v1/firms", w.admin, {{"idempotency_key", "firm-F1"}, {"firm_id", "F1"}, {"name", "Firm One"}}},
        {"close P1", "/v1/communities/C1/proposals/P1/close", w.committee, {{"idempotency_key", "close-P1"}}},
        // amount as a number this time: the same request.
        {"payment U1 by owner", "/v1/communities/C1/payments", w.owner,
         {{"idempotency_key", "pay-U1"}, {"unit_id", "U1"}, {"amount", 75000}, {"period", "2026-01"},
          {"months", 3}, {"paid_on", "2026-01-05"}, {"method", "wechat"}, {"receipt_ref", "R-U1"}}},
    };
    for (const Replay& r : replays) {
      INFO(r.name);
      Reply again = c.Post(r.path, r.token, r.body.dump());
      CheckWriteShape(again, 200);
      CHECK(again.Json() == w.replies[r.name].Json());
    }
    CHECK(TreeSize(c) == size);
  }

  SECTION("payments:batch: all or nothing, 201 {entries}, a repeat 200") {
    const std::string path = "/v1/communities/C1/payments:batch";
    auto payment = [](const std::string& key, const std::string& unit, int64_t amount) {
      return json{{"idempotency_key", key}, {"unit_id", unit}, {"amount", amount}, {"period", "2026-05"},
                  {"months", 1}, {"paid_on", "2026-05-03"}, {"method", "bank"}, {"receipt_ref", key}};
    };
    const uint64_t size = TreeSize(c);
    // One bad payment refuses the whole batch.
    Reply refused = c.Post(path, w.firm,
                           json{{"payments", {payment("b-1", "U1", 100), payment("b-2", "U2", 0)}}}.dump());
    CheckProblem(refused, 400, "bad-amount");
    Reply unknown = c.Post(path, w.firm,
                           json{{"payments", {payment("b-1", "U1", 100), payment("b-2", "U404", 5)}}}.dump());
    CheckProblem(unknown, 404, "unknown-unit");
    CHECK(TreeSize(c) == size);

    const std::string body =
        json{{"payments", {payment("b-1", "U1", 100), payment("b-2", "U2", 200), payment("b-3", "U3", 300)}}}.dump();
    Reply r = c.Post(path, w.firm, body);
    INFO(r.Describe());
    REQUIRE(r.status == 201);
    json j = r.Json();
    REQUIRE(j["entries"].size() == 3);
    for (size_t i = 0; i < 3; ++i) {
      const json& e = j["entries"][i];
      CHECK(U64(e["seq"]) == size + i);  // consecutive, in request order
      CHECK(e["entry"]["idempotency_key"] == "b-" + std::to_string(i + 1));
      CHECK(e["entry"]["actor"]["principal_id"] == "F1");
      CHECK(Unb64(e["leaf_hash"]).size() == kHashBytes);
      Reply stored = c.Get("/v1/entries/" + e["seq"].get<std::string>(), w.regulator);
      REQUIRE(stored.status == 200);
      CHECK(stored.Json()["leaf_hash"] == e["leaf_hash"]);
    }
    CHECK(TreeSize(c) == size + 3);
    // One group commit, one checkpoint: at size + 3, none at the sizes inside the batch, and no
    // proof against a size whose signed checkpoint cannot be fetched.
    const std::string mid = std::to_string(size + 1), end = std::to_string(size + 3);
    CheckProblem(c.Get("/v1/checkpoint?tree_size=" + mid), 404, "no-checkpoint");
    CheckProblem(c.Get("/v1/proofs/inclusion?leaf_index=0&tree_size=" + mid), 404, "no-checkpoint");
    CheckProblem(c.Get("/v1/proofs/consistency?first=" + mid + "&second=" + end), 404, "no-checkpoint");
    CheckProblem(c.Get("/v1/proofs/consistency?first=1&second=" + mid), 404, "no-checkpoint");
    CHECK(c.Get("/v1/checkpoint?tree_size=" + end).status == 200);
    CHECK(c.Get("/v1/proofs/inclusion?leaf_index=0&tree_size=" + end).status == 200);
    CHECK(c.Get("/v1/proofs/consistency?first=" + std::to_string(size) + "&second=" + end).status == 200);
    // The same batch again: the original entries, 200, nothing written.
    Reply again = c.Post(path, w.firm, body);
    CHECK(again.status == 200);
    CHECK(again.Json()["entries"] == j["entries"]);
    CHECK(j["written"] == 3);
    CHECK(j["replayed"] == 0);
    CHECK(again.Json()["written"] == 0);
    CHECK(again.Json()["replayed"] == 3);
    CHECK(TreeSize(c) == size + 3);
  }

  SECTION("tokens: 201 {token, credential}, the token works at once") {
    Reply r = c.Post("/v1/tokens", w.admin,
                     json{{"role", "owner"}, {"principal_id", "o-new"}, {"communities", {"C1"}}, {"units", {"U3"}}}.dump());
    INFO(r.Describe());
    REQUIRE(r.status == 201);
    json j = r.Json();
    CHECK(j["token"].get<std::string>().rfind("mz_", 0) == 0);
    CHECK(j["token"].get<std::string>().size() == 46);
    CHECK(j["credential"]["role"] == "owner");
    CHECK(j["credential"]["principal_id"] == "o-new");
    CHECK(j["credential"]["community_ids"] == json::array({"C1"}));
    CHECK(j["credential"]["unit_ids"] == json::array({"U3"}));
    CHECK(c.Get("/v1/communities/C1/units/U3/account?period=2026-01", j["token"].get<std::string>()).status == 200);
  }

  SECTION("tokens with an idempotency_key: a repeat issues no second token, another body is 409") {
    json body{{"idempotency_key", "token-o-key"}, {"role", "owner"}, {"principal_id", "o-key"},
              {"communities", {"C1"}}, {"units", {"U3"}}};
    Reply first = c.Post("/v1/tokens", w.admin, body.dump());
    INFO(first.Describe());
    REQUIRE(first.status == 201);
    const json issued = first.Json();
    REQUIRE(issued["credential"]["issued_at_ms"].is_string());

    Reply again = c.Post("/v1/tokens", w.admin, body.dump());
    INFO(again.Describe());
    CHECK(again.status == 200);
    CHECK_FALSE(again.Json().contains("token"));  // shown once, in the first answer
    CHECK(again.Json()["replayed"] == true);
    CHECK(again.Json()["credential"] == issued["credential"]);

    body["units"] = {"U2"};
    Reply other = c.Post("/v1/tokens", w.admin, body.dump());
    CHECK(other.status == 409);
    CHECK(other.Json()["type"] == "idempotency-conflict");
    const std::string token = issued["token"].get<std::string>();
    CHECK(c.Get("/v1/communities/C1/units/U3/account?period=2026-01", token).status == 200);
    CHECK(c.Get("/v1/communities/C1/units/U2/account?period=2026-01", token).status == 403);
  }

  SECTION("an owner's repeat under a token issued since, for more units, is a replay, not a conflict") {
    const std::string wider = IssueToken(c, w.admin, "owner", "owner-U1", {"C1"}, {"U2", "U1"});
    json body{{"idempotency_key", "pay-U1"}, {"unit_id", "U1"}, {"amount", "75000"}, {"period", "2026-01"},
              {"months", 3}, {"paid_on", "2026-01-05"}, {"method", "wechat"}, {"receipt_ref", "R-U1"}};
    const uint64_t size = TreeSize(c);
    Reply again = c.Post("/v1/communities/C1/payments", wider, body.dump());
    INFO(again.Describe());
    CHECK(again.status == 200);
    CHECK(again.Json()["seq"] == std::to_string(w.seq["payment U1 by owner"]));
    body["amount"] = "75001";
    CHECK(c.Post("/v1/communities/C1/payments", wider, body.dump()).status == 409);
    CHECK(TreeSize(c) == size);
  }

  SECTION("checkpoint, keys, checkpoint?tree_size, inclusion and consistency proofs verify") {
    Reply keys = c.Get("/v1/keys");
    REQUIRE(keys.status == 200);
    json k = keys.Json();
    CHECK(k["algorithm"] == "Ed25519");
    CHECK(k["origin"] == "mingzhang.local/district");
    Result<NoteVerifier> verifier = NoteVerifier::Parse(k["verifier_key"].get<std::string>());
    REQUIRE(verifier.ok());
    Result<PublicKey> pem = PublicKey::FromPem(k["public_key_pem"].get<std::string>());
    REQUIRE(pem.ok());
    CHECK(pem->raw() == verifier->key.raw());

    Reply now = c.Get("/v1/checkpoint");
    REQUIRE(now.status == 200);
    CHECK(now.content_type.rfind("text/plain", 0) == 0);
    Result<std::string> text = OpenNote(now.body, *verifier);
    REQUIRE(text.ok());
    Result<Checkpoint> cp = ParseCheckpoint(*text);
    REQUIRE(cp.ok());
    CHECK(cp->origin == "mingzhang.local/district");
    const uint64_t n = cp->tree_size;
    CHECK(n == w.replies.size());
    const std::string root(AsBytes(cp->root_hash));

    // Byte for byte as first served, also after the log grew.
    Reply at_n = c.Get("/v1/checkpoint?tree_size=" + std::to_string(n));
    CHECK(at_n.status == 200);
    CHECK(at_n.body == now.body);
    Reply at5 = c.Get("/v1/checkpoint?tree_size=5");
    REQUIRE(at5.status == 200);
    w.Write("firm F3", "/v1/firms", w.admin, {{"idempotency_key", "firm-F3"}, {"firm_id", "F3"}, {"name", "Three"}});
    CHECK(c.Get("/v1/checkpoint?tree_size=" + std::to_string(n)).body == now.body);
    CHECK(c.Get("/v1/checkpoint?tree_size=5").body == at5.body);
    Reply grown = c.Get("/v1/checkpoint");
    Result<Checkpoint> cp2 = ParseCheckpoint(*OpenNote(grown.body, *verifier));
    REQUIRE(cp2.ok());
    CHECK(cp2->tree_size == n + 1);

    // Every leaf of size n is included in the root of the checkpoint of size n.
    for (uint64_t i = 0; i < n; ++i) {
      INFO("leaf " << i);
      Reply e = c.Get("/v1/entries/" + std::to_string(i), w.regulator);
      REQUIRE(e.status == 200);
      json ej = e.Json();
      const std::string leaf_bytes = Unb64(ej["leaf_bytes"]);
      const std::string leaf_hash = Unb64(ej["leaf_hash"]);
      CHECK(leaf_hash == std::string(AsBytes(LeafHash(leaf_bytes))));
      CHECK(Unb64(ej["chain_hash"]) == std::string(AsBytes(Sha256(leaf_bytes))));
      Reply p = c.Get("/v1/proofs/inclusion?leaf_index=" + std::to_string(i) + "&tree_size=" + std::to_string(n));
      REQUIRE(p.status == 200);
      json pj = p.Json();
      CHECK(U64(pj["leaf_index"]) == i);
      CHECK(U64(pj["tree_size"]) == n);
      std::vector<std::string> path;
      for (const json& h : pj["audit_path"]) path.push_back(Unb64(h));
      CHECK(VerifyInclusion(i, n, leaf_hash, path, root).ok());
      CHECK_FALSE(VerifyInclusion(i, n, leaf_hash, path, std::string(AsBytes(cp2->root_hash))).ok());
    }

    // Consistency from every earlier checkpoint to the grown tree.
    const std::string root2(AsBytes(cp2->root_hash));
    for (uint64_t m = 1; m <= n + 1; ++m) {
      INFO("first " << m);
      Reply old = c.Get("/v1/checkpoint?tree_size=" + std::to_string(m));
      REQUIRE(old.status == 200);
      Result<std::string> old_text = OpenNote(old.body, *verifier);
      REQUIRE(old_text.ok());
      Result<Checkpoint> old_cp = ParseCheckpoint(*old_text);
      REQUIRE(old_cp.ok());
      CHECK(old_cp->tree_size == m);
      Reply p = c.Get("/v1/proofs/consistency?first=" + std::to_string(m) + "&second=" + std::to_string(n + 1));
      REQUIRE(p.status == 200);
      json pj = p.Json();
      CHECK(U64(pj["first"]) == m);
      CHECK(U64(pj["second"]) == n + 1);
      std::vector<std::string> path;
      for (const json& h : pj["path"]) path.push_back(Unb64(h));
      CHECK(VerifyConsistency(m, n + 1, path, std::string(AsBytes(old_cp->root_hash)), root2).ok());
    }
  }

  SECTION("entries/{seq} and entries?community= carry the bytes that were hashed") {
    const uint64_t pay = w.seq["payment U1 by owner"];
    Reply r = c.Get("/v1/entries/" + std::to_string(pay), w.owner);
    REQUIRE(r.status == 200);
    json j = r.Json();
    json posted = w.replies["payment U1 by owner"].Json();
    CHECK(j["entry"] == posted["entry"]);
    CHECK(j["seq"] == posted["seq"]);
    CHECK(j["leaf_hash"] == posted["leaf_hash"]);
    CHECK(j["chain_hash"] == posted["chain_hash"]);
    CHECK(U64(j["seq"]) == pay);

    // The whole community, in seq order, in pages.
    std::vector<uint64_t> expected;
    for (auto& [name, s] : w.seq) {
      json e = w.replies[name].Json()["entry"];
      if (e.value("community_id", "") == "C1") expected.push_back(s);
    }
    std::sort(expected.begin(), expected.end());
    Reply all = c.Get("/v1/entries?community=C1", w.committee);
    REQUIRE(all.status == 200);
    json aj = all.Json();
    CHECK(U64(aj["tree_size"]) == w.replies.size());
    std::vector<uint64_t> got;
    for (const json& e : aj["entries"]) {
      got.push_back(U64(e["seq"]));
      CHECK(e["entry"]["community_id"] == "C1");
      CHECK(Unb64(e["leaf_hash"]) == std::string(AsBytes(LeafHash(Unb64(e["leaf_bytes"])))));
    }
    CHECK(got == expected);

    std::vector<uint64_t> paged;
    std::string after;
    for (int page = 0; page < 100; ++page) {
      Reply p = c.Get("/v1/entries?community=C1&limit=4" + after, w.firm);
      REQUIRE(p.status == 200);
      json pj = p.Json();
      CHECK(pj["entries"].size() <= 4);
      if (pj["entries"].empty()) break;
      for (const json& e : pj["entries"]) paged.push_back(U64(e["seq"]));
      after = "&after_seq=" + std::to_string(paged.back());
    }
    CHECK(paged == expected);
  }

  SECTION("statements are signed over their JCS form and name a real checkpoint") {
    json keys = c.Get("/v1/keys").Json();
    Result<PublicKey> key = PublicKey::FromPem(keys["public_key_pem"].get<std::string>());
    REQUIRE(key.ok());
    Result<NoteVerifier> verifier = NoteVerifier::Parse(keys["verifier_key"].get<std::string>());
    REQUIRE(verifier.ok());
    char key_id[9];
    std::snprintf(key_id, sizeof key_id, "%08x", verifier->key_id);

    auto verify = [&](const json& answer) {
      REQUIRE(answer["signature"].is_object());
      CHECK(answer["signature"]["algorithm"] == "Ed25519");
      CHECK(answer["signature"]["key_id"] == key_id);
      Result<std::string> jcs = Canonicalize(answer["statement"]);
      REQUIRE(jcs.ok());
      const std::string sig = Unb64(answer["signature"]["signature"]);
      CHECK(sig.size() == kEd25519SignatureBytes);
      CHECK(key->Verify(*jcs, sig));
      CHECK_FALSE(key->Verify(*jcs + " ", sig));
    };

    Reply r = c.Get("/v1/communities/C1/statements/2026-Q1", w.owner);
    REQUIRE(r.status == 200);
    json a = r.Json();
    verify(a);
    json s = a["statement"];
    CHECK(s["format"] == "mingzhang-statement/3");
    CHECK(s["community_id"] == "C1");
    CHECK(s["firm_id"] == "F1");
    CHECK(s["period"] == "2026-Q1");
    // Its checkpoint is the current signed one.
    Result<Checkpoint> cp = ParseCheckpoint(*OpenNote(c.Get("/v1/checkpoint").body, *verifier));
    REQUIRE(cp.ok());
    CHECK(U64(s["checkpoint"]["tree_size"]) == cp->tree_size);
    CHECK(Unb64(s["checkpoint"]["root_hash"]) == std::string(AsBytes(cp->root_hash)));
    CHECK(s["checkpoint"]["origin"] == cp->origin);
    // The money: fees paid 75,000 + 60,000 (U3's 90,000 reversed, U1's 100 is April), cleaning
    // 20,000; public revenue 50,000 in, 20,000 out under R-P1.
    std::map<std::string, json> funds;
    for (const json& f : s["funds"]) funds[f["fund"].get<std::string>()] = f;
    REQUIRE(funds.count("FEES"));
    REQUIRE(funds.count("PUBLIC_REVENUE"));
    CHECK(funds["FEES"]["opening_balance"] == "0");
    CHECK(funds["FEES"]["income"] == "135000");
    CHECK(funds["FEES"]["disbursed"] == "20000");
    CHECK(funds["FEES"]["disbursed_by_category"]["CLEANING"] == "20000");
    CHECK(funds["FEES"]["closing_balance"] == "115000");
    CHECK(funds["PUBLIC_REVENUE"]["income_by_source"]["parking"] == "50000");
    CHECK(funds["PUBLIC_REVENUE"]["disbursed_by_category"]["REPAIR"] == "20000");
    CHECK(funds["PUBLIC_REVENUE"]["closing_balance"] == "30000");
    // 10% of the fee income through the period (U1's April 100 fen comes later).
    CHECK(s["remuneration"]["allowed_to_date"] == "13500");
    CHECK(s["remuneration"]["taken_to_date"] == "0");
    CHECK(s["billing"]["units"] == 3);
    CHECK(s["evaluations"]["count"] == 1);
    // entries_count and entries_digest: every C1 entry in the log, chained from the leaves
    // (d_0 = SHA-256 of the tag, d_i = SHA-256(d_{i-1} || leaf_i)).
    json all = c.Get("/v1/entries?community=C1", w.regulator).Json();
    Hash digest = Sha256("mingzhang-entries/1");
    for (const json& e : all["entries"]) digest = Sha256(std::string(AsBytes(digest)) + Unb64(e["leaf_hash"]));
    CHECK(s["entries_count"] == all["entries"].size());
    CHECK(s["entries_digest"] == HexEncode(AsBytes(digest)));

    // At the current size, the replayed statement gives the same bytes.
    Reply same = c.Get("/v1/communities/C1/statements/2026-Q1?tree_size=" + std::to_string(cp->tree_size), w.firm);
    REQUIRE(same.status == 200);
    CHECK(same.Json() == a);
    // At an earlier size: that checkpoint, its root, a valid signature, and less money.
    const uint64_t before_spending = w.seq["disbursement cleaning"];
    Reply early = c.Get("/v1/communities/C1/statements/2026-Q1?tree_size=" + std::to_string(before_spending),
                        w.regulator);
    REQUIRE(early.status == 200);
    json e = early.Json();
    verify(e);
    CHECK(U64(e["statement"]["checkpoint"]["tree_size"]) == before_spending);
    Result<Checkpoint> early_cp =
        ParseCheckpoint(*OpenNote(c.Get("/v1/checkpoint?tree_size=" + std::to_string(before_spending)).body, *verifier));
    REQUIRE(early_cp.ok());
    CHECK(Unb64(e["statement"]["checkpoint"]["root_hash"]) == std::string(AsBytes(early_cp->root_hash)));
    for (const json& f : e["statement"]["funds"]) {
      if (f["fund"] == "FEES") CHECK(f["disbursed"] == "0");
    }
  }

  SECTION("owner account: where my fee went, with proofs against the checkpoint in the answer") {
    Reply r = c.Get("/v1/communities/C1/units/U1/account?period=2026-01", w.owner);
    REQUIRE(r.status == 200);
    json a = r.Json();
    CHECK(a["community_id"] == "C1");
    CHECK(a["unit_id"] == "U1");
    CHECK(a["period"] == "2026-01");
    CHECK(a["billed"] == "25000");  // 100 m² x 2.50
    CHECK(a["paid"] == "25000");
    CHECK(a["owed"] == "0");
    CHECK(a["arrears_to_date"] == "0");
    // shares + unspent = paid
    int64_t total = std::stoll(a["unspent"].get<std::string>());
    for (const json& s : a["shares"]) total += std::stoll(s["share"].get<std::string>());
    CHECK(total == 25000);
    REQUIRE(a["spending_items"].size() == 1);
    CHECK(a["spending_items"][0]["voucher_sha256"] == kVoucher);
    // Proofs against the signed checkpoint carried in the answer.
    json keys = c.Get("/v1/keys").Json();
    Result<NoteVerifier> verifier = NoteVerifier::Parse(keys["verifier_key"].get<std::string>());
    REQUIRE(verifier.ok());
    Result<std::string> text = OpenNote(a["checkpoint"].get<std::string>(), *verifier);
    REQUIRE(text.ok());
    Result<Checkpoint> cp = ParseCheckpoint(*text);
    REQUIRE(cp.ok());
    CHECK(U64(a["tree_size"]) == cp->tree_size);
    REQUIRE(a["payments"].size() == 1);
    for (const json& p : a["payments"]) {
      CHECK(U64(p["seq"]) == w.seq["payment U1 by owner"]);
      CHECK(p["leaf_hash"] == w.replies["payment U1 by owner"].Json()["leaf_hash"]);
      CHECK(p["evaluated"] == true);
      std::vector<std::string> path;
      for (const json& h : p["audit_path"]) path.push_back(Unb64(h));
      CHECK(VerifyInclusion(U64(p["leaf_index"]), cp->tree_size, Unb64(p["leaf_hash"]), path,
                            std::string(AsBytes(cp->root_hash)))
                .ok());
    }
  }

  SECTION("statements and accounts go in gzip to clients that accept it: the same bytes, fresh after an append") {
    auto get = [&](const std::string& path, const std::string& token, const char* accept_encoding) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (accept_encoding != nullptr) headers.emplace_back("Accept-Encoding", accept_encoding);
      return c.Send(http::verb::get, path, "", token, "", headers);
    };
    const std::string account = "/v1/communities/C1/units/U1/account?period=2026";
    for (const auto& [path, token] : {std::pair{account, w.owner},
                                      std::pair{std::string("/v1/communities/C1/statements/2026-Q1"), w.regulator}}) {
      INFO(path);
      Reply plain = get(path, token, nullptr);
      REQUIRE(plain.status == 200);
      REQUIRE(plain.body.size() >= api::kGzipBodyBytesMin);
      CHECK(plain.Header(http::field::content_encoding).empty());
      CHECK(plain.Header(http::field::vary) == "Accept-Encoding");
      // The first computes and keeps it, the next ones are answered from the cache.
      for (const char* accept : {"gzip", "gzip", "deflate, x-gzip;q=0.5", "*"}) {
        INFO(accept);
        Reply z = get(path, token, accept);
        REQUIRE(z.status == 200);
        CHECK(z.Header(http::field::content_encoding) == "gzip");
        CHECK(z.Header(http::field::vary) == "Accept-Encoding");
        CHECK(z.content_type == "application/json");
        CHECK(z.body.size() < plain.body.size());
        CHECK(api::Gunzip(z.body) == plain.body);
      }
      for (const char* accept : {"identity", "gzip;q=0", "gzip;q=0, *", "br", "gzip;q=2"}) {
        INFO(accept);
        Reply r = get(path, token, accept);
        REQUIRE(r.status == 200);
        CHECK(r.Header(http::field::content_encoding).empty());
        CHECK(r.body == plain.body);
      }
    }
    // An append moves the head: the gzip answer is made again, against the new tree size.
    Reply before = get(account, w.owner, "gzip");
    w.Write("public revenue again", "/v1/communities/C1/public-revenue", w.committee,
            {{"idempotency_key", "rev-park-2"}, {"source", "parking"}, {"amount", 100}, {"payer", "Park Co"},
             {"received_on", "2026-02-10"}, {"contract_ref", "K-2"}});
    Reply after = get(account, w.owner, "gzip");
    REQUIRE(after.Header(http::field::content_encoding) == "gzip");
    std::optional<std::string> after_body = api::Gunzip(after.body);
    REQUIRE(after_body.has_value());
    CHECK(U64(json::parse(*after_body)["tree_size"]) == U64(json::parse(*api::Gunzip(before.body))["tree_size"]) + 1);
    CHECK(*after_body == get(account, w.owner, nullptr).body);
  }

  SECTION("evaluation summary, proposal, ratings") {
    Reply s = c.Get("/v1/communities/C1/evaluations/summary?period=2026-Q1", w.committee);
    REQUIRE(s.status == 200);
    json sj = s.Json();
    CHECK(sj["community_id"] == "C1");
    CHECK(sj["count"] == 1);
    CHECK(sj["payments"] == 2);  // U3's payment was reversed
    CHECK(sj["evaluated_payments"] == 1);
    CHECK(sj["coverage_bp"] == 5000);
    CHECK(sj["mean_x100"] == json{{"cleaning", 500}, {"security", 400}, {"greenery", 300}, {"repair", 400}, {"service", 500}});

    Reply p = c.Get("/v1/communities/C1/proposals/P1", w.owner);
    REQUIRE(p.status == 200);
    json pj = p.Json();
    CHECK(pj["proposal_id"] == "P1");
    CHECK(pj["closed"] == true);
    CHECK(pj["passed"] == true);
    CHECK(pj["quorum_met"] == true);
    CHECK(pj["resolution_id"] == "R-P1");
    CHECK(pj["disbursed_under_resolution"] == "20000");
    CHECK(pj["tally"]["yes_units"] == 3);
    CHECK(pj["tally"]["yes_area_centi_m2"] == "30000");
    Reply open = c.Get("/v1/communities/C1/proposals/P2", w.firm);
    REQUIRE(open.status == 200);
    CHECK(open.Json()["closed"] == false);

    Reply r = c.Get("/v1/ratings?period=2026", w.regulator);
    REQUIRE(r.status == 200);
    json rj = r.Json();
    CHECK(rj["formula_version"] == "mingzhang-rating/3");
    CHECK(rj["period"] == "2026");
    std::set<std::string> firms;
    for (const json& f : rj["firms"]) {
      firms.insert(f["firm_id"].get<std::string>());
      CHECK(f["score"].is_number_integer());
      CHECK(f["score"].get<int>() >= 0);
      CHECK(f["score"].get<int>() <= 100);
      CHECK(f["grade"].is_string());
      CHECK(f["red_list"].is_boolean());
      CHECK(f["black_list"].is_boolean());
      CHECK(f["inputs"].is_object());
      CHECK(f["points_milli"].is_object());
    }
    CHECK(firms.count("F1"));
    CHECK(firms.count("F2"));
  }

  SECTION("reconciliation of a plain CSV reads only") {
    const uint64_t size = TreeSize(c);
    const std::string csv =
        "date,amount,direction,counterparty,reference\n"
        "2026-01-05,750.00,credit,owner U1,R-U1\n"        // exact: the owner's payment
        "2026-01-22,200.00,debit,Clean Co,bank-ref-9\n"   // within 3 days: the cleaning
        "2026-02-14,12.34,credit,stranger,unknown\n";    // only at the bank
    Reply r = c.Post("/v1/communities/C1/reconciliation", w.firm, csv, "text/csv");
    INFO(r.Describe());
    REQUIRE(r.status == 200);
    json j = r.Json();
    std::map<uint64_t, json> matched;
    for (const json& m : j["matched"]) matched[U64(m["seq"])] = m;
    REQUIRE(matched.count(w.seq["payment U1 by owner"]));
    CHECK(matched[w.seq["payment U1 by owner"]]["exact"] == true);
    CHECK(matched[w.seq["payment U1 by owner"]]["bank_line"] == 2);
    REQUIRE(matched.count(w.seq["disbursement cleaning"]));
    CHECK(matched[w.seq["disbursement cleaning"]]["exact"] == false);
    REQUIRE(j["only_at_bank"].size() == 1);
    CHECK(j["only_at_bank"][0]["amount"] == "1234");
    std::set<uint64_t> only_ledger;
    for (const json& i : j["only_in_ledger"]) only_ledger.insert(U64(i["seq"]));
    CHECK(only_ledger.count(w.seq["payment U2 by firm"]));
    CHECK(only_ledger.count(w.seq["public revenue parking"]));
    CHECK_FALSE(only_ledger.count(w.seq["payment U3 by firm"]));  // reversed
    CHECK(TreeSize(c) == size);
  }

  SECTION("healthz and metrics") {
    Reply h = c.Get("/healthz");
    CHECK(h.status == 200);
    CHECK(h.body == "ok\n");
    Reply m = c.Get("/metrics");
    REQUIRE(m.status == 200);
    CHECK(m.content_type.rfind("text/plain", 0) == 0);
    CHECK_THAT(m.body, Catch::Contains("mingzhang_tree_size " + std::to_string(w.replies.size())));
    CHECK_THAT(m.body, Catch::Contains(R"(mingzhang_http_requests_total{method="POST",route="/v1/communities/{c}/payments",status="201"})"));
    CHECK_THAT(m.body, Catch::Contains("mingzhang_appends_total "));
    CHECK_THAT(m.body, Catch::Contains("mingzhang_batches_total "));
    CHECK_THAT(m.body, Catch::Contains("mingzhang_last_batch_entries "));
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Who may do what.

// One expectation per role, in this order: admin, firm, committee, owner, regulator, no token,
// bad token. '+' allowed (any status but 401/403, and no 5xx), '3' 403, '1' 401.
constexpr int kRoles = 7;
const char* const kRoleNames[kRoles] = {"admin", "firm", "committee", "owner", "regulator", "no token", "bad token"};

struct MatrixRow {
  MatrixRow(http::verb m, std::string t, std::function<std::string()> b, const char* e,
            std::string ct = "application/json")
      : method(m), target(std::move(t)), body(std::move(b)), expect(e), content_type(std::move(ct)) {}
  http::verb method;
  std::string target;
  std::function<std::string()> body;  // empty for GETs
  const char* expect;                 // kRoles characters
  std::string content_type;
};

void CheckAllowedOrRefused(const Reply& r, char expect) {
  INFO(r.Describe());
  REQUIRE(r.ok());
  switch (expect) {
    case '+':
      CHECK(r.status != 401);
      CHECK(r.status != 403);
      CHECK(r.status < 500);
      break;
    case '1':
      CHECK(r.status == 401);
      CHECK(r.content_type == kProblem);
      CHECK(r.Json()["status"] == 401);
      break;
    case '3':
      CHECK(r.status == 403);
      CHECK(r.content_type == kProblem);
      CHECK(r.Json()["type"] == "forbidden");
      CHECK(r.Json()["status"] == 403);
      break;
    default:
      FAIL("bad expectation");
  }
}

TEST_CASE("role x endpoint matrix: 401 without or with a bad token, 403 out of role or scope", "[api]") {
  World w;
  HttpClient& c = w.c();
  int n = 0;
  auto key = [&n] { return "matrix-" + std::to_string(++n); };
  const std::string pay_u1 = std::to_string(w.seq["payment U1 by owner"]);
  const std::string pay_small = std::to_string(w.seq["payment U1 small"]);
  const std::string pay_v1 = std::to_string(w.seq["payment V1"]);
  // A well-formed token nobody was given.
  const std::string bad = "mz_" + std::string(43, 'A');
  const std::string tokens[kRoles] = {w.admin, w.firm, w.committee, w.owner, w.regulator, "", bad};

  auto payment = [&](const std::string& unit) {
    return json{{"idempotency_key", key()}, {"unit_id", unit}, {"amount", 1}, {"period", "2026-05"},
                {"months", 1}, {"paid_on", "2026-05-01"}, {"method", "cash"}}
        .dump();
  };
  auto disbursement = [&] {
    return json{{"idempotency_key", key()}, {"fund", "FEES"}, {"category", "OTHER"}, {"amount", 1},
                {"payee", "p"}, {"description", "d"}, {"paid_on", "2026-05-01"}, {"voucher_sha256", kVoucher}}
        .dump();
  };
  auto revenue = [&] {
    return json{{"idempotency_key", key()}, {"source", "advertising"}, {"amount", 1}, {"payer", "p"},
                {"received_on", "2026-05-01"}}
        .dump();
  };
  auto proposal = [&] {
    std::string id = key();
    return json{{"idempotency_key", id}, {"proposal_id", id}, {"title", "t"}, {"matter", "ORDINARY"},
                {"amount", 1}, {"fund", "FEES"}, {"closes_on", "2099-12-31"}}
        .dump();
  };
  auto units = [&] {
    return json{{"idempotency_key", key()}, {"units", json::array({{{"unit_id", key()}, {"area_centi_m2", 100}}})}}.dump();
  };
  auto evaluation = [&](const std::string& seq) {
    return json{{"idempotency_key", key()}, {"payment_seq", seq},
                {"scores", {{"cleaning", 3}, {"security", 3}, {"greenery", 3}, {"repair", 3}, {"service", 3}}}}
        .dump();
  };
  auto vote = [&](const std::string& unit) { return json{{"idempotency_key", key()}, {"unit_id", unit}, {"choice", "NO"}}.dump(); };
  auto just_key = [&] { return json{{"idempotency_key", key()}}.dump(); };
  auto reversal = [&] { return json{{"idempotency_key", key()}, {"reason", "matrix"}}.dump(); };
  auto csv = [] { return std::string("date,amount,direction,counterparty,reference\n2026-01-05,750.00,credit,a,R-U1\n"); };
  const http::verb POST = http::verb::post, GET = http::verb::get;

  // clang-format off
  std::vector<MatrixRow> rows = {
    //                                                                                        adm/firm/com/own/reg/none/bad
    {POST, "/v1/firms", [&] { std::string k = key(); return json{{"idempotency_key", k}, {"firm_id", k}, {"name", "n"}}.dump(); }, "+333311"},
    {POST, "/v1/communities", [&] { std::string k = key(); return json{{"idempotency_key", k}, {"community_id", k}, {"name", "n"},
        {"firm_id", "F1"}, {"fee_rate_fen_per_m2_month", 1}, {"remuneration", {{"basis_points_of_fee_income", 0}}}, {"start_month", "2026-01"}}.dump(); }, "+333311"},
    {POST, "/v1/communities/C1/units",             units,                          "++33311"},
    {POST, "/v1/communities/C1/payments",          [&] { return payment("U1"); },  "3+3+311"},
    {POST, "/v1/communities/C1/payments:batch",    [&] { return "{\"payments\":[" + payment("U1") + "]}"; }, "3+33311"},
    {POST, "/v1/communities/C1/disbursements",     disbursement,                   "3+33311"},
    {POST, "/v1/communities/C1/public-revenue",    revenue,                        "3++3311"},
    {POST, "/v1/communities/C1/evaluations",       [&] { return evaluation(pay_u1); }, "333+311"},
    {POST, "/v1/communities/C1/proposals",         proposal,                       "33+3311"},
    {POST, "/v1/communities/C1/proposals/PM/votes", [&] { return vote("U1"); },    "333+311"},
    {POST, "/v1/communities/C1/proposals/PM/close", just_key,                      "33+3311"},
    {POST, "/v1/entries/" + pay_small + "/reversal", reversal,                     "++33311"},
    {POST, "/v1/tokens", [&] { return json{{"role", "regulator"}, {"principal_id", key()}}.dump(); }, "+333311"},
    {POST, "/v1/communities/C1/reconciliation",    csv,                            "3+33311", "text/csv"},
    {GET,  "/v1/checkpoint",                                 nullptr, "+++++++"},
    {GET,  "/v1/checkpoint?tree_size=3",                     nullptr, "+++++++"},
    {GET,  "/v1/keys",                                       nullptr, "+++++++"},
    {GET,  "/v1/proofs/inclusion?leaf_index=1&tree_size=5",  nullptr, "+++++++"},
    {GET,  "/v1/proofs/consistency?first=2&second=5",        nullptr, "+++++++"},
    {GET,  "/v1/entries/" + pay_u1,                          nullptr, "+++++11"},
    {GET,  "/v1/entries/0",                                  nullptr, "+++++11"},  // a firm registration: no community
    {GET,  "/v1/entries?community=C1&limit=5",               nullptr, "+++++11"},
    {GET,  "/v1/communities/C1/statements/2026-Q1",          nullptr, "+++++11"},
    {GET,  "/v1/communities/C1/statements/2026?tree_size=20", nullptr, "+++++11"},
    {GET,  "/v1/communities/C1/units/U1/account?period=2026-01", nullptr, "+++++11"},
    {GET,  "/v1/communities/C1/evaluations/summary?period=2026", nullptr, "+++++11"},
    {GET,  "/v1/communities/C1/proposals/P1",                nullptr, "+++++11"},
    // The regulator reads ratings; the server also lets an admin read them (as every read).
    {GET,  "/v1/ratings?period=2026",                        nullptr, "+333+11"},
    // Billing is served with these roles.
    {GET,  "/v1/communities/C1/billing?period=2026-01",      nullptr, "+++3+11"},
    {GET,  "/healthz",                                       nullptr, "+++++++"},
    {GET,  "/metrics",                                       nullptr, "+++++++"},  // anyone on loopback
  };
  // clang-format on

  for (const MatrixRow& row : rows) {
    REQUIRE(std::string(row.expect).size() == kRoles);
    for (int role = 0; role < kRoles; ++role) {
      INFO(http::to_string(row.method) << " " << row.target << " as " << kRoleNames[role]);
      Reply r = c.Send(row.method, row.target, row.body ? row.body() : "", tokens[role], row.content_type);
      CheckAllowedOrRefused(r, row.expect[role]);
    }
  }

  // Out of scope: the right role, the wrong community, unit or entry. Each is 403.
  struct ScopeRow {
    ScopeRow(const char* w, std::string tok, http::verb m, std::string t, std::string b,
             std::string ct = "application/json")
        : who(w), token(std::move(tok)), method(m), target(std::move(t)), body(std::move(b)), content_type(std::move(ct)) {}
    const char* who;
    std::string token;
    http::verb method;
    std::string target;
    std::string body;
    std::string content_type;
  };
  // clang-format off
  std::vector<ScopeRow> scope = {
    // A firm in a community it does not serve (its token covers C2 only).
    {"firm F2", w.firm2, POST, "/v1/communities/C1/units", units()},
    {"firm F2", w.firm2, POST, "/v1/communities/C1/payments", payment("U1")},
    {"firm F2", w.firm2, POST, "/v1/communities/C1/payments:batch", "{\"payments\":[" + payment("U1") + "]}"},
    {"firm F2", w.firm2, POST, "/v1/communities/C1/disbursements", disbursement()},
    {"firm F2", w.firm2, POST, "/v1/communities/C1/public-revenue", revenue()},
    {"firm F2", w.firm2, POST, "/v1/communities/C1/reconciliation", csv(), "text/csv"},
    {"firm F2", w.firm2, POST, "/v1/entries/" + pay_small + "/reversal", reversal()},
    {"firm F2", w.firm2, GET, "/v1/entries/" + pay_u1, ""},
    {"firm F2", w.firm2, GET, "/v1/entries?community=C1", ""},
    {"firm F2", w.firm2, GET, "/v1/communities/C1/statements/2026", ""},
    {"firm F2", w.firm2, GET, "/v1/communities/C1/units/U1/account?period=2026-01", ""},
    {"firm F2", w.firm2, GET, "/v1/communities/C1/evaluations/summary?period=2026", ""},
    {"firm F2", w.firm2, GET, "/v1/communities/C1/proposals/P1", ""},
    // Firm F1 reversing in C2, and an entry it did not write (the owner recorded that payment).
    {"firm F1", w.firm, POST, "/v1/entries/" + pay_v1 + "/reversal", reversal()},
    {"firm F1", w.firm, POST, "/v1/entries/" + pay_u1 + "/reversal", reversal()},
    {"firm F1", w.firm, GET, "/v1/entries/" + pay_v1, ""},
    // The committee of C2 in C1.
    {"committee C2", w.committee2, POST, "/v1/communities/C1/proposals", proposal()},
    {"committee C2", w.committee2, POST, "/v1/communities/C1/public-revenue", revenue()},
    {"committee C2", w.committee2, POST, "/v1/communities/C1/proposals/PM/close", just_key()},
    {"committee C2", w.committee2, GET, "/v1/communities/C1/statements/2026", ""},
    // The owner of U1: another unit's account, payment, ballot and payment's evaluation.
    {"owner U1", w.owner, GET, "/v1/communities/C1/units/U2/account?period=2026-01", ""},
    {"owner U1", w.owner, POST, "/v1/communities/C1/payments", payment("U2")},
    {"owner U1", w.owner, POST, "/v1/communities/C1/proposals/PM/votes", vote("U2")},
    {"owner U1", w.owner, POST, "/v1/communities/C1/evaluations", evaluation(std::to_string(w.seq["payment U2 by firm"]))},
    {"owner U1", w.owner, GET, "/v1/communities/C2/statements/2026", ""},
    {"owner U1", w.owner, GET, "/v1/entries/" + pay_v1, ""},
    // An owner of C2 in C1.
    {"owner V1", w.owner_c2, GET, "/v1/entries/" + pay_u1, ""},
    {"owner V1", w.owner_c2, GET, "/v1/communities/C1/proposals/P1", ""},
    {"owner V1", w.owner_c2, GET, "/v1/communities/C1/units/U1/account?period=2026-01", ""},
    {"owner V1", w.owner_c2, POST, "/v1/communities/C1/proposals/PM/votes", vote("V1")},
  };
  // clang-format on
  const uint64_t size = TreeSize(c);
  for (const ScopeRow& row : scope) {
    INFO(row.who << ": " << http::to_string(row.method) << " " << row.target);
    CheckAllowedOrRefused(c.Send(row.method, row.target, row.body, row.token, row.content_type), '3');
  }
  CHECK(TreeSize(c) == size);

  SECTION("malformed Authorization headers are 401") {
    for (const std::string& header :
         {std::string("Basic YWRtaW46YWRtaW4="), std::string("Bearer"), std::string("Bearer "),
          std::string("Bearer mz_short"), "Bearer " + w.admin + "x", "Bearer  " + w.admin, "Token " + w.admin}) {
      INFO(header);
      Reply r = c.Send(GET, "/v1/communities/C1/statements/2026", "", "", "", {{"Authorization", header}});
      CHECK(r.status == 401);
      CHECK(r.content_type == kProblem);
      CHECK((r.Json()["type"] == "bad-token" || r.Json()["type"] == "unauthenticated"));
    }
    CHECK(c.Get("/v1/communities/C1/statements/2026").Json()["type"] == "unauthenticated");
    CHECK(c.Get("/v1/communities/C1/statements/2026", bad).Json()["type"] == "bad-token");
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Bad requests.

struct BadRequest {
  BadRequest(std::string n, http::verb m, std::string t, std::string tok, std::string b, int s, std::string ty,
             std::string ct = "application/json", std::string r = "")
      : name(std::move(n)), method(m), target(std::move(t)), token(std::move(tok)), body(std::move(b)), status(s),
        type(std::move(ty)), content_type(std::move(ct)), raw(std::move(r)) {}
  std::string name;
  http::verb method;
  std::string target;
  std::string token;
  std::string body;
  int status;
  std::string type;
  std::string content_type;
  std::string raw;  // when set: sent as is instead of the request above
};

void CheckBadRequests(HttpClient& c, const std::vector<BadRequest>& cases) {
  const uint64_t size = TreeSize(c);
  REQUIRE(size != ~uint64_t{0});
  for (const BadRequest& b : cases) {
    INFO("case: " << b.name);
    Reply r = b.raw.empty() ? c.Send(b.method, b.target, b.body, b.token, b.content_type) : c.Raw(b.raw);
    CheckProblem(r, b.status, b.type);
    CHECK(TreeSize(c) == size);
  }
}

// A payment body of C1 with one field replaced (or added) as raw JSON text.
std::string PaymentWith(const std::string& key, const std::string& field, const std::string& raw_value) {
  std::map<std::string, std::string> fields = {
      {"idempotency_key", "\"" + key + "\""}, {"unit_id", "\"U1\""}, {"amount", "100"},
      {"period", "\"2026-05\""}, {"months", "1"}, {"paid_on", "\"2026-05-03\""}, {"method", "\"bank\""}};
  if (!field.empty()) fields[field] = raw_value;
  std::string out = "{";
  for (const auto& [k, v] : fields) out += (out.size() > 1 ? "," : "") + ("\"" + k + "\":" + v);
  return out + "}";
}

TEST_CASE("bad requests answer their documented 4xx problem and write nothing", "[api]") {
  World w;
  HttpClient& c = w.c();
  const http::verb POST = http::verb::post, GET = http::verb::get;
  const std::string pay = "/v1/communities/C1/payments";
  const std::string disb = "/v1/communities/C1/disbursements";
  int n = 0;
  auto k = [&n] { return "bad-" + std::to_string(++n); };
  auto P = [&](const std::string& field, const std::string& value) { return PaymentWith(k(), field, value); };
  auto D = [&](json changes) {
    json d{{"idempotency_key", k()}, {"fund", "FEES"}, {"category", "CLEANING"}, {"amount", 100},
           {"payee", "p"}, {"description", "d"}, {"paid_on", "2026-05-01"}, {"voucher_sha256", kVoucher}};
    d.update(changes);
    return d.dump();
  };
  const std::string scores = R"("scores":{"cleaning":3,"security":3,"greenery":3,"repair":3,"service":3})";
  const std::string u2 = std::to_string(w.seq["payment U2 by firm"]);
  const std::string u3 = std::to_string(w.seq["payment U3 by firm"]);
  const std::string u1 = std::to_string(w.seq["payment U1 by owner"]);
  const std::string small = std::to_string(w.seq["payment U1 small"]);
  const std::string reversal = std::to_string(w.seq["reversal U3"]);

  std::vector<BadRequest> cases = {
      // Malformed bodies.
      {"malformed JSON", POST, pay, w.firm, R"({"idempotency_key":"x","unit_id":)", 400, "bad-json"},
      {"empty body", POST, pay, w.firm, "", 400, "bad-json"},
      {"a JSON array, not an object", POST, pay, w.firm, "[]", 400, "bad-json"},
      {"JSON null", POST, pay, w.firm, "null", 400, "bad-json"},
      {"unknown field", POST, pay, w.firm, P("color", "\"red\""), 400, "bad-json"},
      // A repeated key: protobuf would keep the last value, a proxy or log might read the first.
      {"a key twice", POST, pay, w.firm, P("amount", "8,\"amount\":900"), 400, "bad-json"},
      {"a key under both spellings", POST, pay, w.firm, P("unit_id", "\"U1\",\"unitId\":\"U2\""), 400, "bad-json"},
      {"a key twice in a nested object", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"dup-scores","payment_seq":")" + u1 +
           R"(","scores":{"cleaning":3,"security":3,"greenery":3,"repair":3,"service":3,"service":1}})",
       400, "bad-json"},
      {"a key twice in a batch's payment", POST, pay + ":batch", w.firm,
       R"({"payments":[)" + P("months", "1,\"months\":2") + "]}", 400, "bad-json"},
      {"a ledger-set field (seq) in a request", POST, pay, w.firm, P("seq", "\"7\""), 400, "bad-json"},
      {"wrong type: unit_id a number", POST, pay, w.firm, P("unit_id", "5"), 400, "bad-json"},
      {"wrong type: amount a boolean", POST, pay, w.firm, P("amount", "true"), 400, "bad-json"},
      {"wrong type: amount a fraction", POST, pay, w.firm, P("amount", "1.5"), 400, "bad-json"},
      {"wrong type: amount text", POST, pay, w.firm, P("amount", "\"12abc\""), 400, "bad-json"},
      {"wrong type: months negative (uint32)", POST, pay, w.firm, P("months", "-1"), 400, "bad-json"},
      {"wrong type: scores a string", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"e","payment_seq":)" + u1 + R"(,"scores":"5"})", 400, "bad-json"},
      {"trailing garbage", POST, pay, w.firm, P("", "") + "xx", 400, "bad-json"},
      {"two JSON objects", POST, pay, w.firm, P("", "") + P("", ""), 400, "bad-json"},
      {"invalid UTF-8 in a string", POST, pay, w.firm, P("receipt_ref", "\"R\xff\xfe\""), 400, "bad-json"},
      {"overlong UTF-8 in a string", POST, pay, w.firm, P("receipt_ref", "\"\xc0\xaf\""), 400, "bad-json"},
      {"a lone surrogate escape", POST, pay, w.firm, P("receipt_ref", "\"\\ud800\""), 400, "bad-json"},
      {"unknown enum name", POST, pay, w.firm, P("method", "\"bitcoin\""), 400, "bad-json"},
      {"an empty payments:batch", POST, "/v1/communities/C1/payments:batch", w.firm, R"({"payments":[]})", 400, "bad-request"},
      {"payments:batch of 5,001", POST, "/v1/communities/C1/payments:batch", w.firm, [&] {
         std::string b = "{\"payments\":[";
         for (int i = 0; i < 5001; ++i) b += (i ? "," : "") + PaymentWith("batch-" + std::to_string(i), "", "");
         return b + "]}";
       }(), 400, "bad-request"},
      {"payments:batch with one key twice, two bodies", POST, "/v1/communities/C1/payments:batch", w.firm,
       "{\"payments\":[" + PaymentWith("twice", "", "") + "," + PaymentWith("twice", "amount", "7") + "]}", 409, "idempotency-conflict"},
      {"payments:batch with one bad payment", POST, "/v1/communities/C1/payments:batch", w.firm,
       "{\"payments\":[" + PaymentWith("ok-1", "", "") + "," + PaymentWith("bad-2", "paid_on", "\"2026-02-30\"") + "]}", 400, "bad-date"},
      // Amounts.
      {"negative amount", POST, pay, w.firm, P("amount", "-5"), 400, "bad-amount"},
      {"zero amount", POST, pay, w.firm, P("amount", "0"), 400, "bad-amount"},
      {"amount \"-0\"", POST, pay, w.firm, P("amount", "\"-0\""), 400, "bad-amount"},
      {"amount overflowing int64", POST, pay, w.firm, P("amount", "\"9223372036854775808\""), 400, "bad-json"},
      {"amount overflowing int64 as a number", POST, pay, w.firm, P("amount", "92233720368547758080"), 400, "bad-json"},
      {"amount over the per-entry limit", POST, pay, w.firm, P("amount", "\"100000000001\""), 400, "bad-amount"},
      {"disbursement of zero", POST, disb, w.firm, D({{"amount", 0}}), 400, "bad-amount"},
      // Dates and periods.
      {"bad date 2026-02-30", POST, pay, w.firm, P("paid_on", "\"2026-02-30\""), 400, "bad-date"},
      {"bad date 2026-2-3", POST, pay, w.firm, P("paid_on", "\"2026-2-3\""), 400, "bad-date"},
      {"missing date", POST, pay, w.firm, P("paid_on", "\"\""), 400, "bad-date"},
      {"bad month 2026-13", POST, pay, w.firm, P("period", "\"2026-13\""), 400, "bad-month"},
      {"months 0", POST, pay, w.firm, P("months", "0"), 400, "bad-period"},
      {"months 121", POST, pay, w.firm, P("months", "121"), 400, "bad-period"},
      {"period before the start month", POST, pay, w.firm, P("period", "\"2025-12\""), 400, "bad-period"},
      {"disbursement on 2026-04-31", POST, disb, w.firm, D({{"paid_on", "2026-04-31"}}), 400, "bad-date"},
      {"statement for 2026-Q5", GET, "/v1/communities/C1/statements/2026-Q5", w.firm, "", 400, "bad-period"},
      {"statement for 2026-00", GET, "/v1/communities/C1/statements/2026-00", w.firm, "", 400, "bad-period"},
      {"account without period", GET, "/v1/communities/C1/units/U1/account", w.owner, "", 400, "bad-period"},
      {"summary for a date", GET, "/v1/communities/C1/evaluations/summary?period=2026-01-01", w.firm, "", 400, "bad-period"},
      {"ratings without period", GET, "/v1/ratings", w.regulator, "", 400, "bad-period"},
      // Other field rules.
      {"method missing", POST, pay, w.firm, P("method", "\"METHOD_UNSPECIFIED\""), 400, "bad-request"},
      {"receipt_ref over 128 bytes", POST, pay, w.firm, P("receipt_ref", "\"" + std::string(129, 'r') + "\""), 400, "bad-request"},
      {"empty idempotency key", POST, pay, w.firm, PaymentWith("", "", ""), 400, "bad-idempotency-key"},
      {"idempotency key of 129 characters", POST, pay, w.firm, PaymentWith(std::string(129, 'k'), "", ""), 400, "bad-idempotency-key"},
      {"idempotency key with a control character", POST, pay, w.firm, PaymentWith("a\\u0001", "", ""), 400, "bad-idempotency-key"},
      {"bad voucher (63 hex digits)", POST, disb, w.firm, D({{"voucher_sha256", std::string(63, 'a')}}), 400, "bad-voucher"},
      {"bad voucher (not hex)", POST, disb, w.firm, D({{"voucher_sha256", std::string(64, 'g')}}), 400, "bad-voucher"},
      {"score 6", POST, "/v1/communities/C1/evaluations", w.owner2,
       R"({"idempotency_key":"s6","payment_seq":)" + u2 + R"(,"scores":{"cleaning":6,"security":3,"greenery":3,"repair":3,"service":3}})", 400, "bad-score"},
      {"unit id with a slash", POST, "/v1/communities/C1/units", w.firm,
       R"({"idempotency_key":"u/","units":[{"unit_id":"A/1","area_centi_m2":100}]})", 400, "bad-request"},
      {"unit area 0", POST, "/v1/communities/C1/units", w.firm,
       R"({"idempotency_key":"u0","units":[{"unit_id":"A0","area_centi_m2":0}]})", 400, "bad-area"},
      {"fee rate 0", POST, "/v1/communities", w.admin,
       R"({"idempotency_key":"r0","community_id":"C9","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":0,"remuneration":{"basis_points_of_fee_income":10},"start_month":"2026-01"})", 400, "bad-rate"},
      {"remuneration of 10,001 basis points", POST, "/v1/communities", w.admin,
       R"({"idempotency_key":"r1","community_id":"C9","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":100,"remuneration":{"basis_points_of_fee_income":10001},"start_month":"2026-01"})", 400, "bad-remuneration"},
      {"a reversal without a reason", POST, "/v1/entries/" + small + "/reversal", w.firm, R"({"idempotency_key":"nr","reason":""})", 400, "bad-request"},
      {"a token for an owner without units", POST, "/v1/tokens", w.admin, R"({"role":"owner","principal_id":"o","communities":["C1"]})", 400, "bad-credential"},
      {"a token without a role", POST, "/v1/tokens", w.admin, R"({"principal_id":"o"})", 400, "bad-credential"},
      // A token's scope names what is registered: F2 does not serve C1 (the ledger's rules would
      // refuse its writes there anyway, rules_test; its reads would not be).
      {"a firm token naming a community of another firm", POST, "/v1/tokens", w.admin,
       R"({"role":"firm","principal_id":"F2","communities":["C2","C1"]})", 400, "bad-credential"},
      {"a token with a bad idempotency_key", POST, "/v1/tokens", w.admin,
       R"({"role":"regulator","principal_id":"r","idempotency_key":"tab\tkey"})", 400, "bad-idempotency-key"},
      // Unknown ids.
      {"unknown unit", POST, pay, w.firm, P("unit_id", "\"U404\""), 404, "unknown-unit"},
      {"unknown community", POST, "/v1/communities/C404/units", w.admin,
       R"({"idempotency_key":"uc","units":[{"unit_id":"A","area_centi_m2":100}]})", 404, "unknown-community"},
      {"a token naming an unknown community", POST, "/v1/tokens", w.admin,
       R"({"role":"committee","principal_id":"k","communities":["C404"]})", 404, "unknown-community"},
      {"a token naming an unknown unit", POST, "/v1/tokens", w.admin,
       R"({"role":"owner","principal_id":"o","communities":["C1"],"units":["U1","U404"]})", 404, "unknown-unit"},
      {"unknown firm", POST, "/v1/communities", w.admin,
       R"({"idempotency_key":"uf","community_id":"C9","name":"n","firm_id":"F404","fee_rate_fen_per_m2_month":100,"remuneration":{"basis_points_of_fee_income":10},"start_month":"2026-01"})", 404, "unknown-firm"},
      {"unknown proposal (ballot)", POST, "/v1/communities/C1/proposals/P404/votes", w.owner,
       R"({"idempotency_key":"up","unit_id":"U1","choice":"YES"})", 404, "unknown-proposal"},
      {"unknown proposal (close)", POST, "/v1/communities/C1/proposals/P404/close", w.committee, R"({"idempotency_key":"uc2"})", 404, "unknown-proposal"},
      {"unknown proposal (read)", GET, "/v1/communities/C1/proposals/P404", w.committee, "", 404, "unknown-proposal"},
      {"unknown payment_seq", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"upay","payment_seq":99999,)" + scores + "}", 404, "unknown-payment"},
      {"payment_seq of a disbursement", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"upay2","payment_seq":)" + std::to_string(w.seq["disbursement cleaning"]) + "," + scores + "}", 404, "unknown-payment"},
      {"unknown resolution", POST, disb, w.firm, D({{"fund", "PUBLIC_REVENUE"}, {"resolution_id", "R-P404"}}), 404, "unknown-resolution"},
      {"reversal of an unknown seq", POST, "/v1/entries/99999/reversal", w.admin, R"({"idempotency_key":"ur","reason":"x"})", 404, "unknown-entry"},
      {"reversal of a non-number seq", POST, "/v1/entries/12x/reversal", w.admin, R"({"idempotency_key":"ur2","reason":"x"})", 400, "bad-seq"},
      {"entry beyond the log", GET, "/v1/entries/99999", w.regulator, "", 404, "unknown-entry"},
      {"entries of an unknown community", GET, "/v1/entries?community=C404", w.regulator, "", 404, "unknown-community"},
      {"statement of an unknown community", GET, "/v1/communities/C404/statements/2026", w.regulator, "", 404, "unknown-community"},
      {"account of an unknown unit", GET, "/v1/communities/C1/units/U404/account?period=2026-01", w.firm, "", 404, "unknown-unit"},
      // Limits.
      {"oversized body (> 1 MiB)", POST, "/v1/firms", w.admin,
       R"({"idempotency_key":"big","firm_id":"FBIG","name":")" + std::string(1 << 20, 'n') + "\"}", 413, "body-too-large"},
      {"oversized header (> 16 KiB)", GET, "/healthz", "", "", 431, "header-too-large", "",
       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(17 * 1024, 'h') + "\r\n\r\n"},
      // Conflicts and state.
      {"same idempotency key, another body", POST, pay, w.owner,
       R"({"idempotency_key":"pay-U1","unit_id":"U1","amount":75001,"period":"2026-01","months":3,"paid_on":"2026-01-05","method":"wechat","receipt_ref":"R-U1"})", 409, "idempotency-conflict"},
      {"duplicate firm", POST, "/v1/firms", w.admin, R"({"idempotency_key":"df","firm_id":"F1","name":"again"})", 409, "duplicate-firm"},
      {"duplicate unit", POST, "/v1/communities/C1/units", w.firm, R"({"idempotency_key":"du","units":[{"unit_id":"U1","area_centi_m2":5}]})", 409, "duplicate-unit"},
      {"duplicate proposal", POST, "/v1/communities/C1/proposals", w.committee,
       R"({"idempotency_key":"dp","proposal_id":"P1","title":"t","matter":"ORDINARY","amount":1,"fund":"FEES","closes_on":"2099-12-31"})", 409, "duplicate-proposal"},
      {"a payment evaluated twice", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"twice","payment_seq":)" + u1 + "," + scores + "}", 409, "payment-already-evaluated"},
      {"evaluation of someone else's payment", POST, "/v1/communities/C1/evaluations", w.owner,
       R"({"idempotency_key":"other","payment_seq":)" + u2 + "," + scores + "}", 403, "forbidden"},
      {"evaluation of a reversed payment", POST, "/v1/communities/C1/evaluations", w.owner2,
       R"({"idempotency_key":"rev","payment_seq":)" + u3 + "," + scores + "}", 422, "payment-reversed"},
      {"a receipt another payment holds", POST, pay, w.firm,
       R"({"idempotency_key":"dr","unit_id":"U1","amount":100,"period":"2026-05","months":1,"paid_on":"2026-05-01","method":"bank","receipt_ref":"R-U2"})", 422, "duplicate-receipt"},
      {"closing before closes_on while units have not voted", POST, "/v1/communities/C1/proposals/P2/close", w.committee,
       R"({"idempotency_key":"early"})", 422, "proposal-still-open"},
      {"a due day past 28", POST, "/v1/communities", w.admin,
       R"({"idempotency_key":"dd","community_id":"C9","name":"n","firm_id":"F1","fee_rate_fen_per_m2_month":100,"remuneration":{"basis_points_of_fee_income":10},"start_month":"2026-01","due_day":29})", 400, "bad-due-day"},
      {"a ballot after close", POST, "/v1/communities/C1/proposals/P1/votes", w.owner,
       R"({"idempotency_key":"late","unit_id":"U1","choice":"NO"})", 422, "proposal-closed"},
      {"closing twice", POST, "/v1/communities/C1/proposals/P1/close", w.committee, R"({"idempotency_key":"close-again"})", 422, "proposal-closed"},
      // Fee income to date 135,100 (U3's 90,000 reversed): 10% allows 13,510.
      {"remuneration over the cap", POST, disb, w.firm, D({{"category", "REMUNERATION"}, {"amount", 13511}}), 422, "remuneration-cap"},
      {"remuneration from public revenue", POST, disb, w.firm,
       D({{"fund", "PUBLIC_REVENUE"}, {"category", "REMUNERATION"}, {"amount", 1}, {"resolution_id", "R-P1"}}), 422, "remuneration-cap"},
      // FEES holds 115,100.
      {"insufficient funds", POST, disb, w.firm, D({{"amount", 115101}}), 422, "insufficient-funds"},
      {"spending beyond the resolution", POST, disb, w.firm,
       D({{"fund", "PUBLIC_REVENUE"}, {"category", "REPAIR"}, {"amount", 10001}, {"resolution_id", "R-P1"}}), 422, "resolution-exceeded"},
      {"reversing twice", POST, "/v1/entries/" + u3 + "/reversal", w.firm, R"({"idempotency_key":"rt","reason":"again"})", 422, "already-reversed"},
      {"reversing a reversal", POST, "/v1/entries/" + reversal + "/reversal", w.admin, R"({"idempotency_key":"rr","reason":"x"})", 422, "not-reversible"},
      {"reversing a proposal", POST, "/v1/entries/" + std::to_string(w.seq["proposal P1"]) + "/reversal", w.admin,
       R"({"idempotency_key":"rp","reason":"x"})", 422, "not-reversible"},
      {"reconciliation of an unknown CSV format", POST, "/v1/communities/C1/reconciliation", w.firm, "a,b,c\n1,2,3\n", 400,
       "unknown-bank-format", "text/csv"},
      {"reconciliation of a bad row", POST, "/v1/communities/C1/reconciliation", w.firm,
       "date,amount,direction,counterparty,reference\n2026-02-30,1.00,credit,a,b\n", 400, "bad-bank-statement", "text/csv"},
      // Routes, methods, queries.
      {"unknown route", GET, "/v1/nothing-here", w.admin, "", 404, "no-route"},
      {"unknown route under a community", POST, "/v1/communities/C1/refunds", w.firm, "{}", 404, "no-route"},
      {"wrong method (GET on a write)", GET, "/v1/tokens", w.admin, "", 405, "method-not-allowed"},
      {"wrong method (DELETE on an entry)", http::verb::delete_, "/v1/entries/1", w.admin, "", 405, "method-not-allowed"},
      {"wrong method (POST on the checkpoint)", POST, "/v1/checkpoint", w.admin, "{}", 405, "method-not-allowed"},
      {"bad escape in a path", GET, "/v1/communities/C%zz/statements/2026", w.regulator, "", 400, "bad-path"},
      {"duplicate query parameter", GET, "/v1/checkpoint?tree_size=1&tree_size=2", "", "", 400, "duplicate-query-parameter"},
      {"tree_size not a number", GET, "/v1/checkpoint?tree_size=abc", "", "", 400, "bad-request"},
      {"tree_size negative", GET, "/v1/checkpoint?tree_size=-1", "", "", 400, "bad-request"},
      {"tree_size over 2^64", GET, "/v1/checkpoint?tree_size=99999999999999999999", "", "", 400, "bad-request"},
      {"no checkpoint at that size", GET, "/v1/checkpoint?tree_size=99999", "", "", 404, "no-checkpoint"},
      {"inclusion without tree_size", GET, "/v1/proofs/inclusion?leaf_index=1", "", "", 400, "bad-request"},
      {"inclusion of leaf 5 in a tree of 5", GET, "/v1/proofs/inclusion?leaf_index=5&tree_size=5", "", "", 400, "out-of-range"},
      {"inclusion beyond the tree", GET, "/v1/proofs/inclusion?leaf_index=1&tree_size=99999", "", "", 404, "beyond-tree"},
      {"consistency from 0", GET, "/v1/proofs/consistency?first=0&second=5", "", "", 400, "out-of-range"},
      {"consistency backwards", GET, "/v1/proofs/consistency?first=6&second=5", "", "", 400, "out-of-range"},
      {"consistency with first=1.5", GET, "/v1/proofs/consistency?first=1.5&second=5", "", "", 400, "bad-request"},
      {"entries with limit 0", GET, "/v1/entries?community=C1&limit=0", w.firm, "", 400, "bad-request"},
      {"entries with limit 1001", GET, "/v1/entries?community=C1&limit=1001", w.firm, "", 400, "bad-request"},
      {"entries with after_seq=x", GET, "/v1/entries?community=C1&after_seq=x", w.firm, "", 400, "bad-request"},
      {"entries without community", GET, "/v1/entries?limit=5", w.regulator, "", 400, "bad-request"},
      {"entry seq not a number", GET, "/v1/entries/0x10", w.regulator, "", 400, "bad-request"},
      {"statement at an unsigned size", GET, "/v1/communities/C1/statements/2026?tree_size=99999", w.firm, "", 404, "no-checkpoint"},
      {"statement with tree_size=abc", GET, "/v1/communities/C1/statements/2026?tree_size=abc", w.firm, "", 400, "bad-request"},
  };
  CHECK(cases.size() >= 40);
  CheckBadRequests(c, cases);

  SECTION("the server still serves and the log still verifies afterwards") {
    CHECK(c.Get("/healthz").status == 200);
    w.Write("after", pay, w.firm, json::parse(PaymentWith("after-bad", "", "")));
  }
}

// ---------------------------------------------------------------------------------------------
// Enum fields arrive as names or numbers (protobuf's JSON mapping); a number that names no value
// must be refused like any other bad field, never recorded.
TEST_CASE("enum fields refuse numbers that name no value", "[api]") {
  World w;
  HttpClient& c = w.c();
  const std::string disb = "/v1/communities/C1/disbursements";
  auto D = [](const std::string& key, json changes) {
    json d{{"idempotency_key", key}, {"fund", "FEES"}, {"category", "CLEANING"}, {"amount", 100},
           {"payee", "p"}, {"description", "d"}, {"paid_on", "2026-05-01"}, {"voucher_sha256", kVoucher}};
    d.update(changes);
    return d.dump();
  };
  const uint64_t size = TreeSize(c);
  struct Case {
    std::string name, path, token, body;
  };
  std::vector<Case> cases = {
      {"fund 7", disb, w.firm, D("e1", {{"fund", 7}})},
      {"category 42", disb, w.firm, D("e2", {{"category", 42}})},
      {"method 9", "/v1/communities/C1/payments", w.firm, PaymentWith("e3", "method", "9")},
      {"source 17", "/v1/communities/C1/public-revenue", w.committee,
       R"({"idempotency_key":"e4","source":17,"amount":100,"payer":"p","received_on":"2026-05-01"})"},
      {"matter 5", "/v1/communities/C1/proposals", w.committee,
       R"({"idempotency_key":"e5","proposal_id":"PE","title":"t","matter":5,"amount":1,"fund":"FEES","closes_on":"2099-12-31"})"},
      {"proposal fund 3", "/v1/communities/C1/proposals", w.committee,
       R"({"idempotency_key":"e6","proposal_id":"PF","title":"t","matter":"ORDINARY","amount":1,"fund":3,"closes_on":"2099-12-31"})"},
      {"choice 4", "/v1/communities/C1/proposals/PM/votes", w.owner, R"({"idempotency_key":"e7","unit_id":"U1","choice":4})"},
  };
  for (const Case& k : cases) {
    INFO(k.name);
    Reply r = c.Post(k.path, k.token, k.body);
    INFO(r.Describe());
    CHECK(r.status == 400);
    CHECK(r.content_type == kProblem);
  }
  CHECK(TreeSize(c) == size);
}

// ---------------------------------------------------------------------------------------------
// 4. Graceful shutdown.

TEST_CASE("SIGTERM under concurrent writes: exit 0, every acknowledged entry survives a restart", "[api][shutdown]") {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  constexpr int kUnits = 8;
  testing::TempDir root;
  const std::string data_dir = root / "data";
  std::string firm;
  uint64_t setup_size = 0;

  struct Ack {
    std::string key, body, seq, leaf_hash;
  };
  std::vector<Ack> acks;
  std::vector<std::string> unexpected;  // answers other than 201 (or 503 while closing)
  std::atomic<int> acked{0};
  std::atomic<int> sent{0};
  std::mutex mu;
  {
    Daemon d(data_dir);
    d.Start();
    HttpClient c(d.port());
    const std::string admin = d.admin_token();
    auto write = [&](const std::string& path, const std::string& token, const json& body) {
      Reply r = c.Post(path, token, body.dump());
      INFO(r.Describe());
      REQUIRE(r.status == 201);
    };
    write("/v1/firms", admin, {{"idempotency_key", "f"}, {"firm_id", "F1"}, {"name", "F"}});
    write("/v1/communities", admin,
          {{"idempotency_key", "c"}, {"community_id", "C1"}, {"name", "C"}, {"firm_id", "F1"},
           {"fee_rate_fen_per_m2_month", 200}, {"remuneration", {{"basis_points_of_fee_income", 500}}},
           {"start_month", "2026-01"}});
    json units = json::array();
    for (int u = 0; u < kUnits; ++u) units.push_back({{"unit_id", "U" + std::to_string(u)}, {"area_centi_m2", 9000 + u}});
    write("/v1/communities/C1/units", admin, {{"idempotency_key", "u"}, {"units", units}});
    firm = IssueToken(c, admin, "firm", "F1", {"C1"});
    setup_size = TreeSize(c);
    REQUIRE(setup_size == 3);

    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        HttpClient client(d.port());
        for (int i = 0; i < kPerThread; ++i) {
          const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
          const std::string body =
              json{{"idempotency_key", key}, {"unit_id", "U" + std::to_string((t + i) % kUnits)}, {"amount", 100 + i},
                   {"period", "2026-0" + std::to_string(1 + i % 9)}, {"months", 1}, {"paid_on", "2026-01-15"},
                   {"method", "bank"}, {"receipt_ref", key}}
                  .dump();
          ++sent;
          Reply r = client.Post("/v1/communities/C1/payments", firm, body);
          std::lock_guard lock(mu);
          if (r.status == 201) {
            json j = r.Json();
            acks.push_back({key, body, j["seq"].get<std::string>(), j["leaf_hash"].get<std::string>()});
            ++acked;
          } else if (r.ok() && r.status != 503) {
            unexpected.push_back(key + ": " + r.Describe());
          }
          if (!r.ok()) return;  // the server is going away: refused or closed
        }
      });
    }
    // Mid-way: once a fifth of the payments are acknowledged.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (acked.load() < kThreads * kPerThread / 5 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const int acked_at_signal = acked.load();
    d.Signal(SIGTERM);
    for (std::thread& t : threads) t.join();
    const int exit_code = d.WaitExited(std::chrono::seconds(15));  // a second signal would stop at once
    INFO("daemon log:\n" << d.log());
    INFO(acks.size() << " of " << kThreads * kPerThread << " payments acknowledged, " << acked_at_signal
                     << " when SIGTERM was sent, " << sent.load() << " sent");
    CHECK(exit_code == 0);
    CHECK(acked_at_signal >= kThreads * kPerThread / 5);
    CHECK(acks.size() < static_cast<size_t>(kThreads * kPerThread));  // the signal came mid-way
    for (const std::string& u : unexpected) UNSCOPED_INFO(u);
    CHECK(unexpected.empty());
  }
  REQUIRE_FALSE(acks.empty());

  {
    Daemon d(data_dir);
    d.Start();
    HttpClient c(d.port());
    const uint64_t size = TreeSize(c);
    CHECK(size >= setup_size + acks.size());
    std::set<std::string> seqs;
    for (const Ack& a : acks) {
      INFO("acknowledged " << a.key << " at seq " << a.seq);
      seqs.insert(a.seq);
      Reply r = c.Get("/v1/entries/" + a.seq, firm);
      REQUIRE(r.status == 200);
      json j = r.Json();
      CHECK(j["leaf_hash"] == a.leaf_hash);
      CHECK(j["entry"]["idempotency_key"] == a.key);
    }
    CHECK(seqs.size() == acks.size());  // no two acknowledgements share a seq
    // Idempotency survived too: a repeat is answered 200 with the original seq, writing nothing.
    for (size_t i = 0; i < acks.size(); i += std::max<size_t>(1, acks.size() / 8)) {
      Reply r = c.Post("/v1/communities/C1/payments", firm, acks[i].body);
      INFO(r.Describe());
      CHECK(r.status == 200);
      CHECK(r.Json()["seq"] == acks[i].seq);
    }
    CHECK(TreeSize(c) == size);
    INFO(d.log());
    CHECK(d.Terminate() == 0);
  }

  auto [code, output] = RunCommand({MINGZHANG_CLI, "verify", "--data-dir", data_dir}, root / "verify.log");
  INFO(output);
  CHECK(code == 0);
}


TEST_CASE("a community's due day reaches its billing; the owner account names both fee incomes", "[api]") {
  World w;
  HttpClient& c = w.c();
  w.Write("community C7", "/v1/communities", w.admin,
          {{"idempotency_key", "comm-C7"}, {"community_id", "C7"}, {"name", "Garden Seven"}, {"firm_id", "F1"},
           {"fee_rate_fen_per_m2_month", 250}, {"remuneration", {{"basis_points_of_fee_income", 1000}}},
           {"start_month", "2026-01"}, {"due_day", 10}});
  Reply b = c.Get("/v1/communities/C7/billing?period=2026-01", w.admin);
  INFO(b.Describe());
  REQUIRE(b.status == 200);
  CHECK(b.Json()["totals"]["due_day"] == 10);
  CHECK(b.Json()["as_of"] == "2026-01-31");
  // C1 (due on the month's last day): U1 paid 75,000 on 2026-01-05 for January to March and 100
  // on 2026-04-02 for April; U2 60,000 on 01-06 for January to March (U3's is reversed).
  Reply a = c.Get("/v1/communities/C1/units/U1/account?period=2026-04", w.owner);
  INFO(a.Describe());
  REQUIRE(a.status == 200);
  CHECK(a.Json()["fee_income_for_months"] == "100");  // paid for April
  CHECK(a.Json()["fee_income_by_paid_on"] == "100");  // paid in April
  Reply q = c.Get("/v1/communities/C1/units/U1/account?period=2026-02", w.owner);
  REQUIRE(q.status == 200);
  CHECK(q.Json()["fee_income_for_months"] == "45000");  // February's part of U1's and U2's
  CHECK(q.Json()["fee_income_by_paid_on"] == "0");      // nothing was paid in February
}

}  // namespace
}  // namespace mingzhang::apitest
