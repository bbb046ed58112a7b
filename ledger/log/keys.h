// Key encodings of the store's column families (README "Storage layout").
// Integers are big-endian so that key order is numeric order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr size_t kIdempotencyKeyBytesMax = 128;

std::string Be64(uint64_t v);
// nullopt unless `bytes` is exactly 8 bytes.
std::optional<uint64_t> ParseBe64(std::string_view bytes);

std::string EntryKey(uint64_t seq);
// A row of nodes of one tree level (tree_rows.h).
std::string TreeKey(int level, uint64_t row);
std::string CheckpointKey(uint64_t tree_size);
// Idempotency keys are scoped to the principal that wrote them: two firms may both use "1".
std::string IdempotencyKey(std::string_view principal_id, std::string_view key);
// A client's idempotency_key: 1-kIdempotencyKeyBytesMax printable ASCII characters, else
// InvalidArgument "bad-idempotency-key".
Status CheckIdempotencyKey(std::string_view key);

// Meta keys.
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaKeyName = "key_name";
inline constexpr std::string_view kMetaPublicKey = "public_key";
inline constexpr std::string_view kMetaHead = "head";  // be64(tree size) || chain head (32 bytes)
// be64(tree size) || chain head: the size the state rows (state_rows.h) are of. Written with
// kMetaHead in every batch; behind it only while a log written before state rows builds them.
inline constexpr std::string_view kMetaStateHead = "state_head";
// The format of the state rows (StateMachine::format): rows of another format, or a store without
// this key, are built again from the entries at opening.
inline constexpr std::string_view kMetaStateFormat = "state_format";
inline constexpr std::string_view kMetaTreeRowNodes = "tree_row_nodes";  // be64: nodes per stored tree row

}  // namespace mingzhang
