// What the benchmarks append: a registered firm and community, its units, and the entries of a
// billing year, built with the tests' entry builders so they pass every domain rule.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/views/district.h"
#include "tests/support/entry_builders.h"

namespace mingzhang::bench {

inline constexpr const char* kFirmId = "firm-bench";
inline constexpr int64_t kRateFenPerM2Month = 250;   // 2.50 元/㎡/月
inline constexpr int64_t kUnitAreaCentiM2 = 10'260;  // 102.60 ㎡: 256.50 元 a month
inline constexpr int64_t kMonthlyFeeFen = 25'650;

inline void MustAppend(District& ledger, const v1::Entry& entry) {
  Result<StoredEntry> r = ledger.Append(entry);
  if (!r.ok()) {
    std::fprintf(stderr, "append refused: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
}

// "1000000,10000000": the log sizes a benchmark measures.
inline std::vector<uint64_t> ParseSizes(const char* list) {
  std::vector<uint64_t> sizes;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) sizes.push_back(std::stoull(item));
  return sizes;
}

inline std::string UnitId(size_t i) { return "B" + std::to_string(i); }

// Registers the firm (when `with_firm`), a community from 2025-01 and its units, 1,000 per entry.
inline void RegisterCommunity(District& ledger, const std::string& community_id, size_t units, bool with_firm = true) {
  using namespace testing;
  if (with_firm) MustAppend(ledger, Firm(kFirmId));
  MustAppend(ledger, Community(community_id, kFirmId, kRateFenPerM2Month, BasisPoints(800), "2025-01"));
  for (size_t first = 0; first < units; first += 1'000) {
    std::vector<std::pair<std::string, int64_t>> batch;
    for (size_t i = first; i < std::min(units, first + 1'000); ++i) batch.emplace_back(UnitId(i), kUnitAreaCentiM2);
    MustAppend(ledger, Units(community_id, AdminActor(), batch));
  }
}

// The firm records unit i % units paying one month's fee for `month` ("2025-MM").
inline v1::Entry MonthlyPayment(const std::string& community_id, size_t units, size_t i, const std::string& month) {
  return testing::Payment(community_id, testing::FirmActor(kFirmId), UnitId(i % units), kMonthlyFeeFen, month, 1,
                          month + "-08", v1::FeePayment::wechat, "WX" + std::to_string(100'000'000 + i));
}

// A district (bench/startup_bench): `communities` communities of `units` units each, registered
// once under one firm, then one month's payment per unit and month, spread round-robin over every
// community and unit so every community grows alike. Payment i is unit (i / communities) % units
// of community i % communities for month 2025-01 + i / (communities * units), with receipt ref
// unique in the log; at most kDistrictMonthsMax months, so every paid_on is in the past.
inline constexpr size_t kDistrictMonthsMax = 12;  // the year 2025
inline constexpr int kDistrictFirstYear = 2025;

inline std::string CommunityId(size_t index) {
  char id[24];  // "c" and up to 20 digits
  std::snprintf(id, sizeof id, "c%04zu", index);
  return id;
}

// Registers the firm and communities 0 .. communities-1, each with `units` units.
inline void RegisterDistrict(District& ledger, size_t communities, size_t units) {
  MustAppend(ledger, testing::Firm(kFirmId));
  for (size_t c = 0; c < communities; ++c) RegisterCommunity(ledger, CommunityId(c), units, /*with_firm=*/false);
}

// The payment entries a district of this size can take: one per unit and month.
inline uint64_t DistrictPaymentsMax(size_t communities, size_t units) {
  return static_cast<uint64_t>(communities) * units * kDistrictMonthsMax;
}

inline v1::Entry DistrictPayment(size_t communities, size_t units, size_t i) {
  const size_t month_index = i / (communities * units);  // 0: 2025-01
  const std::string month = std::to_string(kDistrictFirstYear + month_index / 12) + "-" +
                            (month_index % 12 < 9 ? "0" : "") + std::to_string(month_index % 12 + 1);
  return testing::Payment(CommunityId(i % communities), testing::FirmActor(kFirmId), UnitId((i / communities) % units),
                          kMonthlyFeeFen, month, 1, std::string(month) + "-08", v1::FeePayment::wechat,
                          "WX" + std::to_string(100'000'000 + i));
}

// Appends next(0) .. next(n-1) through AppendAsync, keeping a few full batches queued so every
// group commit is full without overflowing the queue; `stored(i, entry)` sees each durable entry.
// Returns the seconds from the first append to the last answer.
inline double AppendAll(District& ledger, size_t n, size_t batch, const std::function<v1::Entry(size_t)>& next,
                        const std::function<void(size_t, StoredEntry&)>& stored = nullptr) {
  std::atomic<size_t> done{0};
  const size_t window = std::min(kAppendQueueMax, 4 * batch);
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    // Sleep, not spin: on two cores a spinning producer takes a core from the sequencer.
    while (i - done.load(std::memory_order_acquire) >= window) std::this_thread::sleep_for(std::chrono::microseconds(50));
    ledger.AppendAsync(next(i), [&, i](Result<StoredEntry> r) {
      if (!r.ok()) {
        std::fprintf(stderr, "append failed: %s\n", r.status().ToString().c_str());
        std::abort();
      }
      if (stored) stored(i, *r);
      done.fetch_add(1, std::memory_order_release);
    });
  }
  while (done < n) std::this_thread::sleep_for(std::chrono::microseconds(100));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace mingzhang::bench
