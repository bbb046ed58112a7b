// What the fuzz targets share: the check that stops a run, and the small world they start from.
//
// Every target defines LLVMFuzzerTestOneInput. Built with clang and -DMINGZHANG_FUZZ=ON it links
// libFuzzer; in the ordinary build it links replay_main.cpp instead, and ctest replays its
// corpus (tests/fuzz/README.md).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mingzhang/v1/ledger.pb.h"

// A property every input must keep. A violation aborts, which libFuzzer (and ctest) report as a
// crash with the input that caused it.
#define FUZZ_CHECK(condition)                                                                        \
  do {                                                                                               \
    if (!(condition)) {                                                                              \
      std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                                  \
    }                                                                                                \
  } while (false)

namespace mingzhang::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// recorded_at_ms of the world's entries and of fuzzed ones: 2026-06-01T00:00:00Z.
inline constexpr int64_t kWorldClockMs = 1'780'272'000'000;

// The world as requests, in log order (seq = index; no prev_hash or time): firm F1 with
// community C1 (units U1-U3), payments, an evaluation, spending from both funds, public revenue,
// a passed SPECIAL proposal P1 and its resolution R-P1, an open proposal P2, and a reversal.
// Each is admitted by the domain rules in turn.
std::vector<v1::Entry> WorldRequests();

}  // namespace mingzhang::fuzz
