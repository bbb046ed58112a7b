// Shared by the crash, storage-fault and tamper tests: a district to write into over HTTP, and
// the ledger's real routes served in-process (for what the daemon must not offer, such as
// injected storage faults).
//
//   LedgerServer s({.data_dir = dir / "data", .storage_faults = faults});
//   HttpClient c(s.port());
//   std::string firm = SetUpDistrict(c, s.admin_token());
//   Reply r = c.Post(kPaymentsPath, firm, PaymentBody("k1", 0, 100));
#pragma once

#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/v1/endpoints.h"
#include "api/http/http_server.h"
#include "ledger/views/district.h"
#include "tests/support/api_harness.h"

namespace mingzhang::apitest {

inline constexpr int kDistrictUnits = 8;
inline constexpr const char* kPaymentsPath = "/v1/communities/C1/payments";

// A fee payment of unit U<unit> in C1 (firm F1), its receipt named after the key.
inline std::string PaymentBody(const std::string& key, int unit, int64_t amount_fen) {
  return json{{"idempotency_key", key},
              {"unit_id", "U" + std::to_string(unit % kDistrictUnits)},
              {"amount", amount_fen},
              {"period", "2026-01"},
              {"months", 1},
              {"paid_on", "2026-01-15"},
              {"method", "bank"},
              {"receipt_ref", key}}
      .dump();
}

// Firm F1, community C1 with kDistrictUnits units, through the API; returns a token of F1.
// Entries: seq 0 to 2.
inline std::string SetUpDistrict(HttpClient& c, const std::string& admin) {
  auto write = [&](const std::string& path, const json& body) {
    Reply r = c.Post(path, admin, body.dump());
    INFO(path << ": " << r.Describe());
    REQUIRE(r.status == 201);
  };
  write("/v1/firms", {{"idempotency_key", "firm-F1"}, {"firm_id", "F1"}, {"name", "Firm One"}});
  write("/v1/communities", {{"idempotency_key", "community-C1"},
                            {"community_id", "C1"},
                            {"name", "Garden One"},
                            {"firm_id", "F1"},
                            {"fee_rate_fen_per_m2_month", 250},
                            {"remuneration", {{"basis_points_of_fee_income", 1000}}},
                            {"start_month", "2026-01"}});
  json units = json::array();
  for (int u = 0; u < kDistrictUnits; ++u) units.push_back({{"unit_id", "U" + std::to_string(u)}, {"area_centi_m2", 9000 + u}});
  write("/v1/communities/C1/units", {{"idempotency_key", "units-C1"}, {"units", units}});
  return IssueToken(c, admin, "firm", "F1", {"C1"});
}

// The ledger of `options` behind the v1 routes on 127.0.0.1 (an ephemeral port), in this process.
class LedgerServer {
 public:
  explicit LedgerServer(const LedgerOptions& options) {
    Result<std::unique_ptr<District>> ledger = District::Open(options);
    INFO(ledger.status().ToString());
    REQUIRE(ledger.ok());
    ledger_ = std::move(ledger).value();
    access_ = std::make_unique<api::Access>(*ledger_);
    const std::string token_path = options.data_dir + "/admin.token";
    Result<std::string> admin = access_->tokens().EnsureAdminToken(token_path);
    admin_token_ = admin.ok() ? *admin : ReadFile(token_path);
    while (!admin_token_.empty() && admin_token_.back() == '\n') admin_token_.pop_back();
    REQUIRE(admin_token_.rfind("mz_", 0) == 0);

    context_ =
        std::make_unique<api::ApiContext>(api::ApiContext{*ledger_, *access_, std::make_shared<api::Metrics>()});
    api::Router router;
    api::AddWriteEndpoints(router, *context_);
    api::AddReadEndpoints(router, *context_);
    server_ = MakeServer(std::move(router));
    thread_ = std::thread([s = server_.get()] { s->Run(); });
  }
  ~LedgerServer() {
    server_->StopNow();
    thread_.join();
    server_.reset();  // every responder answered or dropped before the ledger goes
    access_.reset();
    ledger_.reset();
  }
  LedgerServer(const LedgerServer&) = delete;
  LedgerServer& operator=(const LedgerServer&) = delete;

  uint16_t port() const { return server_->port(); }
  const std::string& admin_token() const { return admin_token_; }
  District& ledger() { return *ledger_; }

  // A server for `router` on an ephemeral loopback port, bound but not yet running; REQUIREs success.
  static std::unique_ptr<api::HttpServer> MakeServer(api::Router router) {
    api::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.handle_signals = false;
    options.access_log = [](std::string_view) {};
    Result<std::unique_ptr<api::HttpServer>> server = api::HttpServer::Create(std::move(options), std::move(router));
    REQUIRE(server.ok());
    return std::move(server).value();
  }

 private:
  std::unique_ptr<District> ledger_;
  std::unique_ptr<api::Access> access_;  // over ledger_'s store
  std::unique_ptr<api::ApiContext> context_;
  std::unique_ptr<api::HttpServer> server_;
  std::thread thread_;
  std::string admin_token_;
};

// Every entry of C1 in the log, read page by page: idempotency key -> the leaf hash of each entry
// written under it (more than one would be a payment written twice).
inline std::map<std::string, std::vector<std::string>> LeavesByKeyInC1(HttpClient& c, const std::string& token) {
  std::map<std::string, std::vector<std::string>> leaves;
  std::string after;
  for (;;) {
    Reply page = c.Get("/v1/entries?community=C1&limit=1000" + (after.empty() ? "" : "&after_seq=" + after), token);
    REQUIRE(page.status == 200);
    json entries = page.Json()["entries"];
    if (entries.empty()) return leaves;
    for (const json& e : entries) leaves[e["entry"]["idempotency_key"]].push_back(e["leaf_hash"]);
    after = entries.back()["seq"].get<std::string>();
  }
}

}  // namespace mingzhang::apitest
