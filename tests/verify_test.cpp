// Tampering done directly in RocksDB, as someone with the disk would: verify must name it.
#include "ledger/verify.h"

#include <catch2/catch.hpp>
#include <rocksdb/db.h>

#include <cstdio>
#include <map>

#include "ledger/keys.h"
#include "ledger/ledger.h"
#include "tests/test_util.h"

namespace mingzhang {
namespace {

using testing::FirmEntry;
using testing::TempDir;

constexpr uint64_t kEntries = 50;

// Builds a 50-entry log in batches of at most 8, so there are many checkpoints.
void BuildLog(const TempDir& dir) {
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/tamper";
  options.batch_entries_max = 8;
  auto ledger = Ledger::Open(options);
  REQUIRE(ledger.ok());
  std::atomic<int> ok{0};
  for (uint64_t i = 0; i < kEntries; ++i) {
    (*ledger)->AppendAsync(FirmEntry("k" + std::to_string(i), "firm-" + std::to_string(i)),
                           [&](Result<StoredEntry> r) { ok += r.ok(); });
  }
  ledger->reset();  // drains the queue
  REQUIRE(ok == static_cast<int>(kEntries));
}

// Opens the store's RocksDB directly with its column families.
class RawDb {
 public:
  explicit RawDb(const TempDir& dir) {
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : {"entries", "tree", "checkpoints", "idempotency", "index", "state", "auth", "meta",
                             "default"}) {
      cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir / kStoreDirName, cfs, &handles_, &db).ok());
    db_.reset(db);
    for (size_t i = 0; i < cfs.size(); ++i) by_name_[cfs[i].name] = handles_[i];
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  std::string Get(const std::string& cf, const std::string& key) {
    std::string v;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), by_name_[cf], key, &v).ok());
    return v;
  }
  void Put(const std::string& cf, const std::string& key, const std::string& value) {
    REQUIRE(db_->Put(rocksdb::WriteOptions(), by_name_[cf], key, value).ok());
  }
  void Delete(const std::string& cf, const std::string& key) {
    REQUIRE(db_->Delete(rocksdb::WriteOptions(), by_name_[cf], key).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

VerifyReport Verify(const TempDir& dir) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(dir / kStoreDirName, options);
  REQUIRE(store.ok());
  auto key = SigningKey::LoadFile(dir / kKeyFileName);
  REQUIRE(key.ok());
  auto report = VerifyLog(**store, NoteVerifier::For("mingzhang.test", key->public_key()));
  REQUIRE(report.ok());
  return *report;
}

// Runs the real CLI; returns its exit status and what it printed.
std::pair<int, std::string> RunCli(const std::string& args) {
  std::string command = std::string(MINGZHANG_CLI) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WEXITSTATUS(status), out};
}

void RequireFinding(const TempDir& dir, Finding finding, std::optional<uint64_t> seq) {
  VerifyReport report = Verify(dir);
  INFO(report.ToString());
  REQUIRE(report.finding == finding);
  REQUIRE(report.bad_seq == seq);
  auto [status, out] = RunCli("verify --data-dir " + dir.path());
  INFO(out);
  REQUIRE(status == 1);
  REQUIRE(out.find(FindingName(finding)) != std::string::npos);
  if (seq) REQUIRE(out.find("at seq " + std::to_string(*seq) + ":") != std::string::npos);
}

TEST_CASE("an untouched log verifies offline, through the library and the CLI", "[verify]") {
  TempDir dir;
  BuildLog(dir);
  VerifyReport report = Verify(dir);
  REQUIRE(report.ok());
  REQUIRE(report.entries == kEntries);
  REQUIRE(report.checkpoints >= kEntries / 8 + 1);
  auto [status, out] = RunCli("verify --data-dir " + dir.path());
  INFO(out);
  REQUIRE(status == 0);
  REQUIRE(out.rfind("ok: 50 entries", 0) == 0);

  auto [cp_status, note] = RunCli("checkpoint --data-dir " + dir.path());
  REQUIRE(cp_status == 0);
  REQUIRE(note.rfind("mingzhang.test/tamper\n50\n", 0) == 0);
}

TEST_CASE("tampering through RocksDB is found at the right seq", "[verify]") {
  TempDir dir;
  BuildLog(dir);
  SECTION("one byte of an entry changed") {
    {
      RawDb db(dir);
      std::string bytes = db.Get("entries", EntryKey(20));
      bytes[bytes.size() - 2] ^= 0x01;  // inside the firm's name
      db.Put("entries", EntryKey(20), bytes);
    }
    RequireFinding(dir, Finding::kModified, 20);
  }
  SECTION("an entry deleted") {
    { RawDb(dir).Delete("entries", EntryKey(20)); }
    RequireFinding(dir, Finding::kMissing, 20);
  }
  SECTION("two entries swapped") {
    {
      RawDb db(dir);
      std::string a = db.Get("entries", EntryKey(20));
      std::string b = db.Get("entries", EntryKey(21));
      db.Put("entries", EntryKey(20), b);
      db.Put("entries", EntryKey(21), a);
    }
    RequireFinding(dir, Finding::kReordered, 20);
  }
  SECTION("the tail dropped") {
    {
      RawDb db(dir);
      for (uint64_t seq = 40; seq < kEntries; ++seq) db.Delete("entries", EntryKey(seq));
    }
    RequireFinding(dir, Finding::kTruncated, 40);
  }
  SECTION("a checkpoint's signature changed") {
    {
      RawDb db(dir);
      std::string note = db.Get("checkpoints", CheckpointKey(kEntries));
      note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
      db.Put("checkpoints", CheckpointKey(kEntries), note);
    }
    RequireFinding(dir, Finding::kBadSignature, kEntries - 1);
  }
  SECTION("a stored tree node changed") {
    {
      RawDb db(dir);
      std::string row = db.Get("tree", TreeKey(2, 0));
      row[3 * kHashBytes] ^= 0x80;  // node 2/3 covers leaves 12..15
      db.Put("tree", TreeKey(2, 0), row);
    }
    RequireFinding(dir, Finding::kTreeMismatch, 15);
  }
  SECTION("a verifier key other than the log's") {
    auto other = SigningKey::Generate();
    auto [status, out] =
        RunCli("verify --data-dir " + dir.path() + " --verifier-key " +
               NoteVerifier::For("mingzhang.test", other->public_key()).String());
    INFO(out);
    REQUIRE(status == 1);
    REQUIRE(out.find("bad-signature") != std::string::npos);
  }
}

TEST_CASE("the CLI refuses bad usage with exit status 2", "[verify]") {
  REQUIRE(RunCli("verify").first == 2);
  REQUIRE(RunCli("verify --data-dir /nonexistent/mingzhang").first == 2);
  REQUIRE(RunCli("frobnicate").first == 2);
  REQUIRE(RunCli("verify --data-dir x --bogus").first == 2);
}

}  // namespace
}  // namespace mingzhang
