// Every refusal rule of the domain: each test shows the refusal (status code and slug) and that
// nothing changed — the tree size, and the statement and billing JSON of both communities, are
// byte for byte what they were before. Most rules also get the accepted case at the boundary,
// so a refusal is not just a rule that refuses everything.
//
// Fixture (appended in one batch, in this order):
//   firms f1, f2
//   community north: firm f1, 250 fen/m²/month, 1,000 bp, from 2026-07; units A B C D, 100 m² each
//   community south: firm f2, 300 fen/m²/month, fixed 10,000 fen a month, from 2026-07; unit X
//   pay_a   north A 75,000 (firm)            pay_b north B 25,005 (by B's owner)
//   pay_x   south X 100,000
//   park    north parking 50,000 (firm)      adv   north advertising 10,000 (committee)
//   clean   north FEES CLEANING 1,000
//   proposals in north, PUBLIC_REVENUE unless said: P-ord (ORDINARY, 30,000), P-spec (SPECIAL,
//   40,000), P-fees (ORDINARY, fund FEES, 10,000) — all four units YES, closed: passed;
//   P-fail (ORDINARY, 30,000) — A YES, B C D NO, closed: rejected; P-open — never closed. All
//   close on the day they are made (every unit voted); P-open's voting runs through 2026-12-31.
//   south: P-south (ORDINARY, PUBLIC_REVENUE, 10,000), X YES, closed: passed.
// So north FEES = 75,000 + 25,005 − 1,000 = 99,005; fee income 100,005 (remuneration allowed:
// floor(100,005 × 1,000 / 10,000) = floor(10,000.5) = 10,000); north PUBLIC_REVENUE = 60,000.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <future>
#include <set>

#include "ledger/views/views.h"
#include "tests/support/domain_test_util.h"

namespace mingzhang {
namespace {

using namespace testing;  // NOLINT: test helpers

// The status code each slug is answered with. The HTTP layer maps codes to statuses in one place,
// so one problem type must always come with one code.
Code ExpectedCode(const std::string& slug) {
  static const std::map<std::string, Code> kCodes = {
      {"forbidden", Code::kPermissionDenied},
      {"bad-request", Code::kInvalidArgument},
      {"bad-amount", Code::kInvalidArgument},
      {"bad-date", Code::kInvalidArgument},
      {"bad-month", Code::kInvalidArgument},
      {"bad-period", Code::kInvalidArgument},
      {"bad-months", Code::kInvalidArgument},
      {"bad-area", Code::kInvalidArgument},
      {"bad-rate", Code::kInvalidArgument},
      {"bad-remuneration", Code::kInvalidArgument},
      {"bad-voucher", Code::kInvalidArgument},
      {"bad-text", Code::kInvalidArgument},
      {"bad-score", Code::kInvalidArgument},
      {"bad-comment", Code::kInvalidArgument},
      {"bad-fund", Code::kInvalidArgument},
      {"too-many-units", Code::kInvalidArgument},
      {"unknown-firm", Code::kNotFound},
      {"unknown-community", Code::kNotFound},
      {"unknown-unit", Code::kNotFound},
      {"unknown-payment", Code::kNotFound},
      {"unknown-proposal", Code::kNotFound},
      {"unknown-resolution", Code::kNotFound},
      {"unknown-entry", Code::kNotFound},
      {"duplicate-firm", Code::kAlreadyExists},
      {"duplicate-community", Code::kAlreadyExists},
      {"duplicate-unit", Code::kAlreadyExists},
      {"duplicate-proposal", Code::kAlreadyExists},
      {"payment-already-evaluated", Code::kAlreadyExists},
      {"insufficient-funds", Code::kFailedPrecondition},
      {"remuneration-cap", Code::kFailedPrecondition},
      {"resolution-not-passed", Code::kFailedPrecondition},
      {"resolution-fund", Code::kFailedPrecondition},
      {"resolution-matter", Code::kFailedPrecondition},
      {"resolution-exceeded", Code::kFailedPrecondition},
      {"payment-reversed", Code::kFailedPrecondition},
      {"proposal-closed", Code::kFailedPrecondition},
      {"not-reversible", Code::kFailedPrecondition},
      {"already-reversed", Code::kFailedPrecondition},
      {"duplicate-receipt", Code::kFailedPrecondition},
      {"bad-due-day", Code::kInvalidArgument},
      {"bad-closes-on", Code::kFailedPrecondition},  // a date that was fine yesterday: a rule of time, 422
      {"voting-closed", Code::kFailedPrecondition},
      {"proposal-still-open", Code::kFailedPrecondition},
  };
  auto it = kCodes.find(slug);
  return it == kCodes.end() ? Code::kInternal : it->second;
}

constexpr const char* kNorth = "north";
constexpr const char* kSouth = "south";

v1::Actor F1() { return FirmActor("f1"); }
v1::Actor F2() { return FirmActor("f2"); }
v1::Actor Committee() { return CommitteeActor("committee-north"); }
v1::Actor OwnerOf(const std::string& unit) { return OwnerActor("owner-" + unit, {unit}); }

// Appends all entries in as few batches as the ledger takes them, in order; all must succeed.
std::vector<StoredEntry> AppendAll(District& ledger, const std::vector<v1::Entry>& entries) {
  std::vector<std::promise<Result<StoredEntry>>> promises(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    ledger.AppendAsync(entries[i], [&promises, i](Result<StoredEntry> r) { promises[i].set_value(std::move(r)); });
  }
  std::vector<StoredEntry> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    Result<StoredEntry> r = promises[i].get_future().get();
    INFO("setup entry " << i << " refused: " << r.status().ToString() << "\n" << entries[i].ShortDebugString());
    REQUIRE(r.ok());
    out.push_back(std::move(r).value());
  }
  return out;
}

// The fixture's clock: every entry is recorded at 2026-12-01 00:00 China Standard Time, so a
// business date of 2026-12-01 is the recording day and 2026-12-02 is after it.
constexpr int64_t kRecordedAtMs = 1'796'054'400'000;  // 2026-11-30T16:00:00Z
constexpr int64_t kDayMs = 86'400'000;

struct Fixture {
  TempDir dir;
  // The clock, kRecordedAtMs unless a test moves it on (SetNow; it never runs back).
  std::shared_ptr<std::atomic<int64_t>> now_ms = std::make_shared<std::atomic<int64_t>>(kRecordedAtMs);
  std::unique_ptr<District> ledger;
  uint64_t units_north = 0, pay_a = 0, pay_b = 0, pay_x = 0, park = 0, adv = 0, clean = 0;

  void SetNow(int64_t unix_ms) { now_ms->store(unix_ms); }

  Fixture() {
    LedgerOptions options;
    options.data_dir = dir.path();
    options.origin = "mingzhang.test/domain";
    options.clock_ms = [now = now_ms] { return now->load(); };
    auto opened = District::Open(options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    ledger = std::move(opened).value();
    std::vector<v1::Entry> e = {
        Firm("f1"),
        Firm("f2"),
        Community(kNorth, "f1", 250, BasisPoints(1000), "2026-07"),
        Community(kSouth, "f2", 300, FixedPerMonth(10000), "2026-07"),
        Units(kNorth, F1(), {{"A", 10000}, {"B", 10000}, {"C", 10000}, {"D", 10000}}),
        Units(kSouth, AdminActor(), {{"X", 10000}}),
        Payment(kNorth, F1(), "A", 75000, "2026-07", 3, "2026-07-05"),
        Payment(kNorth, OwnerOf("B"), "B", 25005, "2026-07", 1, "2026-07-06"),
        Payment(kSouth, F2(), "X", 100000, "2026-07", 3, "2026-07-05"),
        Revenue(kNorth, F1(), v1::PublicRevenue::parking, 50000, "2026-07-31"),
        Revenue(kNorth, Committee(), v1::PublicRevenue::advertising, 10000, "2026-07-31"),
        Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 1000, "2026-07-20", Voucher("clean")),
        Proposal(kNorth, Committee(), "P-ord", v1::ORDINARY, v1::PUBLIC_REVENUE, 30000, "2026-12-01"),
        Proposal(kNorth, Committee(), "P-spec", v1::SPECIAL, v1::PUBLIC_REVENUE, 40000, "2026-12-01"),
        Proposal(kNorth, Committee(), "P-fees", v1::ORDINARY, v1::FEES, 10000, "2026-12-01"),
        Proposal(kNorth, Committee(), "P-fail", v1::ORDINARY, v1::PUBLIC_REVENUE, 30000, "2026-12-01"),
        Proposal(kNorth, Committee(), "P-open", v1::ORDINARY, v1::PUBLIC_REVENUE, 30000, "2026-12-31"),
        Proposal(kSouth, CommitteeActor("committee-south"), "P-south", v1::ORDINARY, v1::PUBLIC_REVENUE, 10000,
                 "2026-12-01"),
        Revenue(kSouth, F2(), v1::PublicRevenue::parking, 20000, "2026-07-31"),
    };
    for (const char* p : {"P-ord", "P-spec", "P-fees"}) {
      for (const char* u : {"A", "B", "C", "D"}) e.push_back(Ballot(kNorth, OwnerOf(u), p, u, v1::YES));
    }
    e.push_back(Ballot(kNorth, OwnerOf("A"), "P-fail", "A", v1::YES));
    for (const char* u : {"B", "C", "D"}) e.push_back(Ballot(kNorth, OwnerOf(u), "P-fail", u, v1::NO));
    e.push_back(Ballot(kNorth, OwnerOf("A"), "P-open", "A", v1::YES));
    e.push_back(Ballot(kSouth, OwnerOf("X"), "P-south", "X", v1::YES));
    for (const char* p : {"P-ord", "P-spec", "P-fees", "P-fail"}) e.push_back(Close(kNorth, Committee(), p));
    e.push_back(Close(kSouth, CommitteeActor("committee-south"), "P-south"));
    std::vector<StoredEntry> s = AppendAll(*ledger, e);
    units_north = s[4].entry.seq();
    pay_a = s[6].entry.seq();
    pay_b = s[7].entry.seq();
    pay_x = s[8].entry.seq();
    park = s[9].entry.seq();
    adv = s[10].entry.seq();
    clean = s[11].entry.seq();
    // The closes filled in what the rules below rely on.
    REQUIRE(MustView(ledger->Proposal(kNorth, "P-ord")).at("resolution_id") == "R-P-ord");
    REQUIRE(MustView(ledger->Proposal(kNorth, "P-spec")).at("resolution_id") == "R-P-spec");
    REQUIRE(MustView(ledger->Proposal(kNorth, "P-fees")).at("resolution_id") == "R-P-fees");
    REQUIRE(MustView(ledger->Proposal(kNorth, "P-fail")).at("passed") == false);
    REQUIRE(MustView(ledger->Proposal(kSouth, "P-south")).at("resolution_id") == "R-P-south");
    REQUIRE(FenOf(FundIn(Statement(kNorth), "FEES").at("closing_balance")) == 99005);
    REQUIRE(FenOf(FundIn(Statement(kNorth), "PUBLIC_REVENUE").at("closing_balance")) == 60000);
  }

  Json Statement(const std::string& c) const { return MustView(SignedStatementJson(*ledger, c, "2026")).at("statement"); }
  int64_t Closing(const std::string& c, const std::string& fund) const {
    return FenOf(FundIn(Statement(c), fund).at("closing_balance"));
  }

  struct Snapshot {
    uint64_t tree_size;
    std::string root;
    std::vector<std::string> views;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot Take() const {
    Snapshot s{ledger->head().tree_size, HexOf(ledger->head().root), {}};
    for (const char* c : {kNorth, kSouth}) {
      s.views.push_back(MustView(SignedStatementJson(*ledger, c, "2026")).dump());
      s.views.push_back(MustView(ledger->Billing(c, "2026")).dump());
      s.views.push_back(MustView(ledger->EvaluationSummary(c, "2026")).dump());
    }
    return s;
  }

  StoredEntry Ok(const v1::Entry& entry) { return MustAppend(*ledger, entry); }

  // The entry is refused with `slug` and the code that goes with it, and nothing changed.
  void Refused(const v1::Entry& entry, const std::string& slug) { RefusedOneOf(entry, {slug}); }

  // For rules whose slug the brief leaves open: any of `slugs`, still with the slug's own code.
  void RefusedOneOf(const v1::Entry& entry, const std::set<std::string>& slugs) {
    const Snapshot before = Take();
    Result<StoredEntry> r = ledger->Append(entry);
    INFO("entry: " << entry.ShortDebugString());
    INFO("answer: " << (r.ok() ? "accepted at seq " + std::to_string(r->entry.seq()) : r.status().ToString()));
    REQUIRE_FALSE(r.ok());
    std::string wanted;
    for (const std::string& s : slugs) wanted += s + " ";
    INFO("wanted one of: " << wanted);
    CHECK(slugs.count(r.status().slug()) == 1);
    CHECK(r.status().code() == ExpectedCode(r.status().slug()));
    CHECK(Take() == before);
  }
};

// ---- Registration ---------------------------------------------------------------------------

TEST_CASE("rules: firm registration", "[rules]") {
  Fixture f;
  SECTION("only an admin registers a firm") {
    f.Refused(Firm("f3", "", F1()), "forbidden");
    f.Refused(Firm("f3", "", Committee()), "forbidden");
  }
  SECTION("firm ids are unique") { f.Refused(Firm("f1"), "duplicate-firm"); }
  SECTION("a firm id is required") { f.Refused(Firm(""), "bad-request"); }
  SECTION("a firm name is required") {
    v1::Entry e = Firm("f3");
    e.mutable_firm()->clear_name();
    f.Refused(e, "bad-request");
  }
  SECTION("a firm registration names no community") {
    v1::Entry e = Firm("f3");
    e.set_community_id(kNorth);
    f.Refused(e, "bad-request");
  }
  SECTION("accepted") { f.Ok(Firm("f3")); }
}

TEST_CASE("rules: community registration", "[rules]") {
  Fixture f;
  SECTION("only an admin registers a community") {
    f.Refused(Community("east", "f1", 250, BasisPoints(1000), "2026-07", F1()), "forbidden");
    f.Refused(Community("east", "f1", 250, BasisPoints(1000), "2026-07", Committee()), "forbidden");
  }
  SECTION("the firm must exist") {
    f.Refused(Community("east", "nobody", 250, BasisPoints(1000), "2026-07"), "unknown-firm");
  }
  SECTION("community ids are unique") {
    f.Refused(Community(kNorth, "f1", 250, BasisPoints(1000), "2026-07"), "duplicate-community");
    f.Refused(Community(kSouth, "f1", 250, BasisPoints(1000), "2026-07"), "duplicate-community");
  }
  SECTION("the fee rate is 1..kFeeRateFenPerM2MonthMax") {
    f.Refused(Community("east", "f1", 0, BasisPoints(1000), "2026-07"), "bad-rate");
    f.Refused(Community("east", "f1", -250, BasisPoints(1000), "2026-07"), "bad-rate");
    f.Refused(Community("east", "f1", kFeeRateFenPerM2MonthMax + 1, BasisPoints(1000), "2026-07"), "bad-rate");
    f.Ok(Community("east", "f1", kFeeRateFenPerM2MonthMax, BasisPoints(1000), "2026-07"));
  }
  SECTION("the remuneration is a share up to 10,000 bp or a positive fixed sum") {
    f.Refused(Community("east", "f1", 250, v1::Remuneration(), "2026-07"), "bad-remuneration");
    f.Refused(Community("east", "f1", 250, BasisPoints(kBasisPointsMax + 1), "2026-07"), "bad-remuneration");
    f.Refused(Community("east", "f1", 250, FixedPerMonth(0), "2026-07"), "bad-remuneration");
    f.Refused(Community("east", "f1", 250, FixedPerMonth(-100), "2026-07"), "bad-remuneration");
    f.Ok(Community("east", "f1", 250, BasisPoints(kBasisPointsMax), "2026-07"));
    f.Ok(Community("west", "f1", 250, FixedPerMonth(1), "2026-07"));
  }
  SECTION("the start month is a real YYYY-MM") {
    f.Refused(Community("east", "f1", 250, BasisPoints(1000), "2026-13"), "bad-month");
    f.Refused(Community("east", "f1", 250, BasisPoints(1000), "2026-7"), "bad-month");
    f.Refused(Community("east", "f1", 250, BasisPoints(1000), "2026-07-01"), "bad-month");
  }
  SECTION("the entry names the community it registers") {
    f.Refused(Community("", "f1", 250, BasisPoints(1000), "2026-07"), "bad-request");
  }
  SECTION("a community name is required") {
    v1::Entry e = Community("east", "f1", 250, BasisPoints(1000), "2026-07");
    e.mutable_community()->clear_name();
    f.Refused(e, "bad-request");
  }
}

TEST_CASE("rules: unit registration", "[rules]") {
  Fixture f;
  SECTION("an admin or the community's own firm registers units") {
    f.Refused(Units(kNorth, F2(), {{"E", 10000}}), "forbidden");
    f.Refused(Units(kNorth, Committee(), {{"E", 10000}}), "forbidden");
    f.Refused(Units(kNorth, OwnerOf("E"), {{"E", 10000}}), "forbidden");
    f.Refused(Units(kNorth, RegulatorActor(), {{"E", 10000}}), "forbidden");
    f.Ok(Units(kNorth, AdminActor(), {{"E", 10000}}));
    f.Ok(Units(kNorth, F1(), {{"F", 10000}}));
  }
  SECTION("the community must exist") { f.Refused(Units("east", AdminActor(), {{"E", 10000}}), "unknown-community"); }
  SECTION("unit ids are unique within the community") {
    f.Refused(Units(kNorth, F1(), {{"A", 10000}}), "duplicate-unit");
    f.Refused(Units(kNorth, F1(), {{"E", 10000}, {"E", 9000}}), "duplicate-unit");
    f.Refused(Units(kNorth, F1(), {{"E", 10000}, {"F", 9000}, {"B", 9000}}), "duplicate-unit");
    // Another community may use the same id.
    f.Ok(Units(kSouth, F2(), {{"A", 10000}}));
  }
  SECTION("the area is 1..kUnitAreaCentiM2Max") {
    f.Refused(Units(kNorth, F1(), {{"E", 0}}), "bad-area");
    f.Refused(Units(kNorth, F1(), {{"E", -1}}), "bad-area");
    f.Refused(Units(kNorth, F1(), {{"E", kUnitAreaCentiM2Max + 1}}), "bad-area");
    f.Refused(Units(kNorth, F1(), {{"E", 10000}, {"F", 0}}), "bad-area");
    f.Ok(Units(kNorth, F1(), {{"E", kUnitAreaCentiM2Max}, {"F", 1}}));
  }
  SECTION("at most 5,000 units in one registration, and at least one") {
    std::vector<std::pair<std::string, int64_t>> many;
    for (size_t i = 0; i <= kUnitsPerEntryMax; ++i) many.emplace_back("u" + std::to_string(i), 9000);
    f.RefusedOneOf(Units(kNorth, F1(), many), {"bad-request", "too-many-units"});
    f.Refused(Units(kNorth, F1(), {}), "bad-request");
    many.pop_back();
    f.Ok(Units(kNorth, F1(), many));
    CHECK(CountOf(MustView(f.ledger->Billing(kNorth, "2026-07")).at("totals").at("units")) == 5004);
  }
  SECTION("a unit id is required") { f.Refused(Units(kNorth, F1(), {{"", 10000}}), "bad-request"); }
}

// ---- Payments -------------------------------------------------------------------------------

TEST_CASE("rules: fee payments", "[rules]") {
  Fixture f;
  auto pay = [](const v1::Actor& actor, const std::string& unit) {
    return Payment(kNorth, actor, unit, 25000, "2026-08", 1, "2026-08-05");
  };
  SECTION("the community's firm, or an owner of the unit, records a payment") {
    f.Refused(pay(F2(), "A"), "forbidden");
    f.Refused(pay(Committee(), "A"), "forbidden");
    f.Refused(pay(AdminActor(), "A"), "forbidden");
    f.Refused(pay(RegulatorActor(), "A"), "forbidden");
    f.Refused(pay(OwnerOf("B"), "A"), "forbidden");
    f.Refused(pay(OwnerActor("nobody", {}), "A"), "forbidden");
    f.Ok(pay(OwnerOf("A"), "A"));
    f.Ok(pay(OwnerActor("owner-AC", {"C", "A"}), "A"));
    f.Ok(pay(F1(), "A"));
  }
  SECTION("the unit must be registered in this community") {
    f.Refused(pay(F1(), "X"), "unknown-unit");  // X is south's
    f.Refused(pay(F1(), "Z"), "unknown-unit");
    f.Refused(pay(OwnerOf("Z"), "Z"), "unknown-unit");
  }
  SECTION("the community must exist") {
    f.Refused(Payment("east", F1(), "A", 25000, "2026-08", 1, "2026-08-05"), "unknown-community");
  }
  SECTION("the amount is 1..kAmountFenMax") {
    f.Refused(Payment(kNorth, F1(), "A", 0, "2026-08", 1, "2026-08-05"), "bad-amount");
    f.Refused(Payment(kNorth, F1(), "A", -25000, "2026-08", 1, "2026-08-05"), "bad-amount");
    f.Refused(Payment(kNorth, F1(), "A", kAmountFenMax + 1, "2026-08", 1, "2026-08-05"), "bad-amount");
    f.Ok(Payment(kNorth, F1(), "A", 1, "2026-08", 1, "2026-08-05"));
    f.Ok(Payment(kNorth, F1(), "A", kAmountFenMax, "2026-08", 1, "2026-08-05"));
  }
  SECTION("the period is a month from the start month on") {
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-06", 1, "2026-08-05"), "bad-period");
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2025-12", 1, "2026-08-05"), "bad-period");
    f.RefusedOneOf(Payment(kNorth, F1(), "A", 25000, "2026/08", 1, "2026-08-05"), {"bad-period", "bad-month"});
    f.RefusedOneOf(Payment(kNorth, F1(), "A", 25000, "2026-Q3", 1, "2026-08-05"), {"bad-period", "bad-month"});
    f.RefusedOneOf(Payment(kNorth, F1(), "A", 25000, "", 1, "2026-08-05"), {"bad-period", "bad-month", "bad-request"});
    f.Ok(Payment(kNorth, F1(), "A", 25000, "2026-07", 1, "2026-08-05"));
  }
  SECTION("months is 1..120") {
    f.RefusedOneOf(Payment(kNorth, F1(), "A", 25000, "2026-08", 0, "2026-08-05"),
                   {"bad-months", "bad-period", "bad-request"});
    f.RefusedOneOf(Payment(kNorth, F1(), "A", 25000, "2026-08", kPaymentMonthsMax + 1, "2026-08-05"),
                   {"bad-months", "bad-period", "bad-request"});
    f.Ok(Payment(kNorth, F1(), "A", 3000000, "2026-08", kPaymentMonthsMax, "2026-08-05"));
  }
  SECTION("paid_on is a real date") {
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-02-29"), "bad-date");
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-8-05"), "bad-date");
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, ""), "bad-date");
    f.Ok(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2024-02-29"));
  }
  SECTION("paid_on is not after the day the payment is recorded") {
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-12-02"), "bad-date");
    f.Refused(Payment(kNorth, OwnerOf("A"), "A", 25000, "2026-08", 1, "2099-12-31"), "bad-date");
    f.Ok(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-12-01"));
  }
  SECTION("every month paid for is one a statement can name: through 2099-12") {
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2099-01", 13, "2026-08-05"), "bad-period");
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2099-12", kPaymentMonthsMax, "2026-08-05"), "bad-period");
    f.Ok(Payment(kNorth, F1(), "A", 25000, "2099-01", 12, "2026-08-05"));
  }
  SECTION("the method is required") {
    f.Refused(Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-08-05", v1::FeePayment::METHOD_UNSPECIFIED),
              "bad-request");
  }
}

// ---- Disbursements --------------------------------------------------------------------------

v1::Entry Spend(v1::Fund fund, v1::Category category, int64_t amount, const std::string& resolution = "",
                const std::string& paid_on = "2026-08-10") {
  return Disbursement(kNorth, F1(), fund, category, amount, paid_on, Voucher("v" + std::to_string(amount)),
                      resolution);
}

TEST_CASE("rules: disbursements: who, what and the voucher", "[rules]") {
  Fixture f;
  SECTION("only the community's firm disburses") {
    for (const v1::Actor& a : {F2(), Committee(), AdminActor(), OwnerOf("A"), RegulatorActor()}) {
      f.Refused(Disbursement(kNorth, a, v1::FEES, v1::CLEANING, 100, "2026-08-10", Voucher("x")), "forbidden");
    }
  }
  SECTION("fund and category are required") {
    f.Refused(Spend(v1::FUND_UNSPECIFIED, v1::CLEANING, 100), "bad-request");
    f.Refused(Spend(v1::FEES, v1::CATEGORY_UNSPECIFIED, 100), "bad-request");
  }
  SECTION("the amount is 1..kAmountFenMax") {
    f.Refused(Spend(v1::FEES, v1::CLEANING, 0), "bad-amount");
    f.Refused(Spend(v1::FEES, v1::CLEANING, -5), "bad-amount");
    f.Refused(Spend(v1::FEES, v1::CLEANING, kAmountFenMax + 1), "bad-amount");
  }
  SECTION("paid_on is a real date, not after the day the disbursement is recorded") {
    f.Refused(Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-06-31", Voucher("x")), "bad-date");
    f.Refused(Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-12-02", Voucher("x")), "bad-date");
    f.Ok(Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-12-01", Voucher("x")));
  }
  SECTION("the voucher is exactly 64 lowercase hex digits") {
    const std::string good = Voucher("x");
    std::string upper = good;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    REQUIRE(upper != good);
    for (const std::string& bad : {std::string(), good.substr(1), good + "0", "g" + good.substr(1),
                                   std::string(64, ' '), good.substr(0, 62) + "\n0", upper, good.substr(0, 63) + "F",
                                   std::string(64, 'A')}) {
      INFO("voucher '" << bad << "'");
      f.Refused(Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", bad), "bad-voucher");
    }
    f.Ok(Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", good));
  }
}

TEST_CASE("rules: a trust fund is never overdrawn", "[rules]") {
  Fixture f;
  SECTION("FEES: one fen more than the balance is refused, the balance itself is not") {
    // FEES 99,005; PUBLIC_REVENUE's 60,000 is not there to be used.
    f.Refused(Spend(v1::FEES, v1::SECURITY, 99006), "insufficient-funds");
    f.Ok(Spend(v1::FEES, v1::SECURITY, 99005));
    CHECK(f.Closing(kNorth, "FEES") == 0);
    f.Refused(Spend(v1::FEES, v1::SECURITY, 1), "insufficient-funds");
  }
  SECTION("at the end of the disbursement's month and of every month after it") {
    // FEES: 99,005 at the end of July; 50,000 more comes in on 2026-09-01. A disbursement dated in
    // August cannot spend September's income: the August statement would show FEES overdrawn.
    f.Ok(Payment(kNorth, F1(), "C", 50000, "2026-09", 2, "2026-09-01"));
    f.Refused(Spend(v1::FEES, v1::REPAIR, 99006, "", "2026-08-20"), "insufficient-funds");
    f.Ok(Spend(v1::FEES, v1::REPAIR, 99005, "", "2026-08-20"));
    // FEES is 0 from August and 50,000 from September: a backdated July item finds nothing.
    f.Refused(Spend(v1::FEES, v1::REPAIR, 1, "", "2026-07-20"), "insufficient-funds");
    f.Refused(Spend(v1::FEES, v1::REPAIR, 50001, "", "2026-10-20"), "insufficient-funds");
    f.Ok(Spend(v1::FEES, v1::REPAIR, 50000, "", "2026-10-20"));
    CHECK(f.Closing(kNorth, "FEES") == 0);
    for (const char* month : {"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}) {
      INFO(month);
      CHECK(FenOf(FundIn(MustView(SignedStatementJson(*f.ledger, kNorth, month)).at("statement"), "FEES").at("closing_balance")) >= 0);
    }
  }
  SECTION("PUBLIC_REVENUE") {
    // 60,000 in the fund; two resolutions approve 30,000 and 40,000 of it.
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 30000, "R-P-ord"));
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::REPAIR, 30001, "R-P-spec"), "insufficient-funds");
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::REPAIR, 30000, "R-P-spec"));
    CHECK(f.Closing(kNorth, "PUBLIC_REVENUE") == 0);
  }
}

TEST_CASE("rules: the remuneration cap", "[rules]") {
  Fixture f;
  SECTION("basis points of fee income, floored: 10,000 of 100,005 at 1,000 bp") {
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 10001), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 6000));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 4001), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 4000));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 1), "remuneration-cap");
    // More fee income raises the cap: +1,000 fen → allowed floor(101,005 / 10) = 10,100.
    f.Ok(Payment(kNorth, F1(), "C", 1000, "2026-08", 1, "2026-08-01"));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 101), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 100));
  }
  SECTION("at the end of the disbursement's month: fee income dated later does not count") {
    // North: 100,005 of fee income in July allows 10,000; another 50,000 on 2026-09-01 allows
    // 15,000 from September on.
    f.Ok(Payment(kNorth, F1(), "C", 50000, "2026-09", 2, "2026-09-01"));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 10001, "", "2026-07-31"), "remuneration-cap");
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 10001, "", "2026-08-31"), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 10000, "", "2026-07-31"));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 5001, "", "2026-09-30"), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 5000, "", "2026-09-30"));
    for (const char* month : {"2026-07", "2026-08", "2026-09", "2026-12"}) {
      INFO(month);
      const Json r = MustView(SignedStatementJson(*f.ledger, kNorth, month)).at("statement").at("remuneration");
      CHECK(FenOf(r.at("taken_to_date")) <= FenOf(r.at("allowed_to_date")));
    }
  }
  SECTION("a reversal does not take back fee income the remuneration taken rests on") {
    StoredEntry more = f.Ok(Payment(kNorth, F1(), "C", 50000, "2026-09", 2, "2026-09-01"));
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 15000, "", "2026-09-30"));
    // Without `more`, September allows 10,000; without pay_b, 7,500.
    f.Refused(Reversal(kNorth, F1(), more.entry.seq()), "remuneration-cap");
    f.Refused(Reversal(kNorth, AdminActor(), f.pay_b), "remuneration-cap");
  }
  SECTION("only non-reversed fee income counts") {
    // Reversing pay_b (25,005) leaves 75,000 of income: allowed 7,500.
    f.Ok(Reversal(kNorth, AdminActor(), f.pay_b));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 7501), "remuneration-cap");
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 7500));
  }
  SECTION("a reversed remuneration no longer counts as taken") {
    StoredEntry r = f.Ok(Spend(v1::FEES, v1::REMUNERATION, 10000));
    f.Refused(Spend(v1::FEES, v1::REMUNERATION, 1), "remuneration-cap");
    f.Ok(Reversal(kNorth, F1(), r.entry.seq()));
    f.Ok(Spend(v1::FEES, v1::REMUNERATION, 10000));
  }
  SECTION("remuneration is paid from FEES only") {
    f.RefusedOneOf(Spend(v1::PUBLIC_REVENUE, v1::REMUNERATION, 100, "R-P-ord"),
                   {"remuneration-cap", "bad-fund", "bad-request"});
  }
  SECTION("a fixed sum per month, from the start month through paid_on's month") {
    // south: 10,000 a month from 2026-07, FEES 100,000.
    auto rem = [](int64_t amount, const std::string& paid_on) {
      return Disbursement(kSouth, F2(), v1::FEES, v1::REMUNERATION, amount, paid_on, Voucher(paid_on));
    };
    f.Refused(rem(10001, "2026-07-31"), "remuneration-cap");  // 1 month: 10,000
    f.Refused(rem(1, "2026-06-30"), "remuneration-cap");      // before the start: nothing
    f.Ok(rem(10000, "2026-07-31"));
    f.Refused(rem(1, "2026-07-31"), "remuneration-cap");
    f.Refused(rem(20001, "2026-09-30"), "remuneration-cap");  // 3 months: 30,000, 10,000 taken
    f.Ok(rem(20000, "2026-09-30"));
    f.Refused(rem(1, "2026-09-01"), "remuneration-cap");
    // Months to come are not served yet: a payout dated in them is refused as a date.
    f.Refused(rem(10000, "2026-12-02"), "bad-date");
    f.Refused(rem(900000, "2099-12-31"), "bad-date");
    f.Ok(rem(30000, "2026-12-01"));  // through December: 6 months, 60,000
  }
}

TEST_CASE("rules: public revenue is spent only by resolution", "[rules]") {
  Fixture f;
  SECTION("a resolution is required") {
    f.RefusedOneOf(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, ""), {"unknown-resolution", "bad-request"});
  }
  SECTION("the resolution must exist in this community") {
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-nothing"), "unknown-resolution");
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-P-south"), "unknown-resolution");
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "P-ord"), "unknown-resolution");
  }
  SECTION("a proposal that did not pass, or is still open, is no resolution") {
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-P-fail"), "resolution-not-passed");
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-P-open"), "resolution-not-passed");
  }
  SECTION("the resolution must be about PUBLIC_REVENUE") {
    f.RefusedOneOf(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-P-fees"),
                   {"resolution-not-passed", "resolution-fund"});
  }
  SECTION("repairs need a SPECIAL resolution") {
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::REPAIR, 100, "R-P-ord"), "resolution-matter");
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::REPAIR, 100, "R-P-spec"));
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 100, "R-P-spec"));  // SPECIAL covers ordinary spending
  }
  SECTION("spending under a resolution never exceeds its amount") {
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 30001, "R-P-ord"), "resolution-exceeded");
    StoredEntry first = f.Ok(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 20000, "R-P-ord"));
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::GREENERY, 10001, "R-P-ord"), "resolution-exceeded");
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::GREENERY, 10000, "R-P-ord"));
    f.Refused(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 1, "R-P-ord"), "resolution-exceeded");
    CHECK(FenOf(MustView(f.ledger->Proposal(kNorth, "P-ord")).at("disbursed_under_resolution")) == 30000);
    // A reversed disbursement gives its room back.
    f.Ok(Reversal(kNorth, F1(), first.entry.seq()));
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 20000, "R-P-ord"));
  }
}

// ---- Public revenue -------------------------------------------------------------------------

TEST_CASE("rules: public revenue", "[rules]") {
  Fixture f;
  auto rev = [](const v1::Actor& a) { return Revenue(kNorth, a, v1::PublicRevenue::venue_rental, 5000, "2026-08-01"); };
  SECTION("the firm or the committee records public revenue") {
    f.Refused(rev(F2()), "forbidden");
    f.Refused(rev(OwnerOf("A")), "forbidden");
    f.Refused(rev(AdminActor()), "forbidden");
    f.Refused(rev(RegulatorActor()), "forbidden");
    f.Ok(rev(F1()));
    f.Ok(rev(Committee()));
  }
  SECTION("the source is required") {
    f.Refused(Revenue(kNorth, F1(), v1::PublicRevenue::SOURCE_UNSPECIFIED, 5000, "2026-08-01"), "bad-request");
  }
  SECTION("the amount is 1..kAmountFenMax") {
    f.Refused(Revenue(kNorth, F1(), v1::PublicRevenue::parking, 0, "2026-08-01"), "bad-amount");
    f.Refused(Revenue(kNorth, F1(), v1::PublicRevenue::parking, kAmountFenMax + 1, "2026-08-01"), "bad-amount");
  }
  SECTION("received_on is a real date") {
    f.Refused(Revenue(kNorth, F1(), v1::PublicRevenue::parking, 5000, "2026-09-31"), "bad-date");
    f.Refused(Revenue(kNorth, F1(), v1::PublicRevenue::parking, 5000, "20260901"), "bad-date");
  }
  SECTION("received_on is not after the day the revenue is recorded") {
    f.Refused(Revenue(kNorth, Committee(), v1::PublicRevenue::parking, 5000, "2026-12-02"), "bad-date");
    f.Ok(Revenue(kNorth, Committee(), v1::PublicRevenue::parking, 5000, "2026-12-01"));
  }
  SECTION("the community must exist") {
    f.Refused(Revenue("east", F1(), v1::PublicRevenue::parking, 5000, "2026-08-01"), "unknown-community");
  }
}

// ---- Evaluations ----------------------------------------------------------------------------

TEST_CASE("rules: evaluations", "[rules]") {
  Fixture f;
  auto eval = [&](const v1::Actor& a, uint64_t seq) { return Evaluation(kNorth, a, seq, {4, 4, 4, 4, 4}); };
  SECTION("only an owner of the paying unit evaluates") {
    f.Refused(eval(F1(), f.pay_a), "forbidden");
    f.Refused(eval(Committee(), f.pay_a), "forbidden");
    f.Refused(eval(OwnerOf("B"), f.pay_a), "forbidden");
    f.Ok(eval(OwnerOf("A"), f.pay_a));
  }
  SECTION("the seq must be a fee payment of this community") {
    f.Refused(eval(OwnerOf("A"), f.clean), "unknown-payment");
    f.Refused(eval(OwnerOf("A"), f.units_north), "unknown-payment");
    f.Refused(eval(OwnerOf("X"), f.pay_x), "unknown-payment");  // south's payment, asked in north
    f.Refused(eval(OwnerOf("A"), 1'000'000), "unknown-payment");
  }
  SECTION("not a reversed payment") {
    f.Ok(Reversal(kNorth, F1(), f.pay_a));
    f.Refused(eval(OwnerOf("A"), f.pay_a), "payment-reversed");
  }
  SECTION("one evaluation per payment") {
    f.Ok(eval(OwnerOf("A"), f.pay_a));
    f.Refused(eval(OwnerOf("A"), f.pay_a), "payment-already-evaluated");
    f.Refused(eval(OwnerActor("co-owner-A", {"A"}), f.pay_a), "payment-already-evaluated");
  }
  SECTION("scores are 1..5") {
    for (int i = 0; i < 5; ++i) {
      for (uint32_t bad : {0u, 6u}) {
        std::array<uint32_t, 5> s = {3, 3, 3, 3, 3};
        s[i] = bad;
        f.RefusedOneOf(Evaluation(kNorth, OwnerOf("A"), f.pay_a, s), {"bad-score", "bad-request"});
      }
    }
    f.Ok(Evaluation(kNorth, OwnerOf("A"), f.pay_a, {1, 5, 1, 5, 1}));
  }
  SECTION("a comment is at most 1,000 bytes") {
    f.RefusedOneOf(Evaluation(kNorth, OwnerOf("A"), f.pay_a, {3, 3, 3, 3, 3}, std::string(kCommentBytesMax + 1, 'x')),
                   {"bad-comment", "bad-request"});
    f.Ok(Evaluation(kNorth, OwnerOf("A"), f.pay_a, {3, 3, 3, 3, 3}, std::string(kCommentBytesMax, 'x')));
  }
}

// ---- Votes ----------------------------------------------------------------------------------

TEST_CASE("rules: proposals", "[rules]") {
  Fixture f;
  auto prop = [](const v1::Actor& a, const std::string& id) {
    return Proposal(kNorth, a, id, v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-12-31");
  };
  SECTION("only the committee proposes") {
    f.Refused(prop(F1(), "P-new"), "forbidden");
    f.Refused(prop(OwnerOf("A"), "P-new"), "forbidden");
    f.Refused(prop(AdminActor(), "P-new"), "forbidden");
    f.Ok(prop(Committee(), "P-new"));
  }
  SECTION("proposal ids are unique in the community") {
    f.Refused(prop(Committee(), "P-ord"), "duplicate-proposal");
    f.Refused(prop(Committee(), "P-open"), "duplicate-proposal");
    f.Refused(prop(Committee(), ""), "bad-request");
  }
  SECTION("matter, fund, amount and closing date") {
    f.Refused(Proposal(kNorth, Committee(), "P-new", v1::MATTER_UNSPECIFIED, v1::PUBLIC_REVENUE, 1000, "2026-12-31"),
              "bad-request");
    f.Refused(Proposal(kNorth, Committee(), "P-new", v1::ORDINARY, v1::FUND_UNSPECIFIED, 1000, "2026-12-31"),
              "bad-request");
    f.Refused(Proposal(kNorth, Committee(), "P-new", v1::ORDINARY, v1::PUBLIC_REVENUE, 0, "2026-12-31"), "bad-amount");
    f.Refused(Proposal(kNorth, Committee(), "P-new", v1::ORDINARY, v1::PUBLIC_REVENUE, kAmountFenMax + 1, "2026-12-31"),
              "bad-amount");
    f.Refused(Proposal(kNorth, Committee(), "P-new", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-12-32"), "bad-date");
  }
}

TEST_CASE("rules: ballots", "[rules]") {
  Fixture f;
  SECTION("only an owner of the unit votes for it") {
    f.Refused(Ballot(kNorth, OwnerOf("B"), "P-open", "A", v1::NO), "forbidden");
    f.Refused(Ballot(kNorth, F1(), "P-open", "A", v1::NO), "forbidden");
    f.Refused(Ballot(kNorth, Committee(), "P-open", "A", v1::NO), "forbidden");
    f.Ok(Ballot(kNorth, OwnerOf("B"), "P-open", "B", v1::NO));
  }
  SECTION("the proposal must exist and be open") {
    f.Refused(Ballot(kNorth, OwnerOf("A"), "P-none", "A", v1::NO), "unknown-proposal");
    f.Refused(Ballot(kNorth, OwnerOf("A"), "P-south", "A", v1::NO), "unknown-proposal");
    f.Refused(Ballot(kNorth, OwnerOf("A"), "P-ord", "A", v1::NO), "proposal-closed");
    f.Refused(Ballot(kNorth, OwnerOf("C"), "P-fail", "C", v1::YES), "proposal-closed");
  }
  SECTION("the unit must be registered") {
    f.Refused(Ballot(kNorth, OwnerOf("Z"), "P-open", "Z", v1::YES), "unknown-unit");
    f.Refused(Ballot(kNorth, OwnerOf("X"), "P-open", "X", v1::YES), "unknown-unit");
  }
  SECTION("a choice is required") {
    f.Refused(Ballot(kNorth, OwnerOf("A"), "P-open", "A", v1::CHOICE_UNSPECIFIED), "bad-request");
  }
}

TEST_CASE("rules: closing a proposal", "[rules]") {
  Fixture f;
  SECTION("only the committee closes") {
    f.Refused(Close(kNorth, F1(), "P-open"), "forbidden");
    f.Refused(Close(kNorth, OwnerOf("A"), "P-open"), "forbidden");
    f.Refused(Close(kNorth, AdminActor(), "P-open"), "forbidden");
  }
  SECTION("the proposal must exist and be open") {
    f.Refused(Close(kNorth, Committee(), "P-none"), "unknown-proposal");
    f.Refused(Close(kNorth, Committee(), "P-ord"), "proposal-closed");
  }
  SECTION("the tally and resolution are the ledger's to fill") {
    v1::Entry e = Close(kNorth, Committee(), "P-open");
    e.mutable_proposal_close()->mutable_tally()->set_passed(true);
    e.mutable_proposal_close()->set_resolution_id("R-P-open");
    f.Refused(e, "bad-request");
  }
  SECTION("the eligible units are those registered at the close") {
    // P-open: A voted YES. Three of four units voting would meet the quorum (3 × 3 >= 4 × 2);
    // with E and F registered before the close, 3 of 6 does not (9 < 12).
    f.Ok(Ballot(kNorth, OwnerOf("B"), "P-open", "B", v1::YES));
    f.Ok(Ballot(kNorth, OwnerOf("C"), "P-open", "C", v1::YES));
    CHECK(MustView(f.ledger->Proposal(kNorth, "P-open")).at("quorum_met") == true);
    f.Ok(Units(kNorth, F1(), {{"E", 10000}, {"F", 10000}}));
    f.SetNow(kRecordedAtMs + 31 * kDayMs);  // 2027-01-01: voting ran through 2026-12-31
    StoredEntry closed = f.Ok(Close(kNorth, Committee(), "P-open"));
    const v1::Tally& t = closed.entry.proposal_close().tally();
    CHECK(t.eligible_units() == 6);
    CHECK(t.eligible_area_centi_m2() == 60000);
    CHECK(t.voted_units() == 3);
    CHECK(t.yes_area_centi_m2() == 30000);
    CHECK_FALSE(t.quorum_met());
    CHECK_FALSE(t.passed());
    CHECK(closed.entry.proposal_close().resolution_id().empty());
  }
}

TEST_CASE("rules: voting runs through closes_on", "[rules]") {
  Fixture f;  // today is 2026-12-01; P-open (A voted YES) runs through 2026-12-31
  const int64_t last_voting_ms = kRecordedAtMs + 31 * kDayMs - 1;  // 2026-12-31 23:59:59.999 CST
  const int64_t after_ms = kRecordedAtMs + 31 * kDayMs;            // 2027-01-01 00:00 CST
  SECTION("a proposal whose closes_on is already past is refused when it is made") {
    f.Refused(Proposal(kNorth, Committee(), "P-late", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-11-30"),
              "bad-closes-on");
    Result<StoredEntry> r =
        f.ledger->Append(Proposal(kNorth, Committee(), "P-late", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-11-30"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kFailedPrecondition);  // 422: a trust rule, not a malformed date
    CHECK(r.status().message().find("today is 2026-12-01") != std::string::npos);
    CHECK(f.ledger->Proposal(kNorth, "P-late").status().slug() == "unknown-proposal");
    f.Refused(Proposal(kNorth, Committee(), "P-bad", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-02-30"), "bad-date");
    // Closing on the day it is made leaves that whole day (China Standard Time) to vote.
    f.Ok(Proposal(kNorth, Committee(), "P-today", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-12-01"));
    f.Ok(Ballot(kNorth, OwnerOf("A"), "P-today", "A", v1::YES));
    f.SetNow(kRecordedAtMs + kDayMs - 1);  // 2026-12-01 23:59:59.999 CST: still that day
    f.Refused(Proposal(kNorth, Committee(), "P-late2", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-11-30"),
              "bad-closes-on");
    f.Ok(Ballot(kNorth, OwnerOf("B"), "P-today", "B", v1::YES));
    f.SetNow(kRecordedAtMs + kDayMs);  // 2026-12-02 00:00 CST
    f.Refused(Proposal(kNorth, Committee(), "P-late3", v1::ORDINARY, v1::PUBLIC_REVENUE, 1000, "2026-12-01"),
              "bad-closes-on");
    f.Refused(Ballot(kNorth, OwnerOf("C"), "P-today", "C", v1::YES), "voting-closed");
    f.Ok(Close(kNorth, Committee(), "P-today"));
  }
  SECTION("ballots are taken through closes_on and refused after it") {
    f.Ok(Ballot(kNorth, OwnerOf("B"), "P-open", "B", v1::NO));
    f.SetNow(last_voting_ms);
    f.Ok(Ballot(kNorth, OwnerOf("C"), "P-open", "C", v1::YES));
    f.SetNow(after_ms);
    f.Refused(Ballot(kNorth, OwnerOf("D"), "P-open", "D", v1::YES), "voting-closed");
    f.Refused(Ballot(kNorth, OwnerOf("A"), "P-open", "A", v1::NO), "voting-closed");
    StoredEntry closed = f.Ok(Close(kNorth, Committee(), "P-open"));
    CHECK(closed.entry.proposal_close().tally().voted_units() == 3);
  }
  SECTION("closing through closes_on is refused until every unit has voted") {
    f.Refused(Close(kNorth, Committee(), "P-open"), "proposal-still-open");
    Result<StoredEntry> r = f.ledger->Append(Close(kNorth, Committee(), "P-open"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("1 of 4") != std::string::npos);
    f.SetNow(last_voting_ms);
    f.Ok(Ballot(kNorth, OwnerOf("B"), "P-open", "B", v1::YES));
    f.Ok(Ballot(kNorth, OwnerOf("C"), "P-open", "C", v1::YES));
    f.Refused(Close(kNorth, Committee(), "P-open"), "proposal-still-open");
    f.Ok(Ballot(kNorth, OwnerOf("D"), "P-open", "D", v1::NO));
    StoredEntry closed = f.Ok(Close(kNorth, Committee(), "P-open"));
    CHECK(closed.entry.proposal_close().tally().voted_units() == 4);
    CHECK(closed.entry.proposal_close().tally().passed());
  }
}

// ---- Reversals ------------------------------------------------------------------------------

TEST_CASE("rules: reversals: who may reverse what", "[rules]") {
  Fixture f;
  SECTION("not another firm, the committee, an owner or a regulator") {
    for (const v1::Actor& a : {F2(), Committee(), OwnerOf("A"), RegulatorActor()}) {
      f.Refused(Reversal(kNorth, a, f.pay_a), "forbidden");
      f.Refused(Reversal(kNorth, a, f.clean), "forbidden");
    }
  }
  SECTION("the firm reverses its own entries; an admin any") {
    f.Ok(Reversal(kNorth, F1(), f.pay_a));
    f.Ok(Reversal(kNorth, F1(), f.park));
    f.Ok(Reversal(kNorth, AdminActor(), f.clean));
    f.Ok(Reversal(kNorth, AdminActor(), f.adv));
  }
  SECTION("a firm does not reverse what others wrote (API: firm, own entries)") {
    f.Refused(Reversal(kNorth, F1(), f.adv), "forbidden");    // recorded by the committee
    f.Refused(Reversal(kNorth, F1(), f.pay_b), "forbidden");  // recorded by B's owner
  }
  SECTION("a reason is required") { f.Refused(Reversal(kNorth, F1(), f.pay_a, ""), "bad-request"); }
}

TEST_CASE("rules: reversals: targets", "[rules]") {
  Fixture f;
  SECTION("only payments, disbursements and public revenue") {
    f.RefusedOneOf(Reversal(kNorth, AdminActor(), f.units_north), {"not-reversible"});
    f.RefusedOneOf(Reversal(kNorth, AdminActor(), 0), {"not-reversible", "unknown-entry"});  // a firm
    f.RefusedOneOf(Reversal(kNorth, AdminActor(), 1'000'000), {"not-reversible", "unknown-entry"});
  }
  SECTION("only of this community") {
    f.RefusedOneOf(Reversal(kNorth, AdminActor(), f.pay_x), {"not-reversible", "unknown-entry"});
  }
  SECTION("a reversal is not reversed") {
    StoredEntry r = f.Ok(Reversal(kNorth, F1(), f.clean));
    f.Refused(Reversal(kNorth, F1(), r.entry.seq()), "not-reversible");
    f.Refused(Reversal(kNorth, AdminActor(), r.entry.seq()), "not-reversible");
  }
  SECTION("nothing is reversed twice") {
    f.Ok(Reversal(kNorth, F1(), f.pay_a));
    f.Refused(Reversal(kNorth, F1(), f.pay_a), "already-reversed");
    f.Refused(Reversal(kNorth, AdminActor(), f.pay_a), "already-reversed");
  }
  SECTION("a reversal that would overdraw the fund is refused") {
    // FEES 99,005 − 80,000 = 19,005: taking back pay_a (75,000) or pay_b (25,005) overdraws it.
    StoredEntry spent = f.Ok(Spend(v1::FEES, v1::SECURITY, 80000));
    f.Refused(Reversal(kNorth, F1(), f.pay_a), "insufficient-funds");
    f.Refused(Reversal(kNorth, AdminActor(), f.pay_b), "insufficient-funds");
    // Undo the spending first, and the payment can be taken back.
    f.Ok(Reversal(kNorth, F1(), spent.entry.seq()));
    f.Ok(Reversal(kNorth, F1(), f.pay_a));
    CHECK(f.Closing(kNorth, "FEES") == 99005 - 75000);
  }
  SECTION("also for public revenue") {
    // PUBLIC_REVENUE 60,000 − 30,000 = 30,000: parking's 50,000 cannot be taken back.
    f.Ok(Spend(v1::PUBLIC_REVENUE, v1::OTHER, 30000, "R-P-ord"));
    f.Refused(Reversal(kNorth, F1(), f.park), "insufficient-funds");
    f.Ok(Reversal(kNorth, AdminActor(), f.adv));
    CHECK(f.Closing(kNorth, "PUBLIC_REVENUE") == 20000);
  }
}

// ---- Free text ---------------------------------------------------------------------------------

// Every free-text field of every body kind, each as an entry the fixture would accept with `text`
// in that field (names, a unit's label, payee, description, references, comment, title, reason).
std::vector<std::pair<std::string, v1::Entry>> FreeTextEntries(const Fixture& f, const std::string& text) {
  std::vector<std::pair<std::string, v1::Entry>> out;
  out.emplace_back("firm name", Firm("f3", text));
  v1::Entry community = Community("east", "f1", 250, BasisPoints(1000), "2026-07");
  community.mutable_community()->set_name(text);
  out.emplace_back("community name", community);
  v1::Entry units = Units(kNorth, F1(), {{"E", 10000}});
  units.mutable_units()->mutable_units(0)->set_label(text);
  out.emplace_back("label", units);
  out.emplace_back("receipt_ref", Payment(kNorth, F1(), "A", 100, "2026-08", 1, "2026-08-05", v1::FeePayment::bank, text));
  v1::Entry spend = Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", Voucher("t"), "", text);
  out.emplace_back("payee", spend);
  spend = Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", Voucher("t"));
  spend.mutable_disbursement()->set_description(text);
  out.emplace_back("description", spend);
  spend = Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", Voucher("t"), text.empty() ? "R" : text);
  out.emplace_back("resolution_id", spend);
  v1::Entry revenue = Revenue(kNorth, F1(), v1::PublicRevenue::parking, 100, "2026-08-10");
  revenue.mutable_public_revenue()->set_payer(text);
  out.emplace_back("payer", revenue);
  out.emplace_back("contract_ref", Revenue(kNorth, F1(), v1::PublicRevenue::parking, 100, "2026-08-10", text));
  out.emplace_back("comment", Evaluation(kNorth, OwnerOf("A"), f.pay_a, {4, 4, 4, 4, 4}, text));
  out.emplace_back("title", Proposal(kNorth, Committee(), "P-text", v1::ORDINARY, v1::FEES, 100, "2026-12-31", text));
  out.emplace_back("reason", Reversal(kNorth, F1(), f.clean, text.empty() ? "r" : text));
  return out;
}

TEST_CASE("rules: free text is UTF-8 without control characters", "[rules]") {
  Fixture f;
  SECTION("every free-text field refuses each control character, and text that is not UTF-8") {
    using namespace std::string_literals;
    // C0 (NUL, TAB, LF, CR, ESC and the rest), DEL and C1 (U+0080-U+009F, in UTF-8 two bytes); a
    // stray byte and an overlong form (protobuf logs an error for those as the request is encoded).
    const std::vector<std::string> bad = {
        "a\0b"s, "\x01", "tab\there", "line\nforged", "cr\r", "\x1b[2J\x1b[31mred", "\x1f", "del\x7f",
        "\xc2\x80", "csi\xc2\x9b" "31m", "nel\xc2\x85", "\xc2\x9f", "\xff", "\xc0\xae"};
    for (const std::string& text : bad) {
      for (const auto& [field, entry] : FreeTextEntries(f, text)) {
        INFO(field << " holding \"" << HexEncode(text) << "\" (hex)");
        f.Refused(entry, "bad-text");
      }
    }
  }
  SECTION("the refusal names the field, the character and where it is") {
    const v1::Entry spend = Disbursement(kNorth, F1(), v1::FEES, v1::CLEANING, 100, "2026-08-10", Voucher("t"), "", "abc\x1b[31m");
    Result<StoredEntry> r = f.ledger->Append(spend);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "payee must not hold control characters (found U+001B at byte 3)");
    v1::Entry evaluation = Evaluation(kNorth, OwnerOf("A"), f.pay_a, {4, 4, 4, 4, 4}, "好\xc2\x9b");
    r = f.ledger->Append(evaluation);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "comment must not hold control characters (found U+009B at byte 3)");
    r = f.ledger->Append(Firm("f3", "ok\xff"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "name is not UTF-8 text (at byte 2)");
  }
  SECTION("ordinary text is taken: Chinese, the characters next to the control ranges, emoji") {
    for (const std::string& text : {std::string("北京市朝阳区洁净保洁服务有限公司"), std::string("楼道保洁（2026年5月）· 含垃圾清运"),
                                    std::string(" ~ "), std::string("no\xc2\xa0" "break"), std::string("\xf0\x9f\xa7\xb9 broom"),
                                    std::string("line\xe2\x80\xa8separator")}) {
      Fixture fresh;  // each entry once: its ids and its target are then taken
      for (const auto& [field, entry] : FreeTextEntries(fresh, text)) {
        INFO(field << " holding " << text);
        fresh.Ok(entry);
      }
    }
  }
}

// ---- Refusals and the rest of the log ---------------------------------------------------------

TEST_CASE("rules: a refused request leaves its idempotency key unused", "[rules]") {
  Fixture f;
  v1::Entry bad = Payment(kNorth, F1(), "A", 0, "2026-08", 1, "2026-08-05");
  bad.set_idempotency_key("pay-once");
  f.Refused(bad, "bad-amount");
  v1::Entry good = Payment(kNorth, F1(), "A", 25000, "2026-08", 1, "2026-08-05");
  good.set_idempotency_key("pay-once");
  StoredEntry s = f.Ok(good);
  CHECK(s.entry.fee_payment().amount() == 25000);
}

TEST_CASE("rules: refusals inside one batch see the entries before them", "[rules]") {
  Fixture f;
  // FEES 99,005. In one batch: 60,000 (ok), 60,000 (only 39,005 left: refused), 39,005 (ok).
  std::vector<v1::Entry> batch = {Spend(v1::FEES, v1::SECURITY, 60000), Spend(v1::FEES, v1::SECURITY, 60000),
                                  Spend(v1::FEES, v1::SECURITY, 39005)};
  const uint64_t size = f.ledger->head().tree_size;
  std::vector<std::promise<Result<StoredEntry>>> promises(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    f.ledger->AppendAsync(batch[i], [&promises, i](Result<StoredEntry> r) { promises[i].set_value(std::move(r)); });
  }
  Result<StoredEntry> r0 = promises[0].get_future().get();
  Result<StoredEntry> r1 = promises[1].get_future().get();
  Result<StoredEntry> r2 = promises[2].get_future().get();
  REQUIRE(r0.ok());
  CHECK(r1.status().slug() == "insufficient-funds");
  REQUIRE(r2.ok());
  CHECK(r0->entry.seq() == size);
  CHECK(r2->entry.seq() == size + 1);
  CHECK(f.ledger->head().tree_size == size + 2);
  CHECK(f.Closing(kNorth, "FEES") == 0);
}

// ---- Receipts (issue 22) --------------------------------------------------------------------

TEST_CASE("rules: a receipt is recorded once per community", "[rules][receipt]") {
  Fixture f;
  const auto bank = v1::FeePayment::bank;
  StoredEntry first = f.Ok(Payment(kNorth, F1(), "C", 25000, "2026-08", 1, "2026-08-01", bank, "R-001"));
  SECTION("another payment on the same receipt is refused, naming the receipt and its seq") {
    v1::Entry dup = Payment(kNorth, F1(), "D", 25000, "2026-08", 1, "2026-08-02", bank, "R-001");
    f.Refused(dup, "duplicate-receipt");
    Result<StoredEntry> r = f.ledger->Append(dup);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kFailedPrecondition);
    CHECK(r.status().message().find("R-001") != std::string::npos);
    CHECK(r.status().message().find("seq " + std::to_string(first.entry.seq())) != std::string::npos);
    // Also when the unit's owner records it, and for the same unit.
    f.Refused(Payment(kNorth, OwnerOf("C"), "C", 25000, "2026-09", 1, "2026-09-01", bank, "R-001"), "duplicate-receipt");
  }
  SECTION("the same request again is a replay, not a refusal") {
    v1::Entry e = Payment(kNorth, F1(), "D", 25000, "2026-08", 1, "2026-08-02", bank, "R-002");
    StoredEntry a = f.Ok(e);
    Result<StoredEntry> again = f.ledger->Append(e);
    REQUIRE(again.ok());
    CHECK(again->replayed);
    CHECK(again->entry.seq() == a.entry.seq());
  }
  SECTION("another community may hold the same receipt; empty receipts are never compared") {
    f.Ok(Payment(kSouth, F2(), "X", 30000, "2026-10", 1, "2026-10-01", bank, "R-001"));
    f.Ok(Payment(kNorth, F1(), "D", 100, "2026-09", 1, "2026-09-01"));
    f.Ok(Payment(kNorth, F1(), "D", 100, "2026-09", 1, "2026-09-01"));
  }
  SECTION("once its payment is reversed, the receipt may be recorded again") {
    f.Ok(Reversal(kNorth, F1(), first.entry.seq(), "wrong unit"));
    f.Ok(Payment(kNorth, F1(), "D", 25000, "2026-08", 1, "2026-08-02", bank, "R-001"));
    f.Refused(Payment(kNorth, F1(), "C", 25000, "2026-08", 1, "2026-08-02", bank, "R-001"), "duplicate-receipt");
  }
  SECTION("within one all-or-nothing group: nothing is written") {
    const auto before = f.Take();
    std::vector<v1::Entry> group = {Payment(kNorth, F1(), "C", 100, "2026-09", 1, "2026-09-01", bank, "R-009"),
                                    Payment(kNorth, F1(), "D", 100, "2026-09", 1, "2026-09-01", bank, "R-009")};
    std::promise<Result<std::vector<StoredEntry>>> done;
    f.ledger->AppendGroupAsync(group, [&done](Result<std::vector<StoredEntry>> r) { done.set_value(std::move(r)); });
    Result<std::vector<StoredEntry>> r = done.get_future().get();
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "duplicate-receipt");
    CHECK(r.status().message().find("R-009") != std::string::npos);
    CHECK(f.Take() == before);
  }
}

// ---- Due dates (issue 22) -------------------------------------------------------------------

// A ledger whose clock the test sets: views read as of its day (views.h ViewAsOf).
struct ClockedLedger {
  TempDir dir;
  std::shared_ptr<std::atomic<int64_t>> now_ms = std::make_shared<std::atomic<int64_t>>(0);
  std::unique_ptr<District> ledger;

  explicit ClockedLedger(const std::string& today) {
    SetToday(today);
    LedgerOptions options;
    options.data_dir = dir.path();
    options.origin = "mingzhang.test/domain";
    options.clock_ms = [now = now_ms] { return now->load(); };
    auto opened = District::Open(options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    ledger = std::move(opened).value();
  }
  // Noon of `date`, China Standard Time (04:00 UTC).
  void SetToday(const std::string& date) {
    const int64_t day = ParseDate(date).value().days_since_epoch();
    now_ms->store((day * 86'400 + 4 * 3'600) * 1'000);
  }
  Json Billing(const std::string& c, const std::string& period) { return MustView(ledger->Billing(c, period)); }
};

int64_t UnitFen(const Json& billing, const std::string& unit, const char* field) {
  for (const Json& u : billing.at("units")) {
    if (u.at("unit_id") == unit) return FenOf(u.at(field));
  }
  FAIL("no unit " << unit << " in " << billing.dump());
  return -1;
}

// Totals as {billed, collected, billed_due, collected_due, collection_rate_bp, units_in_arrears}.
std::array<int64_t, 6> TotalsOf(const Json& totals) {
  return {FenOf(totals.at("billed")),      FenOf(totals.at("collected")),       FenOf(totals.at("billed_due")),
          FenOf(totals.at("collected_due")), CountOf(totals.at("collection_rate_bp")), CountOf(totals.at("units_in_arrears"))};
}

TEST_CASE("due dates: a month's fee is in arrears only after its due day", "[rules][due]") {
  ClockedLedger t("2026-10-01");
  v1::Entry community = Community("due", "f1", 250, BasisPoints(1000), "2026-10");
  community.mutable_community()->set_due_day(15);
  MustAppend(*t.ledger, Firm("f1"));
  MustAppend(*t.ledger, community);
  // 100 m² at 250 fen: 25,000 fen a month each.
  MustAppend(*t.ledger, Units("due", AdminActor(), {{"A", 10000}, {"B", 10000}}));
  t.SetToday("2026-10-10");
  MustAppend(*t.ledger, Payment("due", FirmActor("f1"), "A", 25000, "2026-10", 1, "2026-10-10"));

  SECTION("on the due day itself nothing is in arrears and nothing counts in the rate") {
    t.SetToday("2026-10-15");
    Json b = t.Billing("due", "2026-10");
    CHECK(b.at("as_of") == "2026-10-14");  // the last whole day
    CHECK(CountOf(b.at("totals").at("due_day")) == 15);
    CHECK(UnitFen(b, "B", "arrears_to_date") == 0);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{50000, 25000, 0, 0, 0, 0});
  }
  SECTION("from the day after, the month is in arrears and counts in the rate") {
    t.SetToday("2026-10-16");
    Json b = t.Billing("due", "2026-10");
    CHECK(UnitFen(b, "A", "arrears_to_date") == 0);
    CHECK(UnitFen(b, "B", "arrears_to_date") == 25000);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{50000, 25000, 50000, 25000, 5000, 1});
  }
  SECTION("a quarter partly past due: only its due months count, in billing, statement and account") {
    t.SetToday("2026-11-16");
    Json b = t.Billing("due", "2026-Q4");
    CHECK(b.at("as_of") == "2026-11-15");
    CHECK(UnitFen(b, "A", "arrears_to_date") == 25000);
    CHECK(UnitFen(b, "B", "arrears_to_date") == 50000);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{150000, 25000, 100000, 25000, 2500, 2});
    Json s = MustView(SignedStatementJson(*t.ledger, "due", "2026-Q4")).at("statement");
    CHECK(s.at("format") == "mingzhang-statement/3");
    CHECK(s.at("as_of") == "2026-11-15");
    CHECK(s.at("billing") == b.at("totals"));
    // At an earlier tree size the same day gives the same figures.
    Json at = MustView(SignedStatementJson(*t.ledger, "due", "2026-Q4", t.ledger->head().tree_size)).at("statement");
    CHECK(at == s);
    Json a = MustView(t.ledger->OwnerAccount("due", "A", "2026-Q4"));
    CHECK(a.at("as_of") == "2026-11-15");
    CHECK(FenOf(a.at("billed")) == 75000);
    CHECK(FenOf(a.at("paid")) == 25000);
    CHECK(FenOf(a.at("owed")) == 50000);
    CHECK(FenOf(a.at("arrears_to_date")) == 25000);
  }
  SECTION("a period not started shows what will be billed and no arrears") {
    t.SetToday("2026-11-16");
    Json b = t.Billing("due", "2026-12");
    CHECK(UnitFen(b, "A", "billed") == 25000);
    CHECK(UnitFen(b, "A", "arrears_to_date") == 0);
    CHECK(UnitFen(b, "B", "arrears_to_date") == 0);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{50000, 0, 0, 0, 0, 0});
    Json a = MustView(t.ledger->OwnerAccount("due", "B", "2026-12"));
    CHECK(FenOf(a.at("billed")) == 25000);
    CHECK(FenOf(a.at("owed")) == 25000);
    CHECK(FenOf(a.at("arrears_to_date")) == 0);
  }
  SECTION("a past period reads as of its last day") {
    t.SetToday("2027-03-01");
    Json b = t.Billing("due", "2026-10");
    CHECK(b.at("as_of") == "2026-10-31");
    CHECK(UnitFen(b, "B", "arrears_to_date") == 25000);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{50000, 25000, 50000, 25000, 5000, 1});
  }
}

TEST_CASE("due dates: by default a month is due on its last day, so its first day is no arrears", "[rules][due]") {
  ClockedLedger t("2026-11-01");
  MustAppend(*t.ledger, Firm("f1"));
  MustAppend(*t.ledger, Community("last", "f1", 250, BasisPoints(1000), "2026-11"));
  MustAppend(*t.ledger, Units("last", AdminActor(), {{"B", 10000}}));
  for (const char* day : {"2026-11-01", "2026-11-30"}) {
    t.SetToday(day);
    Json b = t.Billing("last", "2026-11");
    CHECK(CountOf(b.at("totals").at("due_day")) == 0);
    CHECK(UnitFen(b, "B", "arrears_to_date") == 0);
    CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{25000, 0, 0, 0, 0, 0});
  }
  t.SetToday("2026-12-01");
  Json b = t.Billing("last", "2026-Q4");
  CHECK(UnitFen(b, "B", "arrears_to_date") == 25000);  // November; December is not due yet
  CHECK(TotalsOf(b.at("totals")) == std::array<int64_t, 6>{50000, 0, 25000, 0, 0, 1});

  CommunityState c;
  CHECK(DueDate(c, Date{2027, 2, 1}.month_index()) == Date{2027, 2, 28});
  CHECK(DueDate(c, Date{2028, 2, 1}.month_index()) == Date{2028, 2, 29});
  c.registration.set_due_day(28);
  CHECK(DueDate(c, Date{2028, 2, 1}.month_index()) == Date{2028, 2, 28});
  CHECK(LastMonthDue(c, Date{2028, 2, 27}) == Date{2028, 1, 1}.month_index());
  CHECK(LastMonthDue(c, Date{2028, 2, 28}) == Date{2028, 2, 1}.month_index());
  CHECK(ViewAsOf(Period{Date{2028, 2, 1}.month_index(), Date{2028, 2, 1}.month_index(), "2028-02"}, Date{2028, 3, 1}) ==
        Date{2028, 2, 29});
  CHECK(ViewAsOf(Period{Date{2028, 1, 1}.month_index(), Date{2028, 12, 1}.month_index(), "2028"}, Date{2028, 3, 1}) ==
        Date{2028, 2, 29});
}

TEST_CASE("due dates: a due day other than 0-28 is refused and writes nothing", "[rules][due]") {
  ClockedLedger t("2026-11-01");
  MustAppend(*t.ledger, Firm("f1"));
  for (uint32_t day : {29u, 31u, 1000u}) {
    v1::Entry e = Community("bad", "f1", 250, BasisPoints(1000), "2026-11");
    e.mutable_community()->set_due_day(day);
    const uint64_t size = t.ledger->head().tree_size;
    Result<StoredEntry> r = t.ledger->Append(e);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "bad-due-day");
    CHECK(r.status().code() == ExpectedCode("bad-due-day"));
    CHECK(r.status().message().find("due_day must be 1-28") != std::string::npos);
    CHECK(t.ledger->head().tree_size == size);
  }
  for (uint32_t day : {1u, 28u}) {
    v1::Entry e = Community("ok-" + std::to_string(day), "f1", 250, BasisPoints(1000), "2026-11");
    e.mutable_community()->set_due_day(day);
    MustAppend(*t.ledger, e);
  }
}


TEST_CASE("ratings: entries dated before the community was registered are imported history", "[rules][due]") {
  ClockedLedger t("2026-12-01");
  MustAppend(*t.ledger, Firm("f1"));
  MustAppend(*t.ledger, Community("hist", "f1", 250, BasisPoints(1000), "2026-07"));
  MustAppend(*t.ledger, Units("hist", AdminActor(), {{"A", 10000}}));
  // Back-filled on the day of registration: July to November, each paid on the 5th.
  for (const char* m : {"07", "08", "09", "10", "11"}) {
    const std::string month = std::string("2026-") + m;
    MustAppend(*t.ledger, Payment("hist", FirmActor("f1"), "A", 25000, month, 1, month + "-05"));
  }
  // After registration: one recorded 15 days late, one the same day.
  t.SetToday("2026-12-20");
  MustAppend(*t.ledger, Payment("hist", FirmActor("f1"), "A", 25000, "2026-12", 1, "2026-12-05"));
  t.SetToday("2026-12-21");
  MustAppend(*t.ledger, Payment("hist", FirmActor("f1"), "A", 25000, "2027-01", 1, "2026-12-21"));

  Json ratings = MustView(t.ledger->Ratings("2026"));
  CHECK(ratings.at("formula_version") == "mingzhang-rating/3");
  REQUIRE(ratings.at("firms").size() == 1);
  const Json& f1 = ratings.at("firms").at(0);
  CHECK(CountOf(f1.at("inputs").at("business_entries")) == 7);
  CHECK(CountOf(f1.at("inputs").at("imported_history_entries")) == 5);
  CHECK(CountOf(f1.at("inputs").at("prompt_entries")) == 1);
  // Months past due on 2026-12-21: July-November, all paid (December is due on the 31st).
  CHECK(FenOf(f1.at("inputs").at("billed")) == 125000);
  CHECK(CountOf(f1.at("inputs").at("collection_rate_bp")) == 10000);
  // 20 (no evaluations) + 20 + (10 + 15 × 1/2) + 15 = 72.5 -> 73: A, not black-listed. Timing
  // the back-filled five would have given 10 + 15 × 1/7 and 67: B, black-listed.
  CHECK(CountOf(f1.at("points_milli").at("disclosure")) == 17500);
  CHECK(CountOf(f1.at("score")) == 73);
  CHECK(f1.at("grade") == "A");
  CHECK(f1.at("black_list") == false);
}

}  // namespace
}  // namespace mingzhang
