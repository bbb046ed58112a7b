// Helpers for the domain tests of the ledger (scenario, rules, properties): the entry builders of
// entry_builders.h, a ledger opener, and strict readers of the views' JSON (views.h: money is a
// string of fen, counts and basis points are JSON numbers).
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/views/district.h"
#include "ledger/views/json/view_json.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "ledger/audit/verify_state.h"
#include "mingzhang/v1/ledger.pb.h"
#include "tests/support/entry_builders.h"
#include "tests/support/test_util.h"

namespace mingzhang::testing {

using Json = nlohmann::json;

// ---- Ledger -------------------------------------------------------------------------------

// clock_ms: a fixed Unix time in milliseconds for every entry's recorded_at_ms, or 0 for the
// system clock.
// state_cache_bytes: the sequencer's cache of decoded communities (a few bytes: every community
// is read again from its rows after each batch).
inline std::unique_ptr<District> OpenDomainLedger(const TempDir& dir, size_t batch_max = kBatchEntriesMax,
                                                int64_t clock_ms = 0, size_t state_cache_bytes = kStateCacheBytesDefault) {
  LedgerOptions options;
  options.state_cache_bytes = state_cache_bytes;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/domain";
  options.batch_entries_max = batch_max;
  if (clock_ms != 0) options.clock_ms = [clock_ms] { return clock_ms; };
  auto ledger = District::Open(options);
  INFO(ledger.status().ToString());
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

// Appends and requires success; returns what was stored.
inline StoredEntry MustAppend(District& ledger, const v1::Entry& entry) {
  Result<StoredEntry> r = ledger.Append(entry);
  INFO("append refused: " << r.status().ToString() << "\nentry: " << entry.ShortDebugString());
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->replayed);
  return std::move(r).value();
}

// The stored state rows against an independent replay of every entry (verify_state.h): empty
// when they agree, else what differs. REQUIRES: no append in flight.
inline std::string StateRowsDiffer(const District& ledger) {
  Domain replay;
  for (uint64_t seq = 0; seq < ledger.head().tree_size; ++seq) {
    Result<StoredEntry> e = ledger.ReadEntry(seq);
    if (!e.ok()) return e.status().ToString();
    if (Status s = replay.Record(e->entry, e->leaf_hash); !s.ok()) return s.ToString();
  }
  Result<std::optional<StateDifference>> d = CompareStateRows(ledger.store(), replay.rows());
  if (!d.ok()) return d.status().ToString();
  return *d ? (*d)->detail : std::string();
}

inline Json MustView(const Result<Json>& r) {
  INFO("view failed: " << r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

// A typed view's answer as the routes serve it (view_json.h).
template <typename View>
Json MustView(const Result<View>& r) {
  return MustView(AsJson(r));
}

// ---- JSON readers -------------------------------------------------------------------------

// Money: an integer count of fen printed as a string (views.h).
inline int64_t FenOf(const Json& j) {
  INFO("expected a fen string, got " << j.dump());
  REQUIRE(j.is_string());
  const std::string s = j.get<std::string>();
  size_t used = 0;
  int64_t v = std::stoll(s, &used);
  REQUIRE(used == s.size());
  REQUIRE(std::to_string(v) == s);  // no leading zeros or '+'
  return v;
}

// Counts and basis points: JSON integers (views.h).
inline int64_t CountOf(const Json& j) {
  INFO("expected a JSON integer, got " << j.dump());
  REQUIRE(j.is_number_integer());
  return j.get<int64_t>();
}

// int64/uint64 values that the protobuf JSON mapping prints as strings (tree sizes, seqs).
inline uint64_t U64Of(const Json& j) {
  INFO("expected an integer or a decimal string, got " << j.dump());
  if (j.is_number_unsigned() || j.is_number_integer()) return j.get<uint64_t>();
  REQUIRE(j.is_string());
  const std::string s = j.get<std::string>();
  size_t used = 0;
  uint64_t v = std::stoull(s, &used);
  REQUIRE(used == s.size());
  return v;
}

// The fund entry of a statement's `funds`.
inline const Json& FundIn(const Json& statement, const std::string& fund) {
  INFO("statement: " << statement.dump());
  REQUIRE(statement.at("funds").is_array());
  for (const Json& f : statement.at("funds")) {
    if (f.at("fund") == fund) return f;
  }
  FAIL("no fund " << fund << " in the statement");
  static const Json kNone;
  return kNone;
}

// income_by_source / disbursed_by_category: an object of name -> fen string.
inline std::map<std::string, int64_t> FenMap(const Json& j) {
  INFO("expected an object of fen strings, got " << j.dump());
  REQUIRE(j.is_object());
  std::map<std::string, int64_t> out;
  for (const auto& [k, v] : j.items()) out[k] = FenOf(v);
  return out;
}

inline std::string HexOf(const Hash& h) { return HexEncode(AsBytes(h)); }

inline std::string DecodeBase64(const Json& j) {
  REQUIRE(j.is_string());
  Result<std::string> r = Base64Decode(j.get<std::string>());
  INFO("not base64: " << j.dump());
  REQUIRE(r.ok());
  return *r;
}

// Opens a signed checkpoint note with the ledger's key and parses it.
inline Checkpoint OpenCheckpointNote(const District& ledger, const std::string& note) {
  Result<std::string> text = OpenNote(note, ledger.verifier());
  INFO(text.status().ToString());
  REQUIRE(text.ok());
  Result<Checkpoint> cp = ParseCheckpoint(*text);
  REQUIRE(cp.ok());
  return *cp;
}

}  // namespace mingzhang::testing
