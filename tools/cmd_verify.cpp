// mingzhang verify: check a whole log, offline from a data directory or online from a server.
//
// Offline (--data-dir): ledger/verify.h over the store opened read-only.
//
// Online (--server): fetch the log's key and its latest signed checkpoint, then every entry
// (GET /v1/entries/{seq}, which needs an admin or regulator token to reach every community and
// the firm registrations), and recompute from the stored bytes alone: each leaf hash, the hash
// chain, the Merkle root; check the checkpoint's signature with the trusted key and its root
// against the recomputed one. The last verified checkpoint is remembered in a state file; the next
// run checks that the log only grew since: the remembered checkpoint is still served byte for
// byte, the recomputed tree at its size has its root, and the server's consistency proof from it
// to the new checkpoint verifies.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <vector>

#include "ledger/encoding.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verify.h"
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
  Result<VerifyReport> report = VerifyLog(**store, *verifier);
  if (!report.ok()) return Fail(report.status());
  std::cout << report->ToString() << "\n";
  return report->ok() ? kExitOk : kExitProblem;
}

// ---- online --------------------------------------------------------------------------------

// What the online verification found wrong (the Status path is for usage and I/O errors).
struct Problem {
  std::string finding;  // modified, missing, reordered, bad-signature, checkpoint-mismatch, ...
  std::string detail;
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
  for (char c : text) out += ValidId(std::string_view(&c, 1)) ? c : '_';
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

// Checks what the server says about one entry against the bytes it serves, and the chain.
std::optional<Problem> CheckEntry(uint64_t seq, const json& answer, Hash& chain, CompactRange& range) {
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
      return Problem{"modified", where + "prev_hash is not the hash of the previous entry's bytes (chain broken)"};
    }
    if (ProtoToJson(entry) != answer.at("entry")) {
      return Problem{"modified", where + "the entry shown as JSON differs from its stored bytes"};
    }
    chain = Sha256(bytes);
    if (answer.at("chain_hash").get<std::string>() != Base64Encode(AsBytes(chain))) {
      return Problem{"modified", where + "chain_hash is not the hash of leaf_bytes"};
    }
    range.Append(leaf, [](int, uint64_t, const Hash&) {});
  } catch (const json::exception& e) {
    return Problem{"modified", where + "malformed entry answer (" + e.what() + ")"};
  }
  return std::nullopt;
}

struct Fetched {
  Result<json> answer = json();
};

// Verifies entries [0, size), fetching kFetchChunk at a time in parallel; remembers the root at
// `remembered_size` (when 0 < it <= size) in *root_at_remembered.
Result<std::optional<Problem>> CheckAllEntries(const ServerUrl& server, const std::string& token, uint64_t size,
                                               size_t workers, uint64_t remembered_size, Hash* root_at_remembered,
                                               Hash* root) {
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
          return std::optional<Problem>(
              Problem{"missing", "at seq " + std::to_string(seq) + ": the server has no entry below its checkpoint's size"});
        }
        if (answer.status().code() == Code::kPermissionDenied || answer.status().code() == Code::kUnauthenticated) {
          return Status(answer.status().code(), answer.status().slug(),
                        "reading entry " + std::to_string(seq) + ": " + answer.status().message() +
                            " (online verification needs an admin or regulator token)");
        }
        return answer.status();
      }
      if (auto problem = CheckEntry(seq, *answer, chain, range)) return problem;
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

int VerifyOnline(const Args& args, const std::string& url) {
  if (args.Has("data-dir")) return Usage("give --server or --data-dir, not both");
  Result<ServerUrl> server = ServerUrl::Parse(url);
  if (!server.ok()) return Fail(server.status());
  size_t workers = kFetchWorkersDefault;
  if (auto p = args.Get("parallel")) {
    std::optional<uint64_t> n = ParseU64(*p);
    if (!n || *n == 0 || *n > 256) return Usage("--parallel must be 1 to 256");
    workers = static_cast<size_t>(*n);
  }
  std::string token;
  if (auto file = args.Get("token-file")) {
    Result<std::string> t = ReadTokenFile(*file);
    if (!t.ok()) return Fail(t.status());
    token = *t;
  }
  HttpClient client(*server);

  Result<json> keys = CallJson(client, Method::kGet, "/v1/keys");
  if (!keys.ok()) return Fail(keys.status());
  std::string origin = keys->value("origin", "");
  Result<NoteVerifier> served = NoteVerifier::Parse(keys->value("verifier_key", ""));
  if (!served.ok()) return Fail(Status(served.status().code(), "bad-answer", "/v1/keys: " + served.status().message()));
  Result<PublicKey> served_pem = PublicKey::FromPem(keys->value("public_key_pem", ""));
  if (!served_pem.ok() || served_pem->raw() != served->key.raw()) {
    return Report({"key-mismatch", "/v1/keys gives a PEM key and a verifier key that differ"});
  }

  std::string state_path;
  if (auto f = args.Get("state-file")) {
    state_path = *f;
  } else {
    Result<std::string> p = DefaultStatePath(origin);
    if (!p.ok()) return Fail(p.status());
    state_path = *p;
  }
  Result<std::optional<State>> state = LoadState(state_path);
  if (!state.ok()) return Fail(state.status());

  Result<NoteVerifier> trusted = OnlineVerifier(args, *served, *state);
  if (!trusted.ok()) return Fail(trusted.status());
  if (trusted->String() != served->String()) {
    return Report({"key-mismatch", "the server's key " + served->String() + " is not the trusted key " + trusted->String()});
  }
  if (*state) {
    State& old = **state;
    if (old.verifier_key != trusted->String()) {
      return Report({"key-mismatch", "the trusted key differs from the key verified before (" + old.verifier_key +
                                         "); state file " + state_path});
    }
    if (old.origin != origin) {
      return Report({"origin-mismatch", "the log's origin " + origin + " differs from the one verified before (" +
                                            old.origin + ")"});
    }
    // The remembered checkpoint is re-read through the trusted key: a damaged state file is an error.
    Result<std::string> text = OpenNote(old.checkpoint, *trusted);
    Result<Checkpoint> cp = text.ok() ? ParseCheckpoint(*text) : Result<Checkpoint>(text.status());
    if (!cp.ok()) return Fail(InvalidArgument("bad-state", state_path + ": " + cp.status().message()));
    old.tree_size = cp->tree_size;
    old.root = std::string(AsBytes(cp->root_hash));
  }

  Result<HttpAnswer> note = client.SendRetrying(Method::kGet, "/v1/checkpoint");
  if (!note.ok()) return Fail(note.status());
  if (!note->ok()) return Fail(ProblemStatus(*note));
  Result<std::string> text = OpenNote(note->body, *trusted);
  if (!text.ok()) {
    return Report({text.status().slug() == "bad-signature" ? "bad-signature" : "checkpoint-mismatch",
                   "the server's checkpoint: " + text.status().message()});
  }
  Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
  if (!checkpoint.ok()) return Report({"checkpoint-mismatch", "the server's checkpoint: " + checkpoint.status().message()});
  if (checkpoint->origin != origin) {
    return Report({"checkpoint-mismatch", "the checkpoint names origin " + checkpoint->origin + ", the log is " + origin});
  }
  uint64_t size = checkpoint->tree_size;
  if (size > 0 && token.empty()) return Usage("verify --server needs --token-file (an admin or regulator token)");

  uint64_t remembered = *state ? (**state).tree_size : 0;
  Hash root_at_remembered{};
  Hash root{};
  Result<std::optional<Problem>> entries =
      CheckAllEntries(*server, token, size, workers, remembered, &root_at_remembered, &root);
  if (!entries.ok()) return Fail(entries.status());
  if (*entries) return Report(**entries);
  if (root != checkpoint->root_hash) {
    return Report({"checkpoint-mismatch", "the root of the " + std::to_string(size) +
                                              " entries served differs from the signed checkpoint's root"});
  }
  if (*state) {
    Result<std::optional<Problem>> grown = CheckAgainstRemembered(client, **state, *checkpoint, root_at_remembered);
    if (!grown.ok()) return Fail(grown.status());
    if (*grown) return Report(**grown);
  }

  State now{trusted->String(), origin, size, std::string(AsBytes(root)), note->body};
  if (Status s = SaveState(state_path, now, server->text); !s.ok()) return Fail(s);
  std::cout << "OK: " << size << " entries of " << origin << " checked (leaf hashes, chain, tree); root "
            << Base64Encode(AsBytes(root)) << " matches the checkpoint signed by " << trusted->name << "+"
            << trusted->String().substr(trusted->name.size() + 1, 8) << "\n";
  if (*state) {
    std::cout << "consistent with the checkpoint at size " << (**state).tree_size << " verified before\n";
  } else {
    std::cout << "no earlier checkpoint remembered; this one is remembered now\n";
  }
  std::cout << "state: " << state_path << "\n";
  return kExitOk;
}

int Verify(const Args& args) {
  if (!args.positional().empty()) return Usage("verify takes no argument " + args.positional().front());
  if (auto server = args.Get("server")) return VerifyOnline(args, *server);
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Usage("verify needs --data-dir DIR or --server URL");
  for (const char* online_only : {"token-file", "state-file", "parallel"}) {
    if (args.Has(online_only)) return Usage(std::string("--") + online_only + " is for verify --server");
  }
  return VerifyOffline(args, *dir);
}

}  // namespace

const Command& VerifyCommand() {
  static const Command command{
      "verify",
      "  verify --data-dir DIR [--verifier-key S | --key PUB.pem]\n"
      "                                          offline: check every entry, the chain, the tree and\n"
      "                                          every signed checkpoint; exit 0 only if all hold\n"
      "  verify --server URL --token-file F [--state-file F] [--verifier-key S | --key PUB.pem]\n"
      "         [--parallel N]                   online: fetch the checkpoint and every entry, check\n"
      "                                          the signature, chain and root, and that the log only\n"
      "                                          grew since the checkpoint remembered in the state file\n"
      "                                          (default ~/.mingzhang/verify-<origin>.state)\n",
      {"data-dir", "verifier-key", "key", "server", "token-file", "state-file", "parallel"}, {}, {}, Verify};
  return command;
}

}  // namespace mingzhang::cli
