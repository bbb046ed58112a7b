// Vouchers: the files behind a disbursement's voucher_sha256 (a photo or scan of the invoice,
// contract or receipt), kept content-addressed beside the log, not in it:
//
//   DATA/vouchers/<first 2 hex digits>/<sha256 as 64 lowercase hex digits>
//
// A file is stored only as what its name says (SHA-256 of its bytes, a PDF, JPEG or PNG by its
// first bytes, at most kVoucherBytesMax), written whole or not at all (a temporary file, synced,
// renamed, the directory synced), and checked again whenever it is read. No HTTP here: which
// voucher may be stored or read by whom is the API's business (api/v1/endpoints_vouchers.cpp).
//
//   VoucherStore store(data_dir + "/" + kVouchersDirName);
//   Result<bool> fresh = store.Put(sha256_hex, bytes);   // true: stored now; false: kept already
//   Result<Voucher> v = store.Get(sha256_hex);           // NotFound "voucher-not-found"
//   bool there = store.Has(sha256_hex);                  // a file is kept (not read, not hashed)
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

// A scan of a multi-page invoice or a phone photo fits; a video does not.
inline constexpr size_t kVoucherBytesMax = 10u << 20;
inline constexpr const char* kVouchersDirName = "vouchers";

enum class VoucherType { kPdf, kJpeg, kPng };

// The type a file's first bytes say it is: "%PDF-", FF D8 FF, or PNG's eight-byte signature.
std::optional<VoucherType> SniffVoucherType(std::string_view bytes);
std::string_view VoucherContentType(VoucherType type);  // "application/pdf", "image/jpeg", "image/png"
std::string_view VoucherExtension(VoucherType type);    // "pdf", "jpg", "png"

// 64 lowercase hex digits: the one spelling voucher_sha256 has in the log.
bool ValidVoucherSha256(std::string_view hex);

// Whether `bytes` may be kept as the voucher named `sha256_hex`, and its type. Refusals, in the
// order checked: bad-voucher (the name, or an empty file), voucher-too-large, bad-voucher-type,
// voucher-mismatch (FailedPrecondition, naming both hashes).
Result<VoucherType> CheckVoucher(std::string_view sha256_hex, std::string_view bytes);

struct Voucher {
  std::string bytes;
  VoucherType type = VoucherType::kPdf;
};

class VoucherStore {
 public:
  explicit VoucherStore(std::string dir) : dir_(std::move(dir)) {}
  VoucherStore(const VoucherStore&) = delete;
  VoucherStore& operator=(const VoucherStore&) = delete;

  // Stores a voucher CheckVoucher accepts (its refusals as there): true when written now, false
  // when a good copy was kept already (nothing written). A kept file that does not hold what its
  // name says is replaced. A full disk is Unavailable "storage-full"; a failure never leaves a
  // part of a file under the voucher's name.
  Result<bool> Put(std::string_view sha256_hex, std::string_view bytes);
  // The stored voucher: NotFound "voucher-not-found" when none is kept; DataLoss "voucher-corrupt"
  // when the file is not a regular file of at most kVoucherBytesMax bytes whose SHA-256 is its
  // name and whose type is one taken.
  Result<Voucher> Get(std::string_view sha256_hex) const;
  // Whether a non-empty regular file is kept under the voucher's name: one lstat, the file is
  // neither read nor hashed (Put checked it when it stored it; Get checks it again). False for
  // a name that is not ValidVoucherSha256.
  bool Has(std::string_view sha256_hex) const;
  // Where a voucher is (or would be) kept. REQUIRES: ValidVoucherSha256(sha256_hex).
  std::string PathOf(std::string_view sha256_hex) const;

 private:
  // Uploads of one voucher one at a time (they would share its temporary file); uploads of
  // different vouchers never wait on each other. Holds only the hashes being stored right now.
  class HashLocks {
   public:
    class Held {
     public:
      Held(HashLocks& locks, std::string sha256_hex);
      ~Held();
      Held(const Held&) = delete;
      Held& operator=(const Held&) = delete;

     private:
      HashLocks& locks_;
      std::string sha256_hex_;
    };

   private:
    std::mutex mu_;
    std::condition_variable released_;
    std::set<std::string, std::less<>> busy_;  // guarded by mu_
  };

  Status MakeDirectories(std::string_view sha256_hex) const;

  std::string dir_;
  HashLocks put_locks_;
};

}  // namespace mingzhang
