#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <vector>

#include "ledger/base/encoding.h"
#include "ledger/log/ledger.h"
#include "tools/cli.h"

namespace mingzhang::cli {

int Fail(const Status& status) {
  std::cerr << "mingzhang: " << status.message() << "\n";
  return kExitUsage;
}

int Usage(const std::string& message) { return Fail(InvalidArgument("usage", message)); }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("file-missing", "cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  if (in.bad()) return DataLoss("file-read", "cannot read " + path);
  return s.str();
}

Status WriteFileAtomic(const std::string& path, std::string_view content, unsigned mode) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Unavailable("file-write", "cannot create " + tmp + ": " + std::strerror(errno));
  // The mode given to open() is filtered by the umask; tokens must end up 0600 whatever it is.
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < content.size();) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return Unavailable("file-write", "cannot write " + path + ": " + why);
  }
  return OkStatus();
}

Result<std::string> ReadTokenFile(const std::string& path) {
  MZ_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return InvalidArgument("bad-token-file", path + " holds no token");
  size_t end = text.find_first_of(" \t\r\n", begin);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::optional<int64_t> ParseI64(std::string_view text) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  std::optional<uint64_t> magnitude = ParseU64(text);
  if (!magnitude) return std::nullopt;
  if (negative) {
    if (*magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - *magnitude);
  }
  if (*magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*magnitude);
}

nlohmann::json ParseStrictJson(std::string_view text) {
  using nlohmann::json;
  std::vector<std::set<std::string>> names;  // of each object open around the parser
  bool repeated = false;
  json doc = json::parse(
      text,
      [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) names.emplace_back();
        if (event == json::parse_event_t::object_end && !names.empty()) names.pop_back();
        if (event == json::parse_event_t::key && !names.empty() &&
            !names.back().insert(parsed.get<std::string>()).second) {
          repeated = true;
        }
        return true;
      },
      /*allow_exceptions=*/false);
  return repeated ? json(json::value_t::discarded) : doc;
}

Result<std::unique_ptr<Store>> OpenReadOnly(const std::string& data_dir) {
  if (!std::filesystem::exists(data_dir + "/" + kStoreDirName)) {
    return NotFound("no-log", "no log in " + data_dir + " (no " + kStoreDirName + " directory)");
  }
  StoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  return Store::Open(data_dir + "/" + kStoreDirName, options);
}

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)), total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Finish(); }

void Progress::Set(size_t done) {
  if (!enabled_ || finished_ || done == last_done_) return;
  constexpr int kBarWidth = 30;
  int width = total_ == 0 ? kBarWidth : static_cast<int>(done * kBarWidth / total_);
  // Redraw when the bar grows, and every 1% or so for the count.
  if (width == last_width_ && done != total_ && total_ > 100 && done % (total_ / 100) != 0) return;
  last_width_ = width;
  last_done_ = done;
  std::cerr << "\r" << label_ << " [" << std::string(static_cast<size_t>(width), '#')
            << std::string(static_cast<size_t>(kBarWidth - width), '.') << "] " << done << "/" << total_
            << std::flush;
}

void Progress::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (last_done_ != static_cast<size_t>(-1)) std::cerr << "\n";
}

}  // namespace mingzhang::cli
