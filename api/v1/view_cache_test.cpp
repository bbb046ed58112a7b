#include "api/v1/view_cache.h"

#include <catch2/catch.hpp>

namespace mingzhang::api {
namespace {

TEST_CASE("ViewCache answers only at the tree size an answer was kept for") {
  ViewCache cache;
  CHECK_FALSE(cache.Find("statement", 10).has_value());
  cache.Put("statement", 10, "at ten");
  CHECK(cache.Find("statement", 10) == std::optional<std::string>("at ten"));
  CHECK_FALSE(cache.Find("statement", 11).has_value());  // the head moved: computed again
  CHECK_FALSE(cache.Find("statement", 9).has_value());
  CHECK_FALSE(cache.Find("account", 10).has_value());
  cache.Put("statement", 11, "at eleven");
  CHECK(cache.Find("statement", 11) == std::optional<std::string>("at eleven"));
  CHECK_FALSE(cache.Find("statement", 10).has_value());  // replaced, not kept beside
  CHECK(cache.size() == 1);
}

TEST_CASE("ViewCache drops the oldest answers beyond its limits") {
  SECTION("entries") {
    ViewCache cache(/*entries_max=*/2, /*bytes_max=*/1000);
    cache.Put("a", 1, "A");
    cache.Put("b", 1, "B");
    cache.Put("a", 2, "A2");  // a is now the newest
    cache.Put("c", 1, "C");
    CHECK(cache.size() == 2);
    CHECK_FALSE(cache.Find("b", 1).has_value());
    CHECK(cache.Find("a", 2) == std::optional<std::string>("A2"));
    CHECK(cache.Find("c", 1) == std::optional<std::string>("C"));
  }
  SECTION("bytes") {
    ViewCache cache(/*entries_max=*/10, /*bytes_max=*/10);
    cache.Put("a", 1, std::string(6, 'a'));
    cache.Put("b", 1, std::string(4, 'b'));
    CHECK(cache.size() == 2);
    cache.Put("c", 1, "c");  // 11 bytes: a goes
    CHECK_FALSE(cache.Find("a", 1).has_value());
    CHECK(cache.Find("b", 1).has_value());
    CHECK(cache.Find("c", 1).has_value());
    cache.Put("huge", 1, std::string(11, 'h'));  // larger than the whole cache: not kept
    CHECK_FALSE(cache.Find("huge", 1).has_value());
    CHECK(cache.size() == 2);
  }
}

}  // namespace
}  // namespace mingzhang::api
