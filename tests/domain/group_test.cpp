// All-or-nothing groups (POST payments:batch): every payment or none.
#include <catch2/catch.hpp>

#include <future>

#include "tests/support/domain_test_util.h"

namespace mingzhang {
namespace {

using namespace testing;

Result<std::vector<StoredEntry>> AppendGroup(District& ledger, std::vector<v1::Entry> entries) {
  std::promise<Result<std::vector<StoredEntry>>> done;
  auto future = done.get_future();
  ledger.AppendGroupAsync(std::move(entries), [&](Result<std::vector<StoredEntry>> r) { done.set_value(std::move(r)); });
  return future.get();
}

std::unique_ptr<District> Setup(const TempDir& dir) {
  auto ledger = OpenDomainLedger(dir);
  MustAppend(*ledger, Firm("acme", "Acme"));
  MustAppend(*ledger, Community("garden", "acme", 250, BasisPoints(1000), "2026-07"));
  MustAppend(*ledger, Units("garden", FirmActor("acme"), {{"A", 10000}, {"B", 8000}}));
  return ledger;
}

TEST_CASE("a group of payments is written whole, in one batch", "[group]") {
  TempDir dir;
  auto ledger = Setup(dir);
  std::vector<v1::Entry> payments = {Payment("garden", FirmActor("acme"), "A", 25000, "2026-07", 1, "2026-07-03"),
                                     Payment("garden", FirmActor("acme"), "B", 20000, "2026-07", 1, "2026-07-04")};
  auto r = AppendGroup(*ledger, payments);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  REQUIRE((*r)[0].entry.seq() == 3);
  REQUIRE((*r)[1].entry.seq() == 4);
  REQUIRE_FALSE(ledger->CheckpointAt(4).ok());  // one batch: no checkpoint between the two
  REQUIRE(ledger->CheckpointAt(5).ok());
  auto again = AppendGroup(*ledger, payments);  // the same keys and bodies: the originals
  REQUIRE(again.ok());
  REQUIRE((*again)[1].replayed);
  REQUIRE(ledger->head().tree_size == 5);
}

TEST_CASE("a group with one bad payment writes nothing and changes no state", "[group]") {
  TempDir dir;
  auto ledger = Setup(dir);
  std::string before = MustView(SignedStatementJson(*ledger, "garden", "2026-07")).dump();
  uint64_t size = ledger->head().tree_size;
  auto r = AppendGroup(*ledger, {Payment("garden", FirmActor("acme"), "A", 25000, "2026-07", 1, "2026-07-03"),
                                 Payment("garden", FirmActor("acme"), "NOPE", 20000, "2026-07", 1, "2026-07-04")});
  REQUIRE(r.status().slug() == "unknown-unit");
  REQUIRE(r.status().message().rfind("entry 1 of the group", 0) == 0);
  REQUIRE(ledger->head().tree_size == size);
  REQUIRE(MustView(SignedStatementJson(*ledger, "garden", "2026-07")).dump() == before);
  // The good payment's key was not used: it can be sent again alone.
  MustAppend(*ledger, Payment("garden", FirmActor("acme"), "A", 25000, "2026-07", 1, "2026-07-03"));
  REQUIRE(AppendGroup(*ledger, {}).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace mingzhang
