// State rows: keys, encodings, and the readers views use (state_rows.h).
#include "ledger/domain/state_rows.h"

#include <algorithm>

#include "ledger/log/keys.h"
#include "mingzhang/v1/state.pb.h"

namespace mingzhang {
namespace {

constexpr char kSep = '\0';

std::string Join(char kind, std::string_view a) {
  std::string key(1, kind);
  key.append(a);
  return key;
}

std::string Join(char kind, std::string_view a, std::string_view b) {
  std::string key = Join(kind, a);
  key.push_back(kSep);
  key.append(b);
  return key;
}

Status Corrupt(std::string_view what) {
  return DataLoss("state-corrupt", "a state row (" + std::string(what) + ") does not decode; run mingzhang verify");
}

template <typename Proto>
Result<Proto> Parse(std::string_view bytes, std::string_view what) {
  Proto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Corrupt(what);
  return proto;
}

Date DateOr(const std::string& text) {
  Result<Date> d = ParseDate(text);
  return d.ok() ? *d : Date{};
}

// The seq at the end of a key (its last 8 bytes).
std::optional<uint64_t> TrailingSeq(std::string_view key) {
  if (key.size() < 8) return std::nullopt;
  return ParseBe64(key.substr(key.size() - 8));
}

}  // namespace

namespace state_key {
std::string Community(std::string_view community) { return Join('c', community); }
std::string Firm(std::string_view firm) { return Join('f', firm); }
std::string Unit(std::string_view community, std::string_view unit) { return Join('u', community, unit); }
std::string Month(std::string_view community, MonthIndex month) { return Join('g', community, FormatMonth(month)); }
std::string Proposal(std::string_view community, std::string_view proposal) { return Join('o', community, proposal); }
std::string Payment(std::string_view community, uint64_t seq) { return Join('p', community, Be64(seq)); }
std::string Disbursement(std::string_view community, uint64_t seq) { return Join('d', community, Be64(seq)); }
std::string Revenue(std::string_view community, uint64_t seq) { return Join('r', community, Be64(seq)); }
std::string Evaluation(std::string_view community, uint64_t seq) { return Join('e', community, Be64(seq)); }
std::string Reversal(std::string_view community, uint64_t seq) { return Join('x', community, Be64(seq)); }
std::string Receipt(std::string_view community, std::string_view receipt_ref) {
  return Join('q', community, receipt_ref);
}
std::string CommunityEntries(std::string_view community, uint64_t last_seq) {
  return Join('n', community, Be64(last_seq));
}
std::string UnitPaymentsPrefix(std::string_view community, std::string_view unit) {
  return Join('w', community, std::string(unit) + kSep);
}
std::string UnitPayments(std::string_view community, std::string_view unit, uint64_t last_seq) {
  return UnitPaymentsPrefix(community, unit) + Be64(last_seq);
}
std::string Voucher(std::string_view sha256_hex, std::string_view community) {
  return Join('v', sha256_hex, community);
}
std::string Prefix(char kind, std::string_view community) { return Join(kind, community, ""); }
}  // namespace state_key

// ---- encodings -------------------------------------------------------------------------------

std::string EncodeCommunity(const CommunityState& c) {
  v1::CommunityRow row;
  *row.mutable_registration() = c.registration;
  row.set_start_month(c.start_month);
  row.set_registered_on(FormatDate(c.registered_on));
  row.set_total_area_centi_m2(c.total_area_centi_m2);
  row.set_units(c.units.size());
  row.set_entries(c.entries);
  row.set_entries_digest(std::string(AsBytes(c.entries_digest)));
  auto cash = [&c](v1::Fund fund) {
    auto it = c.cash.find(fund);
    return it == c.cash.end() ? 0 : it->second;
  };
  row.set_cash_fees(cash(v1::FEES));
  row.set_cash_public_revenue(cash(v1::PUBLIC_REVENUE));
  row.set_fee_income_total(c.fee_income_total);
  row.set_remuneration_taken(c.remuneration_taken);
  for (uint64_t seq : c.recent_entry_seqs) row.add_recent_entry_seqs(seq);
  return row.SerializeAsString();
}

std::string EncodeEntrySeqs(const std::vector<uint64_t>& seqs) {
  v1::EntrySeqsRow row;
  for (uint64_t seq : seqs) row.add_seqs(seq);
  return row.SerializeAsString();
}

namespace {

// Seqs as a row holds them: strictly increasing.
Result<std::vector<uint64_t>> IncreasingSeqs(const google::protobuf::RepeatedField<uint64_t>& held, const char* what) {
  std::vector<uint64_t> seqs(held.begin(), held.end());
  for (size_t i = 1; i < seqs.size(); ++i) {
    if (seqs[i] <= seqs[i - 1]) return Corrupt(std::string(what) + ": seqs out of order");
  }
  return seqs;
}

}  // namespace

Result<std::vector<uint64_t>> DecodeSeqsRow(std::string_view bytes, size_t row_seqs, const char* what) {
  MZ_ASSIGN_OR_RETURN(v1::EntrySeqsRow row, Parse<v1::EntrySeqsRow>(bytes, what));
  if (row.seqs_size() != static_cast<int>(row_seqs)) return Corrupt(std::string(what) + ": a row of the wrong size");
  return IncreasingSeqs(row.seqs(), what);
}

std::string EncodeFirm(const FirmState& f) {
  v1::FirmRow row;
  row.set_name(f.name);
  for (const std::string& id : f.communities) row.add_community_ids(id);
  return row.SerializeAsString();
}

Result<FirmState> DecodeFirm(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::FirmRow row, Parse<v1::FirmRow>(bytes, "firm"));
  return FirmState{row.name(), {row.community_ids().begin(), row.community_ids().end()}};
}

std::string EncodeUnit(const UnitState& u) {
  v1::UnitRow row;
  row.set_area_centi_m2(u.area_centi_m2);
  row.set_label(u.label);
  for (const auto& [month, fen] : u.paid_by_month) {
    if (fen == 0) continue;
    row.add_paid_month(month);
    row.add_paid_fen(fen);
  }
  for (uint64_t seq : u.payment_seqs) row.add_payment_seqs(seq);
  return row.SerializeAsString();
}

namespace {

// Into `row`, reused from unit to unit: a community's 2,000 units parse without allocating. The
// unit's payment seqs only for who lists them (UnitPayments; the sequencer's rewrite of the row).
Result<UnitState> DecodeUnitWith(std::string_view bytes, v1::UnitRow& row, bool paid_months, bool payment_seqs) {
  if (!row.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return Corrupt("unit");
  UnitState u{row.area_centi_m2(), row.label(), {}, {}};
  if (!paid_months) return u;
  if (payment_seqs) {
    MZ_ASSIGN_OR_RETURN(u.payment_seqs, IncreasingSeqs(row.payment_seqs(), "unit"));
    if (u.payment_seqs.size() >= kUnitPaymentRowSeqs) return Corrupt("unit: too many payment seqs");
  }
  if (row.paid_month_size() != row.paid_fen_size()) return Corrupt("unit");
  for (int i = 0; i < row.paid_month_size(); ++i) {
    if (i > 0 && row.paid_month(i) <= row.paid_month(i - 1)) return Corrupt("unit: months out of order");
    u.paid_by_month.Append(row.paid_month(i), row.paid_fen(i));
  }
  return u;
}

}  // namespace

Result<UnitState> DecodeUnit(std::string_view bytes) {
  v1::UnitRow row;
  return DecodeUnitWith(bytes, row, true, true);
}

std::string EncodeMonth(const MonthActivity& m) {
  // MonthActivity's fields in order, 8 bytes big-endian each: a small fixed row.
  std::string out;
  auto put = [&out](int64_t v) {
    uint64_t u = static_cast<uint64_t>(v);
    out.append(Be64(u));
  };
  put(m.payments);
  put(m.evaluated);
  for (int64_t s : m.score_sums) put(s);
  put(m.fee_paid_for_month);
  put(m.business_entries);
  put(m.imported_history_entries);
  put(m.prompt_entries);
  put(m.disbursements);
  put(m.disbursements_with_voucher);
  put(m.reversals);
  return out;
}

namespace {

constexpr size_t kMonthFields = 14;

Result<MonthActivity> DecodeMonth(std::string_view bytes) {
  if (bytes.size() != kMonthFields * 8) return Corrupt("month");
  int64_t v[kMonthFields];
  for (size_t i = 0; i < kMonthFields; ++i) v[i] = static_cast<int64_t>(*ParseBe64(bytes.substr(i * 8, 8)));
  MonthActivity m;
  m.payments = v[0];
  m.evaluated = v[1];
  for (int i = 0; i < 5; ++i) m.score_sums[i] = v[2 + i];
  m.fee_paid_for_month = v[7];
  m.business_entries = v[8];
  m.imported_history_entries = v[9];
  m.prompt_entries = v[10];
  m.disbursements = v[11];
  m.disbursements_with_voucher = v[12];
  m.reversals = v[13];
  return m;
}

}  // namespace

std::string EncodeProposal(const ProposalState& p) {
  v1::ProposalRow row;
  *row.mutable_body() = p.body;
  for (const auto& [unit, choice] : p.ballots) {
    v1::BallotRow* b = row.add_ballots();
    b->set_unit_id(unit);
    b->set_choice(choice);
  }
  row.set_closed(p.closed);
  *row.mutable_tally() = p.tally;
  row.set_resolution_id(p.resolution_id);
  row.set_disbursed(p.disbursed);
  return row.SerializeAsString();
}

namespace {

Result<ProposalState> DecodeProposal(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::ProposalRow row, Parse<v1::ProposalRow>(bytes, "proposal"));
  ProposalState p;
  p.body = row.body();
  for (const v1::BallotRow& b : row.ballots()) p.ballots.emplace_hint(p.ballots.end(), b.unit_id(), b.choice());
  p.closed = row.closed();
  p.tally = row.tally();
  p.resolution_id = row.resolution_id();
  p.disbursed = row.disbursed();
  return p;
}

}  // namespace

std::string EncodePayment(const PaymentState& p) {
  v1::PaymentRow row;
  row.set_unit_id(p.unit_id);
  row.set_amount(p.amount);
  row.set_first_month(p.first_month);
  row.set_months(p.months);
  row.set_paid_on(FormatDate(p.paid_on));
  row.set_receipt_ref(p.receipt_ref);
  row.set_recorded_at_ms(p.recorded_at_ms);
  row.set_reversed(p.reversed);
  row.set_evaluation_seq(p.evaluation_seq.value_or(0));
  row.set_author(p.author);
  return row.SerializeAsString();
}

Result<PaymentState> DecodePayment(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::PaymentRow row, Parse<v1::PaymentRow>(bytes, "payment"));
  PaymentState p{row.unit_id(), row.amount(), row.first_month(), row.months(), DateOr(row.paid_on()),
                 row.receipt_ref(), row.recorded_at_ms(), row.reversed(), std::nullopt, row.author()};
  if (row.evaluation_seq() != 0) p.evaluation_seq = row.evaluation_seq();
  return p;
}

std::string EncodeDisbursement(const DisbursementState& d) {
  v1::DisbursementRow row;
  *row.mutable_body() = d.body;
  row.set_recorded_at_ms(d.recorded_at_ms);
  row.set_reversed(d.reversed);
  row.set_author(d.author);
  return row.SerializeAsString();
}

Result<DisbursementState> DecodeDisbursement(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::DisbursementRow row, Parse<v1::DisbursementRow>(bytes, "disbursement"));
  return DisbursementState{row.body(), DateOr(row.body().paid_on()), row.recorded_at_ms(), row.reversed(), row.author()};
}

std::string EncodeRevenue(const RevenueState& r) {
  v1::RevenueRow row;
  *row.mutable_body() = r.body;
  row.set_recorded_at_ms(r.recorded_at_ms);
  row.set_reversed(r.reversed);
  row.set_author(r.author);
  return row.SerializeAsString();
}

Result<RevenueState> DecodeRevenue(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::RevenueRow row, Parse<v1::RevenueRow>(bytes, "revenue"));
  return RevenueState{row.body(), DateOr(row.body().received_on()), row.recorded_at_ms(), row.reversed(), row.author()};
}

std::string EncodeEvaluation(const EvaluationState& e) {
  v1::EvaluationRow row;
  row.set_payment_seq(e.payment_seq);
  *row.mutable_scores() = e.scores;
  return row.SerializeAsString();
}

Result<EvaluationState> DecodeEvaluation(std::string_view bytes) {
  MZ_ASSIGN_OR_RETURN(v1::EvaluationRow row, Parse<v1::EvaluationRow>(bytes, "evaluation"));
  return EvaluationState{row.payment_seq(), row.scores()};
}

// ---- a community from its rows ---------------------------------------------------------------

namespace {

// "<fund>\0<account>\0<YYYY-MM>" after a balance row's community prefix.
Status AddBalance(CommunityState& c, std::string_view rest, std::string_view value) {
  const size_t a = rest.find(kSep), b = rest.find(kSep, a + 1);
  std::optional<uint64_t> fen = ParseBe64(value);
  v1::Fund fund;
  if (a == std::string_view::npos || b == std::string_view::npos || !fen ||
      !v1::Fund_Parse(std::string(rest.substr(0, a)), &fund)) {
    return Corrupt("balance");
  }
  Result<MonthIndex> month = ParseMonth(rest.substr(b + 1));
  if (!month.ok()) return Corrupt("balance");
  const std::string account(rest.substr(a + 1, b - a - 1));
  const int64_t v = static_cast<int64_t>(*fen);
  c.balances[{fund, account, *month}] = v;
  return OkStatus();
}

Status LoadHeader(const v1::CommunityRow& row, const std::string& id, CommunityState& c) {
  c.community_id = id;
  c.registration = row.registration();
  c.start_month = row.start_month();
  c.registered_on = DateOr(row.registered_on());
  c.total_area_centi_m2 = row.total_area_centi_m2();
  c.entries = row.entries();
  if (row.entries_digest().size() != kHashBytes) return Corrupt("community");
  c.entries_digest = HashFromBytes(row.entries_digest());
  if (row.cash_fees() != 0) c.cash[v1::FEES] = row.cash_fees();
  if (row.cash_public_revenue() != 0) c.cash[v1::PUBLIC_REVENUE] = row.cash_public_revenue();
  c.fee_income_total = row.fee_income_total();
  c.remuneration_taken = row.remuneration_taken();
  MZ_ASSIGN_OR_RETURN(c.recent_entry_seqs, IncreasingSeqs(row.recent_entry_seqs(), "community"));
  if (c.recent_entry_seqs.size() != c.entries % kEntryIndexRowSeqs) return Corrupt("community: recent entries");
  return OkStatus();
}

}  // namespace

Result<std::optional<CommunityState>> LoadCommunity(const RowSource& rows, const std::string& id, UnitDetail detail) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> header, rows.Get(state_key::Community(id)));
  if (!header) return std::optional<CommunityState>();
  MZ_ASSIGN_OR_RETURN(v1::CommunityRow row, Parse<v1::CommunityRow>(*header, "community"));
  CommunityState c;
  MZ_RETURN_IF_ERROR(LoadHeader(row, id, c));
  const int64_t rate = c.registration.fee_rate_fen_per_m2_month();
  Status bad = OkStatus();
  auto scan = [&](char kind, auto add) {
    const std::string prefix = state_key::Prefix(kind, id);
    return rows.Scan(prefix, "", [&](std::string_view key, std::string_view value) {
      bad = add(key.substr(prefix.size()), value);
      return bad.ok();
    });
  };
  v1::UnitRow scratch;
  MZ_RETURN_IF_ERROR(scan('u', [&](std::string_view unit_id, std::string_view value) -> Status {
    MZ_ASSIGN_OR_RETURN(UnitState u, DecodeUnitWith(value, scratch, detail == UnitDetail::kPaidMonths, false));
    c.monthly_fee_total += MonthlyFeeFen(u.area_centi_m2, rate);
    c.units.emplace_hint(c.units.end(), std::string(unit_id), std::move(u));
    return OkStatus();
  }));
  MZ_RETURN_IF_ERROR(bad);
  MZ_RETURN_IF_ERROR(scan('b', [&](std::string_view rest, std::string_view value) { return AddBalance(c, rest, value); }));
  MZ_RETURN_IF_ERROR(bad);
  MZ_RETURN_IF_ERROR(scan('g', [&](std::string_view month_text, std::string_view value) -> Status {
    Result<MonthIndex> month = ParseMonth(month_text);
    if (!month.ok()) return Corrupt("month");
    MZ_ASSIGN_OR_RETURN(MonthActivity m, DecodeMonth(value));
    c.months.emplace_hint(c.months.end(), *month, m);
    return OkStatus();
  }));
  MZ_RETURN_IF_ERROR(bad);
  MZ_RETURN_IF_ERROR(scan('o', [&](std::string_view proposal_id, std::string_view value) -> Status {
    MZ_ASSIGN_OR_RETURN(ProposalState p, DecodeProposal(value));
    if (!p.resolution_id.empty()) c.resolutions[p.resolution_id] = std::string(proposal_id);
    c.proposals.emplace_hint(c.proposals.end(), std::string(proposal_id), std::move(p));
    return OkStatus();
  }));
  MZ_RETURN_IF_ERROR(bad);
  if (c.units.size() != row.units()) return Corrupt("community: unit count");
  return std::optional<CommunityState>(std::move(c));
}

// ---- rows of a store -------------------------------------------------------------------------

Result<std::optional<std::string>> StoreRows::Get(std::string_view key) const {
  return view_ ? view_->Get(Column::kState, key) : store_->Get(Column::kState, key);
}

Status StoreRows::Scan(std::string_view prefix, std::string_view from, const RowFn& row) const {
  std::unique_ptr<Cursor> cursor = view_ ? view_->NewCursor(Column::kState) : store_->NewCursor(Column::kState);
  for (cursor->Seek(from.empty() ? prefix : from); cursor->Valid(); cursor->Next()) {
    if (!cursor->key().starts_with(prefix) || !row(cursor->key(), cursor->value())) break;
  }
  return cursor->status();
}

// ---- StateReader -----------------------------------------------------------------------------

Result<const CommunityState*> StateReader::Community(const std::string& id, UnitDetail detail) {
  const bool paid = detail == UnitDetail::kPaidMonths;
  auto it = communities_.find({id, paid});
  if (it == communities_.end() && !paid) it = communities_.find({id, true});  // more than asked for is fine
  if (it != communities_.end()) return it->second.get();
  MZ_ASSIGN_OR_RETURN(std::optional<CommunityState> c, LoadCommunity(rows_, id, detail));
  if (!c) return NotFound("unknown-community", "no community " + id);
  auto& slot = communities_[{id, paid}];
  slot = std::make_unique<CommunityState>(std::move(*c));
  return slot.get();
}

Result<const std::map<std::string, FirmState>*> StateReader::Firms() {
  if (firms_) return &*firms_;
  std::map<std::string, FirmState> firms;
  Status bad = OkStatus();
  MZ_RETURN_IF_ERROR(rows_.Scan("f", "", [&](std::string_view key, std::string_view value) {
    Result<FirmState> f = DecodeFirm(value);
    if (!f.ok()) bad = f.status();
    else firms.emplace_hint(firms.end(), std::string(key.substr(1)), std::move(f).value());
    return bad.ok();
  }));
  MZ_RETURN_IF_ERROR(bad);
  firms_ = std::move(firms);
  return &*firms_;
}

Result<std::vector<std::string>> StateReader::CommunityIds(const std::string& after, size_t limit) {
  std::vector<std::string> ids;
  // The first key after every key of `after`: "c" + after + "\0" sorts right after "c" + after.
  const std::string from = after.empty() ? "" : state_key::Community(after) + std::string(1, kSep);
  MZ_RETURN_IF_ERROR(rows_.Scan("c", from, [&](std::string_view key, std::string_view) {
    if (ids.size() == limit) return false;
    ids.emplace_back(key.substr(1));
    return true;
  }));
  return ids;
}

namespace {

template <typename State, typename Decode>
Result<std::optional<State>> GetDecoded(const RowSource& rows, const std::string& key, Decode decode) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> bytes, rows.Get(key));
  if (!bytes) return std::optional<State>();
  MZ_ASSIGN_OR_RETURN(State s, decode(*bytes));
  return std::optional<State>(std::move(s));
}

// Every row of a kind of a community, decoded, by the seq its key ends with.
template <typename State, typename Decode>
Result<std::map<uint64_t, State>> BySeq(const RowSource& rows, char kind, const std::string& community, Decode decode) {
  std::map<uint64_t, State> out;
  Status bad = OkStatus();
  MZ_RETURN_IF_ERROR(rows.Scan(state_key::Prefix(kind, community), "", [&](std::string_view key, std::string_view value) {
    std::optional<uint64_t> seq = TrailingSeq(key);
    Result<State> s = decode(value);
    if (!seq || !s.ok()) {
      bad = s.ok() ? Corrupt("row key") : s.status();
      return false;
    }
    out.emplace_hint(out.end(), *seq, std::move(s).value());
    return true;
  }));
  MZ_RETURN_IF_ERROR(bad);
  return out;
}

}  // namespace

Result<std::optional<PaymentState>> StateReader::Payment(const std::string& community, uint64_t seq) {
  return GetDecoded<PaymentState>(rows_, state_key::Payment(community, seq), DecodePayment);
}

Result<std::optional<EvaluationState>> StateReader::Evaluation(const std::string& community, uint64_t seq) {
  return GetDecoded<EvaluationState>(rows_, state_key::Evaluation(community, seq), DecodeEvaluation);
}

Result<std::map<uint64_t, PaymentState>> StateReader::UnitPayments(const std::string& community,
                                                                   const std::string& unit) {
  std::map<uint64_t, PaymentState> out;
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, rows_.Get(state_key::Unit(community, unit)));
  if (!row) return out;
  MZ_ASSIGN_OR_RETURN(UnitState u, DecodeUnit(*row));
  // The unit's payment rows, oldest first, then the seqs its own row holds.
  std::vector<uint64_t> seqs;
  Status bad = OkStatus();
  MZ_RETURN_IF_ERROR(rows_.Scan(state_key::UnitPaymentsPrefix(community, unit), "",
                                [&](std::string_view, std::string_view value) {
                                  Result<std::vector<uint64_t>> held = DecodeSeqsRow(value, kUnitPaymentRowSeqs, "unit payments");
                                  if (!held.ok()) bad = held.status();
                                  else seqs.insert(seqs.end(), held->begin(), held->end());
                                  return held.ok();
                                }));
  MZ_RETURN_IF_ERROR(bad);
  seqs.insert(seqs.end(), u.payment_seqs.begin(), u.payment_seqs.end());
  for (uint64_t seq : seqs) {
    MZ_ASSIGN_OR_RETURN(std::optional<PaymentState> p, Payment(community, seq));
    if (!p) return Corrupt("unit: a payment seq with no payment row");
    if (!out.empty() && seq <= out.rbegin()->first) return Corrupt("unit payments: seqs out of order");
    out.emplace_hint(out.end(), seq, std::move(*p));
  }
  return out;
}

Result<std::map<uint64_t, PaymentState>> StateReader::Payments(const std::string& community) {
  return BySeq<PaymentState>(rows_, 'p', community, DecodePayment);
}

Result<std::map<uint64_t, DisbursementState>> StateReader::Disbursements(const std::string& community) {
  return BySeq<DisbursementState>(rows_, 'd', community, DecodeDisbursement);
}

Result<std::map<uint64_t, RevenueState>> StateReader::Revenues(const std::string& community) {
  return BySeq<RevenueState>(rows_, 'r', community, DecodeRevenue);
}

Result<std::vector<uint64_t>> StateReader::CommunitySeqs(const std::string& community,
                                                         std::optional<uint64_t> after_seq, size_t limit) {
  std::vector<uint64_t> seqs;
  if (after_seq && *after_seq == UINT64_MAX) return seqs;
  const uint64_t first = after_seq ? *after_seq + 1 : 0;
  auto take = [&](const std::vector<uint64_t>& held) {
    for (auto it = std::lower_bound(held.begin(), held.end(), first); it != held.end() && seqs.size() < limit; ++it) {
      seqs.push_back(*it);
    }
    return seqs.size() < limit;
  };
  // Index rows are keyed by their last seq: the first at or after `first` holds what follows it.
  Status bad = OkStatus();
  MZ_RETURN_IF_ERROR(rows_.Scan(state_key::Prefix('n', community), state_key::CommunityEntries(community, first),
                                [&](std::string_view, std::string_view value) {
                                  Result<std::vector<uint64_t>> held = DecodeSeqsRow(value, kEntryIndexRowSeqs, "entry index");
                                  if (!held.ok()) bad = held.status();
                                  return held.ok() && take(*held);
                                }));
  MZ_RETURN_IF_ERROR(bad);
  if (seqs.size() == limit) return seqs;
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> header, rows_.Get(state_key::Community(community)));
  if (!header) return seqs;
  MZ_ASSIGN_OR_RETURN(v1::CommunityRow row, Parse<v1::CommunityRow>(*header, "community"));
  MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> recent, IncreasingSeqs(row.recent_entry_seqs(), "community"));
  take(recent);
  return seqs;
}

Result<std::vector<std::string>> StateReader::VoucherCommunities(const std::string& sha256_hex) {
  std::vector<std::string> ids;
  const std::string prefix = state_key::Voucher(sha256_hex, "");
  MZ_RETURN_IF_ERROR(rows_.Scan(prefix, "", [&](std::string_view key, std::string_view) {
    ids.emplace_back(key.substr(prefix.size()));
    return true;
  }));
  return ids;
}

}  // namespace mingzhang
