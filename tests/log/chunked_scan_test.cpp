// ChunkedScan and RangedScan (ledger/log/chunked_scan.h): every item digested once and checked in
// key order across chunk boundaries; an early stop stands over a cursor error met while reading
// ahead; an exception from `check` reaches the caller with every thread joined. RangedScan also
// goes past chunks with no keys, at once however many, and reads nothing before its first chunk.
#include "ledger/log/chunked_scan.h"

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace mingzhang {
namespace {

// A cursor over numbered keys "000000".."N-1" (values "v<n>"); with fail_at, it ends there with
// an I/O error, as a RocksDB iterator does on a bad block.
class NumberCursor final : public Cursor {
 public:
  explicit NumberCursor(size_t items, std::optional<size_t> fail_at = std::nullopt)
      : items_(items), fail_at_(fail_at) {}
  void Seek(std::string_view) override { at_ = 0; }
  bool Valid() const override { return at_ < items_ && at_ != fail_at_; }
  void Next() override { ++at_; }
  std::string_view key() const override { return key_ = Key(at_); }
  std::string_view value() const override { return value_ = "v" + std::to_string(at_); }
  Status status() const override {
    return at_ == fail_at_ ? Unavailable("storage-unavailable", "bad block") : OkStatus();
  }
  static std::string Key(size_t n) {
    std::string k = std::to_string(n);
    return std::string(6 - k.size(), '0') + k;
  }

 private:
  size_t items_;
  std::optional<size_t> fail_at_;
  size_t at_ = 0;
  mutable std::string key_, value_;
};

struct Length {
  size_t value_bytes = 0;
  int digested = 0;
};

ChunkedScan<Length> LengthScan(Cursor& cursor) {
  return ChunkedScan<Length>(cursor, 3, [](const ScanChunk<Length>& c, size_t i, Length& d) {
    d.value_bytes = c.values[i].size();
    ++d.digested;
  });
}

TEST_CASE("ChunkedScan digests every item once and checks them in key order", "[chunked_scan]") {
  for (size_t items : {size_t{0}, size_t{1}, kScanChunkItems - 1, kScanChunkItems, 2 * kScanChunkItems + 7}) {
    INFO(items << " items");
    NumberCursor cursor(items);
    cursor.Seek("");
    size_t next = 0;
    Status s = LengthScan(cursor).Run([&](const ScanChunk<Length>& c) {
      for (size_t i = 0; i < c.size; ++i, ++next) {
        REQUIRE(c.keys[i] == NumberCursor::Key(next));
        REQUIRE(c.digests[i].value_bytes == 1 + std::to_string(next).size());
      }
      return true;
    });
    CHECK(s.ok());
    CHECK(next == items);
  }
}

TEST_CASE("ChunkedScan: a stop by check stands over a cursor error met reading ahead", "[chunked_scan]") {
  NumberCursor stopped(3 * kScanChunkItems, kScanChunkItems + 10);
  stopped.Seek("");
  CHECK(LengthScan(stopped).Run([](const ScanChunk<Length>&) { return false; }).ok());

  NumberCursor failing(3 * kScanChunkItems, kScanChunkItems + 10);
  failing.Seek("");
  size_t checked = 0;
  Status s = LengthScan(failing).Run([&](const ScanChunk<Length>& c) {
    checked += c.size;
    return true;
  });
  CHECK(s.code() == Code::kUnavailable);
  CHECK(checked == kScanChunkItems + 10);  // everything before the bad block, nothing after
}

TEST_CASE("ChunkedScan: an exception from check reaches the caller, threads joined", "[chunked_scan]") {
  NumberCursor cursor(3 * kScanChunkItems);
  cursor.Seek("");
  CHECK_THROWS_AS(LengthScan(cursor).Run([](const ScanChunk<Length>&) -> bool { throw std::out_of_range("x"); }),
                  std::out_of_range);
}

// A cursor over a map, as RocksDB's: Seek goes to the first key at or after; with fail_key, it
// ends there with an I/O error.
class MapCursor final : public Cursor {
 public:
  MapCursor(const std::map<std::string, std::string>& items, std::optional<std::string> fail_key)
      : items_(items), fail_key_(std::move(fail_key)), at_(items.end()) {}
  void Seek(std::string_view key) override { at_ = items_.lower_bound(std::string(key)); }
  bool Valid() const override { return at_ != items_.end() && !failed(); }
  void Next() override { ++at_; }
  std::string_view key() const override { return at_->first; }
  std::string_view value() const override { return at_->second; }
  Status status() const override { return failed() ? Unavailable("storage-unavailable", "bad block") : OkStatus(); }

 private:
  bool failed() const { return at_ != items_.end() && fail_key_ && at_->first == *fail_key_; }
  const std::map<std::string, std::string>& items_;
  std::optional<std::string> fail_key_;
  std::map<std::string, std::string>::const_iterator at_;
};

// n as 20 digits: keys in the order of their numbers for every uint64_t.
std::string Key(uint64_t n) {
  std::string k = std::to_string(n);
  return std::string(20 - k.size(), '0') + k;
}

// Keys Key(0)..Key(n-1) with values "v<n>"; chunk k starts at Key(k * kScanChunkItems).
std::map<std::string, std::string> Numbered(size_t items) {
  std::map<std::string, std::string> m;
  for (size_t n = 0; n < items; ++n) m[Key(n)] = "v" + std::to_string(n);
  return m;
}

RangedScan<Length> RangedLengthScan(const std::map<std::string, std::string>& items,
                                    std::optional<std::string> fail_key = std::nullopt, size_t threads = 3) {
  return RangedScan<Length>([&items, fail_key] { return std::make_unique<MapCursor>(items, fail_key); },
                            [](uint64_t chunk) { return Key(chunk * kScanChunkItems); }, threads,
                            [](const ScanChunk<Length>& c, size_t i, Length& d) {
                              d.value_bytes = c.values[i].size();
                              ++d.digested;
                            });
}

// Every key the scan checked, in the order checked, each with its digest.
std::vector<std::string> CheckedKeys(RangedScan<Length> scan, Status& status) {
  std::vector<std::string> keys;
  status = scan.Run([&](const ScanChunk<Length>& c) {
    for (size_t i = 0; i < c.size; ++i) {
      REQUIRE(c.digests[i].value_bytes == c.values[i].size());
      keys.push_back(c.keys[i]);
    }
    return true;
  });
  return keys;
}

std::vector<std::string> KeysOf(const std::map<std::string, std::string>& items) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : items) keys.push_back(key);
  return keys;
}

TEST_CASE("RangedScan digests every item once and checks them in key order", "[chunked_scan]") {
  for (size_t threads : {1, 3}) {
    for (size_t items : {size_t{0}, size_t{1}, kScanChunkItems - 1, kScanChunkItems, 7 * kScanChunkItems + 7}) {
      INFO(items << " items, " << threads << " threads");
      std::map<std::string, std::string> m = Numbered(items);
      Status status;
      CHECK(CheckedKeys(RangedLengthScan(m, std::nullopt, threads), status) == KeysOf(m));
      CHECK(status.ok());
    }
  }
}

TEST_CASE("RangedScan goes past chunks with no keys and reads nothing before the first", "[chunked_scan]") {
  std::map<std::string, std::string> m = Numbered(6 * kScanChunkItems);
  for (size_t n = kScanChunkItems; n < 3 * kScanChunkItems; ++n) m.erase(Key(n));  // chunks 1, 2
  m[Key(5 * kScanChunkItems) + "x"] = "between two keys";
  std::vector<std::string> expected = KeysOf(m);
  m[Key(0).substr(1)] = "before chunk 0";
  Status status;
  CHECK(CheckedKeys(RangedLengthScan(m), status) == expected);
  CHECK(status.ok());
}

TEST_CASE("RangedScan reaches a key past billions of empty chunks at once", "[chunked_scan]") {
  std::map<std::string, std::string> m = Numbered(kScanChunkItems + 5);
  m[Key(uint64_t{1} << 40)] = "far";
  m["~"] = "after every number";
  for (size_t threads : {1, 3}) {
    Status status;
    CHECK(CheckedKeys(RangedLengthScan(m, std::nullopt, threads), status) == KeysOf(m));
    CHECK(status.ok());
  }
}

TEST_CASE("RangedScan: a cursor error ends the scan there, and a stop by check stands over it", "[chunked_scan]") {
  std::map<std::string, std::string> m = Numbered(5 * kScanChunkItems);
  const std::string bad = Key(2 * kScanChunkItems + 10);
  Status status;
  std::vector<std::string> keys = CheckedKeys(RangedLengthScan(m, bad), status);
  CHECK(status.code() == Code::kUnavailable);
  REQUIRE(keys.size() == 2 * kScanChunkItems + 10);  // everything before the bad block, nothing after
  CHECK(keys.back() == Key(2 * kScanChunkItems + 9));

  size_t checks = 0;
  CHECK(RangedLengthScan(m, bad).Run([&](const ScanChunk<Length>&) { return ++checks < 2; }).ok());
  CHECK(checks == 2);
}

TEST_CASE("RangedScan: an exception from check reaches the caller, threads joined", "[chunked_scan]") {
  std::map<std::string, std::string> m = Numbered(9 * kScanChunkItems);
  int chunks = 0;
  CHECK_THROWS_AS(RangedLengthScan(m).Run([&](const ScanChunk<Length>&) -> bool {
    if (++chunks == 2) throw std::out_of_range("x");
    return true;
  }),
                  std::out_of_range);
}

}  // namespace
}  // namespace mingzhang
