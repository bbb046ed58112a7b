// The one file that includes OpenSSL. Ed25519 goes through EVP with a NULL digest (one-shot
// EVP_DigestSign / EVP_DigestVerify), as OpenSSL 3 requires for pure EdDSA.
#include "ledger/base/crypto.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ledger/base/files.h"

namespace mingzhang {
namespace {

inline constexpr size_t kKeyFileBytesMax = 16 * 1024;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string OpenSslError() {
  unsigned long err = ERR_get_error();
  if (err == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

PkeyPtr PrivatePkey(std::string_view seed) {
  return PkeyPtr(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<SigningKey> FromPkey(EVP_PKEY* pkey);

// Refuses encrypted PEM: with a NULL callback OpenSSL would prompt for a pass phrase on the
// controlling terminal, blocking a server or a test run.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

}  // namespace

Hash HashFromBytes(std::string_view bytes) {
  assert(bytes.size() == kHashBytes);
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashBytes);
  return h;
}

namespace {

// OpenSSL 3 looks a digest up by name on every EVP_sha256() use and allocates a context per
// EVP_Digest call; hashing ~150-byte entries, that costs more than the hash. One fetched
// implementation for the process and one context per thread avoid both.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_MD_CTX* ThreadSha256Context() {
  thread_local MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

Hash Sha256(std::string_view bytes) { return Sha256Concat(bytes, {}); }

Hash Sha256Concat(std::string_view first, std::string_view second) {
  Hash h;
  unsigned int len = 0;
  EVP_MD_CTX* ctx = ThreadSha256Context();
  bool ok = EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, first.data(), first.size()) == 1 &&
            EVP_DigestUpdate(ctx, second.data(), second.size()) == 1 && EVP_DigestFinal_ex(ctx, h.data(), &len) == 1;
  // SHA-256 over memory cannot fail once OpenSSL is initialised.
  assert(ok && len == kHashBytes);
  (void)ok;
  return h;
}

struct Sha256Stream::Impl {
  MdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256Stream::Sha256Stream() : impl_(std::make_unique<Impl>()) {
  EVP_DigestInit_ex2(impl_->ctx.get(), Sha256Md(), nullptr);
}
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::Update(std::string_view bytes) {
  EVP_DigestUpdate(impl_->ctx.get(), bytes.data(), bytes.size());
}

Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

Sha256Stream Sha256Stream::Clone() const {
  Sha256Stream copy;
  EVP_MD_CTX_copy_ex(copy.impl_->ctx.get(), impl_->ctx.get());
  return copy;
}

Hash Sha256Stream::Peek() const { return Clone().Finish(); }

Hash Sha256Stream::Finish() {
  Hash h;
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx.get(), h.data(), &len);
  return h;
}

Result<PublicKey> PublicKey::FromRaw(std::string_view raw) {
  if (raw.size() != kEd25519PublicKeyBytes) {
    return InvalidArgument("bad-public-key", "an Ed25519 public key has 32 bytes");
  }
  return PublicKey(std::string(raw));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  if (pem.size() > kKeyFileBytesMax) return InvalidArgument("bad-public-key", "PEM text is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || EVP_PKEY_id(pkey.get()) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return InvalidArgument("bad-public-key", "not a PEM Ed25519 public key");
  }
  std::string raw(kEd25519PublicKeyBytes, '\0');
  size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()), &len) != 1) {
    return InvalidArgument("bad-public-key", OpenSslError());
  }
  return PublicKey(std::move(raw));
}

std::string PublicKey::Pem() const {
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_.data()), raw_.size()));
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), pkey.get());
  return BioContents(bio.get());
}

bool PublicKey::Verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != kEd25519SignatureBytes) return false;
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw_.data()), raw_.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!pkey || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size());
  ERR_clear_error();
  return rc == 1;
}

namespace {

Result<SigningKey> FromPkey(EVP_PKEY* pkey) {
  if (pkey == nullptr || EVP_PKEY_id(pkey) != EVP_PKEY_ED25519) {
    ERR_clear_error();
    return InvalidArgument("bad-private-key", "not a PKCS#8 PEM Ed25519 private key");
  }
  std::string seed(kEd25519SeedBytes, '\0');
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey, reinterpret_cast<unsigned char*>(seed.data()), &len) != 1) {
    return InvalidArgument("bad-private-key", OpenSslError());
  }
  return SigningKey::FromSeed(seed);
}

}  // namespace

struct SigningKey::Pkey {
  PkeyPtr pkey;
};

Result<SigningKey> SigningKey::Generate() {
  MZ_ASSIGN_OR_RETURN(std::string seed, RandomBytes(kEd25519SeedBytes));
  return FromSeed(seed);
}

Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  if (seed.size() != kEd25519SeedBytes) {
    return InvalidArgument("bad-private-key", "an Ed25519 seed has 32 bytes");
  }
  PkeyPtr pkey = PrivatePkey(seed);
  if (!pkey) return InvalidArgument("bad-private-key", OpenSslError());
  std::string pub(kEd25519PublicKeyBytes, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1) {
    return Internal("crypto", OpenSslError());
  }
  MZ_ASSIGN_OR_RETURN(PublicKey public_key, PublicKey::FromRaw(pub));
  return SigningKey(std::move(public_key), std::make_shared<const Pkey>(Pkey{std::move(pkey)}));
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem) {
  if (pem.size() > kKeyFileBytesMax) return InvalidArgument("bad-private-key", "PEM text is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  return FromPkey(pkey.get());
}

Result<SigningKey> SigningKey::LoadFile(const std::string& path) {
  // Open first, then check the mode of what was opened: no window to swap the file in between.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return NotFound("key-file-missing", "cannot read key file " + path + ": " + std::strerror(errno));
  struct stat st {};
  std::string pem;
  Status status;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = NotFound("key-file-missing", "key file " + path + " is not a regular file");
  } else if ((st.st_mode & 077) != 0) {
    status = PermissionDenied("key-file-mode", "key file " + path + " may be read by group or others; chmod 600 it");
  } else if (st.st_size > static_cast<off_t>(kKeyFileBytesMax)) {
    status = InvalidArgument("bad-private-key", "key file " + path + " is too large");
  } else {
    pem.resize(static_cast<size_t>(st.st_size));
    if (::read(fd, pem.data(), pem.size()) != static_cast<ssize_t>(pem.size())) {
      status = NotFound("key-file-missing", "cannot read key file " + path);
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  return FromPem(pem);
}

Status SigningKey::SaveFile(const std::string& path) const {
  return WriteNewFile(path, PrivatePem(), 0600, "key-file-exists");
}

std::string SigningKey::PrivatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioContents(bio.get());
}

std::string SigningKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureBytes, '\0');
  size_t len = sig.size();
  int ok = EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_->pkey.get()) == 1 &&
           EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  // Signing with a valid in-memory key cannot fail short of memory exhaustion.
  assert(ok && len == kEd25519SignatureBytes);
  (void)ok;
  return sig;
}

Result<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Unavailable("no-entropy", OpenSslError());
  }
  return out;
}

}  // namespace mingzhang
