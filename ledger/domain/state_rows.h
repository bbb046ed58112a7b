// The domain's state rows in the store's state column: their keys, their encoding
// (proto/mingzhang/v1/state.proto), and reading them back for views.
//
// Every key starts with a one-letter kind; ids are joined by a 0 byte (no id holds one) and seqs
// are big-endian, so a community's rows of one kind are one key range in seq or id order:
//   c<community>                  CommunityRow: registration and running totals
//   f<firm>                       FirmRow
//   u<community>\0<unit>          UnitRow: area, label, fee paid by month, its last payments' seqs
//   w<community>\0<unit>\0<last seq>  EntrySeqsRow: kUnitPaymentRowSeqs of the unit's payments, by
//                                 seq (the unit row holds the seqs of the last ones, fewer)
//   b<community>\0<fund>\0<account>\0<YYYY-MM>   be64 fen: a balance (BalanceKey, domain.h)
//   g<community>\0<YYYY-MM>       MonthRow: what the month's entries add up to
//   o<community>\0<proposal>      ProposalRow
//   p<community>\0<seq>           PaymentRow         d<community>\0<seq>  DisbursementRow
//   r<community>\0<seq>           RevenueRow         e<community>\0<seq>  EvaluationRow
//   x<community>\0<seq>           be64: a reversal's target seq
//   q<community>\0<receipt_ref>   be64: the unreversed payment holding the receipt
//   n<community>\0<last seq>      EntrySeqsRow: kEntryIndexRowSeqs of the community's entries, by
//                                 seq (the community row holds the seqs of the last ones, fewer)
//   v<voucher_sha256>\0<community> (empty): communities whose disbursements name the voucher
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/domain/domain.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"

namespace mingzhang {

namespace state_key {
std::string Community(std::string_view community);
std::string Firm(std::string_view firm);
std::string Unit(std::string_view community, std::string_view unit);
std::string Month(std::string_view community, MonthIndex month);
std::string Proposal(std::string_view community, std::string_view proposal);
std::string Payment(std::string_view community, uint64_t seq);
std::string Disbursement(std::string_view community, uint64_t seq);
std::string Revenue(std::string_view community, uint64_t seq);
std::string Evaluation(std::string_view community, uint64_t seq);
std::string Reversal(std::string_view community, uint64_t seq);
std::string Receipt(std::string_view community, std::string_view receipt_ref);
// The entry index row whose last seq is `last_seq`.
std::string CommunityEntries(std::string_view community, uint64_t last_seq);
// A unit's payments row whose last seq is `last_seq`, and the prefix of all of them.
std::string UnitPayments(std::string_view community, std::string_view unit, uint64_t last_seq);
std::string UnitPaymentsPrefix(std::string_view community, std::string_view unit);
std::string Voucher(std::string_view sha256_hex, std::string_view community);
// The prefix of every row of one kind of a community: Prefix('u', "c1") is "uc1\0".
std::string Prefix(char kind, std::string_view community);
}  // namespace state_key

// Encodings of the rows (state.proto). Decoding fails with DataLoss "state-corrupt".
std::string EncodeCommunity(const CommunityState& c);
std::string EncodeFirm(const FirmState& f);
std::string EncodeUnit(const UnitState& u);
std::string EncodeMonth(const MonthActivity& m);
std::string EncodeProposal(const ProposalState& p);
std::string EncodePayment(const PaymentState& p);
std::string EncodeDisbursement(const DisbursementState& d);
std::string EncodeRevenue(const RevenueState& r);
std::string EncodeEvaluation(const EvaluationState& e);
std::string EncodeEntrySeqs(const std::vector<uint64_t>& seqs);
Result<UnitState> DecodeUnit(std::string_view bytes);
// A row of exactly `row_seqs` increasing seqs (EncodeEntrySeqs): `what` names it in the error.
Result<std::vector<uint64_t>> DecodeSeqsRow(std::string_view bytes, size_t row_seqs, const char* what);
Result<PaymentState> DecodePayment(std::string_view bytes);
Result<DisbursementState> DecodeDisbursement(std::string_view bytes);
Result<RevenueState> DecodeRevenue(std::string_view bytes);
Result<EvaluationState> DecodeEvaluation(std::string_view bytes);
Result<FirmState> DecodeFirm(std::string_view bytes);

// Units with their paid months, or only their areas and labels (what the rules read).
enum class UnitDetail { kAreas, kPaidMonths };
// A community decoded from its rows: nullopt when it is not registered.
Result<std::optional<CommunityState>> LoadCommunity(const RowSource& rows, const std::string& id, UnitDetail detail);

// The state column of a store as rows: its latest state, or the snapshot `view` (Store::View).
class StoreRows final : public RowSource {
 public:
  explicit StoreRows(const Store& store) : store_(&store) {}
  explicit StoreRows(std::shared_ptr<const StoreView> view) : view_(std::move(view)) {}
  Result<std::optional<std::string>> Get(std::string_view key) const override;
  Status Scan(std::string_view prefix, std::string_view from, const RowFn& row) const override;

 private:
  const Store* store_ = nullptr;
  std::shared_ptr<const StoreView> view_;
};

// What views read: communities (decoded once per reader), firms and the entries' own rows, from
// one consistent RowSource. Errors: unknown-community, and I/O.
class StateReader {
 public:
  explicit StateReader(const RowSource& rows) : rows_(rows) {}

  // NotFound "unknown-community" when it is not registered.
  Result<const CommunityState*> Community(const std::string& id, UnitDetail detail = UnitDetail::kPaidMonths);
  // Every firm by id (few: a district has tens).
  Result<const std::map<std::string, FirmState>*> Firms();
  // Every registered community id, in id order, after `after` (all when empty), at most `limit`.
  Result<std::vector<std::string>> CommunityIds(const std::string& after, size_t limit);
  Result<std::optional<PaymentState>> Payment(const std::string& community, uint64_t seq);
  Result<std::optional<EvaluationState>> Evaluation(const std::string& community, uint64_t seq);
  // A unit's payments in seq order.
  Result<std::map<uint64_t, PaymentState>> UnitPayments(const std::string& community, const std::string& unit);
  // Every payment, disbursement, public revenue of a community, by seq (reconciliation, spending).
  Result<std::map<uint64_t, PaymentState>> Payments(const std::string& community);
  Result<std::map<uint64_t, DisbursementState>> Disbursements(const std::string& community);
  Result<std::map<uint64_t, RevenueState>> Revenues(const std::string& community);
  // Seqs of a community's entries after `after_seq` (all when nullopt), at most `limit`.
  Result<std::vector<uint64_t>> CommunitySeqs(const std::string& community, std::optional<uint64_t> after_seq,
                                              size_t limit);
  // The communities whose disbursements name a voucher, in id order.
  Result<std::vector<std::string>> VoucherCommunities(const std::string& sha256_hex);

 private:
  const RowSource& rows_;
  std::map<std::pair<std::string, bool>, std::unique_ptr<CommunityState>> communities_;
  std::optional<std::map<std::string, FirmState>> firms_;
};

}  // namespace mingzhang
