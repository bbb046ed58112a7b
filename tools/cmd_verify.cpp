// mingzhang verify: check a whole log, offline from a data directory or online from a server.
//
// Offline (--data-dir): ledger/audit/verify.h over the store opened read-only.
//
// Online (--server): fetch the log's key and its latest signed checkpoint, then every entry
// (GET /v1/entries/{seq}, which needs an admin or regulator token to reach every community and
// the firm registrations), and recompute from the stored bytes alone: each leaf hash, the hash
// chain, the Merkle root; check the checkpoint's signature with the trusted key and its root
// against the recomputed one. Then every entry's inclusion proof as the server serves it, as
// each owner would check it: a wrong node of the server's tree is named by the leaves it covers
// (--skip-proofs leaves this pass out; it doubles the requests). The last verified checkpoint is
// remembered in a state file; the next run checks that the log only grew since: the remembered
// checkpoint is still served byte for byte, the recomputed tree at its size has its root, and
// the server's consistency proof from it to the new checkpoint verifies.
//
// Every problem is named the way the offline verification names it (modified, missing,
// reordered, truncated, tree-mismatch, bad-signature, checkpoint-mismatch) with the seq it is at;
// an inclusion proof with more or fewer nodes than the tree's shape gives is bad-proof.
// The balances and idempotency records a store keeps beside the log are never served, so only
// the offline verification sees them.
#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <vector>

#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"
#include "ledger/log/ledger.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "ledger/audit/verify.h"
#include "mingzhang/v1/ledger.pb.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

using nlohmann::json;

constexpr const char* kStateFormat = "mingzhang-verify-state/1";
constexpr size_t kFetchChunk = 2048;   // entries fetched (in parallel) before they are checked in order
constexpr size_t kFetchWorkersDefault = 16;

// ---- offline -------------------------------------------------------------------------------

// The key verification trusts: given on the command line, or the public key file written when
// the log was created. The key stored inside the database is never trusted on its own.
Result<NoteVerifier> TrustedVerifier(const Args& args, const Store& store, const std::string& data_dir) {
  if (auto vkey = args.Get("verifier-key")) return NoteVerifier::Parse(*vkey);
  MZ_ASSIGN_OR_RETURN(std::string pem, ReadFile(args.GetOr("key", data_dir + "/" + kPublicKeyFileName)));
  MZ_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromPem(pem));
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> name, store.Get(Column::kMeta, kMetaKeyName));
  if (!name || !ValidKeyName(*name)) return DataLoss("store-corrupt", "the store names no valid key");
  return NoteVerifier::For(*name, key);
}

int VerifyOffline(const Args& args, const std::string& dir) {
  Result<std::unique_ptr<Store>> store = OpenReadOnly(dir);
  if (!store.ok()) return Fail(store.status());
  Result<NoteVerifier> verifier = TrustedVerifier(args, **store, dir);
  if (!verifier.ok()) return Fail(verifier.status());
  VerifyOptions options;
  options.scratch_dir = args.GetOr("scratch-dir", "");
  Result<VerifyReport> report = VerifyLog(**store, *verifier, options);
  if (!report.ok()) return Fail(report.status());
  std::cout << report->ToString() << "\n";
  return report->ok() ? kExitOk : kExitProblem;
}

// ---- online --------------------------------------------------------------------------------

// What the online verification found wrong (the Status path is for usage and I/O errors).
struct Problem {
  std::string finding;  // modified, missing, reordered, bad-signature, checkpoint-mismatch, ...
  std::string detail;
  bool chain_broken = false;  // entry N's prev_hash differs from entry N-1's hash: which one is it?
};

struct State {
  std::string verifier_key;
  std::string origin;
  uint64_t tree_size = 0;
  std::string root;  // 32 raw bytes
  std::string checkpoint;
};

std::string Sanitize(std::string_view text) {
  std::string out;
  for (char c : text) out += IsIdChar(c) ? c : '_';
  return out;
}

Result<std::string> DefaultStatePath(const std::string& origin) {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    return InvalidArgument("usage", "HOME is not set: give --state-file FILE");
  }
  std::string dir = std::string(home) + "/.mingzhang";
  ::mkdir(dir.c_str(), 0700);  // exists already: fine; any real failure shows when writing
  return dir + "/verify-" + Sanitize(origin) + ".state";
}

Result<std::optional<State>> LoadState(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::optional<State>();
    return text.status();
  }
  json j = json::parse(*text, nullptr, false);
  State s;
  try {
    if (!j.is_object() || j.value("format", "") != kStateFormat) throw std::runtime_error("format");
    s.verifier_key = j.at("verifier_key").get<std::string>();
    s.origin = j.at("origin").get<std::string>();
    s.checkpoint = j.at("checkpoint").get<std::string>();
  } catch (const std::exception&) {
    return InvalidArgument("bad-state", path + " is not a mingzhang verify state file");
  }
  return std::optional<State>(std::move(s));
}

Status SaveState(const std::string& path, const State& s, const std::string& server) {
  json j{{"format", kStateFormat},
         {"server", server},
         {"origin", s.origin},
         {"verifier_key", s.verifier_key},
         {"tree_size", std::to_string(s.tree_size)},
         {"root_hash", Base64Encode(s.root)},
         {"checkpoint", s.checkpoint},
         {"verified_at_unix_ms",
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()}};
  return WriteFileAtomic(path, j.dump(2) + "\n", 0600);
}

// The verifier key to trust: the one given on the command line, else the one remembered from an
// earlier run, else the server's (trust on first use, said out loud).
Result<NoteVerifier> OnlineVerifier(const Args& args, const NoteVerifier& served, const std::optional<State>& state) {
  if (auto vkey = args.Get("verifier-key")) return NoteVerifier::Parse(*vkey);
  if (auto key_file = args.Get("key")) {
    MZ_ASSIGN_OR_RETURN(std::string pem, ReadFile(*key_file));
    MZ_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromPem(pem));
    return NoteVerifier::For(served.name, key);
  }
  if (state) return NoteVerifier::Parse(state->verifier_key);
  std::cout << "trusting the server's key on first use: " << served.String() << "\n";
  return served;
}

// ---- the server's tree, through its inclusion proofs ----------------------------------------

// Every complete subtree of the fetched entries, by level: a node any proof holds, recomputed.
class RecomputedTree {
 public:
  explicit RecomputedTree(std::vector<Hash> leaves) { levels_.push_back(std::move(leaves)); }
  void Build() {
    while (levels_.back().size() > 1) {
      const std::vector<Hash>& below = levels_.back();
      std::vector<Hash> up;
      for (size_t i = 0; i + 1 < below.size(); i += 2) up.push_back(NodeHash(below[i], below[i + 1]));
      levels_.push_back(std::move(up));
    }
  }
  uint64_t size() const { return levels_[0].size(); }
  const Hash& leaf(uint64_t i) const { return levels_[0][i]; }

  // RFC 9162 MTH of leaves [lo, hi): a stored complete subtree, or a fold of them at the right edge.
  Hash Subtree(uint64_t lo, uint64_t hi) const {
    uint64_t n = hi - lo;
    int level = std::countr_zero(n);
    if ((n & (n - 1)) == 0 && lo % n == 0) return levels_[level][lo >> level];
    uint64_t k = std::bit_floor(n - 1);
    return NodeHash(Subtree(lo, lo + k), Subtree(lo + k, hi));
  }

  // The leaf ranges the audit path of leaf m in [lo, hi) covers, from the leaf upward (RFC 9162 PATH).
  static void PathRanges(uint64_t m, uint64_t lo, uint64_t hi, std::vector<std::pair<uint64_t, uint64_t>>& out) {
    if (hi - lo <= 1) return;
    uint64_t k = std::bit_floor(hi - lo - 1);
    if (m < lo + k) {
      PathRanges(m, lo, lo + k, out);
      out.emplace_back(lo + k, hi);
    } else {
      PathRanges(m, lo + k, hi, out);
      out.emplace_back(lo, lo + k);
    }
  }

 private:
  std::vector<std::vector<Hash>> levels_;
};

// How one served inclusion proof fared against the signed root.
struct ProofCheck {
  enum class Kind { kOk, kLeafDiffers, kNodeDiffers, kWrongLength } kind = Kind::kOk;
  uint64_t lo = 0, hi = 0;  // kNodeDiffers: the leaves the wrong node covers; kWrongLength: the
                            // proof's node count and the count the tree's shape gives
};

// The server's audit path of `leaf` in the tree of `size` leaves; a malformed node is empty.
Result<std::vector<std::string>> FetchInclusionProof(HttpClient& client, uint64_t leaf, uint64_t size) {
  MZ_ASSIGN_OR_RETURN(json answer, CallJson(client, Method::kGet,
                                            "/v1/proofs/inclusion?leaf_index=" + std::to_string(leaf) +
                                                "&tree_size=" + std::to_string(size)));
  std::vector<std::string> path;
  try {
    for (const json& node : answer.at("audit_path")) {
      Result<std::string> bytes = Base64Decode(node.get<std::string>());
      path.push_back(bytes.ok() ? *bytes : std::string());
    }
  } catch (const json::exception&) {
    path.clear();
  }
  return path;
}

Result<ProofCheck> CheckInclusion(HttpClient& client, uint64_t leaf, const RecomputedTree& tree, const Hash& root) {
  const uint64_t n = tree.size();
  MZ_ASSIGN_OR_RETURN(std::vector<std::string> path, FetchInclusionProof(client, leaf, n));
  if (VerifyInclusion(leaf, n, AsBytes(tree.leaf(leaf)), path, AsBytes(root)).ok()) return ProofCheck{};
  // Which node is not what the fetched entries give? None: the signed tree holds another leaf.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  RecomputedTree::PathRanges(leaf, 0, n, ranges);
  if (path.size() != ranges.size()) return ProofCheck{ProofCheck::Kind::kWrongLength, path.size(), ranges.size()};
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (path[i] != AsBytes(tree.Subtree(ranges[i].first, ranges[i].second))) {
      return ProofCheck{ProofCheck::Kind::kNodeDiffers, ranges[i].first, ranges[i].second};
    }
  }
  return ProofCheck{ProofCheck::Kind::kLeafDiffers};
}

// What the proofs of all entries say, together. An entry that was changed after it was signed
// fails its own proof with every node as recomputed, and makes every other proof fail at the node
// covering it; a wrong node of the server's tree fails the proofs that pass it, and only those;
// a checkpoint whose root belongs to no tree of these entries fails every proof, each with every
// node as recomputed.
Result<std::optional<Problem>> CheckProofs(const ServerUrl& server, size_t workers, const RecomputedTree& tree,
                                           const Hash& root) {
  std::optional<uint64_t> first_leaf_differs;
  std::vector<std::pair<uint64_t, ProofCheck>> node_differs;  // (leaf whose proof it is, its check)
  Progress progress("proofs", tree.size());
  for (uint64_t start = 0; start < tree.size(); start += kFetchChunk) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kFetchChunk, tree.size() - start));
    std::vector<Result<ProofCheck>> checks(n, ProofCheck{});
    ForEachParallel(server, workers, n, [&](HttpClient& client, size_t i) {
      checks[i] = CheckInclusion(client, start + i, tree, root);
    });
    for (size_t i = 0; i < n; ++i) {
      if (!checks[i].ok()) return checks[i].status();
      if (checks[i]->kind == ProofCheck::Kind::kWrongLength) {
        return std::optional<Problem>(Problem{
            "bad-proof", "at seq " + std::to_string(start + i) + ": the server's inclusion proof has " +
                             std::to_string(checks[i]->lo) + " nodes, a tree of " + std::to_string(tree.size()) +
                             " leaves needs " + std::to_string(checks[i]->hi)});
      }
      if (checks[i]->kind == ProofCheck::Kind::kLeafDiffers && !first_leaf_differs) first_leaf_differs = start + i;
      if (checks[i]->kind == ProofCheck::Kind::kNodeDiffers) node_differs.emplace_back(start + i, *checks[i]);
    }
    progress.Set(static_cast<size_t>(start + n));
  }
  progress.Finish();
  if (first_leaf_differs) {
    uint64_t leaf = *first_leaf_differs;
    bool others_disagree = tree.size() == 1 || std::any_of(node_differs.begin(), node_differs.end(), [&](const auto& d) {
                             return d.second.lo <= leaf && leaf < d.second.hi;
                           });
    if (!others_disagree) {
      return std::optional<Problem>(Problem{"checkpoint-mismatch", "the signed root is the root of no tree of the " +
                                                                       std::to_string(tree.size()) + " entries served"});
    }
    return std::optional<Problem>(Problem{"modified", "at seq " + std::to_string(leaf) +
                                                          ": its bytes are not the leaf the signed tree holds"});
  }
  if (node_differs.empty()) return std::optional<Problem>();
  const auto& [leaf, check] = node_differs.front();
  return std::optional<Problem>(Problem{"tree-mismatch", "at seq " + std::to_string(check.hi - 1) +
                                                            ": the server's tree holds a wrong hash for leaves " +
                                                            std::to_string(check.lo) + " to " +
                                                            std::to_string(check.hi - 1) + " (in the inclusion proof of leaf " +
                                                            std::to_string(leaf) + ")"});
}

// ---- entries -------------------------------------------------------------------------------

// Checks what the server says about one entry against the bytes it serves, and the chain.
std::optional<Problem> CheckEntry(uint64_t seq, const json& answer, Hash& chain, CompactRange& range,
                                  std::vector<Hash>& leaves) {
  std::string where = "at seq " + std::to_string(seq) + ": ";
  std::string bytes;
  try {
    if (answer.at("seq").get<std::string>() != std::to_string(seq)) {
      return Problem{"reordered", where + "the server answered with seq " + answer.at("seq").get<std::string>()};
    }
    Result<std::string> decoded = Base64Decode(answer.at("leaf_bytes").get<std::string>());
    if (!decoded.ok()) return Problem{"modified", where + "leaf_bytes is not base64"};
    bytes = std::move(decoded).value();
    Hash leaf = LeafHash(bytes);
    if (answer.at("leaf_hash").get<std::string>() != Base64Encode(AsBytes(leaf))) {
      return Problem{"modified", where + "leaf_hash is not the hash of leaf_bytes"};
    }
    v1::Entry entry;
    if (!entry.ParseFromString(bytes)) return Problem{"modified", where + "leaf_bytes is no mingzhang.v1.Entry"};
    if (entry.seq() != seq) {
      return Problem{"reordered", where + "the stored entry says it is seq " + std::to_string(entry.seq())};
    }
    if (entry.prev_hash() != AsBytes(chain)) {
      return Problem{"modified", where + "prev_hash is not the hash of the previous entry's bytes (chain broken)",
                     /*chain_broken=*/true};
    }
    if (ProtoToJson(entry) != answer.at("entry")) {
      return Problem{"modified", where + "the entry shown as JSON differs from its stored bytes"};
    }
    chain = Sha256(bytes);
    if (answer.at("chain_hash").get<std::string>() != Base64Encode(AsBytes(chain))) {
      return Problem{"modified", where + "chain_hash is not the hash of leaf_bytes"};
    }
    range.Append(leaf, [](int, uint64_t, const Hash&) {});
    leaves.push_back(leaf);
  } catch (const json::exception& e) {
    return Problem{"modified", where + "malformed entry answer (" + e.what() + ")"};
  }
  return std::nullopt;
}

struct Fetched {
  Result<json> answer = json();
};

// Entry seq's prev_hash is not the hash of entry seq-1: which of the two was changed? The one
// whose leaf the signed tree does not hold (one inclusion proof tells).
Result<Problem> NameChainBreak(const ServerUrl& server, uint64_t seq, const Hash& previous_leaf,
                               const Checkpoint& checkpoint) {
  HttpClient client(server);
  MZ_ASSIGN_OR_RETURN(std::vector<std::string> path, FetchInclusionProof(client, seq - 1, checkpoint.tree_size));
  std::string at = std::to_string(seq - 1);
  if (!VerifyInclusion(seq - 1, checkpoint.tree_size, AsBytes(previous_leaf), path, AsBytes(checkpoint.root_hash)).ok()) {
    return Problem{"modified", "at seq " + at + ": its bytes are not the ones entry " + std::to_string(seq) +
                                   "'s prev_hash and the signed tree commit to"};
  }
  return Problem{"modified", "at seq " + std::to_string(seq) + ": its prev_hash is not the hash of entry " + at +
                                 ", which the signed tree holds (chain broken)"};
}

// No entry at `seq` below the checkpoint's size: one gone, or the whole tail (truncated)?
Problem NameMissing(HttpClient& client, const std::string& token, uint64_t seq, uint64_t size) {
  Result<json> last = CallJson(client, Method::kGet, "/v1/entries/" + std::to_string(size - 1), token);
  std::string at = "at seq " + std::to_string(seq) + ": ";
  if (!last.ok() && last.status().code() == Code::kNotFound) {
    return Problem{"truncated", at + "neither this entry nor the last one (" + std::to_string(size - 1) +
                                    ") is served, though the signed checkpoint covers " + std::to_string(size)};
  }
  return Problem{"missing", at + "the server has no entry below its checkpoint's size"};
}

// Verifies entries [0, checkpoint.tree_size), fetching kFetchChunk at a time in parallel; keeps
// their leaf hashes in *leaves and remembers the root at `remembered_size` (when 0 < it <= size)
// in *root_at_remembered.
Result<std::optional<Problem>> CheckAllEntries(const ServerUrl& server, const std::string& token,
                                               const Checkpoint& checkpoint, size_t workers, uint64_t remembered_size,
                                               Hash* root_at_remembered, Hash* root, std::vector<Hash>* leaves) {
  const uint64_t size = checkpoint.tree_size;
  Hash chain{};
  CompactRange range;
  Progress progress("entries", size);
  for (uint64_t start = 0; start < size; start += kFetchChunk) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kFetchChunk, size - start));
    std::vector<Fetched> fetched(n);
    ForEachParallel(server, workers, n, [&](HttpClient& client, size_t i) {
      fetched[i].answer = CallJson(client, Method::kGet, "/v1/entries/" + std::to_string(start + i), token);
    });
    for (size_t i = 0; i < n; ++i) {
      uint64_t seq = start + i;
      const Result<json>& answer = fetched[i].answer;
      if (!answer.ok()) {
        if (answer.status().code() == Code::kNotFound) {
          HttpClient client(server);
          return std::optional<Problem>(NameMissing(client, token, seq, size));
        }
        if (answer.status().code() == Code::kPermissionDenied || answer.status().code() == Code::kUnauthenticated) {
          return Status(answer.status().code(), answer.status().slug(),
                        "reading entry " + std::to_string(seq) + ": " + answer.status().message() +
                            " (online verification needs an admin or regulator token)");
        }
        return answer.status();
      }
      if (auto problem = CheckEntry(seq, *answer, chain, range, *leaves)) {
        if (!problem->chain_broken || seq == 0) return problem;
        MZ_ASSIGN_OR_RETURN(Problem named, NameChainBreak(server, seq, leaves->back(), checkpoint));
        return std::optional<Problem>(std::move(named));
      }
      if (range.size() == remembered_size) *root_at_remembered = range.Root();
      progress.Set(static_cast<size_t>(seq + 1));
    }
  }
  progress.Finish();
  *root = range.Root();
  return std::optional<Problem>();
}

// The remembered checkpoint (size m) against the new one (size n): the log only grew.
Result<std::optional<Problem>> CheckAgainstRemembered(HttpClient& client, const State& old, const Checkpoint& now,
                                                      const Hash& recomputed_at_old) {
  std::string m = std::to_string(old.tree_size);
  if (old.tree_size > now.tree_size) {
    return std::optional<Problem>(Problem{"truncated", "the server's checkpoint has " + std::to_string(now.tree_size) +
                                                           " entries, fewer than the " + m + " verified before"});
  }
  if (old.tree_size == 0) return std::optional<Problem>();  // every tree is consistent with the empty one
  if (AsBytes(recomputed_at_old) != old.root) {
    return std::optional<Problem>(Problem{
        "inconsistent", "the first " + m + " entries served now do not give the root verified before at that size"});
  }
  Result<HttpAnswer> note = client.SendRetrying(Method::kGet, "/v1/checkpoint?tree_size=" + m);
  if (!note.ok()) return note.status();
  if (!note->ok()) {
    Status s = ProblemStatus(*note);
    if (s.code() != Code::kNotFound) return s;
    return std::optional<Problem>(Problem{"checkpoint-changed", "the server no longer has the checkpoint at size " + m});
  }
  if (note->body != old.checkpoint) {
    return std::optional<Problem>(Problem{"checkpoint-changed", "the checkpoint at size " + m +
                                                                    " differs from the one verified before"});
  }
  MZ_ASSIGN_OR_RETURN(json proof, CallJson(client, Method::kGet,
                                           "/v1/proofs/consistency?first=" + m + "&second=" + std::to_string(now.tree_size)));
  std::vector<std::string> path;
  try {
    for (const json& node : proof.at("path")) {
      Result<std::string> bytes = Base64Decode(node.get<std::string>());
      if (!bytes.ok()) return std::optional<Problem>(Problem{"inconsistent", "the consistency proof is not base64"});
      path.push_back(std::move(bytes).value());
    }
  } catch (const json::exception&) {
    return std::optional<Problem>(Problem{"inconsistent", "the consistency proof is malformed"});
  }
  Status s = VerifyConsistency(old.tree_size, now.tree_size, path, old.root, AsBytes(now.root_hash));
  if (!s.ok()) {
    return std::optional<Problem>(Problem{"inconsistent", "the consistency proof from size " + m + " to size " +
                                                              std::to_string(now.tree_size) +
                                                              " does not verify: " + s.message()});
  }
  return std::optional<Problem>();
}

int Report(const Problem& p) {
  std::cout << "FAILED: " << p.finding << " " << p.detail << "\n";
  return kExitProblem;
}

// The exit status when a check found a problem (1) or could not run (2); nullopt when it passed.
std::optional<int> ExitIfFound(const Result<std::optional<Problem>>& found) {
  if (!found.ok()) return Fail(found.status());
  if (*found) return Report(**found);
  return std::nullopt;
}

// verify --server, step by step. Each step returns the exit status when it ends the run.
class OnlineVerification {
 public:
  OnlineVerification(const Args& args, const ServerUrl& server) : args_(args), server_(server), client_(server) {}

  int Run() {
    for (auto step : {&OnlineVerification::ReadFlags, &OnlineVerification::FetchServedKeys,
                      &OnlineVerification::LoadTrust, &OnlineVerification::FetchCheckpoint,
                      &OnlineVerification::CheckTree}) {
      if (std::optional<int> exit = (this->*step)()) return *exit;
    }
    return RememberAndSay();
  }

 private:
  // --parallel and --token-file.
  std::optional<int> ReadFlags() {
    if (auto p = args_.Get("parallel")) {
      std::optional<uint64_t> n = ParseU64(*p);
      if (!n || *n == 0 || *n > 256) return Usage("--parallel must be 1 to 256");
      workers_ = static_cast<size_t>(*n);
    }
    if (auto file = args_.Get("token-file")) {
      Result<std::string> t = ReadTokenFile(*file);
      if (!t.ok()) return Fail(t.status());
      token_ = *t;
    }
    return std::nullopt;
  }

  // The log's origin and the key the server says it signs with (/v1/keys gives it twice).
  std::optional<int> FetchServedKeys() {
    Result<json> keys = CallJson(client_, Method::kGet, "/v1/keys");
    if (!keys.ok()) return Fail(keys.status());
    origin_ = keys->value("origin", "");
    Result<NoteVerifier> served = NoteVerifier::Parse(keys->value("verifier_key", ""));
    if (!served.ok()) return Fail(Status(served.status().code(), "bad-answer", "/v1/keys: " + served.status().message()));
    Result<PublicKey> served_pem = PublicKey::FromPem(keys->value("public_key_pem", ""));
    if (!served_pem.ok() || served_pem->raw() != served->key.raw()) {
      return Report({"key-mismatch", "/v1/keys gives a PEM key and a verifier key that differ"});
    }
    served_ = *served;
    return std::nullopt;
  }

  // The state file, the key to trust, and the checkpoint verified before (re-read through that key).
  std::optional<int> LoadTrust() {
    if (auto f = args_.Get("state-file")) {
      state_path_ = *f;
    } else {
      Result<std::string> p = DefaultStatePath(origin_);
      if (!p.ok()) return Fail(p.status());
      state_path_ = *p;
    }
    Result<std::optional<State>> state = LoadState(state_path_);
    if (!state.ok()) return Fail(state.status());
    state_ = *state;
    Result<NoteVerifier> trusted = OnlineVerifier(args_, *served_, state_);
    if (!trusted.ok()) return Fail(trusted.status());
    trusted_ = *trusted;
    if (trusted_->String() != served_->String()) {
      return Report({"key-mismatch", "the server's key " + served_->String() + " is not the trusted key " + trusted_->String()});
    }
    return state_ ? CheckRememberedState(*state_) : std::nullopt;
  }

  std::optional<int> CheckRememberedState(State& old) {
    if (old.verifier_key != trusted_->String()) {
      return Report({"key-mismatch", "the trusted key differs from the key verified before (" + old.verifier_key +
                                         "); state file " + state_path_});
    }
    if (old.origin != origin_) {
      return Report({"origin-mismatch", "the log's origin " + origin_ + " differs from the one verified before (" +
                                            old.origin + ")"});
    }
    // The remembered checkpoint is re-read through the trusted key: a damaged state file is an error.
    Result<std::string> text = OpenNote(old.checkpoint, *trusted_);
    Result<Checkpoint> cp = text.ok() ? ParseCheckpoint(*text) : Result<Checkpoint>(text.status());
    if (!cp.ok()) return Fail(InvalidArgument("bad-state", state_path_ + ": " + cp.status().message()));
    old.tree_size = cp->tree_size;
    old.root = std::string(AsBytes(cp->root_hash));
    return std::nullopt;
  }

  // The server's latest signed checkpoint, opened with the trusted key.
  std::optional<int> FetchCheckpoint() {
    Result<HttpAnswer> note = client_.SendRetrying(Method::kGet, "/v1/checkpoint");
    if (!note.ok()) return Fail(note.status());
    if (!note->ok()) return Fail(ProblemStatus(*note));
    Result<std::string> text = OpenNote(note->body, *trusted_);
    if (!text.ok()) {
      return Report({text.status().slug() == "bad-signature" ? "bad-signature" : "checkpoint-mismatch",
                     "the server's checkpoint: " + text.status().message()});
    }
    Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
    if (!checkpoint.ok()) return Report({"checkpoint-mismatch", "the server's checkpoint: " + checkpoint.status().message()});
    if (checkpoint->origin != origin_) {
      return Report({"checkpoint-mismatch", "the checkpoint names origin " + checkpoint->origin + ", the log is " + origin_});
    }
    note_ = note->body;
    checkpoint_ = *checkpoint;
    return std::nullopt;
  }

  // Every entry, every inclusion proof, the root against the checkpoint's, and the growth since
  // the checkpoint verified before.
  std::optional<int> CheckTree() {
    const uint64_t size = checkpoint_->tree_size;
    if (size > 0 && token_.empty()) return Usage("verify --server needs --token-file (an admin or regulator token)");
    const uint64_t remembered = state_ ? state_->tree_size : 0;
    Hash root_at_remembered{};
    std::vector<Hash> leaves;
    if (std::optional<int> exit = ExitIfFound(CheckAllEntries(server_, token_, *checkpoint_, workers_, remembered,
                                                              &root_at_remembered, &root_, &leaves))) {
      return exit;
    }
    if (size > 0 && (root_ != checkpoint_->root_hash || !args_.Has("skip-proofs"))) {
      RecomputedTree tree(std::move(leaves));
      tree.Build();
      if (std::optional<int> exit = ExitIfFound(CheckProofs(server_, workers_, tree, checkpoint_->root_hash))) return exit;
    }
    if (root_ != checkpoint_->root_hash) {
      return Report({"checkpoint-mismatch", "the root of the " + std::to_string(size) +
                                                " entries served differs from the signed checkpoint's root"});
    }
    return state_ ? ExitIfFound(CheckAgainstRemembered(client_, *state_, *checkpoint_, root_at_remembered)) : std::nullopt;
  }

  // Saves the checkpoint just verified as the state and says what was checked.
  int RememberAndSay() {
    const uint64_t size = checkpoint_->tree_size;
    State now{trusted_->String(), origin_, size, std::string(AsBytes(root_)), note_};
    if (Status s = SaveState(state_path_, now, server_.text); !s.ok()) return Fail(s);
    std::cout << "OK: " << size << " entries of " << origin_ << " checked (leaf hashes, chain, tree"
              << (args_.Has("skip-proofs") ? "" : ", every inclusion proof") << "); root "
              << Base64Encode(AsBytes(root_)) << " matches the checkpoint signed by " << trusted_->name << "+"
              << trusted_->String().substr(trusted_->name.size() + 1, 8) << "\n";
    if (state_) {
      std::cout << "consistent with the checkpoint at size " << state_->tree_size << " verified before\n";
    } else {
      std::cout << "no earlier checkpoint remembered; this one is remembered now\n";
    }
    std::cout << "state: " << state_path_ << "\n";
    return kExitOk;
  }

  const Args& args_;
  const ServerUrl& server_;
  HttpClient client_;
  size_t workers_ = kFetchWorkersDefault;
  std::string token_;  // empty without --token-file
  std::string origin_;
  std::optional<NoteVerifier> served_;
  std::optional<NoteVerifier> trusted_;
  std::string state_path_;
  std::optional<State> state_;  // the checkpoint verified before, if any
  std::string note_;            // the checkpoint as served, signed
  std::optional<Checkpoint> checkpoint_;
  Hash root_{};  // recomputed from the entries served
};

int VerifyOnline(const Args& args, const std::string& url) {
  if (args.Has("data-dir")) return Usage("give --server or --data-dir, not both");
  if (args.Has("scratch-dir")) return Usage("--scratch-dir is for verify --data-dir");
  Result<ServerUrl> server = ServerUrl::Parse(url);
  if (!server.ok()) return Fail(server.status());
  return OnlineVerification(args, *server).Run();
}

int Verify(const Args& args) {
  if (!args.positional().empty()) return Usage("verify takes no argument " + args.positional().front());
  if (auto server = args.Get("server")) return VerifyOnline(args, *server);
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Usage("verify needs --data-dir DIR or --server URL");
  for (const char* online_only : {"token-file", "state-file", "parallel", "skip-proofs"}) {
    if (args.Has(online_only)) return Usage(std::string("--") + online_only + " is for verify --server");
  }
  return VerifyOffline(args, *dir);
}

}  // namespace

const Command& VerifyCommand() {
  static const Command command{
      "verify",
      "  verify --data-dir DIR [--verifier-key S | --key PUB.pem] [--scratch-dir D]\n"
      "                                          offline: check every entry, the chain, the tree and\n"
      "                                          every signed checkpoint, and the state rows against a\n"
      "                                          replay kept in a store under D (default: the system's\n"
      "                                          temporary directory); exit 0 only if all hold\n"
      "  verify --server URL --token-file F [--state-file F] [--verifier-key S | --key PUB.pem]\n"
      "         [--parallel N] [--skip-proofs]   online: fetch the checkpoint and every entry, check\n"
      "                                          the signature, chain and root, every entry's inclusion\n"
      "                                          proof (unless --skip-proofs), and that the log only\n"
      "                                          grew since the checkpoint remembered in the state file\n"
      "                                          (default ~/.mingzhang/verify-<origin>.state)\n",
      {"data-dir", "verifier-key", "key", "server", "token-file", "state-file", "parallel", "scratch-dir"},
      {"skip-proofs"}, {},
      Verify};
  return command;
}

}  // namespace mingzhang::cli
