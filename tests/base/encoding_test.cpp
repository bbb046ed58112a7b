#include "ledger/base/encoding.h"

#include <catch2/catch.hpp>
#include <string>

namespace mingzhang {
namespace {

std::string AllBytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s.push_back(static_cast<char>(i));
  return s;
}

void RequireBadBase64(const std::string& text) {
  INFO("base64 input: \"" << text << "\"");
  Result<std::string> r = Base64Decode(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().slug() == "bad-base64");
}

TEST_CASE("hex round trips every byte value, lower case out", "[encoding]") {
  std::string bytes = AllBytes();
  std::string hex = HexEncode(bytes);
  REQUIRE(hex.size() == 512);
  CHECK(hex.substr(0, 8) == "00010203");
  CHECK(hex.substr(hex.size() - 4) == "feff");
  Result<std::string> back = HexDecode(hex);
  REQUIRE(back.ok());
  CHECK(*back == bytes);
  CHECK(HexEncode("") == "");
  CHECK(HexDecode("").ok());
}

TEST_CASE("hex decoding accepts upper and mixed case", "[encoding]") {
  Result<std::string> upper = HexDecode("DEADBEEF");
  Result<std::string> mixed = HexDecode("DeAdBeEf");
  REQUIRE(upper.ok());
  REQUIRE(mixed.ok());
  CHECK(*upper == "\xde\xad\xbe\xef");
  CHECK(*mixed == *upper);
}

TEST_CASE("hex decoding refuses odd length and non-hex characters", "[encoding]") {
  for (const char* bad : {"a", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "+1", "-1", "é0"}) {
    INFO("hex input: " << bad);
    Result<std::string> r = HexDecode(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "bad-hex");
  }
  CHECK_FALSE(HexDecode(std::string("0\0", 2)).ok());
}

TEST_CASE("base64 RFC 4648 section 10 test vectors", "[encoding]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    INFO("plain: \"" << plain << "\"");
    CHECK(Base64Encode(plain) == encoded);
    Result<std::string> decoded = Base64Decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(*decoded == plain);
  }
}

TEST_CASE("base64 round trips every byte value and every tail length", "[encoding]") {
  std::string bytes = AllBytes();
  for (size_t n = 0; n <= 6; ++n) {
    std::string piece = bytes.substr(250 - n, n);
    Result<std::string> back = Base64Decode(Base64Encode(piece));
    REQUIRE(back.ok());
    CHECK(*back == piece);
  }
  std::string encoded = Base64Encode(bytes);
  CHECK(encoded.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
        std::string::npos);
  Result<std::string> back = Base64Decode(encoded);
  REQUIRE(back.ok());
  CHECK(*back == bytes);
}

TEST_CASE("base64 decoding refuses a length that is not a multiple of 4", "[encoding]") {
  for (const char* bad : {"Z", "Zg", "Zg=", "Zm9", "Zm9vY", "Zm9vYg", "Zm9vYg="}) RequireBadBase64(bad);
}

TEST_CASE("base64 decoding refuses characters outside the standard alphabet", "[encoding]") {
  // URL-safe alphabet, punctuation, NUL and non-ASCII are all foreign.
  for (const char* bad : {"Zm9-", "Zm9_", "Zm9!", "Zm.v", "Zm9v\xc3\xa9==", "\xff\xff\xff\xff"}) {
    RequireBadBase64(bad);
  }
  RequireBadBase64(std::string("Zm9\0", 4));
}

TEST_CASE("base64 decoding refuses misplaced padding", "[encoding]") {
  for (const char* bad : {"Zg==Zm9v", "Zm8=Zm9v", "=Zm9", "Z=g=", "Zg=v", "Z===", "====",
                          "Zm9vYg==Zg==", "Zm9v===="}) {
    RequireBadBase64(bad);
  }
}

TEST_CASE("base64 decoding refuses non-zero bits under the padding", "[encoding]") {
  // "Zg==" is "f"; "Zh==" ... "Zv==" spell it too with stray low bits set. Same for one '='.
  for (const char* bad : {"Zh==", "Zi==", "Zv==", "Zm9=", "Zm+=", "Zm9vYh=="}) RequireBadBase64(bad);
  REQUIRE(Base64Decode("Zm8=").ok());
  REQUIRE(Base64Decode("Zg==").ok());
}

TEST_CASE("base64 decoding refuses whitespace anywhere", "[encoding]") {
  for (const char* bad : {" Zm9v", "Zm9v ", "Zm9v\n", "Zm 9v", "Zm9v\r\n", "Zm\t9", "Zm9 ",
                          "Zm9v Zm9v"}) {
    RequireBadBase64(bad);
  }
}

}  // namespace
}  // namespace mingzhang

TEST_CASE("ParseU64 takes 1-20 digits up to UINT64_MAX and nothing else", "[encoding]") {
  REQUIRE(mingzhang::ParseU64("0") == uint64_t{0});
  REQUIRE(mingzhang::ParseU64("007") == uint64_t{7});
  REQUIRE(mingzhang::ParseU64("18446744073709551615") == UINT64_MAX);
  // strtoull would read the first as UINT64_MAX, skip the space and take the signs.
  for (const char* bad : {"18446744073709551616", "99999999999999999999", "000000000000000000001", "", " 1", "+1",
                          "-1", "1 ", "1e3", "0x10", "１"}) {
    INFO(bad);
    REQUIRE_FALSE(mingzhang::ParseU64(bad).has_value());
  }
  // The shape alone: an overflow is told apart from text that is no number at all.
  REQUIRE(mingzhang::IsDecimalU64Shape("18446744073709551616"));
  REQUIRE_FALSE(mingzhang::IsDecimalU64Shape("-1"));
}

TEST_CASE("ValidUtf8 accepts what NextCodePoint decodes and refuses the rest", "[encoding]") {
  REQUIRE(mingzhang::ValidUtf8(""));
  REQUIRE(mingzhang::ValidUtf8("兰亭苑 3栋1202室 \xF0\x9F\x8F\xA0"));
  for (const char* bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80",
                          "\xE5\x85"}) {
    REQUIRE_FALSE(mingzhang::ValidUtf8(bad));
  }
}
