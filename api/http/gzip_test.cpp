#include "api/http/gzip.h"

#include <catch2/catch.hpp>

namespace mingzhang::api {
namespace {

TEST_CASE("AcceptsGzip reads Accept-Encoding as RFC 9110 §12.5.3 does") {
  for (const char* yes : {"gzip", "GZIP", "x-gzip", "gzip, deflate, br", "deflate, gzip;q=0.5", "br;q=1.0, gzip;q=0.001",
                          "*", "br, *;q=0.1", "gzip ; q=1", "gzip;Q=1.000", " ,gzip,", "gzip, *;q=0"}) {
    INFO(yes);
    CHECK(AcceptsGzip(yes));
  }
  for (const char* no : {"", "identity", "deflate, br", "gzip;q=0", "gzip;q=0.000", "*;q=0", "gzip;q=0, *",
                         "x-gzip;q=0, *;q=1", "gzip;q=1.5", "gzip;q=1.001", "gzip;q=0.0001", "gzip;q=", "gzip;level=9",
                         "gzipped", "gzip/1", ";q=1"}) {
    INFO(no);
    CHECK_FALSE(AcceptsGzip(no));
  }
}

// {"k":"0123456789...."}: 2,008 bytes whose CRC-32 Python's zlib.crc32 gives as 0xbb5cbfa6.
std::string Json2008() {
  std::string digits;
  for (int i = 0; i < 200; ++i) digits += "0123456789";
  return "{\"k\":\"" + digits + "\"}";
}

uint32_t Le32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(b[i]);
  return v;
}

TEST_CASE("AcceptsGzip reads every Accept-Encoding field of a message as one list") {
  namespace http = boost::beast::http;
  http::fields none;
  CHECK_FALSE(AcceptsGzip(none));
  http::fields refused;
  refused.insert(http::field::accept_encoding, "*");
  refused.insert(http::field::accept_encoding, "gzip;q=0");
  CHECK_FALSE(AcceptsGzip(refused));
  http::fields second;
  second.insert(http::field::accept_encoding, "br");
  second.insert(http::field::accept_encoding, "gzip");
  CHECK(AcceptsGzip(second));
}

TEST_CASE("Gzip writes one RFC 1952 member that Gunzip reads back byte for byte") {
  const std::string body = Json2008();
  REQUIRE(body.size() == 2008);
  std::optional<std::string> gz = Gzip(body);
  REQUIRE(gz.has_value());
  CHECK(gz->size() < body.size() / 4);
  // ID1 ID2, CM = deflate, no flags, MTIME 0 (the same body always gives the same bytes),
  // XFL 4 (fastest), OS 3 (Unix).
  CHECK(gz->substr(0, 10) == std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x03", 10));
  // Trailer: CRC-32 and length of the body, little-endian.
  CHECK(Le32(gz->substr(gz->size() - 8)) == 0xbb5cbfa6u);
  CHECK(Le32(gz->substr(gz->size() - 4)) == 2008u);
  CHECK(Gunzip(*gz) == body);
  CHECK(Gzip(body) == gz);
  CHECK(Gunzip(*Gzip("")) == std::string());
  std::optional<std::string> smaller = Gzip(body, GzipLevel::kDefault);
  REQUIRE(smaller.has_value());
  CHECK((*smaller)[8] == '\0');  // XFL: neither fastest nor maximum
  CHECK(Gunzip(*smaller) == body);
}

TEST_CASE("Gunzip refuses what is not exactly one whole gzip member, and bombs") {
  const std::string gz = *Gzip(Json2008());
  CHECK_FALSE(Gunzip("").has_value());
  CHECK_FALSE(Gunzip("{\"k\":1}").has_value());
  CHECK_FALSE(Gunzip(gz.substr(0, gz.size() - 1)).has_value());  // cut short
  CHECK_FALSE(Gunzip(gz.substr(0, 10)).has_value());
  CHECK_FALSE(Gunzip(gz + "x").has_value());  // bytes after the member
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 1;
  CHECK_FALSE(Gunzip(bad_crc).has_value());
  std::string bad_length = gz;
  bad_length[bad_length.size() - 4] ^= 1;
  CHECK_FALSE(Gunzip(bad_length).has_value());
  std::optional<std::string> bomb = Gzip(std::string(kGunzipBytesMax + 1, '\0'));
  REQUIRE(bomb.has_value());
  CHECK(bomb->size() < kGunzipBytesMax / 100);
  CHECK_FALSE(Gunzip(*bomb).has_value());
  std::optional<std::string> at_limit = Gzip(std::string(kGunzipBytesMax, '\0'));
  REQUIRE(at_limit.has_value());
  CHECK(Gunzip(*at_limit).value_or("").size() == kGunzipBytesMax);
}

}  // namespace
}  // namespace mingzhang::api
