// Checkpoints and signed notes (ledger/note), and the encodings under them (ledger/encoding):
// what a verifier reads from a server it does not trust.
//
// Input: one selector character, then the text. By selector % 5:
//   0  ParseCheckpoint; an accepted text prints back byte for byte, and signed with the test key
//      of tests/vectors/checkpoint.json it opens to itself
//   1  OpenNote with that key and with the Go checksum database's; an opened text is the front of
//      the note and ends in \n
//   2  NoteVerifier::Parse; an accepted key string prints as one that parses to the same key
//   3  Base64Decode and HexDecode; what decodes encodes back to the same text (hex: lower case)
//   4  PublicKey::FromPem; an accepted key prints as a PEM that reads back to the same key
#include <algorithm>
#include <cctype>

#include "ledger/base/encoding.h"
#include "ledger/log/note.h"
#include "tests/fuzz/fuzz_support.h"

namespace mingzhang::fuzz {
namespace {

// tests/vectors/checkpoint.json: a public test key, and the Go checksum database's published key.
constexpr const char* kTestKeyName = "mingzhang.test";
constexpr const char* kTestSeedHex = "7f83e240c9e0ccf4c3a27e7abd7822bf8a20db2de0e6c7f8abc04c6c53e0550a";
constexpr const char* kTestVerifierKey = "mingzhang.test+d490d347+AUrrvbursF8Ku6F1SpzK4Hj3ROErZVOhKpSDLyzS3hsn";
constexpr const char* kSumDbVerifierKey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

struct Keys {
  SigningKey signer;
  NoteVerifier test;
  NoteVerifier sumdb;
};

const Keys& TheKeys() {
  static const Keys* keys = [] {
    Result<std::string> seed = HexDecode(kTestSeedHex);
    FUZZ_CHECK(seed.ok());
    Result<SigningKey> signer = SigningKey::FromSeed(*seed);
    Result<NoteVerifier> test = NoteVerifier::Parse(kTestVerifierKey);
    Result<NoteVerifier> sumdb = NoteVerifier::Parse(kSumDbVerifierKey);
    FUZZ_CHECK(signer.ok() && test.ok() && sumdb.ok());
    return new Keys{std::move(signer).value(), std::move(test).value(), std::move(sumdb).value()};
  }();
  return *keys;
}

void Checkpoints(std::string_view text) {
  Result<Checkpoint> checkpoint = ParseCheckpoint(text);
  if (!checkpoint.ok()) return;
  FUZZ_CHECK(FormatCheckpoint(*checkpoint) == text);
  const Keys& keys = TheKeys();
  Result<std::string> opened = OpenNote(SignNote(text, kTestKeyName, keys.signer), keys.test);
  FUZZ_CHECK(opened.ok() && *opened == text);
}

void Notes(std::string_view note) {
  const Keys& keys = TheKeys();
  for (const NoteVerifier* verifier : {&keys.test, &keys.sumdb}) {
    Result<std::string> text = OpenNote(note, *verifier);
    if (!text.ok()) continue;
    FUZZ_CHECK(!text->empty() && text->back() == '\n');
    FUZZ_CHECK(note.substr(0, text->size()) == *text);
    (void)ParseCheckpoint(*text);
  }
}

void VerifierKeys(std::string_view text) {
  Result<NoteVerifier> verifier = NoteVerifier::Parse(text);
  if (!verifier.ok()) return;
  Result<NoteVerifier> again = NoteVerifier::Parse(verifier->String());
  FUZZ_CHECK(again.ok() && again->name == verifier->name && again->key_id == verifier->key_id &&
             again->key.raw() == verifier->key.raw());
}

void Encodings(std::string_view text) {
  if (Result<std::string> bytes = Base64Decode(text); bytes.ok()) FUZZ_CHECK(Base64Encode(*bytes) == text);
  if (Result<std::string> bytes = HexDecode(text); bytes.ok()) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    FUZZ_CHECK(HexEncode(*bytes) == lower);
  }
}

void PublicKeys(std::string_view pem) {
  Result<PublicKey> key = PublicKey::FromPem(pem);
  if (!key.ok()) return;
  Result<PublicKey> again = PublicKey::FromPem(key->Pem());
  FUZZ_CHECK(again.ok() && again->raw() == key->raw());
}

}  // namespace
}  // namespace mingzhang::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mingzhang::fuzz;
  if (size == 0) return 0;
  const std::string_view text = AsText(data + 1, size - 1);
  switch (static_cast<uint8_t>(data[0] - '0') % 5) {
    case 0: return Checkpoints(text), 0;
    case 1: return Notes(text), 0;
    case 2: return VerifierKeys(text), 0;
    case 3: return Encodings(text), 0;
    default: return PublicKeys(text), 0;
  }
}
