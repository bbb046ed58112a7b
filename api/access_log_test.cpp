#include "api/access_log.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace mingzhang::api {
namespace {

// The line as it was built before it was written directly: an ordered nlohmann object.
std::string NlohmannLine(const AccessRecord& r, const std::string& time) {
  auto optional = [](const std::optional<std::string_view>& s) {
    return s ? nlohmann::ordered_json(std::string(*s)) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json line;
  line["time"] = time;
  line["method"] = optional(r.method);
  line["route"] = optional(r.route);
  line["status"] = r.status;
  line["bytes"] = r.bytes;
  line["duration_us"] = r.duration_us;
  line["remote"] = std::string(r.remote);
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

AccessRecord At20250131() {
  AccessRecord r;
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1738310400123));  // 2025-01-31T08:00:00.123Z
  return r;
}

TEST_CASE("AccessLogLine writes the documented line") {
  AccessRecord r = At20250131();
  r.method = "GET";
  r.route = "/v1/entries/{seq}";
  r.status = 200;
  r.bytes = 512;
  r.duration_us = 840;
  r.remote = "10.0.0.7:51234";
  CHECK(AccessLogLine(r) ==
        "{\"time\":\"2025-01-31T08:00:00.123Z\",\"method\":\"GET\",\"route\":\"/v1/entries/{seq}\",\"status\":200,"
        "\"bytes\":512,\"duration_us\":840,\"remote\":\"10.0.0.7:51234\"}\n");
}

TEST_CASE("AccessLogLine gives the bytes of the nlohmann object it replaced") {
  const std::string remotes[] = {"[::1]:8080", "", "quote\" back\\ nl\n ctl\x01", "中文", "\xff"};
  for (const std::string& remote : remotes) {
    AccessRecord r = At20250131();
    r.status = 431;
    r.bytes = 18446744073709551615ull;
    r.remote = remote;
    CHECK(AccessLogLine(r) == NlohmannLine(r, "2025-01-31T08:00:00.123Z"));
    r.method = "POST";
    r.route = "/v1/communities/{c}/payments";
    CHECK(AccessLogLine(r) == NlohmannLine(r, "2025-01-31T08:00:00.123Z"));
  }
}

}  // namespace
}  // namespace mingzhang::api
