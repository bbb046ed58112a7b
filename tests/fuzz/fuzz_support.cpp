#include "tests/fuzz/fuzz_support.h"

#include <google/protobuf/text_format.h>

namespace mingzhang::fuzz {
namespace {

// Entries in protobuf text format: easier to read and to keep right than builder code.
constexpr const char* kWorld[] = {
    R"(actor { role: admin principal_id: "admin" } idempotency_key: "firm-F1"
       firm { firm_id: "F1" name: "Firm One" })",
    R"(community_id: "C1" actor { role: admin principal_id: "admin" } idempotency_key: "community-C1"
       community { name: "Garden One" firm_id: "F1" fee_rate_fen_per_m2_month: 250
                   remuneration { basis_points_of_fee_income: 1000 } start_month: "2026-01" })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "units"
       units { units { unit_id: "U1" area_centi_m2: 10000 } units { unit_id: "U2" area_centi_m2: 8000 }
               units { unit_id: "U3" area_centi_m2: 12000 } })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "pay-U1"
       fee_payment { unit_id: "U1" amount: 75000 period: "2026-01" months: 3 paid_on: "2026-01-05"
                     method: wechat receipt_ref: "R-U1" })",
    R"(community_id: "C1" actor { role: owner principal_id: "owner-U2" unit_ids: "U2" } idempotency_key: "pay-U2"
       fee_payment { unit_id: "U2" amount: 60000 period: "2026-01" months: 3 paid_on: "2026-01-06" method: bank })",
    R"(community_id: "C1" actor { role: owner principal_id: "owner-U1" unit_ids: "U1" } idempotency_key: "eval-U1"
       evaluation { payment_seq: 3 scores { cleaning: 5 security: 4 greenery: 3 repair: 4 service: 5 } comment: "好" })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "clean"
       disbursement { fund: FEES category: CLEANING amount: 20000 payee: "Clean Co" description: "January"
                      paid_on: "2026-01-20"
                      voucher_sha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" })",
    R"(community_id: "C1" actor { role: committee principal_id: "committee-C1" } idempotency_key: "parking"
       public_revenue { source: parking amount: 50000 payer: "Park Co" received_on: "2026-01-10" contract_ref: "K-1" })",
    R"(community_id: "C1" actor { role: committee principal_id: "committee-C1" } idempotency_key: "P1"
       proposal { proposal_id: "P1" title: "Repair the gate" matter: SPECIAL amount: 30000 fund: PUBLIC_REVENUE
                  closes_on: "2026-06-30" })",
    R"(community_id: "C1" actor { role: owner principal_id: "owner-U1" unit_ids: "U1" } idempotency_key: "vote-U1"
       ballot { proposal_id: "P1" unit_id: "U1" choice: YES })",
    R"(community_id: "C1" actor { role: owner principal_id: "owner-U2" unit_ids: "U2" } idempotency_key: "vote-U2"
       ballot { proposal_id: "P1" unit_id: "U2" choice: YES })",
    R"(community_id: "C1" actor { role: owner principal_id: "owner-U3" unit_ids: "U3" } idempotency_key: "vote-U3"
       ballot { proposal_id: "P1" unit_id: "U3" choice: YES })",
    R"(community_id: "C1" actor { role: committee principal_id: "committee-C1" } idempotency_key: "close-P1"
       proposal_close { proposal_id: "P1" })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "gate"
       disbursement { fund: PUBLIC_REVENUE category: REPAIR amount: 20000 payee: "Gate Co" description: "new gate"
                      paid_on: "2026-03-05" resolution_id: "R-P1"
                      voucher_sha256: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })",
    R"(community_id: "C1" actor { role: committee principal_id: "committee-C1" } idempotency_key: "P2"
       proposal { proposal_id: "P2" title: "Benches" matter: ORDINARY amount: 10000 fund: PUBLIC_REVENUE
                  closes_on: "2026-12-01" })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "pay-U3"
       fee_payment { unit_id: "U3" amount: 90000 period: "2026-01" months: 3 paid_on: "2026-01-07" method: alipay })",
    R"(community_id: "C1" actor { role: firm principal_id: "F1" } idempotency_key: "reverse-U3"
       reversal { target_seq: 15 reason: "recorded twice" })",
};

}  // namespace

std::vector<v1::Entry> WorldRequests() {
  std::vector<v1::Entry> entries;
  for (const char* text : kWorld) {
    v1::Entry& entry = entries.emplace_back();
    FUZZ_CHECK(google::protobuf::TextFormat::ParseFromString(text, &entry));
  }
  return entries;
}

}  // namespace mingzhang::fuzz
