// A hand-computed quarter of one community: every number asserted here was worked out by hand
// (the arithmetic is in the comments), not read back from the implementation.
//
// Community "garden" of firm "trust-pm": rate 250 fen/m²/month, remuneration 1,000 bp of fee
// income, billed from 2026-07. Six units; monthly fee = round half up (area × 250 / 100):
//
//   unit   area (centi-m²)  monthly fee (fen)
//   1-101        8,950      8,950 × 2.5 = 22,375
//   1-102       10,000      25,000
//   1-201       12,345      30,862.5 → 30,863 (half up)
//   1-202        9,000      22,500
//   2-101       11,000      27,500
//   2-102        8,705      21,762.5 → 21,763 (half up)
//   total       60,000      150,001 a month (600 m² × 250 = 150,000, +1 for the two half-ups)
//
// The log, one entry per batch so that a checkpoint exists at every tree size:
//
//   seq  entry                                                     cash month
//    0   firm trust-pm
//    1   community garden
//    2   units (the six above)
//    3   P1  1-101 pays 67,125 = 3 × 22,375 for 07..09 (by the owner)   07
//    4   P2  1-102 pays 75,000 = 3 × 25,000 for 07..09                  07
//    5   P4  1-202 pays 22,500 for 07 only                              07
//    6   P3  1-201 pays 92,608 for 07..09: 92,608 = 3 × 30,869 + 1,
//            so 07 gets 30,870, 08 and 09 get 30,869 (remainder on the first month)   07
//    7   P5  2-102 pays 21,763 for 07                                   07
//    8   D1  FEES CLEANING 60,000                                       07
//    9   D2  FEES SECURITY 90,000                                       07
//   10   parking 80,000                                                 07
//   11   E1  owner of 1-101 rates P1 (5,4,4,3,5)
//   12   P6  2-102 pays 21,763 for 08                                   08
//   13   P6' the same payment recorded twice by mistake                 08
//   14   E2  owner of 2-102 rates P6' (1,1,1,1,1)
//   15   reversal of 13 by the firm: P6' and with it E2 stop counting
//   16   advertising 50,000 (recorded by the committee)                 08
//   17   D3  FEES GREENERY 30,000                                       08
//   18   D4  FEES UTILITIES 45,000                                      08
//   19   R1  FEES REMUNERATION 30,000 (allowed then: 10% of 300,759 = 30,075)   08
//   20   parking 80,000                                                 08
//   21   E3  owner of 2-102 rates P6 (4,4,5,4,4)
//        --- tree size 22: the Q3 statement is taken here for the "earlier size" check
//   22   proposal PR-1 ORDINARY PUBLIC_REVENUE 100,000 (fitness equipment)
//   23   proposal PR-2 SPECIAL PUBLIC_REVENUE 200,000 (lift repair)
//   24-29 ballots on PR-1 (1-102 first NO, then YES: the later one counts)
//   30-33 ballots on PR-2
//   34   close PR-1 → passed, resolution R-PR-1
//   35   close PR-2 → quorum not met
//   36   P7  2-102 pays 21,763 for 09                                   09
//   37   D6  FEES REPAIR 25,000                                         09
//   38   P8  1-102 pays 75,000 for 10..12 in advance (cash in 09, billed in Q4)   09
//   39   D5  PUBLIC_REVENUE OTHER 95,000 under R-PR-1                   09
//        (refused: R2 of 9,753: 30,000 + 9,753 = 39,753 > 39,752 allowed)
//   40   R2  FEES REMUNERATION 9,752: exactly the cap                   09
//   41   parking 80,000                                                 09
//   42   E4  owner of 1-201 rates P3 (3,5,2,5,4)
//
// 2-101 pays nothing: in arrears.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "ledger/base/jcs.h"
#include "ledger/domain/rating.h"
#include "ledger/views/views.h"
#include "tests/support/domain_test_util.h"

namespace mingzhang {
namespace {

using namespace testing;  // NOLINT: test helpers

constexpr const char* kC = "garden";
constexpr const char* kFirmId = "trust-pm";

// Every entry is recorded at 2026-10-05 12:00 China time (04:00 UTC), so that the ratings, which
// look at how soon entries were recorded after their business date, do not depend on the day the
// test runs.
constexpr int64_t kRecordedAtMs = 1791172800000;
// The firm and community are registered on 2026-07-01 12:00 China time, so the quarter's entries
// are not imported history (README "Firm ratings"); the proposals close on 2026-10-06 12:00, the
// day after their voting ends, and what follows is recorded then.
constexpr int64_t kRegisteredAtMs = 1782878400000;
constexpr int64_t kClosedAtMs = 1791259200000;

v1::Actor Firm_() { return FirmActor(kFirmId); }
v1::Actor Committee() { return CommitteeActor("committee-garden"); }
v1::Actor OwnerOf(const std::string& unit) { return OwnerActor("owner-" + unit, {unit}); }

struct Garden {
  TempDir dir;
  std::shared_ptr<std::atomic<int64_t>> now_ms = std::make_shared<std::atomic<int64_t>>(kRegisteredAtMs);
  std::unique_ptr<District> ledger;
  std::map<std::string, uint64_t> seq;             // name -> seq
  std::map<std::string, std::string> vouchers;     // disbursement name -> voucher hash
  uint64_t mid_size = 0;
  std::string mid_statement;                       // Q3 statement at mid_size, from the aggregates
  Status refused_remuneration;
  uint64_t size_before_refusal = 0;
};

// Appends `entry` as `name`, requiring that it lands at `expected_seq` (the plan above).
void Add(Garden& g, const std::string& name, uint64_t expected_seq, const v1::Entry& entry) {
  StoredEntry s = MustAppend(*g.ledger, entry);
  INFO(name);
  REQUIRE(s.entry.seq() == expected_seq);
  g.seq[name] = expected_seq;
}

void AddDisbursement(Garden& g, const std::string& name, uint64_t expected_seq, v1::Fund fund, v1::Category category,
                     int64_t amount, const std::string& paid_on, const std::string& resolution = "") {
  g.vouchers[name] = Voucher("voucher of " + name);
  Add(g, name, expected_seq,
      Disbursement(kC, Firm_(), fund, category, amount, paid_on, g.vouchers[name], resolution));
}

std::unique_ptr<Garden> BuildGarden() {
  auto g = std::make_unique<Garden>();
  LedgerOptions options;
  options.data_dir = g->dir.path();
  options.origin = "mingzhang.test/domain";
  options.batch_entries_max = 1;
  options.clock_ms = [now = g->now_ms] { return now->load(); };
  auto opened = District::Open(options);
  REQUIRE(opened.ok());
  g->ledger = std::move(opened).value();
  Add(*g, "firm", 0, Firm(kFirmId, "信托物业"));
  Add(*g, "community", 1, Community(kC, kFirmId, 250, BasisPoints(1000), "2026-07"));
  g->now_ms->store(kRecordedAtMs);
  Add(*g, "units", 2,
      Units(kC, AdminActor(),
            {{"1-101", 8950}, {"1-102", 10000}, {"1-201", 12345}, {"1-202", 9000}, {"2-101", 11000}, {"2-102", 8705}}));
  // July.
  Add(*g, "P1", 3, Payment(kC, OwnerOf("1-101"), "1-101", 67125, "2026-07", 3, "2026-07-05", v1::FeePayment::wechat, "R-001"));
  Add(*g, "P2", 4, Payment(kC, Firm_(), "1-102", 75000, "2026-07", 3, "2026-07-06", v1::FeePayment::bank, "R-002"));
  Add(*g, "P4", 5, Payment(kC, Firm_(), "1-202", 22500, "2026-07", 1, "2026-07-08", v1::FeePayment::cash, "R-004"));
  Add(*g, "P3", 6, Payment(kC, Firm_(), "1-201", 92608, "2026-07", 3, "2026-07-10", v1::FeePayment::alipay, "R-003"));
  Add(*g, "P5", 7, Payment(kC, Firm_(), "2-102", 21763, "2026-07", 1, "2026-07-15", v1::FeePayment::wechat, "R-005"));
  AddDisbursement(*g, "D1", 8, v1::FEES, v1::CLEANING, 60000, "2026-07-25");
  AddDisbursement(*g, "D2", 9, v1::FEES, v1::SECURITY, 90000, "2026-07-28");
  Add(*g, "park-07", 10, Revenue(kC, Firm_(), v1::PublicRevenue::parking, 80000, "2026-07-31", "C-PARK"));
  Add(*g, "E1", 11, Evaluation(kC, OwnerOf("1-101"), 3, {5, 4, 4, 3, 5}, "保洁很好"));
  // August.
  Add(*g, "P6", 12, Payment(kC, Firm_(), "2-102", 21763, "2026-08", 1, "2026-08-15", v1::FeePayment::wechat, "R-006"));
  // Recorded twice, the second time without its receipt (with it, it is duplicate-receipt).
  Add(*g, "P6dup", 13, Payment(kC, Firm_(), "2-102", 21763, "2026-08", 1, "2026-08-15", v1::FeePayment::wechat));
  Add(*g, "E2", 14, Evaluation(kC, OwnerOf("2-102"), 13, {1, 1, 1, 1, 1}));
  Add(*g, "rev-P6dup", 15, Reversal(kC, Firm_(), 13, "recorded twice"));
  Add(*g, "adv-08", 16, Revenue(kC, Committee(), v1::PublicRevenue::advertising, 50000, "2026-08-20", "C-ADV"));
  AddDisbursement(*g, "D3", 17, v1::FEES, v1::GREENERY, 30000, "2026-08-20");
  AddDisbursement(*g, "D4", 18, v1::FEES, v1::UTILITIES, 45000, "2026-08-25");
  AddDisbursement(*g, "R1", 19, v1::FEES, v1::REMUNERATION, 30000, "2026-08-31");
  Add(*g, "park-08", 20, Revenue(kC, Firm_(), v1::PublicRevenue::parking, 80000, "2026-08-31", "C-PARK"));
  Add(*g, "E3", 21, Evaluation(kC, OwnerOf("2-102"), 12, {4, 4, 5, 4, 4}));
  g->mid_size = g->ledger->head().tree_size;
  REQUIRE(g->mid_size == 22);
  g->mid_statement = MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3")).dump();
  // Votes.
  Add(*g, "PR-1", 22, Proposal(kC, Committee(), "PR-1", v1::ORDINARY, v1::PUBLIC_REVENUE, 100000, "2026-10-05", "健身器材"));
  Add(*g, "PR-2", 23, Proposal(kC, Committee(), "PR-2", v1::SPECIAL, v1::PUBLIC_REVENUE, 200000, "2026-10-05", "电梯维修"));
  Add(*g, "b1", 24, Ballot(kC, OwnerOf("1-101"), "PR-1", "1-101", v1::YES));
  Add(*g, "b2", 25, Ballot(kC, OwnerOf("1-102"), "PR-1", "1-102", v1::NO));
  Add(*g, "b3", 26, Ballot(kC, OwnerOf("1-201"), "PR-1", "1-201", v1::NO));
  Add(*g, "b4", 27, Ballot(kC, OwnerOf("1-202"), "PR-1", "1-202", v1::YES));
  Add(*g, "b5", 28, Ballot(kC, OwnerOf("2-102"), "PR-1", "2-102", v1::ABSTAIN));
  Add(*g, "b6", 29, Ballot(kC, OwnerOf("1-102"), "PR-1", "1-102", v1::YES));  // replaces b2
  Add(*g, "b7", 30, Ballot(kC, OwnerOf("2-102"), "PR-2", "2-102", v1::YES));
  Add(*g, "b8", 31, Ballot(kC, OwnerOf("1-101"), "PR-2", "1-101", v1::YES));
  Add(*g, "b9", 32, Ballot(kC, OwnerOf("1-202"), "PR-2", "1-202", v1::YES));
  Add(*g, "b10", 33, Ballot(kC, OwnerOf("1-102"), "PR-2", "1-102", v1::NO));
  // Not every unit voted: the proposals close once their voting day is over.
  REQUIRE(g->ledger->Append(Close(kC, Committee(), "PR-1")).status().slug() == "proposal-still-open");
  g->now_ms->store(kClosedAtMs);
  Add(*g, "close-PR-1", 34, Close(kC, Committee(), "PR-1"));
  Add(*g, "close-PR-2", 35, Close(kC, Committee(), "PR-2"));
  // September.
  Add(*g, "P7", 36, Payment(kC, Firm_(), "2-102", 21763, "2026-09", 1, "2026-09-15", v1::FeePayment::wechat, "R-007"));
  AddDisbursement(*g, "D6", 37, v1::FEES, v1::REPAIR, 25000, "2026-09-10");
  Add(*g, "P8", 38, Payment(kC, Firm_(), "1-102", 75000, "2026-10", 3, "2026-09-28", v1::FeePayment::bank, "R-008"));
  AddDisbursement(*g, "D5", 39, v1::PUBLIC_REVENUE, v1::OTHER, 95000, "2026-09-25", "R-PR-1");
  // Fee income to date 397,522 (see below): allowed floor(397,522 × 1,000 / 10,000) = floor(39,752.2)
  // = 39,752; taken 30,000, so 9,753 is one fen over and 9,752 is exactly the cap.
  g->size_before_refusal = g->ledger->head().tree_size;
  g->refused_remuneration =
      g->ledger->Append(Disbursement(kC, Firm_(), v1::FEES, v1::REMUNERATION, 9753, "2026-09-30", Voucher("R2 over")))
          .status();
  AddDisbursement(*g, "R2", 40, v1::FEES, v1::REMUNERATION, 9752, "2026-09-30");
  Add(*g, "park-09", 41, Revenue(kC, Firm_(), v1::PublicRevenue::parking, 80000, "2026-09-30", "C-PARK"));
  Add(*g, "E4", 42, Evaluation(kC, OwnerOf("1-201"), 6, {3, 5, 2, 5, 4}));
  REQUIRE(g->ledger->head().tree_size == 43);
  return g;
}

Json StatementOf(const Garden& g, const std::string& period) {
  return MustView(SignedStatementJson(*g.ledger, kC, period)).at("statement");
}

// ---- Fee income and spending, worked out once ----------------------------------------------
//
// FEES cash by month of paid_on (P6' reversed, so it is in no sum):
//   07: income 67,125 + 75,000 + 22,500 + 92,608 + 21,763 = 278,996
//       spent  60,000 (CLEANING) + 90,000 (SECURITY) = 150,000          closing 128,996
//   08: income 21,763; spent 30,000 (GREENERY) + 45,000 (UTILITIES)
//       + 30,000 (REMUNERATION) = 105,000; 128,996 + 21,763 − 105,000 = 45,759
//   09: income 21,763 + 75,000 = 96,763; spent 25,000 (REPAIR) + 9,752 (REMUNERATION)
//       = 34,752; 45,759 + 96,763 − 34,752 = 107,770
//   Q3: income 278,996 + 21,763 + 96,763 = 397,522; spent 150,000 + 105,000 + 34,752 = 289,752;
//       closing 397,522 − 289,752 = 107,770.
// PUBLIC_REVENUE: parking 80,000 in each month, advertising 50,000 in 08; OTHER 95,000 in 09.
//   08: opening 80,000, income 130,000, closing 210,000. Q3: income 290,000, spent 95,000,
//   closing 195,000.

TEST_CASE("scenario: the quarter's statement, by hand", "[scenario]") {
  auto g = BuildGarden();
  const Json s = StatementOf(*g, "2026-Q3");
  INFO(s.dump(1));
  CHECK(s.at("format") == "mingzhang-statement/3");
  CHECK(s.at("community_id") == kC);
  CHECK(s.at("firm_id") == kFirmId);
  CHECK(s.at("period") == "2026-Q3");

  const Head head = g->ledger->head();
  CHECK(s.at("checkpoint").at("origin") == g->ledger->origin());
  CHECK(U64Of(s.at("checkpoint").at("tree_size")) == 43);
  CHECK(s.at("checkpoint").at("root_hash") == Base64Encode(AsBytes(head.root)));

  const Json& fees = FundIn(s, "FEES");
  CHECK(FenOf(fees.at("opening_balance")) == 0);
  CHECK(FenOf(fees.at("income")) == 397522);
  CHECK(FenOf(fees.at("disbursed")) == 289752);
  CHECK(FenOf(fees.at("closing_balance")) == 107770);
  // The fee pool's income has one source; whatever it is called, it adds up to the income.
  int64_t fee_sources = 0;
  for (const auto& [source, fen] : FenMap(fees.at("income_by_source"))) fee_sources += fen;
  CHECK(fee_sources == 397522);
  CHECK(FenMap(fees.at("disbursed_by_category")) == std::map<std::string, int64_t>{{"CLEANING", 60000},
                                                                                    {"SECURITY", 90000},
                                                                                    {"GREENERY", 30000},
                                                                                    {"REPAIR", 25000},
                                                                                    {"UTILITIES", 45000},
                                                                                    {"REMUNERATION", 39752}});

  const Json& pr = FundIn(s, "PUBLIC_REVENUE");
  CHECK(FenOf(pr.at("opening_balance")) == 0);
  CHECK(FenOf(pr.at("income")) == 290000);
  CHECK(FenMap(pr.at("income_by_source")) ==
        std::map<std::string, int64_t>{{"parking", 240000}, {"advertising", 50000}});
  CHECK(FenOf(pr.at("disbursed")) == 95000);
  CHECK(FenMap(pr.at("disbursed_by_category")) == std::map<std::string, int64_t>{{"OTHER", 95000}});
  CHECK(FenOf(pr.at("closing_balance")) == 195000);

  // Remuneration: fee income to date 397,522 → allowed floor(39,752.2) = 39,752; R1 + R2 =
  // 30,000 + 9,752 = 39,752 taken, all of it in Q3.
  const Json& rem = s.at("remuneration");
  CHECK(FenOf(rem.at("allowed_to_date")) == 39752);
  CHECK(FenOf(rem.at("taken_to_date")) == 39752);
  CHECK(FenOf(rem.at("taken_in_period")) == 39752);
  CHECK(rem.at("rule").at("basis_points_of_fee_income") == 1000);

  // Billing: 3 months × 150,001 = 450,003 billed. Paid for Q3 (attributed to its months):
  // 67,125 + 75,000 (P8 pays for Q4) + 92,608 + 22,500 + 0 + 3 × 21,763 = 322,522.
  // Rate 322,522 × 10,000 / 450,003 = 7,167.1 → 7,167 (no rounding question). In arrears:
  // 1-202 (22,500 of 67,500) and 2-101 (0 of 82,500) → 2.
  const Json& billing = s.at("billing");
  CHECK(CountOf(billing.at("units")) == 6);
  CHECK(FenOf(billing.at("billed")) == 450003);
  CHECK(FenOf(billing.at("collected")) == 322522);
  CHECK(CountOf(billing.at("collection_rate_bp")) == 7167);
  CHECK(CountOf(billing.at("units_in_arrears")) == 2);

  // Evaluations of payments paid in Q3: 8 payments (P1-P8, P6' reversed); E1 on P1, E3 on P6,
  // E4 on P3 count, E2 on the reversed P6' does not. Coverage 3/8 = 3,750 bp.
  // Means ×100, floor: cleaning (5+4+3)/3 = 400, security (4+4+5)/3 = 433.3 → 433,
  // greenery (4+5+2)/3 = 366.7 → 366, repair (3+4+5)/3 = 400, service (5+4+4)/3 = 433.3 → 433.
  const Json& ev = s.at("evaluations");
  CHECK(CountOf(ev.at("count")) == 3);
  CHECK(CountOf(ev.at("payments")) == 8);
  CHECK(CountOf(ev.at("evaluated_payments")) == 3);
  CHECK(CountOf(ev.at("coverage_bp")) == 3750);
  CHECK(CountOf(ev.at("mean_x100").at("cleaning")) == 400);
  CHECK(CountOf(ev.at("mean_x100").at("security")) == 433);
  CHECK(CountOf(ev.at("mean_x100").at("greenery")) == 366);
  CHECK(CountOf(ev.at("mean_x100").at("repair")) == 400);
  CHECK(CountOf(ev.at("mean_x100").at("service")) == 433);

  // Every entry of the community (seq 1..42; the firm registration has none) in seq order, chained
  // (README Formats, Entries digest): d_0 = SHA-256 of the tag, d_i = SHA-256(d_{i-1} || leaf_i).
  CHECK(CountOf(s.at("entries_count")) == 42);
  Hash digest = Sha256("mingzhang-entries/1");
  for (uint64_t seq = 1; seq <= 42; ++seq) {
    Result<StoredEntry> e = g->ledger->ReadEntry(seq);
    REQUIRE(e.ok());
    digest = Sha256(std::string(AsBytes(digest)) + std::string(AsBytes(LeafHash(e->bytes))));
  }
  CHECK(s.at("entries_digest") == HexOf(digest));

  // The separate evaluation summary says the same.
  const Json summary = MustView(g->ledger->EvaluationSummary(kC, "2026-Q3"));
  for (const char* key : {"count", "payments", "evaluated_payments", "coverage_bp"}) {
    CHECK(summary.at(key) == ev.at(key));
  }
  CHECK(summary.at("mean_x100") == ev.at("mean_x100"));

  // The year holds nothing outside Q3: its funds are the quarter's.
  const Json year = StatementOf(*g, "2026");
  for (const char* fund : {"FEES", "PUBLIC_REVENUE"}) {
    Json q = FundIn(s, fund), y = FundIn(year, fund);
    CHECK(q == y);
  }
}

TEST_CASE("scenario: a month's statement carries the opening balance", "[scenario]") {
  auto g = BuildGarden();
  const Json s = StatementOf(*g, "2026-08");
  INFO(s.dump(1));
  const Json& fees = FundIn(s, "FEES");
  CHECK(FenOf(fees.at("opening_balance")) == 128996);  // July: 278,996 − 150,000
  CHECK(FenOf(fees.at("income")) == 21763);            // P6 only; P6' reversed
  CHECK(FenOf(fees.at("disbursed")) == 105000);
  CHECK(FenMap(fees.at("disbursed_by_category")) ==
        std::map<std::string, int64_t>{{"GREENERY", 30000}, {"UTILITIES", 45000}, {"REMUNERATION", 30000}});
  CHECK(FenOf(fees.at("closing_balance")) == 45759);   // 128,996 + 21,763 − 105,000
  const Json& pr = FundIn(s, "PUBLIC_REVENUE");
  CHECK(FenOf(pr.at("opening_balance")) == 80000);
  CHECK(FenOf(pr.at("income")) == 130000);
  CHECK(FenMap(pr.at("income_by_source")) ==
        std::map<std::string, int64_t>{{"parking", 80000}, {"advertising", 50000}});
  CHECK(FenOf(pr.at("disbursed")) == 0);
  CHECK(FenMap(pr.at("disbursed_by_category")).empty());
  CHECK(FenOf(pr.at("closing_balance")) == 210000);
  CHECK(FenOf(s.at("remuneration").at("taken_in_period")) == 30000);

  // Billing 08: billed 150,001; paid 22,375 + 25,000 + 30,869 (P3's second month) + 0 (1-202
  // paid July only) + 0 + 21,763 = 100,007; rate 100,007 × 10,000 / 150,001 = 6,667.09 → 6,667.
  // In arrears: 1-202 and 2-101.
  CHECK(FenOf(s.at("billing").at("billed")) == 150001);
  CHECK(FenOf(s.at("billing").at("collected")) == 100007);
  CHECK(CountOf(s.at("billing").at("collection_rate_bp")) == 6667);
  CHECK(CountOf(s.at("billing").at("units_in_arrears")) == 2);

  // Payments paid in August: P6 (P6' is reversed): 1, evaluated by E3 (4,4,5,4,4).
  const Json& ev = s.at("evaluations");
  CHECK(CountOf(ev.at("payments")) == 1);
  CHECK(CountOf(ev.at("count")) == 1);
  CHECK(CountOf(ev.at("evaluated_payments")) == 1);
  CHECK(CountOf(ev.at("coverage_bp")) == 10000);
  CHECK(ev.at("mean_x100") ==
        Json{{"cleaning", 400}, {"security", 400}, {"greenery", 500}, {"repair", 400}, {"service", 400}});
}

TEST_CASE("scenario: billing per unit, by month and by quarter", "[scenario]") {
  auto g = BuildGarden();
  const Json q3 = MustView(g->ledger->Billing(kC, "2026-Q3"));
  INFO(q3.dump(1));
  struct Row {
    const char* unit;
    int64_t area, monthly_fee, billed, paid;
  };
  // billed = 3 × monthly fee; paid = the parts of its payments attributed to 07..09.
  const std::vector<Row> rows = {
      {"1-101", 8950, 22375, 67125, 67125},
      {"1-102", 10000, 25000, 75000, 75000},   // P8's 75,000 is for 10..12
      {"1-201", 12345, 30863, 92589, 92608},   // 30,870 + 30,869 + 30,869
      {"1-202", 9000, 22500, 67500, 22500},
      {"2-101", 11000, 27500, 82500, 0},
      {"2-102", 8705, 21763, 65289, 65289},    // P5 + P6 + P7; P6' reversed
  };
  REQUIRE(q3.at("units").size() == rows.size());
  for (const Row& row : rows) {
    INFO(row.unit);
    const Json* found = nullptr;
    for (const Json& u : q3.at("units")) {
      if (u.at("unit_id") == row.unit) found = &u;
    }
    REQUIRE(found != nullptr);
    CHECK(U64Of(found->at("area_centi_m2")) == static_cast<uint64_t>(row.area));
    CHECK(FenOf(found->at("monthly_fee")) == row.monthly_fee);
    CHECK(FenOf(found->at("billed")) == row.billed);
    CHECK(FenOf(found->at("paid")) == row.paid);
  }
  const Json& t = q3.at("totals");
  CHECK(CountOf(t.at("units")) == 6);
  CHECK(FenOf(t.at("billed")) == 450003);
  CHECK(FenOf(t.at("collected")) == 322522);
  CHECK(CountOf(t.at("collection_rate_bp")) == 7167);
  CHECK(CountOf(t.at("units_in_arrears")) == 2);

  // July: paid 22,375 + 25,000 + 30,870 (the remainder fen of P3 on its first month) + 22,500
  // + 0 + 21,763 = 122,508 of 150,001 → 8,167.1 → 8,167 bp; only 2-101 is in arrears.
  const Json july = MustView(g->ledger->Billing(kC, "2026-07"));
  CHECK(FenOf(july.at("totals").at("billed")) == 150001);
  CHECK(FenOf(july.at("totals").at("collected")) == 122508);
  CHECK(CountOf(july.at("totals").at("collection_rate_bp")) == 8167);
  CHECK(CountOf(july.at("totals").at("units_in_arrears")) == 1);
  for (const Json& u : july.at("units")) {
    if (u.at("unit_id") == "1-201") CHECK(FenOf(u.at("paid")) == 30870);
  }
  const Json sept = MustView(g->ledger->Billing(kC, "2026-09"));
  for (const Json& u : sept.at("units")) {
    if (u.at("unit_id") == "1-201") CHECK(FenOf(u.at("paid")) == 30869);
  }
  // The statement's billing block is the same as the billing view's totals.
  const Json s = StatementOf(*g, "2026-Q3");
  CHECK(s.at("billing") == t);
}

// Owner 1-101, Q3: paid 67,125. Community fee income paid for Q3: 322,522. FEES spending in Q3:
// CLEANING 60,000, SECURITY 90,000, GREENERY 30,000, REPAIR 25,000, UTILITIES 45,000,
// REMUNERATION 39,752 = 289,752 (<= 322,522, so the owner's part is paid × spent / income):
//   owner's part = floor(67,125 × 289,752 / 322,522) = floor(19,449,603,000 / 322,522) = 60,304
//   quotas 67,125 × spent_c / 322,522:
//     CLEANING      4,027,500,000 / 322,522 = 12,487 r 167,786
//     SECURITY      6,041,250,000 / 322,522 = 18,731 r  90,418
//     GREENERY      2,013,750,000 / 322,522 =  6,243 r 245,154
//     REPAIR        1,678,125,000 / 322,522 =  5,203 r  43,034
//     UTILITIES     3,020,625,000 / 322,522 =  9,365 r 206,470
//     REMUNERATION  2,668,353,000 / 322,522 =  8,273 r 128,494
//   floors 60,302; 2 fen left → the two largest remainders, GREENERY and UTILITIES:
//   12,487 + 18,731 + 6,244 + 5,203 + 9,366 + 8,273 = 60,304; unspent 67,125 − 60,304 = 6,821.
TEST_CASE("scenario: where owner 1-101's fee went, with proofs", "[scenario]") {
  auto g = BuildGarden();
  const Json a = MustView(g->ledger->OwnerAccount(kC, "1-101", "2026-Q3"));
  INFO(a.dump(1));
  CHECK(FenOf(a.at("billed")) == 67125);
  CHECK(FenOf(a.at("paid")) == 67125);
  CHECK(FenOf(a.at("owed")) == 0);
  CHECK(FenOf(a.at("fee_income_for_months")) == 322522);
  CHECK(FenOf(a.at("community_spent")) == 289752);

  std::map<std::string, int64_t> shares, spent;
  int64_t total = 0;
  for (const Json& sh : a.at("shares")) {
    shares[sh.at("category").get<std::string>()] = FenOf(sh.at("share"));
    spent[sh.at("category").get<std::string>()] = FenOf(sh.at("spent"));
    total += FenOf(sh.at("share"));
  }
  CHECK(shares == std::map<std::string, int64_t>{{"CLEANING", 12487},
                                                 {"SECURITY", 18731},
                                                 {"GREENERY", 6244},
                                                 {"REPAIR", 5203},
                                                 {"UTILITIES", 9366},
                                                 {"REMUNERATION", 8273}});
  CHECK(spent == std::map<std::string, int64_t>{{"CLEANING", 60000},
                                                {"SECURITY", 90000},
                                                {"GREENERY", 30000},
                                                {"REPAIR", 25000},
                                                {"UTILITIES", 45000},
                                                {"REMUNERATION", 39752}});
  CHECK(FenOf(a.at("unspent")) == 6821);
  CHECK(total + FenOf(a.at("unspent")) == 67125);

  // The FEES spending items of Q3 with the vouchers they were recorded with; D5 is public revenue.
  std::map<uint64_t, std::string> items;
  for (const Json& item : a.at("spending_items")) items[U64Of(item.at("seq"))] = item.at("voucher_sha256");
  std::map<uint64_t, std::string> want;
  for (const char* name : {"D1", "D2", "D3", "D4", "R1", "D6", "R2"}) want[g->seq.at(name)] = g->vouchers.at(name);
  CHECK(items == want);

  // One payment, P1, with a proof against the checkpoint handed out in the same answer.
  REQUIRE(a.at("payments").size() == 1);
  const Json& p = a.at("payments")[0];
  CHECK(U64Of(p.at("seq")) == 3);
  CHECK(FenOf(p.at("amount")) == 67125);
  CHECK(p.at("receipt_ref") == "R-001");
  const Checkpoint cp = OpenCheckpointNote(*g->ledger, a.at("checkpoint").get<std::string>());
  CHECK(U64Of(a.at("tree_size")) == cp.tree_size);
  CHECK(cp.tree_size == 43);
  const uint64_t leaf = U64Of(p.at("leaf_index"));
  CHECK(leaf == 3);
  Result<StoredEntry> stored = g->ledger->ReadEntry(leaf);
  REQUIRE(stored.ok());
  const std::string leaf_hash = DecodeBase64(p.at("leaf_hash"));
  CHECK(leaf_hash == AsBytes(LeafHash(stored->bytes)));
  std::vector<std::string> path;
  for (const Json& h : p.at("audit_path")) path.push_back(DecodeBase64(h));
  CHECK(VerifyInclusion(leaf, cp.tree_size, leaf_hash, path, AsBytes(cp.root_hash)).ok());
  // A proof for another leaf does not pass for this one.
  CHECK_FALSE(VerifyInclusion(leaf + 1, cp.tree_size, leaf_hash, path, AsBytes(cp.root_hash)).ok());
}

// Owner 1-202 paid one month of three: billed 67,500, paid 22,500, owed 45,000.
//   owner's part = floor(22,500 × 289,752 / 322,522) = floor(6,519,420,000 / 322,522) = 20,213
//   quotas: CLEANING 1,350,000,000 / 322,522 = 4,186 r 245,430; SECURITY 2,025,000,000 → 6,278
//   r 206,884; GREENERY 675,000,000 → 2,093 r 283,976; REPAIR 562,500,000 → 1,744 r 21,632;
//   UTILITIES 1,012,500,000 → 3,139 r 103,442; REMUNERATION 894,420,000 → 2,773 r 66,494.
//   Floors 20,213 = the owner's part: no fen left over. Unspent 22,500 − 20,213 = 2,287.
// Owner 2-102 paid three times; the duplicate P6' is reversed and is not among the payments.
TEST_CASE("scenario: an owner in arrears and an owner with three payments", "[scenario]") {
  auto g = BuildGarden();
  const Json a = MustView(g->ledger->OwnerAccount(kC, "1-202", "2026-Q3"));
  INFO(a.dump(1));
  CHECK(FenOf(a.at("billed")) == 67500);
  CHECK(FenOf(a.at("paid")) == 22500);
  CHECK(FenOf(a.at("owed")) == 45000);
  std::map<std::string, int64_t> shares;
  for (const Json& sh : a.at("shares")) shares[sh.at("category").get<std::string>()] = FenOf(sh.at("share"));
  CHECK(shares == std::map<std::string, int64_t>{{"CLEANING", 4186},
                                                 {"SECURITY", 6278},
                                                 {"GREENERY", 2093},
                                                 {"REPAIR", 1744},
                                                 {"UTILITIES", 3139},
                                                 {"REMUNERATION", 2773}});
  CHECK(FenOf(a.at("unspent")) == 2287);

  const Json b = MustView(g->ledger->OwnerAccount(kC, "2-102", "2026-Q3"));
  INFO(b.dump(1));
  CHECK(FenOf(b.at("paid")) == 65289);
  int64_t total = FenOf(b.at("unspent"));
  for (const Json& sh : b.at("shares")) total += FenOf(sh.at("share"));
  CHECK(total == 65289);
  const Checkpoint cp = OpenCheckpointNote(*g->ledger, b.at("checkpoint").get<std::string>());
  std::vector<uint64_t> seqs;
  for (const Json& p : b.at("payments")) {
    const uint64_t leaf = U64Of(p.at("leaf_index"));
    seqs.push_back(U64Of(p.at("seq")));
    Result<StoredEntry> stored = g->ledger->ReadEntry(leaf);
    REQUIRE(stored.ok());
    CHECK(stored->entry.has_fee_payment());
    std::vector<std::string> path;
    for (const Json& h : p.at("audit_path")) path.push_back(DecodeBase64(h));
    CHECK(VerifyInclusion(leaf, cp.tree_size, AsBytes(LeafHash(stored->bytes)), path, AsBytes(cp.root_hash)).ok());
  }
  std::sort(seqs.begin(), seqs.end());
  CHECK(seqs == std::vector<uint64_t>{7, 12, 36});

  // 2-101 paid nothing: everything owed, no payments, nothing to share.
  const Json c = MustView(g->ledger->OwnerAccount(kC, "2-101", "2026-Q3"));
  CHECK(FenOf(c.at("paid")) == 0);
  CHECK(FenOf(c.at("owed")) == 82500);
  CHECK(FenOf(c.at("unspent")) == 0);
  CHECK(c.at("payments").empty());
}

// PR-1 (ORDINARY): eligible 6 units, 60,000 centi-m². Ballots (latest per unit):
//   YES 1-101 8,950 + 1-102 10,000 (its NO was replaced) + 1-202 9,000 = 3 units, 27,950
//   NO 1-201 12,345; ABSTAIN 2-102 8,705; 2-101 did not vote.
//   voted 5 units, 49,000: quorum 5 × 3 = 15 >= 12 and 49,000 × 3 = 147,000 >= 120,000.
//   ORDINARY: 27,950 × 2 = 55,900 > 49,000 and 3 × 2 = 6 > 5 → passed, resolution R-PR-1.
// PR-2 (SPECIAL): YES 2-102 8,705 + 1-101 8,950 + 1-202 9,000 = 3 units, 26,655; NO 1-102 10,000.
//   voted 4 units, 36,655: headcount 4 × 3 = 12 >= 12 (two thirds exactly: met), but area
//   36,655 × 3 = 109,965 < 120,000 → quorum not met, not passed, no resolution.
TEST_CASE("scenario: the two proposals' tallies", "[scenario]") {
  auto g = BuildGarden();
  Result<StoredEntry> close1 = g->ledger->ReadEntry(g->seq.at("close-PR-1"));
  REQUIRE(close1.ok());
  const v1::ProposalClose& c1 = close1->entry.proposal_close();
  CHECK(c1.tally().eligible_units() == 6);
  CHECK(c1.tally().eligible_area_centi_m2() == 60000);
  CHECK(c1.tally().voted_units() == 5);
  CHECK(c1.tally().voted_area_centi_m2() == 49000);
  CHECK(c1.tally().yes_units() == 3);
  CHECK(c1.tally().yes_area_centi_m2() == 27950);
  CHECK(c1.tally().no_units() == 1);
  CHECK(c1.tally().no_area_centi_m2() == 12345);
  CHECK(c1.tally().abstain_units() == 1);
  CHECK(c1.tally().abstain_area_centi_m2() == 8705);
  CHECK(c1.tally().quorum_met());
  CHECK(c1.tally().passed());
  CHECK(c1.resolution_id() == "R-PR-1");

  Result<StoredEntry> close2 = g->ledger->ReadEntry(g->seq.at("close-PR-2"));
  REQUIRE(close2.ok());
  const v1::ProposalClose& c2 = close2->entry.proposal_close();
  CHECK(c2.tally().eligible_units() == 6);
  CHECK(c2.tally().eligible_area_centi_m2() == 60000);
  CHECK(c2.tally().voted_units() == 4);
  CHECK(c2.tally().voted_area_centi_m2() == 36655);
  CHECK(c2.tally().yes_units() == 3);
  CHECK(c2.tally().yes_area_centi_m2() == 26655);
  CHECK(c2.tally().no_units() == 1);
  CHECK(c2.tally().no_area_centi_m2() == 10000);
  CHECK(c2.tally().abstain_units() == 0);
  CHECK(c2.tally().abstain_area_centi_m2() == 0);
  CHECK_FALSE(c2.tally().quorum_met());
  CHECK_FALSE(c2.tally().passed());
  CHECK(c2.resolution_id().empty());

  const Json v1_ = MustView(g->ledger->Proposal(kC, "PR-1"));
  INFO(v1_.dump(1));
  CHECK(v1_.at("closed") == true);
  CHECK(v1_.at("passed") == true);
  CHECK(v1_.at("quorum_met") == true);
  CHECK(v1_.at("resolution_id") == "R-PR-1");
  CHECK(U64Of(v1_.at("tally").at("yes_units")) == 3);
  CHECK(U64Of(v1_.at("tally").at("yes_area_centi_m2")) == 27950);
  CHECK(U64Of(v1_.at("tally").at("voted_area_centi_m2")) == 49000);
  CHECK(FenOf(v1_.at("disbursed_under_resolution")) == 95000);
  const Json v2_ = MustView(g->ledger->Proposal(kC, "PR-2"));
  INFO(v2_.dump(1));
  CHECK(v2_.at("closed") == true);
  CHECK(v2_.at("passed") == false);
  CHECK(v2_.at("quorum_met") == false);
  CHECK(U64Of(v2_.at("tally").at("voted_area_centi_m2")) == 36655);
}

TEST_CASE("scenario: one fen over the remuneration cap is refused and writes nothing", "[scenario]") {
  auto g = BuildGarden();
  CHECK(g->refused_remuneration.code() == Code::kFailedPrecondition);
  CHECK(g->refused_remuneration.slug() == "remuneration-cap");
  // The refusal wrote nothing: R2 landed right after D5.
  CHECK(g->size_before_refusal == 40);
  CHECK(g->seq.at("R2") == 40);
  // Anything more now is over the cap, even one fen.
  Result<StoredEntry> more =
      g->ledger->Append(Disbursement(kC, Firm_(), v1::FEES, v1::REMUNERATION, 1, "2026-09-30", Voucher("one fen")));
  CHECK(more.status().slug() == "remuneration-cap");
  CHECK(g->ledger->head().tree_size == 43);
}

TEST_CASE("scenario: statements are signed and reproducible at any checkpointed size", "[scenario]") {
  auto g = BuildGarden();
  const Json answer = MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3"));
  CHECK(answer.at("signature").at("algorithm") == "Ed25519");
  // key_id: the note key id of the log key, 8 hex digits (README "Views and their definitions").
  char key_id[16];
  std::snprintf(key_id, sizeof key_id, "%08x", g->ledger->verifier().key_id);
  CHECK(answer.at("signature").at("key_id") == key_id);
  Result<std::string> canonical = Canonicalize(answer.at("statement"));
  REQUIRE(canonical.ok());
  const std::string sig = DecodeBase64(answer.at("signature").at("signature"));
  CHECK(sig.size() == kEd25519SignatureBytes);
  CHECK(g->ledger->public_key().Verify(*canonical, sig));
  // One changed byte and it no longer verifies.
  Json tampered = answer.at("statement");
  tampered["billing"]["collected"] = "322523";
  CHECK_FALSE(g->ledger->public_key().Verify(*Canonicalize(tampered), sig));
  // The key on disk is the key that signs.
  std::ifstream pub(g->dir / kPublicKeyFileName);
  std::string pem((std::istreambuf_iterator<char>(pub)), std::istreambuf_iterator<char>());
  Result<PublicKey> disk = PublicKey::FromPem(pem);
  REQUIRE(disk.ok());
  CHECK(disk->Verify(*canonical, sig));

  // The typed statement's JCS form (view_json.h) is exactly what was signed, and its typed fields
  // are those the JSON prints.
  Result<StatementView> typed = g->ledger->Statement(kC, "2026-Q3");
  REQUIRE(typed.ok());
  CHECK(*StatementJcs(*typed) == *canonical);
  CHECK(std::to_string(typed->billing.collected_fen) == answer.at("statement").at("billing").at("collected"));
  CHECK(std::to_string(typed->checkpoint.tree_size) == answer.at("statement").at("checkpoint").at("tree_size"));
  // The log's key signs only a statement's JCS form (a JSON object), never a checkpoint's text.
  CHECK_FALSE(g->ledger->SignStatement(g->ledger->head().checkpoint).ok());
  CHECK_FALSE(g->ledger->SignStatement("").ok());

  // At the current size, naming it gives the same bytes as not naming it.
  const Json at_head = MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3", g->ledger->head().tree_size));
  CHECK(at_head.dump() == answer.dump());

  // At tree size 22, replayed now, it is what the ledger said when it was at 22.
  const Json earlier = MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3", g->mid_size));
  CHECK(earlier.dump() == g->mid_statement);
  const Json& e = earlier.at("statement");
  CHECK(U64Of(e.at("checkpoint").at("tree_size")) == 22);
  Result<Hash> root22 = g->ledger->RootAt(22);
  REQUIRE(root22.ok());
  CHECK(e.at("checkpoint").at("root_hash") == Base64Encode(AsBytes(*root22)));
  CHECK(CountOf(e.at("entries_count")) == 21);  // seq 1..21
  // At 22: FEES income 278,996 + 21,763 = 300,759, spent 150,000 + 105,000 = 255,000,
  // closing 45,759; PUBLIC_REVENUE 80,000 + 130,000 = 210,000, nothing spent.
  CHECK(FenOf(FundIn(e, "FEES").at("income")) == 300759);
  CHECK(FenOf(FundIn(e, "FEES").at("disbursed")) == 255000);
  CHECK(FenOf(FundIn(e, "FEES").at("closing_balance")) == 45759);
  CHECK(FenOf(FundIn(e, "PUBLIC_REVENUE").at("closing_balance")) == 210000);
  // Evaluations at 22: E1 on P1 and E3 on P6 of 6 payments paid in Q3 (P1-P6) → 3,333 bp.
  CHECK(CountOf(e.at("evaluations").at("payments")) == 6);
  CHECK(CountOf(e.at("evaluations").at("count")) == 2);
  CHECK(CountOf(e.at("evaluations").at("coverage_bp")) == 3333);
  Result<std::string> earlier_canonical = Canonicalize(e);
  REQUIRE(earlier_canonical.ok());
  CHECK(g->ledger->public_key().Verify(*earlier_canonical, DecodeBase64(earlier.at("signature").at("signature"))));

  // Every earlier size replays; a size with no checkpoint is refused.
  for (uint64_t size : {2, 3, 16, 35}) {
    INFO("tree size " << size);
    const Json st = MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3", size));
    CHECK(U64Of(st.at("statement").at("checkpoint").at("tree_size")) == size);
    CHECK(CountOf(st.at("statement").at("entries_count")) == static_cast<int64_t>(size - 1));
  }
  Result<Json> beyond = SignedStatementJson(*g->ledger, kC, "2026-Q3", 44);
  CHECK(beyond.status().slug() == "no-checkpoint");

  // And after a restart, byte for byte the same.
  const std::string before = answer.dump();
  g->ledger.reset();
  g->ledger = OpenDomainLedger(g->dir, 1, kRecordedAtMs);
  CHECK(MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3")).dump() == before);
  CHECK(MustView(SignedStatementJson(*g->ledger, kC, "2026-Q3", g->mid_size)).dump() == g->mid_statement);
}

// Ratings for Q3 (rating.cpp, mingzhang-rating/3), from what the log shows about trust-pm:
//   evaluations: E1, E3, E4 count (E2 rated the reversed P6'): n = 3, score sum
//     (5+4+4+3+5) + (4+4+5+4+4) + (3+5+2+5+4) = 21 + 21 + 19 = 61
//     → 40 × (61 − 5 × 3) / (20 × 3) = 40 × 46 / 60 = 30.666 → 30,666 milli
//   collection: 7,167 bp → 20 × 0.7167 = 14.334 → 14,334 milli
//   disclosure: 8 disbursements (D1-D6, R1, R2), all with vouchers → 10 points; the business
//     entries are the firm's own, not reversed: 7 payments (P2-P8 without P1, which the owner
//     recorded, and the reversed P6'), 8 disbursements, 3 parking revenues (not the committee's
//     advertising) = 18, none dated before the registration (07-01), so none imported history;
//     recorded within 7 days of their date: R2 and parking (09-30, recorded 10-06; P8 of 09-28
//     is 8 days) → 15 × 2 / 18 = 1.666 → 11,666 milli
//   reversals: 1 → 15 × (18 − 10) / 18 = 6.666 → 6,666 milli
//   total 30,666 + 14,334 + 11,666 + 6,666 = 63,332 → 63: grade B, black list (below 70), not
//   red list.
// Were E2 on the reversed payment counted: n = 4, sum 66 → 40 × 46 / 80 = 23 points, and the
// total 55,666 would give 56 (C) — so 63 also shows that the reversal reached the ratings.
TEST_CASE("scenario: the firm's rating counts no evaluation of a reversed payment", "[scenario]") {
  auto g = BuildGarden();
  const Json r = MustView(g->ledger->Ratings("2026-Q3"));
  INFO(r.dump(1));
  REQUIRE(r.at("firms").size() == 1);
  const Json& f = r.at("firms")[0];
  CHECK(f.at("firm_id") == kFirmId);
  CHECK(r.at("formula_version") == kRatingFormulaVersion);
  const Json& in = f.at("inputs");
  CHECK(CountOf(in.at("evaluations")) == 3);
  CHECK(CountOf(in.at("evaluation_score_sum")) == 61);
  CHECK(CountOf(in.at("collection_rate_bp")) == 7167);
  CHECK(CountOf(in.at("disbursements")) == 8);
  CHECK(CountOf(in.at("disbursements_with_voucher")) == 8);
  CHECK(CountOf(in.at("business_entries")) == 18);
  CHECK(CountOf(in.at("imported_history_entries")) == 0);
  CHECK(CountOf(in.at("prompt_entries")) == 2);
  CHECK(CountOf(in.at("reversals")) == 1);
  CHECK(CountOf(f.at("points_milli").at("evaluation")) == 30666);
  CHECK(CountOf(f.at("points_milli").at("collection")) == 14334);
  CHECK(CountOf(f.at("points_milli").at("disclosure")) == 11666);
  CHECK(CountOf(f.at("points_milli").at("reversals")) == 6666);
  CHECK(CountOf(f.at("score")) == 63);
  CHECK(f.at("grade") == "B");
  CHECK(f.at("black_list") == true);
  CHECK(f.at("red_list") == false);
}

// A reversal counts against the firm only when it takes back what the firm wrote: public revenue
// the committee recorded, reversed by an admin, leaves the firm's reversals at 1.
TEST_CASE("scenario: the firm's rating counts only reversals of its own entries", "[scenario]") {
  auto g = BuildGarden();
  StoredEntry venue =
      MustAppend(*g->ledger, Revenue(kC, Committee(), v1::PublicRevenue::venue_rental, 3000, "2026-09-15", "C-VEN"));
  MustAppend(*g->ledger, Reversal(kC, AdminActor(), venue.entry.seq(), "recorded twice"));
  const Json r = MustView(g->ledger->Ratings("2026-Q3"));
  INFO(r.dump(1));
  CHECK(CountOf(r.at("firms")[0].at("inputs").at("reversals")) == 1);
}

// A period before the community starts shows nothing of the firm: it is on neither list (it was
// black-listed for a 0% collection rate over nothing billed).
TEST_CASE("scenario: a period with nothing billed, recorded or rated is unrated", "[scenario]") {
  auto g = BuildGarden();
  const Json r = MustView(g->ledger->Ratings("2025-12"));
  INFO(r.dump(1));
  const Json& f = r.at("firms")[0];
  CHECK(f.at("inputs").at("billed") == "0");
  CHECK(CountOf(f.at("points_milli").at("collection")) == 20000);
  CHECK(f.at("grade") == "unrated");
  CHECK(f.at("red_list") == false);
  CHECK(f.at("black_list") == false);
}

TEST_CASE("scenario: views refuse unknown names and bad periods", "[scenario]") {
  auto g = BuildGarden();
  CHECK(SignedStatementJson(*g->ledger, "nowhere", "2026-Q3").status().slug() == "unknown-community");
  CHECK(SignedStatementJson(*g->ledger, kC, "2026-Q5").status().slug() == "bad-period");
  CHECK(g->ledger->Billing(kC, "2026-13").status().slug() == "bad-period");
  CHECK(g->ledger->OwnerAccount(kC, "9-999", "2026-Q3").status().slug() == "unknown-unit");
  CHECK(g->ledger->Proposal(kC, "PR-9").status().slug() == "unknown-proposal");
  CHECK(g->ledger->EvaluationSummary(kC, "26-Q3").status().slug() == "bad-period");
}

}  // namespace
}  // namespace mingzhang
