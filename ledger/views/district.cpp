// The district's views: domain views tied to the head they were computed at, with signatures and
// proofs (views.h has the definitions).
#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "ledger/log/keys.h"
#include "ledger/views/district.h"
#include "ledger/domain/state_rows.h"
#include "ledger/views/views.h"

namespace mingzhang {
namespace {

Result<Checkpoint> OpenCheckpoint(const std::string& note, const NoteVerifier& verifier) {
  MZ_ASSIGN_OR_RETURN(std::string text, OpenNote(note, verifier));
  return ParseCheckpoint(text);
}

// A snapshot's rows and a reader over them: what every view below reads, with no lock held (the
// snapshot is of one durable batch, and view.head is that batch's head).
struct Snapshot {
  explicit Snapshot(ReadView v) : view(std::move(v)), rows(view.store), state(rows) {}
  Snapshot(const Snapshot&) = delete;  // `state` reads `rows`, `rows` reads `view`
  ReadView view;
  StoreRows rows;
  StateReader state;
};

// The community's entries below `tree_size`, in seq order, read a page at a time.
constexpr size_t kSeqsPage = 4096;

Result<std::vector<uint64_t>> SeqsBelow(StateReader& state, const std::string& community_id, uint64_t tree_size) {
  std::vector<uint64_t> seqs;
  std::optional<uint64_t> after;
  for (;;) {
    MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> page, state.CommunitySeqs(community_id, after, kSeqsPage));
    for (uint64_t seq : page) {
      if (seq >= tree_size) return seqs;
      seqs.push_back(seq);
    }
    if (page.size() < kSeqsPage) return seqs;
    after = page.back();
  }
}

}  // namespace

Result<StatementView> District::Statement(const std::string& community_id, const std::string& period_text,
                                          std::optional<uint64_t> tree_size) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  if (!tree_size) {
    MZ_ASSIGN_OR_RETURN(ReadView view, Read());
    Snapshot now(std::move(view));
    MZ_ASSIGN_OR_RETURN(Checkpoint checkpoint, OpenCheckpoint(now.view.head.checkpoint, verifier()));
    return StatementBody(now.state, community_id, period, checkpoint, Today());
  }
  // An earlier tree: replay the community's entries below it (its registration among them) into
  // a state of its own. The checkpoint is read first, so the snapshot the seqs come from holds
  // every entry below its size.
  MZ_ASSIGN_OR_RETURN(std::string note, CheckpointAt(*tree_size));
  MZ_ASSIGN_OR_RETURN(Checkpoint checkpoint, OpenCheckpoint(note, verifier()));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, SeqsBelow(now.state, community_id, *tree_size));
  if (seqs.empty()) return NotFound("unknown-community", "no community " + community_id);
  Domain replayed;
  for (uint64_t seq : seqs) {
    MZ_ASSIGN_OR_RETURN(StoredEntry e, ReadEntry(seq));
    MZ_RETURN_IF_ERROR(replayed.Record(e.entry, e.leaf_hash));
  }
  StateReader then(replayed.rows());
  return StatementBody(then, community_id, period, checkpoint, Today());
}

Result<StatementSignature> District::SignStatement(std::string_view jcs) const {
  if (jcs.empty() || jcs.front() != '{' || jcs.back() != '}' || jcs.find('\n') != std::string_view::npos) {
    return Internal("internal", "only a statement's JCS form (a JSON object) is signed");
  }
  return StatementSignature{verifier().key_id, signing_key().Sign(jcs)};
}

Result<BillingView> District::Billing(const std::string& community_id, const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return BillingOf(now.state, community_id, period, Today());
}

Result<ProvedOwnerAccount> District::OwnerAccount(const std::string& community_id, const std::string& unit_id,
                                                  const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  const Head& h = now.view.head;
  ProvedOwnerAccount out;
  MZ_ASSIGN_OR_RETURN(out.account, OwnerAccountOf(now.state, community_id, unit_id, period, Today()));
  for (const UnitPaymentLine& payment : out.account.payments) {
    LeafProof proof;
    MZ_ASSIGN_OR_RETURN(proof.audit_path, InclusionProof(payment.seq, h.tree_size));
    MZ_ASSIGN_OR_RETURN(proof.leaf_hash, ReadTreeNode(store(), 0, payment.seq));
    out.payment_proofs.push_back(std::move(proof));
  }
  out.tree_size = h.tree_size;
  out.checkpoint = h.checkpoint;
  return out;
}

Result<EvaluationSummaryView> District::EvaluationSummary(const std::string& community_id,
                                                          const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return EvaluationSummaryOf(now.state, community_id, period);
}

Result<ProposalView> District::Proposal(const std::string& community_id, const std::string& proposal_id) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return ProposalOf(now.state, community_id, proposal_id);
}

Result<RatingsView> District::Ratings(const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return RatingsOf(now.state, period, Today());
}

Result<ProposalsView> District::Proposals(const std::string& community_id) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return ProposalsOf(now.state, community_id);
}

Result<CommunityUnitsView> District::CommunityUnits(const std::string& community_id) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return CommunityUnitsOf(now.state, community_id);
}

// An I/O error reading the state shows no community: the signature (ledger.h) has no error yet.
Result<DirectoryView> District::Directory(const v1::Credential& who) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return DirectoryOf(now.state, who);
}

Result<ReconcileView> District::Reconcile(const std::string& community_id, std::string_view bank_csv) const {
  // Parsed before reading the state: the snapshot is kept no longer than the view needs it.
  MZ_ASSIGN_OR_RETURN(BankStatement bank, ParseBankStatement(bank_csv));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return ReconcileOf(now.state, community_id, bank);
}

Result<std::vector<uint64_t>> District::CommunitySeqs(const std::string& community_id,
                                                    std::optional<uint64_t> after_seq, size_t limit) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, now.state.CommunitySeqs(community_id, after_seq, limit));
  // A registered community has an entry (its registration): none at all means no such community.
  if (seqs.empty()) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> row, now.rows.Get(state_key::Community(community_id)));
    if (!row) return NotFound("unknown-community", "no community " + community_id);
  }
  return seqs;
}

// Read from the entry itself: an index by seq would cost a row per entry.
Result<std::string> District::CommunityOf(uint64_t seq) const {
  MZ_ASSIGN_OR_RETURN(StoredEntry e, ReadEntry(seq));
  return e.entry.community_id();
}

// An I/O error reading the state names no community, so the voucher is refused (fails closed).
Result<std::vector<std::string>> District::VoucherCommunities(const std::string& sha256_hex) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  Snapshot now(std::move(view));
  return now.state.VoucherCommunities(sha256_hex);
}

}  // namespace mingzhang

namespace mingzhang {

Result<std::unique_ptr<District>> District::Open(LedgerOptions options) {
  options.state_machine = [](const Store& store, size_t cache_bytes) {
    return std::make_unique<Domain>(store, cache_bytes);
  };
  MZ_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> opened,
                      OpenWith(options, [](LedgerOptions o, std::unique_ptr<Store> store, SigningKey key) {
                        return new District(std::move(o), std::move(store), std::move(key));
                      }));
  return std::unique_ptr<District>(static_cast<District*>(opened.release()));
}

District::District(LedgerOptions options, std::unique_ptr<Store> store, SigningKey key)
    : Ledger(std::move(options), std::move(store), std::move(key)) {}

District::~District() = default;

}  // namespace mingzhang
