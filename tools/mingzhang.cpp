// mingzhang: the command-line tool for operators, auditors and regulators.
//
//   mingzhang init --data-dir ./data [--origin mingzhang.local/district]
//   mingzhang keygen --out log.key.pem [--name mingzhang.example]
//   mingzhang verify --data-dir ./data [--verifier-key STRING | --key log.pub.pem]
//   mingzhang checkpoint --data-dir ./data [--tree-size N]
//
// Exit status: 0 when the command did what it says (verify: everything holds), 1 when verification
// found a problem, 2 for usage and I/O errors.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "tools/args.h"

namespace mingzhang::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitProblem = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "usage: mingzhang <command> [options]\n"
    "  init --data-dir DIR [--origin ORIGIN]   create a log: key, store, signed empty checkpoint\n"
    "  keygen --out FILE [--name KEY_NAME]     make an Ed25519 log key (PKCS#8 PEM, mode 0600)\n"
    "  verify --data-dir DIR [--verifier-key S | --key PUB.pem]\n"
    "                                          check every entry, the chain, the tree and every\n"
    "                                          signed checkpoint; exit 0 only if all hold\n"
    "  checkpoint --data-dir DIR [--tree-size N]  print a signed checkpoint (the latest by default)\n";

int Fail(const Status& status) {
  std::cerr << "mingzhang: " << status.message() << "\n";
  return kExitUsage;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("file-missing", "cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Keygen(const Args& args) {
  std::optional<std::string> out = args.Get("out");
  if (!out) return Fail(InvalidArgument("usage", "keygen needs --out FILE"));
  std::string name = args.GetOr("name", "mingzhang.local");
  if (!ValidKeyName(name)) return Fail(InvalidArgument("usage", "invalid key name " + name));
  Result<SigningKey> key = SigningKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (Status s = key->SaveFile(*out); !s.ok()) return Fail(s);
  std::cout << key->public_key().Pem() << NoteVerifier::For(name, key->public_key()).String() << "\n";
  return kExitOk;
}

int Init(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Fail(InvalidArgument("usage", "init needs --data-dir DIR"));
  if (std::filesystem::exists(*dir + "/" + kStoreDirName)) {
    return Fail(AlreadyExists("exists", "a log already exists in " + *dir));
  }
  LedgerOptions options;
  options.data_dir = *dir;
  options.origin = args.GetOr("origin", options.origin);
  Result<std::unique_ptr<Ledger>> ledger = Ledger::Open(options);
  if (!ledger.ok()) return Fail(ledger.status());
  std::cout << "created log " << (*ledger)->origin() << " in " << *dir << "\nverifier key: "
            << (*ledger)->verifier().String() << "\n";
  return kExitOk;
}

Result<std::unique_ptr<Store>> OpenReadOnly(const std::string& data_dir) {
  StoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  return Store::Open(data_dir + "/" + kStoreDirName, options);
}

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

int Verify(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Fail(InvalidArgument("usage", "verify needs --data-dir DIR"));
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*dir);
  if (!store.ok()) return Fail(store.status());
  Result<NoteVerifier> verifier = TrustedVerifier(args, **store, *dir);
  if (!verifier.ok()) return Fail(verifier.status());
  Result<VerifyReport> report = VerifyLog(**store, *verifier);
  if (!report.ok()) return Fail(report.status());
  std::cout << report->ToString() << "\n";
  return report->ok() ? kExitOk : kExitProblem;
}

int PrintCheckpoint(const Args& args) {
  std::optional<std::string> dir = args.Get("data-dir");
  if (!dir) return Fail(InvalidArgument("usage", "checkpoint needs --data-dir DIR"));
  Result<std::unique_ptr<Store>> store = OpenReadOnly(*dir);
  if (!store.ok()) return Fail(store.status());
  Result<std::string> note = LatestCheckpoint(**store);
  if (auto size = args.Get("tree-size")) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(size->c_str(), &end, 10);
    if (size->empty() || *end != '\0') return Fail(InvalidArgument("usage", "--tree-size must be a number"));
    Result<std::optional<std::string>> at = (*store)->Get(Column::kCheckpoints, CheckpointKey(n));
    if (!at.ok()) return Fail(at.status());
    if (!*at) return Fail(NotFound("no-checkpoint", "no checkpoint was signed at tree size " + *size));
    note = **at;
  }
  if (!note.ok()) return Fail(note.status());
  std::cout << *note;
  return kExitOk;
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  std::string command = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  auto parse = [&](std::set<std::string> valued) { return Args::Parse(rest, valued, {}); };
  Result<Args> args = InvalidArgument("usage", "unknown command " + command);
  if (command == "init") args = parse({"data-dir", "origin"});
  if (command == "keygen") args = parse({"out", "name"});
  if (command == "verify") args = parse({"data-dir", "verifier-key", "key"});
  if (command == "checkpoint") args = parse({"data-dir", "tree-size"});
  if (command == "help" || command == "--help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args.ok()) {
    std::cerr << "mingzhang: " << args.status().message() << "\n" << kUsage;
    return kExitUsage;
  }
  if (command == "init") return Init(*args);
  if (command == "keygen") return Keygen(*args);
  if (command == "verify") return Verify(*args);
  return PrintCheckpoint(*args);
}

}  // namespace
}  // namespace mingzhang::cli

int main(int argc, char** argv) { return mingzhang::cli::Run(argc, argv); }
