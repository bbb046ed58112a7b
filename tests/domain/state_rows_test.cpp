// How the state rows keep a community's entries and a unit's payments (a row per 64 entries, a
// row per 16 of a unit's payments, the last ones in the unit's own row), and what opening does with rows of another format: builds them
// again from the entries, so a district's history survives a change of layout.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include "ledger/audit/verify.h"
#include "ledger/audit/verify_state.h"
#include "ledger/domain/state_rows.h"
#include "ledger/log/keys.h"
#include "mingzhang/v1/state.pb.h"
#include "tests/support/domain_test_util.h"
#include "tests/support/raw_db.h"

namespace mingzhang {
namespace {

using namespace testing;  // NOLINT: test helpers

// Two communities whose entries interleave: garden's seqs are not consecutive. Returns garden's
// seqs in order; `payments` payments in all, alternating between the communities.
std::vector<uint64_t> TwoCommunities(District& ledger, int payments) {
  std::vector<uint64_t> garden;
  MustAppend(ledger, Firm("acme", "Acme"));
  garden.push_back(MustAppend(ledger, Community("garden", "acme", 250, BasisPoints(1000), "2026-07")).entry.seq());
  MustAppend(ledger, Community("park", "acme", 300, BasisPoints(1000), "2026-07"));
  garden.push_back(MustAppend(ledger, Units("garden", FirmActor("acme"), {{"A", 10000}, {"B", 8000}})).entry.seq());
  MustAppend(ledger, Units("park", FirmActor("acme"), {{"P", 9000}}));
  for (int i = 0; i < payments; ++i) {
    const bool in_garden = i % 3 != 2;
    const std::string paid_on = "2026-07-" + std::string(i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1);
    v1::Entry e = in_garden ? Payment("garden", FirmActor("acme"), i % 2 ? "A" : "B", 100 + i, "2026-07", 1, paid_on)
                            : Payment("park", FirmActor("acme"), "P", 100 + i, "2026-07", 1, paid_on);
    const uint64_t seq = MustAppend(ledger, e).entry.seq();
    if (in_garden) garden.push_back(seq);
  }
  return garden;
}

// The seqs of garden's unit A's payments among TwoCommunities' `payments`: payment i is at seq
// garden[2] + i, and unit A's when it is garden's (i % 3 != 2) and i is odd.
std::vector<uint64_t> UnitASeqs(const std::vector<uint64_t>& garden, int payments) {
  std::vector<uint64_t> seqs;
  for (int i = 0; i < payments; ++i) {
    if (i % 3 != 2 && i % 2 == 1) seqs.push_back(garden[2] + i);
  }
  return seqs;
}

// Every row of a column, by key.
std::map<std::string, std::string> ColumnRows(const std::string& data_dir, const std::string& column) {
  std::map<std::string, std::string> rows;
  rocksdb::Options options;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(options, data_dir + "/" + kStoreDirName, &names).ok());
  for (const std::string& name : names) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(options, data_dir + "/" + kStoreDirName, cfs, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != column) continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) rows[it->key().ToString()] = it->value().ToString();
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
  return rows;
}

TEST_CASE("a community's entries: one index row per 64, the rest in its row; every page of them", "[state-rows]") {
  TempDir dir;
  std::vector<uint64_t> garden;
  {
    auto ledger = OpenDomainLedger(dir);
    garden = TwoCommunities(*ledger, 200);  // garden: 2 + 134 entries, two full index rows
    REQUIRE(garden.size() == 136);
    CHECK(StateRowsDiffer(*ledger).empty());
    auto all = ledger->CommunitySeqs("garden", std::nullopt, 1000);
    REQUIRE(all.ok());
    CHECK(*all == garden);
    // Pages from every place, across the index rows' ends and into the community row's tail.
    for (size_t from = 0; from < garden.size(); ++from) {
      for (size_t limit : {1, 7, 64, 65, 1000}) {
        auto page = ledger->CommunitySeqs("garden", garden[from], limit);
        REQUIRE(page.ok());
        std::vector<uint64_t> expected(garden.begin() + from + 1,
                                       garden.begin() + std::min(garden.size(), from + 1 + limit));
        INFO("after " << garden[from] << ", at most " << limit);
        CHECK(*page == expected);
      }
    }
    auto none = ledger->CommunitySeqs("garden", garden.back(), 10);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }
  const auto state = ColumnRows(dir.path(), "state");
  size_t index_rows = 0;
  for (const auto& [key, value] : state) {
    CHECK(key[0] != 'U');  // no row a payment: a unit's payments are in its row
    index_rows += key.starts_with(state_key::Prefix('n', "garden"));
  }
  CHECK(index_rows == 2);
  CHECK(state.count(state_key::CommunityEntries("garden", garden[63])) == 1);
  CHECK(state.count(state_key::CommunityEntries("garden", garden[127])) == 1);
}

TEST_CASE("a unit's payments: one row per 16, the rest in its row, all listed in seq order", "[state-rows]") {
  TempDir dir;
  std::vector<uint64_t> unit_a;  // garden's unit A: every other garden payment
  {
    auto ledger = OpenDomainLedger(dir);
    unit_a = UnitASeqs(TwoCommunities(*ledger, 200), 200);
    REQUIRE(unit_a.size() == 67);
    // A reversal of one payment in a full row and of one in the unit's own row: both stay listed.
    MustAppend(*ledger, Reversal("garden", FirmActor("acme"), unit_a[3]));
    MustAppend(*ledger, Reversal("garden", FirmActor("acme"), unit_a[65]));
    CHECK(StateRowsDiffer(*ledger).empty());
    StoreRows rows(ledger->store());
    StateReader reader(rows);
    auto listed = reader.UnitPayments("garden", "A");
    REQUIRE(listed.ok());
    std::vector<uint64_t> seqs;
    for (const auto& [seq, payment] : *listed) {
      CHECK(payment.unit_id == "A");
      CHECK(payment.reversed == (seq == unit_a[3] || seq == unit_a[65]));
      seqs.push_back(seq);
    }
    CHECK(seqs == unit_a);
  }
  const auto state = ColumnRows(dir.path(), "state");
  std::vector<std::string> unit_rows;
  for (const auto& [key, value] : state) {
    if (key.starts_with(state_key::UnitPaymentsPrefix("garden", "A"))) unit_rows.push_back(key);
  }
  // 67 payments: four rows of 16, keyed by their last seqs, and 3 in the unit's row.
  CHECK(unit_rows == std::vector<std::string>{state_key::UnitPayments("garden", "A", unit_a[15]),
                                              state_key::UnitPayments("garden", "A", unit_a[31]),
                                              state_key::UnitPayments("garden", "A", unit_a[47]),
                                              state_key::UnitPayments("garden", "A", unit_a[63])});
  v1::UnitRow unit;
  REQUIRE(unit.ParseFromString(state.at(state_key::Unit("garden", "A"))));
  CHECK(std::vector<uint64_t>(unit.payment_seqs().begin(), unit.payment_seqs().end()) ==
        std::vector<uint64_t>(unit_a.begin() + 64, unit_a.end()));
}

TEST_CASE("a changed row of a unit's payments is named by mingzhang verify and by the scrub", "[state-rows]") {
  TempDir dir;
  std::vector<uint64_t> garden;
  {
    auto ledger = OpenDomainLedger(dir);
    garden = TwoCommunities(*ledger, 200);
  }
  const uint64_t row_last = UnitASeqs(garden, 200)[15];  // unit A's first row of payments ends there
  const std::string key = state_key::UnitPayments("garden", "A", row_last);
  {
    RawDb db(dir.path());
    std::vector<uint64_t> seqs = DecodeSeqsRow(db.Get("state", key), kUnitPaymentRowSeqs, "unit payments").value();
    seqs[3] += 1;  // still increasing: A's payments are at least two seqs apart
    db.Put("state", key, EncodeEntrySeqs(seqs));
  }
  auto ledger = OpenDomainLedger(dir);
  const std::string named = "the state row unit payments garden/A/seq " + std::to_string(row_last);
  Result<VerifyReport> report = VerifyLog(ledger->store(), ledger->verifier());
  REQUIRE(report.ok());
  CHECK_THAT(report->ToString(), Catch::Contains("state-mismatch: " + named + " differs"));
  auto scrub = CheckEveryCommunity(ledger->store(), nullptr);
  REQUIRE(scrub.ok());
  REQUIRE(scrub->has_value());
  CHECK_THAT((*scrub)->detail, Catch::Contains(named));
}

TEST_CASE("rows of another format, or of a store that names none, are built again at opening", "[state-rows]") {
  TempDir dir;
  {
    auto ledger = OpenDomainLedger(dir);
    TwoCommunities(*ledger, 100);
  }
  const auto built = ColumnRows(dir.path(), "state");
  REQUIRE(ColumnRows(dir.path(), "meta").at(std::string(kMetaStateFormat)) == kStateFormat);
  for (bool named : {true, false}) {
    INFO((named ? "an older format named" : "no format named (the version before formats)"));
    {
      RawDb raw(dir.path());
      if (named) raw.Put("meta", std::string(kMetaStateFormat), "mingzhang-state/1");
      else raw.Delete("meta", std::string(kMetaStateFormat));
      // What the older layout had that this one has not, and a row this one has, gone.
      raw.Put("state", state_key::Prefix('U', "garden") + "A" + std::string(1, '\0') + Be64(7), "");
      raw.Delete("state", state_key::Unit("garden", "A"));
    }
    {
      auto ledger = OpenDomainLedger(dir);
      CHECK(StateRowsDiffer(*ledger).empty());
      auto payments = ledger->CommunitySeqs("park", std::nullopt, 1000);
      REQUIRE(payments.ok());
      CHECK(payments->size() == 2 + 33);
    }
    CHECK(ColumnRows(dir.path(), "state") == built);
    CHECK(ColumnRows(dir.path(), "meta").at(std::string(kMetaStateFormat)) == kStateFormat);
  }
}

TEST_CASE("a district's log opened without its domain keeps its rows, built up again from the marker", "[state-rows]") {
  TempDir dir;
  {
    auto ledger = OpenDomainLedger(dir);
    TwoCommunities(*ledger, 10);
  }
  const auto built = ColumnRows(dir.path(), "state");
  {
    LedgerOptions options;  // no state machine: the log alone
    options.data_dir = dir.path();
    options.origin = "mingzhang.test/domain";
    auto log = Ledger::Open(options);
    REQUIRE(log.ok());
    REQUIRE((*log)->Append(Firm("later", "Later")).ok());
  }
  CHECK(ColumnRows(dir.path(), "state") == built);
  const auto meta = ColumnRows(dir.path(), "meta");
  CHECK(meta.at(std::string(kMetaStateFormat)) == kStateFormat);
  CHECK(meta.at(std::string(kMetaStateHead)) != meta.at(std::string(kMetaHead)));  // behind: the firm is not in it
  {
    auto ledger = OpenDomainLedger(dir);
    CHECK(StateRowsDiffer(*ledger).empty());
  }
  CHECK(ColumnRows(dir.path(), "state").count(state_key::Firm("later")) == 1);
}

}  // namespace
}  // namespace mingzhang
