// SHA-256 and Ed25519: the only file that includes OpenSSL is crypto.cpp.
//
//   Hash h = Sha256("abc");
//   auto key = SigningKey::Generate();
//   std::string sig = key->Sign(message);
//   bool ok = key->public_key().Verify(message, sig);
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr size_t kHashBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

using Hash = std::array<uint8_t, kHashBytes>;

inline std::string_view AsBytes(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}
// REQUIRES: bytes.size() == kHashBytes.
Hash HashFromBytes(std::string_view bytes);

Hash Sha256(std::string_view bytes);
// SHA-256 of first || second, without building the concatenation.
Hash Sha256Concat(std::string_view first, std::string_view second);

// Incremental SHA-256 for digests over many pieces (e.g. a statement's entries digest).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  // Copies continue independently (the sequencer copies domain state holding running digests).
  Sha256Stream(const Sha256Stream& other) : Sha256Stream(other.Clone()) {}
  Sha256Stream& operator=(const Sha256Stream& other) { return *this = other.Clone(); }
  void Update(std::string_view bytes);
  Hash Finish();  // the stream may not be used afterwards
  // The digest of what was written so far; the stream goes on.
  Hash Peek() const;
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;
  // A copy that continues independently.
  Sha256Stream Clone() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class PublicKey {
 public:
  // REQUIRES: raw.size() == kEd25519PublicKeyBytes (checked: returns an error otherwise).
  static Result<PublicKey> FromRaw(std::string_view raw);
  // An SPKI "-----BEGIN PUBLIC KEY-----" PEM holding an Ed25519 key.
  static Result<PublicKey> FromPem(std::string_view pem);

  const std::string& raw() const { return raw_; }
  std::string Pem() const;
  // True only when `signature` is a valid Ed25519 signature of `message` by this key.
  bool Verify(std::string_view message, std::string_view signature) const;

 private:
  explicit PublicKey(std::string raw) : raw_(std::move(raw)) {}
  std::string raw_;
};

class SigningKey {
 public:
  static Result<SigningKey> Generate();
  static Result<SigningKey> FromSeed(std::string_view seed);
  // A PKCS#8 "-----BEGIN PRIVATE KEY-----" PEM holding an Ed25519 key.
  static Result<SigningKey> FromPem(std::string_view pem);
  // Reads a PKCS#8 PEM file. Refuses (PermissionDenied, "key-file-mode") a file that group or
  // others may read or write: a log key must be mode 0600 or stricter.
  static Result<SigningKey> LoadFile(const std::string& path);

  // Writes the key as PKCS#8 PEM to a new file created with mode 0600 and synced.
  // Refuses to overwrite an existing file.
  Status SaveFile(const std::string& path) const;

  std::string PrivatePem() const;
  const PublicKey& public_key() const { return public_key_; }
  std::string Sign(std::string_view message) const;  // 64 bytes

 private:
  // OpenSSL's key, built once: deriving it from the seed costs as much as a signature, and the
  // ledger signs a checkpoint every group commit. Shared by copies; only read once built.
  struct Pkey;
  SigningKey(PublicKey pub, std::shared_ptr<const Pkey> pkey) : public_key_(std::move(pub)), pkey_(std::move(pkey)) {}
  PublicKey public_key_;
  std::shared_ptr<const Pkey> pkey_;
};

// Fills `n` bytes from OpenSSL's CSPRNG (for tokens and keys).
Result<std::string> RandomBytes(size_t n);

}  // namespace mingzhang
