// What each user gets, read from the domain's state rows through a StateReader (state_rows.h;
// README "Views"): a view reads a community's kept aggregates (balances, units' paid months,
// per-month activity) and the entries' own rows it lists, so its cost follows the community's
// size and the period, not the community's history. Every answer is a typed value
// (view_types.h: money in whole fen, int64); the JSON served and the JCS form of a statement that
// is signed are made from those values in one place, ledger/views/json/view_json.h.
//
// Definitions used throughout, for a community c and a period P (a month, quarter or year):
// - A fee payment is attributed to the months it pays for: amount / months each month, the
//   remainder fen on its first month. "paid for P" sums those parts over P's months.
// - billed for P: every unit's monthly fee (area × rate, half up to the fen) for each month of P
//   from the community's start month on.
// - Cash flows (fund income and spending) count in the month of their business date
//   (paid_on / received_on). A reversed entry counts nowhere.
#pragma once

#include <string>

#include "ledger/base/calendar.h"
#include "ledger/domain/domain.h"
#include "ledger/log/note.h"
#include "ledger/domain/reconcile.h"
#include "ledger/domain/state_rows.h"
#include "ledger/base/status.h"
#include "ledger/views/view_types.h"

namespace mingzhang {

// /2: as_of, and billing's due_day, billed_due and collected_due (collection_rate_bp is over due months).
// /3: entries_digest is the chained digest (entries_digest.h) instead of one SHA-256 over the
// concatenated leaf hashes, so that a community's digest so far can be stored. The server makes
// only /3; /2 is recomputed only to check an old statement (StatementAsV2, mingzhang audit).
inline constexpr const char* kStatementFormat = "mingzhang-statement/3";
inline constexpr const char* kStatementFormatV2 = "mingzhang-statement/2";

// The day a view reads as of, at its end: the period's last day, or the last whole day before
// `today` (China Standard Time) when that is earlier. A month's fee is past due once its due date
// (DueDate) is on or before as_of: a fee due today is not in arrears until today is over. Only
// months past due count in arrears and in collection rates; a period that has not started shows
// what will be billed and no arrears.
Date ViewAsOf(const Period& period, const Date& today);

// The statement of c for P, computed from kept aggregates, naming `checkpoint` (whose tree size
// must be the state's): StatementView (view_types.h), format kStatementFormat, as_of ViewAsOf,
// entries_count and entries_digest over every entry of c in the log, in seq order
// (EntriesDigestOf). To recompute a statement, pass the day after its as_of as `today`.
Result<StatementView> StatementBody(StateReader& state, const std::string& community_id, const Period& period,
                                    const Checkpoint& checkpoint, const Date& today);

// A StatementBody as mingzhang-statement/2 had it: the same fields, with that format and
// entries_digest = LegacyEntriesDigestOf(the same leaf hashes), given as `legacy_digest`.
StatementView StatementAsV2(StatementView body, const Hash& legacy_digest);

// Billing for P: each unit's fee, billed, paid and arrears, and the community's totals
// (BillingView).
Result<BillingView> BillingOf(StateReader& state, const std::string& community_id, const Period& period,
                              const Date& today);

// "Where my fee went" for unit u and P (OwnerAccountView): billed, paid, owed, arrears; the
// community's fee income paid for P's months (the basis of the shares) and paid on P's days (the
// statement's FEES income); FEES spending in P by category, the unit's shares of it and the
// unspent part (SplitOwnerPayment); the spending items with voucher hashes; the unit's payments
// attributed to P. Proofs are added by the caller, who knows the tree (ProvedOwnerAccount).
Result<OwnerAccountView> OwnerAccountOf(StateReader& state, const std::string& community_id,
                                        const std::string& unit_id, const Period& period, const Date& today);

// Evaluations of c's payments paid in P (EvaluationStats).
Result<EvaluationSummaryView> EvaluationSummaryOf(StateReader& state, const std::string& community_id,
                                                  const Period& period);

// A proposal with its tally: the recorded one when closed, the live one while open.
Result<ProposalView> ProposalOf(StateReader& state, const std::string& community_id, const std::string& proposal_id);

// Every proposal of c, open and closed, in proposal id order, with its status: open (not
// closed), passed or rejected (closed, by its recorded tally).
Result<ProposalsView> ProposalsOf(StateReader& state, const std::string& community_id);

// c's name, firm and units with their labels, units in id order.
Result<CommunityUnitsView> CommunityUnitsOf(StateReader& state, const std::string& community_id);

// What a credential covers, named for people (GET /v1/me). An owner's units are those of the
// credential; a firm's and a committee's communities come with all their units; a regulator or an
// admin gets every community, names only (no units).
Result<DirectoryView> DirectoryOf(StateReader& state, const v1::Credential& who);

// Every firm rated for P, with the inputs of its rating (rating.h).
Result<RatingsView> RatingsOf(StateReader& state, const Period& period, const Date& today);

// Whether a token's scope names what is registered: a firm's communities are served by that firm
// (else InvalidArgument "bad-credential"), an owner's units are in its community ("unknown-unit"),
// every community exists ("unknown-community").
Status CheckCredentialScope(StateReader& state, const v1::Credential& credential);

// The community, or nullptr when it is not registered (unknown-community); other errors are I/O.
Result<const CommunityState*> CommunityIfRegistered(StateReader& state, const std::string& id, UnitDetail detail);

// Matches a parsed bank statement against c's payments, disbursements and public revenue.
Result<ReconcileView> ReconcileOf(StateReader& state, const std::string& community_id, const BankStatement& bank);

}  // namespace mingzhang
