// The access log: one JSON object per answered request, one line each, by default on stderr.
//
//   {"time":"2025-01-31T08:00:00.123Z","method":"GET","route":"/v1/entries/{seq}","status":200,
//    "bytes":512,"duration_us":840,"remote":"10.0.0.7:51234"}
//
// It names the route *pattern*, never the target: query strings and path parameters may carry
// tokens or identifiers, and no header (Authorization above all) is ever logged. `route` is
// null when no route matched, `method` null when the request line could not be read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mingzhang::api {

struct AccessRecord {
  std::chrono::system_clock::time_point time;
  std::optional<std::string_view> method;
  std::optional<std::string_view> route;
  unsigned status = 0;
  uint64_t bytes = 0;  // response body bytes
  uint64_t duration_us = 0;
  std::string_view remote;
};

// Takes one complete line (with its '\n'); called from any server thread.
using AccessLogSink = std::function<void(std::string_view line)>;

// The line for `record`, ending in '\n'.
std::string AccessLogLine(const AccessRecord& record);

// Lines wait in memory and a thread of the sink's own writes them, all that wait with one fwrite
// and fflush, kAccessLogFlushMs after the first of them or as soon as kAccessLogFlushBytes wait:
// a write(2) per request cost the server's I/O thread 8% of its time on a virtualised host
// (bench/RESULTS.md).
// Lines are whole and in the order they were handed over. A caller waits while
// kAccessLogWaitingBytesMax are waiting, so a blocked `out` slows requests instead of using
// memory. When the last copy of the sink goes, every waiting line is written first.
inline constexpr int kAccessLogFlushMs = 100;
inline constexpr size_t kAccessLogFlushBytes = 64 << 10;
inline constexpr size_t kAccessLogWaitingBytesMax = 4 << 20;
AccessLogSink BufferedAccessLog(std::FILE* out);

// BufferedAccessLog(stderr).
AccessLogSink StderrAccessLog();

}  // namespace mingzhang::api
