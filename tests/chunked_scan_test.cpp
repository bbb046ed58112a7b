// ChunkedScan (ledger/chunked_scan.h): every item digested once and checked in key order across
// chunk boundaries; an early stop stands over a cursor error met while reading ahead; an
// exception from `check` reaches the caller with every digesting thread joined.
#include "ledger/chunked_scan.h"

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

}  // namespace
}  // namespace mingzhang
