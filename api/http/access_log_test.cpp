#include "api/http/access_log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

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

std::string ReadAll(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string bytes;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) bytes.append(buf, n);
  return bytes;
}

TEST_CASE("BufferedAccessLog writes every line whole and in each thread's order") {
  constexpr int kThreads = 4, kLinesPerThread = 5000;
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    AccessLogSink sink = BufferedAccessLog(file);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&sink, t] {
        for (int i = 0; i < kLinesPerThread; ++i) sink(std::to_string(t) + " " + std::to_string(i) + "\n");
      });
    }
    for (std::thread& t : threads) t.join();
  }  // the sink goes: what waits is written
  std::istringstream lines(ReadAll(file));
  std::vector<int> next(kThreads, 0);
  int count = 0;
  for (int t, i; lines >> t >> i; ++count) {
    REQUIRE((t >= 0 && t < kThreads));
    REQUIRE(i == next[t]++);
  }
  CHECK(count == kThreads * kLinesPerThread);
  std::fclose(file);
}

TEST_CASE("BufferedAccessLog writes a line without waiting for more, or for the end") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  AccessLogSink sink = BufferedAccessLog(file);
  sink("one line\n");
  std::string bytes;
  for (int tries = 0; tries < 500 && bytes.empty(); ++tries) {  // up to 5 s: a deadline, not a speed
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    bytes = ReadAll(file);
  }
  CHECK(bytes == "one line\n");
  sink = nullptr;
  std::fclose(file);
}

TEST_CASE("BufferedAccessLog: callers wait while its output is blocked, and nothing is lost") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::FILE* out = ::fdopen(fds[1], "w");
  REQUIRE(out != nullptr);
  const std::string line(1000, 'x');
  constexpr size_t kLines = 4 * kAccessLogWaitingBytesMax / 1000;  // far more than may wait
  std::atomic<size_t> handed{0};
  auto sink = std::make_unique<AccessLogSink>(BufferedAccessLog(out));
  std::thread caller([&] {
    for (size_t i = 0; i < kLines; ++i, ++handed) (*sink)(line + "\n");
  });
  // Nobody reads the pipe: the writer blocks in fwrite and then the caller in the sink.
  size_t before = 0;
  do {
    before = handed.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (handed.load() != before);
  CHECK(handed.load() < kLines);
  CHECK(handed.load() * line.size() <= 2 * kAccessLogWaitingBytesMax + (1 << 20));  // waiting + writing + pipe
  size_t read_bytes = 0;
  std::thread reader([&] {
    char buf[1 << 16];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) read_bytes += static_cast<size_t>(n);
  });
  caller.join();
  sink.reset();  // every line written
  std::fclose(out);  // the reader sees the end
  reader.join();
  ::close(fds[0]);
  CHECK(read_bytes == kLines * (line.size() + 1));
}

}  // namespace
}  // namespace mingzhang::api
