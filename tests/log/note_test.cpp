#include "ledger/log/note.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

using nlohmann::json;

const std::string kEmDash = "\xE2\x80\x94";

json LoadVector(const std::string& name) {
  std::ifstream in(std::string(MINGZHANG_VECTORS_DIR) + "/" + name);
  REQUIRE(in);
  return json::parse(in);
}

std::string Unhex(const std::string& hex) {
  Result<std::string> bytes = HexDecode(hex);
  REQUIRE(bytes.ok());
  return *bytes;
}

// The checkpoint.json test key and its note name.
struct TestKey {
  std::string name;
  SigningKey key;
  NoteVerifier verifier;
};

TestKey VectorKey() {
  json v = LoadVector("checkpoint.json");
  Result<SigningKey> key = SigningKey::FromSeed(Unhex(v["private_key_seed_hex"]));
  REQUIRE(key.ok());
  std::string name = v["key_name"];
  return TestKey{name, *key, NoteVerifier::For(name, key->public_key())};
}

TestKey NewKey(const std::string& name) {
  Result<SigningKey> key = SigningKey::Generate();
  REQUIRE(key.ok());
  return TestKey{name, *key, NoteVerifier::For(name, key->public_key())};
}

Checkpoint VectorCheckpoint(const json& v) {
  Checkpoint cp;
  cp.origin = v["origin"].get<std::string>();
  cp.tree_size = v["tree_size"];
  cp.root_hash = HashFromBytes(Unhex(v["root_hex"]));
  return cp;
}

// A signature line "— name base64(bytes)\n" with arbitrary bytes.
std::string SigLine(const std::string& name, const std::string& key_id_and_sig) {
  return kEmDash + " " + name + " " + Base64Encode(key_id_and_sig) + "\n";
}

std::string KeyIdBytes(uint32_t id) {
  return std::string{static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                     static_cast<char>(id >> 8), static_cast<char>(id)};
}

void RequireError(const Result<std::string>& r, Code code, const std::string& slug) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == code);
  CHECK(r.status().slug() == slug);
}

void RequireMalformed(const std::string& note, const NoteVerifier& verifier) {
  INFO("note: " << note);
  RequireError(OpenNote(note, verifier), Code::kInvalidArgument, "malformed-note");
}

// A reader accepts a checkpoint only when the note opens and its text parses.
bool Accepts(const std::string& note, const NoteVerifier& verifier) {
  Result<std::string> text = OpenNote(note, verifier);
  return text.ok() && ParseCheckpoint(*text).ok();
}

TEST_CASE("checkpoint vector: the key from its seed and from its PEM", "[note]") {
  json v = LoadVector("checkpoint.json");
  Result<SigningKey> from_seed = SigningKey::FromSeed(Unhex(v["private_key_seed_hex"]));
  Result<SigningKey> from_pem = SigningKey::FromPem(v["private_key_pem"].get<std::string>());
  REQUIRE(from_seed.ok());
  REQUIRE(from_pem.ok());
  for (const SigningKey* key : {&*from_seed, &*from_pem}) {
    CHECK(HexEncode(key->public_key().raw()) == v["public_key_hex"]);
    CHECK(key->public_key().Pem() == v["public_key_pem"]);
    CHECK(key->PrivatePem() == v["private_key_pem"]);
  }
  Result<PublicKey> pub = PublicKey::FromPem(v["public_key_pem"].get<std::string>());
  REQUIRE(pub.ok());
  CHECK(HexEncode(pub->raw()) == v["public_key_hex"]);
}

TEST_CASE("checkpoint vector: key id and verifier key", "[note]") {
  json v = LoadVector("checkpoint.json");
  TestKey k = VectorKey();
  uint32_t id = NoteKeyId(k.name, k.key.public_key());
  CHECK(HexEncode(KeyIdBytes(id)) == v["key_id_hex"]);
  CHECK(k.verifier.key_id == id);
  CHECK(k.verifier.String() == v["verifier_key"]);

  Result<NoteVerifier> parsed = NoteVerifier::Parse(v["verifier_key"].get<std::string>());
  REQUIRE(parsed.ok());
  CHECK(parsed->name == k.name);
  CHECK(parsed->key_id == id);
  CHECK(parsed->key.raw() == k.key.public_key().raw());
  CHECK(parsed->String() == v["verifier_key"]);
}

TEST_CASE("checkpoint vector: format, sign, open, parse", "[note]") {
  json v = LoadVector("checkpoint.json");
  TestKey k = VectorKey();
  Checkpoint cp = VectorCheckpoint(v);
  std::string text = FormatCheckpoint(cp);
  CHECK(text == v["note_text"]);
  std::string note = SignNote(text, k.name, k.key);
  CHECK(note == v["signed_note"]);

  Result<NoteVerifier> verifier = NoteVerifier::Parse(v["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  Result<std::string> opened = OpenNote(note, *verifier);
  REQUIRE(opened.ok());
  CHECK(*opened == text);
  Result<Checkpoint> parsed = ParseCheckpoint(*opened);
  REQUIRE(parsed.ok());
  CHECK(parsed->origin == v["origin"]);
  CHECK(parsed->tree_size == v["tree_size"]);
  CHECK(HexEncode(AsBytes(parsed->root_hash)) == v["root_hex"]);
  CHECK(parsed->extensions.empty());
  CHECK(*parsed == cp);
}

TEST_CASE("the Go checksum database note verifies", "[note]") {
  json go = LoadVector("checkpoint.json")["interop"];
  Result<NoteVerifier> verifier = NoteVerifier::Parse(go["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  CHECK(verifier->name == "sum.golang.org");
  CHECK(verifier->String() == go["verifier_key"]);
  Result<std::string> text = OpenNote(go["signed_note"].get<std::string>(), *verifier);
  REQUIRE(text.ok());
  Result<Checkpoint> cp = ParseCheckpoint(*text);
  REQUIRE(cp.ok());
  CHECK(cp->origin == "go.sum database tree");  // origins may hold inner spaces
  CHECK(cp->tree_size == 65664258);
  CHECK(Base64Encode(AsBytes(cp->root_hash)) == "WVVNVD2qx+fTq31zkj6UAqxT5X6HvGphGM+o8Thnbsg=");
  CHECK(FormatCheckpoint(*cp) == *text);
}

TEST_CASE("the Go checksum database note fails with any one byte changed", "[note]") {
  json go = LoadVector("checkpoint.json")["interop"];
  Result<NoteVerifier> verifier = NoteVerifier::Parse(go["verifier_key"].get<std::string>());
  REQUIRE(verifier.ok());
  const std::string note = go["signed_note"];
  REQUIRE(Accepts(note, *verifier));
  // Every other byte value at every position: text bytes change what was signed, signature-line
  // bytes change the key name, the key id, the signature or its (canonical) base64.
  for (size_t i = 0; i < note.size(); ++i) {
    for (int b = 0; b < 256; ++b) {
      if (static_cast<char>(b) == note[i]) continue;
      std::string changed = note;
      changed[i] = static_cast<char>(b);
      if (Accepts(changed, *verifier)) FAIL("accepted with byte " << i << " set to " << b);
    }
  }
  // Cutting or adding a byte anywhere fails too.
  for (size_t i = 0; i < note.size(); ++i) {
    std::string cut = note;
    cut.erase(i, 1);
    if (Accepts(cut, *verifier)) FAIL("accepted with byte " << i << " removed");
  }
}

TEST_CASE("a note by another key gives unknown-key", "[note]") {
  json v = LoadVector("checkpoint.json");
  const std::string note = v["signed_note"];
  TestKey k = VectorKey();

  SECTION("another key under the same name") {
    TestKey other = NewKey(k.name);
    RequireError(OpenNote(note, other.verifier), Code::kNotFound, "unknown-key");
  }
  SECTION("the same key under another name") {
    NoteVerifier renamed = NoteVerifier::For("other.test", k.key.public_key());
    RequireError(OpenNote(note, renamed), Code::kNotFound, "unknown-key");
  }
  SECTION("the Go checksum database key") {
    Result<NoteVerifier> go = NoteVerifier::Parse(v["interop"]["verifier_key"].get<std::string>());
    REQUIRE(go.ok());
    RequireError(OpenNote(note, *go), Code::kNotFound, "unknown-key");
  }
}

TEST_CASE("a signature by the right name and key id must verify", "[note]") {
  TestKey k = VectorKey();
  std::string text = "mingzhang.test/x\n1\n" + Base64Encode(AsBytes(Sha256("x"))) + "\n";
  std::string id = KeyIdBytes(k.verifier.key_id);

  SECTION("signature of another text") {
    std::string note = text + "\n" + SigLine(k.name, id + k.key.Sign("other text\n"));
    RequireError(OpenNote(note, k.verifier), Code::kPermissionDenied, "bad-signature");
  }
  SECTION("signature too short for Ed25519") {
    std::string note = text + "\n" + SigLine(k.name, id + k.key.Sign(text).substr(0, 63));
    RequireError(OpenNote(note, k.verifier), Code::kPermissionDenied, "bad-signature");
  }
  SECTION("a good signature does not excuse a bad one by the same key") {
    std::string note = SignNote(text, k.name, k.key) + SigLine(k.name, id + std::string(64, 'x'));
    RequireError(OpenNote(note, k.verifier), Code::kPermissionDenied, "bad-signature");
  }
  SECTION("a blank line between signatures moves the first into the text") {
    std::string sig_line = SignNote(text, k.name, k.key).substr(text.size() + 1);
    std::string note = text + "\n" + sig_line + "\n" + sig_line;
    RequireError(OpenNote(note, k.verifier), Code::kPermissionDenied, "bad-signature");
  }
  SECTION("a repeated good signature is fine") {
    std::string note = SignNote(text, k.name, k.key);
    note += note.substr(text.size() + 1);
    Result<std::string> opened = OpenNote(note, k.verifier);
    REQUIRE(opened.ok());
    CHECK(*opened == text);
  }
}

TEST_CASE("a note signed by two keys verifies for each", "[note]") {
  TestKey ours = VectorKey();
  TestKey witness = NewKey("witness.example/w1");
  Checkpoint cp{"mingzhang.test/two", 42, Sha256("two"), {}};
  std::string text = FormatCheckpoint(cp);
  std::string first = SignNote(text, ours.name, ours.key);
  // Cosigning appends the second signature line to the first note.
  std::string both = first + SignNote(text, witness.name, witness.key).substr(text.size() + 1);
  for (const NoteVerifier* verifier : {&ours.verifier, &witness.verifier}) {
    Result<std::string> opened = OpenNote(both, *verifier);
    REQUIRE(opened.ok());
    CHECK(*opened == text);
  }
  RequireError(OpenNote(both, NewKey("third.example").verifier), Code::kNotFound, "unknown-key");
}

TEST_CASE("signatures by unknown keys are only checked for shape", "[note]") {
  TestKey k = VectorKey();
  std::string text = "mingzhang.test/x\n1\n" + Base64Encode(AsBytes(Sha256("x"))) + "\n";
  std::string note = SignNote(text, k.name, k.key);
  // Same name, other key id; other name, same key id; a 5-byte signature of another algorithm.
  std::string id = KeyIdBytes(k.verifier.key_id);
  std::string other_id = KeyIdBytes(k.verifier.key_id ^ 1);
  note += SigLine(k.name, other_id + std::string(64, 's'));
  note += SigLine("other.test", id + std::string(64, 's'));
  note += SigLine("pq.example", other_id + "z");
  Result<std::string> opened = OpenNote(note, k.verifier);
  REQUIRE(opened.ok());
  CHECK(*opened == text);
}

TEST_CASE("the note text is everything before the last blank line", "[note]") {
  TestKey k = VectorKey();
  std::string text = "first\n\nthird after a blank line\n\n\nsixth\n";
  Result<std::string> opened = OpenNote(SignNote(text, k.name, k.key), k.verifier);
  REQUIRE(opened.ok());
  CHECK(*opened == text);
  CHECK_FALSE(ParseCheckpoint(*opened).ok());

  // Non-ASCII text is fine: only control characters are refused.
  std::string unicode = "物业费 — 10月\n\xEF\xBF\xBD\x7F\n";
  opened = OpenNote(SignNote(unicode, k.name, k.key), k.verifier);
  REQUIRE(opened.ok());
  CHECK(*opened == unicode);
}

TEST_CASE("malformed notes are refused", "[note]") {
  TestKey k = VectorKey();
  std::string text = "mingzhang.test/x\n1\n" + Base64Encode(AsBytes(Sha256("x"))) + "\n";
  std::string note = SignNote(text, k.name, k.key);
  std::string sig_line = note.substr(text.size() + 1);
  std::string id = KeyIdBytes(k.verifier.key_id);
  const NoteVerifier& v = k.verifier;
  REQUIRE(OpenNote(note, v).ok());

  SECTION("shape") {
    RequireMalformed("", v);
    RequireMalformed("\n\n", v);
    RequireMalformed(text, v);                           // no signatures at all
    RequireMalformed(text + sig_line, v);                // no blank line
    RequireMalformed(note.substr(0, note.size() - 1), v);  // no final newline
    RequireMalformed(note + "\n", v);                    // blank line after the signatures
    RequireMalformed(note + "trailing words\n", v);
  }
  SECTION("signature line prefix") {
    std::string rest = sig_line.substr(kEmDash.size());
    RequireMalformed(text + "\n-" + rest, v);                   // ASCII hyphen
    RequireMalformed(text + "\n\xE2\x80\x93" + rest, v);        // en dash
    RequireMalformed(text + "\n" + kEmDash + rest.substr(1), v);  // no space after the dash
    RequireMalformed(text + "\n " + sig_line, v);               // leading space
  }
  SECTION("key name and base64") {
    std::string b64 = sig_line.substr(sig_line.rfind(' ') + 1);
    RequireMalformed(text + "\n" + kEmDash + "  " + b64, v);  // empty name
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + "\n", v);  // no signature
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + " \n", v);
    RequireMalformed(text + "\n" + kEmDash + " a+b " + b64, v);  // '+' in the name
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + " !" + b64.substr(1), v);
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + " " + b64.substr(0, b64.size() - 2) + "\n", v);
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + "  " + b64, v);  // double space
    RequireMalformed(text + "\n" + kEmDash + " " + k.name + " " + b64.substr(0, b64.size() - 1) + " \n", v);
  }
  SECTION("short signatures") {
    RequireMalformed(text + "\n" + SigLine(k.name, id), v);  // a key id and nothing else
    RequireMalformed(text + "\n" + SigLine(k.name, "abc"), v);
  }
  SECTION("control characters and invalid UTF-8, even when signed") {
    const std::vector<std::string> bad_texts = {
        "a\tb\n",  "a\rb\n",          "a\r\n",         std::string("a\0b\n", 4), "\x1b[31m\n",
        "a\xFF\n", "\xC0\xAF\n" /* overlong */, "\xED\xA0\x80\n" /* surrogate */,
        "\xE2\x80\n" /* truncated */, "\xF4\x90\x80\x80\n" /* above U+10FFFF */};
    for (const std::string& bad : bad_texts) {
      RequireMalformed(SignNote(bad, k.name, k.key), v);
    }
    RequireMalformed(note.substr(0, note.size() - 1) + "\r\n", v);
  }
  SECTION("too many signatures") {
    std::string filler = SigLine("other.test", std::string(68, 'f'));
    std::string hundred = note;
    for (size_t i = 1; i < kNoteSignaturesMax; ++i) hundred += filler;
    REQUIRE(OpenNote(hundred, v).ok());
    RequireMalformed(hundred + filler, v);
  }
  SECTION("oversized") {
    std::string big_text = std::string(kNoteBytesMax, 'x') + "\n";
    RequireMalformed(SignNote(big_text, k.name, k.key), v);
    // The bound counts the whole note: just under it for the text alone is still too much.
    std::string near = std::string(kNoteBytesMax - 10, 'x') + "\n";
    RequireMalformed(SignNote(near, k.name, k.key), v);
  }
}

TEST_CASE("ParseCheckpoint round trips extension lines and extreme sizes", "[note]") {
  Checkpoint cp{"example.com/log42", 0, Sha256(""), {}};
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{10}, UINT64_MAX}) {
    cp.tree_size = size;
    Result<Checkpoint> back = ParseCheckpoint(FormatCheckpoint(cp));
    REQUIRE(back.ok());
    CHECK(*back == cp);
  }
  cp.extensions = {"— some.extension", "another line with spaces"};
  std::string text = FormatCheckpoint(cp);
  Result<Checkpoint> back = ParseCheckpoint(text);
  REQUIRE(back.ok());
  CHECK(*back == cp);
  CHECK(FormatCheckpoint(*back) == text);
}

TEST_CASE("ParseCheckpoint is strict", "[note]") {
  const std::string root = Base64Encode(AsBytes(Sha256("r")));
  auto parse = [](const std::string& text) { return ParseCheckpoint(text); };
  REQUIRE(parse("o\n5\n" + root + "\n").ok());

  const std::string bad[] = {
      "",
      "o\n5\n" + root,                      // no final newline
      "o\n5\n",                             // no root line
      "o\n5\n" + root + "\n\n",             // empty extension line
      "o\n5\n" + root + "\next\n\n",
      "\n5\n" + root + "\n",                // empty origin
      " o\n5\n" + root + "\n",              // space-padded origin
      "o \n5\n" + root + "\n",
      "\xC2\xA0o\n5\n" + root + "\n",       // U+00A0 NO-BREAK SPACE
      "o\xE3\x80\x80\n5\n" + root + "\n",   // U+3000 IDEOGRAPHIC SPACE
      "o\t\n5\n" + root + "\n",             // control character
      "o\n05\n" + root + "\n",              // leading zero
      "o\n00\n" + root + "\n",
      "o\n+5\n" + root + "\n",              // sign
      "o\n-5\n" + root + "\n",
      "o\n 5\n" + root + "\n",
      "o\n5 \n" + root + "\n",
      "o\n\n" + root + "\n",                // empty size
      "o\n5x\n" + root + "\n",
      "o\n0x5\n" + root + "\n",
      "o\n18446744073709551616\n" + root + "\n",  // 2^64
      "o\n99999999999999999999\n" + root + "\n",
      "o\n5\n" + root.substr(0, root.size() - 1) + "\n",  // truncated base64
      "o\n5\n" + Base64Encode(std::string(31, 'r')) + "\n",  // 31-byte root
      "o\n5\n" + Base64Encode(std::string(33, 'r')) + "\n",
      "o\n5\n" + HexEncode(AsBytes(Sha256("r"))) + "\n",  // hex, not base64
      "o\n5\n" + root + " \n",
      "o\r\n5\r\n" + root + "\r\n",
      "o\n5\n" + root + "\n" + std::string(kNoteBytesMax, 'e') + "\n",  // too large
  };
  for (const std::string& text : bad) {
    INFO("text: " << text.substr(0, 200));
    Result<Checkpoint> r = parse(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().slug() == "malformed-checkpoint");
  }
}

TEST_CASE("ValidKeyName", "[note]") {
  for (const char* good : {"a", "mingzhang.test", "example.com/log42", "-", "物业", "a=b/c?d"}) {
    INFO("name: " << good);
    CHECK(ValidKeyName(good));
  }
  const std::vector<std::string> bad_names = {
      "",         "a b",      "a+b",  "+",          "a\tb", "a\nb", "a\x01" "b", "a\xC2\xA0" "b",
      "a\xE2\x80\xA8" "b", "a\xE3\x80\x80" "b", "a\xFF", "\xC0\xAF", std::string("a\0b", 3)};
  for (const std::string& bad : bad_names) {
    INFO("name: " << bad);
    CHECK_FALSE(ValidKeyName(bad));
  }
}

TEST_CASE("NoteVerifier::Parse refuses malformed and mismatched keys", "[note]") {
  json v = LoadVector("checkpoint.json");
  const std::string good = v["verifier_key"];  // mingzhang.test+d490d347+AUrr...
  const std::string name = "mingzhang.test";
  const std::string id = "d490d347";
  const std::string key = good.substr(name.size() + 1 + id.size() + 1);
  Result<std::string> key_bytes = Base64Decode(key);
  REQUIRE(key_bytes.ok());
  REQUIRE(key_bytes->size() == 33);

  // Upper-case hex is what Go's strconv.ParseUint accepts too.
  Result<NoteVerifier> upper = NoteVerifier::Parse(name + "+D490D347+" + key);
  REQUIRE(upper.ok());
  CHECK(upper->String() == good);

  auto with_alg = [&](char alg) { return Base64Encode(std::string(1, alg) + key_bytes->substr(1)); };
  const std::string bad[] = {
      "",
      name,
      name + "+" + id,
      name + "+" + id + "+",
      "+" + id + "+" + key,                               // empty name
      "other.test+" + id + "+" + key,                     // id computed over another name
      name + "+d490d348+" + key,                          // wrong id
      name + "+00000000+" + key,
      name + "+d490d34+" + key,                           // 7 hex digits
      name + "+0d490d347+" + key,                         // 9 hex digits
      name + "+d490d3zz+" + key,
      name + "+" + id + "+" + key.substr(1),              // broken base64
      name + "+" + id + "+" + with_alg(0x02),             // not Ed25519
      name + "+" + id + "+" + Base64Encode(key_bytes->substr(0, 32)),  // short key
      name + "+" + id + "+" + Base64Encode(*key_bytes + "x"),         // long key
      name + "+" + id + "+" + Base64Encode(key_bytes->substr(1)),     // no algorithm byte
      "ming zhang+" + id + "+" + key,
      name + "+" + id + "+" + key + " ",
  };
  for (const std::string& vkey : bad) {
    INFO("verifier key: " << vkey);
    Result<NoteVerifier> r = NoteVerifier::Parse(vkey);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().slug() == "bad-verifier-key");
  }

  // A correctly computed id does not rescue another algorithm.
  std::string x02 = std::string(1, '\x02') + key_bytes->substr(1);
  std::string h = HexEncode(AsBytes(Sha256(name + "\n" + x02)).substr(0, 4));
  CHECK_FALSE(NoteVerifier::Parse(name + "+" + h + "+" + Base64Encode(x02)).ok());
}

TEST_CASE("statement_jcs vector: Ed25519 over the canonical bytes", "[note][crypto]") {
  json statement = LoadVector("statement_jcs.json");
  TestKey k = VectorKey();
  const std::string canonical = statement["canonical_utf8"];
  CHECK(HexEncode(AsBytes(Sha256(canonical))) == statement["canonical_sha256_hex"]);
  std::string sig = k.key.Sign(canonical);
  CHECK(Base64Encode(sig) == statement["signature_b64"]);

  Result<std::string> published = Base64Decode(statement["signature_b64"].get<std::string>());
  REQUIRE(published.ok());
  const PublicKey& pub = k.key.public_key();
  CHECK(pub.Verify(canonical, *published));
  for (size_t bit = 0; bit < published->size() * 8; bit += 37) {
    std::string flipped = *published;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    CHECK_FALSE(pub.Verify(canonical, flipped));
  }
  std::string message = canonical;
  message[message.size() / 2] = static_cast<char>(message[message.size() / 2] ^ 0x01);
  CHECK_FALSE(pub.Verify(message, *published));
}

}  // namespace
}  // namespace mingzhang
