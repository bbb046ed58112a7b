// The views' answers as JSON (view_json.h).
#include "ledger/views/json/view_json.h"

#include "ledger/base/encoding.h"
#include "ledger/base/jcs.h"

namespace mingzhang {
namespace {

using nlohmann::json;

std::string Fen(int64_t fen) { return std::to_string(fen); }
std::string Base64Of(const Hash& hash) { return Base64Encode(AsBytes(hash)); }

// {name: fen} with every name, an empty object when there are none.
json FenByName(const std::map<std::string, int64_t>& amounts) {
  json out = json::object();
  for (const auto& [name, fen] : amounts) out[name] = Fen(fen);
  return out;
}

json ToJson(const FundLine& f) {
  return json{{"fund", v1::Fund_Name(f.fund)},
              {"opening_balance", Fen(f.opening_balance_fen)},
              {"income", Fen(f.income_fen)},
              {"income_by_source", FenByName(f.income_by_source_fen)},
              {"disbursed", Fen(f.disbursed_fen)},
              {"disbursed_by_category", FenByName(f.disbursed_by_category_fen)},
              {"closing_balance", Fen(f.closing_balance_fen)}};
}

json ToJson(const RemunerationLine& r) {
  json rule = r.basis_points_of_fee_income ? json{{"basis_points_of_fee_income", *r.basis_points_of_fee_income}}
                                           : json{{"fixed_fen_per_month", Fen(r.fixed_fen_per_month.value_or(0))}};
  return json{{"rule", rule},
              {"allowed_to_date", Fen(r.allowed_to_date_fen)},
              {"taken_to_date", Fen(r.taken_to_date_fen)},
              {"taken_in_period", Fen(r.taken_in_period_fen)}};
}

json ToJson(const SpendingItem& item) {
  return json{{"seq", std::to_string(item.seq)},
              {"category", v1::Category_Name(item.category)},
              {"amount", Fen(item.amount_fen)},
              {"payee", item.payee},
              {"description", item.description},
              {"paid_on", FormatDate(item.paid_on)},
              {"voucher_sha256", item.voucher_sha256}};
}

json ToJson(const UnitPaymentLine& p) {
  return json{{"seq", std::to_string(p.seq)},
              {"amount", Fen(p.amount_fen)},
              {"period", FormatMonth(p.first_month)},
              {"months", p.months},
              {"paid_on", FormatDate(p.paid_on)},
              {"receipt_ref", p.receipt_ref},
              {"evaluated", p.evaluated}};
}

json ToJson(const v1::Tally& t) {
  auto s = [](int64_t v) { return std::to_string(v); };
  return json{{"eligible_units", t.eligible_units()},         {"eligible_area_centi_m2", s(t.eligible_area_centi_m2())},
              {"voted_units", t.voted_units()},               {"voted_area_centi_m2", s(t.voted_area_centi_m2())},
              {"yes_units", t.yes_units()},                   {"yes_area_centi_m2", s(t.yes_area_centi_m2())},
              {"no_units", t.no_units()},                     {"no_area_centi_m2", s(t.no_area_centi_m2())},
              {"abstain_units", t.abstain_units()},           {"abstain_area_centi_m2", s(t.abstain_area_centi_m2())},
              {"quorum_met", t.quorum_met()},                 {"passed", t.passed()}};
}

json ToJson(const UnitLabel& u) { return json{{"unit_id", u.unit_id}, {"label", u.label}}; }

const char* StatusName(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kOpen: return "open";
    case ProposalStatus::kPassed: return "passed";
    case ProposalStatus::kRejected: return "rejected";
  }
  return "open";
}

const char* DirectionName(Direction d) { return d == Direction::kCredit ? "credit" : "debit"; }

json ToJson(const ReconcileTotal& t) {
  return {{"count", t.count},
          {"amount", Fen(t.amount_fen)},
          {"credit", Fen(t.credit_fen)},
          {"debit", Fen(t.debit_fen)}};
}

json ToJson(const BankLine& l) {
  return {{"line", l.line_number},           {"date", l.date},
          {"amount", Fen(l.amount_fen)}, {"direction", DirectionName(l.direction)},
          {"counterparty", l.counterparty},  {"reference", l.reference}};
}

json ToJson(const LedgerItem& i) {
  return {{"seq", std::to_string(i.seq)},
          {"date", i.date},
          {"amount", Fen(i.amount_fen)},
          {"direction", DirectionName(i.direction)},
          {"reference", i.reference}};
}

template <typename Row>
json ArrayOf(const std::vector<Row>& rows) {
  json out = json::array();
  for (const Row& row : rows) out.push_back(ToJson(row));
  return out;
}

}  // namespace

json ToJson(const StatementView& s) {
  json funds = json::array();
  for (const FundLine& f : s.funds) funds.push_back(ToJson(f));
  return json{{"format", s.format},
              {"community_id", s.community_id},
              {"as_of", FormatDate(s.as_of)},
              {"firm_id", s.firm_id},
              {"period", s.period.text},
              {"checkpoint",
               {{"origin", s.checkpoint.origin},
                {"tree_size", std::to_string(s.checkpoint.tree_size)},
                {"root_hash", Base64Of(s.checkpoint.root_hash)}}},
              {"funds", std::move(funds)},
              {"remuneration", ToJson(s.remuneration)},
              {"billing", ToJson(s.billing)},
              {"evaluations", ToJson(s.evaluations)},
              {"entries_count", s.entries_count},
              {"entries_digest", HexEncode(AsBytes(s.entries_digest))}};
}

Result<std::string> StatementJcs(const StatementView& statement) { return Canonicalize(ToJson(statement)); }

json SignedStatementJson(const StatementView& statement, const StatementSignature& signature) {
  return json{{"statement", ToJson(statement)},
              {"signature",
               {{"key_id", KeyIdHex(signature.key_id)},
                {"algorithm", "Ed25519"},
                {"signature", Base64Encode(signature.signature)}}}};
}

Result<json> SignedStatementJson(const District& district, const StatementView& statement) {
  MZ_ASSIGN_OR_RETURN(std::string jcs, StatementJcs(statement));
  MZ_ASSIGN_OR_RETURN(StatementSignature signature, district.SignStatement(jcs));
  return SignedStatementJson(statement, signature);
}

Result<json> SignedStatementJson(const District& district, const std::string& community_id,
                                 const std::string& period, std::optional<uint64_t> tree_size) {
  MZ_ASSIGN_OR_RETURN(StatementView statement, district.Statement(community_id, period, tree_size));
  return SignedStatementJson(district, statement);
}

json ToJson(const BillingTotals& t) {
  return json{{"units", t.units},
              {"due_day", t.due_day},
              {"billed", Fen(t.billed_fen)},
              {"collected", Fen(t.collected_fen)},
              {"billed_due", Fen(t.billed_due_fen)},
              {"collected_due", Fen(t.collected_due_fen)},
              {"collection_rate_bp", t.collection_rate_bp},
              {"units_in_arrears", t.units_in_arrears}};
}

json ToJson(const EvaluationStats& e) {
  json mean = json::object();
  for (size_t i = 0; i < EvaluationStats::kDimensions.size(); ++i) mean[EvaluationStats::kDimensions[i]] = e.mean_x100[i];
  return json{{"count", e.evaluated_payments},
              {"mean_x100", mean},
              {"payments", e.payments},
              {"evaluated_payments", e.evaluated_payments},
              {"coverage_bp", e.coverage_bp}};
}

json ToJson(const BillingView& b) {
  json units = json::array();
  for (const UnitBilling& u : b.units) {
    units.push_back({{"unit_id", u.unit_id},
                     {"area_centi_m2", u.area_centi_m2},
                     {"monthly_fee", Fen(u.monthly_fee_fen)},
                     {"billed", Fen(u.billed_fen)},
                     {"paid", Fen(u.paid_fen)},
                     {"arrears_to_date", Fen(u.arrears_to_date_fen)}});
  }
  return json{{"community_id", b.community_id},
              {"period", b.period.text},
              {"as_of", FormatDate(b.as_of)},
              {"units", std::move(units)},
              {"totals", ToJson(b.totals)}};
}

json ToJson(const OwnerAccountView& a) {
  json shares = json::array();
  for (const CategoryShare& s : a.shares) {
    shares.push_back({{"category", v1::Category_Name(s.category)}, {"spent", Fen(s.spent_fen)}, {"share", Fen(s.share_fen)}});
  }
  return json{{"community_id", a.community_id},
              {"unit_id", a.unit_id},
              {"period", a.period.text},
              {"as_of", FormatDate(a.as_of)},
              {"area_centi_m2", a.area_centi_m2},
              {"monthly_fee", Fen(a.monthly_fee_fen)},
              {"billed", Fen(a.billed_fen)},
              {"paid", Fen(a.paid_fen)},
              {"owed", Fen(a.owed_fen)},
              {"arrears_to_date", Fen(a.arrears_to_date_fen)},
              {"fee_income_for_months", Fen(a.fee_income_for_months_fen)},
              {"fee_income_by_paid_on", Fen(a.fee_income_by_paid_on_fen)},
              {"community_spent", Fen(a.community_spent_fen)},
              {"shares", std::move(shares)},
              {"unspent", Fen(a.unspent_fen)},
              {"spending_items", ArrayOf(a.spending_items)},
              {"payments", ArrayOf(a.payments)}};
}

json ToJson(const ProvedOwnerAccount& proved) {
  json out = ToJson(proved.account);
  json& payments = out["payments"];
  for (size_t i = 0; i < payments.size() && i < proved.payment_proofs.size(); ++i) {
    const LeafProof& proof = proved.payment_proofs[i];
    json path = json::array();
    for (const Hash& node : proof.audit_path) path.push_back(Base64Of(node));
    payments[i]["leaf_index"] = std::to_string(proved.account.payments[i].seq);
    payments[i]["leaf_hash"] = Base64Of(proof.leaf_hash);
    payments[i]["audit_path"] = std::move(path);
  }
  out["tree_size"] = std::to_string(proved.tree_size);
  out["checkpoint"] = proved.checkpoint;
  return out;
}

json ToJson(const EvaluationSummaryView& summary) {
  json out = ToJson(summary.stats);
  out["community_id"] = summary.community_id;
  out["period"] = summary.period.text;
  return out;
}

json ToJson(const ProposalView& p) {
  return json{{"community_id", p.community_id},
              {"proposal_id", p.proposal_id},
              {"title", p.title},
              {"matter", v1::Matter_Name(p.matter)},
              {"fund", v1::Fund_Name(p.fund)},
              {"amount", Fen(p.amount_fen)},
              {"closes_on", p.closes_on},
              {"closed", p.closed},
              {"tally", ToJson(p.tally)},
              {"quorum_met", p.tally.quorum_met()},
              {"passed", p.tally.passed()},
              {"resolution_id", p.resolution_id},
              {"disbursed_under_resolution", Fen(p.disbursed_under_resolution_fen)}};
}

json ToJson(const ProposalsView& all) {
  json proposals = json::array();
  for (const ProposalListing& listing : all.proposals) {
    json view = ToJson(listing.proposal);
    view["status"] = StatusName(listing.status);
    proposals.push_back(std::move(view));
  }
  return json{{"community_id", all.community_id}, {"proposals", std::move(proposals)}};
}

json ToJson(const CommunityUnitsView& c) {
  return json{{"community_id", c.community_id}, {"name", c.name}, {"firm_id", c.firm_id}, {"units", ArrayOf(c.units)}};
}

json ToJson(const DirectoryView& d) {
  json communities = json::array();
  for (const DirectoryCommunity& c : d.communities) {
    json one{{"community_id", c.community_id}, {"name", c.name}};
    if (c.units) one["units"] = ArrayOf(*c.units);
    communities.push_back(std::move(one));
  }
  return json{{"role", v1::Role_Name(d.role)}, {"principal_id", d.principal_id}, {"communities", std::move(communities)}};
}

json ToJson(const RatingsView& ratings) {
  json firms = json::array();
  for (const FirmRating& f : ratings.firms) {
    const Rating& r = f.rating;
    const RatingInputs& in = f.inputs;
    firms.push_back({{"firm_id", f.firm_id},
                     {"name", f.name},
                     {"score", r.score},
                     {"grade", r.grade},
                     {"red_list", r.red_list},
                     {"black_list", r.black_list},
                     {"inputs",
                      {{"billed", Fen(in.billed)},
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
  return json{{"period", ratings.period.text}, {"formula_version", ratings.formula_version}, {"firms", std::move(firms)}};
}

json ReconciliationReport(const Reconciliation& rec, const std::vector<LedgerItem>& ledger, const BankStatement& bank) {
  std::map<uint64_t, const LedgerItem*> item_of_seq;
  for (const LedgerItem& item : ledger) item_of_seq.emplace(item.seq, &item);
  std::map<int, const BankLine*> line_of_number;
  for (const BankLine& line : bank.lines) line_of_number.emplace(line.line_number, &line);
  json matched = json::array();
  for (const Match& m : rec.matched) {
    const BankLine& line = *line_of_number.at(m.bank_line);
    json pair = ToJson(*item_of_seq.at(m.seq));
    pair["bank_line"] = m.bank_line;
    pair["bank_date"] = line.date;
    pair["counterparty"] = line.counterparty;
    pair["bank_reference"] = line.reference;
    pair["exact"] = m.exact;
    matched.push_back(std::move(pair));
  }
  std::string first, last;
  for (const BankLine& l : bank.lines) {
    if (first.empty() || l.date < first) first = l.date;
    if (last.empty() || l.date > last) last = l.date;
  }
  return {{"format", BankFormatName(bank.format)},
          {"encoding", bank.from_gb18030 ? "GB18030" : "UTF-8"},
          {"bank_lines", bank.lines.size()},
          {"statement_dates", {{"first", first}, {"last", last}}},
          {"totals",
           {{"matched", ToJson(rec.matched_total)},
            {"only_in_ledger", ToJson(rec.only_in_ledger_total)},
            {"only_at_bank", ToJson(rec.only_at_bank_total)}}},
          {"matched", std::move(matched)},
          {"only_in_ledger", ArrayOf(rec.only_in_ledger)},
          {"only_at_bank", ArrayOf(rec.only_at_bank)},
          {"ledger_entries_outside_statement_dates", rec.outside_statement}};
}

json ToJson(const ReconcileView& r) {
  json report = ReconciliationReport(r.reconciliation, r.items, r.bank);
  report["community_id"] = r.community_id;
  return report;
}

namespace {

json FirmRowJson(const FirmRow& f) {
  return json{{"firm_id", f.firm_id}, {"name", f.name}, {"communities", f.communities}, {"units", f.units}};
}

json CommunityRowJson(const CommunityRow& c) {
  return json{{"community_id", c.community_id},
              {"name", c.name},
              {"firm_id", c.firm_id},
              {"firm_name", c.firm_name},
              {"units", c.units},
              {"area_centi_m2", std::to_string(c.area_centi_m2)},
              {"start_month", FormatMonth(c.start_month)},
              {"registered_on", FormatDate(c.registered_on)},
              {"entries", c.entries},
              {"open_proposals", c.open_proposals}};
}

// {name: [rows], next_after?}.
template <typename Row, typename RowJson>
json PageJson(const char* name, const std::vector<Row>& rows, const std::optional<std::string>& next_after,
              RowJson row_json) {
  json out_rows = json::array();
  for (const Row& row : rows) out_rows.push_back(row_json(row));
  json out{{name, std::move(out_rows)}};
  if (next_after) out["next_after"] = *next_after;
  return out;
}

}  // namespace

json ToJson(const FirmsPage& page) { return PageJson("firms", page.firms, page.next_after, FirmRowJson); }

json ToJson(const CommunitiesPage& page) {
  return PageJson("communities", page.communities, page.next_after, CommunityRowJson);
}

json ToJson(const SpendingView& s) {
  json funds = json::array();
  for (const FundSpending& fund : s.funds) {
    json rows = json::array();
    for (const CategorySpending& c : fund.categories) {
      rows.push_back(json{{"category", c.category},
                          {"disbursed", Fen(c.disbursed_fen)},
                          {"disbursements", c.disbursements},
                          {"vouchers", c.vouchers}});
    }
    funds.push_back(json{{"fund", v1::Fund_Name(fund.fund)}, {"categories", std::move(rows)}});
  }
  json out{{"community_id", s.community_id},
           {"community_name", s.community_name},
           {"firm_id", s.firm_id},
           {"firm_name", s.firm_name},
           {"period", s.period.text},
           {"funds", std::move(funds)},
           {"tree_size", std::to_string(s.tree_size)}};
  if (s.checkpoint_signed_at_ms) out["checkpoint_signed_at_ms"] = std::to_string(*s.checkpoint_signed_at_ms);
  return out;
}

}  // namespace mingzhang
