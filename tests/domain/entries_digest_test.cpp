// The chained entries digest of mingzhang-statement/3 and the running one of /2 against
// tests/vectors/entries_digest.json (empty, one and three entries).
#include "ledger/domain/entries_digest.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/base/encoding.h"
#include "ledger/log/merkle.h"

namespace mingzhang {
namespace {

using nlohmann::json;

json LoadVector() {
  std::ifstream in(std::string(MINGZHANG_VECTORS_DIR) + "/entries_digest.json");
  REQUIRE(in.good());
  return json::parse(in);
}

std::string Hex(const Hash& h) { return HexEncode(AsBytes(h)); }

TEST_CASE("entries_digest.json: the chained digest after each entry and at the end", "[entries-digest]") {
  const json v = LoadVector();
  REQUIRE(v.at("tag") == std::string(kEntriesDigestTag));
  CHECK(Hex(EntriesDigestStart()) == v.at("d0_hex"));
  REQUIRE(v.at("cases").size() == 3);
  for (const json& c : v.at("cases")) {
    INFO(c.at("name").get<std::string>());
    // The leaf hashes are those of the given bytes, so the vector is checkable from scratch.
    std::vector<Hash> leaves;
    for (const json& bytes : c.at("leaf_bytes_utf8")) leaves.push_back(LeafHash(bytes.get<std::string>()));
    REQUIRE(leaves.size() == c.at("leaf_hashes_hex").size());
    Hash digest = EntriesDigestStart();
    for (size_t i = 0; i < leaves.size(); ++i) {
      CHECK(Hex(leaves[i]) == c.at("leaf_hashes_hex")[i]);
      digest = ChainEntriesDigest(digest, leaves[i]);
      CHECK(Hex(digest) == c.at("chain_hex")[i]);
    }
    CHECK(Hex(digest) == c.at("entries_digest_hex"));
    CHECK(Hex(EntriesDigestOf(leaves)) == c.at("entries_digest_hex"));
    CHECK(Hex(LegacyEntriesDigestOf(leaves)) == c.at("legacy_v2_entries_digest_hex"));
  }
}

TEST_CASE("the chained digest depends on the order and on every leaf", "[entries-digest]") {
  const Hash a = LeafHash("a"), b = LeafHash("b");
  CHECK(EntriesDigestOf({a, b}) != EntriesDigestOf({b, a}));
  CHECK(EntriesDigestOf({a}) != EntriesDigestOf({a, a}));
  // Unlike /2's form, no digest is SHA-256 of the empty string, and none equals the one-shot hash.
  CHECK(EntriesDigestOf({}) != Sha256(""));
  CHECK(EntriesDigestOf({a, b}) != LegacyEntriesDigestOf({a, b}));
}

}  // namespace
}  // namespace mingzhang
