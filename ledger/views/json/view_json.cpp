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

// The key id as the note names it: its 4 bytes, big-endian, in hex.
std::string KeyIdHex(uint32_t key_id) {
  std::string id(4, '\0');
  for (int i = 0; i < 4; ++i) id[i] = static_cast<char>(key_id >> (24 - 8 * i));
  return HexEncode(id);
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

}  // namespace mingzhang
