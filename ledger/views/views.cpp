// Statements, billing, owner accounts and evaluation summaries from the kept aggregates.
#include "ledger/views/views.h"

#include <algorithm>
#include <array>

#include "ledger/domain/shares.h"

namespace mingzhang {
namespace {

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

FundLine FundOf(const CommunityState& c, v1::Fund fund, const Period& period) {
  FundLine line;
  line.fund = fund;
  line.opening_balance_fen = AccountSum(c, fund, kCashAccount, kBeforeAll, period.first - 1);
  for (const auto& [source, fen] : AccountsByPrefix(c, fund, "income:", period.first, period.last)) {
    if (fen == 0) continue;
    line.income_by_source_fen[source] = -fen;
    line.income_fen += -fen;
  }
  for (const auto& [category, fen] : AccountsByPrefix(c, fund, "expense:", period.first, period.last)) {
    if (fen == 0) continue;
    line.disbursed_by_category_fen[category] = fen;
    line.disbursed_fen += fen;
  }
  line.closing_balance_fen = line.opening_balance_fen + line.income_fen - line.disbursed_fen;
  return line;
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
struct BillingSums {
  int64_t billed = 0, collected = 0, billed_due = 0, collected_due = 0, in_arrears = 0;
  int64_t rate_bp() const {
    return billed_due == 0 ? 0 : static_cast<int64_t>(static_cast<__int128>(collected_due) * 10000 / billed_due);
  }
};

BillingSums Totals(const CommunityState& c, const Period& period, const Date& as_of) {
  BillingSums t;
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

BillingTotals TotalsOf(const CommunityState& c, const BillingSums& t) {
  BillingTotals out;
  out.units = static_cast<int64_t>(c.units.size());
  out.due_day = c.registration.due_day();
  out.billed_fen = t.billed;
  out.collected_fen = t.collected;
  out.billed_due_fen = t.billed_due;
  out.collected_due_fen = t.collected_due;
  out.collection_rate_bp = t.rate_bp();
  out.units_in_arrears = t.in_arrears;
  return out;
}

RemunerationLine RemunerationOf(const CommunityState& c, const Period& period) {
  int64_t fee_income_to_date = -AccountSum(c, v1::FEES, kFeeIncomeAccount, kBeforeAll, period.last);
  RemunerationLine line;
  const v1::Remuneration& r = c.registration.remuneration();
  if (r.has_basis_points_of_fee_income()) {
    line.basis_points_of_fee_income = r.basis_points_of_fee_income();
  } else {
    line.fixed_fen_per_month = r.fixed_fen_per_month();
  }
  line.allowed_to_date_fen = RemunerationAllowed(c, period.last, fee_income_to_date);
  line.taken_to_date_fen = AccountSum(c, v1::FEES, "expense:REMUNERATION", kBeforeAll, period.last);
  line.taken_in_period_fen = AccountSum(c, v1::FEES, "expense:REMUNERATION", period.first, period.last);
  return line;
}

// The payments not reversed whose paid_on is in P, those of them evaluated and their scores:
// summed over P's months of the community's per-month activity.
EvaluationStats EvaluationsOf(const CommunityState& c, const Period& period) {
  EvaluationStats out;
  std::array<int64_t, 5> sums{};
  for (auto it = c.months.lower_bound(period.first); it != c.months.end() && it->first <= period.last; ++it) {
    const MonthActivity& m = it->second;
    out.payments += m.payments;
    out.evaluated_payments += m.evaluated;
    for (int i = 0; i < 5; ++i) sums[i] += m.score_sums[i];
  }
  const int64_t evaluated = out.evaluated_payments;
  for (int i = 0; i < 5; ++i) out.mean_x100[i] = evaluated == 0 ? 0 : sums[i] * 100 / evaluated;
  out.coverage_bp = out.payments == 0 ? 0 : evaluated * 10000 / out.payments;
  return out;
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

Result<StatementView> StatementBody(StateReader& state, const std::string& community_id, const Period& period,
                                    const Checkpoint& checkpoint, const Date& today) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  StatementView s;
  s.format = kStatementFormat;
  s.community_id = community_id;
  s.firm_id = c->registration.firm_id();
  s.period = period;
  s.as_of = ViewAsOf(period, today);
  s.checkpoint = Checkpoint{checkpoint.origin, checkpoint.tree_size, checkpoint.root_hash, {}};
  s.funds = {FundOf(*c, v1::FEES, period), FundOf(*c, v1::PUBLIC_REVENUE, period)};
  s.remuneration = RemunerationOf(*c, period);
  s.billing = TotalsOf(*c, Totals(*c, period, s.as_of));
  s.evaluations = EvaluationsOf(*c, period);
  s.entries_count = c->entries;
  s.entries_digest = c->entries_digest;
  return s;
}

StatementView StatementAsV2(StatementView body, const Hash& legacy_digest) {
  body.format = kStatementFormatV2;
  body.entries_digest = legacy_digest;
  return body;
}

Result<BillingView> BillingOf(StateReader& state, const std::string& community_id, const Period& period,
                                  const Date& today) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  BillingView out;
  out.community_id = community_id;
  out.period = period;
  out.as_of = ViewAsOf(period, today);
  const MonthIndex due_through = DueThrough(*c, period, out.as_of);
  for (const auto& [id, u] : c->units) {
    out.units.push_back({id, u.area_centi_m2, MonthlyFeeFen(u.area_centi_m2, c->registration.fee_rate_fen_per_m2_month()),
                         UnitBilledFen(*c, u, period.first, period.last), UnitPaidFen(u, period.first, period.last),
                         UnitArrearsFen(*c, u, due_through, out.as_of, period)});
  }
  out.totals = TotalsOf(*c, Totals(*c, period, out.as_of));
  return out;
}

namespace {

// The FEES disbursements paid in P (a community's are a few hundred a year: all are read, the
// period's kept), and what each category cost, by category.
Status AddFeeSpending(StateReader& state, const std::string& community_id, const Period& period,
                      std::vector<SpendingItem>& items, std::vector<CategoryAmount>& spent) {
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  for (const auto& [seq, d] : disbursements) {
    if (d.reversed || d.body.fund() != v1::FEES || !period.Contains(d.paid_on.month_index())) continue;
    // The category by value: clang before 16 cannot capture a structured binding.
    auto it = std::find_if(spent.begin(), spent.end(),
                           [category = d.body.category()](auto& s) { return s.category == category; });
    if (it == spent.end()) it = spent.insert(spent.end(), CategoryAmount{d.body.category(), 0});
    it->fen += d.body.amount();
    items.push_back({seq, d.body.category(), d.body.amount(), d.body.payee(), d.body.description(), d.paid_on,
                     d.body.voucher_sha256()});
  }
  std::sort(spent.begin(), spent.end(), [](auto& a, auto& b) { return a.category < b.category; });
  return OkStatus();
}

}  // namespace

Result<OwnerAccountView> OwnerAccountOf(StateReader& state, const std::string& community_id,
                                        const std::string& unit_id, const Period& period, const Date& today) {
  const Date as_of = ViewAsOf(period, today);
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kPaidMonths));
  auto unit = c->units.find(unit_id);
  if (unit == c->units.end()) return NotFound("unknown-unit", "no unit " + unit_id + " in this community");
  const UnitState& u = unit->second;
  OwnerAccountView a;
  a.community_id = community_id;
  a.unit_id = unit_id;
  a.period = period;
  a.as_of = as_of;
  a.area_centi_m2 = u.area_centi_m2;
  a.monthly_fee_fen = MonthlyFeeFen(u.area_centi_m2, c->registration.fee_rate_fen_per_m2_month());
  a.billed_fen = UnitBilledFen(*c, u, period.first, period.last);
  a.paid_fen = UnitPaidFen(u, period.first, period.last);
  a.owed_fen = std::max<int64_t>(0, a.billed_fen - a.paid_fen);
  a.arrears_to_date_fen = UnitArrearsFen(*c, u, DueThrough(*c, period, as_of), as_of, period);
  // Fee income two ways: paid for the period's months (the basis of the owner's shares, like
  // `paid`), and paid on the period's days (the statement's FEES income).
  a.fee_income_for_months_fen = Totals(*c, period, as_of).collected;
  a.fee_income_by_paid_on_fen = -AccountSum(*c, v1::FEES, kFeeIncomeAccount, period.first, period.last);
  std::vector<CategoryAmount> spent;
  MZ_RETURN_IF_ERROR(AddFeeSpending(state, community_id, period, a.spending_items, spent));
  OwnerShares split = SplitOwnerPayment(a.paid_fen, std::max(a.fee_income_for_months_fen, a.paid_fen), spent);
  for (size_t i = 0; i < spent.size(); ++i) {
    a.shares.push_back({spent[i].category, spent[i].fen, split.shares[i].fen});
    a.community_spent_fen += spent[i].fen;
  }
  a.unspent_fen = split.unspent_fen;
  MZ_ASSIGN_OR_RETURN(const auto unit_payments, state.UnitPayments(community_id, unit_id));
  for (const auto& [seq, p] : unit_payments) {
    if (PaymentPaidFen(p, period.first, period.last) == 0) continue;
    a.payments.push_back({seq, p.amount, p.first_month, p.months, p.paid_on, p.receipt_ref, p.evaluation_seq.has_value()});
  }
  return a;
}

Result<EvaluationSummaryView> EvaluationSummaryOf(StateReader& state, const std::string& community_id,
                                                const Period& period) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  return EvaluationSummaryView{community_id, period, EvaluationsOf(*c, period)};
}

}  // namespace mingzhang
