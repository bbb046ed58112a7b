// What the views answer (views.h, views_directory.h), as plain values: money in whole fen
// (int64, fields ending in _fen), counts and basis points as integers, periods, months and dates
// as calendar.h has them, hashes as bytes. The JSON every route serves and the JCS form of a
// statement that is signed are made from these in one place, ledger/views/json/view_json.h; its
// field names are these without the `_fen` ending. Definitions (billed, paid for a period, past
// due, as_of) are at the top of views.h.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/domain/rating.h"
#include "ledger/domain/reconcile.h"
#include "ledger/log/note.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

// ---- Statements -----------------------------------------------------------------------------

// One fund over the period: opening + income − disbursed = closing. income_by_source and
// disbursed_by_category list only accounts with a non-zero sum, by name ("FEES", "CLEANING").
struct FundLine {
  v1::Fund fund = v1::FUND_UNSPECIFIED;
  int64_t opening_balance_fen = 0;
  int64_t income_fen = 0;
  std::map<std::string, int64_t> income_by_source_fen;
  int64_t disbursed_fen = 0;
  std::map<std::string, int64_t> disbursed_by_category_fen;
  int64_t closing_balance_fen = 0;
};

// The firm's remuneration rule as registered (exactly one of the two is set), what it allows
// through the period's end, and what the firm took (to date, and in the period).
struct RemunerationLine {
  std::optional<int64_t> basis_points_of_fee_income;
  std::optional<int64_t> fixed_fen_per_month;
  int64_t allowed_to_date_fen = 0;
  int64_t taken_to_date_fen = 0;
  int64_t taken_in_period_fen = 0;
};

// Billing totals over a community's units for a period. billed and collected: every month of the
// period; billed_due and collected_due: only its months past due as of the view's date, which
// alone count in collection_rate_bp (floor of collected_due × 10,000 / billed_due) and arrears.
struct BillingTotals {
  int64_t units = 0;
  int64_t due_day = 0;
  int64_t billed_fen = 0;
  int64_t collected_fen = 0;
  int64_t billed_due_fen = 0;
  int64_t collected_due_fen = 0;
  int64_t collection_rate_bp = 0;
  int64_t units_in_arrears = 0;
};

// The payments not reversed whose paid_on is in the period and those of them evaluated:
// count (= evaluated_payments), mean_x100 per dimension (floor of 100 × the mean score, 0 when
// none), coverage_bp (floor of evaluated × 10,000 / payments).
struct EvaluationStats {
  static constexpr std::array<const char*, 5> kDimensions = {"cleaning", "security", "greenery", "repair",
                                                             "service"};
  int64_t payments = 0;
  int64_t evaluated_payments = 0;
  std::array<int64_t, 5> mean_x100{};  // in kDimensions' order
  int64_t coverage_bp = 0;
};

// The statement of a community for a period (StatementBody): what is signed. format is
// kStatementFormat (or kStatementFormatV2 recomputed for an old statement); checkpoint is the
// one it names; entries_digest is the chained digest over the leaf hashes of every entry of the
// community (entries_digest.h), or the legacy one in /2.
struct StatementView {
  std::string format;
  std::string community_id;
  std::string firm_id;
  Period period;
  Date as_of;
  Checkpoint checkpoint;
  std::vector<FundLine> funds;  // FEES, then PUBLIC_REVENUE
  RemunerationLine remuneration;
  BillingTotals billing;
  EvaluationStats evaluations;
  uint64_t entries_count = 0;
  Hash entries_digest{};
};

// What signs a statement: the log's key, named by its 4-byte key id; Ed25519 over the JCS bytes.
struct StatementSignature {
  uint32_t key_id = 0;
  std::string signature;  // 64 bytes
};

// ---- Billing and owner accounts -------------------------------------------------------------

struct UnitBilling {
  std::string unit_id;
  int64_t area_centi_m2 = 0;
  int64_t monthly_fee_fen = 0;
  int64_t billed_fen = 0;
  int64_t paid_fen = 0;
  int64_t arrears_to_date_fen = 0;
};

struct BillingView {
  std::string community_id;
  Period period;
  Date as_of;
  std::vector<UnitBilling> units;  // in unit id order
  BillingTotals totals;
};

// A FEES disbursement paid in the period.
struct SpendingItem {
  uint64_t seq = 0;
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  int64_t amount_fen = 0;
  std::string payee;
  std::string description;
  Date paid_on;
  std::string voucher_sha256;  // hex
};

// A unit's share of what a category cost (SplitOwnerPayment).
struct CategoryShare {
  v1::Category category = v1::CATEGORY_UNSPECIFIED;
  int64_t spent_fen = 0;
  int64_t share_fen = 0;
};

// A payment of the unit with some of its months in the period.
struct UnitPaymentLine {
  uint64_t seq = 0;
  int64_t amount_fen = 0;
  MonthIndex first_month = 0;
  int64_t months = 0;
  Date paid_on;
  std::string receipt_ref;
  bool evaluated = false;
};

// "Where my fee went" (OwnerAccountView).
struct OwnerAccountView {
  std::string community_id;
  std::string unit_id;
  Period period;
  Date as_of;
  int64_t area_centi_m2 = 0;
  int64_t monthly_fee_fen = 0;
  int64_t billed_fen = 0;
  int64_t paid_fen = 0;
  int64_t owed_fen = 0;
  int64_t arrears_to_date_fen = 0;
  int64_t fee_income_for_months_fen = 0;  // paid for P's months: the basis of the shares
  int64_t fee_income_by_paid_on_fen = 0;  // paid on P's days: the statement's FEES income
  int64_t community_spent_fen = 0;
  std::vector<CategoryShare> shares;  // by category
  int64_t unspent_fen = 0;
  std::vector<SpendingItem> spending_items;  // by seq
  std::vector<UnitPaymentLine> payments;     // by seq
};

// A leaf's inclusion in the tree of `tree_size` entries (RFC 9162), its index being the seq.
struct LeafProof {
  Hash leaf_hash{};
  std::vector<Hash> audit_path;
};

// An owner account at the head (District::OwnerAccount): each payment's proof, in the order of
// account.payments, against the signed checkpoint `checkpoint` (a note) of `tree_size`.
struct ProvedOwnerAccount {
  OwnerAccountView account;
  std::vector<LeafProof> payment_proofs;
  uint64_t tree_size = 0;
  std::string checkpoint;
};

struct EvaluationSummaryView {
  std::string community_id;
  Period period;
  EvaluationStats stats;
};

// ---- Governance -----------------------------------------------------------------------------

// A proposal with its tally: the recorded one when closed, the live one while open.
struct ProposalView {
  std::string community_id;
  std::string proposal_id;
  std::string title;
  v1::Matter matter = v1::MATTER_UNSPECIFIED;
  v1::Fund fund = v1::FUND_UNSPECIFIED;
  int64_t amount_fen = 0;
  std::string closes_on;  // YYYY-MM-DD as proposed
  bool closed = false;
  v1::Tally tally;
  std::string resolution_id;  // empty until it passed
  int64_t disbursed_under_resolution_fen = 0;
};

enum class ProposalStatus { kOpen, kPassed, kRejected };

struct ProposalListing {
  ProposalView proposal;
  ProposalStatus status = ProposalStatus::kOpen;
};

struct ProposalsView {
  std::string community_id;
  std::vector<ProposalListing> proposals;  // by proposal id
};

struct UnitLabel {
  std::string unit_id;
  std::string label;  // may be empty
};

struct CommunityUnitsView {
  std::string community_id;
  std::string name;
  std::string firm_id;
  std::vector<UnitLabel> units;  // by unit id
};

// A community a credential covers; units absent for a regulator's or an admin's.
struct DirectoryCommunity {
  std::string community_id;
  std::string name;
  std::optional<std::vector<UnitLabel>> units;
};

struct DirectoryView {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string principal_id;
  std::vector<DirectoryCommunity> communities;
};

struct FirmRating {
  std::string firm_id;
  std::string name;
  Rating rating;
  RatingInputs inputs;
};

struct RatingsView {
  Period period;
  std::string formula_version;
  std::vector<FirmRating> firms;  // by firm id
};

// A bank statement matched against a community's payments, disbursements and public revenue
// (reconcile.h): `items` are the ledger's side, by seq.
struct ReconcileView {
  std::string community_id;
  Reconciliation reconciliation;
  std::vector<LedgerItem> items;
  BankStatement bank;
};

// ---- The directory --------------------------------------------------------------------------

struct FirmRow {
  std::string firm_id;
  std::string name;
  int64_t communities = 0;
  int64_t units = 0;
};

struct FirmsPage {
  std::vector<FirmRow> firms;
  std::optional<std::string> next_after;  // the last id given, when more follow
};

struct CommunityRow {
  std::string community_id;
  std::string name;
  std::string firm_id;
  std::string firm_name;
  int64_t units = 0;
  int64_t area_centi_m2 = 0;
  MonthIndex start_month = 0;
  Date registered_on;
  uint64_t entries = 0;
  int64_t open_proposals = 0;
};

struct CommunitiesPage {
  std::vector<CommunityRow> communities;
  std::optional<std::string> next_after;
};

struct CategorySpending {
  std::string category;  // v1::Category's name
  int64_t disbursed_fen = 0;
  int64_t disbursements = 0;
  int64_t vouchers = 0;  // of those, whose file is kept
};

struct FundSpending {
  v1::Fund fund = v1::FUND_UNSPECIFIED;
  std::vector<CategorySpending> categories;  // by name
};

struct SpendingView {
  std::string community_id;
  std::string community_name;
  std::string firm_id;
  std::string firm_name;
  Period period;
  std::vector<FundSpending> funds;  // FEES, then PUBLIC_REVENUE
  // At the head (District::Spending): the tree size the state is of, and when the entry at
  // tree_size - 1 was recorded (the batch that signed that checkpoint), absent for an empty log.
  uint64_t tree_size = 0;
  std::optional<int64_t> checkpoint_signed_at_ms;
};

}  // namespace mingzhang
