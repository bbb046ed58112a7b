// The ledger's views: domain views tied to the head they were computed at, with signatures and
// proofs (views.h has the definitions).
#include <algorithm>
#include <mutex>

#include "ledger/encoding.h"
#include "ledger/jcs.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/views.h"

namespace mingzhang {
namespace {

using nlohmann::json;

Result<Checkpoint> OpenCheckpoint(const std::string& note, const NoteVerifier& verifier) {
  MZ_ASSIGN_OR_RETURN(std::string text, OpenNote(note, verifier));
  return ParseCheckpoint(text);
}

std::string KeyIdHex(const NoteVerifier& verifier) {
  std::string id(4, '\0');
  for (int i = 0; i < 4; ++i) id[i] = static_cast<char>(verifier.key_id >> (24 - 8 * i));
  return HexEncode(id);
}

}  // namespace

Result<json> Ledger::Statement(const std::string& community_id, const std::string& period_text,
                               std::optional<uint64_t> tree_size) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  Result<json> body = json();
  if (!tree_size) {
    std::shared_lock lock(domain_mu_);
    MZ_ASSIGN_OR_RETURN(Checkpoint checkpoint, OpenCheckpoint(head().checkpoint, verifier_));
    body = StatementBody(domain_, community_id, period, checkpoint, Today());
  } else {
    // An earlier tree: replay the community's entries below it into a state of its own.
    MZ_ASSIGN_OR_RETURN(std::string note, CheckpointAt(*tree_size));
    MZ_ASSIGN_OR_RETURN(Checkpoint checkpoint, OpenCheckpoint(note, verifier_));
    std::vector<uint64_t> seqs;
    {
      std::shared_lock lock(domain_mu_);
      const CommunityState* c = domain_.community(community_id);
      if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
      for (uint64_t seq : c->seqs) {
        if (seq >= *tree_size) break;
        seqs.push_back(seq);
      }
    }
    Domain replayed;
    for (uint64_t seq : seqs) {
      MZ_ASSIGN_OR_RETURN(StoredEntry e, ReadEntry(seq));
      replayed.Record(e.entry, e.leaf_hash);
    }
    body = StatementBody(replayed, community_id, period, checkpoint, Today());
  }
  if (!body.ok()) return body.status();
  MZ_ASSIGN_OR_RETURN(std::string canonical, Canonicalize(*body));
  return json{{"statement", std::move(*body)},
              {"signature",
               {{"key_id", KeyIdHex(verifier_)},
                {"algorithm", "Ed25519"},
                {"signature", Base64Encode(key_.Sign(canonical))}}}};
}

Result<json> Ledger::Billing(const std::string& community_id, const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  std::shared_lock lock(domain_mu_);
  return BillingView(domain_, community_id, period, Today());
}

Result<json> Ledger::OwnerAccount(const std::string& community_id, const std::string& unit_id,
                                  const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  std::shared_lock lock(domain_mu_);
  Head h = head();
  MZ_ASSIGN_OR_RETURN(json account, OwnerAccountView(domain_, community_id, unit_id, period, Today()));
  for (json& payment : account["payments"]) {
    uint64_t seq = std::stoull(payment["seq"].get<std::string>());
    MZ_ASSIGN_OR_RETURN(std::vector<Hash> proof, InclusionProof(seq, h.tree_size));
    MZ_ASSIGN_OR_RETURN(Hash leaf, ReadTreeNode(*store_, 0, seq));
    json path = json::array();
    for (const Hash& node : proof) path.push_back(Base64Encode(AsBytes(node)));
    payment["leaf_index"] = std::to_string(seq);
    payment["leaf_hash"] = Base64Encode(AsBytes(leaf));
    payment["audit_path"] = path;
  }
  account["tree_size"] = std::to_string(h.tree_size);
  account["checkpoint"] = h.checkpoint;
  return account;
}

Result<json> Ledger::EvaluationSummary(const std::string& community_id, const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  std::shared_lock lock(domain_mu_);
  return mingzhang::EvaluationSummary(domain_, community_id, period);
}

Result<json> Ledger::Proposal(const std::string& community_id, const std::string& proposal_id) const {
  std::shared_lock lock(domain_mu_);
  return ProposalView(domain_, community_id, proposal_id);
}

Result<json> Ledger::Ratings(const std::string& period_text) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  std::shared_lock lock(domain_mu_);
  return RatingsView(domain_, period, Today());
}

Result<json> Ledger::Proposals(const std::string& community_id) const {
  std::shared_lock lock(domain_mu_);
  return ProposalsView(domain_, community_id);
}

Result<json> Ledger::CommunityUnits(const std::string& community_id) const {
  std::shared_lock lock(domain_mu_);
  return CommunityUnitsView(domain_, community_id);
}

json Ledger::Directory(const v1::Credential& who) const {
  std::shared_lock lock(domain_mu_);
  return DirectoryView(domain_, who);
}

Result<json> Ledger::Reconcile(const std::string& community_id, std::string_view bank_csv) const {
  // Parsed before the lock: a large statement must not hold up the writer's publishing.
  MZ_ASSIGN_OR_RETURN(BankStatement bank, ParseBankStatement(bank_csv));
  std::shared_lock lock(domain_mu_);
  return ReconcileView(domain_, community_id, bank);
}

Result<std::vector<uint64_t>> Ledger::CommunitySeqs(const std::string& community_id,
                                                    std::optional<uint64_t> after_seq, size_t limit) const {
  std::shared_lock lock(domain_mu_);
  const CommunityState* c = domain_.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
  auto it = after_seq ? std::upper_bound(c->seqs.begin(), c->seqs.end(), *after_seq) : c->seqs.begin();
  std::vector<uint64_t> out;
  for (; it != c->seqs.end() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

// Read from the entry itself: an index by seq in memory would cost ~90 bytes per entry, twice.
Result<std::string> Ledger::CommunityOf(uint64_t seq) const {
  MZ_ASSIGN_OR_RETURN(StoredEntry e, ReadEntry(seq));
  return e.entry.community_id();
}

std::vector<std::string> Ledger::VoucherCommunities(const std::string& sha256_hex) const {
  std::shared_lock lock(domain_mu_);
  const std::set<std::string>* communities = domain_.VoucherCommunities(sha256_hex);
  if (communities == nullptr) return {};
  return std::vector<std::string>(communities->begin(), communities->end());
}

Result<IssuedToken> Ledger::IssueToken(const v1::Credential& credential, std::string_view issuer_id,
                                       std::string_view idempotency_key) {
  MZ_RETURN_IF_ERROR(CheckCredential(credential));
  {
    // Registrations are never undone, so a scope that holds now holds for the token's life.
    std::shared_lock lock(domain_mu_);
    MZ_RETURN_IF_ERROR(domain_.CheckCredentialScope(credential));
  }
  if (!idempotency_key.empty()) return tokens_->IssueOnce(credential, issuer_id, idempotency_key);
  MZ_ASSIGN_OR_RETURN(std::string token, tokens_->Issue(credential));
  IssuedToken issued;
  issued.token = std::move(token);
  issued.credential = credential;
  return issued;
}

}  // namespace mingzhang
