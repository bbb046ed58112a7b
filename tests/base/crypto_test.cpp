#include "ledger/base/crypto.h"

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with its contents at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / ("mingzhang-crypto-test-" + std::to_string(std::random_device{}()) +
                                        "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string HexOf(const Hash& h) { return HexEncode(AsBytes(h)); }

unsigned FileMode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// Throwaway keys of other types, made once with the openssl CLI: FromPem must refuse them.
constexpr const char* kEcP256PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBQ5cJqpccJgjJoMo\n"
    "cbSrvpWwvVdUfkc09eHNCbkNAQehRANCAARdRu1wARzy1NBXWnjWDeH7s8mlW5c+\n"
    "gbuUlJYeXZ8iw8dEuws1DsHXqT/bWoXx1QP0aT95w2X72zd689NwTqrR\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kEcP256PublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEXUbtcAEc8tTQV1p41g3h+7PJpVuX\n"
    "PoG7lJSWHl2fIsPHRLsLNQ7B16k/21qF8dUD9Gk/ecNl+9s3evPTcE6q0Q==\n"
    "-----END PUBLIC KEY-----\n";
// An Ed25519 key encrypted with pass phrase "x": refused, never a terminal prompt.
constexpr const char* kEncryptedEd25519Pem =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjanhv4SnSDCgICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEMwndAvnjo6d9U8a+XUpWDEEQG5Z\n"
    "RKnE15oUXj6aSD77t+8657I1DidX/U88g/pLtI40wlPrCdkGqfKWLDNuB6LCJm0P\n"
    "nFRWeMNwBNqMTAhbDJA=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";
constexpr const char* kX25519PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VuBCIEIHALqTo9clyNReFlMvL0fUO4p8R/5o8YRDgS7kyo8YtF\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kEd448PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MEcCAQAwBQYDK2VxBDsEOffgX6V1CwQWv1/KDdZr3SAu+h12av7F49U5ULBLfnIx\n"
    "q6d+9u4OQc/pm8VbxlIWYn/pEbjWW4JoRA==\n"
    "-----END PRIVATE KEY-----\n";

TEST_CASE("SHA-256 known answers", "[crypto]") {
  CHECK(HexOf(Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(HexOf(Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexOf(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(HexOf(Sha256(std::string(1000000, 'a'))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256Stream over pieces equals the one-shot hash", "[crypto]") {
  std::string message;
  for (int i = 0; i < 1000; ++i) message += std::to_string(i) + ",";
  Sha256Stream stream;
  // Uneven pieces, including empty ones and ones straddling the 64-byte block size.
  for (size_t at = 0, n = 0; at < message.size(); at += n, n = (n * 7 + 3) % 131) {
    stream.Update(std::string_view(message).substr(at, n));
  }
  CHECK(stream.Finish() == Sha256(message));

  Sha256Stream empty;
  CHECK(empty.Finish() == Sha256(""));
}

TEST_CASE("HashFromBytes copies 32 bytes", "[crypto]") {
  Hash h = Sha256("x");
  CHECK(HashFromBytes(AsBytes(h)) == h);
}

TEST_CASE("a generated key signs and verifies", "[crypto]") {
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  std::string sig = key->Sign("message");
  REQUIRE(sig.size() == kEd25519SignatureBytes);
  CHECK(key->Sign("message") == sig);  // Ed25519 is deterministic
  const PublicKey& pub = key->public_key();
  REQUIRE(pub.raw().size() == kEd25519PublicKeyBytes);
  CHECK(pub.Verify("message", sig));

  CHECK_FALSE(pub.Verify("messagE", sig));
  CHECK_FALSE(pub.Verify("", sig));
  CHECK_FALSE(pub.Verify("message", sig.substr(0, 63)));
  CHECK_FALSE(pub.Verify("message", sig + "x"));
  CHECK_FALSE(pub.Verify("message", ""));
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    std::string flipped = sig;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    CHECK_FALSE(pub.Verify("message", flipped));
  }
  Result<SigningKey> other = SigningKey::Generate();
  REQUIRE(other.ok());
  CHECK(other->public_key().raw() != pub.raw());
  CHECK_FALSE(other->public_key().Verify("message", sig));
}

TEST_CASE("keys refuse raw material of the wrong length", "[crypto]") {
  CHECK_FALSE(SigningKey::FromSeed(std::string(31, 'k')).ok());
  CHECK_FALSE(SigningKey::FromSeed(std::string(33, 'k')).ok());
  CHECK_FALSE(SigningKey::FromSeed("").ok());
  CHECK(SigningKey::FromSeed(std::string(32, 'k')).ok());
  Result<PublicKey> short_key = PublicKey::FromRaw(std::string(31, 'k'));
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.status().slug() == "bad-public-key");
  CHECK_FALSE(PublicKey::FromRaw(std::string(33, 'k')).ok());
}

TEST_CASE("SaveFile creates a 0600 file and refuses to overwrite it", "[crypto]") {
  ScratchDir dir;
  std::string path = dir.File("log.key");
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  REQUIRE(key->SaveFile(path).ok());
  CHECK(FileMode(path) == 0600);

  Result<SigningKey> other = SigningKey::Generate();
  REQUIRE(other.ok());
  Status again = other->SaveFile(path);
  REQUIRE_FALSE(again.ok());
  CHECK(again.code() == Code::kAlreadyExists);

  // The refused save left the first key in place.
  Result<SigningKey> loaded = SigningKey::LoadFile(path);
  REQUIRE(loaded.ok());
  CHECK(loaded->public_key().raw() == key->public_key().raw());
  CHECK(loaded->Sign("m") == key->Sign("m"));
  CHECK(loaded->PrivatePem() == key->PrivatePem());
}

TEST_CASE("LoadFile refuses key files that group or others may access", "[crypto]") {
  ScratchDir dir;
  std::string path = dir.File("log.key");
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  REQUIRE(key->SaveFile(path).ok());
  for (fs::perms mode : {fs::perms(0644), fs::perms(0640), fs::perms(0604), fs::perms(0660)}) {
    fs::permissions(path, mode, fs::perm_options::replace);
    INFO("mode " << std::oct << static_cast<unsigned>(mode));
    Result<SigningKey> r = SigningKey::LoadFile(path);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kPermissionDenied);
    CHECK(r.status().slug() == "key-file-mode");
  }
  fs::permissions(path, fs::perms(0400), fs::perm_options::replace);
  CHECK(SigningKey::LoadFile(path).ok());  // stricter than 0600 is fine
}

TEST_CASE("LoadFile reports a missing file and refuses a file of garbage", "[crypto]") {
  ScratchDir dir;
  Result<SigningKey> missing = SigningKey::LoadFile(dir.File("absent.key"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);

  std::string path = dir.File("garbage.key");
  std::ofstream(path) << "not a key\n";
  fs::permissions(path, fs::perms(0600), fs::perm_options::replace);
  Result<SigningKey> garbage = SigningKey::LoadFile(path);
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().slug() == "bad-private-key");
}

TEST_CASE("SigningKey PEM round trip", "[crypto]") {
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  std::string pem = key->PrivatePem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  Result<SigningKey> back = SigningKey::FromPem(pem);
  REQUIRE(back.ok());
  CHECK(back->public_key().raw() == key->public_key().raw());
  CHECK(back->Sign("m") == key->Sign("m"));
}

TEST_CASE("SigningKey::FromPem refuses garbage and keys of other types", "[crypto]") {
  Result<SigningKey> ed = SigningKey::Generate();
  REQUIRE(ed.ok());
  std::string public_pem = ed->public_key().Pem();
  const std::string bad[] = {"",
                             "garbage",
                             "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                             kEcP256PrivatePem,
                             kX25519PrivatePem,
                             kEd448PrivatePem,
                             kEncryptedEd25519Pem,
                             public_pem};
  for (const std::string& pem : bad) {
    INFO("pem: " << pem);
    Result<SigningKey> r = SigningKey::FromPem(pem);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "bad-private-key");
  }
  CHECK_FALSE(SigningKey::FromPem(std::string_view()).ok());
}

TEST_CASE("PublicKey PEM round trip and refusals", "[crypto]") {
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  std::string pem = key->public_key().Pem();
  CHECK(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  Result<PublicKey> back = PublicKey::FromPem(pem);
  REQUIRE(back.ok());
  CHECK(back->raw() == key->public_key().raw());
  CHECK(back->Pem() == pem);

  for (const std::string& bad : {std::string(""), std::string("garbage"), std::string(kEcP256PublicPem),
                                key->PrivatePem()}) {
    INFO("pem: " << bad);
    Result<PublicKey> r = PublicKey::FromPem(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == "bad-public-key");
  }
  CHECK_FALSE(PublicKey::FromPem(std::string_view()).ok());
}

TEST_CASE("RandomBytes gives the requested length and differs between calls", "[crypto]") {
  Result<std::string> a = RandomBytes(32);
  Result<std::string> b = RandomBytes(32);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->size() == 32);
  CHECK(*a != *b);
  Result<std::string> none = RandomBytes(0);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

}  // namespace
}  // namespace mingzhang
