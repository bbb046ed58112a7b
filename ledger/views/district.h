// District: the log of one district (ledger.h) with the trust domain as its state machine
// (domain.h), and the views people read of it (views.h), each of one durable batch.
//
//   auto district = District::Open({.data_dir = "./data"});
//   (*district)->Append(entry);                        // the rules admit it, or say why not
//   Result<StatementView> s = (*district)->Statement("lanting", "2026-10");  // view_types.h
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/calendar.h"
#include "ledger/log/ledger.h"
#include "ledger/views/view_types.h"
#include "ledger/views/views_directory.h"

namespace mingzhang {

class District final : public Ledger {
 public:
  // Ledger::Open with the trust domain as the log's state machine.
  static Result<std::unique_ptr<District>> Open(LedgerOptions options);
  ~District() override;

  // Views (views.h), each consistent with the head it names. Periods are "YYYY-MM", "YYYY-Qn" or
  // "YYYY". Errors: bad-period, unknown-community, unknown-unit, unknown-proposal, no-checkpoint.
  //
  // The statement (StatementBody). Without tree_size: from the state rows at the current head.
  // With it: by replaying the community's entries below it, naming the checkpoint signed at that
  // size. What is served is signed over its JCS form (view_json.h SignedStatementJson).
  Result<StatementView> Statement(const std::string& community_id, const std::string& period,
                                  std::optional<uint64_t> tree_size = std::nullopt) const;
  // Ed25519 by the log's key over `jcs`, the JCS form of a statement (view_json.h StatementJcs).
  // Refused (Internal) unless it is a JSON object's text on one line: a checkpoint's note (and any
  // signed note) is lines of text, so what this signs cannot pass for one.
  Result<StatementSignature> SignStatement(std::string_view jcs) const;
  Result<BillingView> Billing(const std::string& community_id, const std::string& period) const;
  // The account with each payment's inclusion proof against the latest checkpoint, and that
  // signed checkpoint with its tree size.
  Result<ProvedOwnerAccount> OwnerAccount(const std::string& community_id, const std::string& unit_id,
                                          const std::string& period) const;
  Result<EvaluationSummaryView> EvaluationSummary(const std::string& community_id, const std::string& period) const;
  Result<ProposalView> Proposal(const std::string& community_id, const std::string& proposal_id) const;
  Result<RatingsView> Ratings(const std::string& period) const;
  // Today in China Standard Time by the ledger's clock: what billing views read as of (views.h
  // ViewAsOf), so a cached view is kept per day as well as per tree size.
  Date Today() const { return DateOfUnixMs(NowMs()); }
  // Every proposal of a community with its status and tally (ProposalsOf).
  Result<ProposalsView> Proposals(const std::string& community_id) const;
  // A community's name, firm and labelled units (CommunityUnitsOf).
  Result<CommunityUnitsView> CommunityUnits(const std::string& community_id) const;
  // What a credential covers, with names and labels (DirectoryOf, GET /v1/me).
  Result<DirectoryView> Directory(const v1::Credential& who) const;
  Result<ReconcileView> Reconcile(const std::string& community_id, std::string_view bank_csv) const;
  // The district a page at a time, and spending by category at the head with the count of
  // voucher files `uploaded` says are kept (views_directory.h; defined in views_directory.cpp).
  Result<FirmsPage> Firms(const DirectoryPage& page) const;
  Result<CommunitiesPage> Communities(const std::string& firm_id, const DirectoryPage& page) const;
  Result<SpendingView> Spending(const std::string& community_id, const std::string& period,
                                  const VoucherUploaded& uploaded) const;
  // Seqs of a community's entries after `after_seq` (all when nullopt), at most `limit`.
  Result<std::vector<uint64_t>> CommunitySeqs(const std::string& community_id, std::optional<uint64_t> after_seq,
                                              size_t limit) const;
  // The community an entry belongs to (empty for firm registrations); NotFound beyond the head.
  Result<std::string> CommunityOf(uint64_t seq) const;
  // The communities whose disbursements name a voucher_sha256, in id order; empty when none
  // (StateReader::VoucherCommunities): who may store and read the voucher's file.
  Result<std::vector<std::string>> VoucherCommunities(const std::string& sha256_hex) const;

 private:
  District(LedgerOptions options, std::unique_ptr<Store> store, SigningKey key);
};

}  // namespace mingzhang
