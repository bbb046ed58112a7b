// Tampering done directly in RocksDB, as someone with the disk would: verify must name it.
#include "ledger/domain/state_rows.h"
#include "ledger/audit/verify.h"
#include "ledger/audit/verify_state.h"
#include "mingzhang/v1/state.pb.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <map>

#include "ledger/log/chunked_scan.h"
#include "ledger/domain/domain.h"
#include "ledger/log/keys.h"
#include "ledger/views/district.h"
#include "ledger/log/tree_rows.h"
#include "tests/support/entry_builders.h"
#include "tests/support/raw_db.h"
#include "tests/support/test_util.h"

namespace mingzhang {
namespace {

using testing::FirmEntry;
using testing::RawDb;
using testing::TempDir;

constexpr uint64_t kEntries = 50;

// A new log in `dir`, its batches at most `batch_max` entries: one checkpoint per batch.
std::unique_ptr<District> OpenLog(const TempDir& dir, size_t batch_max) {
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/tamper";
  options.batch_entries_max = batch_max;
  auto ledger = District::Open(options);
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

// Builds a log of `entries` firms in batches of at most `batch_max`. By default 50 entries in
// batches of at most 8, so there are many checkpoints.
void BuildLog(const TempDir& dir, uint64_t entries = kEntries, size_t batch_max = 8) {
  std::unique_ptr<District> ledger = OpenLog(dir, batch_max);
  std::atomic<uint64_t> ok{0};
  for (uint64_t i = 0; i < entries; ++i) {
    ledger->AppendAsync(FirmEntry("k" + std::to_string(i), "firm-" + std::to_string(i)),
                        [&](Result<StoredEntry> r) { ok += r.ok(); });
  }
  ledger.reset();  // drains the queue
  REQUIRE(ok == entries);
}

VerifyReport Verify(const TempDir& dir, const VerifyOptions& verify_options = {}) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(dir / kStoreDirName, options);
  REQUIRE(store.ok());
  auto key = SigningKey::LoadFile(dir / kKeyFileName);
  REQUIRE(key.ok());
  auto report = VerifyLog(**store, NoteVerifier::For("mingzhang.test", key->public_key()), verify_options);
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
      RawDb db(dir.path());
      std::string bytes = db.Get("entries", EntryKey(20));
      bytes[bytes.size() - 2] ^= 0x01;  // inside the firm's name
      db.Put("entries", EntryKey(20), bytes);
    }
    RequireFinding(dir, Finding::kModified, 20);
  }
  SECTION("an entry deleted") {
    { RawDb(dir.path()).Delete("entries", EntryKey(20)); }
    RequireFinding(dir, Finding::kMissing, 20);
  }
  SECTION("two entries swapped") {
    {
      RawDb db(dir.path());
      std::string a = db.Get("entries", EntryKey(20));
      std::string b = db.Get("entries", EntryKey(21));
      db.Put("entries", EntryKey(20), b);
      db.Put("entries", EntryKey(21), a);
    }
    RequireFinding(dir, Finding::kReordered, 20);
  }
  SECTION("the tail dropped") {
    {
      RawDb db(dir.path());
      for (uint64_t seq = 40; seq < kEntries; ++seq) db.Delete("entries", EntryKey(seq));
    }
    RequireFinding(dir, Finding::kTruncated, 40);
  }
  SECTION("a checkpoint's signature changed") {
    {
      RawDb db(dir.path());
      std::string note = db.Get("checkpoints", CheckpointKey(kEntries));
      note[note.size() - 5] = note[note.size() - 5] == 'A' ? 'B' : 'A';
      db.Put("checkpoints", CheckpointKey(kEntries), note);
    }
    RequireFinding(dir, Finding::kBadSignature, kEntries - 1);
  }
  SECTION("a stored tree node changed") {
    {
      RawDb db(dir.path());
      std::string row = db.Get("tree", TreeKey(2, 0));
      row[3 * kHashBytes] ^= 0x80;  // node 2/3 covers leaves 12..15
      db.Put("tree", TreeKey(2, 0), row);
    }
    RequireFinding(dir, Finding::kTreeMismatch, 15);
  }
  SECTION("a stored tree row deleted") {
    { RawDb(dir.path()).Delete("tree", TreeKey(0, 1)); }  // leaves 32..49, read after row 0
    RequireFinding(dir, Finding::kModified, kTreeRowNodes);
  }
  SECTION("a key between two tree rows, which no read asks for") {
    { RawDb(dir.path()).Put("tree", TreeKey(0, 0) + "x", std::string(kHashBytes, '\0')); }
    VerifyReport report = Verify(dir);
    INFO(report.ToString());
    REQUIRE(report.ok());
  }
  SECTION("a stray entry key far past the end") {  // billions of empty seq ranges before it
    {
      RawDb db(dir.path());
      db.Put("entries", EntryKey(uint64_t{1} << 40), db.Get("entries", EntryKey(0)));
    }
    RequireFinding(dir, Finding::kMissing, kEntries);
  }
  SECTION("a malformed entry key after the last") {
    { RawDb(dir.path()).Put("entries", "\x01", "junk"); }
    RequireFinding(dir, Finding::kModified, kEntries);
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

// A community's money in both funds, a proposal passed and closed (the ledger fills in its
// tally after taking the request's fingerprint) and a reversal, in batches of at most 4: balances
// in the state column and one idempotency record per entry. Returns the entries appended.
uint64_t BuildDomainLog(const TempDir& dir) {
  using namespace testing;
  std::unique_ptr<District> opened = OpenLog(dir, 4);
  District& ledger = *opened;
  const v1::Actor firm = FirmActor("F1");
  const v1::Actor owner = OwnerActor("owner-1", {"U1", "U2"});
  std::vector<v1::Entry> entries = {
      Firm("F1"),
      Community("C1", "F1", 250, BasisPoints(1000), "2026-01"),
      Units("C1", firm, {{"U1", 10000}, {"U2", 8000}}),
      Payment("C1", firm, "U1", 75000, "2026-01", 3, "2026-01-05"),
      Payment("C1", firm, "U2", 60000, "2026-01", 3, "2026-01-06"),
      Revenue("C1", CommitteeActor(), v1::PublicRevenue::parking, 50000, "2026-01-10"),
      Disbursement("C1", firm, v1::FEES, v1::CLEANING, 20000, "2026-01-20", Voucher("cleaning")),
      // Voting runs through 2099-12-31; both units vote, so it closes at once.
      Proposal("C1", CommitteeActor(), "P1", v1::SPECIAL, v1::PUBLIC_REVENUE, 30000, "2099-12-31"),
      Ballot("C1", owner, "P1", "U1", v1::YES),
      Ballot("C1", owner, "P1", "U2", v1::YES),
      Close("C1", CommitteeActor(), "P1"),
      Disbursement("C1", firm, v1::PUBLIC_REVENUE, v1::REPAIR, 20000, "2026-03-05", Voucher("gate"), "R-P1"),
      Reversal("C1", firm, 4),
  };
  for (const v1::Entry& e : entries) {
    Result<StoredEntry> r = ledger.Append(e);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
  }
  REQUIRE(ledger.head().tree_size == entries.size());
  return entries.size();
}

TEST_CASE("a log of more than one scan chunk verifies, and tampering past the first is found", "[verify]") {
  constexpr uint64_t kLongLog = kScanChunkItems + 100;
  TempDir dir;
  BuildLog(dir, kLongLog, 256);
  CHECK(Verify(dir).ok());
  CHECK(Verify(dir).entries == kLongLog);
  REQUIRE(OpenLog(dir, 256)->head().tree_size == kLongLog);  // the start-up replay reads every chunk
  SECTION("an entry of the second chunk deleted") {
    { RawDb(dir.path()).Delete("entries", EntryKey(kScanChunkItems + 1)); }
    RequireFinding(dir, Finding::kMissing, kScanChunkItems + 1);
  }
  SECTION("the first entry of the second chunk changed") {
    {
      RawDb db(dir.path());
      std::string bytes = db.Get("entries", EntryKey(kScanChunkItems));
      bytes[bytes.size() - 2] ^= 0x01;
      db.Put("entries", EntryKey(kScanChunkItems), bytes);
    }
    RequireFinding(dir, Finding::kModified, kScanChunkItems);
  }
}

TEST_CASE("a domain log verifies, its balances and idempotency records against a replay", "[verify]") {
  TempDir dir;
  uint64_t n = BuildDomainLog(dir);
  VerifyReport report = Verify(dir);
  INFO(report.ToString());
  REQUIRE(report.ok());
  REQUIRE(report.entries == n);
}

std::unique_ptr<Store> OpenReadOnly(const TempDir& dir) {
  StoreOptions read_only;
  read_only.read_only = true;
  auto store = Store::Open(dir.path() + "/" + kStoreDirName, read_only);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// A state row changed in place: verify names it, and so does the check of its community alone
// (the scrub's), each without a seq (a state row is not an entry).
void RequireStateFinding(const TempDir& dir, const std::string& key, const std::function<std::string(std::string)>& change,
                         const std::string& named) {
  {
    RawDb db(dir.path());
    db.Put("state", key, change(db.Get("state", key)));
  }
  RequireFinding(dir, Finding::kStateMismatch, std::nullopt);
  CHECK(Verify(dir).detail.find(named) != std::string::npos);
  Result<std::optional<StateDifference>> found = CheckCommunityState(OpenReadOnly(dir)->View(), "C1");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->detail.find(named) != std::string::npos);
}

TEST_CASE("state rows changed in the store are named by verify and by the community check", "[verify]") {
  TempDir dir;
  BuildDomainLog(dir);
  {
    Result<std::optional<StateDifference>> clean = CheckCommunityState(OpenReadOnly(dir)->View(), "C1");
    REQUIRE(clean.ok());
    REQUIRE_FALSE(clean->has_value());
  }
  SECTION("a unit's area") {
    RequireStateFinding(dir, state_key::Unit("C1", "U1"), [](std::string row) {
      UnitState u = DecodeUnit(row).value();
      u.area_centi_m2 += 1;
      return EncodeUnit(u);
    }, "unit C1/U1");
  }
  SECTION("a ballot") {
    RequireStateFinding(dir, state_key::Proposal("C1", "P1"), [](std::string row) {
      v1::ProposalRow p;
      REQUIRE(p.ParseFromString(row));
      p.mutable_ballots(0)->set_choice(v1::NO);
      return p.SerializeAsString();
    }, "proposal and ballots C1/P1");
  }
  SECTION("the community's entries digest") {
    RequireStateFinding(dir, state_key::Community("C1"), [](std::string row) {
      v1::CommunityRow c;
      REQUIRE(c.ParseFromString(row));
      std::string digest = c.entries_digest();
      digest[0] ^= 1;
      c.set_entries_digest(digest);
      return c.SerializeAsString();
    }, "community C1");
  }
  SECTION("a payment's amount") {
    RequireStateFinding(dir, state_key::Payment("C1", 3), [](std::string row) {
      PaymentState p = DecodePayment(row).value();
      p.amount -= 100;
      return EncodePayment(p);
    }, "payment C1/seq 3");
  }
}

TEST_CASE("tampering with the balances or the idempotency records is found", "[verify]") {
  TempDir dir;
  const uint64_t n = BuildDomainLog(dir);
  SECTION("a balance changed") {
    {
      RawDb db(dir.path());
      const std::string key = BalanceKey("C1", v1::FEES, kCashAccount, *ParseMonth("2026-01"));
      int64_t fen = static_cast<int64_t>(*ParseBe64(db.Get("state", key)));
      db.Put("state", key, Be64(static_cast<uint64_t>(fen + 100)));
    }
    VerifyReport report = Verify(dir);
    REQUIRE(report.finding == Finding::kBalanceMismatch);
    CHECK(report.detail.find("the stored balance C1/FEES/cash/2026-01 is ") != std::string::npos);
    CHECK(report.detail.find("; a replay of the log gives") != std::string::npos);
    RequireFinding(dir, Finding::kBalanceMismatch, std::nullopt);
    VerifyOptions without_balances;
    without_balances.balances = false;
    CHECK(Verify(dir, without_balances).ok());
  }
  SECTION("a balance no entry explains") {
    { RawDb(dir.path()).Put("state", BalanceKey("C1", v1::FEES, kCashAccount, *ParseMonth("2027-01")), Be64(5)); }
    RequireFinding(dir, Finding::kBalanceMismatch, std::nullopt);
    CHECK(Verify(dir).detail.find("comes from no entry") != std::string::npos);
  }
  SECTION("a balance deleted") {
    {
      RawDb db(dir.path());
      db.Delete("state", db.KeyFrom("state", "b"));
    }
    RequireFinding(dir, Finding::kBalanceMismatch, std::nullopt);
    CHECK(Verify(dir).detail.find("is not stored") != std::string::npos);
  }
  SECTION("an idempotency record pointed at another entry") {
    uint64_t other = 0;
    {
      RawDb db(dir.path());
      const std::string key = db.KeyFrom("idempotency", "F1");
      std::string value = db.Get("idempotency", key);
      other = *ParseBe64(value.substr(0, 8)) + 1;
      db.Put("idempotency", key, Be64(other) + value.substr(8));
    }
    RequireFinding(dir, Finding::kIndexMismatch, other);
    CHECK(Verify(dir).detail.find("which has another key") != std::string::npos);
  }
  SECTION("an idempotency record's fingerprint changed") {
    {
      RawDb db(dir.path());
      const std::string key = db.KeyFrom("idempotency", "F1");
      std::string value = db.Get("idempotency", key);
      value.back() ^= 0x01;
      db.Put("idempotency", key, value);
    }
    VerifyReport report = Verify(dir);
    REQUIRE(report.finding == Finding::kIndexMismatch);
    CHECK(report.detail.find("holds a fingerprint other than entry") != std::string::npos);
  }
  SECTION("an idempotency record deleted") {
    uint64_t seq = 0;
    {
      RawDb db(dir.path());
      const std::string key = db.KeyFrom("idempotency", "F1");
      seq = *ParseBe64(db.Get("idempotency", key).substr(0, 8));
      db.Delete("idempotency", key);
    }
    RequireFinding(dir, Finding::kIndexMismatch, seq);
    CHECK(Verify(dir).detail == "entry " + std::to_string(seq) + " has no idempotency record");
  }
  SECTION("an idempotency record for a request never appended") {
    { RawDb(dir.path()).Put("idempotency", IdempotencyKey("F1", "never"), Be64(n) + std::string(kHashBytes, 'x')); }
    RequireFinding(dir, Finding::kIndexMismatch, std::nullopt);
    CHECK(Verify(dir).detail.find("the idempotency record F1/never names no entry") != std::string::npos);
  }
  SECTION("the checkpoint at the head's size deleted") {
    { RawDb(dir.path()).Delete("checkpoints", CheckpointKey(n)); }
    RequireFinding(dir, Finding::kCheckpointMismatch, n - 1);
  }
}

TEST_CASE("VerifyOptions: older signatures may be skipped, their roots never", "[verify]") {
  TempDir dir;
  BuildLog(dir);  // a checkpoint per batch of at most 8
  const uint64_t checkpoints = Verify(dir).checkpoints;
  VerifyOptions latest_signature_only;
  latest_signature_only.all_signatures = false;
  // An older checkpoint, its note changed at `offset` from its start (or its end when negative).
  auto change_older_checkpoint = [&](int offset) -> uint64_t {
    RawDb db(dir.path());
    const std::string key = db.KeyFrom("checkpoints", CheckpointKey(10));
    std::string note = db.Get("checkpoints", key);
    size_t at = offset >= 0 ? static_cast<size_t>(offset) : note.size() - static_cast<size_t>(-offset);
    note[at] = note[at] == 'A' ? 'B' : 'A';
    db.Put("checkpoints", key, note);
    return *ParseBe64(key);
  };
  SECTION("an older checkpoint's signature changed") {
    uint64_t size = change_older_checkpoint(-5);
    CHECK(Verify(dir).finding == Finding::kBadSignature);
    CHECK(Verify(dir).bad_seq == size - 1);
    VerifyReport report = Verify(dir, latest_signature_only);
    INFO(report.ToString());
    CHECK(report.ok());
    CHECK(report.checkpoints == checkpoints);  // every one's root was still checked
  }
  SECTION("an older checkpoint's root changed") {
    uint64_t size = change_older_checkpoint(static_cast<int>(std::string("mingzhang.test/tamper\n").size() + 3));
    VerifyReport report = Verify(dir, latest_signature_only);
    INFO(report.ToString());
    CHECK(report.finding == Finding::kCheckpointMismatch);
    CHECK(report.bad_seq == size - 1);
  }
  SECTION("an older checkpoint's origin changed") {
    uint64_t size = change_older_checkpoint(std::string("mingzhang.").size());  // mingzhang.test -> mingzhang.Aest
    CHECK(Verify(dir).finding == Finding::kBadSignature);
    VerifyReport report = Verify(dir, latest_signature_only);
    INFO(report.ToString());
    CHECK(report.finding == Finding::kCheckpointMismatch);
    CHECK(report.bad_seq == size - 1);
    CHECK_THAT(report.detail, Catch::Contains("origin"));
  }
}

TEST_CASE("a store whose tree rows have another width is refused, not read as tampered", "[verify]") {
  TempDir dir;
  BuildLog(dir);
  auto open_ledger = [&] {
    LedgerOptions options;
    options.data_dir = dir.path();
    return District::Open(options).status();
  };
  auto verify_status = [&] {
    StoreOptions options;
    options.read_only = true;
    auto store = Store::Open(dir / kStoreDirName, options);
    REQUIRE(store.ok());
    auto key = SigningKey::LoadFile(dir / kKeyFileName);
    REQUIRE(key.ok());
    return VerifyLog(**store, NoteVerifier::For("mingzhang.test", key->public_key()), {}).status();
  };
  {
    RawDb db(dir.path());
    REQUIRE(db.Get("meta", std::string(kMetaTreeRowNodes)) == Be64(kTreeRowNodes));
    db.Put("meta", std::string(kMetaTreeRowNodes), Be64(256));
  }
  Status refused = open_ledger();
  REQUIRE(refused.slug() == "store-layout");
  REQUIRE(refused.message().find("rows of 256 nodes") != std::string::npos);
  REQUIRE(verify_status().slug() == "store-layout");
  auto [status, out] = RunCli("verify --data-dir " + dir.path());
  INFO(out);
  REQUIRE(status != 0);
  REQUIRE(out.find("rows of 256 nodes") != std::string::npos);

  { RawDb(dir.path()).Delete("meta", std::string(kMetaTreeRowNodes)); }  // as stores made before it
  REQUIRE(open_ledger().slug() == "store-layout");
  REQUIRE(verify_status().slug() == "store-layout");

  { RawDb(dir.path()).Put("meta", std::string(kMetaTreeRowNodes), Be64(kTreeRowNodes)); }
  REQUIRE(open_ledger().ok());
  REQUIRE(Verify(dir).ok());
}

TEST_CASE("the CLI refuses bad usage with exit status 2", "[verify]") {
  REQUIRE(RunCli("verify").first == 2);
  REQUIRE(RunCli("verify --data-dir /nonexistent/mingzhang").first == 2);
  REQUIRE(RunCli("frobnicate").first == 2);
  REQUIRE(RunCli("verify --data-dir x --bogus").first == 2);
}

}  // namespace
}  // namespace mingzhang
