#include "api/access_log.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace mingzhang::api {
namespace {

// RFC 3339 in UTC with milliseconds: sortable, and what log tools parse without configuration.
std::string FormatTime(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

nlohmann::ordered_json OptionalString(const std::optional<std::string_view>& s) {
  return s ? nlohmann::ordered_json(std::string(*s)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string AccessLogLine(const AccessRecord& record) {
  nlohmann::ordered_json line;
  line["time"] = FormatTime(record.time);
  line["method"] = OptionalString(record.method);
  line["route"] = OptionalString(record.route);
  line["status"] = record.status;
  line["bytes"] = record.bytes;
  line["duration_us"] = record.duration_us;
  line["remote"] = std::string(record.remote);
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

AccessLogSink StderrAccessLog() {
  return [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); };
}

}  // namespace mingzhang::api
