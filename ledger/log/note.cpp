// Checkpoints and signed notes, following golang.org/x/mod/sumdb/note byte for byte where it
// reads or writes, and stricter where Go is lenient in ways an attacker could use: base64 is
// decoded canonically (Go ignores the bits under the padding, so a signature has several
// spellings), and key names may not hold control characters (Go's Open would refuse them anyway).
#include "ledger/log/note.h"

#include <cassert>

#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr size_t kKeyIdBytes = 4;

Status MalformedNote(const std::string& why) {
  return InvalidArgument("malformed-note", "malformed signed note: " + why);
}
Status MalformedCheckpoint(const std::string& why) {
  return InvalidArgument("malformed-checkpoint", "malformed checkpoint: " + why);
}
Status BadVerifierKey(const std::string& why) {
  return InvalidArgument("bad-verifier-key", "bad note verifier key: " + why);
}

// Go's unicode.IsSpace: the Unicode White_Space property.
bool IsUnicodeSpace(char32_t r) {
  return (r >= 0x09 && r <= 0x0D) || r == 0x20 || r == 0x85 || r == 0xA0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
         r == 0x205F || r == 0x3000;
}

// Calls visit(rune) for each code point; false when `s` is not valid UTF-8 or visit says stop.
// NextCodePoint refuses what Go's utf8.DecodeRune marks as RuneError: truncated, overlong,
// surrogate and out-of-range sequences.
template <typename Visit>
bool ForEachRune(std::string_view s, Visit visit) {
  char32_t r = 0;
  for (size_t i = 0; i < s.size();) {
    if (!NextCodePoint(s, i, r) || !visit(r)) return false;
  }
  return true;
}

// The signed-note rule for the whole message: valid UTF-8, no control character but newline.
bool ValidNoteBytes(std::string_view s) {
  return ForEachRune(s, [](char32_t r) { return r >= 0x20 || r == '\n'; });
}

uint32_t BigEndian32(std::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < kKeyIdBytes; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string BigEndianBytes(uint32_t v) {
  std::string out(kKeyIdBytes, '\0');
  for (size_t i = 0; i < kKeyIdBytes; ++i) out[i] = static_cast<char>(v >> (8 * (3 - i)));
  return out;
}

// Splits at the first `sep` (as Go's note.chop); false, touching nothing, when there is none.
bool Chop(std::string_view s, char sep, std::string_view& head, std::string_view& rest) {
  size_t at = s.find(sep);
  if (at == std::string_view::npos) return false;
  head = s.substr(0, at);
  rest = s.substr(at + 1);
  return true;
}

// The lines of a text that ends in \n, without their \n.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::string_view line;
  while (Chop(text, '\n', line, text)) lines.push_back(line);
  return lines;
}

// No Unicode space at either end: "origin " and "origin" must not be two logs.
bool SpacePadded(std::string_view s) {
  bool first = true, padded = false;
  char32_t last = 0;
  ForEachRune(s, [&](char32_t r) {
    if (first && IsUnicodeSpace(r)) padded = true;
    first = false;
    last = r;
    return true;
  });
  return padded || IsUnicodeSpace(last);
}

// ASCII decimal without sign or leading zeros ("0" alone is fine), within uint64_t.
bool ParseTreeSize(std::string_view s, uint64_t& out) {
  if (s.size() > 1 && s[0] == '0') return false;
  const std::optional<uint64_t> v = ParseU64(s);
  if (!v) return false;
  out = *v;
  return true;
}

struct NoteSignature {
  std::string_view name;
  uint32_t key_id = 0;
  std::string signature;
};

// "— <name> <base64(key id || signature)>", the \n already removed.
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
    return MalformedNote("a signature line does not start with an em dash and a space");
  }
  line.remove_prefix(kSignaturePrefix.size());
  NoteSignature sig;
  std::string_view b64;
  if (!Chop(line, ' ', sig.name, b64) || !ValidKeyName(sig.name) || b64.empty()) {
    return MalformedNote("a signature line has no valid key name");
  }
  Result<std::string> bytes = Base64Decode(b64);
  // Go's minimum: a key id and at least one signature byte, whatever the algorithm.
  if (!bytes.ok() || bytes->size() <= kKeyIdBytes) {
    return MalformedNote("a signature is not base64 of a key id and a signature");
  }
  sig.key_id = BigEndian32(*bytes);
  sig.signature = bytes->substr(kKeyIdBytes);
  return sig;
}

// Every line signed by `verifier`'s name and key id must verify, and at least one must exist.
// Lines by other keys are only checked for shape: the spec says to ignore unknown signatures.
Status CheckSignatures(std::string_view text, std::string_view sigs, const NoteVerifier& verifier) {
  bool verified = false;
  size_t count = 0;
  std::string_view line;
  while (Chop(sigs, '\n', line, sigs)) {
    if (++count > kNoteSignaturesMax) return MalformedNote("too many signatures");
    MZ_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(line));
    if (sig.name != verifier.name || sig.key_id != verifier.key_id) continue;
    if (!verifier.key.Verify(text, sig.signature)) {
      return PermissionDenied("bad-signature", "the note's signature by " + verifier.name +
                                                   " does not verify");
    }
    verified = true;
  }
  if (!verified) return NotFound("unknown-key", "the note has no signature by " + verifier.name);
  return OkStatus();
}

}  // namespace

std::string FormatCheckpoint(const Checkpoint& checkpoint) {
  std::string out = checkpoint.origin + "\n" + std::to_string(checkpoint.tree_size) + "\n" +
                    Base64Encode(AsBytes(checkpoint.root_hash)) + "\n";
  for (const std::string& line : checkpoint.extensions) out += line + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.size() > kNoteBytesMax) return MalformedCheckpoint("too large");
  // A text no note could carry is refused here too, so both layers agree.
  if (!ValidNoteBytes(text)) return MalformedCheckpoint("not UTF-8 or has control characters");
  if (text.empty() || text.back() != '\n') return MalformedCheckpoint("no final newline");
  std::vector<std::string_view> lines = Lines(text);
  if (lines.size() < 3) return MalformedCheckpoint("fewer than three lines");
  Checkpoint cp;
  if (lines[0].empty() || SpacePadded(lines[0])) {
    return MalformedCheckpoint("empty or space-padded origin");
  }
  cp.origin = std::string(lines[0]);
  if (!ParseTreeSize(lines[1], cp.tree_size)) return MalformedCheckpoint("bad tree size");
  Result<std::string> root = Base64Decode(lines[2]);
  if (!root.ok() || root->size() != kHashBytes) return MalformedCheckpoint("bad root hash");
  cp.root_hash = HashFromBytes(*root);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return MalformedCheckpoint("empty extension line");
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

bool ValidKeyName(std::string_view name) {
  // Control characters are refused too: a note holding one could never be opened.
  return !name.empty() && ForEachRune(name, [](char32_t r) {
    return r >= 0x20 && r != '+' && !IsUnicodeSpace(r);
  });
}

std::string KeyIdHex(uint32_t key_id) { return HexEncode(BigEndianBytes(key_id)); }

uint32_t NoteKeyId(std::string_view key_name, const PublicKey& key) {
  std::string preimage(key_name);
  preimage += '\n';
  preimage += static_cast<char>(kNoteAlgEd25519);
  preimage += key.raw();
  return BigEndian32(AsBytes(Sha256(preimage)));
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view verifier_key) {
  std::string_view name, id_hex, key_b64;
  if (!Chop(verifier_key, '+', name, verifier_key) || !Chop(verifier_key, '+', id_hex, key_b64)) {
    return BadVerifierKey("want <name>+<key id>+<key>");
  }
  if (!ValidKeyName(name)) return BadVerifierKey("invalid key name");
  Result<std::string> id = HexDecode(id_hex);
  if (!id.ok() || id->size() != kKeyIdBytes) return BadVerifierKey("key id is not 8 hex digits");
  Result<std::string> key = Base64Decode(key_b64);
  if (!key.ok() || key->empty()) return BadVerifierKey("key is not base64");
  if (static_cast<uint8_t>((*key)[0]) != kNoteAlgEd25519) {
    return BadVerifierKey("not an Ed25519 key");
  }
  Result<PublicKey> public_key = PublicKey::FromRaw(std::string_view(*key).substr(1));
  if (!public_key.ok()) return BadVerifierKey("an Ed25519 key has 32 bytes");
  NoteVerifier verifier = For(name, *public_key);
  // The id is redundant with name and key; a mismatch means a mangled or forged string.
  if (verifier.key_id != BigEndian32(*id)) return BadVerifierKey("key id does not match the key");
  return verifier;
}

NoteVerifier NoteVerifier::For(std::string_view key_name, const PublicKey& key) {
  return NoteVerifier{std::string(key_name), NoteKeyId(key_name, key), key};
}

std::string NoteVerifier::String() const {
  return name + "+" + HexEncode(BigEndianBytes(key_id)) + "+" +
         Base64Encode(std::string(1, static_cast<char>(kNoteAlgEd25519)) + key.raw());
}

std::string SignNote(std::string_view text, std::string_view key_name, const SigningKey& key) {
  assert(!text.empty() && text.back() == '\n');
  assert(ValidKeyName(key_name));
  std::string sig = BigEndianBytes(NoteKeyId(key_name, key.public_key())) + key.Sign(text);
  std::string out(text);
  out += '\n';
  out += kSignaturePrefix;
  out += key_name;
  out += ' ';
  out += Base64Encode(sig);
  out += '\n';
  return out;
}

Result<std::string> OpenNote(std::string_view signed_note, const NoteVerifier& verifier) {
  if (signed_note.size() > kNoteBytesMax) return MalformedNote("too large");
  if (!ValidNoteBytes(signed_note)) return MalformedNote("not UTF-8 or has control characters");
  // The text may itself hold blank lines: the last one separates it from the signatures.
  size_t split = signed_note.rfind("\n\n");
  if (split == std::string_view::npos) return MalformedNote("no blank line before the signatures");
  std::string_view text = signed_note.substr(0, split + 1);
  std::string_view sigs = signed_note.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return MalformedNote("no signature line ending in \\n");
  MZ_RETURN_IF_ERROR(CheckSignatures(text, sigs, verifier));
  return std::string(text);
}

}  // namespace mingzhang
