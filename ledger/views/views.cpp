// Statements, billing, owner accounts and evaluation summaries from the kept aggregates.
#include "ledger/views/views.h"

#include <algorithm>
#include <array>

#include "ledger/base/encoding.h"
#include "ledger/domain/shares.h"

namespace mingzhang {
namespace {

using nlohmann::json;

std::string Fen(int64_t fen) { return std::to_string(fen); }

// Sum of a (fund, account) over months [first, last].
int64_t AccountSum(const CommunityState& c, v1::Fund fund, const std::string& account, MonthIndex first,
                   MonthIndex last) {
  int64_t total = 0;
  auto it = c.balances.lower_bound({fund, account, first});
  for (; it != c.balances.end(); ++it) {
    const auto& [f, a, m] = it->first;
    if (f != fund || a != account || m > last) break;
    total += it->second;
  }
  return total;
}

// Every account of a fund that starts with `prefix`, summed over months [first, last].
std::map<std::string, int64_t> AccountsByPrefix(const CommunityState& c, v1::Fund fund, const std::string& prefix,
                                                MonthIndex first, MonthIndex last) {
  std::map<std::string, int64_t> out;
  for (const auto& [key, fen] : c.balances) {
    const auto& [f, account, month] = key;
    if (f != fund || account.rfind(prefix, 0) != 0 || month < first || month > last) continue;
    out[account.substr(prefix.size())] += fen;
  }
  return out;
}

constexpr MonthIndex kBeforeAll = 0;

json FundJson(const CommunityState& c, v1::Fund fund, const Period& period) {
  int64_t opening = AccountSum(c, fund, kCashAccount, kBeforeAll, period.first - 1);
  json income_by_source = json::object();
  json disbursed_by_category = json::object();
  int64_t income = 0, disbursed = 0;
  for (const auto& [source, fen] : AccountsByPrefix(c, fund, "income:", period.first, period.last)) {
    if (fen == 0) continue;
    income_by_source[source] = Fen(-fen);
    income += -fen;
  }
  for (const auto& [category, fen] : AccountsByPrefix(c, fund, "expense:", period.first, period.last)) {
    if (fen == 0) continue;
    disbursed_by_category[category] = Fen(fen);
    disbursed += fen;
  }
  return json{{"fund", v1::Fund_Name(fund)},
              {"opening_balance", Fen(opening)},
              {"income", Fen(income)},
              {"income_by_source", income_by_source},
              {"disbursed", Fen(disbursed)},
              {"disbursed_by_category", disbursed_by_category},
              {"closing_balance", Fen(opening + income - disbursed)}};
}

int64_t UnitBilledFen(const CommunityState& c, const UnitState& u, MonthIndex first, MonthIndex last) {
  int64_t months = std::max<int64_t>(0, last - std::max(first, c.start_month) + 1);
  return months * MonthlyFeeFen(u.area_centi_m2, c.registration.fee_rate_fen_per_m2_month());
}

int64_t UnitPaidFen(const UnitState& u, MonthIndex first, MonthIndex last) { return u.paid_by_month.Sum(first, last); }

// Arrears as of `as_of`: billed − paid from the start month through `through`, the period's last
// month past due on as_of; none for a period that has not started (today, the day after as_of,
// is before its first day).
int64_t UnitArrearsFen(const CommunityState& c, const UnitState& u, MonthIndex through, const Date& as_of,
                       const Period& period) {
  if (as_of.days_since_epoch() + 1 < Date{period.first / 12, period.first % 12 + 1, 1}.days_since_epoch()) return 0;
  int64_t owed = UnitBilledFen(c, u, c.start_month, through) - UnitPaidFen(u, c.start_month, through);
  return std::max<int64_t>(0, owed);
}

// The last month of `period` whose fee is past due as of `as_of` (before period.first when none is).
MonthIndex DueThrough(const CommunityState& c, const Period& period, const Date& as_of) {
  return std::min(period.last, LastMonthDue(c, as_of));
}

// billed and collected: every month of the period (what is or will be billed); billed_due and
// collected_due: only its months past due as of the view's date, which alone count in the
// collection rate and in arrears.
struct BillingTotals {
  int64_t billed = 0, collected = 0, billed_due = 0, collected_due = 0, in_arrears = 0;
  int64_t rate_bp() const {
    return billed_due == 0 ? 0 : static_cast<int64_t>(static_cast<__int128>(collected_due) * 10000 / billed_due);
  }
};

BillingTotals Totals(const CommunityState& c, const Period& period, const Date& as_of) {
  BillingTotals t;
  const MonthIndex due_through = DueThrough(c, period, as_of);
  for (const auto& [id, u] : c.units) {
    t.billed += UnitBilledFen(c, u, period.first, period.last);
    t.collected += UnitPaidFen(u, period.first, period.last);
    t.billed_due += UnitBilledFen(c, u, period.first, due_through);
    t.collected_due += UnitPaidFen(u, period.first, due_through);
    if (UnitArrearsFen(c, u, due_through, as_of, period) > 0) ++t.in_arrears;
  }
  return t;
}

json TotalsJson(const CommunityState& c, const BillingTotals& t) {
  return json{{"units", c.units.size()},
              {"due_day", c.registration.due_day()},
              {"billed", Fen(t.billed)},
              {"collected", Fen(t.collected)},
              {"billed_due", Fen(t.billed_due)},
              {"collected_due", Fen(t.collected_due)},
              {"collection_rate_bp", t.rate_bp()},
              {"units_in_arrears", t.in_arrears}};
}

json RemunerationJson(const CommunityState& c, const Period& period) {
  int64_t fee_income_to_date = -AccountSum(c, v1::FEES, kFeeIncomeAccount, kBeforeAll, period.last);
  int64_t taken_to_date = AccountSum(c, v1::FEES, "expense:REMUNERATION", kBeforeAll, period.last);
  int64_t taken_in_period = AccountSum(c, v1::FEES, "expense:REMUNERATION", period.first, period.last);
  const v1::Remuneration& r = c.registration.remuneration();
  json rule = r.has_basis_points_of_fee_income()
                  ? json{{"basis_points_of_fee_income", r.basis_points_of_fee_income()}}
                  : json{{"fixed_fen_per_month", Fen(r.fixed_fen_per_month())}};
  return json{{"rule", rule},
              {"allowed_to_date", Fen(RemunerationAllowed(c, period.last, fee_income_to_date))},
              {"taken_to_date", Fen(taken_to_date)},
              {"taken_in_period", Fen(taken_in_period)}};
}

// The payments not reversed whose paid_on is in P, those of them evaluated and their scores:
// summed over P's months of the community's per-month activity.
json EvaluationJson(const CommunityState& c, const Period& period) {
  int64_t payments = 0, evaluated = 0;
  std::array<int64_t, 5> sums{};
  for (auto it = c.months.lower_bound(period.first); it != c.months.end() && it->first <= period.last; ++it) {
    const MonthActivity& m = it->second;
    payments += m.payments;
    evaluated += m.evaluated;
    for (int i = 0; i < 5; ++i) sums[i] += m.score_sums[i];
  }
  json mean = json::object();
  const char* names[5] = {"cleaning", "security", "greenery", "repair", "service"};
  for (int i = 0; i < 5; ++i) mean[names[i]] = evaluated == 0 ? 0 : sums[i] * 100 / evaluated;
  return json{{"count", evaluated},
              {"mean_x100", mean},
              {"payments", payments},
              {"evaluated_payments", evaluated},
              {"coverage_bp", payments == 0 ? 0 : evaluated * 10000 / payments}};
}

}  // namespace

Date ViewAsOf(const Period& period, const Date& today) {
  constexpr int64_t kDayMs = 86'400'000;
  // Midnight UTC of a day is 08:00 of the same day in China Standard Time.
  const Date yesterday = DateOfUnixMs((today.days_since_epoch() - 1) * kDayMs);
  return std::min(LastDayOf(period.last), yesterday);
}

Result<const CommunityState*> CommunityIfRegistered(StateReader& state, const std::string& id, UnitDetail detail) {
  Result<const CommunityState*> c = state.Community(id, detail);
  if (!c.ok() && c.status().code() == Code::kNotFound) return static_cast<const CommunityState*>(nullptr);
  return c;
}

Status CheckCredentialScope(StateReader& state, const v1::Credential& credential) {
  for (const std::string& id : credential.community_ids()) {
    MZ_ASSIGN_OR_RETURN(const CommunityState* c, CommunityIfRegistered(state, id, UnitDetail::kAreas));
    if (c == nullptr) return NotFound("unknown-community", "no community " + id);
    if (credential.role() == v1::firm && c->registration.firm_id() != credential.principal_id()) {
      return InvalidArgument("bad-credential", "community " + id + " is served by firm " +
                                                   c->registration.firm_id() + ", not " + credential.principal_id());
    }
    for (const std::string& unit : credential.unit_ids()) {
      if (!c->units.count(unit)) return NotFound("unknown-unit", "no unit " + unit + " in community " + id);
    }
  }
  return OkStatus();
}

Result<json> StatementBody(StateReader& state, const std::string& community_id, const Period& period,
                           const Checkpoint& checkpoint, const Date& today) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  const Date as_of = ViewAsOf(period, today);
  BillingTotals billing = Totals(*c, period, as_of);
  return json{
      {"format", kStatementFormat},
      {"community_id", community_id},
      {"as_of", FormatDate(as_of)},
      {"firm_id", c->registration.firm_id()},
      {"period", period.text},
      {"checkpoint",
       {{"origin", checkpoint.origin},
        {"tree_size", std::to_string(checkpoint.tree_size)},
        {"root_hash", Base64Encode(AsBytes(checkpoint.root_hash))}}},
      {"funds", json::array({FundJson(*c, v1::FEES, period), FundJson(*c, v1::PUBLIC_REVENUE, period)})},
      {"remuneration", RemunerationJson(*c, period)},
      {"billing", TotalsJson(*c, billing)},
      {"evaluations", EvaluationJson(*c, period)},
      {"entries_count", c->entries},
      {"entries_digest", HexEncode(AsBytes(c->entries_digest))}};
}

json StatementAsV2(json body, const Hash& legacy_digest) {
  body["format"] = kStatementFormatV2;
  body["entries_digest"] = HexEncode(AsBytes(legacy_digest));
  return body;
}

Result<json> BillingView(StateReader& state, const std::string& community_id, const Period& period,
                         const Date& today) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  const Date as_of = ViewAsOf(period, today);
  const MonthIndex due_through = DueThrough(*c, period, as_of);
  json units = json::array();
  for (const auto& [id, u] : c->units) {
    units.push_back({{"unit_id", id},
                     {"area_centi_m2", u.area_centi_m2},
                     {"monthly_fee", Fen(MonthlyFeeFen(u.area_centi_m2, c->registration.fee_rate_fen_per_m2_month()))},
                     {"billed", Fen(UnitBilledFen(*c, u, period.first, period.last))},
                     {"paid", Fen(UnitPaidFen(u, period.first, period.last))},
                     {"arrears_to_date", Fen(UnitArrearsFen(*c, u, due_through, as_of, period))}});
  }
  return json{{"community_id", community_id},
              {"period", period.text},
              {"as_of", FormatDate(as_of)},
              {"units", units},
              {"totals", TotalsJson(*c, Totals(*c, period, as_of))}};
}

Result<json> OwnerAccountView(StateReader& state, const std::string& community_id, const std::string& unit_id,
                              const Period& period, const Date& today) {
  const Date as_of = ViewAsOf(period, today);
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  auto unit = c->units.find(unit_id);
  if (unit == c->units.end()) return NotFound("unknown-unit", "no unit " + unit_id + " in this community");
  const UnitState& u = unit->second;
  int64_t billed = UnitBilledFen(*c, u, period.first, period.last);
  int64_t paid = UnitPaidFen(u, period.first, period.last);
  // Fee income two ways: paid for the period's months (the basis of the owner's shares, like
  // `paid`), and paid on the period's days (the statement's FEES income).
  int64_t income = Totals(*c, period, as_of).collected;
  int64_t income_by_paid_on = -AccountSum(*c, v1::FEES, kFeeIncomeAccount, period.first, period.last);
  std::vector<CategoryAmount> spent;
  json items = json::array();
  // A community's disbursements are a few hundred a year: read them all, keep the period's.
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  for (const auto& [seq, d] : disbursements) {
    if (d.reversed || d.body.fund() != v1::FEES || !period.Contains(d.paid_on.month_index())) continue;
    // The category by value: clang before 16 cannot capture a structured binding.
    auto it = std::find_if(spent.begin(), spent.end(),
                           [category = d.body.category()](auto& s) { return s.category == category; });
    if (it == spent.end()) it = spent.insert(spent.end(), CategoryAmount{d.body.category(), 0});
    it->fen += d.body.amount();
    items.push_back({{"seq", std::to_string(seq)},
                     {"category", v1::Category_Name(d.body.category())},
                     {"amount", Fen(d.body.amount())},
                     {"payee", d.body.payee()},
                     {"description", d.body.description()},
                     {"paid_on", d.body.paid_on()},
                     {"voucher_sha256", d.body.voucher_sha256()}});
  }
  std::sort(spent.begin(), spent.end(), [](auto& a, auto& b) { return a.category < b.category; });
  OwnerShares split = SplitOwnerPayment(paid, std::max(income, paid), spent);
  json shares = json::array();
  for (size_t i = 0; i < spent.size(); ++i) {
    shares.push_back({{"category", v1::Category_Name(spent[i].category)},
                      {"spent", Fen(spent[i].fen)},
                      {"share", Fen(split.shares[i].fen)}});
  }
  json payments = json::array();
  MZ_ASSIGN_OR_RETURN(const auto unit_payments, state.UnitPayments(community_id, unit_id));
  for (const auto& [seq, p] : unit_payments) {
    if (PaymentPaidFen(p, period.first, period.last) == 0) continue;
    payments.push_back({{"seq", std::to_string(seq)},
                        {"amount", Fen(p.amount)},
                        {"period", FormatMonth(p.first_month)},
                        {"months", p.months},
                        {"paid_on", FormatDate(p.paid_on)},
                        {"receipt_ref", p.receipt_ref},
                        {"evaluated", p.evaluation_seq.has_value()}});
  }
  int64_t spent_total = 0;
  for (const CategoryAmount& s : spent) spent_total += s.fen;
  return json{{"community_id", community_id},
              {"unit_id", unit_id},
              {"period", period.text},
              {"as_of", FormatDate(as_of)},
              {"area_centi_m2", u.area_centi_m2},
              {"monthly_fee", Fen(MonthlyFeeFen(u.area_centi_m2, c->registration.fee_rate_fen_per_m2_month()))},
              {"billed", Fen(billed)},
              {"paid", Fen(paid)},
              {"owed", Fen(std::max<int64_t>(0, billed - paid))},
              {"arrears_to_date", Fen(UnitArrearsFen(*c, u, DueThrough(*c, period, as_of), as_of, period))},
              {"fee_income_for_months", Fen(income)},
              {"fee_income_by_paid_on", Fen(income_by_paid_on)},
              {"community_spent", Fen(spent_total)},
              {"shares", shares},
              {"unspent", Fen(split.unspent_fen)},
              {"spending_items", items},
              {"payments", payments}};
}

Result<json> EvaluationSummary(StateReader& state, const std::string& community_id, const Period& period) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  json out = EvaluationJson(*c, period);
  out["community_id"] = community_id;
  out["period"] = period.text;
  return out;
}

}  // namespace mingzhang
