// A store written by this version, checked in (tests/fixtures/store-v3), and every view's answer
// from it as this version gave it: a later version that stores the domain state differently must
// open the same files and answer every view exactly the same.
//
// Two modes:
//   MINGZHANG_WRITE_FIXTURE=<dir> upgrade_tests   writes <dir>/data (a fresh log of the district
//       below) and <dir>/expected/*.json (every view of it); <dir>/data must not exist yet.
//   upgrade_tests                                  copies MINGZHANG_FIXTURE_DIR/data to a temp dir,
//       opens the copy and requires every view to equal its expected file, then appends a payment
//       and reopens. The checked-in files are never opened by the ledger.
//
// The district (plan below): firm jiaxin-pm serves lanting (8 units, fee share remuneration,
// registered 2026-07-01) and meiyuan (4 units, due_day 15, fixed remuneration, registered
// 2026-08-03, so its July payments are imported history); firm anju-pm serves nothing. July to
// October: payments (one recorded twice and reversed), two groups of payments, public revenue,
// disbursements in seven categories (one reversed, one from PUBLIC_REVENUE under a resolution,
// one voucher shared by both communities, one recorded late), evaluations, proposal PR-1 closed
// and passed, PR-2 open with three ballots.
//
// The clock is fixed: each entry is recorded at a planned moment (plus 60 s for every read of the
// clock), and every view is read with the clock at 2026-11-01 10:00 China time, so "today", and
// with it every as_of, is the same on every run.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>

#include "tests/support/domain_test_util.h"

namespace mingzhang {
namespace {

using namespace testing;  // NOLINT: test helpers
namespace fs = std::filesystem;

constexpr int64_t kClockStepMs = 60'000;        // every read of the clock moves it on a minute
constexpr int64_t kViewClockMs = 1793498400000;  // 2026-11-01T02:00:00Z = 10:00 China time
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kChinaOffsetMs = 8 * kHourMs;
constexpr const char* kOrigin = "mingzhang.test/upgrade-v3";
constexpr const char* kFirm = "jiaxin-pm";
constexpr const char* kIdleFirm = "anju-pm";
constexpr const char* kLanting = "lanting";
constexpr const char* kMeiyuan = "meiyuan";
constexpr std::array<const char*, 3> kPeriods = {"2026-10", "2026-Q3", "2026"};

// ---- The clock ----------------------------------------------------------------------------

// What LedgerOptions::clock_ms reads: a moment the test sets, moved on kClockStepMs per read.
struct FixtureClock {
  std::shared_ptr<std::atomic<int64_t>> now_ms = std::make_shared<std::atomic<int64_t>>(kViewClockMs);
  std::function<int64_t()> Reader() const {
    return [now = now_ms] { return now->fetch_add(kClockStepMs); };
  }
};

// Unix ms of `hour`:00 China Standard Time on `date` (YYYY-MM-DD).
int64_t ChinaTimeMs(const std::string& date, int hour) {
  Result<Date> d = ParseDate(date);
  REQUIRE(d.ok());
  return d->days_since_epoch() * 86'400'000 + hour * kHourMs - kChinaOffsetMs;
}

// ---- The plan -----------------------------------------------------------------------------

// Entries appended together at one moment: one by one (a batch, and a checkpoint, each), or as
// one group (AppendGroupAsync: one batch).
struct Step {
  int64_t at_ms = 0;
  bool group = false;
  std::vector<v1::Entry> entries;
};

// The district's log in order. Seqs are known while planning, since every entry is accepted.
struct Plan {
  std::vector<Step> steps;
  std::map<std::string, uint64_t> seq;          // entry name -> seq
  std::map<std::string, v1::Entry> request;     // entry name -> the request as appended
  std::map<std::string, std::string> vouchers;  // voucher name -> sha256 hex
  uint64_t earlier_tree_size = 0;               // the end of August: a checkpoint exists there
  uint64_t size() const { return next_seq; }

  uint64_t next_seq = 0;
  int64_t at_ms = 0;
  bool in_group = false;

  void At(const std::string& date, int hour) { at_ms = ChinaTimeMs(date, hour); }
  // Keys are fixed so the log is the same on every run, and distinct from NextKey()'s.
  uint64_t Add(const std::string& name, v1::Entry entry) {
    INFO(name);
    REQUIRE_FALSE(seq.count(name));
    entry.set_idempotency_key("fx-" + name);
    if (!in_group || steps.empty() || !steps.back().group) steps.push_back(Step{at_ms, in_group, {}});
    steps.back().entries.push_back(entry);
    request[name] = entry;
    seq[name] = next_seq;
    return next_seq++;
  }
  void BeginGroup() {
    in_group = true;
    steps.push_back(Step{at_ms, true, {}});
  }
  void EndGroup() { in_group = false; }
  const std::string& NewVoucher(const std::string& name) {
    vouchers[name] = Voucher("fixture voucher: " + name);
    return vouchers[name];
  }
};

v1::Actor Jiaxin() { return FirmActor(kFirm); }
v1::Actor LantingCommittee() { return CommitteeActor("committee-lanting"); }
v1::Actor OwnerOf(const std::string& unit) { return OwnerActor("owner-" + unit, {unit}); }

v1::Entry NamedCommunity(const std::string& id, const std::string& name, int64_t rate,
                         const v1::Remuneration& remuneration, uint32_t due_day) {
  v1::Entry e = Community(id, kFirm, rate, remuneration, "2026-07");
  e.mutable_community()->set_name(name);
  e.mutable_community()->set_due_day(due_day);
  return e;
}

struct LabelledUnit {
  std::string id;
  int64_t area_centi_m2;
  std::string label;
};
v1::Entry LabelledUnits(const std::string& community_id, const v1::Actor& actor, const std::vector<LabelledUnit>& units) {
  v1::Entry e = Base(community_id, actor);
  for (const LabelledUnit& u : units) {
    v1::Unit* unit = e.mutable_units()->add_units();
    unit->set_unit_id(u.id);
    unit->set_area_centi_m2(u.area_centi_m2);
    unit->set_label(u.label);
  }
  return e;
}

// A payment to lanting or meiyuan by the firm (by the owner where `by_owner`).
v1::Entry Pay(const std::string& c, const std::string& unit, int64_t fen, const std::string& period, uint32_t months,
              const std::string& paid_on, v1::FeePayment::Method method, const std::string& receipt,
              bool by_owner = false) {
  return Payment(c, by_owner ? OwnerOf(unit) : Jiaxin(), unit, fen, period, months, paid_on, method, receipt);
}

v1::Entry Spend(Plan& plan, const std::string& c, const std::string& voucher_name, v1::Fund fund, v1::Category category,
                int64_t fen, const std::string& paid_on, const std::string& resolution = "",
                const std::string& payee = "某某服务公司") {
  const std::string hash = plan.vouchers.count(voucher_name) ? plan.vouchers[voucher_name] : plan.NewVoucher(voucher_name);
  return Disbursement(c, Jiaxin(), fund, category, fen, paid_on, hash, resolution, payee);
}

// Monthly fees at 250 fen/m² (lanting) and 180 fen/m² (meiyuan), round half up:
//   3-1201 22,375  3-1202 25,000  3-1301 30,863  3-1302 22,500
//   5-0801 27,500  5-0802 21,763  5-0901 32,550  5-0902 19,333 (never pays: in arrears)
//   A-101 17,100   A-102 15,840   A-201 18,450   A-202 21,600
void PlanRegistrations(Plan& p) {
  p.At("2026-07-01", 9);
  p.Add("firm-jiaxin", Firm(kFirm, "嘉信物业"));
  p.Add("firm-anju", Firm(kIdleFirm, "安居物业"));
  p.At("2026-07-01", 10);
  p.Add("community-lanting", NamedCommunity(kLanting, "兰亭苑", 250, BasisPoints(1000), 0));
  p.At("2026-07-01", 11);
  p.Add("units-lanting", LabelledUnits(kLanting, AdminActor(),
                                       {{"3-1201", 8950, "3栋1201室"},
                                        {"3-1202", 10000, "3栋1202室"},
                                        {"3-1301", 12345, "3栋1301室"},
                                        {"3-1302", 9000, "3栋1302室"},
                                        {"5-0801", 11000, "5栋801室"},
                                        {"5-0802", 8705, "5栋802室"},
                                        {"5-0901", 13020, "5栋901室"},
                                        {"5-0902", 7733, "5栋902室"}}));
}

void PlanJuly(Plan& p) {
  using M = v1::FeePayment;
  p.At("2026-07-06", 9);
  p.Add("L-07-3-1201", Pay(kLanting, "3-1201", 67125, "2026-07", 3, "2026-07-05", M::wechat, "R-L-0701", true));
  p.Add("L-07-3-1202", Pay(kLanting, "3-1202", 75000, "2026-07", 3, "2026-07-06", M::bank, "R-L-0702"));
  p.At("2026-07-09", 14);
  p.Add("L-07-3-1301", Pay(kLanting, "3-1301", 30863, "2026-07", 1, "2026-07-08", M::cash, "R-L-0703"));
  p.Add("L-07-3-1302", Pay(kLanting, "3-1302", 22500, "2026-07", 1, "2026-07-09", M::alipay, "R-L-0704"));
  p.At("2026-07-13", 10);
  p.Add("L-07-5-0801", Pay(kLanting, "5-0801", 82500, "2026-07", 3, "2026-07-12", M::bank, "R-L-0705"));
  p.At("2026-07-16", 10);
  p.Add("L-07-5-0901", Pay(kLanting, "5-0901", 32550, "2026-07", 1, "2026-07-15", M::wechat, "R-L-0706"));
  p.At("2026-07-26", 15);
  p.Add("E-3-1201", Evaluation(kLanting, OwnerOf("3-1201"), p.seq["L-07-3-1201"], {5, 4, 4, 3, 5}, "保洁很好"));
  p.Add("D-L-07-cleaning", Spend(p, kLanting, "L-cleaning-07", v1::FEES, v1::CLEANING, 60000, "2026-07-25"));
  p.At("2026-07-29", 16);
  p.Add("D-L-07-security", Spend(p, kLanting, "L-security-07", v1::FEES, v1::SECURITY, 90000, "2026-07-28"));
  p.At("2026-07-31", 18);
  p.Add("V-L-07-parking", Revenue(kLanting, Jiaxin(), v1::PublicRevenue::parking, 80000, "2026-07-31", "C-PARK-2026"));
}

void PlanAugust(Plan& p) {
  using M = v1::FeePayment;
  p.At("2026-08-03", 10);
  p.Add("community-meiyuan", NamedCommunity(kMeiyuan, "梅园", 180, FixedPerMonth(30000), 15));
  p.At("2026-08-03", 11);
  p.Add("units-meiyuan", LabelledUnits(kMeiyuan, Jiaxin(),
                                       {{"A-101", 9500, "A座101室"},
                                        {"A-102", 8800, "A座102室"},
                                        {"A-201", 10250, "A座201室"},
                                        {"A-202", 12000, "A座202室"}}));
  // Paper receipts of July and early August entered in one file (payments:batch).
  p.At("2026-08-05", 15);
  p.BeginGroup();
  p.Add("M-07-A-101", Pay(kMeiyuan, "A-101", 17100, "2026-07", 1, "2026-07-10", M::cash, "R-M-0701"));
  p.Add("M-07-A-102", Pay(kMeiyuan, "A-102", 31680, "2026-07", 2, "2026-07-12", M::cash, "R-M-0702"));
  p.Add("M-07-A-201", Pay(kMeiyuan, "A-201", 18450, "2026-07", 1, "2026-07-20", M::bank, "R-M-0703"));
  p.Add("M-08-A-101", Pay(kMeiyuan, "A-101", 17100, "2026-08", 1, "2026-08-04", M::wechat, "R-M-0801"));
  p.EndGroup();
  p.At("2026-08-07", 9);
  p.Add("L-08-3-1301", Pay(kLanting, "3-1301", 30863, "2026-08", 1, "2026-08-06", M::wechat, "R-L-0801"));
  p.At("2026-08-10", 9);
  p.Add("L-08-3-1302", Pay(kLanting, "3-1302", 22500, "2026-08", 1, "2026-08-09", M::alipay, "R-L-0802"));
  p.Add("L-07-5-0802", Pay(kLanting, "5-0802", 21763, "2026-07", 1, "2026-08-10", M::bank, "R-L-0803", true));
  p.At("2026-08-16", 11);
  p.Add("L-08-5-0901", Pay(kLanting, "5-0901", 32550, "2026-08", 1, "2026-08-15", M::wechat, "R-L-0804"));
  // The same payment recorded again without its receipt, and reversed.
  p.Add("L-08-5-0901-dup", Pay(kLanting, "5-0901", 32550, "2026-08", 1, "2026-08-15", M::wechat, ""));
  p.At("2026-08-17", 9);
  p.Add("X-L-08-5-0901-dup", Reversal(kLanting, Jiaxin(), p.seq["L-08-5-0901-dup"], "重复录入"));
  p.At("2026-08-21", 10);
  p.Add("V-L-08-advertising",
        Revenue(kLanting, LantingCommittee(), v1::PublicRevenue::advertising, 50000, "2026-08-20", "C-ADV-01"));
  p.Add("D-L-08-greenery", Spend(p, kLanting, "L-greenery-08", v1::FEES, v1::GREENERY, 30000, "2026-08-20"));
  p.At("2026-08-26", 10);
  // One invoice of the water company covers both communities: the voucher is shared.
  p.Add("D-L-08-utilities", Spend(p, kLanting, "utilities-08", v1::FEES, v1::UTILITIES, 45000, "2026-08-25", "", "市自来水公司"));
  p.Add("D-M-08-utilities", Spend(p, kMeiyuan, "utilities-08", v1::FEES, v1::UTILITIES, 12000, "2026-08-25", "", "市自来水公司"));
  p.At("2026-08-27", 10);
  p.Add("D-L-08-admin", Spend(p, kLanting, "L-admin-08", v1::FEES, v1::ADMINISTRATION, 15000, "2026-08-26"));
  p.At("2026-08-28", 10);
  p.Add("X-D-L-08-admin", Reversal(kLanting, Jiaxin(), p.seq["D-L-08-admin"], "凭证有误"));
  p.At("2026-08-31", 17);
  // Fee income to August 418,214: allowed 41,821.
  p.Add("D-L-08-remuneration", Spend(p, kLanting, "L-remuneration-08", v1::FEES, v1::REMUNERATION, 30000, "2026-08-31", "", kFirm));
  p.Add("V-L-08-parking", Revenue(kLanting, Jiaxin(), v1::PublicRevenue::parking, 80000, "2026-08-31", "C-PARK-2026"));
  p.Add("E-5-0901", Evaluation(kLanting, OwnerOf("5-0901"), p.seq["L-08-5-0901"], {4, 4, 5, 4, 4}));
  p.earlier_tree_size = p.size();
}

void PlanSeptember(Plan& p) {
  using M = v1::FeePayment;
  p.At("2026-09-01", 10);
  p.Add("PR-1", Proposal(kLanting, LantingCommittee(), "PR-1", v1::ORDINARY, v1::PUBLIC_REVENUE, 120000, "2026-09-10",
                         "健身器材"));
  const std::vector<std::pair<std::string, v1::Choice>> votes = {
      {"3-1201", v1::YES}, {"3-1202", v1::NO},      {"3-1301", v1::YES}, {"3-1302", v1::YES},
      {"5-0801", v1::ABSTAIN}, {"5-0901", v1::YES}, {"3-1202", v1::YES}};  // 3-1202 changes its vote
  int day = 2;
  for (const auto& [unit, choice] : votes) {
    p.At("2026-09-0" + std::to_string(day++), 20);
    p.Add("B-PR-1-" + unit + "-" + std::to_string(day), Ballot(kLanting, OwnerOf(unit), "PR-1", unit, choice));
  }
  p.At("2026-09-06", 9);
  p.Add("L-09-3-1301", Pay(kLanting, "3-1301", 30863, "2026-09", 1, "2026-09-05", M::wechat, "R-L-0901"));
  p.At("2026-09-11", 9);
  p.Add("close-PR-1", Close(kLanting, LantingCommittee(), "PR-1"));
  p.Add("D-L-09-repair", Spend(p, kLanting, "L-repair-09", v1::FEES, v1::REPAIR, 25000, "2026-09-10"));
  p.At("2026-09-13", 9);
  p.Add("L-08-5-0802", Pay(kLanting, "5-0802", 21763, "2026-08", 1, "2026-09-12", M::bank, "R-L-0902"));
  p.Add("L-09-3-1302", Pay(kLanting, "3-1302", 22500, "2026-09", 1, "2026-09-12", M::alipay, "R-L-0903"));
  p.At("2026-09-15", 11);
  p.Add("M-09-A-102", Pay(kMeiyuan, "A-102", 15840, "2026-09", 1, "2026-09-14", M::wechat, "R-M-0901"));
  p.At("2026-09-16", 11);
  p.Add("L-09-5-0901", Pay(kLanting, "5-0901", 32550, "2026-09", 1, "2026-09-15", M::wechat, "R-L-0904"));
  p.At("2026-09-17", 11);
  p.Add("M-08-A-201", Pay(kMeiyuan, "A-201", 18450, "2026-08", 1, "2026-09-16", M::bank, "R-M-0902"));
  p.At("2026-09-21", 10);
  p.Add("D-L-09-fitness", Spend(p, kLanting, "L-fitness-09", v1::PUBLIC_REVENUE, v1::OTHER, 95000, "2026-09-20", "R-PR-1",
                                "健身器材厂"));
  p.Add("M-07-A-202", Pay(kMeiyuan, "A-202", 21600, "2026-07", 1, "2026-09-20", M::alipay, "R-M-0903"));
  p.At("2026-09-22", 20);
  p.Add("E-A-101", Evaluation(kMeiyuan, OwnerOf("A-101"), p.seq["M-08-A-101"], {3, 4, 4, 4, 5}, "维修及时"));
  p.At("2026-09-26", 10);
  p.Add("D-L-09-cleaning", Spend(p, kLanting, "L-cleaning-09", v1::FEES, v1::CLEANING, 60000, "2026-09-25"));
  p.At("2026-09-29", 10);
  p.Add("L-10-3-1201", Pay(kLanting, "3-1201", 67125, "2026-10", 3, "2026-09-28", M::wechat, "R-L-0905", true));
  p.At("2026-09-30", 18);
  p.Add("V-L-09-parking", Revenue(kLanting, Jiaxin(), v1::PublicRevenue::parking, 80000, "2026-09-30", "C-PARK-2026"));
  // Fixed remuneration 30,000 a month from July: 90,000 allowed by September.
  p.Add("D-M-09-remuneration", Spend(p, kMeiyuan, "M-remuneration-09", v1::FEES, v1::REMUNERATION, 60000, "2026-09-30", "", kFirm));
}

void PlanOctober(Plan& p) {
  using M = v1::FeePayment;
  p.At("2026-10-04", 10);
  p.Add("M-09-A-101", Pay(kMeiyuan, "A-101", 17100, "2026-09", 1, "2026-10-03", M::cash, "R-M-1001"));
  // Lanting's October bank receipts entered in one file (payments:batch).
  p.At("2026-10-16", 15);
  p.BeginGroup();
  p.Add("L-10-3-1202", Pay(kLanting, "3-1202", 75000, "2026-10", 3, "2026-10-08", M::bank, "R-L-1001"));
  p.Add("L-10-3-1301", Pay(kLanting, "3-1301", 30863, "2026-10", 1, "2026-10-10", M::wechat, "R-L-1002"));
  p.Add("L-10-3-1302", Pay(kLanting, "3-1302", 22500, "2026-10", 1, "2026-10-12", M::alipay, "R-L-1003"));
  p.Add("L-10-5-0801", Pay(kLanting, "5-0801", 82500, "2026-10", 3, "2026-10-14", M::bank, ""));
  p.Add("L-10-5-0901", Pay(kLanting, "5-0901", 32550, "2026-10", 1, "2026-10-15", M::wechat, "R-L-1005"));
  p.EndGroup();
  p.At("2026-10-16", 16);
  p.Add("M-10-A-102", Pay(kMeiyuan, "A-102", 15840, "2026-10", 1, "2026-10-14", M::wechat, "R-M-1002"));
  p.At("2026-10-19", 10);
  p.Add("V-L-10-venue", Revenue(kLanting, Jiaxin(), v1::PublicRevenue::venue_rental, 12000, "2026-10-18", "C-VENUE-01"));
  p.At("2026-10-20", 10);
  p.Add("PR-2", Proposal(kLanting, LantingCommittee(), "PR-2", v1::SPECIAL, v1::PUBLIC_REVENUE, 200000, "2026-11-15",
                         "电梯维修"));
  // Recorded fifteen days after it was paid: not prompt.
  p.Add("D-L-10-repair-late", Spend(p, kLanting, "L-repair-10", v1::FEES, v1::REPAIR, 8000, "2026-10-05"));
  p.At("2026-10-21", 10);
  p.Add("D-L-10-security", Spend(p, kLanting, "L-security-10", v1::FEES, v1::SECURITY, 90000, "2026-10-20"));
  p.Add("B-PR-2-3-1201", Ballot(kLanting, OwnerOf("3-1201"), "PR-2", "3-1201", v1::YES));
  p.At("2026-10-22", 21);
  p.Add("B-PR-2-5-0801", Ballot(kLanting, OwnerOf("5-0801"), "PR-2", "5-0801", v1::NO));
  p.At("2026-10-23", 10);
  p.Add("D-L-10-greenery", Spend(p, kLanting, "L-greenery-10", v1::FEES, v1::GREENERY, 30000, "2026-10-22"));
  p.Add("B-PR-2-5-0901", Ballot(kLanting, OwnerOf("5-0901"), "PR-2", "5-0901", v1::YES));
  p.Add("E-3-1202", Evaluation(kLanting, OwnerOf("3-1202"), p.seq["L-10-3-1202"], {5, 5, 5, 4, 5}));
  p.At("2026-10-26", 10);
  p.Add("D-L-10-insurance", Spend(p, kLanting, "L-insurance-10", v1::FEES, v1::INSURANCE, 18000, "2026-10-25"));
  p.Add("D-M-10-cleaning", Spend(p, kMeiyuan, "M-cleaning-10", v1::FEES, v1::CLEANING, 20000, "2026-10-25"));
  p.At("2026-10-29", 9);
  p.Add("L-09-5-0802", Pay(kLanting, "5-0802", 21763, "2026-09", 1, "2026-10-28", M::bank, "R-L-1006", true));
  p.At("2026-10-31", 20);
  p.Add("D-L-10-remuneration", Spend(p, kLanting, "L-remuneration-10", v1::FEES, v1::REMUNERATION, 20000, "2026-10-31", "", kFirm));
  p.Add("V-M-10-parking", Revenue(kMeiyuan, Jiaxin(), v1::PublicRevenue::parking, 30000, "2026-10-31", "C-PARK-M"));
}

Plan DistrictPlan() {
  Plan p;
  PlanRegistrations(p);
  PlanJuly(p);
  PlanAugust(p);
  PlanSeptember(p);
  PlanOctober(p);
  return p;
}

// ---- Opening and appending ----------------------------------------------------------------

std::unique_ptr<District> OpenFixtureLedger(const std::string& data_dir, const FixtureClock& clock, bool create) {
  LedgerOptions options;
  options.data_dir = data_dir;
  options.origin = kOrigin;
  options.create_if_missing = create;
  options.clock_ms = clock.Reader();
  auto ledger = District::Open(options);
  INFO("open " << data_dir << ": " << ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

Result<std::vector<StoredEntry>> AppendGroup(District& ledger, std::vector<v1::Entry> entries) {
  std::promise<Result<std::vector<StoredEntry>>> done;
  auto future = done.get_future();
  ledger.AppendGroupAsync(std::move(entries), [&](Result<std::vector<StoredEntry>> r) { done.set_value(std::move(r)); });
  return future.get();
}

void AppendPlan(District& ledger, const Plan& plan, const FixtureClock& clock) {
  for (const Step& step : plan.steps) {
    clock.now_ms->store(step.at_ms);
    const uint64_t first_seq = ledger.head().tree_size;
    if (step.group) {
      Result<std::vector<StoredEntry>> r = AppendGroup(ledger, step.entries);
      INFO("group at seq " << first_seq << ": " << r.status().ToString());
      REQUIRE(r.ok());
      REQUIRE(r->size() == step.entries.size());
    } else {
      for (const v1::Entry& e : step.entries) MustAppend(ledger, e);
    }
    REQUIRE(ledger.head().tree_size == first_seq + step.entries.size());
  }
  REQUIRE(ledger.head().tree_size == plan.size());
}

// ---- The views ----------------------------------------------------------------------------

// One expected file and how its answer is read from a ledger.
struct ViewCase {
  std::string file;
  std::function<Result<Json>(const District&)> read;
};

v1::Credential CredentialOf(v1::Role role, const std::string& principal, std::vector<std::string> communities,
                            std::vector<std::string> units = {}) {
  v1::Credential c;
  c.set_role(role);
  c.set_principal_id(principal);
  for (const std::string& id : communities) c.add_community_ids(id);
  for (const std::string& id : units) c.add_unit_ids(id);
  return c;
}

std::string Hex(const Hash& h) { return HexEncode(AsBytes(h)); }

Json HeadJson(const Head& h) {
  return Json{{"tree_size", h.tree_size}, {"root_hex", Hex(h.root)}, {"chain_head_hex", Hex(h.chain_head)},
              {"checkpoint", h.checkpoint}};
}

// A plain bank statement of lanting's October (reconcile.h): an exact match, a match by
// reference a day off, one by amount alone, a disbursement by its voucher hash, and a line only
// at the bank.
std::string LantingBankCsv(const Plan& plan) {
  return "date,amount,direction,counterparty,reference\n"
         "2026-10-08,750.00,credit,3栋1202室业主,R-L-1001\n"
         "2026-10-11,308.63,credit,3栋1301室业主,R-L-1002\n"
         "2026-10-14,825.00,credit,5栋801室业主,\n"
         "2026-10-20,900.00,debit,某某服务公司," +
         plan.vouchers.at("L-security-10") +
         "\n"
         "2026-10-26,99.99,credit,未知,X-1\n";
}

void AddPeriodViews(std::vector<ViewCase>& views, const std::string& c) {
  for (const std::string period : kPeriods) {
    views.push_back({"statement-" + c + "-" + period + ".json",
                     [=](const District& l) { return SignedStatementJson(l, c, period); }});
    views.push_back({"billing-" + c + "-" + period + ".json", [=](const District& l) { return AsJson(l.Billing(c, period)); }});
    views.push_back({"evaluation-summary-" + c + "-" + period + ".json",
                     [=](const District& l) { return AsJson(l.EvaluationSummary(c, period)); }});
  }
}

std::vector<ViewCase> AllViews(const Plan& plan) {
  std::vector<ViewCase> views;
  views.push_back({"head.json", [](const District& l) -> Result<Json> { return HeadJson(l.head()); }});
  const uint64_t earlier = plan.earlier_tree_size;
  views.push_back({"checkpoint-at-earlier-size.json", [=](const District& l) -> Result<Json> {
                     MZ_ASSIGN_OR_RETURN(std::string note, l.CheckpointAt(earlier));
                     MZ_ASSIGN_OR_RETURN(Hash root, l.RootAt(earlier));
                     return Json{{"tree_size", earlier}, {"root_hex", Hex(root)}, {"checkpoint", note}};
                   }});
  AddPeriodViews(views, kLanting);
  AddPeriodViews(views, kMeiyuan);
  for (const char* c : {kLanting, kMeiyuan}) {
    const std::string community = c;
    views.push_back({"statement-" + community + "-2026-Q3-at-earlier-size.json",
                     [=](const District& l) { return SignedStatementJson(l, community, "2026-Q3", earlier); }});
  }
  for (const auto& [c, unit] : {std::pair{kLanting, "3-1202"}, std::pair{kMeiyuan, "A-101"}}) {
    for (const std::string period : kPeriods) {
      const std::string community = c, unit_id = unit;
      views.push_back({"owner-account-" + community + "-" + unit_id + "-" + period + ".json",
                       [=](const District& l) { return AsJson(l.OwnerAccount(community, unit_id, period)); }});
    }
  }
  for (const std::string period : kPeriods) {
    views.push_back({"ratings-" + period + ".json", [=](const District& l) { return AsJson(l.Ratings(period)); }});
    views.push_back({"spending-lanting-" + period + ".json", [=, &plan](const District& l) {
                       // Two of the voucher files are kept: the shared utilities invoice and July's cleaning.
                       const std::set<std::string> kept = {plan.vouchers.at("utilities-08"),
                                                           plan.vouchers.at("L-cleaning-07")};
                       return AsJson(l.Spending(kLanting, period, [kept](const std::string& h) { return kept.count(h) > 0; }));
                     }});
  }
  views.push_back({"spending-meiyuan-2026-Q3.json", [](const District& l) {
                     return AsJson(l.Spending(kMeiyuan, "2026-Q3", [](const std::string&) { return false; }));
                   }});
  for (const std::string id : {"PR-1", "PR-2"}) {
    views.push_back({"proposal-lanting-" + id + ".json", [=](const District& l) { return AsJson(l.Proposal(kLanting, id)); }});
  }
  for (const std::string c : {kLanting, kMeiyuan}) {
    views.push_back({"proposals-" + c + ".json", [=](const District& l) { return AsJson(l.Proposals(c)); }});
    views.push_back({"community-units-" + c + ".json", [=](const District& l) { return AsJson(l.CommunityUnits(c)); }});
  }
  const std::vector<std::pair<std::string, v1::Credential>> credentials = {
      {"firm-jiaxin-pm", CredentialOf(v1::firm, kFirm, {kLanting, kMeiyuan})},
      {"firm-anju-pm", CredentialOf(v1::firm, kIdleFirm, {})},
      {"owner-lanting-3-1202", CredentialOf(v1::owner, "owner-3-1202", {kLanting}, {"3-1202"})},
      {"committee-lanting", CredentialOf(v1::committee, "committee-lanting", {kLanting})},
      {"regulator", CredentialOf(v1::regulator, "regulator-district", {})},
  };
  for (const auto& [name, credential] : credentials) {
    views.push_back({"directory-" + name + ".json",
                     [credential = credential](const District& l) -> Result<Json> { return AsJson(l.Directory(credential)); }});
  }
  views.push_back({"firms.json", [](const District& l) { return AsJson(l.Firms(DirectoryPage{})); }});
  views.push_back({"firms-first-1.json", [](const District& l) { return AsJson(l.Firms(DirectoryPage{"", 1})); }});
  views.push_back({"communities.json", [](const District& l) { return AsJson(l.Communities("", DirectoryPage{})); }});
  views.push_back({"communities-jiaxin-pm-after-lanting.json",
                   [](const District& l) { return AsJson(l.Communities(kFirm, DirectoryPage{kLanting, 10})); }});
  views.push_back({"communities-anju-pm.json", [](const District& l) { return AsJson(l.Communities(kIdleFirm, DirectoryPage{})); }});
  views.push_back({"community-seqs.json", [=](const District& l) -> Result<Json> {
                     MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> lanting, l.CommunitySeqs(kLanting, std::nullopt, 1000));
                     MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> meiyuan_after, l.CommunitySeqs(kMeiyuan, earlier, 5));
                     return Json{{"lanting_all", lanting}, {"meiyuan_after_earlier_size_first_5", meiyuan_after}};
                   }});
  std::vector<uint64_t> seqs = {0, plan.seq.at("units-lanting"), plan.seq.at("M-07-A-102"), plan.size() - 1};
  views.push_back({"community-of.json", [=](const District& l) -> Result<Json> {
                     Json out = Json::object();
                     for (uint64_t seq : seqs) {
                       MZ_ASSIGN_OR_RETURN(out[std::to_string(seq)], l.CommunityOf(seq));
                     }
                     return out;
                   }});
  views.push_back({"voucher-communities.json", [&plan](const District& l) -> Result<Json> {
                     Json out = Json::object();
                     for (const std::string name : {"utilities-08", "L-cleaning-07", "L-admin-08", "M-remuneration-09"}) {
                       out[name] = l.VoucherCommunities(plan.vouchers.at(name)).value();
                     }
                     out["unknown"] = l.VoucherCommunities(Voucher("never recorded")).value();
                     return out;
                   }});
  views.push_back({"reconcile-lanting-2026-10.json",
                   [&plan](const District& l) { return AsJson(l.Reconcile(kLanting, LantingBankCsv(plan))); }});
  return views;
}

// Facts of the fixture the views do not show, checked against the plan.
Json FixtureFacts(const Plan& plan) {
  return Json{{"entries", plan.size()}, {"earlier_tree_size", plan.earlier_tree_size}, {"origin", kOrigin},
              {"view_clock_ms", kViewClockMs}};
}

// ---- Files --------------------------------------------------------------------------------

void WriteJson(const fs::path& path, const Json& j) {
  std::ofstream out(path, std::ios::binary);
  out << j.dump(2) << "\n";
  REQUIRE(out.good());
}

Json ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

std::set<std::string> FilesIn(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

fs::path FixtureDir() { return fs::path(MINGZHANG_FIXTURE_DIR); }

// A private copy of the checked-in data dir: opening a store writes to it (a new WAL, LOG, LOCK).
void CopyFixtureData(const fs::path& to) {
  fs::copy(FixtureDir() / "data", to, fs::copy_options::recursive);
  fs::permissions(to / kKeyFileName, fs::perms::owner_read | fs::perms::owner_write);  // git keeps 0644
}

// Writes the fixture into <dir>/data and <dir>/expected.
void WriteFixture(const fs::path& dir) {
  const fs::path data = dir / "data", expected = dir / "expected";
  INFO("writing the fixture into " << dir);
  REQUIRE_FALSE(fs::exists(data));  // a fresh log only: never append to an old fixture
  fs::create_directories(expected);
  for (const std::string& old : FilesIn(expected)) fs::remove(expected / old);
  const Plan plan = DistrictPlan();
  FixtureClock clock;
  auto ledger = OpenFixtureLedger(data.string(), clock, /*create=*/true);
  AppendPlan(*ledger, plan, clock);
  // The answers of the ledger that wrote the log (its state built entry by entry); the check
  // mode reads them from a reopened copy.
  clock.now_ms->store(kViewClockMs);
  for (const ViewCase& view : AllViews(plan)) {
    INFO(view.file);
    WriteJson(expected / view.file, MustView(view.read(*ledger)));
  }
  WriteJson(expected / "fixture.json", FixtureFacts(plan));
  ledger.reset();  // closed: the store is complete on disk
}

// Requires the view's answer to equal the expected file, showing a JSON patch on a mismatch.
void CheckView(const District& ledger, const ViewCase& view) {
  const Json expected = ReadJson(FixtureDir() / "expected" / view.file);
  const Json actual = MustView(view.read(ledger));
  INFO(view.file << " differs; JSON patch from expected to actual:\n"
                 << Json::diff(expected, actual).dump(2) << "\nactual:\n"
                 << actual.dump(2));
  CHECK(actual == expected);
}

bool WritingFixture() { return std::getenv("MINGZHANG_WRITE_FIXTURE") != nullptr; }

TEST_CASE("the v3 store answers every view as v3 did", "[upgrade]") {
  if (const char* dir = std::getenv("MINGZHANG_WRITE_FIXTURE")) {
    WriteFixture(dir);
    return;
  }
  const Plan plan = DistrictPlan();
  REQUIRE(ReadJson(FixtureDir() / "expected" / "fixture.json") == FixtureFacts(plan));
  const std::vector<ViewCase> views = AllViews(plan);
  std::set<std::string> listed = {"fixture.json"};
  for (const ViewCase& v : views) listed.insert(v.file);
  REQUIRE(FilesIn(FixtureDir() / "expected") == listed);  // no expected file left unchecked

  TempDir dir;
  CopyFixtureData(dir / "data");
  FixtureClock clock;
  auto ledger = OpenFixtureLedger(dir / "data", clock, /*create=*/false);
  REQUIRE(ledger->Today() == Date{2026, 11, 1});
  for (const ViewCase& view : views) CheckView(*ledger, view);
}

TEST_CASE("the v3 store takes new entries and reopens at the same head", "[upgrade]") {
  if (WritingFixture()) return;
  const Plan plan = DistrictPlan();
  TempDir dir;
  CopyFixtureData(dir / "data");
  FixtureClock clock;
  auto ledger = OpenFixtureLedger(dir / "data", clock, /*create=*/false);
  const uint64_t size = ledger->head().tree_size;
  REQUIRE(size == plan.size());

  // A request already in the log is answered with its entry, not appended again.
  Result<StoredEntry> repeat = ledger->Append(plan.request.at("L-07-3-1202"));
  INFO(repeat.status().ToString());
  REQUIRE(repeat.ok());
  CHECK(repeat->replayed);
  CHECK(repeat->entry.seq() == plan.seq.at("L-07-3-1202"));
  // So is a receipt already held (duplicate-receipt), a rule that reads the stored state.
  Result<StoredEntry> reused = ledger->Append(
      Pay(kLanting, "3-1302", 22500, "2026-11", 1, "2026-11-01", v1::FeePayment::bank, "R-L-1003"));
  CHECK(reused.status().slug() == "duplicate-receipt");

  // 5-0902 has paid nothing: its first payment shows in billing, by exactly its amount.
  const Json before = MustView(ledger->Billing(kLanting, "2026-11"));
  v1::Entry payment = Pay(kLanting, "5-0902", 19333, "2026-11", 1, "2026-11-01", v1::FeePayment::wechat, "R-L-1101");
  payment.set_idempotency_key("upgrade-check-5-0902-2026-11");
  StoredEntry appended = MustAppend(*ledger, payment);
  CHECK(appended.entry.seq() == size);
  CHECK(appended.entry.recorded_at_ms() >= kViewClockMs);
  const Json after = MustView(ledger->Billing(kLanting, "2026-11"));
  CHECK(FenOf(after.at("totals").at("collected")) - FenOf(before.at("totals").at("collected")) == 19333);
  const Head head = ledger->head();
  CHECK(head.tree_size == size + 1);
  const Json statement = MustView(SignedStatementJson(*ledger, kLanting, "2026"));

  ledger.reset();
  auto reopened = OpenFixtureLedger(dir / "data", clock, /*create=*/false);
  CHECK(HeadJson(reopened->head()) == HeadJson(head));
  CHECK(MustView(SignedStatementJson(*reopened, kLanting, "2026")) == statement);
  Result<StoredEntry> stored = reopened->ReadEntry(size);
  REQUIRE(stored.ok());
  CHECK(stored->entry.fee_payment().receipt_ref() == "R-L-1101");
}

}  // namespace
}  // namespace mingzhang
