#include "ledger/base/files.h"

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

// Writes `contents` to the open `fd` with `mode`, syncs and closes it: 0, or the first errno.
int FillAndClose(int fd, std::string_view contents, mode_t mode) {
  const bool ok = ::fchmod(fd, mode) == 0 && WriteAll(fd, contents) && ::fsync(fd) == 0;
  const int error = ok ? 0 : errno;
  return ::close(fd) != 0 && ok ? errno : error;
}

// A file that could not be written, with the system's reason; a full disk is named as such.
Status CannotWrite(const std::string& path, int error) {
  std::string message = "cannot write " + path + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) return Unavailable("storage-full", std::move(message));
  return Unavailable("io-error", std::move(message));
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
    return CannotWrite(path, errno);
  }
  int error = FillAndClose(fd, contents, mode);
  if (error == 0 && !SyncDirectory(DirectoryOf(path))) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    return CannotWrite(path, error);
  }
  return OkStatus();
}

Status ReplaceFile(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  int error = fd < 0 ? errno : FillAndClose(fd, contents, mode);
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error == 0 && !SyncDirectory(DirectoryOf(path))) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    return CannotWrite(path, error);
  }
  return OkStatus();
}

}  // namespace mingzhang
