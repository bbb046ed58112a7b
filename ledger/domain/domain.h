// Domain: the trust rules and the state they keep, as the log's state machine.
//
// The sequencer admits each entry before it is sequenced (a refusal changes nothing and says
// why) and records it into state rows written in the same batch as the entry: the store holds
// the state at the head it names, and opening never replays the log. Verification recomputes
// every row from the entries (a Domain without a store, fed every entry).
//
// Money is int64 fen; every sum is overflow-checked (README "Money and accounts").
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/base/ids.h"  // kIdBytesMax
#include "ledger/domain/entries_digest.h"
#include "ledger/log/state_machine.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
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
// A community's entry index keeps this many seqs a row (state_rows.h): a batch of a thousand
// payments writes ~16 index rows, not a thousand.
inline constexpr size_t kEntryIndexRowSeqs = 64;
// A unit's row keeps the seqs of its last payments, fewer than this; each full set goes to a row of
// its own (state_rows.h), so that a payment rewrites a row whose size does not grow with the years.
inline constexpr size_t kUnitPaymentRowSeqs = 16;
// What the state rows are (StateMachine::format). /2: a unit's row lists its payments and the
// entry index holds kEntryIndexRowSeqs seqs a row (/1, unnamed in the store, had a row for each).
// /3: a unit's row lists only its last payments (kUnitPaymentRowSeqs).
inline constexpr std::string_view kStateFormat = "mingzhang-state/3";
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

// Fee paid for each month of one unit, by month: a sorted array, not a tree (a statement reads
// 2,000 units' worth of them, a year or more each).
class PaidMonths {
 public:
  using Month = std::pair<MonthIndex, int64_t>;
  // Adds `fen` to `month` (a new month in its place).
  void Add(MonthIndex month, int64_t fen);
  // Appends a month after every month held (decoding a row, which keeps them in order).
  void Append(MonthIndex month, int64_t fen) { months_.emplace_back(month, fen); }
  // The fee paid for the months first..last.
  int64_t Sum(MonthIndex first, MonthIndex last) const;
  std::vector<Month>::const_iterator begin() const { return months_.begin(); }
  std::vector<Month>::const_iterator end() const { return months_.end(); }
  void clear() { months_.clear(); }
  size_t size() const { return months_.size(); }

 private:
  std::vector<Month> months_;
};

struct UnitState {
  int64_t area_centi_m2 = 0;
  std::string label;  // display label, may be empty
  // Fee paid for each month (PaymentPartForMonth of every payment not reversed), so that a
  // statement sums months, not payments. Loaded for views that ask for it (state_rows.h
  // LoadCommunity); the sequencer's cached communities load it, with payment_seqs, for each unit
  // a payment touches (Domain::LoadedUnit).
  PaidMonths paid_by_month;
  // Its last fee payments, reversed or not, in seq order (fewer than kUnitPaymentRowSeqs; with
  // paid_by_month); the earlier ones are in rows of their own (StateReader::UnitPayments).
  std::vector<uint64_t> payment_seqs;
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

// What a community's entries dated in one month (their business date: paid_on, received_on) add
// up to, kept as they are recorded so that statements and ratings sum months, not entries.
struct MonthActivity {
  int64_t payments = 0;          // fee payments not reversed
  int64_t evaluated = 0;         // of those, evaluated by their owner
  std::array<int64_t, 5> score_sums{};  // cleaning, security, greenery, repair, service
  int64_t fee_paid_for_month = 0;  // fee attributed to this month as a service month (not by date)
  // The firm's own entries not reversed (payments, disbursements, public revenue): rating inputs.
  int64_t business_entries = 0;
  int64_t imported_history_entries = 0;
  int64_t prompt_entries = 0;
  int64_t disbursements = 0;
  int64_t disbursements_with_voucher = 0;
  int64_t reversals = 0;  // reversals of the firm's entries dated in this month
};

// A community's registration and what every rule checks: its units, balances, proposals and
// running totals. Bounded by the community's size and months, not by its entries; the entries'
// own records (payments, disbursements, ...) are rows read one at a time (state_rows.h).
struct CommunityState {
  std::string community_id;
  v1::CommunityRegistration registration;
  MonthIndex start_month = 0;
  Date registered_on;  // the day (CST) the registration was recorded: earlier business dates are imported history
  std::map<std::string, UnitState> units;
  int64_t total_area_centi_m2 = 0;
  int64_t monthly_fee_total = 0;  // the sum of every unit's monthly fee
  uint64_t entries = 0;           // entries of the community so far
  Hash entries_digest = EntriesDigestStart();  // chained over their leaf hashes (entries_digest.h)
  // Seqs of the last entries % kEntryIndexRowSeqs entries, not yet in an index row (state_rows.h).
  std::vector<uint64_t> recent_entry_seqs;
  std::map<std::string, ProposalState> proposals;
  std::map<std::string, std::string> resolutions;  // resolution id -> proposal id
  // Balances: (fund, account, month) -> fen. Cumulative sums are taken over months.
  std::map<std::tuple<int, std::string, MonthIndex>, int64_t> balances;
  std::map<int, int64_t> cash;       // fund -> cash balance over all months (kept with `balances`)
  std::map<MonthIndex, MonthActivity> months;
  int64_t fee_income_total = 0;      // non-reversed fee payments, all time
  int64_t remuneration_taken = 0;    // non-reversed REMUNERATION disbursements, all time
};

// A proposal's tally from the ballots cast so far (each unit's latest) against every registered
// unit of `c`: what a close records, and what the proposal's view shows while it is open.
v1::Tally LiveTally(const CommunityState& c, const ProposalState& p);

// What a reversal's target was: the body its postings come from (a fee payment's amount and
// paid_on, a disbursement's or public revenue's whole body), who wrote it and whether it was
// reversed already. The rules check a reversal and apply it from this one lookup.
struct ReversalTarget {
  v1::Entry original;
  std::string author;
  bool reversed = false;
};

struct FirmState {
  std::string name;
  std::vector<std::string> communities;
};

// Point reads and prefix scans of state rows (keys in state_rows.h): a store, a snapshot of one,
// or rows in memory. Reads fail only on I/O.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) const = 0;
  // Calls `row` for each row whose key starts with `prefix`, from the first key >= `from` (which
  // starts with `prefix` too, or is empty), in key order, until `row` returns false.
  using RowFn = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status Scan(std::string_view prefix, std::string_view from, const RowFn& row) const = 0;
};

// The trust rules as the log's state machine: each entry is admitted (checked against every
// rule, with the fields the ledger computes filled) and then recorded into state rows, which the
// ledger writes in the same synced batch as the entry.
//
// Over a store, the rows of batches not yet durable are kept here, batch by batch, above what the
// store holds; communities are cached decoded (every rule reads them) up to `cache_bytes`, and
// the rest is read row by row. Without a store (a replay: a statement at a past size, a
// verification), every row is kept here.

class Domain final : public StateMachine {
 public:
  Domain();
  Domain(const Store& store, size_t cache_bytes);
  ~Domain() override;
  Domain(Domain&&) = delete;

  // Checks `entry` (seq and recorded_at_ms already set) against every rule and fills the fields
  // the ledger computes (a close's tally and resolution id; *changed then tells the caller to
  // re-serialize). Changes no state: the caller Records the entry once it is sequenced.
  Status Admit(v1::Entry& entry, bool* changed) override;
  // Applies an entry to the state: one just admitted, or one the log already holds (replay). An
  // error is a failed read of the store: the batch cannot be written.
  Status Record(const v1::Entry& entry, const Hash& leaf_hash) override;

  // The rows the open batch changed go into `writes`; a new batch opens above it.
  void Seal(WriteSet& writes) override;
  std::string_view format() const override { return kStateFormat; }
  // The oldest sealed batch is in the store now; cached communities beyond the budget are let go.
  void Durable() override;
  // Forgets every batch not yet durable (a failed write), or only the open one (a refused or
  // checked group).
  void AbandonAll() override;
  void AbandonOpen() override;

  // The state as rows: the pending batches' over the store's. Flushes the cached communities'
  // changes into the open batch first.
  const RowSource& rows();
  size_t cached_bytes() const { return cached_bytes_; }

 private:
  struct Cached;
  struct Layer;
  class Rows;

  Status Check(const v1::Entry& entry);
  Status CheckRegistration(const v1::Entry& entry);
  Status CheckMoney(const v1::Entry& entry, const CommunityState& c);
  Status CheckPayment(const v1::Entry& entry, const CommunityState& c);
  Status CheckDisbursement(const v1::Entry& entry, const CommunityState& c);
  Status CheckEvaluation(const v1::Entry& entry, const CommunityState& c);
  Status CheckVoting(const v1::Entry& entry, const CommunityState& c);
  Status CheckReversal(const v1::Entry& entry, const CommunityState& c);
  Status CheckFundsAfter(const CommunityState& c, const std::vector<Posting>& postings) const;
  Status CheckRemunerationAfter(const CommunityState& c, const std::vector<Posting>& postings) const;
  Status RecordCommunity(const v1::Entry& entry);
  Status RecordMoney(const v1::Entry& entry, CommunityState& c);
  Status RecordEvaluation(const v1::Entry& entry, CommunityState& c);
  Status RecordReversal(const v1::Entry& entry, CommunityState& c);
  Status AddPaidMonths(CommunityState& c, const PaymentState& p, int sign,
                       std::optional<uint64_t> recorded_seq = std::nullopt);
  void Post(CommunityState& c, const std::vector<Posting>& postings, int sign);
  MonthActivity& Month(CommunityState& c, MonthIndex month);  // marked changed
  // A unit of a cached community with its paid months and payment seqs read from its row (once),
  // marked changed: its row is written when the community's are.
  Result<UnitState*> LoadedUnit(CommunityState& c, const std::string& unit_id);

  // The community or firm, decoded and cached (nullptr when not registered); Touch marks it
  // changed by the open batch.
  Result<CommunityState*> Community(const std::string& id);
  Result<FirmState*> Firm(const std::string& id);
  CommunityState& Touch(CommunityState& c);
  Result<std::optional<std::string>> GetRow(std::string_view key) const;
  void PutRow(std::string key, std::string value);
  void DeleteRow(std::string key);
  Result<std::optional<ReversalTarget>> FindReversalTarget(const CommunityState& c, uint64_t seq) const;
  void FlushCommunities();
  void Forget(const Layer& layer);

  const Store* store_ = nullptr;
  size_t cache_bytes_budget_ = 0;
  size_t cached_bytes_ = 0;
  uint64_t uses_ = 0;  // a clock for least-recently-used
  std::map<std::string, std::unique_ptr<Cached>> communities_;
  std::map<std::string, FirmState> firms_;  // few: never let go of but on a rollback
  std::deque<Layer> layers_;  // oldest first; back() is the open batch
  std::unique_ptr<Rows> rows_;
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
