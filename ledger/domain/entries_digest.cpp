#include "ledger/domain/entries_digest.h"

namespace mingzhang {

Hash EntriesDigestStart() { return Sha256(kEntriesDigestTag); }

Hash ChainEntriesDigest(const Hash& prev, const Hash& leaf_hash) {
  return Sha256Concat(AsBytes(prev), AsBytes(leaf_hash));
}

Hash EntriesDigestOf(const std::vector<Hash>& leaf_hashes) {
  Hash digest = EntriesDigestStart();
  for (const Hash& leaf : leaf_hashes) digest = ChainEntriesDigest(digest, leaf);
  return digest;
}

Hash LegacyEntriesDigestOf(const std::vector<Hash>& leaf_hashes) {
  Sha256Stream stream;
  for (const Hash& leaf : leaf_hashes) stream.Update(AsBytes(leaf));
  return stream.Finish();
}

}  // namespace mingzhang
