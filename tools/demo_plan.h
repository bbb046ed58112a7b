// The demo district of `mingzhang demo`: everything it writes, decided up front from a fixed
// seed, so that every run (and every re-run against the same server) makes the same requests with
// the same idempotency keys. No I/O here; cmd_demo.cpp sends the plan.
//
// One firm serves two communities. Each unit owes area × rate a month from the start month; most
// units pay monthly, some quarterly or for the whole period at once, about 8% stop paying (arrears).
// The firm discloses monthly spending in every category with a voucher hash, within the fund, and
// takes its remuneration within the contract's cap; parking revenue arrives monthly, advertising
// quarterly. The owners' committee of the first community puts two proposals on PUBLIC_REVENUE:
// one passes (more than 2/3 of units vote) and is spent under its resolution, one fails quorum.
// Owners evaluate about 30% of the payments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang::cli::demo {

inline constexpr const char* kStartMonth = "2025-12";
inline constexpr int kFullMonths = 12;
inline constexpr int kFullUnitsPerCommunity = 600;
inline constexpr uint64_t kSeed = 0x6d696e677a68616eULL;  // "mingzhan"

struct Unit {
  std::string id;
  std::string label;  // as residents write it: 3栋1202室
  int64_t area_centi_m2 = 0;
  bool owner_token = false;  // an owner token is issued for it (it votes or evaluates)
};

struct Payment {
  std::string unit_id;
  int64_t amount = 0;
  std::string period;  // first month paid
  int months = 1;
  std::string paid_on;
  std::string method;
  std::string receipt_ref;
  std::string key;
  bool evaluated = false;
  v1::Scores scores;
  std::string comment;
};

struct Disbursement {
  v1::Fund fund = v1::FEES;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  int64_t amount = 0;
  std::string payee;
  std::string description;
  std::string paid_on;
  std::string voucher_sha256;
  std::string resolution_id;
  std::string key;
};

struct Revenue {
  v1::PublicRevenue::Source source = v1::PublicRevenue::SOURCE_UNSPECIFIED;
  int64_t amount = 0;
  std::string payer;
  std::string received_on;
  std::string contract_ref;
  std::string key;
};

struct Ballot {
  std::string unit_id;
  v1::Choice choice = v1::CHOICE_UNSPECIFIED;
};

struct Proposal {
  std::string id;
  std::string title;
  v1::Matter matter = v1::ORDINARY;
  v1::Fund fund = v1::PUBLIC_REVENUE;
  int64_t amount = 0;
  // Voting runs through closes_on, which cannot be past when the proposal is recorded: the demo
  // sets it when it runs (the last day of the next month), not in the plan.
  std::string closes_on;
  std::vector<Ballot> ballots;
  // Closed at once (every unit voted, so it may close before closes_on), or left open.
  bool close = true;
  bool expect_quorum = false;
  bool expect_pass = false;
  std::vector<Disbursement> spending;  // under its resolution once passed
};

struct Community {
  std::string id;
  std::string name;
  int64_t rate_fen_per_m2_month = 0;
  uint32_t remuneration_bp = 0;          // either basis points of fee income...
  int64_t remuneration_fixed_fen = 0;    // ...or a fixed sum per month
  std::vector<Unit> units;
  std::vector<Payment> payments;
  std::vector<Revenue> revenues;
  std::vector<Disbursement> spending;       // FEES, every category but REMUNERATION, any order
  std::vector<Disbursement> remuneration;   // in month order: the cap is checked as they arrive
  std::vector<Proposal> proposals;
};

struct Plan {
  double scale = 1.0;
  int months = kFullMonths;
  std::string firm_id;
  std::string firm_name;
  std::vector<Community> communities;
  // The owner whose token is written to owner.token: a unit of the first community that voted
  // and evaluated.
  size_t owner_community = 0;
  std::string owner_unit;
};

// REQUIRES: 0 < scale <= 1. scale 1: 2 × 600 units and 12 months; smaller scales have fewer
// units (at least 10 per community) and months (at least 3).
Plan MakePlan(double scale);

}  // namespace mingzhang::cli::demo
