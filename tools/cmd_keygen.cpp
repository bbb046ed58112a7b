// mingzhang keygen --out FILE [--name KEY_NAME]: an Ed25519 log key, PKCS#8 PEM, mode 0600.
#include <iostream>

#include "ledger/base/crypto.h"
#include "ledger/log/note.h"
#include "tools/cli.h"

namespace mingzhang::cli {
namespace {

int Keygen(const Args& args) {
  std::optional<std::string> out = args.Get("out");
  if (!out) return Usage("keygen needs --out FILE");
  if (!args.positional().empty()) return Usage("keygen takes no argument " + args.positional().front());
  std::string name = args.GetOr("name", "mingzhang.local");
  if (!ValidKeyName(name)) return Usage("invalid key name " + name);
  Result<SigningKey> key = SigningKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (Status s = key->SaveFile(*out); !s.ok()) return Fail(s);
  std::cout << key->public_key().Pem() << NoteVerifier::For(name, key->public_key()).String() << "\n";
  return kExitOk;
}

}  // namespace

const Command& KeygenCommand() {
  static const Command command{
      "keygen",
      "  keygen --out FILE [--name KEY_NAME]     make an Ed25519 log key (PKCS#8 PEM, mode 0600)\n",
      {"out", "name"}, {}, {}, Keygen};
  return command;
}

}  // namespace mingzhang::cli
