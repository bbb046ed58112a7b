// Domain: the trust rules and the state they need, kept in memory and derived from the log.
//
// The sequencer calls Apply for each entry before it is sequenced; a refusal changes nothing and
// says why. State is rebuilt at start-up by Replay of every entry (which applies without rules:
// entries in the log were accepted once). Balances per community, fund, account and month are
// also written to the store's state column in the same batch as the entries (FlushState), so an
// outside reader of the store sees them and verification can compare them with a replay.
//
// Money is int64 fen; every sum is overflow-checked (README "Money and accounts").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/calendar.h"
#include "ledger/crypto.h"
#include "ledger/ids.h"  // kIdBytesMax
#include "ledger/entries_digest.h"
#include "ledger/status.h"
#include "ledger/store.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

// Limits on what an entry may carry. Each refusal names the limit.
inline constexpr int64_t kAmountFenMax = 100'000'000'000;        // 10亿元 in one entry
inline constexpr int64_t kFeeRateFenPerM2MonthMax = 100'000;     // 1,000 元/㎡/月
inline constexpr int64_t kUnitAreaCentiM2Max = 10'000'000;       // 100,000 ㎡ for one unit
inline constexpr uint32_t kBasisPointsMax = 10'000;
inline constexpr size_t kUnitsPerEntryMax = 5'000;
inline constexpr uint32_t kPaymentMonthsMax = 120;
inline constexpr size_t kNameBytesMax = 200;
inline constexpr size_t kRefBytesMax = 128;
inline constexpr size_t kCommentBytesMax = 1'000;
// A unit's display label ("1栋1单元101"): optional free text; its id stays ASCII.
inline constexpr size_t kUnitLabelBytesMax = 64;
inline constexpr uint32_t kScoreMin = 1;
// A month's fee is due by its community's due day: 1-kDueDayMax (every month has it), or 0 for
// the month's last day.
inline constexpr uint32_t kDueDayMax = 28;
inline constexpr uint32_t kScoreMax = 5;

// Accounts of the double-entry postings. Every fund has a cash account; income and expense
// accounts are per source and per category.
inline constexpr const char* kCashAccount = "cash";
inline constexpr const char* kFeeIncomeAccount = "income:fees";

struct Posting {
  v1::Fund fund;
  std::string account;
  MonthIndex month;
  int64_t fen;  // debit positive, credit negative; an entry's postings sum to zero
};

struct UnitState {
  int64_t area_centi_m2 = 0;
  std::string label;  // display label, may be empty
  std::vector<uint64_t> payment_seqs;
  // Fee paid for each month (PaymentPartForMonth of every payment not reversed), kept with the
  // payments so that a statement sums months, not payments.
  std::map<MonthIndex, int64_t> paid_by_month;
};

struct PaymentState {
  std::string unit_id;
  int64_t amount = 0;
  MonthIndex first_month = 0;
  int months = 0;
  Date paid_on;
  std::string receipt_ref;
  int64_t recorded_at_ms = 0;
  bool reversed = false;
  std::optional<uint64_t> evaluation_seq;
  std::string author;  // principal that recorded it
};

struct DisbursementState {
  v1::Disbursement body;
  Date paid_on;
  int64_t recorded_at_ms = 0;
  bool reversed = false;
  std::string author;
};

struct RevenueState {
  v1::PublicRevenue body;
  Date received_on;
  int64_t recorded_at_ms = 0;
  bool reversed = false;
  std::string author;
};

struct EvaluationState {
  uint64_t payment_seq = 0;
  v1::Scores scores;
};

struct ProposalState {
  v1::Proposal body;
  std::map<std::string, v1::Choice> ballots;  // unit -> latest choice
  bool closed = false;
  v1::Tally tally;
  std::string resolution_id;
  int64_t disbursed = 0;  // spent under its resolution, reversals excluded
};

struct CommunityState {
  std::string community_id;
  v1::CommunityRegistration registration;
  MonthIndex start_month = 0;
  Date registered_on;  // the day (CST) the registration was recorded: earlier business dates are imported history
  std::map<std::string, UnitState> units;
  int64_t total_area_centi_m2 = 0;
  std::vector<uint64_t> seqs;  // every entry of the community, in seq order
  Hash entries_digest = EntriesDigestStart();  // chained over the leaf hashes of `seqs` (entries_digest.h)
  std::map<uint64_t, PaymentState> payments;
  std::map<std::string, uint64_t> receipts;  // non-empty receipt_ref -> seq of the unreversed payment holding it
  std::map<uint64_t, DisbursementState> disbursements;
  std::map<uint64_t, RevenueState> revenues;
  std::map<uint64_t, EvaluationState> evaluations;
  std::map<std::string, ProposalState> proposals;
  std::map<std::string, std::string> resolutions;  // resolution id -> proposal id
  std::map<uint64_t, uint64_t> reversals;          // reversal seq -> target seq
  // Balances: (fund, account, month) -> fen. Cumulative sums are taken over months.
  std::map<std::tuple<int, std::string, MonthIndex>, int64_t> balances;
  std::map<int, int64_t> cash;       // fund -> cash balance over all months (kept with `balances`)
  int64_t fee_income_total = 0;      // non-reversed fee payments, all time
  int64_t remuneration_taken = 0;    // non-reversed REMUNERATION disbursements, all time
};

// A proposal's tally from the ballots cast so far (each unit's latest) against every registered
// unit of `c`: what a close records, and what the proposal's view shows while it is open.
v1::Tally LiveTally(const CommunityState& c, const ProposalState& p);

// What a reversal's target was, from the state `c` keeps: the body its postings come from (a fee
// payment's amount and paid_on, a disbursement's or public revenue's whole body), who wrote it and
// whether it was reversed already. The rules check a reversal and apply it from this one lookup.
struct ReversalTarget {
  v1::Entry original;
  std::string author;
  bool reversed = false;
};
// nullopt when `seq` is none of `c`'s payments, disbursements or public revenue.
std::optional<ReversalTarget> FindReversalTarget(const CommunityState& c, uint64_t seq);

struct FirmState {
  std::string name;
  std::vector<std::string> communities;
};

class Domain {
 public:
  Domain() = default;
  Domain(Domain&&) = default;
  Domain& operator=(Domain&&) = default;
  // The sequencer works on a copy that runs one batch ahead of the state readers see.
  Domain(const Domain&) = default;
  Domain& operator=(const Domain&) = default;

  // Checks `entry` (seq and recorded_at_ms already set) against every rule and fills the fields
  // the ledger computes (a close's tally and resolution id; *changed then tells the caller to
  // re-serialize). Changes no state: the caller Records the entry once it is sequenced.
  Status Admit(v1::Entry& entry, bool* changed) const;
  // Whether a token's scope names what is registered: a firm's communities are served by that
  // firm (else InvalidArgument "bad-credential"), an owner's units are in its community
  // ("unknown-unit"), every community exists ("unknown-community").
  Status CheckCredentialScope(const v1::Credential& credential) const;
  // Applies an entry to the state: one just admitted, or one the log already holds (replay).
  void Record(const v1::Entry& entry, const Hash& leaf_hash);
  // Puts every balance changed since the last flush into the state column.
  void FlushState(WriteSet& writes);
  void ForgetChanges() { dirty_balances_.clear(); }

  const std::map<std::string, FirmState>& firms() const { return firms_; }
  const std::map<std::string, CommunityState>& communities() const { return communities_; }
  const CommunityState* community(const std::string& id) const;
  // The communities whose disbursements name the voucher `sha256_hex` (reversed ones too: their
  // entries stay in the log); nullptr when none does. Who may read a voucher file follows it.
  const std::set<std::string>* VoucherCommunities(const std::string& sha256_hex) const;

 private:
  Status Check(const v1::Entry& entry) const;
  Status CheckRegistration(const v1::Entry& entry) const;
  Status CheckMoney(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckPayment(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckDisbursement(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckEvaluation(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckVoting(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckReversal(const v1::Entry& entry, const CommunityState& c) const;
  Status CheckFundsAfter(const CommunityState& c, const std::vector<Posting>& postings) const;
  Status CheckRemunerationAfter(const CommunityState& c, const std::vector<Posting>& postings) const;
  void MutateMoney(const v1::Entry& entry, CommunityState& c);
  void MutateReversal(const v1::Entry& entry, CommunityState& c);
  void Post(CommunityState& c, const std::vector<Posting>& postings, int sign);

  std::map<std::string, FirmState> firms_;
  std::map<std::string, CommunityState> communities_;
  std::set<std::tuple<std::string, int, std::string, MonthIndex>> dirty_balances_;
  std::map<std::string, std::set<std::string>> voucher_communities_;  // voucher_sha256 -> community ids
};

// The last day of a month.
Date LastDayOf(MonthIndex month);
// The day a month's fee is due by: the community's due_day of that month, or its last day.
Date DueDate(const CommunityState& c, MonthIndex month);
// The last month whose fee is past due at the end of the day `as_of` (its due date is on or before
// as_of); months after it are not yet due and are never arrears.
MonthIndex LastMonthDue(const CommunityState& c, const Date& as_of);
// The expense account of a disbursement category: "expense:<CATEGORY>".
std::string CategoryAccount(v1::Category category);
// The postings of a money entry (payment, disbursement, public revenue); empty for others.
std::vector<Posting> PostingsOf(const v1::Entry& entry);
// The fee one payment attributes to the months first..last.
int64_t PaymentPaidFen(const PaymentState& p, MonthIndex first, MonthIndex last);
// Fee due per month for a unit: area × rate, rounded half up to the fen.
int64_t MonthlyFeeFen(int64_t area_centi_m2, int64_t rate_fen_per_m2_month);
// The part of a payment attributed to `month`: amount spread evenly over its months, the
// remainder fen on the first month.
int64_t PaymentPartForMonth(const PaymentState& p, MonthIndex month);
// Remuneration the contract allows through `through_month` given fee income to date.
int64_t RemunerationAllowed(const CommunityState& c, MonthIndex through_month, int64_t fee_income);
// State-column key of a balance.
std::string BalanceKey(const std::string& community, v1::Fund fund, const std::string& account, MonthIndex month);

}  // namespace mingzhang
