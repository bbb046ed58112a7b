// mingzhang verify-statement FILE (--key PUB.pem | --verifier-key S)
//
// FILE is the JSON answer of GET /v1/communities/{c}/statements/{period}:
//   {statement: {...}, signature: {key_id, algorithm: "Ed25519", signature (base64)}}
// The signature is Ed25519 over the RFC 8785 (JCS) form of `statement` (ledger/base/jcs.h). Exit 0 when
// it verifies with the given key, 1 when it does not, 2 for usage and input errors.
#include <iostream>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/base/jcs.h"
#include "ledger/log/note.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

int Invalid(const std::string& why) {
  std::cout << "INVALID: " << why << "\n";
  return kExitProblem;
}

int VerifyStatement(const Args& args) {
  if (args.positional().size() != 1) return Usage("verify-statement needs exactly one FILE");
  const std::string& path = args.positional()[0];
  if (args.Has("key") == args.Has("verifier-key")) return Usage("verify-statement needs --key PUB.pem or --verifier-key S");

  std::optional<NoteVerifier> verifier;  // with --verifier-key: also the key name, so the key id is checked
  std::optional<PublicKey> key;
  if (auto s = args.Get("verifier-key")) {
    Result<NoteVerifier> v = NoteVerifier::Parse(*s);
    if (!v.ok()) return Fail(v.status());
    verifier = *v;
    key = v->key;
  } else {
    Result<std::string> pem = ReadFile(*args.Get("key"));
    if (!pem.ok()) return Fail(pem.status());
    Result<PublicKey> k = PublicKey::FromPem(*pem);
    if (!k.ok()) return Fail(k.status());
    key = *k;
  }

  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return Fail(text.status());
  nlohmann::json doc = ParseStrictJson(*text);
  if (!doc.is_object() || !doc.contains("statement") || !doc.contains("signature") || !doc["signature"].is_object()) {
    return Fail(InvalidArgument("bad-statement", path + " is not a signed statement {statement, signature} in I-JSON (no syntax error, no name twice in an object)"));
  }
  const nlohmann::json& statement = doc["statement"];
  const nlohmann::json& sig = doc["signature"];
  if (sig.value("algorithm", "") != "Ed25519") return Invalid("the signature's algorithm is not Ed25519");
  if (!sig.contains("signature") || !sig["signature"].is_string()) return Invalid("the signature is missing");
  Result<std::string> signature = Base64Decode(sig["signature"].get<std::string>());
  if (!signature.ok() || signature->size() != kEd25519SignatureBytes) return Invalid("the signature is not base64 of 64 bytes");

  // Which key signed it: the note key id of the log key. With only a PEM, the key name is taken
  // to be the statement's origin up to its first '/', as mingzhangd names its key.
  std::string key_id = sig.value("key_id", "");
  if (verifier) {
    if (key_id != KeyIdHex(verifier->key_id)) {
      return Invalid("key_id " + key_id + " is not the id of the given key (" + KeyIdHex(verifier->key_id) + ")");
    }
  } else if (statement.contains("checkpoint") && statement["checkpoint"].is_object() &&
             statement["checkpoint"].value("origin", "").size() > 0) {
    std::string origin = statement["checkpoint"].value("origin", "");
    std::string name = origin.substr(0, origin.find('/'));
    if (ValidKeyName(name) && key_id != KeyIdHex(NoteKeyId(name, *key))) {
      std::cout << "note: key_id " << key_id << " is not the id of the given key under the name " << name
                << "; checking the signature alone\n";
    }
  }

  Result<std::string> canonical = Canonicalize(statement);
  if (!canonical.ok()) return Invalid("the statement has no canonical form: " + canonical.status().message());
  if (!key->Verify(*canonical, *signature)) return Invalid("the Ed25519 signature does not verify over the statement's JCS form");
  std::cout << "VALID: statement " << statement.value("format", "?") << " of " << statement.value("community_id", "?")
            << " for " << statement.value("period", "?");
  if (statement.contains("checkpoint") && statement["checkpoint"].is_object()) {
    std::cout << " at tree size " << statement["checkpoint"].value("tree_size", "?");
  }
  std::cout << ", signed by key id " << key_id << "\n";
  return kExitOk;
}

}  // namespace

const Command& VerifyStatementCommand() {
  static const Command command{
      "verify-statement",
      "  verify-statement FILE (--key PUB.pem | --verifier-key S)\n"
      "                                          check a signed statement (the JSON answer of GET\n"
      "                                          .../statements/{period}); exit 0 only if it verifies\n",
      {"key", "verifier-key"}, {}, {}, VerifyStatement};
  return command;
}

}  // namespace mingzhang::cli
