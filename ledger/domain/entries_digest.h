// A community's entries digest (README "Formats" → "Entries digest"): a chain over the leaf hashes
// of the community's entries, in seq order. Its state after each entry is the 32-byte digest so
// far, so it can be kept (and stored) per community and extended one entry at a time:
//   d_0 = SHA-256("mingzhang-entries/1")          (the tag's 19 ASCII bytes)
//   d_i = SHA-256(d_{i-1} ‖ leaf_hash_i)          (64 bytes hashed)
// A statement's entries_digest is hex(d_n). The tag makes d_0 differ from SHA-256("") and from
// any other digest of the project, and names the form should it ever change.
#pragma once

#include <string_view>
#include <vector>

#include "ledger/base/crypto.h"

namespace mingzhang {

inline constexpr std::string_view kEntriesDigestTag = "mingzhang-entries/1";

// d_0: the digest of a community with no entries.
Hash EntriesDigestStart();

// d_i from d_{i-1} and the leaf hash of the next entry.
Hash ChainEntriesDigest(const Hash& prev, const Hash& leaf_hash);

// d_n over a whole sequence of leaf hashes.
Hash EntriesDigestOf(const std::vector<Hash>& leaf_hashes);

// mingzhang-statement/2's entries_digest: one SHA-256 over the concatenated leaf hashes. Its state
// between entries is a hash context, which cannot be stored; kept only to check /2 statements.
Hash LegacyEntriesDigestOf(const std::vector<Hash>& leaf_hashes);

}  // namespace mingzhang
