#include "ledger/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace mingzhang {
namespace {

// Writes all of `bytes` to `fd`, retrying short writes and interruptions.
bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string DirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Writes `contents` to the open `fd` with `mode`, syncs and closes it.
bool FillAndClose(int fd, std::string_view contents, mode_t mode) {
  bool ok = ::fchmod(fd, mode) == 0 && WriteAll(fd, contents) && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

}  // namespace

bool SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

Status WriteNewFile(const std::string& path, std::string_view contents, mode_t mode, const char* exists_slug) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists(exists_slug, path + " exists already; refusing to overwrite it");
    return Unavailable("io-error", "cannot create " + path + ": " + std::strerror(errno));
  }
  if (!FillAndClose(fd, contents, mode) || !SyncDirectory(DirectoryOf(path))) {
    ::unlink(path.c_str());
    return Unavailable("io-error", "cannot write " + path);
  }
  return OkStatus();
}

Status ReplaceFile(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  bool ok = fd >= 0 && FillAndClose(fd, contents, mode) && ::rename(temporary.c_str(), path.c_str()) == 0 &&
            SyncDirectory(DirectoryOf(path));
  if (!ok) {
    ::unlink(temporary.c_str());
    return Unavailable("io-error", "cannot write " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace mingzhang
