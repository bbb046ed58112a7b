#include "api/http/access_log.h"

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>

#include "api/http/json_string.h"

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

void AppendOptional(std::string& out, const std::optional<std::string_view>& s) {
  if (s) AppendJsonString(out, *s);
  else out += "null";
}

// The state behind BufferedAccessLog: lines waiting, and the thread that writes them.
class BufferedLog {
 public:
  explicit BufferedLog(std::FILE* out) : out_(out), writer_([this] { WriteUntilStopped(); }) {}
  BufferedLog(const BufferedLog&) = delete;
  BufferedLog& operator=(const BufferedLog&) = delete;
  ~BufferedLog() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_writer_.notify_one();
    writer_.join();
  }

  void Add(std::string_view line) {
    std::unique_lock lock(mu_);
    written_.wait(lock, [&] { return waiting_.size() < kAccessLogWaitingBytesMax; });
    const bool was_empty = waiting_.empty();
    waiting_ += line;
    if (was_empty || waiting_.size() >= kAccessLogFlushBytes) wake_writer_.notify_one();
  }

 private:
  void WriteUntilStopped() {
    std::string writing;  // the writer's own: its capacity is kept from one write to the next
    for (bool stopping = false; !stopping;) {
      {
        std::unique_lock lock(mu_);
        // Asleep while nothing waits; then a line waits at most kAccessLogFlushMs.
        wake_writer_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
        wake_writer_.wait_for(lock, std::chrono::milliseconds(kAccessLogFlushMs),
                              [&] { return stopping_ || waiting_.size() >= kAccessLogFlushBytes; });
        writing.swap(waiting_);
        stopping = stopping_;
      }
      written_.notify_all();
      if (writing.empty()) continue;
      std::fwrite(writing.data(), 1, writing.size(), out_);
      std::fflush(out_);
      writing.clear();
    }
  }

  std::FILE* const out_;
  std::mutex mu_;
  std::condition_variable wake_writer_, written_;
  std::string waiting_;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread writer_;     // last: started once the members it uses exist
};

}  // namespace

std::string AccessLogLine(const AccessRecord& record) {
  // Written directly (one line per request, on the I/O thread): a nlohmann object cost ~6% of a
  // cached GET's CPU. The bytes are those nlohmann::ordered_json gave.
  constexpr size_t kLineBytesGuess = 192;
  std::string line;
  line.reserve(kLineBytesGuess);
  line += "{\"time\":";
  AppendJsonString(line, FormatTime(record.time));
  line += ",\"method\":";
  AppendOptional(line, record.method);
  line += ",\"route\":";
  AppendOptional(line, record.route);
  line += ",\"status\":";
  line += std::to_string(record.status);
  line += ",\"bytes\":";
  line += std::to_string(record.bytes);
  line += ",\"duration_us\":";
  line += std::to_string(record.duration_us);
  line += ",\"remote\":";
  AppendJsonString(line, record.remote);
  line += "}\n";
  return line;
}

AccessLogSink BufferedAccessLog(std::FILE* out) {
  return [log = std::make_shared<BufferedLog>(out)](std::string_view line) { log->Add(line); };
}

AccessLogSink StderrAccessLog() { return BufferedAccessLog(stderr); }

}  // namespace mingzhang::api
