#include "ledger/domain/vouchers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/base/files.h"

namespace mingzhang {
namespace {

constexpr std::string_view kPdfMagic = "%PDF-";
constexpr std::string_view kJpegMagic = "\xFF\xD8\xFF";
constexpr std::string_view kPngMagic = "\x89PNG\r\n\x1A\n";
constexpr mode_t kVoucherFileMode = 0600;
constexpr mode_t kVoucherDirMode = 0700;

bool StartsWith(std::string_view bytes, std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; }

// A directory that could not be made, with the system's reason; a full disk named as such.
Status CannotMake(const std::string& dir, int error) {
  std::string message = "cannot create " + dir + ": " + std::strerror(error);
  if (error == ENOSPC || error == EDQUOT) return Unavailable("storage-full", std::move(message));
  return Unavailable("io-error", std::move(message));
}

// Makes `dir` unless it exists, syncing its parent so that the new entry survives a power cut.
Status MakeDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), kVoucherDirMode) == 0) {
    const std::string parent = std::filesystem::path(dir).parent_path().string();
    if (!SyncDirectory(parent.empty() ? "." : parent)) return CannotMake(dir, errno);
    return OkStatus();
  }
  if (errno != EEXIST) return CannotMake(dir, errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return CannotMake(dir, ENOTDIR);
  return OkStatus();
}

Status Corrupt(const std::string& path, const std::string& why) {
  return DataLoss("voucher-corrupt", "the stored voucher " + path + " " + why);
}

// Reads the regular file `path` of at most kVoucherBytesMax bytes, all of it: the length comes
// from the open file, never from what its name promises.
Result<std::string> ReadVoucherFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("voucher-not-found", "no voucher is stored under this SHA-256");
    if (errno == ELOOP) return Corrupt(path, "is a symbolic link");
    return Unavailable("io-error", "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  Status status = OkStatus();
  std::string bytes;
  if (::fstat(fd, &st) != 0) status = Unavailable("io-error", "cannot stat " + path + ": " + std::strerror(errno));
  else if (!S_ISREG(st.st_mode)) status = Corrupt(path, "is not a regular file");
  else if (st.st_size <= 0 || static_cast<uint64_t>(st.st_size) > kVoucherBytesMax) {
    status = Corrupt(path, "holds " + std::to_string(st.st_size) + " bytes");
  } else {
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (status.ok() && done < bytes.size()) {
      const ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = Unavailable("io-error", "cannot read " + path + ": " + std::strerror(errno));
      else if (n == 0) status = Corrupt(path, "ended early");  // shortened while read
      else done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return bytes;
}

}  // namespace

std::optional<VoucherType> SniffVoucherType(std::string_view bytes) {
  if (StartsWith(bytes, kPdfMagic)) return VoucherType::kPdf;
  if (StartsWith(bytes, kJpegMagic)) return VoucherType::kJpeg;
  if (StartsWith(bytes, kPngMagic)) return VoucherType::kPng;
  return std::nullopt;
}

std::string_view VoucherContentType(VoucherType type) {
  switch (type) {
    case VoucherType::kPdf: return "application/pdf";
    case VoucherType::kJpeg: return "image/jpeg";
    case VoucherType::kPng: return "image/png";
  }
  return "application/octet-stream";
}

std::string_view VoucherExtension(VoucherType type) {
  switch (type) {
    case VoucherType::kPdf: return "pdf";
    case VoucherType::kJpeg: return "jpg";
    case VoucherType::kPng: return "png";
  }
  return "bin";
}

bool ValidVoucherSha256(std::string_view hex) {
  return hex.size() == 2 * kHashBytes && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<VoucherType> CheckVoucher(std::string_view sha256_hex, std::string_view bytes) {
  if (!ValidVoucherSha256(sha256_hex)) {
    return InvalidArgument("bad-voucher", "a voucher is named by its SHA-256 as 64 lowercase hex digits");
  }
  if (bytes.empty()) return InvalidArgument("bad-voucher", "the voucher file is empty: send its bytes as the body");
  if (bytes.size() > kVoucherBytesMax) {
    return ResourceExhausted("voucher-too-large", "a voucher file is at most " + std::to_string(kVoucherBytesMax) +
                                                      " bytes; this one has " + std::to_string(bytes.size()));
  }
  std::optional<VoucherType> type = SniffVoucherType(bytes);
  if (!type) return InvalidArgument("bad-voucher-type", "a voucher is a PDF, JPEG or PNG file, by its first bytes");
  const std::string actual = HexEncode(AsBytes(Sha256(bytes)));
  if (actual != sha256_hex) {
    return FailedPrecondition("voucher-mismatch", "the file's SHA-256 is " + actual + ", not " +
                                                      std::string(sha256_hex) + " as the request names it");
  }
  return *type;
}

std::string VoucherStore::PathOf(std::string_view sha256_hex) const {
  return dir_ + "/" + std::string(sha256_hex.substr(0, 2)) + "/" + std::string(sha256_hex);
}

Status VoucherStore::MakeDirectories(std::string_view sha256_hex) const {
  MZ_RETURN_IF_ERROR(MakeDirectory(dir_));
  return MakeDirectory(dir_ + "/" + std::string(sha256_hex.substr(0, 2)));
}

VoucherStore::HashLocks::Held::Held(HashLocks& locks, std::string sha256_hex)
    : locks_(locks), sha256_hex_(std::move(sha256_hex)) {
  std::unique_lock lock(locks_.mu_);
  locks_.released_.wait(lock, [this] { return !locks_.busy_.count(sha256_hex_); });
  locks_.busy_.insert(sha256_hex_);
}

VoucherStore::HashLocks::Held::~Held() {
  {
    std::lock_guard lock(locks_.mu_);
    locks_.busy_.erase(sha256_hex_);
  }
  // Waiters for other hashes wake and wait again; uploads of one voucher at once are rare.
  locks_.released_.notify_all();
}

bool VoucherStore::Has(std::string_view sha256_hex) const {
  if (!ValidVoucherSha256(sha256_hex)) return false;
  struct stat st {};
  return ::lstat(PathOf(sha256_hex).c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

Result<bool> VoucherStore::Put(std::string_view sha256_hex, std::string_view bytes) {
  MZ_RETURN_IF_ERROR(CheckVoucher(sha256_hex, bytes).status());
  HashLocks::Held held(put_locks_, std::string(sha256_hex));
  Result<Voucher> kept = Get(sha256_hex);
  if (kept.ok()) return false;
  // A kept file that is not what its name says is written over; any other failure to read it
  // (the disk) is said, not papered over with a second copy.
  const Code why = kept.status().code();
  if (why != Code::kNotFound && why != Code::kDataLoss) return kept.status();
  MZ_RETURN_IF_ERROR(MakeDirectories(sha256_hex));
  MZ_RETURN_IF_ERROR(ReplaceFile(PathOf(sha256_hex), bytes, kVoucherFileMode));
  return true;
}

Result<Voucher> VoucherStore::Get(std::string_view sha256_hex) const {
  if (!ValidVoucherSha256(sha256_hex)) {
    return InvalidArgument("bad-voucher", "a voucher is named by its SHA-256 as 64 lowercase hex digits");
  }
  const std::string path = PathOf(sha256_hex);
  MZ_ASSIGN_OR_RETURN(std::string bytes, ReadVoucherFile(path));
  Result<VoucherType> type = CheckVoucher(sha256_hex, bytes);
  if (!type.ok()) return Corrupt(path, "does not hold what its name says: " + type.status().message());
  return Voucher{std::move(bytes), *type};
}

}  // namespace mingzhang
