// Proposals, firm ratings and bank reconciliation views.
#include <algorithm>

#include "ledger/domain/rating.h"
#include "ledger/domain/reconcile.h"
#include "ledger/views/views.h"

namespace mingzhang {
namespace {

using nlohmann::json;

// Community ids read at a time for a regulator's directory.
constexpr size_t kDirectoryChunk = 500;

json TallyJson(const v1::Tally& t) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return json{{"eligible_units", t.eligible_units()},         {"eligible_area_centi_m2", s(t.eligible_area_centi_m2())},
              {"voted_units", t.voted_units()},               {"voted_area_centi_m2", s(t.voted_area_centi_m2())},
              {"yes_units", t.yes_units()},                   {"yes_area_centi_m2", s(t.yes_area_centi_m2())},
              {"no_units", t.no_units()},                     {"no_area_centi_m2", s(t.no_area_centi_m2())},
              {"abstain_units", t.abstain_units()},           {"abstain_area_centi_m2", s(t.abstain_area_centi_m2())},
              {"quorum_met", t.quorum_met()},                 {"passed", t.passed()}};
}

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

Result<json> ProposalView(StateReader& state, const std::string& community_id, const std::string& proposal_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  auto it = c->proposals.find(proposal_id);
  if (it == c->proposals.end()) return NotFound("unknown-proposal", "no proposal " + proposal_id);
  const ProposalState& p = it->second;
  v1::Tally tally = p.tally;
  if (!p.closed) tally = LiveTally(*c, p);
  return json{{"community_id", community_id},
              {"proposal_id", proposal_id},
              {"title", p.body.title()},
              {"matter", v1::Matter_Name(p.body.matter())},
              {"fund", v1::Fund_Name(p.body.fund())},
              {"amount", std::to_string(p.body.amount())},
              {"closes_on", p.body.closes_on()},
              {"closed", p.closed},
              {"tally", TallyJson(tally)},
              {"quorum_met", tally.quorum_met()},
              {"passed", tally.passed()},
              {"resolution_id", p.resolution_id},
              {"disbursed_under_resolution", std::to_string(p.disbursed)}};
}

Result<json> ProposalsView(StateReader& state, const std::string& community_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  json proposals = json::array();
  for (const auto& [proposal_id, p] : c->proposals) {
    MZ_ASSIGN_OR_RETURN(json view, ProposalView(state, community_id, proposal_id));
    view["status"] = !p.closed ? "open" : p.tally.passed() ? "passed" : "rejected";
    proposals.push_back(std::move(view));
  }
  return json{{"community_id", community_id}, {"proposals", std::move(proposals)}};
}

namespace {

json UnitJson(const std::string& unit_id, const CommunityState& c) {
  auto it = c.units.find(unit_id);
  return json{{"unit_id", unit_id}, {"label", it == c.units.end() ? std::string() : it->second.label}};
}

json AllUnitsJson(const CommunityState& c) {
  json units = json::array();
  for (const auto& [unit_id, u] : c.units) units.push_back(json{{"unit_id", unit_id}, {"label", u.label}});
  return units;
}

}  // namespace

Result<json> CommunityUnitsView(StateReader& state, const std::string& community_id) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  return json{{"community_id", community_id},
              {"name", c->registration.name()},
              {"firm_id", c->registration.firm_id()},
              {"units", AllUnitsJson(*c)}};
}

Result<json> DirectoryView(StateReader& state, const v1::Credential& who) {
  json communities = json::array();
  if (who.role() == v1::regulator || who.role() == v1::admin) {
    std::string after;
    for (;;) {
      MZ_ASSIGN_OR_RETURN(std::vector<std::string> ids, state.CommunityIds(after, kDirectoryChunk));
      for (const std::string& id : ids) {
        MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(id, UnitDetail::kAreas));
        communities.push_back(json{{"community_id", id}, {"name", c->registration.name()}});
      }
      if (ids.size() < kDirectoryChunk) break;
      after = ids.back();
    }
  } else {
    for (const std::string& id : who.community_ids()) {
      MZ_ASSIGN_OR_RETURN(const CommunityState* c, CommunityIfRegistered(state, id, UnitDetail::kAreas));
      if (c == nullptr) continue;  // scopes name registered communities; never undone
      json units = json::array();
      if (who.role() == v1::owner) {
        for (const std::string& unit_id : who.unit_ids()) units.push_back(UnitJson(unit_id, *c));
      } else {
        units = AllUnitsJson(*c);
      }
      communities.push_back(json{{"community_id", id}, {"name", c->registration.name()}, {"units", std::move(units)}});
    }
  }
  return json{{"role", v1::Role_Name(who.role())}, {"principal_id", who.principal_id()},
              {"communities", std::move(communities)}};
}

Result<json> RatingsView(StateReader& state, const Period& period, const Date& today) {
  const Date as_of = ViewAsOf(period, today);
  json firms = json::array();
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
    Rating r = RateFirm(in);
    firms.push_back(
        {{"firm_id", firm_id},
         {"name", firm.name},
         {"score", r.score},
         {"grade", r.grade},
         {"red_list", r.red_list},
         {"black_list", r.black_list},
         {"inputs",
          {{"billed", std::to_string(in.billed)},
           {"evaluations", in.evaluations},
           {"evaluation_score_sum", in.evaluation_score_sum},
           {"collection_rate_bp", in.collection_rate_bp},
           {"disbursements", in.disbursements},
           {"disbursements_with_voucher", in.disbursements_with_voucher},
           {"business_entries", in.business_entries},
           {"imported_history_entries", in.imported_history_entries},
           {"prompt_entries", in.prompt_entries},
           {"reversals", in.reversals}}},
         {"points_milli",
          {{"evaluation", r.evaluation_milli},
           {"collection", r.collection_milli},
           {"disclosure", r.disclosure_milli},
           {"reversals", r.reversal_milli}}}});
  }
  return json{{"period", period.text}, {"formula_version", kRatingFormulaVersion}, {"firms", firms}};
}

Result<json> ReconcileView(StateReader& state, const std::string& community_id, const BankStatement& bank) {
  MZ_RETURN_IF_ERROR(state.Community(community_id, UnitDetail::kAreas).status());
  MZ_ASSIGN_OR_RETURN(const auto payments, state.Payments(community_id));
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  MZ_ASSIGN_OR_RETURN(const auto revenues, state.Revenues(community_id));
  std::vector<LedgerItem> items;
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
  json report = ReconciliationReport(Reconcile(items, bank), items, bank);
  report["community_id"] = community_id;
  return report;
}

}  // namespace mingzhang
