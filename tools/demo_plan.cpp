#include "tools/demo_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/domain/domain.h"
#include "ledger/base/encoding.h"
#include "ledger/domain/tally.h"

namespace mingzhang::cli::demo {
namespace {

// SplitMix64: tiny, deterministic everywhere (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool PerMille(int64_t p) { return static_cast<int64_t>(Next() % 1000) < p; }
  // value × (100 ± pct)%.
  int64_t Noise(int64_t value, int pct) { return value * Between(100 - pct, 100 + pct) / 100; }
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Next() % i]);
  }

 private:
  uint64_t state_;
};

// Independent streams, so that changing one part of the plan leaves the others as they were.
enum Stream : uint64_t { kUnits = 1, kPayments, kSpending, kRevenue, kVotes, kEvaluations };
Rng StreamOf(size_t community, Stream s) { return Rng(kSeed ^ (community * 0x100 + s) * 0x9e3779b97f4a7c15ULL); }

std::string Day(MonthIndex month, int64_t day) {
  char buf[4];
  std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(day));
  return FormatMonth(month) + "-" + buf;
}

std::string UnitId(size_t i) {
  // 60 units per building: 15 floors of 4. "3-1202" is building 3, floor 12, door 02.
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zu-%02zu%02zu", i / 60 + 1, (i % 60) / 4 + 1, i % 4 + 1);
  return buf;
}

// The same unit as its residents write it: "3栋1202室".
std::string UnitLabel(size_t i) {
  return std::to_string(i / 60 + 1) + "栋" + std::to_string(((i % 60) / 4 + 1) * 100 + i % 4 + 1) + "室";
}

std::string Voucher(const std::string& text) { return HexEncode(AsBytes(Sha256(text))); }

struct CategorySpec {
  v1::Category category;
  int weight;  // percent of operating spending
  const char* payee;
  const char* what;
};

constexpr CategorySpec kCategories[] = {
    {v1::SECURITY, 30, "卫安保安服务有限公司", "秩序维护与门岗服务"},
    {v1::CLEANING, 24, "洁净家政服务有限公司", "公共区域保洁与垃圾清运"},
    {v1::UTILITIES, 16, "国网供电公司及自来水公司", "公共照明、电梯及二次供水水电费"},
    {v1::GREENERY, 10, "四季园林绿化工程有限公司", "绿化养护与补植"},
    {v1::REPAIR, 9, "安达设施维修有限公司", "共用设施设备日常维修"},
    {v1::ADMINISTRATION, 7, "本项目管理处", "办公耗材、通讯与财务审计"},
    {v1::INSURANCE, 4, "平安财产保险股份有限公司", "公众责任险及共用设施财产险（月摊）"},
};

const char* Method(Rng& rng) {
  int64_t r = rng.Between(0, 99);
  return r < 45 ? "wechat" : r < 75 ? "alipay" : r < 95 ? "bank" : "cash";
}

v1::Scores Scores(Rng& rng, int base) {
  auto one = [&] {
    int64_t r = rng.Between(0, 99);
    int64_t delta = r < 4 ? -2 : r < 20 ? -1 : r < 70 ? 0 : 1;
    return static_cast<uint32_t>(std::clamp<int64_t>(base + delta, 1, 5));
  };
  v1::Scores s;
  s.set_cleaning(one());
  s.set_security(one());
  s.set_greenery(one());
  s.set_repair(one());
  s.set_service(one());
  return s;
}

constexpr const char* kComments[] = {
    "保洁及时，楼道很干净。",
    "门岗对访客登记比较严格，安心。",
    "报修响应有点慢，希望改进。",
    "绿化修剪得不错。",
    "收费明细清楚，能看到每笔支出的凭证，很好。",
    "夜间巡逻可以再加强。",
};

void PlanUnits(Community& c, size_t index, size_t n) {
  Rng rng = StreamOf(index, kUnits);
  for (size_t i = 0; i < n; ++i) {
    // Mostly 80-140 m², some smaller flats and some large ones: 50-180 m² in all.
    int64_t r = rng.Between(0, 99);
    int64_t area = r < 15 ? rng.Between(5000, 7999) : r < 85 ? rng.Between(8000, 13999) : rng.Between(14000, 18000);
    c.units.push_back(Unit{UnitId(i), UnitLabel(i), area, false});
  }
}

// Payments, and the fee cash they bring in each month (by paid_on).
std::vector<int64_t> PlanPayments(Community& c, size_t index, MonthIndex start, int months) {
  Rng rng = StreamOf(index, kPayments);
  std::vector<size_t> order(c.units.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.Shuffle(order);
  size_t in_arrears = std::max<size_t>(1, static_cast<size_t>(std::llround(0.08 * static_cast<double>(c.units.size()))));
  std::vector<bool> arrears(c.units.size(), false);
  for (size_t i = 0; i < in_arrears; ++i) arrears[order[i]] = true;

  std::vector<int64_t> cash(static_cast<size_t>(months), 0);
  int receipt = 0;
  for (size_t u = 0; u < c.units.size(); ++u) {
    const Unit& unit = c.units[u];
    int64_t fee = MonthlyFeeFen(unit.area_centi_m2, c.rate_fen_per_m2_month);
    std::vector<std::pair<int, int>> blocks;  // (first month offset, months)
    if (arrears[u]) {
      int stop = static_cast<int>(rng.Between(0, months - 1));  // pays until it stops: arrears after
      for (int k = 0; k < stop; ++k) blocks.push_back({k, 1});
    } else {
      int64_t kind = rng.Between(0, 99);
      int step = kind < 75 ? 1 : kind < 92 ? 3 : months;
      for (int k = 0; k < months; k += step) blocks.push_back({k, std::min(step, months - k)});
    }
    for (auto [first, len] : blocks) {
      Payment p;
      p.unit_id = unit.id;
      p.amount = fee * len;
      p.period = FormatMonth(start + first);
      p.months = len;
      p.paid_on = Day(start + first, rng.Between(1, 25));
      p.method = Method(rng);
      char ref[64];
      std::snprintf(ref, sizeof ref, "%s-%s-%05d", c.id.c_str(), p.period.c_str(), ++receipt);
      p.receipt_ref = ref;
      p.key = "demo-pay-" + c.id + "-" + unit.id + "-" + p.period;
      cash[static_cast<size_t>(first)] += p.amount;
      c.payments.push_back(std::move(p));
    }
  }
  return cash;
}

void PlanRevenue(Community& c, size_t index, MonthIndex start, int months) {
  Rng rng = StreamOf(index, kRevenue);
  int64_t spaces = std::max<int64_t>(1, std::llround(0.3 * static_cast<double>(c.units.size())));
  int64_t buildings = std::max<int64_t>(1, static_cast<int64_t>(c.units.size()) / 60);
  for (int k = 0; k < months; ++k) {
    MonthIndex m = start + k;
    Revenue parking{v1::PublicRevenue::parking, rng.Noise(spaces * 12000, 10), "安泊停车管理有限公司",
                    Day(m, rng.Between(5, 12)), "PK-" + c.id + "-2025-01", "demo-rev-" + c.id + "-" + FormatMonth(m) + "-parking"};
    c.revenues.push_back(parking);
    if (k % 3 == 0) {
      Revenue ads{v1::PublicRevenue::advertising, rng.Noise(buildings * 360000, 8), "梯媒广告传媒有限公司",
                  Day(m, rng.Between(5, 12)), "AD-" + c.id + "-2025-03", "demo-rev-" + c.id + "-" + FormatMonth(m) + "-advertising"};
      c.revenues.push_back(ads);
    }
  }
}

void PlanSpending(Community& c, size_t index, MonthIndex start, int months, const std::vector<int64_t>& cash) {
  Rng rng = StreamOf(index, kSpending);
  int64_t billed_month = 0;
  for (const Unit& u : c.units) billed_month += MonthlyFeeFen(u.area_centi_m2, c.rate_fen_per_m2_month);
  if (c.remuneration_bp == 0) c.remuneration_fixed_fen = std::max<int64_t>(100, billed_month * 7 / 100 / 100 * 100);

  int64_t balance = 0;  // the FEES fund, month by month as the statements will show it
  for (int k = 0; k < months; ++k) {
    MonthIndex m = start + k;
    std::string month = FormatMonth(m);
    int64_t available = balance + cash[static_cast<size_t>(k)];
    // Remuneration: 9.5% of the month's fee cash under a 10% contract, or the fixed sum.
    int64_t remuneration = c.remuneration_bp > 0 ? cash[static_cast<size_t>(k)] * (c.remuneration_bp - 50) / 10000
                                                 : std::min(c.remuneration_fixed_fen, available);
    if (remuneration > 0) {
      Disbursement d;
      d.category = v1::REMUNERATION;
      d.amount = remuneration;
      d.payee = "华信物业服务有限公司";
      d.description = month + " 物业服务酬金（" +
                      (c.remuneration_bp > 0 ? std::to_string(c.remuneration_bp / 100) + "% 物业费收入" : std::string("固定酬金")) + "）";
      d.paid_on = Day(m, 28);
      d.key = "demo-disb-" + c.id + "-" + month + "-REMUNERATION";
      d.voucher_sha256 = Voucher("voucher|" + d.key + "|" + d.payee + "|" + std::to_string(d.amount));
      c.remuneration.push_back(d);
      available -= remuneration;
    }
    // Operating spending: about 78% of what the month bills, never more than 85% of the cash.
    int64_t operating = std::min(billed_month * 78 / 100, std::max<int64_t>(0, available) * 85 / 100);
    int64_t spent = 0;
    for (const CategorySpec& spec : kCategories) {
      int64_t amount = rng.Noise(operating * spec.weight / 100, 8);
      if (amount < 1) continue;
      Disbursement d;
      d.category = spec.category;
      d.amount = amount;
      d.payee = spec.payee;
      d.description = month + " " + spec.what;
      d.paid_on = Day(m, rng.Between(20, 27));
      d.key = "demo-disb-" + c.id + "-" + month + "-" + v1::Category_Name(spec.category);
      d.voucher_sha256 = Voucher("voucher|" + d.key + "|" + d.payee + "|" + std::to_string(d.amount) + "|发票号 " +
                                 std::to_string(rng.Between(10000000, 99999999)));
      c.spending.push_back(d);
      spent += amount;
    }
    balance = available - spent;
  }
}

v1::Tally Count(const Community& c, const std::vector<Ballot>& ballots, v1::Matter matter) {
  std::map<std::string, int64_t> area;
  int64_t total = 0;
  for (const Unit& u : c.units) {
    area[u.id] = u.area_centi_m2;
    total += u.area_centi_m2;
  }
  std::vector<CastBallot> cast;
  for (const Ballot& b : ballots) cast.push_back({area[b.unit_id], b.choice});
  return CountVotes(static_cast<int64_t>(c.units.size()), total, cast, matter);
}

v1::Choice Choice(Rng& rng, int yes, int no) {
  int64_t r = rng.Between(0, 99);
  return r < yes ? v1::YES : r < yes + no ? v1::NO : v1::ABSTAIN;
}

// Two proposals on PUBLIC_REVENUE: every unit votes on one, which passes and closes at once; 40%
// have voted on the other, which stays open until its closes_on. Voters get owner tokens.
void PlanGovernance(Community& c, size_t index, MonthIndex last) {
  Rng rng = StreamOf(index, kVotes);
  int64_t revenue = 0;
  for (const Revenue& r : c.revenues) revenue += r.amount;
  std::vector<size_t> order(c.units.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.Shuffle(order);

  Proposal play{"P-2026-01", "使用公共收益更新儿童游乐设施", v1::ORDINARY, v1::PUBLIC_REVENUE,
                std::max<int64_t>(100, revenue * 35 / 100 / 100 * 100), "", {}, true, true, true, {}};
  // A proposal closes before its closes_on only once every unit has voted.
  for (size_t i = 0; i < order.size(); ++i) play.ballots.push_back({c.units[order[i]].id, Choice(rng, 80, 13)});
  // Make sure it passes as planned: turn NO ballots into YES, in order, until it does.
  for (Ballot& b : play.ballots) {
    if (Count(c, play.ballots, play.matter).passed()) break;
    if (b.choice == v1::NO) b.choice = v1::YES;
  }
  Disbursement spend;
  spend.fund = v1::PUBLIC_REVENUE;
  spend.category = v1::OTHER;
  spend.amount = play.amount * 90 / 100;
  spend.payee = "童乐游乐设备有限公司";
  spend.description = "儿童游乐设施采购与安装（业主大会决议 R-" + play.id + "）";
  spend.paid_on = Day(last, 27);
  spend.resolution_id = "R-" + play.id;
  spend.key = "demo-pr-" + c.id + "-" + play.id + "-1";
  spend.voucher_sha256 = Voucher("voucher|" + spend.key + "|" + spend.payee + "|" + std::to_string(spend.amount));
  play.spending.push_back(spend);

  Proposal facade{"P-2026-02", "使用公共收益翻新外立面（专项）", v1::SPECIAL, v1::PUBLIC_REVENUE,
                  std::max<int64_t>(100, revenue * 50 / 100 / 100 * 100), "", {}, false, false, false, {}};
  // 40% of the units vote: a subset of the first proposal's voters, so no more tokens are needed.
  for (size_t i = 0; i < c.units.size() * 40 / 100; ++i) facade.ballots.push_back({c.units[order[i]].id, Choice(rng, 70, 20)});

  for (const Ballot& b : play.ballots) {
    for (Unit& u : c.units) {
      if (u.id == b.unit_id) u.owner_token = true;
    }
  }
  play.expect_quorum = Count(c, play.ballots, play.matter).quorum_met();
  play.expect_pass = Count(c, play.ballots, play.matter).passed();
  facade.expect_quorum = Count(c, facade.ballots, facade.matter).quorum_met();
  facade.expect_pass = Count(c, facade.ballots, facade.matter).passed();
  c.proposals.push_back(std::move(play));
  c.proposals.push_back(std::move(facade));
}

// Owners evaluate about 30% of the payments; only units with owner tokens evaluate.
void PlanEvaluations(Community& c, size_t index, int base_score) {
  Rng rng = StreamOf(index, kEvaluations);
  if (c.proposals.empty()) {  // no voters here: 40% of the units evaluate
    std::vector<size_t> order(c.units.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    rng.Shuffle(order);
    for (size_t i = 0; i < std::max<size_t>(1, c.units.size() * 40 / 100); ++i) c.units[order[i]].owner_token = true;
  }
  std::map<std::string, bool> token;
  for (const Unit& u : c.units) token[u.id] = u.owner_token;
  int64_t eligible = 0;
  for (const Payment& p : c.payments) eligible += token[p.unit_id] ? 1 : 0;
  if (eligible == 0) return;
  int64_t per_mille = std::min<int64_t>(1000, static_cast<int64_t>(c.payments.size()) * 300 / eligible);
  for (Payment& p : c.payments) {
    if (!token[p.unit_id] || !rng.PerMille(per_mille)) continue;
    p.evaluated = true;
    p.scores = Scores(rng, base_score);
    if (rng.PerMille(400)) p.comment = kComments[rng.Next() % (sizeof kComments / sizeof kComments[0])];
  }
}

}  // namespace

Plan MakePlan(double scale) {
  Plan plan;
  plan.scale = scale;
  plan.months = static_cast<int>(std::clamp<long long>(std::llround(kFullMonths * scale), 3, kFullMonths));
  size_t units = static_cast<size_t>(std::max<long long>(10, std::llround(kFullUnitsPerCommunity * scale)));
  plan.firm_id = "huaxin-wuye";
  plan.firm_name = "华信物业服务有限公司";
  MonthIndex start = ParseMonth(kStartMonth).value();
  MonthIndex last = start + plan.months - 1;

  Community lanting;
  lanting.id = "lanting";
  lanting.name = "兰亭苑";
  lanting.rate_fen_per_m2_month = 250;
  lanting.remuneration_bp = 1000;
  Community meilin;
  meilin.id = "meilin";
  meilin.name = "梅林花园";
  meilin.rate_fen_per_m2_month = 320;  // a fixed remuneration, set from what it bills
  plan.communities = {std::move(lanting), std::move(meilin)};

  for (size_t i = 0; i < plan.communities.size(); ++i) {
    Community& c = plan.communities[i];
    PlanUnits(c, i, units);
    std::vector<int64_t> cash = PlanPayments(c, i, start, plan.months);
    PlanRevenue(c, i, start, plan.months);
    PlanSpending(c, i, start, plan.months, cash);
    if (i == 0) PlanGovernance(c, i, last);
    PlanEvaluations(c, i, i == 0 ? 4 : 3);
  }
  // owner.token: a unit of the first community that voted and evaluated.
  const Community& first = plan.communities[0];
  for (const Payment& p : first.payments) {
    if (p.evaluated) {
      plan.owner_unit = p.unit_id;
      break;
    }
  }
  if (plan.owner_unit.empty()) plan.owner_unit = first.proposals[0].ballots[0].unit_id;
  return plan;
}

}  // namespace mingzhang::cli::demo
