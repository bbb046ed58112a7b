// Random histories with a fixed seed, checked against a model kept by the test itself.
//
// Two communities (one paying its firm a share of fee income, one a fixed sum a month) receive a
// few thousand entries: payments, disbursements from both funds, remuneration, public revenue,
// reversals, evaluations, and some entries that break exactly one rule. The model predicts which
// rules each entry breaks; the ledger must accept exactly the entries the model accepts (and
// refuse the others with one of the predicted slugs). After every entry:
//   (a) the FEES and PUBLIC_REVENUE closing balances of the year's statement equal the model's,
//       which replays the accepted entries independently (payments and revenue in, disbursements
//       out, reversed entries nowhere);
//   (c) a refused entry changed nothing: same tree size, same statement bytes.
// Every so often:
//   (b) for every unit, the owner's shares plus the unspent part equal what the unit paid, and
//       what it paid equals the model's attribution of its payments to the year; the statement's
//       income by source, spending by category and evaluation summary equal the model's;
//   (d) the ledger is closed and opened again on the same directory, and the statements and
//       billing are byte for byte what they were; at the end, statements at earlier tree sizes
//       (replayed from the log) are byte for byte what the ledger said at those sizes.
//
// Business dates never go backwards in these histories, so all time is "to date" for every new
// payment or disbursement; reversals, which take back an earlier month's income, are checked by
// the model at that month's end and every later one, as the rules do.
#include <catch2/catch.hpp>

#include <cstdio>
#include <functional>
#include <optional>
#include <random>
#include <set>

#include "tests/support/domain_test_util.h"

namespace mingzhang {
namespace {

using namespace testing;  // NOLINT: test helpers

constexpr uint64_t kSeed = 20260701;
constexpr int kSteps = 2400;
constexpr int kDeepCheckEvery = 150;
constexpr int kReopenEvery = 800;
constexpr int kYear = 2026;
// Every entry is recorded at 2027-01-01 00:00 China Standard Time: after every business date.
constexpr int64_t kRecordedAtMs = 1'798'732'800'000;  // 2026-12-31T16:00:00Z

MonthIndex MonthOf(int year, int month) { return year * 12 + (month - 1); }

// The date `day` days into 2026 (0 = 2026-01-01).
std::pair<std::string, MonthIndex> DateOfDay(int day) {
  static const int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int month = 0;
  while (day >= kDays[month]) day -= kDays[month++];
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", kYear, month + 1, day + 1);
  return {text, MonthOf(kYear, month + 1)};
}

std::string MonthText(MonthIndex m) {
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d", m / 12, m % 12 + 1);
  return text;
}

struct MPayment {
  std::string unit;
  int64_t amount = 0;
  MonthIndex first = 0;
  int months = 0;
  bool reversed = false;
  std::optional<std::array<uint32_t, 5>> evaluation;
};

struct MMoney {
  enum Kind { kPayment, kDisbursement, kRevenue } kind = kPayment;
  v1::Fund fund = v1::FEES;
  int64_t amount = 0;
  MonthIndex month = 0;
  std::string name;  // category or source
  std::string resolution;
  bool firm_wrote = true;
  bool reversed = false;
};

struct MResolution {
  v1::Matter matter = v1::ORDINARY;
  int64_t budget = 0;
  int64_t spent = 0;
};

struct MCommunity {
  std::string id, firm, committee;
  bool fixed = false;
  int64_t rule = 0;  // basis points, or fen a month
  MonthIndex start = 0;
  int64_t rate = 0;
  std::vector<std::pair<std::string, int64_t>> units;
  std::map<uint64_t, MMoney> money;
  std::map<uint64_t, MPayment> payments;
  std::set<uint64_t> reversals;
  std::map<v1::Fund, int64_t> balance;
  std::map<std::pair<v1::Fund, MonthIndex>, int64_t> cash;  // net cash by month
  int64_t fee_income = 0, remuneration_taken = 0;
  std::map<MonthIndex, int64_t> income_by_month, taken_by_month;  // non-reversed, by business month
  std::map<std::string, MResolution> resolutions;

  int64_t MonthlyFee(int64_t area) const { return (area * rate + 50) / 100; }
  // What the contract allows through `through` on `income` of fee income to then.
  int64_t AllowedOn(MonthIndex through, int64_t income) const {
    if (!fixed) return static_cast<int64_t>(static_cast<__int128>(income) * rule / 10000);
    return std::max<int64_t>(0, through - start + 1) * rule;
  }
  // Every business date so far is on or before the latest one, so all time is "to date".
  int64_t Allowed(MonthIndex through) const { return AllowedOn(through, fee_income); }
  // Would taking `fen` out of `fund` in `month` leave the balance at the end of that month or a
  // later one negative?
  bool Overdraws(v1::Fund fund, MonthIndex month, int64_t fen) const {
    int64_t running = 0;
    for (const auto& [key, net] : cash) {
      if (key.first != fund) continue;
      running += net;
      if (key.second >= month && running - fen < 0) return true;
    }
    return false;
  }
  // Would taking back `fen` of fee income of `month` leave more remuneration taken than allowed
  // at the end of that month or a later one?
  bool BreaksCap(MonthIndex month, int64_t fen) const {
    std::set<MonthIndex> months;
    for (const auto& [m, v] : income_by_month) months.insert(m);
    for (const auto& [m, v] : taken_by_month) months.insert(m);
    int64_t income = 0, taken = 0;
    for (MonthIndex m : months) {
      if (auto it = income_by_month.find(m); it != income_by_month.end()) income += it->second;
      if (auto it = taken_by_month.find(m); it != taken_by_month.end()) taken += it->second;
      if (m >= month && taken > AllowedOn(m, income - fen)) return true;
    }
    return false;
  }
  int64_t PaidInYear(const std::string& unit) const {
    int64_t paid = 0;
    for (const auto& [seq, p] : payments) {
      if (p.reversed || p.unit != unit) continue;
      for (int k = 0; k < p.months; ++k) {
        MonthIndex m = p.first + k;
        if (m < MonthOf(kYear, 1) || m > MonthOf(kYear, 12)) continue;
        paid += p.amount / p.months + (k == 0 ? p.amount % p.months : 0);
      }
    }
    return paid;
  }
};

// One generated request: the entry, the rules the model says it breaks, and what it does to the
// model when accepted.
struct Op {
  v1::Entry entry;
  std::set<std::string> breaks;
  std::function<void(MCommunity&, uint64_t seq)> apply;
};

class History {
 public:
  explicit History(uint64_t seed) : rng_(seed) {}

  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) { return static_cast<int>(Below(100)) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

  std::string owner(const MCommunity& c, const std::string& unit) { return "owner-" + c.id + "-" + unit; }

  Op PaymentOp(MCommunity& c, const std::string& date, MonthIndex month) {
    const auto& [unit, area] = Pick(c.units);
    const int months = 1 + static_cast<int>(Below(12));
    MonthIndex first = std::max(c.start, month - 2 + static_cast<MonthIndex>(Below(4)));
    int64_t amount = Chance(80) ? c.MonthlyFee(area) * months : 1 + static_cast<int64_t>(Below(500000));
    v1::Actor actor = Chance(70) ? FirmActor(c.firm) : OwnerActor(owner(c, unit), {unit});
    Op op;
    switch (Below(25)) {  // one payment in five breaks one rule
      case 0:
        amount = 0;
        op.breaks = {"bad-amount"};
        break;
      case 1:
        actor = FirmActor(c.firm == "f1" ? "f2" : "f1");
        op.breaks = {"forbidden"};
        break;
      case 2:
        op.entry = Payment(c.id, FirmActor(c.firm), "no-such-unit", amount, MonthText(first),
                           static_cast<uint32_t>(months), date);
        op.breaks = {"unknown-unit"};
        return op;
      case 3:
        first = c.start - 1;
        op.breaks = {"bad-period"};
        break;
      case 4:
        op.entry = Payment(c.id, actor, unit, amount, MonthText(first), static_cast<uint32_t>(months), "2026-02-30");
        op.breaks = {"bad-date"};
        return op;
      default:
        break;
    }
    op.entry = Payment(c.id, actor, unit, amount, MonthText(first), static_cast<uint32_t>(months), date);
    const bool by_firm = actor.role() == v1::firm;
    op.apply = [unit = unit, amount, first, months, month, by_firm](MCommunity& m, uint64_t seq) {
      m.payments[seq] = MPayment{unit, amount, first, months, false, std::nullopt};
      m.money[seq] = MMoney{MMoney::kPayment, v1::FEES, amount, month, "fees", "", by_firm, false};
      m.balance[v1::FEES] += amount;
      m.cash[{v1::FEES, month}] += amount;
      m.fee_income += amount;
      m.income_by_month[month] += amount;
    };
    return op;
  }

  Op SpendOp(MCommunity& c, const std::string& date, MonthIndex month, v1::Fund fund, v1::Category category,
             const std::string& resolution) {
    const int64_t room = c.balance[fund];
    int64_t amount;
    if (category == v1::REMUNERATION) {
      int64_t left = std::max<int64_t>(0, c.Allowed(month) - c.remuneration_taken);
      amount = 1 + static_cast<int64_t>(Below(static_cast<uint64_t>(left + left / 5 + 20)));
    } else {
      amount = 1 + static_cast<int64_t>(Below(static_cast<uint64_t>(room / 3 + room / 20 + 5000)));
    }
    std::string voucher = Voucher("v" + std::to_string(rng_()));
    Op op;
    if (Chance(3)) {
      voucher = voucher.substr(1);
      op.breaks = {"bad-voucher"};
    } else {
      if (amount > room) op.breaks.insert("insufficient-funds");
      if (category == v1::REMUNERATION && c.remuneration_taken + amount > c.Allowed(month)) {
        op.breaks.insert("remuneration-cap");
      }
      if (fund == v1::PUBLIC_REVENUE) {
        const MResolution& r = c.resolutions.at(resolution);
        if (category == v1::REPAIR && r.matter != v1::SPECIAL) op.breaks.insert("resolution-matter");
        if (r.spent + amount > r.budget) op.breaks.insert("resolution-exceeded");
      }
    }
    op.entry = Disbursement(c.id, FirmActor(c.firm), fund, category, amount, date, voucher, resolution);
    op.apply = [=](MCommunity& m, uint64_t seq) {
      m.money[seq] = MMoney{MMoney::kDisbursement, fund, amount, month, v1::Category_Name(category), resolution, true,
                            false};
      m.balance[fund] -= amount;
      m.cash[{fund, month}] -= amount;
      if (category == v1::REMUNERATION) {
        m.remuneration_taken += amount;
        m.taken_by_month[month] += amount;
      }
      if (fund == v1::PUBLIC_REVENUE) m.resolutions.at(resolution).spent += amount;
    };
    return op;
  }

  Op RevenueOp(MCommunity& c, const std::string& date, MonthIndex month) {
    static const std::vector<v1::PublicRevenue::Source> kSources = {
        v1::PublicRevenue::parking, v1::PublicRevenue::advertising, v1::PublicRevenue::venue_rental,
        v1::PublicRevenue::other};
    const v1::PublicRevenue::Source source = Pick(kSources);
    int64_t amount = 1 + static_cast<int64_t>(Below(200000));
    const bool by_firm = Chance(70);
    Op op;
    if (Chance(4)) {
      amount = -amount;
      op.breaks = {"bad-amount"};
    }
    op.entry = Revenue(c.id, by_firm ? FirmActor(c.firm) : CommitteeActor(c.committee), source, amount, date);
    op.apply = [=](MCommunity& m, uint64_t seq) {
      m.money[seq] = MMoney{MMoney::kRevenue, v1::PUBLIC_REVENUE, amount, month,
                            v1::PublicRevenue::Source_Name(source), "", by_firm, false};
      m.balance[v1::PUBLIC_REVENUE] += amount;
      m.cash[{v1::PUBLIC_REVENUE, month}] += amount;
    };
    return op;
  }

  // A reversal; nullopt when nothing is there to reverse.
  std::optional<Op> ReversalOp(MCommunity& c) {
    if (c.money.empty()) return std::nullopt;
    Op op;
    uint64_t target;
    if (!c.reversals.empty() && Chance(8)) {
      target = *std::next(c.reversals.begin(), static_cast<long>(Below(c.reversals.size())));
      op.breaks = {"not-reversible"};
      op.entry = Reversal(c.id, AdminActor(), target);
      return op;
    }
    target = std::next(c.money.begin(), static_cast<long>(Below(c.money.size())))->first;
    const MMoney& t = c.money.at(target);
    const bool takes_back_income = t.kind != MMoney::kDisbursement;
    if (t.reversed) {
      op.breaks = {"already-reversed"};
    } else if (takes_back_income && c.Overdraws(t.fund, t.month, t.amount)) {
      op.breaks = {"insufficient-funds"};
    } else if (t.kind == MMoney::kPayment && c.BreaksCap(t.month, t.amount)) {
      op.breaks = {"remuneration-cap"};
    }
    // The firm reverses what it wrote; an admin anything.
    v1::Actor actor = t.firm_wrote && Chance(60) ? FirmActor(c.firm) : AdminActor();
    op.entry = Reversal(c.id, actor, target, "correction");
    op.apply = [target](MCommunity& m, uint64_t seq) {
      m.reversals.insert(seq);
      MMoney& t = m.money.at(target);
      t.reversed = true;
      const int64_t sign = t.kind == MMoney::kDisbursement ? +1 : -1;  // money back in, or out
      m.balance[t.fund] += sign * t.amount;
      m.cash[{t.fund, t.month}] += sign * t.amount;
      if (t.kind == MMoney::kPayment) {
        m.fee_income -= t.amount;
        m.income_by_month[t.month] -= t.amount;
        m.payments.at(target).reversed = true;
      }
      if (t.kind == MMoney::kDisbursement && t.name == "REMUNERATION") {
        m.remuneration_taken -= t.amount;
        m.taken_by_month[t.month] -= t.amount;
      }
      if (t.kind == MMoney::kDisbursement && t.fund == v1::PUBLIC_REVENUE) m.resolutions.at(t.resolution).spent -= t.amount;
    };
    return op;
  }

  std::optional<Op> EvaluationOp(MCommunity& c) {
    if (c.payments.empty()) return std::nullopt;
    Op op;
    std::array<uint32_t, 5> scores;
    for (uint32_t& s : scores) s = 1 + static_cast<uint32_t>(Below(5));
    if (Chance(5) && !c.money.empty()) {
      // A seq that is no payment of this community: a disbursement or revenue, or far beyond.
      for (const auto& [seq, m] : c.money) {
        if (m.kind != MMoney::kPayment) {
          op.entry = Evaluation(c.id, OwnerActor("someone", {"u0"}), seq, scores);
          op.breaks = {"unknown-payment"};
          return op;
        }
      }
    }
    const uint64_t seq = std::next(c.payments.begin(), static_cast<long>(Below(c.payments.size())))->first;
    const MPayment& p = c.payments.at(seq);
    std::string unit = p.unit;
    if (Chance(5)) {
      unit = unit == "u0" ? "u1" : "u0";
      op.breaks.insert("forbidden");
    }
    if (Chance(3)) {
      scores[Below(5)] = Chance(50) ? 0 : 6;
      op.breaks.insert("bad-score");
    }
    if (p.reversed) op.breaks.insert("payment-reversed");
    if (p.evaluation) op.breaks.insert("payment-already-evaluated");
    op.entry = Evaluation(c.id, OwnerActor(owner(c, unit), {unit}), seq, scores);
    op.apply = [seq, scores](MCommunity& m, uint64_t) { m.payments.at(seq).evaluation = scores; };
    return op;
  }

  Op Next(MCommunity& c, int step, int steps) {
    const auto [date, month] = DateOfDay(step * 365 / steps);
    for (;;) {
      const uint64_t roll = Below(100);
      if (roll < 34) return PaymentOp(c, date, month);
      if (roll < 52) {
        static const std::vector<v1::Category> kFeeCategories = {v1::CLEANING, v1::SECURITY, v1::GREENERY, v1::REPAIR,
                                                                 v1::UTILITIES, v1::INSURANCE, v1::ADMINISTRATION,
                                                                 v1::OTHER};
        return SpendOp(c, date, month, v1::FEES, Pick(kFeeCategories), "");
      }
      if (roll < 58) return SpendOp(c, date, month, v1::FEES, v1::REMUNERATION, "");
      if (roll < 70) return RevenueOp(c, date, month);
      if (roll < 76) {
        static const std::vector<v1::Category> kPublicCategories = {v1::REPAIR, v1::GREENERY, v1::OTHER,
                                                                    v1::UTILITIES};
        const std::string resolution = Chance(50) ? "R-ord" : "R-spec";
        return SpendOp(c, date, month, v1::PUBLIC_REVENUE, Pick(kPublicCategories), resolution);
      }
      if (roll < 88) {
        if (auto op = ReversalOp(c)) return std::move(*op);
        continue;
      }
      if (auto op = EvaluationOp(c)) return std::move(*op);
    }
  }

  std::mt19937_64 rng_;
};

struct World {
  TempDir dir;
  std::unique_ptr<District> ledger;
  std::vector<MCommunity> communities;
};

void SetUp(World& w, History& h) {
  w.ledger = OpenDomainLedger(w.dir, kBatchEntriesMax, kRecordedAtMs);
  MustAppend(*w.ledger, Firm("f1"));
  MustAppend(*w.ledger, Firm("f2"));
  MCommunity a;
  a.id = "alpha", a.firm = "f1", a.committee = "committee-alpha", a.fixed = false, a.rule = 1200;
  a.start = MonthOf(kYear, 1), a.rate = 230;
  MCommunity b;
  b.id = "beta", b.firm = "f2", b.committee = "committee-beta", b.fixed = true, b.rule = 15000;
  b.start = MonthOf(kYear, 3), b.rate = 310;
  for (MCommunity* c : {&a, &b}) {
    c->balance[v1::FEES] = 0;
    c->balance[v1::PUBLIC_REVENUE] = 0;
    for (int i = 0; i < 8; ++i) c->units.emplace_back("u" + std::to_string(i), 5000 + static_cast<int64_t>(h.Below(10001)));
    v1::Remuneration rem = c->fixed ? FixedPerMonth(c->rule) : BasisPoints(static_cast<uint32_t>(c->rule));
    MustAppend(*w.ledger, Community(c->id, c->firm, c->rate, rem, MonthText(c->start)));
    MustAppend(*w.ledger, Units(c->id, FirmActor(c->firm), c->units));
    const v1::Actor committee = CommitteeActor(c->committee);
    // Voting runs through 2027-01-31 (not before the recording day); every unit votes, so they close at once.
    MustAppend(*w.ledger, Proposal(c->id, committee, "ord", v1::ORDINARY, v1::PUBLIC_REVENUE, 6'000'000, "2027-01-31"));
    MustAppend(*w.ledger, Proposal(c->id, committee, "spec", v1::SPECIAL, v1::PUBLIC_REVENUE, 3'000'000, "2027-01-31"));
    for (const char* p : {"ord", "spec"}) {
      for (const auto& [unit, area] : c->units) {
        MustAppend(*w.ledger, Ballot(c->id, OwnerActor(h.owner(*c, unit), {unit}), p, unit, v1::YES));
      }
      StoredEntry closed = MustAppend(*w.ledger, Close(c->id, committee, p));
      REQUIRE(closed.entry.proposal_close().resolution_id() == std::string("R-") + p);
    }
    c->resolutions["R-ord"] = MResolution{v1::ORDINARY, 6'000'000, 0};
    c->resolutions["R-spec"] = MResolution{v1::SPECIAL, 3'000'000, 0};
  }
  w.communities = {a, b};
}

std::string StatementDump(const District& ledger, const std::string& c) {
  return MustView(SignedStatementJson(ledger, c, "2026")).dump();
}

void CheckBalances(const District& ledger, const MCommunity& c) {
  const Json s = MustView(SignedStatementJson(ledger, c.id, "2026")).at("statement");
  INFO("community " << c.id);
  for (v1::Fund fund : {v1::FEES, v1::PUBLIC_REVENUE}) {
    const Json& f = FundIn(s, v1::Fund_Name(fund));
    CHECK(FenOf(f.at("opening_balance")) == 0);
    REQUIRE(FenOf(f.at("closing_balance")) == c.balance.at(fund));
  }
}

// (b) and the statement's details against the model.
void DeepCheck(const District& ledger, const MCommunity& c) {
  INFO("community " << c.id);
  int64_t collected = 0;
  for (const auto& [unit, area] : c.units) {
    INFO("unit " << unit);
    const Json a = MustView(ledger.OwnerAccount(c.id, unit, "2026"));
    const int64_t paid = FenOf(a.at("paid"));
    int64_t shares = FenOf(a.at("unspent"));
    CHECK(shares >= 0);
    for (const Json& s : a.at("shares")) {
      CHECK(FenOf(s.at("share")) >= 0);
      shares += FenOf(s.at("share"));
    }
    REQUIRE(shares == paid);
    REQUIRE(paid == c.PaidInYear(unit));
    collected += paid;
  }
  const Json s = MustView(SignedStatementJson(ledger, c.id, "2026")).at("statement");
  CHECK(FenOf(s.at("billing").at("collected")) == collected);

  std::map<std::string, int64_t> fee_spent, public_spent, public_income;
  int64_t fee_income = 0;
  for (const auto& [seq, m] : c.money) {
    if (m.reversed) continue;
    if (m.kind == MMoney::kPayment) fee_income += m.amount;
    if (m.kind == MMoney::kRevenue) public_income[m.name] += m.amount;
    if (m.kind == MMoney::kDisbursement) (m.fund == v1::FEES ? fee_spent : public_spent)[m.name] += m.amount;
  }
  auto nonzero_view = [](const Json& j) {
    std::map<std::string, int64_t> out;
    for (const auto& [k, v] : FenMap(j)) {
      if (v != 0) out[k] = v;
    }
    return out;
  };
  std::map<std::string, int64_t> fee_spent_nz, public_spent_nz, public_income_nz;
  for (const auto& [k, v] : fee_spent) {
    if (v != 0) fee_spent_nz[k] = v;
  }
  for (const auto& [k, v] : public_spent) {
    if (v != 0) public_spent_nz[k] = v;
  }
  for (const auto& [k, v] : public_income) {
    if (v != 0) public_income_nz[k] = v;
  }
  const Json& fees = FundIn(s, "FEES");
  const Json& pub = FundIn(s, "PUBLIC_REVENUE");
  CHECK(FenOf(fees.at("income")) == fee_income);
  CHECK(nonzero_view(fees.at("disbursed_by_category")) == fee_spent_nz);
  CHECK(nonzero_view(pub.at("disbursed_by_category")) == public_spent_nz);
  CHECK(nonzero_view(pub.at("income_by_source")) == public_income_nz);
  CHECK(FenOf(s.at("remuneration").at("taken_to_date")) == c.remuneration_taken);

  // Evaluations: every payment is paid in 2026; those not reversed count, with their evaluation.
  int64_t payments = 0, evaluated = 0;
  std::array<int64_t, 5> sums{};
  for (const auto& [seq, p] : c.payments) {
    if (p.reversed) continue;
    ++payments;
    if (!p.evaluation) continue;
    ++evaluated;
    for (int i = 0; i < 5; ++i) sums[i] += (*p.evaluation)[i];
  }
  const Json& ev = s.at("evaluations");
  CHECK(CountOf(ev.at("payments")) == payments);
  CHECK(CountOf(ev.at("count")) == evaluated);
  CHECK(CountOf(ev.at("coverage_bp")) == (payments == 0 ? 0 : evaluated * 10000 / payments));
  const char* names[5] = {"cleaning", "security", "greenery", "repair", "service"};
  for (int i = 0; i < 5; ++i) {
    CHECK(CountOf(ev.at("mean_x100").at(names[i])) == (evaluated == 0 ? 0 : sums[i] * 100 / evaluated));
  }
}

std::vector<std::string> AllViews(const District& ledger, const std::vector<MCommunity>& communities) {
  std::vector<std::string> out;
  for (const MCommunity& c : communities) {
    out.push_back(StatementDump(ledger, c.id));
    out.push_back(MustView(ledger.Billing(c.id, "2026")).dump());
    out.push_back(MustView(ledger.EvaluationSummary(c.id, "2026")).dump());
  }
  return out;
}

TEST_CASE("properties: random histories agree with an independent replay", "[properties]") {
  World w;
  History h(kSeed);
  SetUp(w, h);
  std::map<std::string, int> accepted, refused;
  // Statements as the ledger gave them at some sizes, to replay at the end.
  std::vector<std::tuple<std::string, uint64_t, std::string>> earlier;

  for (int step = 0; step < kSteps; ++step) {
    MCommunity& c = w.communities[h.Below(w.communities.size())];
    Op op = h.Next(c, step, kSteps);
    const uint64_t size_before = w.ledger->head().tree_size;
    const std::string before = StatementDump(*w.ledger, c.id);
    Result<StoredEntry> r = w.ledger->Append(op.entry);

    std::string wanted;
    for (const std::string& s : op.breaks) wanted += s + " ";
    INFO("step " << step << ": " << op.entry.ShortDebugString());
    INFO("model: " << (op.breaks.empty() ? std::string("accept") : "refuse with one of " + wanted));
    INFO("ledger: " << (r.ok() ? "accepted" : r.status().ToString()));
    const std::string kind = op.entry.GetDescriptor()->FindFieldByNumber(op.entry.body_case())->name();
    if (op.breaks.empty()) {
      REQUIRE(r.ok());
      REQUIRE(r->entry.seq() == size_before);
      op.apply(c, r->entry.seq());
      ++accepted[kind];
    } else {
      REQUIRE_FALSE(r.ok());
      REQUIRE(op.breaks.count(r.status().slug()) == 1);
      // (c) nothing changed.
      REQUIRE(w.ledger->head().tree_size == size_before);
      REQUIRE(StatementDump(*w.ledger, c.id) == before);
      ++refused[kind + ":" + r.status().slug()];
    }
    // (a)
    CheckBalances(*w.ledger, c);

    if ((step + 1) % kDeepCheckEvery == 0) {
      for (const MCommunity& m : w.communities) {
        CheckBalances(*w.ledger, m);
        DeepCheck(*w.ledger, m);
        earlier.emplace_back(m.id, w.ledger->head().tree_size, StatementDump(*w.ledger, m.id));
      }
    }
    if ((step + 1) % kReopenEvery == 0 || step + 1 == kSteps) {
      // (d)
      const Head head = w.ledger->head();
      const std::vector<std::string> views = AllViews(*w.ledger, w.communities);
      // The state rows written batch by batch are what a replay of the log makes.
      REQUIRE(StateRowsDiffer(*w.ledger) == "");
      w.ledger.reset();
      // Every other stretch with a cache too small to keep any community: each is read again
      // from its rows, with the batches not yet durable laid over them.
      const bool tiny_cache = (step + 1) / kReopenEvery % 2 == 1;
      w.ledger = OpenDomainLedger(w.dir, kBatchEntriesMax, kRecordedAtMs, tiny_cache ? 1 : kStateCacheBytesDefault);
      REQUIRE(w.ledger->head().tree_size == head.tree_size);
      REQUIRE(w.ledger->head().root == head.root);
      REQUIRE(AllViews(*w.ledger, w.communities) == views);
    }
  }

  // Statements at earlier sizes, replayed from the log, are what the ledger said then.
  for (const auto& [community, size, dump] : earlier) {
    INFO(community << " at tree size " << size);
    CHECK(MustView(SignedStatementJson(*w.ledger, community, "2026", size)).dump() == dump);
  }

  // The history really exercised the rules: every kind of entry went in, and each rule refused.
  std::string summary;
  for (const auto& [k, n] : accepted) summary += "accepted " + k + ": " + std::to_string(n) + "\n";
  for (const auto& [k, n] : refused) summary += "refused " + k + ": " + std::to_string(n) + "\n";
  INFO(summary);
  for (const char* k : {"fee_payment", "disbursement", "public_revenue", "reversal", "evaluation"}) {
    CHECK(accepted[k] >= 20);
  }
  for (const char* k : {"fee_payment:bad-amount", "fee_payment:forbidden", "fee_payment:unknown-unit",
                        "fee_payment:bad-period", "fee_payment:bad-date", "disbursement:insufficient-funds",
                        "disbursement:remuneration-cap", "disbursement:bad-voucher", "reversal:already-reversed",
                        "reversal:not-reversible", "evaluation:payment-already-evaluated"}) {
    INFO(k);
    CHECK(refused[k] >= 1);
  }
}

}  // namespace
}  // namespace mingzhang
