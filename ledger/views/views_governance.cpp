// Proposals, firm ratings and bank reconciliation views.
#include <algorithm>

#include "ledger/domain/rating.h"
#include "ledger/domain/reconcile.h"
#include "ledger/views/views.h"

namespace mingzhang {
namespace {

// Community ids read at a time for a regulator's directory.
constexpr size_t kDirectoryChunk = 500;

// What the log shows about one community in a period, added into a firm's inputs: summed over the
// period's months of the community's per-month activity, which counts what the rating weighs as
// each entry is recorded and reversed (domain.h MonthActivity). Disclosure weighs what the firm
// itself recorded and did not take back: not the payments owners recorded, not the committee's
// revenue, not reversed entries (README "Reversals"); imported history (dated before the
// registration was recorded) is counted but not timed. Reversals count those of the firm's own
// entries dated in the period: an admin's reversal of the committee's public revenue, or of a
// payment an owner recorded, says nothing about the firm's books.
void AddCommunityInputs(const CommunityState& c, const Period& period, RatingInputs& in) {
  for (auto it = c.months.lower_bound(period.first); it != c.months.end() && it->first <= period.last; ++it) {
    const MonthActivity& m = it->second;
    in.evaluations += m.evaluated;
    for (int64_t sum : m.score_sums) in.evaluation_score_sum += sum;
    in.business_entries += m.business_entries;
    in.imported_history_entries += m.imported_history_entries;
    in.prompt_entries += m.prompt_entries;
    in.disbursements += m.disbursements;
    in.disbursements_with_voucher += m.disbursements_with_voucher;
    in.reversals += m.reversals;
  }
}

// The fee billed and collected for the period's months past due as of the view's date (what
// BillingView's totals give as billed_due and collected_due): every unit is billed its monthly
// fee for each such month from the start month on, and collected sums the fee paid for them.
struct DueFen {
  int64_t billed = 0;
  int64_t collected = 0;
};

DueFen DueOf(const CommunityState& c, const Period& period, const Date& as_of) {
  const MonthIndex due_through = std::min(period.last, LastMonthDue(c, as_of));
  DueFen due;
  const int64_t months = std::max<int64_t>(0, due_through - std::max(period.first, c.start_month) + 1);
  due.billed = months * c.monthly_fee_total;
  for (auto it = c.months.lower_bound(period.first); it != c.months.end() && it->first <= due_through; ++it) {
    due.collected += it->second.fee_paid_for_month;
  }
  return due;
}

}  // namespace

Result<ProposalView> ProposalOf(StateReader& state, const std::string& community_id, const std::string& proposal_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  auto it = c->proposals.find(proposal_id);
  if (it == c->proposals.end()) return NotFound("unknown-proposal", "no proposal " + proposal_id);
  const ProposalState& p = it->second;
  ProposalView out;
  out.community_id = community_id;
  out.proposal_id = proposal_id;
  out.title = p.body.title();
  out.matter = p.body.matter();
  out.fund = p.body.fund();
  out.amount_fen = p.body.amount();
  out.closes_on = p.body.closes_on();
  out.closed = p.closed;
  out.tally = p.closed ? p.tally : LiveTally(*c, p);
  out.resolution_id = p.resolution_id;
  out.disbursed_under_resolution_fen = p.disbursed;
  return out;
}

Result<ProposalsView> ProposalsOf(StateReader& state, const std::string& community_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  ProposalsView out;
  out.community_id = community_id;
  for (const auto& [proposal_id, p] : c->proposals) {
    MZ_ASSIGN_OR_RETURN(ProposalView view, ProposalOf(state, community_id, proposal_id));
    const ProposalStatus status = !p.closed          ? ProposalStatus::kOpen
                                  : p.tally.passed() ? ProposalStatus::kPassed
                                                     : ProposalStatus::kRejected;
    out.proposals.push_back({std::move(view), status});
  }
  return out;
}

namespace {

UnitLabel LabelOf(const std::string& unit_id, const CommunityState& c) {
  auto it = c.units.find(unit_id);
  return UnitLabel{unit_id, it == c.units.end() ? std::string() : it->second.label};
}

std::vector<UnitLabel> AllUnits(const CommunityState& c) {
  std::vector<UnitLabel> units;
  for (const auto& [unit_id, u] : c.units) units.push_back({unit_id, u.label});
  return units;
}

}  // namespace

Result<CommunityUnitsView> CommunityUnitsOf(StateReader& state, const std::string& community_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  return CommunityUnitsView{community_id, c->registration.name(), c->registration.firm_id(), AllUnits(*c)};
}

Result<DirectoryView> DirectoryOf(StateReader& state, const v1::Credential& who) {
  DirectoryView out;
  out.role = who.role();
  out.principal_id = who.principal_id();
  if (who.role() == v1::regulator || who.role() == v1::admin) {
    std::string after;
    for (;;) {
      MZ_ASSIGN_OR_RETURN(std::vector<std::string> ids, state.CommunityIds(after, kDirectoryChunk));
      for (const std::string& id : ids) {
        MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(id, UnitDetail::kAreas));
        out.communities.push_back({id, c->registration.name(), std::nullopt});
      }
      if (ids.size() < kDirectoryChunk) break;
      after = ids.back();
    }
    return out;
  }
  for (const std::string& id : who.community_ids()) {
    MZ_ASSIGN_OR_RETURN(const CommunityState* c, CommunityIfRegistered(state, id, UnitDetail::kAreas));
    if (c == nullptr) continue;  // scopes name registered communities; never undone
    std::vector<UnitLabel> units;
    if (who.role() == v1::owner) {
      for (const std::string& unit_id : who.unit_ids()) units.push_back(LabelOf(unit_id, *c));
    } else {
      units = AllUnits(*c);
    }
    out.communities.push_back({id, c->registration.name(), std::move(units)});
  }
  return out;
}

Result<RatingsView> RatingsOf(StateReader& state, const Period& period, const Date& today) {
  const Date as_of = ViewAsOf(period, today);
  RatingsView out;
  out.period = period;
  out.formula_version = kRatingFormulaVersion;
  MZ_ASSIGN_OR_RETURN(const auto* all_firms, state.Firms());
  for (const auto& [firm_id, firm] : *all_firms) {
    RatingInputs in;
    int64_t billed = 0, collected = 0;
    for (const std::string& id : firm.communities) {
      MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(id, UnitDetail::kAreas));
      AddCommunityInputs(*c, period, in);
      // Only months past due count: a month not yet due is not uncollected.
      const DueFen due = DueOf(*c, period, as_of);
      billed += due.billed;
      collected += due.collected;
    }
    in.billed = billed;
    in.collection_rate_bp = billed == 0 ? 0 : static_cast<int64_t>(static_cast<__int128>(collected) * 10000 / billed);
    out.firms.push_back({firm_id, firm.name, RateFirm(in), in});
  }
  return out;
}

Result<ReconcileView> ReconcileOf(StateReader& state, const std::string& community_id, const BankStatement& bank) {
  MZ_RETURN_IF_ERROR(state.Community(community_id, UnitDetail::kAreas).status());
  MZ_ASSIGN_OR_RETURN(const auto payments, state.Payments(community_id));
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  MZ_ASSIGN_OR_RETURN(const auto revenues, state.Revenues(community_id));
  ReconcileView out;
  out.community_id = community_id;
  std::vector<LedgerItem>& items = out.items;
  for (const auto& [seq, p] : payments) {
    if (!p.reversed) items.push_back({seq, FormatDate(p.paid_on), p.amount, Direction::kCredit, p.receipt_ref});
  }
  for (const auto& [seq, d] : disbursements) {
    if (!d.reversed) items.push_back({seq, d.body.paid_on(), d.body.amount(), Direction::kDebit, d.body.voucher_sha256()});
  }
  for (const auto& [seq, r] : revenues) {
    if (!r.reversed) {
      items.push_back({seq, r.body.received_on(), r.body.amount(), Direction::kCredit, r.body.contract_ref()});
    }
  }
  std::sort(items.begin(), items.end(), [](const LedgerItem& a, const LedgerItem& b) { return a.seq < b.seq; });
  out.reconciliation = Reconcile(items, bank);
  out.bank = bank;
  return out;
}

}  // namespace mingzhang
