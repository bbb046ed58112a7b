// Proposals, firm ratings and bank reconciliation views.
#include "ledger/rating.h"
#include "ledger/reconcile.h"
#include "ledger/views.h"

namespace mingzhang {
namespace {

using nlohmann::json;

json TallyJson(const v1::Tally& t) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return json{{"eligible_units", t.eligible_units()},         {"eligible_area_centi_m2", s(t.eligible_area_centi_m2())},
              {"voted_units", t.voted_units()},               {"voted_area_centi_m2", s(t.voted_area_centi_m2())},
              {"yes_units", t.yes_units()},                   {"yes_area_centi_m2", s(t.yes_area_centi_m2())},
              {"no_units", t.no_units()},                     {"no_area_centi_m2", s(t.no_area_centi_m2())},
              {"abstain_units", t.abstain_units()},           {"abstain_area_centi_m2", s(t.abstain_area_centi_m2())},
              {"quorum_met", t.quorum_met()},                 {"passed", t.passed()}};
}

bool Prompt(const Date& business, int64_t recorded_at_ms) {
  return DateOfUnixMs(recorded_at_ms).days_since_epoch() - business.days_since_epoch() <= kPromptRecordingDaysMax;
}

// A business entry of the firm's own: counted, and timed unless it is imported history (dated
// before the community's registration was recorded, back-filled from the books kept before).
void CountBusinessEntry(const CommunityState& c, const Date& business, int64_t recorded_at_ms, RatingInputs& in) {
  ++in.business_entries;
  if (business < c.registered_on) {
    ++in.imported_history_entries;
  } else {
    in.prompt_entries += Prompt(business, recorded_at_ms);
  }
}

// What the log shows about one community in a period, added into a firm's inputs.
void AddCommunityInputs(const CommunityState& c, const Period& period, RatingInputs& in) {
  // Disclosure weighs what the firm itself recorded and did not take back: not the payments
  // owners recorded, not the committee's revenue, not reversed entries (README "Reversals").
  const std::string& firm_id = c.registration.firm_id();
  auto firms_own = [&firm_id](const auto& state) { return state.author == firm_id && !state.reversed; };
  for (const auto& [seq, p] : c.payments) {
    if (!period.Contains(p.paid_on.month_index())) continue;
    if (firms_own(p)) {
      CountBusinessEntry(c, p.paid_on, p.recorded_at_ms, in);
    }
    if (p.reversed || !p.evaluation_seq) continue;
    const v1::Scores& s = c.evaluations.at(*p.evaluation_seq).scores;
    ++in.evaluations;
    in.evaluation_score_sum += s.cleaning() + s.security() + s.greenery() + s.repair() + s.service();
  }
  for (const auto& [seq, d] : c.disbursements) {
    if (!period.Contains(d.paid_on.month_index()) || !firms_own(d)) continue;
    CountBusinessEntry(c, d.paid_on, d.recorded_at_ms, in);
    ++in.disbursements;
    in.disbursements_with_voucher += d.body.voucher_sha256().size() == 64;
  }
  for (const auto& [seq, r] : c.revenues) {
    if (!period.Contains(r.received_on.month_index()) || !firms_own(r)) continue;
    CountBusinessEntry(c, r.received_on, r.recorded_at_ms, in);
  }
  // Reversals of what the firm wrote: an admin's reversal of the committee's public revenue, or of
  // a payment an owner recorded, says nothing about the firm's books.
  for (const auto& [reversal, target] : c.reversals) {
    // `target` by value: clang before 16 cannot capture a structured binding.
    auto in_period = [&period, &firm_id, target = target](const auto& map, auto date_of) {
      auto it = map.find(target);
      return it != map.end() && it->second.author == firm_id && period.Contains(date_of(it->second).month_index());
    };
    if (in_period(c.payments, [](const PaymentState& p) { return p.paid_on; }) ||
        in_period(c.disbursements, [](const DisbursementState& d) { return d.paid_on; }) ||
        in_period(c.revenues, [](const RevenueState& r) { return r.received_on; })) {
      ++in.reversals;
    }
  }
}

}  // namespace

Result<json> ProposalView(const Domain& domain, const std::string& community_id, const std::string& proposal_id) {
  const CommunityState* c = domain.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
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

Result<json> ProposalsView(const Domain& domain, const std::string& community_id) {
  const CommunityState* c = domain.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
  json proposals = json::array();
  for (const auto& [proposal_id, p] : c->proposals) {
    MZ_ASSIGN_OR_RETURN(json view, ProposalView(domain, community_id, proposal_id));
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

Result<json> CommunityUnitsView(const Domain& domain, const std::string& community_id) {
  const CommunityState* c = domain.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
  return json{{"community_id", community_id},
              {"name", c->registration.name()},
              {"firm_id", c->registration.firm_id()},
              {"units", AllUnitsJson(*c)}};
}

json DirectoryView(const Domain& domain, const v1::Credential& who) {
  json communities = json::array();
  if (who.role() == v1::regulator || who.role() == v1::admin) {
    for (const auto& [id, c] : domain.communities()) {
      communities.push_back(json{{"community_id", id}, {"name", c.registration.name()}});
    }
  } else {
    for (const std::string& id : who.community_ids()) {
      const CommunityState* c = domain.community(id);
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

json RatingsView(const Domain& domain, const Period& period, const Date& today) {
  json firms = json::array();
  for (const auto& [firm_id, firm] : domain.firms()) {
    RatingInputs in;
    int64_t billed = 0, collected = 0;
    for (const std::string& id : firm.communities) {
      const CommunityState& c = *domain.community(id);
      AddCommunityInputs(c, period, in);
      // Only months past due count: a month not yet due is not uncollected.
      Result<json> b = BillingView(domain, id, period, today);
      billed += std::stoll(b->at("totals").at("billed_due").get<std::string>());
      collected += std::stoll(b->at("totals").at("collected_due").get<std::string>());
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

Result<json> ReconcileView(const Domain& domain, const std::string& community_id, const BankStatement& bank) {
  const CommunityState* c = domain.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
  std::vector<LedgerItem> items;
  for (const auto& [seq, p] : c->payments) {
    if (!p.reversed) items.push_back({seq, FormatDate(p.paid_on), p.amount, Direction::kCredit, p.receipt_ref});
  }
  for (const auto& [seq, d] : c->disbursements) {
    if (!d.reversed) items.push_back({seq, d.body.paid_on(), d.body.amount(), Direction::kDebit, d.body.voucher_sha256()});
  }
  for (const auto& [seq, r] : c->revenues) {
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
