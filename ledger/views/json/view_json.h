// The one place the views' answers (view_types.h) become JSON: what every route of mingzhangd
// serves, what the CLI writes, and the JCS form (RFC 8785) of a statement that is signed. The
// library and the state machine below it make no JSON; the API and the CLI make none of a view
// themselves. README "Views" and docs/design.md say why.
//
// Money is an integer count of fen printed as a string (int64, as the protobuf JSON mapping prints
// it), field names without the types' `_fen` ending; counts, basis points and booleans are JSON
// numbers and booleans; tree sizes and seqs are decimal strings; hashes base64 (hex where a
// field says _hex, sha256 or digest); periods as written, months "YYYY-MM", dates "YYYY-MM-DD".
//
//   Result<nlohmann::json> signed = SignedStatementJson(district, "lanting", "2026-10");
//   nlohmann::json billing = ToJson(*district.Billing("lanting", "2026-10"));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ledger/base/status.h"
#include "ledger/views/district.h"
#include "ledger/views/view_types.h"

namespace mingzhang {

// {format, community_id, firm_id, period, as_of, checkpoint {origin, tree_size, root_hash},
// funds [{fund, opening_balance, income, income_by_source {source: fen}, disbursed,
// disbursed_by_category {category: fen}, closing_balance}], remuneration {rule
// {basis_points_of_fee_income | fixed_fen_per_month}, allowed_to_date, taken_to_date,
// taken_in_period}, billing (as BillingTotals), evaluations (as EvaluationStats), entries_count,
// entries_digest (hex)}.
nlohmann::json ToJson(const StatementView& statement);
// The bytes a statement's signature is over: the JCS form of ToJson(statement).
Result<std::string> StatementJcs(const StatementView& statement);
// {statement, signature {key_id (hex), algorithm: "Ed25519", signature (base64)}}.
nlohmann::json SignedStatementJson(const StatementView& statement, const StatementSignature& signature);
// `statement` signed by District::SignStatement over StatementJcs: what
// GET /v1/communities/{c}/statements/{period} serves.
Result<nlohmann::json> SignedStatementJson(const District& district, const StatementView& statement);
// The same of District::Statement(community_id, period, tree_size).
Result<nlohmann::json> SignedStatementJson(const District& district, const std::string& community_id,
                                           const std::string& period,
                                           std::optional<uint64_t> tree_size = std::nullopt);

// {units, due_day, billed, collected, billed_due, collected_due, collection_rate_bp, units_in_arrears}.
nlohmann::json ToJson(const BillingTotals& totals);
// {count (= evaluated_payments), mean_x100 {cleaning, security, greenery, repair, service},
// payments, evaluated_payments, coverage_bp}.
nlohmann::json ToJson(const EvaluationStats& stats);
// {community_id, period, as_of, units [{unit_id, area_centi_m2, monthly_fee, billed, paid,
// arrears_to_date}], totals}.
nlohmann::json ToJson(const BillingView& billing);
// {community_id, unit_id, period, as_of, area_centi_m2, monthly_fee, billed, paid, owed,
// arrears_to_date, fee_income_for_months, fee_income_by_paid_on, community_spent, shares
// [{category, spent, share}], unspent, spending_items [{seq, category, amount, payee,
// description, paid_on, voucher_sha256}], payments [{seq, amount, period (first month), months,
// paid_on, receipt_ref, evaluated}]}.
nlohmann::json ToJson(const OwnerAccountView& account);
// The account with each payment's {leaf_index, leaf_hash, audit_path [base64]}, and tree_size
// and checkpoint (the signed note).
nlohmann::json ToJson(const ProvedOwnerAccount& account);
// EvaluationStats with community_id and period.
nlohmann::json ToJson(const EvaluationSummaryView& summary);

// {community_id, proposal_id, title, matter, fund, amount, closes_on, closed, tally
// {eligible_units, eligible_area_centi_m2, voted_units, voted_area_centi_m2, yes_units,
// yes_area_centi_m2, no_units, no_area_centi_m2, abstain_units, abstain_area_centi_m2, quorum_met,
// passed}, quorum_met, passed, resolution_id, disbursed_under_resolution}; areas are strings.
nlohmann::json ToJson(const ProposalView& proposal);
// {community_id, proposals: [ProposalView with status: "open", "passed" or "rejected"]}.
nlohmann::json ToJson(const ProposalsView& proposals);
// {community_id, name, firm_id, units: [{unit_id, label}]}.
nlohmann::json ToJson(const CommunityUnitsView& units);
// {role, principal_id, communities: [{community_id, name, units?: [{unit_id, label}]}]}.
nlohmann::json ToJson(const DirectoryView& directory);
// {period, formula_version, firms: [{firm_id, name, score, grade, red_list, black_list, inputs
// {billed (fen), evaluations, evaluation_score_sum, collection_rate_bp, disbursements,
// disbursements_with_voucher, business_entries, imported_history_entries, prompt_entries,
// reversals}, points_milli {evaluation, collection, disclosure, reversals}}]}.
nlohmann::json ToJson(const RatingsView& ratings);
// The reconciliation report (ReconciliationReport) with community_id.
nlohmann::json ToJson(const ReconcileView& reconcile);
// {format, encoding ("UTF-8" | "GB18030"), bank_lines, statement_dates {first, last}, totals
// {matched, only_in_ledger, only_at_bank: {count, amount, credit, debit}}, matched [ledger item
// with bank_line, bank_date, counterparty, bank_reference, exact], only_in_ledger [{seq, date,
// amount, direction, reference}], only_at_bank [{line, date, amount, direction, counterparty,
// reference}], ledger_entries_outside_statement_dates}: what POST .../reconciliation answers.
nlohmann::json ReconciliationReport(const Reconciliation& reconciliation, const std::vector<LedgerItem>& ledger,
                                    const BankStatement& bank);

// {firms: [{firm_id, name, communities, units}], next_after?}.
nlohmann::json ToJson(const FirmsPage& page);
// {communities: [{community_id, name, firm_id, firm_name, units, area_centi_m2 (string),
// start_month, registered_on, entries, open_proposals}], next_after?}.
nlohmann::json ToJson(const CommunitiesPage& page);
// {community_id, community_name, firm_id, firm_name, period, funds: [{fund, categories:
// [{category, disbursed, disbursements, vouchers}]}], tree_size, checkpoint_signed_at_ms?}.
nlohmann::json ToJson(const SpendingView& spending);

// A view's answer or its error, as JSON.
template <typename View>
Result<nlohmann::json> AsJson(const Result<View>& view) {
  if (!view.ok()) return view.status();
  return ToJson(*view);
}

}  // namespace mingzhang
