// C2SP tlog-checkpoint bodies and C2SP signed-note Ed25519 signatures.
//
// A signed checkpoint is:
//   <origin>\n<tree size>\n<base64 root>\n          <- the note text (what is signed)
//   \n
//   — <key name> <base64(key id || signature)>\n    <- one line per signature
// key id = SHA-256(key name || 0x0A || 0x01 || public key)[0:4]; the verifier key string is
// <name>+<8 hex digits of key id>+<base64(0x01 || public key)>. Go's golang.org/x/mod/sumdb/note
// reads and writes exactly this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/crypto.h"
#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr size_t kNoteBytesMax = 1 << 20;     // a checkpoint is ~200 bytes; bound parsing
inline constexpr size_t kNoteSignaturesMax = 100;    // as Go's note package
inline constexpr uint8_t kNoteAlgEd25519 = 0x01;

struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  Hash root_hash{};
  std::vector<std::string> extensions;  // optional extra lines, each without its \n

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The note text: origin, size and root, one line each, then any extension lines.
std::string FormatCheckpoint(const Checkpoint& checkpoint);
// Parses a note text. Refuses an empty or space-padded origin, a size with a sign or leading
// zeros, a root that is not base64 of 32 bytes, and a text not ending in \n.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// Key names are non-empty and contain no Unicode space, no '+'.
bool ValidKeyName(std::string_view name);
uint32_t NoteKeyId(std::string_view key_name, const PublicKey& key);
// A key id as notes and signed statements show it: its 4 bytes, big-endian, in hex.
std::string KeyIdHex(uint32_t key_id);

struct NoteVerifier {
  std::string name;
  uint32_t key_id = 0;
  PublicKey key;

  static Result<NoteVerifier> Parse(std::string_view verifier_key);
  static NoteVerifier For(std::string_view key_name, const PublicKey& key);
  std::string String() const;  // the verifier key string
};

// Returns text + "\n— <name> <base64(key id || sig)>\n".
// REQUIRES: text ends in \n and ValidKeyName(key_name).
std::string SignNote(std::string_view text, std::string_view key_name, const SigningKey& key);

// Checks the note's shape and that `verifier` signed it; returns the note text (through the last
// \n before the blank line). Signatures by other keys are ignored, as the C2SP spec asks.
// Errors: InvalidArgument "malformed-note", NotFound "unknown-key" (no signature by this key),
// PermissionDenied "bad-signature".
Result<std::string> OpenNote(std::string_view signed_note, const NoteVerifier& verifier);

}  // namespace mingzhang
