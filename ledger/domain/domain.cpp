// Recording admitted entries into state rows (registries, money postings, votes, reversals), and
// the rows of batches not yet durable over the store's.
#include "ledger/domain/domain.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "ledger/log/keys.h"
#include "ledger/domain/rating.h"
#include "ledger/domain/state_rows.h"
#include "ledger/domain/tally.h"

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

v1::Tally LiveTally(const CommunityState& c, const ProposalState& p) {
  std::vector<CastBallot> ballots;
  for (const auto& [unit, choice] : p.ballots) ballots.push_back({c.units.at(unit).area_centi_m2, choice});
  return CountVotes(static_cast<int64_t>(c.units.size()), c.total_area_centi_m2, ballots, p.body.matter());
}

void PaidMonths::Add(MonthIndex month, int64_t fen) {
  auto at = std::lower_bound(months_.begin(), months_.end(), month,
                             [](const Month& held, MonthIndex m) { return held.first < m; });
  if (at != months_.end() && at->first == month) at->second += fen;
  else months_.insert(at, Month{month, fen});
}

int64_t PaidMonths::Sum(MonthIndex first, MonthIndex last) const {
  int64_t paid = 0;
  auto at = std::lower_bound(months_.begin(), months_.end(), first,
                             [](const Month& held, MonthIndex m) { return held.first < m; });
  for (; at != months_.end() && at->first <= last; ++at) paid += at->second;
  return paid;
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

// ---- the state machine's rows: pending batches over the store ---------------------------------

// A community decoded, with what changed in it since it was last flushed into the open batch.
struct Domain::Cached {
  CommunityState state;
  uint64_t last_used = 0;
  size_t bytes = 0;
  bool header_changed = false;
  std::set<std::tuple<int, std::string, MonthIndex>> balances_changed;
  std::set<MonthIndex> months_changed;
  std::set<std::string> proposals_changed;
  // Units (in state.units) whose paid months and payment seqs are held; those changed, with ids.
  std::unordered_set<const UnitState*> units_loaded;
  std::unordered_map<const UnitState*, const std::string*> units_changed;
  int64_t units_detail_bytes = 0;  // UnitDetailBytes of the units loaded, kept as they change
};

// The rows one batch wrote (nullopt: deleted), and the communities and firms it changed: what is
// let go of the cache when the batch is abandoned, and kept there until it is durable.
struct Domain::Layer {
  std::map<std::string, std::optional<std::string>, std::less<>> rows;
  std::set<std::string> communities;
  std::set<std::string> firms;
};

class Domain::Rows final : public RowSource {
 public:
  explicit Rows(Domain& domain) : domain_(domain) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override { return domain_.GetRow(key); }

  // The store's rows with every pending batch's laid over them, oldest first.
  Status Scan(std::string_view prefix, std::string_view from, const RowFn& row) const override {
    const std::string start(from.empty() ? prefix : from);
    std::map<std::string, std::string, std::less<>> merged;
    if (domain_.store_ != nullptr) {
      MZ_RETURN_IF_ERROR(StoreRows(*domain_.store_).Scan(prefix, from, [&](std::string_view k, std::string_view v) {
        merged.emplace_hint(merged.end(), std::string(k), std::string(v));
        return true;
      }));
    }
    for (const Layer& layer : domain_.layers_) {
      for (auto it = layer.rows.lower_bound(start); it != layer.rows.end() && it->first.starts_with(prefix); ++it) {
        if (it->second) merged[it->first] = *it->second;
        else merged.erase(it->first);
      }
    }
    for (const auto& [k, v] : merged) {
      if (!row(k, v)) break;
    }
    return OkStatus();
  }

 private:
  Domain& domain_;
};

Domain::Domain() : layers_(1), rows_(std::make_unique<Rows>(*this)) {}

Domain::Domain(const Store& store, size_t cache_bytes)
    : store_(&store), cache_bytes_budget_(cache_bytes), layers_(1), rows_(std::make_unique<Rows>(*this)) {}

Domain::~Domain() = default;

Result<std::optional<std::string>> Domain::GetRow(std::string_view key) const {
  for (auto layer = layers_.rbegin(); layer != layers_.rend(); ++layer) {
    if (auto it = layer->rows.find(key); it != layer->rows.end()) return it->second;
  }
  if (store_ == nullptr) return std::optional<std::string>();
  return store_->Get(Column::kState, key);
}

void Domain::PutRow(std::string key, std::string value) { layers_.back().rows[std::move(key)] = std::move(value); }

void Domain::DeleteRow(std::string key) {
  if (store_ == nullptr && layers_.size() == 1) {
    layers_.back().rows.erase(key);  // nothing below to hide
  } else {
    layers_.back().rows[std::move(key)] = std::nullopt;
  }
}

namespace {

// What a decoded community holds in memory, roughly: what the cache budget counts.
size_t EstimateBytes(const CommunityState& c) {
  size_t bytes = 1024 + c.units.size() * 128 + c.balances.size() * 96 + c.months.size() * 192;
  for (const auto& [id, p] : c.proposals) bytes += 512 + p.ballots.size() * 64;
  return bytes;
}

// What a unit's paid months and payment seqs hold in memory, roughly (counted as they change, not
// by walking every unit at each batch).
int64_t UnitDetailBytes(const UnitState& u) {
  return static_cast<int64_t>(u.paid_by_month.size() * 16 + u.payment_seqs.size() * 8);
}

}  // namespace

Result<CommunityState*> Domain::Community(const std::string& id) {
  auto it = communities_.find(id);
  if (it == communities_.end()) {
    if (store_ == nullptr) return nullptr;
    MZ_ASSIGN_OR_RETURN(std::optional<CommunityState> loaded, LoadCommunity(StoreRows(*store_), id, UnitDetail::kAreas));
    if (!loaded) return nullptr;
    auto cached = std::make_unique<Cached>();
    cached->state = std::move(*loaded);
    cached->bytes = EstimateBytes(cached->state);
    cached_bytes_ += cached->bytes;
    it = communities_.emplace(id, std::move(cached)).first;
  }
  it->second->last_used = ++uses_;
  return &it->second->state;
}

Result<FirmState*> Domain::Firm(const std::string& id) {
  auto it = firms_.find(id);
  if (it != firms_.end()) return &it->second;
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Firm(id)));
  if (!row) return nullptr;
  MZ_ASSIGN_OR_RETURN(FirmState firm, DecodeFirm(*row));
  return &firms_.emplace(id, std::move(firm)).first->second;
}

CommunityState& Domain::Touch(CommunityState& c) {
  layers_.back().communities.insert(c.community_id);
  communities_.at(c.community_id)->header_changed = true;
  return c;
}

// Each changed community's rows into the open batch.
void Domain::FlushCommunities() {
  for (const std::string& id : layers_.back().communities) {
    auto it = communities_.find(id);
    if (it == communities_.end() || !it->second->header_changed) continue;
    Cached& cached = *it->second;
    const CommunityState& c = cached.state;
    PutRow(state_key::Community(id), EncodeCommunity(c));
    for (const auto& [fund, account, month] : cached.balances_changed) {
      PutRow(BalanceKey(id, static_cast<v1::Fund>(fund), account, month),
             Be64(static_cast<uint64_t>(c.balances.at({fund, account, month}))));
    }
    for (MonthIndex month : cached.months_changed) PutRow(state_key::Month(id, month), EncodeMonth(c.months.at(month)));
    for (const std::string& p : cached.proposals_changed) PutRow(state_key::Proposal(id, p), EncodeProposal(c.proposals.at(p)));
    for (const auto& [unit, unit_id] : cached.units_changed) PutRow(state_key::Unit(id, *unit_id), EncodeUnit(*unit));
    cached.header_changed = false;
    cached.units_changed.clear();
    cached.balances_changed.clear();
    cached.months_changed.clear();
    cached.proposals_changed.clear();
    cached_bytes_ -= cached.bytes;
    cached.bytes = EstimateBytes(c) + static_cast<size_t>(cached.units_detail_bytes);
    cached_bytes_ += cached.bytes;
  }
  for (const std::string& id : layers_.back().firms) PutRow(state_key::Firm(id), EncodeFirm(firms_.at(id)));
}

const RowSource& Domain::rows() {
  FlushCommunities();
  return *rows_;
}

void Domain::Seal(WriteSet& writes) {
  FlushCommunities();
  for (const auto& [key, value] : layers_.back().rows) {
    if (value) writes.Put(Column::kState, key, *value);
    else writes.Delete(Column::kState, key);
  }
  layers_.emplace_back();
}

// What `layer` changed is let go of, to be read again from the store.
void Domain::Forget(const Layer& layer) {
  for (const std::string& id : layer.communities) {
    auto it = communities_.find(id);
    if (it == communities_.end()) continue;
    cached_bytes_ -= it->second->bytes;
    communities_.erase(it);
  }
  for (const std::string& id : layer.firms) firms_.erase(id);
}

void Domain::Durable() {
  if (layers_.size() > 1) layers_.pop_front();
  if (cached_bytes_ <= cache_bytes_budget_) return;
  std::set<std::string> pending;
  for (const Layer& layer : layers_) pending.insert(layer.communities.begin(), layer.communities.end());
  std::vector<std::pair<uint64_t, std::string>> by_use;
  for (const auto& [id, cached] : communities_) {
    if (!pending.count(id)) by_use.emplace_back(cached->last_used, id);
  }
  std::sort(by_use.begin(), by_use.end());
  // Down to 90% of the budget, so that the next batches do not each evict one community.
  for (const auto& [used, id] : by_use) {
    if (cached_bytes_ <= cache_bytes_budget_ / 10 * 9) break;
    cached_bytes_ -= communities_.at(id)->bytes;
    communities_.erase(id);
  }
}

void Domain::AbandonAll() {
  for (const Layer& layer : layers_) Forget(layer);
  layers_.clear();
  layers_.emplace_back();
}

void Domain::AbandonOpen() {
  Forget(layers_.back());
  layers_.back() = Layer{};
}

// ---- admitting and recording -------------------------------------------------------------------

Status Domain::Admit(v1::Entry& entry, bool* changed) {
  *changed = false;
  MZ_RETURN_IF_ERROR(Check(entry));
  if (entry.has_proposal_close()) {
    MZ_ASSIGN_OR_RETURN(const CommunityState* c, Community(entry.community_id()));
    const ProposalState& p = c->proposals.at(entry.proposal_close().proposal_id());
    v1::ProposalClose* close = entry.mutable_proposal_close();
    *close->mutable_tally() = LiveTally(*c, p);
    if (close->tally().passed()) close->set_resolution_id("R-" + close->proposal_id());
    *changed = true;
  }
  return OkStatus();
}

Result<std::optional<ReversalTarget>> Domain::FindReversalTarget(const CommunityState& c, uint64_t seq) const {
  ReversalTarget t;
  const std::string& id = c.community_id;
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> payment, GetRow(state_key::Payment(id, seq)));
  if (payment) {
    MZ_ASSIGN_OR_RETURN(PaymentState p, DecodePayment(*payment));
    t.reversed = p.reversed;
    t.author = p.author;
    t.original.mutable_fee_payment()->set_amount(p.amount);
    t.original.mutable_fee_payment()->set_paid_on(FormatDate(p.paid_on));
    return std::optional<ReversalTarget>(std::move(t));
  }
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> disbursement, GetRow(state_key::Disbursement(id, seq)));
  if (disbursement) {
    MZ_ASSIGN_OR_RETURN(DisbursementState d, DecodeDisbursement(*disbursement));
    t.reversed = d.reversed;
    t.author = d.author;
    *t.original.mutable_disbursement() = d.body;
    return std::optional<ReversalTarget>(std::move(t));
  }
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> revenue, GetRow(state_key::Revenue(id, seq)));
  if (!revenue) return std::optional<ReversalTarget>();
  MZ_ASSIGN_OR_RETURN(RevenueState r, DecodeRevenue(*revenue));
  t.reversed = r.reversed;
  t.author = r.author;
  *t.original.mutable_public_revenue() = r.body;
  return std::optional<ReversalTarget>(std::move(t));
}

Status Domain::Record(const v1::Entry& entry, const Hash& leaf_hash) {
  if (entry.has_firm()) {
    firms_[entry.firm().firm_id()] = FirmState{entry.firm().name(), {}};
    layers_.back().firms.insert(entry.firm().firm_id());
    return OkStatus();
  }
  if (entry.has_community()) MZ_RETURN_IF_ERROR(RecordCommunity(entry));
  MZ_ASSIGN_OR_RETURN(CommunityState* found, Community(entry.community_id()));
  if (found == nullptr) return OkStatus();  // replaying a partial log (a statement at an earlier size)
  CommunityState& c = Touch(*found);
  ++c.entries;
  c.entries_digest = ChainEntriesDigest(c.entries_digest, leaf_hash);
  c.recent_entry_seqs.push_back(entry.seq());
  if (c.recent_entry_seqs.size() == kEntryIndexRowSeqs) {
    PutRow(state_key::CommunityEntries(c.community_id, entry.seq()), EncodeEntrySeqs(c.recent_entry_seqs));
    c.recent_entry_seqs.clear();
  }
  Cached& cached = *communities_.at(c.community_id);
  switch (entry.body_case()) {
    case v1::Entry::kUnits:
      for (const v1::Unit& u : entry.units().units()) {
        auto it = c.units.try_emplace(u.unit_id()).first;
        UnitState& unit = it->second;
        unit.area_centi_m2 = u.area_centi_m2();
        unit.label = u.label();
        c.total_area_centi_m2 += u.area_centi_m2();
        c.monthly_fee_total += MonthlyFeeFen(u.area_centi_m2(), c.registration.fee_rate_fen_per_m2_month());
        cached.units_loaded.insert(&unit);  // a new unit: nothing paid yet
        cached.units_changed.emplace(&unit, &it->first);
      }
      return OkStatus();
    case v1::Entry::kFeePayment:
    case v1::Entry::kDisbursement:
    case v1::Entry::kPublicRevenue:
      return RecordMoney(entry, c);
    case v1::Entry::kEvaluation:
      return RecordEvaluation(entry, c);
    case v1::Entry::kProposal:
      c.proposals[entry.proposal().proposal_id()].body = entry.proposal();
      cached.proposals_changed.insert(entry.proposal().proposal_id());
      return OkStatus();
    case v1::Entry::kBallot:
      c.proposals.at(entry.ballot().proposal_id()).ballots[entry.ballot().unit_id()] = entry.ballot().choice();
      cached.proposals_changed.insert(entry.ballot().proposal_id());
      return OkStatus();
    case v1::Entry::kProposalClose: {
      ProposalState& p = c.proposals.at(entry.proposal_close().proposal_id());
      p.closed = true;
      p.tally = entry.proposal_close().tally();
      p.resolution_id = entry.proposal_close().resolution_id();
      if (!p.resolution_id.empty()) c.resolutions[p.resolution_id] = p.body.proposal_id();
      cached.proposals_changed.insert(p.body.proposal_id());
      return OkStatus();
    }
    case v1::Entry::kReversal:
      return RecordReversal(entry, c);
    default:
      return OkStatus();
  }
}

Status Domain::RecordCommunity(const v1::Entry& entry) {
  auto cached = std::make_unique<Cached>();
  CommunityState& c = cached->state;
  c.community_id = entry.community_id();
  c.registration = entry.community();
  c.start_month = ParseMonth(entry.community().start_month()).value();
  c.registered_on = DateOfUnixMs(entry.recorded_at_ms());
  cached->bytes = EstimateBytes(c);
  cached_bytes_ += cached->bytes;
  communities_[c.community_id] = std::move(cached);
  MZ_ASSIGN_OR_RETURN(FirmState* firm, Firm(entry.community().firm_id()));
  if (firm == nullptr) return OkStatus();  // a partial replay
  firm->communities.push_back(entry.community_id());
  layers_.back().firms.insert(entry.community().firm_id());
  return OkStatus();
}

namespace {

bool Prompt(const Date& business, int64_t recorded_at_ms) {
  return DateOfUnixMs(recorded_at_ms).days_since_epoch() - business.days_since_epoch() <= kPromptRecordingDaysMax;
}

// Counts (sign +1) or takes back (-1) one of the firm's own business entries in its month: timed
// unless it is imported history, dated before the community's registration was recorded.
void CountBusinessEntry(const CommunityState& c, const Date& business, int64_t recorded_at_ms, MonthActivity& m,
                        int sign) {
  m.business_entries += sign;
  if (business < c.registered_on) m.imported_history_entries += sign;
  else m.prompt_entries += sign * Prompt(business, recorded_at_ms);
}

int64_t ScoreOf(const v1::Scores& s, int i) {
  const uint32_t scores[5] = {s.cleaning(), s.security(), s.greenery(), s.repair(), s.service()};
  return scores[i];
}

}  // namespace

MonthActivity& Domain::Month(CommunityState& c, MonthIndex month) {
  communities_.at(c.community_id)->months_changed.insert(month);
  return c.months[month];
}

Result<UnitState*> Domain::LoadedUnit(CommunityState& c, const std::string& unit_id) {
  Cached& cached = *communities_.at(c.community_id);
  auto unit = c.units.find(unit_id);
  if (unit == c.units.end()) return DataLoss("state-corrupt", "unit " + unit_id + " is not in its community");
  if (!cached.units_loaded.count(&unit->second)) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Unit(c.community_id, unit_id)));
    if (!row) return DataLoss("state-corrupt", "unit " + unit_id + " has no state row");
    MZ_ASSIGN_OR_RETURN(unit->second, DecodeUnit(*row));
    cached.units_loaded.insert(&unit->second);
    cached.units_detail_bytes += UnitDetailBytes(unit->second);
  }
  cached.units_changed.emplace(&unit->second, &unit->first);
  return &unit->second;
}

// Adds (sign +1) or takes back (-1) a payment's parts in its unit's row and its months' totals;
// a payment recorded (`recorded_seq`) joins the unit's list of payments, each 16 in a row of their own.
Status Domain::AddPaidMonths(CommunityState& c, const PaymentState& p, int sign, std::optional<uint64_t> recorded_seq) {
  MZ_ASSIGN_OR_RETURN(UnitState* unit, LoadedUnit(c, p.unit_id));
  Cached& cached = *communities_.at(c.community_id);
  cached.units_detail_bytes -= UnitDetailBytes(*unit);
  PaymentState counted = p;
  counted.reversed = false;  // its parts as they were counted
  for (MonthIndex m = p.first_month; m < p.first_month + p.months; ++m) {
    const int64_t part = sign * PaymentPartForMonth(counted, m);
    unit->paid_by_month.Add(m, part);
    Month(c, m).fee_paid_for_month += part;
  }
  if (recorded_seq) unit->payment_seqs.push_back(*recorded_seq);
  if (recorded_seq && unit->payment_seqs.size() == kUnitPaymentRowSeqs) {
    PutRow(state_key::UnitPayments(c.community_id, p.unit_id, *recorded_seq), EncodeEntrySeqs(unit->payment_seqs));
    unit->payment_seqs.clear();
  }
  cached.units_detail_bytes += UnitDetailBytes(*unit);
  return OkStatus();
}

Status Domain::RecordMoney(const v1::Entry& entry, CommunityState& c) {
  const uint64_t seq = entry.seq();
  const std::string& id = c.community_id;
  const bool firms_own = entry.actor().principal_id() == c.registration.firm_id();
  if (entry.has_fee_payment()) {
    const v1::FeePayment& fee = entry.fee_payment();
    PaymentState p{fee.unit_id(), fee.amount(), ParseMonth(fee.period()).value(), static_cast<int>(fee.months()),
                   DateOf(fee.paid_on()), fee.receipt_ref(), entry.recorded_at_ms(), false, std::nullopt,
                   entry.actor().principal_id()};
    PutRow(state_key::Payment(id, seq), EncodePayment(p));
    if (!p.receipt_ref.empty()) PutRow(state_key::Receipt(id, p.receipt_ref), Be64(seq));
    MZ_RETURN_IF_ERROR(AddPaidMonths(c, p, +1, seq));
    c.fee_income_total += p.amount;
    MonthActivity& m = Month(c, p.paid_on.month_index());
    ++m.payments;
    if (firms_own) CountBusinessEntry(c, p.paid_on, p.recorded_at_ms, m, +1);
  } else if (entry.has_disbursement()) {
    const v1::Disbursement& d = entry.disbursement();
    DisbursementState state{d, DateOf(d.paid_on()), entry.recorded_at_ms(), false, entry.actor().principal_id()};
    PutRow(state_key::Disbursement(id, seq), EncodeDisbursement(state));
    PutRow(state_key::Voucher(d.voucher_sha256(), id), "");
    if (d.category() == v1::REMUNERATION) c.remuneration_taken += d.amount();
    if (d.fund() == v1::PUBLIC_REVENUE) {
      auto res = c.resolutions.find(d.resolution_id());
      if (res != c.resolutions.end()) {
        c.proposals.at(res->second).disbursed += d.amount();
        communities_.at(id)->proposals_changed.insert(res->second);
      }
    }
    MonthActivity& m = Month(c, state.paid_on.month_index());
    if (firms_own) {
      CountBusinessEntry(c, state.paid_on, state.recorded_at_ms, m, +1);
      ++m.disbursements;
      m.disbursements_with_voucher += d.voucher_sha256().size() == 64;
    }
  } else {
    const v1::PublicRevenue& r = entry.public_revenue();
    RevenueState state{r, DateOf(r.received_on()), entry.recorded_at_ms(), false, entry.actor().principal_id()};
    PutRow(state_key::Revenue(id, seq), EncodeRevenue(state));
    if (firms_own) CountBusinessEntry(c, state.received_on, state.recorded_at_ms, Month(c, state.received_on.month_index()), +1);
  }
  Post(c, PostingsOf(entry), +1);
  return OkStatus();
}

Status Domain::RecordEvaluation(const v1::Entry& entry, CommunityState& c) {
  const v1::Evaluation& e = entry.evaluation();
  PutRow(state_key::Evaluation(c.community_id, entry.seq()), EncodeEvaluation({e.payment_seq(), e.scores()}));
  const std::string key = state_key::Payment(c.community_id, e.payment_seq());
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(key));
  if (!row) return DataLoss("state-corrupt", "the evaluated payment has no state row");
  MZ_ASSIGN_OR_RETURN(PaymentState p, DecodePayment(*row));
  p.evaluation_seq = entry.seq();
  PutRow(key, EncodePayment(p));
  MonthActivity& m = Month(c, p.paid_on.month_index());
  ++m.evaluated;
  for (int i = 0; i < 5; ++i) m.score_sums[i] += ScoreOf(e.scores(), i);
  return OkStatus();
}

// A reversal takes its target out of every sum it was in, in the target's own month.
Status Domain::RecordReversal(const v1::Entry& entry, CommunityState& c) {
  const uint64_t target = entry.reversal().target_seq();
  const std::string& id = c.community_id;
  PutRow(state_key::Reversal(id, entry.seq()), Be64(target));
  MZ_ASSIGN_OR_RETURN(const std::optional<ReversalTarget> original, FindReversalTarget(c, target));
  if (!original) return OkStatus();
  const bool firms_own = original->author == c.registration.firm_id();
  if (original->original.has_fee_payment()) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Payment(id, target)));
    MZ_ASSIGN_OR_RETURN(PaymentState p, DecodePayment(*row));
    MZ_RETURN_IF_ERROR(AddPaidMonths(c, p, -1));
    p.reversed = true;
    PutRow(state_key::Payment(id, target), EncodePayment(p));
    const std::string receipt = state_key::Receipt(id, p.receipt_ref);
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> held, GetRow(receipt));
    if (!p.receipt_ref.empty() && held && *held == Be64(target)) DeleteRow(receipt);
    c.fee_income_total -= p.amount;
    MonthActivity& m = Month(c, p.paid_on.month_index());
    --m.payments;
    if (p.evaluation_seq) {
      MZ_ASSIGN_OR_RETURN(std::optional<std::string> e, GetRow(state_key::Evaluation(id, *p.evaluation_seq)));
      if (!e) return DataLoss("state-corrupt", "an evaluation has no state row");
      MZ_ASSIGN_OR_RETURN(EvaluationState evaluation, DecodeEvaluation(*e));
      --m.evaluated;
      for (int i = 0; i < 5; ++i) m.score_sums[i] -= ScoreOf(evaluation.scores, i);
    }
    if (firms_own) {
      CountBusinessEntry(c, p.paid_on, p.recorded_at_ms, m, -1);
      ++m.reversals;
    }
  } else if (original->original.has_disbursement()) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Disbursement(id, target)));
    MZ_ASSIGN_OR_RETURN(DisbursementState d, DecodeDisbursement(*row));
    d.reversed = true;
    PutRow(state_key::Disbursement(id, target), EncodeDisbursement(d));
    if (d.body.category() == v1::REMUNERATION) c.remuneration_taken -= d.body.amount();
    auto res = c.resolutions.find(d.body.resolution_id());
    if (d.body.fund() == v1::PUBLIC_REVENUE && res != c.resolutions.end()) {
      c.proposals.at(res->second).disbursed -= d.body.amount();
      communities_.at(id)->proposals_changed.insert(res->second);
    }
    if (firms_own) {
      MonthActivity& m = Month(c, d.paid_on.month_index());
      CountBusinessEntry(c, d.paid_on, d.recorded_at_ms, m, -1);
      --m.disbursements;
      m.disbursements_with_voucher -= d.body.voucher_sha256().size() == 64;
      ++m.reversals;
    }
  } else {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Revenue(id, target)));
    MZ_ASSIGN_OR_RETURN(RevenueState r, DecodeRevenue(*row));
    r.reversed = true;
    PutRow(state_key::Revenue(id, target), EncodeRevenue(r));
    if (firms_own) {
      MonthActivity& m = Month(c, r.received_on.month_index());
      CountBusinessEntry(c, r.received_on, r.recorded_at_ms, m, -1);
      ++m.reversals;
    }
  }
  Post(c, PostingsOf(original->original), -1);
  return OkStatus();
}

void Domain::Post(CommunityState& c, const std::vector<Posting>& postings, int sign) {
  Cached& cached = *communities_.at(c.community_id);
  for (const Posting& p : postings) {
    c.balances[{p.fund, p.account, p.month}] += sign * p.fen;
    if (p.account == kCashAccount) c.cash[p.fund] += sign * p.fen;
    cached.balances_changed.insert({p.fund, p.account, p.month});
  }
}

}  // namespace mingzhang
