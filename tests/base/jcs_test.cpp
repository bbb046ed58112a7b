#include "ledger/base/jcs.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

using Json = nlohmann::json;

std::string MustCanonicalize(const Json& value) {
  Result<std::string> r = Canonicalize(value);
  INFO("refused: " << r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

void RequireRefused(const Json& value, const std::string& message_part) {
  Result<std::string> r = Canonicalize(value);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().slug() == "not-canonicalizable");
  INFO("message: " << r.status().message());
  CHECK(r.status().message().find(message_part) != std::string::npos);
}

Json LoadVector(const std::string& name) {
  std::ifstream in(std::string(MINGZHANG_VECTORS_DIR) + "/" + name);
  REQUIRE(in.good());
  return Json::parse(in);
}

TEST_CASE("statement vector: canonical bytes and SHA-256 match", "[jcs]") {
  Json vec = LoadVector("statement_jcs.json");
  std::string canonical = MustCanonicalize(vec.at("statement"));
  CHECK(canonical == vec.at("canonical_utf8").get<std::string>());
  CHECK(HexEncode(AsBytes(Sha256(canonical))) == vec.at("canonical_sha256_hex").get<std::string>());
}

TEST_CASE("keys sort by UTF-16 code units (RFC 8785 section 3.2.3)", "[jcs]") {
  Json input = Json::parse(R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
    "\u05d0": "Hebrew Letter Alef"
  })");
  const std::string expected =
      "{\"\\r\":\"Carriage Return\","
      "\"1\":\"One\","
      "\"\xc2\x80\":\"Control\","
      "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
      "\"\xd7\x90\":\"Hebrew Letter Alef\","
      "\"\xe2\x82\xac\":\"Euro Sign\","
      "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(MustCanonicalize(input) == expected);
  // UTF-8 byte order (nlohmann's own) puts U+FB33 before the emoji; JCS must not.
  std::string byte_order = input.dump();
  CHECK(byte_order.find("\xef\xac\xb3") < byte_order.find("\xf0\x9f\x98\x80"));
}

TEST_CASE("every control character gets the short or \\u00xx escape", "[jcs]") {
  for (int c = 0; c < 0x20; ++c) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(c));
    std::string want = hex;
    switch (c) {
      case 0x08: want = "\\b"; break;
      case 0x09: want = "\\t"; break;
      case 0x0a: want = "\\n"; break;
      case 0x0c: want = "\\f"; break;
      case 0x0d: want = "\\r"; break;
      default: break;
    }
    INFO("control character " << c);
    CHECK(MustCanonicalize(Json(std::string(1, static_cast<char>(c)))) == "\"" + want + "\"");
  }
  CHECK(MustCanonicalize(Json(std::string("a\0b", 3))) == "\"a\\u0000b\"");
  CHECK(MustCanonicalize(Json("\x1f")) == "\"\\u001f\"");  // lower-case hex
}

TEST_CASE("only quote and backslash are escaped among printable characters", "[jcs]") {
  CHECK(MustCanonicalize(Json("say \"hi\" \\ there")) == R"("say \"hi\" \\ there")");
  CHECK(MustCanonicalize(Json("a/b")) == R"("a/b")");
  CHECK(MustCanonicalize(Json("\x7f")) == "\"\x7f\"");  // DEL is not a JSON control character
  CHECK(MustCanonicalize(Json("\xc2\x80")) == "\"\xc2\x80\"");  // nor is U+0080
  CHECK(MustCanonicalize(Json("物业费 — 10月")) == "\"物业费 — 10月\"");
  CHECK(MustCanonicalize(Json("\xf0\x9f\x98\x80")) == "\"\xf0\x9f\x98\x80\"");
  CHECK(MustCanonicalize(Json("\xe2\x80\xa8")) == "\"\xe2\x80\xa8\"");  // U+2028 raw, as in ES2019
  CHECK(MustCanonicalize(Json{{"k\"\\\n", 1}}) == R"({"k\"\\\n":1})");
}

TEST_CASE("the edges of valid UTF-8 are accepted", "[jcs]") {
  for (const char* s : {"\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    CHECK(MustCanonicalize(Json(s)) == "\"" + std::string(s) + "\"");
  }
}

TEST_CASE("invalid UTF-8 is refused in strings and keys", "[jcs]") {
  for (const char* bad : {
           "\x80",              // stray continuation byte
           "\xbf",              // stray continuation byte
           "\xc0\xaf",          // overlong '/'
           "\xc1\xbf",          // overlong U+007F
           "\xe0\x80\xaf",      // overlong '/'
           "\xe0\x9f\xbf",      // overlong U+07FF
           "\xf0\x8f\xbf\xbf",  // overlong U+FFFF
           "\xed\xa0\x80",      // high surrogate U+D800
           "\xed\xbf\xbf",      // low surrogate U+DFFF
           "\xf4\x90\x80\x80",  // U+110000
           "\xf5\x80\x80\x80",  // lead byte past U+10FFFF
           "\xf8\x88\x80\x80\x80",
           "\xfe",
           "\xff",
           "\xe2\x82",          // truncated euro sign
           "ok \xf0\x9f\x98",   // truncated emoji at the end
           "\xe2\x28\xa1",      // continuation byte replaced by '('
           "\xc3\xb6\xb6",      // valid then stray continuation
       }) {
    INFO("bytes: " << HexEncode(bad));
    RequireRefused(Json(bad), "not valid UTF-8");
    RequireRefused(Json{{"ok", {{"list", {1, bad}}}}}, "/ok/list/1");
    RequireRefused(Json{{bad, 1}}, "key that is not valid UTF-8");
    RequireRefused(Json{{"outer", {{bad, 1}}}}, "key that is not valid UTF-8 at /outer");
  }
}

TEST_CASE("floats are refused wherever they are", "[jcs]") {
  RequireRefused(Json(1.5), "float at the root");
  RequireRefused(Json(0.0), "float");
  RequireRefused(Json(1e300), "float");
  RequireRefused(Json(std::numeric_limits<double>::quiet_NaN()), "float");
  RequireRefused(Json::parse("1.0"), "float");  // integral value, still a float
  RequireRefused(Json::parse("1e2"), "float");
  RequireRefused(Json::parse(R"({"funds":[{"income":100},{"income":2.5}]})"),
                 "float at /funds/1/income");
  RequireRefused(Json{{"a/b~c", 0.25}}, "at /a~1b~0c");  // RFC 6901 escapes in the path
}

TEST_CASE("binary values have no JSON form and are refused", "[jcs]") {
  RequireRefused(Json::binary({1, 2, 3}), "no JSON form");
}

// RFC 8785 numbers are IEEE-754 doubles (§3.2.2.3): integers are exact only up to 2^53, and one
// beyond would be written rounded by other verifiers, so it is refused rather than signed.
TEST_CASE("integers print in plain decimal up to 2^53 and are refused beyond", "[jcs]") {
  CHECK(MustCanonicalize(Json(0)) == "0");
  CHECK(MustCanonicalize(Json(-1)) == "-1");
  CHECK(MustCanonicalize(Json(1250000)) == "1250000");
  CHECK(MustCanonicalize(Json::parse("[9007199254740992,-9007199254740992]")) == "[9007199254740992,-9007199254740992]");
  RequireRefused(Json::parse("9007199254740993"), "integer beyond 2^53");
  RequireRefused(Json::parse("-9007199254740993"), "integer beyond 2^53");
  RequireRefused(Json(std::numeric_limits<int64_t>::min()), "integer beyond 2^53");
  RequireRefused(Json(std::numeric_limits<uint64_t>::max()), "integer beyond 2^53");
  RequireRefused(Json::parse(R"({"n":12345678901234567890})"), "integer beyond 2^53 at /n");
}

TEST_CASE("literals, empty containers and nesting", "[jcs]") {
  CHECK(MustCanonicalize(Json(nullptr)) == "null");
  CHECK(MustCanonicalize(Json(true)) == "true");
  CHECK(MustCanonicalize(Json(false)) == "false");
  CHECK(MustCanonicalize(Json("")) == R"("")");
  CHECK(MustCanonicalize(Json::object()) == "{}");
  CHECK(MustCanonicalize(Json::array()) == "[]");
  Json nested = Json::parse(R"( {
    "b" : [ { "z" : 1, "a" : [ true, false, null ] }, [ ], [ [ "x" ] ] ],
    "a" : { },
    "c" : { "y" : { "k2" : -7, "k1" : "v" } }
  } )");
  const std::string expected =
      R"({"a":{},"b":[{"a":[true,false,null],"z":1},[],[["x"]]],"c":{"y":{"k1":"v","k2":-7}}})";
  CHECK(MustCanonicalize(nested) == expected);
  // Arrays keep their order; canonical output parses back to the same value.
  CHECK(MustCanonicalize(Json::parse("[3,1,2]")) == "[3,1,2]");
  CHECK(Json::parse(expected) == nested);
}

TEST_CASE("canonicalization is idempotent", "[jcs]") {
  Json vec = LoadVector("statement_jcs.json");
  std::string once = MustCanonicalize(vec);
  CHECK(MustCanonicalize(Json::parse(once)) == once);
}

}  // namespace
}  // namespace mingzhang
