// The rules an entry must pass before it is sequenced (README "Trust rules"). Check never
// changes state: a refusal writes nothing.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "ledger/domain/domain.h"
#include "ledger/base/encoding.h"
#include "ledger/base/ids.h"
#include "ledger/log/keys.h"
#include "ledger/domain/state_rows.h"

namespace mingzhang {
namespace {

// What the refusal of a bad voucher_sha256 shows as an example.
constexpr const char* kEmptySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Status Forbidden(const std::string& why) { return PermissionDenied("forbidden", why); }
Status BadRequest(const std::string& why) { return InvalidArgument("bad-request", why); }

Status CheckId(const std::string& id, const char* what) { return CheckIdSyntax(id, what, "bad-request"); }

// U+XXXX of a code point, as the Unicode standard names it.
std::string CodePointName(char32_t cp) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(cp));
  return name;
}

// Free text (names, payee, description, references, comment, title, reason, a unit's label)
// stays in the signed log for good and is printed back on screens and terminals, so it is UTF-8
// text without control characters (Unicode's Cc: C0 U+0000-U+001F, DEL U+007F, C1
// U+0080-U+009F): no NUL to cut it short, no line break to forge a line, no ESC or CSI to drive a
// terminal. Every free-text field of every body is checked here and nowhere else.
Status CheckText(const std::string& text, size_t max_bytes, const char* what) {
  if (text.size() > max_bytes) {
    return BadRequest(std::string(what) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    char32_t cp = 0;
    if (!NextCodePoint(text, i, cp)) {
      return InvalidArgument("bad-text", std::string(what) + " is not UTF-8 text (at byte " + std::to_string(at) + ")");
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return InvalidArgument("bad-text", std::string(what) + " must not hold control characters (found " +
                                             CodePointName(cp) + " at byte " + std::to_string(at) + ")");
    }
  }
  return OkStatus();
}

Status CheckName(const std::string& name) {
  if (name.empty()) return BadRequest("name is required");
  return CheckText(name, kNameBytesMax, "name");
}

Status CheckAmount(int64_t amount) {
  if (amount <= 0 || amount > kAmountFenMax) {
    return InvalidArgument("bad-amount", "amount must be a whole number of fen from 1 to " + std::to_string(kAmountFenMax) +
                                         " (e.g. 25650 for ¥256.50)");
  }
  return OkStatus();
}

bool IsFirmOf(const v1::Actor& actor, const CommunityState& c) {
  return actor.role() == v1::firm && actor.principal_id() == c.registration.firm_id();
}

bool OwnsUnit(const v1::Actor& actor, const std::string& unit_id) {
  if (actor.role() != v1::owner) return false;
  for (const std::string& u : actor.unit_ids()) {
    if (u == unit_id) return true;
  }
  return false;
}

// Cash balance of a fund over all months, kept as postings are made.
int64_t CashBalance(const CommunityState& c, v1::Fund fund) {
  auto it = c.cash.find(fund);
  return it == c.cash.end() ? 0 : it->second;
}

// A business date (paid_on, received_on) is the day the money moved, so it is not after the day
// the entry is recorded (China Standard Time). A later one would post into months no statement
// has reached and, under a fixed remuneration, count months not yet served.
Status CheckNotAfterRecording(const Date& date, const v1::Entry& entry, const char* field) {
  const Date recorded = DateOfUnixMs(entry.recorded_at_ms());
  if (date <= recorded) return OkStatus();
  return InvalidArgument("bad-date", std::string(field) + " " + FormatDate(date) + " is after the day it is recorded, " +
                                         FormatDate(recorded));
}

// One account's net postings by month as they will be once `postings` are made: what the
// statements sum up to each month's end.
std::map<MonthIndex, int64_t> NetByMonth(const CommunityState& c, v1::Fund fund, const std::string& account,
                                         const std::vector<Posting>& postings) {
  std::map<MonthIndex, int64_t> net;
  const int f = fund;
  for (auto it = c.balances.lower_bound({f, account, std::numeric_limits<MonthIndex>::min()});
       it != c.balances.end() && std::get<0>(it->first) == f && std::get<1>(it->first) == account; ++it) {
    net[std::get<2>(it->first)] += it->second;
  }
  for (const Posting& p : postings) {
    if (p.fund == fund && p.account == account) net[p.month] += p.fen;
  }
  return net;
}

// Running sums of `net` from the first month: the balance at each month's end.
std::map<MonthIndex, __int128> RunningSums(const std::map<MonthIndex, int64_t>& net) {
  std::map<MonthIndex, __int128> sums;
  __int128 sum = 0;
  for (const auto& [month, fen] : net) sums.emplace_hint(sums.end(), month, sum += fen);
  return sums;
}

// The running sum at the end of `month` (0 before the first).
__int128 SumThrough(const std::map<MonthIndex, __int128>& sums, MonthIndex month) {
  auto it = sums.upper_bound(month);
  return it == sums.begin() ? 0 : std::prev(it)->second;
}

// Voting runs through closes_on (China Standard Time): a proposal whose vote would already be over
// when it is recorded could take no ballot, so it is refused; closing on the day itself is fine.
Status CheckClosesOn(const std::string& closes_on, const Date& today) {
  MZ_ASSIGN_OR_RETURN(Date last_voting_day, ParseDate(closes_on));
  if (last_voting_day < today) {
    return FailedPrecondition("bad-closes-on", "closes_on " + closes_on + " is already past; today is " +
                                                   FormatDate(today) + " (China Standard Time)");
  }
  return OkStatus();
}

// Enum fields arrive as numbers too (protobuf JSON accepts them): only named values are real.
Status CheckEnums(const v1::Entry& entry) {
  bool ok = v1::Role_IsValid(entry.actor().role());
  if (entry.has_fee_payment()) ok = ok && v1::FeePayment::Method_IsValid(entry.fee_payment().method());
  if (entry.has_disbursement()) {
    ok = ok && v1::Fund_IsValid(entry.disbursement().fund()) && v1::Category_IsValid(entry.disbursement().category());
  }
  if (entry.has_public_revenue()) ok = ok && v1::PublicRevenue::Source_IsValid(entry.public_revenue().source());
  if (entry.has_proposal()) {
    ok = ok && v1::Matter_IsValid(entry.proposal().matter()) && v1::Fund_IsValid(entry.proposal().fund());
  }
  if (entry.has_ballot()) ok = ok && v1::Choice_IsValid(entry.ballot().choice());
  if (!ok) return BadRequest("an enum field holds a value that names nothing");
  return OkStatus();
}

}  // namespace

Status Domain::Check(const v1::Entry& entry) {
  MZ_RETURN_IF_ERROR(CheckEnums(entry));
  switch (entry.body_case()) {
    case v1::Entry::kFirm:
    case v1::Entry::kCommunity:
      return CheckRegistration(entry);
    default:
      break;
  }
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, Community(entry.community_id()));
  if (c == nullptr) return NotFound("unknown-community", "no community " + entry.community_id());
  switch (entry.body_case()) {
    case v1::Entry::kUnits:
      return CheckRegistration(entry);
    case v1::Entry::kFeePayment:
      return CheckPayment(entry, *c);
    case v1::Entry::kDisbursement:
    case v1::Entry::kPublicRevenue:
      return CheckMoney(entry, *c);
    case v1::Entry::kEvaluation:
      return CheckEvaluation(entry, *c);
    case v1::Entry::kProposal:
    case v1::Entry::kBallot:
    case v1::Entry::kProposalClose:
      return CheckVoting(entry, *c);
    case v1::Entry::kReversal:
      return CheckReversal(entry, *c);
    default:
      return BadRequest("entry has no body");
  }
}

Status Domain::CheckRegistration(const v1::Entry& entry) {
  const v1::Actor& actor = entry.actor();
  if (entry.has_firm()) {
    if (actor.role() != v1::admin) return Forbidden("only an admin registers firms");
    if (!entry.community_id().empty()) return BadRequest("a firm registration names no community");
    MZ_RETURN_IF_ERROR(CheckId(entry.firm().firm_id(), "firm_id"));
    MZ_RETURN_IF_ERROR(CheckName(entry.firm().name()));
    MZ_ASSIGN_OR_RETURN(const FirmState* firm, Firm(entry.firm().firm_id()));
    if (firm != nullptr) return AlreadyExists("duplicate-firm", "firm already registered");
    return OkStatus();
  }
  if (entry.has_community()) {
    const v1::CommunityRegistration& r = entry.community();
    if (actor.role() != v1::admin) return Forbidden("only an admin registers communities");
    MZ_RETURN_IF_ERROR(CheckId(entry.community_id(), "community_id"));
    MZ_RETURN_IF_ERROR(CheckName(r.name()));
    MZ_ASSIGN_OR_RETURN(const CommunityState* existing, Community(entry.community_id()));
    if (existing != nullptr) return AlreadyExists("duplicate-community", "community already registered");
    MZ_ASSIGN_OR_RETURN(const FirmState* firm, Firm(r.firm_id()));
    if (firm == nullptr) return NotFound("unknown-firm", "no firm " + r.firm_id());
    if (r.fee_rate_fen_per_m2_month() <= 0 || r.fee_rate_fen_per_m2_month() > kFeeRateFenPerM2MonthMax) {
      return InvalidArgument("bad-rate", "fee rate must be 1 to " + std::to_string(kFeeRateFenPerM2MonthMax) +
                                             " fen per m² per month");
    }
    const v1::Remuneration& rem = r.remuneration();
    bool bp_ok = rem.has_basis_points_of_fee_income() && rem.basis_points_of_fee_income() <= kBasisPointsMax;
    bool fixed_ok = rem.has_fixed_fen_per_month() && rem.fixed_fen_per_month() > 0 &&
                    rem.fixed_fen_per_month() <= kAmountFenMax;
    if (!bp_ok && !fixed_ok) {
      return InvalidArgument("bad-remuneration",
                             "remuneration must be 0-10000 basis points of fee income or a positive fixed sum");
    }
    if (r.due_day() > kDueDayMax) {
      return InvalidArgument("bad-due-day", "due_day must be 1-" + std::to_string(kDueDayMax) +
                                                 " (the day of each month that month's fee is due by) or 0 for the "
                                                 "month's last day, not " + std::to_string(r.due_day()));
    }
    return ParseMonth(r.start_month()).status();
  }
  // Units.
  MZ_ASSIGN_OR_RETURN(const CommunityState* community, Community(entry.community_id()));
  const CommunityState& c = *community;  // Check found it
  if (actor.role() != v1::admin && !IsFirmOf(actor, c)) {
    return Forbidden("only an admin or the community's firm registers units");
  }
  const auto& units = entry.units().units();
  if (units.empty() || static_cast<size_t>(units.size()) > kUnitsPerEntryMax) {
    return BadRequest("units must hold 1 to " + std::to_string(kUnitsPerEntryMax) + " units");
  }
  std::set<std::string> seen;
  for (const v1::Unit& u : units) {
    MZ_RETURN_IF_ERROR(CheckId(u.unit_id(), "unit_id"));
    if (c.units.count(u.unit_id()) || !seen.insert(u.unit_id()).second) {
      return AlreadyExists("duplicate-unit", "unit " + u.unit_id() + " is already registered");
    }
    if (u.area_centi_m2() <= 0 || u.area_centi_m2() > kUnitAreaCentiM2Max) {
      return InvalidArgument("bad-area", "area must be 1 to " + std::to_string(kUnitAreaCentiM2Max) + " centi-m²");
    }
    MZ_RETURN_IF_ERROR(CheckText(u.label(), kUnitLabelBytesMax, "label"));  // optional
  }
  return OkStatus();
}

Status Domain::CheckPayment(const v1::Entry& entry, const CommunityState& c) {
  const v1::FeePayment& p = entry.fee_payment();
  if (!IsFirmOf(entry.actor(), c) && !OwnsUnit(entry.actor(), p.unit_id())) {
    return Forbidden("payments are recorded by the community's firm or the unit's owner");
  }
  if (!c.units.count(p.unit_id())) return NotFound("unknown-unit", "no unit " + p.unit_id() + " in this community");
  MZ_RETURN_IF_ERROR(CheckAmount(p.amount()));
  MZ_ASSIGN_OR_RETURN(MonthIndex first, ParseMonth(p.period()));
  if (first < c.start_month) return InvalidArgument("bad-period", "period is before the community's start month");
  if (p.months() < 1 || p.months() > kPaymentMonthsMax) {
    return InvalidArgument("bad-period", "months must be 1 to " + std::to_string(kPaymentMonthsMax));
  }
  // Every month paid for must be one a statement can name (ParsePeriod stops at kYearMax).
  if (first + static_cast<MonthIndex>(p.months()) - 1 > Date{kYearMax, 12, 31}.month_index()) {
    return InvalidArgument("bad-period", "the months paid for end after " + std::to_string(kYearMax));
  }
  MZ_ASSIGN_OR_RETURN(Date paid_on, ParseDate(p.paid_on()));
  MZ_RETURN_IF_ERROR(CheckNotAfterRecording(paid_on, entry, "paid_on"));
  if (p.method() == v1::FeePayment::METHOD_UNSPECIFIED) return BadRequest("method is required");
  MZ_RETURN_IF_ERROR(CheckText(p.receipt_ref(), kRefBytesMax, "receipt_ref"));
  // One receipt, one payment: a second payment on a receipt already recorded counts the money twice.
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> held,
                      p.receipt_ref().empty() ? Result<std::optional<std::string>>(std::nullopt)
                                              : GetRow(state_key::Receipt(c.community_id, p.receipt_ref())));
  if (held) {
    return FailedPrecondition("duplicate-receipt", "receipt_ref " + p.receipt_ref() +
                                                        " is already held by the payment at seq " +
                                                        std::to_string(ParseBe64(*held).value_or(0)) +
                                                        " (reverse that payment to record the receipt again)");
  }
  if (c.fee_income_total > std::numeric_limits<int64_t>::max() - p.amount()) {
    return InvalidArgument("bad-amount", "fee income would overflow");
  }
  return OkStatus();
}

Status Domain::CheckMoney(const v1::Entry& entry, const CommunityState& c) {
  if (entry.has_public_revenue()) {
    const v1::PublicRevenue& r = entry.public_revenue();
    bool committee = entry.actor().role() == v1::committee;
    if (!IsFirmOf(entry.actor(), c) && !committee) return Forbidden("public revenue is recorded by the firm or the committee");
    if (r.source() == v1::PublicRevenue::SOURCE_UNSPECIFIED) return BadRequest("source is required");
    MZ_RETURN_IF_ERROR(CheckAmount(r.amount()));
    MZ_ASSIGN_OR_RETURN(Date received_on, ParseDate(r.received_on()));
    MZ_RETURN_IF_ERROR(CheckNotAfterRecording(received_on, entry, "received_on"));
    MZ_RETURN_IF_ERROR(CheckText(r.payer(), kNameBytesMax, "payer"));
    MZ_RETURN_IF_ERROR(CheckText(r.contract_ref(), kRefBytesMax, "contract_ref"));
    return CheckFundsAfter(c, PostingsOf(entry));
  }
  return CheckDisbursement(entry, c);
}

Status Domain::CheckDisbursement(const v1::Entry& entry, const CommunityState& c) {
  const v1::Disbursement& d = entry.disbursement();
  if (!IsFirmOf(entry.actor(), c)) return Forbidden("disbursements are recorded by the community's firm");
  if (d.fund() == v1::FUND_UNSPECIFIED) return BadRequest("fund is required");
  if (d.category() == v1::CATEGORY_UNSPECIFIED) return BadRequest("category is required");
  MZ_RETURN_IF_ERROR(CheckAmount(d.amount()));
  MZ_ASSIGN_OR_RETURN(Date paid_on, ParseDate(d.paid_on()));
  MZ_RETURN_IF_ERROR(CheckNotAfterRecording(paid_on, entry, "paid_on"));
  MZ_RETURN_IF_ERROR(CheckText(d.payee(), kNameBytesMax, "payee"));
  MZ_RETURN_IF_ERROR(CheckText(d.description(), kCommentBytesMax, "description"));
  // One spelling per document, as HexEncode writes it: the log is searched and compared by it.
  if (d.voucher_sha256().size() != 64 || d.voucher_sha256().find_first_not_of("0123456789abcdef") != std::string::npos) {
    return InvalidArgument("bad-voucher", std::string("voucher_sha256 must be 64 lowercase hex digits, e.g. ") + kEmptySha256Hex +
                                              " (the SHA-256 of an empty file)");
  }
  if (d.category() == v1::REMUNERATION) {
    if (d.fund() != v1::FEES) return FailedPrecondition("remuneration-cap", "remuneration is paid from FEES only");
    MZ_RETURN_IF_ERROR(CheckRemunerationAfter(c, PostingsOf(entry)));
  }
  if (d.fund() == v1::PUBLIC_REVENUE) {
    auto res = c.resolutions.find(d.resolution_id());
    if (res == c.resolutions.end()) {
      bool names_proposal = d.resolution_id().rfind("R-", 0) == 0 && c.proposals.count(d.resolution_id().substr(2));
      if (names_proposal) {
        return FailedPrecondition("resolution-not-passed", "that proposal is open or did not pass");
      }
      return NotFound("unknown-resolution", "PUBLIC_REVENUE spending needs a passed resolution of this community");
    }
    const ProposalState& p = c.proposals.at(res->second);
    if (p.body.fund() != v1::PUBLIC_REVENUE) {
      return FailedPrecondition("resolution-not-passed", "the resolution does not approve PUBLIC_REVENUE spending");
    }
    // Repairs are maintenance-fund use (art. 278 item 6): a SPECIAL matter.
    if (d.category() == v1::REPAIR && p.body.matter() != v1::SPECIAL) {
      return FailedPrecondition("resolution-matter", "repairs from public revenue need a SPECIAL resolution");
    }
    if (p.disbursed + d.amount() > p.body.amount()) {
      return FailedPrecondition("resolution-exceeded", "spending would exceed what the resolution approved");
    }
  } else if (!d.resolution_id().empty()) {
    MZ_RETURN_IF_ERROR(CheckText(d.resolution_id(), kIdBytesMax, "resolution_id"));
  }
  return CheckFundsAfter(c, PostingsOf(entry));
}

// The statements must keep to the rules at every month's end, not only over all time. So with the
// postings made, from the first month they take money out of a fund onwards, the fund's cash is
// >= 0 (a trust fund is never overdrawn): a disbursement dated before the income that pays for
// it, or a reversal of income already spent, is refused.
Status Domain::CheckFundsAfter(const CommunityState& c, const std::vector<Posting>& postings) const {
  for (v1::Fund fund : {v1::FEES, v1::PUBLIC_REVENUE}) {
    int64_t delta = 0;
    std::optional<MonthIndex> first_out;
    for (const Posting& p : postings) {
      if (p.fund != fund || p.account != kCashAccount) continue;
      delta += p.fen;
      if (p.fen < 0) first_out = std::min(p.month, first_out.value_or(p.month));
    }
    if (delta > 0 && CashBalance(c, fund) > std::numeric_limits<int64_t>::max() - delta) {
      return InvalidArgument("bad-amount", "the fund's balance would overflow");
    }
    if (!first_out) continue;
    for (const auto& [month, balance] : RunningSums(NetByMonth(c, fund, kCashAccount, postings))) {
      if (month < *first_out || balance >= 0) continue;
      return FailedPrecondition("insufficient-funds",
                                std::string(v1::Fund_Name(fund)) + " would hold " +
                                    std::to_string(static_cast<int64_t>(balance)) + " fen at the end of " +
                                    FormatMonth(month) + ": not enough for " + std::to_string(-delta));
    }
  }
  return OkStatus();
}

// Likewise, from the first month the postings add remuneration or take back fee income onwards,
// remuneration taken <= the contract's allowance on the fee income to that month: remuneration
// dated before the income it rests on, or a reversal of that income, is refused.
Status Domain::CheckRemunerationAfter(const CommunityState& c, const std::vector<Posting>& postings) const {
  const std::string taken_account = CategoryAccount(v1::REMUNERATION);
  std::optional<MonthIndex> first;
  for (const Posting& p : postings) {
    bool adds_taken = p.account == taken_account && p.fen > 0;
    bool takes_back_income = p.account == kFeeIncomeAccount && p.fen > 0;  // income is a credit
    if (p.fund == v1::FEES && (adds_taken || takes_back_income)) first = std::min(p.month, first.value_or(p.month));
  }
  if (!first) return OkStatus();
  const auto taken = RunningSums(NetByMonth(c, v1::FEES, taken_account, postings));
  const auto income = RunningSums(NetByMonth(c, v1::FEES, kFeeIncomeAccount, postings));
  std::set<MonthIndex> months;  // where either sum moves: between them neither does
  for (const auto* sums : {&taken, &income}) {
    for (const auto& entry : *sums) months.insert(entry.first);
  }
  for (MonthIndex month : months) {
    if (month < *first) continue;
    const __int128 taken_fen = SumThrough(taken, month);
    const int64_t allowed =
        RemunerationAllowed(c, month, static_cast<int64_t>(std::max<__int128>(0, -SumThrough(income, month))));
    if (taken_fen <= allowed) continue;
    return FailedPrecondition("remuneration-cap", "remuneration taken through " + FormatMonth(month) + " would be " +
                                                      std::to_string(static_cast<int64_t>(taken_fen)) +
                                                      " fen; the contract allows " + std::to_string(allowed));
  }
  return OkStatus();
}

Status Domain::CheckEvaluation(const v1::Entry& entry, const CommunityState& c) {
  const v1::Evaluation& e = entry.evaluation();
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, GetRow(state_key::Payment(c.community_id, e.payment_seq())));
  if (!row) return NotFound("unknown-payment", "no fee payment at that seq in this community");
  MZ_ASSIGN_OR_RETURN(const PaymentState p, DecodePayment(*row));
  if (!OwnsUnit(entry.actor(), p.unit_id)) return Forbidden("only an owner of the paying unit evaluates a payment");
  if (p.reversed) return FailedPrecondition("payment-reversed", "the payment was reversed");
  if (p.evaluation_seq) return AlreadyExists("payment-already-evaluated", "this payment was already evaluated");
  const v1::Scores& s = e.scores();
  for (uint32_t score : {s.cleaning(), s.security(), s.greenery(), s.repair(), s.service()}) {
    if (score < kScoreMin || score > kScoreMax) return InvalidArgument("bad-score", "every score must be 1 to 5");
  }
  return CheckText(e.comment(), kCommentBytesMax, "comment");
}

Status Domain::CheckVoting(const v1::Entry& entry, const CommunityState& c) {
  if (entry.has_proposal()) {
    const v1::Proposal& p = entry.proposal();
    if (entry.actor().role() != v1::committee) return Forbidden("proposals are made by the owners' committee");
    MZ_RETURN_IF_ERROR(CheckId(p.proposal_id(), "proposal_id"));
    if (c.proposals.count(p.proposal_id())) return AlreadyExists("duplicate-proposal", "proposal already exists");
    MZ_RETURN_IF_ERROR(CheckText(p.title(), kNameBytesMax, "title"));
    if (p.matter() == v1::MATTER_UNSPECIFIED) return BadRequest("matter is required");
    if (p.fund() == v1::FUND_UNSPECIFIED) return BadRequest("fund is required");
    MZ_RETURN_IF_ERROR(CheckAmount(p.amount()));
    return CheckClosesOn(p.closes_on(), DateOfUnixMs(entry.recorded_at_ms()));
  }
  const std::string& id = entry.has_ballot() ? entry.ballot().proposal_id() : entry.proposal_close().proposal_id();
  auto it = c.proposals.find(id);
  if (it == c.proposals.end()) return NotFound("unknown-proposal", "no proposal " + id);
  if (it->second.closed) return FailedPrecondition("proposal-closed", "the proposal is closed");
  // Voting runs through closes_on, China Standard Time (entries in the log were checked when made).
  const Result<Date> closes_on = ParseDate(it->second.body.closes_on());
  const Date today = DateOfUnixMs(entry.recorded_at_ms());
  const bool voting_open = closes_on.ok() && today <= *closes_on;
  if (entry.has_proposal_close()) {
    if (entry.actor().role() != v1::committee) return Forbidden("the owners' committee closes proposals");
    if (entry.proposal_close().has_tally() || !entry.proposal_close().resolution_id().empty()) {
      return BadRequest("the tally and resolution are recorded by the ledger");
    }
    const size_t voted = it->second.ballots.size();
    if (voting_open && voted < c.units.size()) {
      return FailedPrecondition("proposal-still-open",
                                "voting on " + id + " runs through " + it->second.body.closes_on() +
                                    "; it is closed earlier only once every unit has voted (" + std::to_string(voted) +
                                    " of " + std::to_string(c.units.size()) + " have)");
    }
    return OkStatus();
  }
  const v1::Ballot& b = entry.ballot();
  if (!c.units.count(b.unit_id())) return NotFound("unknown-unit", "no unit " + b.unit_id() + " in this community");
  if (!OwnsUnit(entry.actor(), b.unit_id())) return Forbidden("only the unit's owner votes for it");
  if (b.choice() == v1::CHOICE_UNSPECIFIED) return BadRequest("choice is required");
  if (!voting_open) {
    return FailedPrecondition("voting-closed", "voting on " + id + " ended on " + it->second.body.closes_on() +
                                                   "; today is " + FormatDate(today) + " (China Standard Time)");
  }
  return OkStatus();
}

Status Domain::CheckReversal(const v1::Entry& entry, const CommunityState& c) {
  uint64_t target = entry.reversal().target_seq();
  MZ_RETURN_IF_ERROR(CheckText(entry.reversal().reason(), kCommentBytesMax, "reason"));
  if (entry.reversal().reason().empty()) return BadRequest("a reversal needs a reason");
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> reversal, GetRow(state_key::Reversal(c.community_id, target)));
  if (reversal) return FailedPrecondition("not-reversible", "a reversal cannot be reversed");
  const v1::Actor& actor = entry.actor();
  MZ_ASSIGN_OR_RETURN(const std::optional<ReversalTarget> original, FindReversalTarget(c, target));
  if (!original) {
    return FailedPrecondition("not-reversible", "only payments, disbursements and public revenue are reversed");
  }
  // A firm corrects only what it wrote itself; an admin corrects anything.
  if (actor.role() != v1::admin && !(IsFirmOf(actor, c) && actor.principal_id() == original->author)) {
    return Forbidden("an entry is reversed by the firm that wrote it or by an admin");
  }
  if (original->reversed) return FailedPrecondition("already-reversed", "the entry was already reversed");
  std::vector<Posting> undo;
  for (Posting p : PostingsOf(original->original)) {
    p.fen = -p.fen;
    undo.push_back(p);
  }
  MZ_RETURN_IF_ERROR(CheckFundsAfter(c, undo));
  return CheckRemunerationAfter(c, undo);
}

}  // namespace mingzhang
