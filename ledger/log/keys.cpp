#include "ledger/log/keys.h"

namespace mingzhang {

std::string Be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::optional<uint64_t> ParseBe64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}

std::string EntryKey(uint64_t seq) { return Be64(seq); }

std::string TreeKey(int level, uint64_t row) {
  return std::string(1, static_cast<char>(level)) + Be64(row);
}

std::string CheckpointKey(uint64_t tree_size) { return Be64(tree_size); }

std::string IdempotencyKey(std::string_view principal_id, std::string_view key) {
  std::string out(principal_id);
  out.push_back('\0');
  out.append(key);
  return out;
}

Status CheckIdempotencyKey(std::string_view key) {
  bool printable = true;
  for (unsigned char c : key) printable = printable && c >= 0x20 && c <= 0x7e;
  if (key.empty() || key.size() > kIdempotencyKeyBytesMax || !printable) {
    return InvalidArgument("bad-idempotency-key", "idempotency_key must be 1-128 printable ASCII characters");
  }
  return OkStatus();
}

}  // namespace mingzhang
