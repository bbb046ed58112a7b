// Applying accepted entries to the domain state: registries, money postings, votes, reversals.
#include "ledger/domain.h"

#include "ledger/keys.h"
#include "ledger/tally.h"

namespace mingzhang {
namespace {

MonthIndex MonthOf(const std::string& date) {
  Result<Date> d = ParseDate(date);
  return d.ok() ? d->month_index() : 0;  // entries in the log were checked when appended
}

Date DateOf(const std::string& text) {
  Result<Date> d = ParseDate(text);
  return d.ok() ? *d : Date{};
}

std::string SourceAccount(v1::PublicRevenue::Source source) {
  return "income:" + v1::PublicRevenue::Source_Name(source);
}

}  // namespace

std::optional<ReversalTarget> FindReversalTarget(const CommunityState& c, uint64_t seq) {
  ReversalTarget t;
  if (auto p = c.payments.find(seq); p != c.payments.end()) {
    t.reversed = p->second.reversed;
    t.author = p->second.author;
    t.original.mutable_fee_payment()->set_amount(p->second.amount);
    t.original.mutable_fee_payment()->set_paid_on(FormatDate(p->second.paid_on));
  } else if (auto d = c.disbursements.find(seq); d != c.disbursements.end()) {
    t.reversed = d->second.reversed;
    t.author = d->second.author;
    *t.original.mutable_disbursement() = d->second.body;
  } else if (auto r = c.revenues.find(seq); r != c.revenues.end()) {
    t.reversed = r->second.reversed;
    t.author = r->second.author;
    *t.original.mutable_public_revenue() = r->second.body;
  } else {
    return std::nullopt;
  }
  return t;
}

v1::Tally LiveTally(const CommunityState& c, const ProposalState& p) {
  std::vector<CastBallot> ballots;
  for (const auto& [unit, choice] : p.ballots) ballots.push_back({c.units.at(unit).area_centi_m2, choice});
  return CountVotes(static_cast<int64_t>(c.units.size()), c.total_area_centi_m2, ballots, p.body.matter());
}

Date LastDayOf(MonthIndex month) {
  const int year = month / 12, mon = month % 12 + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return Date{year, mon, mon == 2 && leap ? 29 : kDays[mon - 1]};
}

Date DueDate(const CommunityState& c, MonthIndex month) {
  Date due = LastDayOf(month);
  const uint32_t due_day = c.registration.due_day();
  if (due_day >= 1 && due_day <= kDueDayMax) due.day = static_cast<int>(due_day);
  return due;
}

MonthIndex LastMonthDue(const CommunityState& c, const Date& as_of) {
  const MonthIndex month = as_of.month_index();
  return as_of >= DueDate(c, month) ? month : month - 1;
}

std::string CategoryAccount(v1::Category category) { return "expense:" + v1::Category_Name(category); }

std::vector<Posting> PostingsOf(const v1::Entry& entry) {
  if (entry.has_fee_payment()) {
    const v1::FeePayment& p = entry.fee_payment();
    MonthIndex m = MonthOf(p.paid_on());
    return {{v1::FEES, kCashAccount, m, p.amount()}, {v1::FEES, kFeeIncomeAccount, m, -p.amount()}};
  }
  if (entry.has_disbursement()) {
    const v1::Disbursement& d = entry.disbursement();
    MonthIndex m = MonthOf(d.paid_on());
    return {{d.fund(), CategoryAccount(d.category()), m, d.amount()}, {d.fund(), kCashAccount, m, -d.amount()}};
  }
  if (entry.has_public_revenue()) {
    const v1::PublicRevenue& r = entry.public_revenue();
    MonthIndex m = MonthOf(r.received_on());
    return {{v1::PUBLIC_REVENUE, kCashAccount, m, r.amount()},
            {v1::PUBLIC_REVENUE, SourceAccount(r.source()), m, -r.amount()}};
  }
  return {};
}

int64_t MonthlyFeeFen(int64_t area_centi_m2, int64_t rate_fen_per_m2_month) {
  // Both are bounded (kUnitAreaCentiM2Max × kFeeRateFenPerM2MonthMax < 2^63).
  return (area_centi_m2 * rate_fen_per_m2_month + 50) / 100;
}

int64_t PaymentPartForMonth(const PaymentState& p, MonthIndex month) {
  if (p.reversed || month < p.first_month || month >= p.first_month + p.months) return 0;
  int64_t part = p.amount / p.months;
  return month == p.first_month ? part + p.amount % p.months : part;
}

int64_t PaymentPaidFen(const PaymentState& p, MonthIndex first, MonthIndex last) {
  int64_t paid = 0;
  for (MonthIndex m = std::max(first, p.first_month); m <= last && m < p.first_month + p.months; ++m) {
    paid += PaymentPartForMonth(p, m);
  }
  return paid;
}

namespace {

// Adds (sign +1) or takes back (-1) a payment's parts in its unit's paid_by_month.
void CountPaidMonths(CommunityState& c, const PaymentState& p, int sign) {
  std::map<MonthIndex, int64_t>& paid = c.units.at(p.unit_id).paid_by_month;
  for (MonthIndex m = p.first_month; m < p.first_month + p.months; ++m) paid[m] += sign * PaymentPartForMonth(p, m);
}

}  // namespace

int64_t RemunerationAllowed(const CommunityState& c, MonthIndex through_month, int64_t fee_income) {
  const v1::Remuneration& r = c.registration.remuneration();
  if (r.has_basis_points_of_fee_income()) {
    return static_cast<int64_t>(static_cast<__int128>(fee_income) * r.basis_points_of_fee_income() / 10000);
  }
  int64_t months = std::max<int64_t>(0, through_month - c.start_month + 1);
  return static_cast<int64_t>(std::min<__int128>(static_cast<__int128>(months) * r.fixed_fen_per_month(),
                                                 std::numeric_limits<int64_t>::max()));
}

std::string BalanceKey(const std::string& community, v1::Fund fund, const std::string& account, MonthIndex month) {
  return "b" + community + '\0' + v1::Fund_Name(fund) + '\0' + account + '\0' + FormatMonth(month);
}

const CommunityState* Domain::community(const std::string& id) const {
  auto it = communities_.find(id);
  return it == communities_.end() ? nullptr : &it->second;
}

const std::set<std::string>* Domain::VoucherCommunities(const std::string& sha256_hex) const {
  auto it = voucher_communities_.find(sha256_hex);
  return it == voucher_communities_.end() ? nullptr : &it->second;
}

Status Domain::Admit(v1::Entry& entry, bool* changed) const {
  *changed = false;
  MZ_RETURN_IF_ERROR(Check(entry));
  if (entry.has_proposal_close()) {
    const CommunityState& c = communities_.at(entry.community_id());
    const ProposalState& p = c.proposals.at(entry.proposal_close().proposal_id());
    v1::ProposalClose* close = entry.mutable_proposal_close();
    *close->mutable_tally() = LiveTally(c, p);
    if (close->tally().passed()) close->set_resolution_id("R-" + close->proposal_id());
    *changed = true;
  }
  return OkStatus();
}

void Domain::Record(const v1::Entry& entry, const Hash& leaf_hash) {
  if (entry.has_firm()) {
    firms_[entry.firm().firm_id()].name = entry.firm().name();
    return;
  }
  if (entry.has_community()) {
    CommunityState& c = communities_[entry.community_id()];
    c.community_id = entry.community_id();
    c.registration = entry.community();
    c.start_month = ParseMonth(entry.community().start_month()).value();
    c.registered_on = DateOfUnixMs(entry.recorded_at_ms());
    firms_[c.registration.firm_id()].communities.push_back(entry.community_id());
  }
  auto it = communities_.find(entry.community_id());
  if (it == communities_.end()) return;  // replaying a partial log (a statement at an earlier size)
  CommunityState& c = it->second;
  c.seqs.push_back(entry.seq());
  c.entries_digest = ChainEntriesDigest(c.entries_digest, leaf_hash);
  switch (entry.body_case()) {
    case v1::Entry::kUnits:
      for (const v1::Unit& u : entry.units().units()) {
        c.units[u.unit_id()].area_centi_m2 = u.area_centi_m2();
        c.units[u.unit_id()].label = u.label();
        c.total_area_centi_m2 += u.area_centi_m2();
      }
      return;
    case v1::Entry::kFeePayment:
    case v1::Entry::kDisbursement:
    case v1::Entry::kPublicRevenue:
      return MutateMoney(entry, c);
    case v1::Entry::kEvaluation:
      c.evaluations.insert_or_assign(c.evaluations.end(), entry.seq(),
                                     EvaluationState{entry.evaluation().payment_seq(), entry.evaluation().scores()});
      c.payments.at(entry.evaluation().payment_seq()).evaluation_seq = entry.seq();
      return;
    case v1::Entry::kProposal:
      c.proposals[entry.proposal().proposal_id()].body = entry.proposal();
      return;
    case v1::Entry::kBallot:
      c.proposals.at(entry.ballot().proposal_id()).ballots[entry.ballot().unit_id()] = entry.ballot().choice();
      return;
    case v1::Entry::kProposalClose: {
      ProposalState& p = c.proposals.at(entry.proposal_close().proposal_id());
      p.closed = true;
      p.tally = entry.proposal_close().tally();
      p.resolution_id = entry.proposal_close().resolution_id();
      if (!p.resolution_id.empty()) c.resolutions[p.resolution_id] = p.body.proposal_id();
      return;
    }
    case v1::Entry::kReversal:
      return MutateReversal(entry, c);
    default:
      return;
  }
}

void Domain::MutateMoney(const v1::Entry& entry, CommunityState& c) {
  uint64_t seq = entry.seq();
  if (entry.has_fee_payment()) {
    const v1::FeePayment& p = entry.fee_payment();
    // Seqs only grow: inserted at the end, with no walk down a tree of every payment (that walk,
    // cache misses all the way, was half of this function's time at 10^5 payments).
    PaymentState& s = c.payments.insert_or_assign(
        c.payments.end(), seq,
        PaymentState{p.unit_id(), p.amount(), ParseMonth(p.period()).value(), static_cast<int>(p.months()),
                     DateOf(p.paid_on()), p.receipt_ref(), entry.recorded_at_ms(), false, std::nullopt,
                     entry.actor().principal_id()})->second;
    c.units.at(p.unit_id()).payment_seqs.push_back(seq);
    if (!p.receipt_ref().empty()) c.receipts.emplace(p.receipt_ref(), seq);
    CountPaidMonths(c, s, +1);
    c.fee_income_total += p.amount();
  } else if (entry.has_disbursement()) {
    const v1::Disbursement& d = entry.disbursement();
    c.disbursements.insert_or_assign(
        c.disbursements.end(), seq,
        DisbursementState{d, DateOf(d.paid_on()), entry.recorded_at_ms(), false, entry.actor().principal_id()});
    voucher_communities_[d.voucher_sha256()].insert(c.community_id);
    if (d.category() == v1::REMUNERATION) c.remuneration_taken += d.amount();
    if (d.fund() == v1::PUBLIC_REVENUE) {
      auto res = c.resolutions.find(d.resolution_id());
      if (res != c.resolutions.end()) c.proposals.at(res->second).disbursed += d.amount();
    }
  } else {
    const v1::PublicRevenue& r = entry.public_revenue();
    c.revenues.insert_or_assign(
        c.revenues.end(), seq,
        RevenueState{r, DateOf(r.received_on()), entry.recorded_at_ms(), false, entry.actor().principal_id()});
  }
  Post(c, PostingsOf(entry), +1);
}

// A reversal takes its target out of every sum it was in, in the target's own month.
void Domain::MutateReversal(const v1::Entry& entry, CommunityState& c) {
  uint64_t target = entry.reversal().target_seq();
  c.reversals.insert_or_assign(c.reversals.end(), entry.seq(), target);
  const std::optional<ReversalTarget> original = FindReversalTarget(c, target);
  if (!original) return;
  if (auto p = c.payments.find(target); p != c.payments.end()) {
    CountPaidMonths(c, p->second, -1);
    p->second.reversed = true;
    if (auto r = c.receipts.find(p->second.receipt_ref); r != c.receipts.end() && r->second == target) c.receipts.erase(r);
    c.fee_income_total -= p->second.amount;
  } else if (auto d = c.disbursements.find(target); d != c.disbursements.end()) {
    d->second.reversed = true;
    if (d->second.body.category() == v1::REMUNERATION) c.remuneration_taken -= d->second.body.amount();
    auto res = c.resolutions.find(d->second.body.resolution_id());
    if (d->second.body.fund() == v1::PUBLIC_REVENUE && res != c.resolutions.end()) {
      c.proposals.at(res->second).disbursed -= d->second.body.amount();
    }
  } else {
    c.revenues.at(target).reversed = true;
  }
  Post(c, PostingsOf(original->original), -1);
}

void Domain::Post(CommunityState& c, const std::vector<Posting>& postings, int sign) {
  for (const Posting& p : postings) {
    c.balances[{p.fund, p.account, p.month}] += sign * p.fen;
    if (p.account == kCashAccount) c.cash[p.fund] += sign * p.fen;
    dirty_balances_.insert({c.community_id, p.fund, p.account, p.month});
  }
}

void Domain::FlushState(WriteSet& writes) {
  for (const auto& [community, fund, account, month] : dirty_balances_) {
    int64_t fen = communities_.at(community).balances.at({fund, account, month});
    writes.Put(Column::kState, BalanceKey(community, static_cast<v1::Fund>(fund), account, month),
               Be64(static_cast<uint64_t>(fen)));
  }
  dirty_balances_.clear();
}

}  // namespace mingzhang
