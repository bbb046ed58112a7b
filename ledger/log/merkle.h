// The RFC 9162 §2.1 Merkle tree: hashing, proofs from stored subtree hashes, and verification.
//
// Storage keeps the hash of every complete subtree, addressed by (level, index): the subtree at
// level L and index i covers leaves [i·2^L, (i+1)·2^L). Level 0 holds the leaf hashes. Any node
// of the RFC tree for any size n is then a fold of at most log2(n) stored hashes, so a root or a
// proof costs O(log n) reads and never touches leaves it does not need.
//
//   CompactRange range;
//   range.Append(LeafHash(bytes), [&](int level, uint64_t index, const Hash& h) { store(...); });
//   Hash root = range.Root();
//   auto proof = InclusionProof(leaf, size, reader);
//   Status s = VerifyInclusion(leaf, size, AsBytes(leaf_hash), proof_bytes, AsBytes(root));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/crypto.h"
#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr int kTreeLevelsMax = 64;

Hash EmptyRootHash();                         // SHA-256 of the empty string
Hash LeafHash(std::string_view leaf_bytes);   // SHA-256(0x00 || leaf)
Hash NodeHash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)

// Reads the stored hash of the complete subtree at (level, index). Returns NotFound (or another
// error) when it is not stored; proof functions pass that error on.
using NodeReader = std::function<Result<Hash>(int level, uint64_t index)>;

// The root of the first `tree_size` leaves. tree_size 0 gives EmptyRootHash().
Result<Hash> RootAt(uint64_t tree_size, const NodeReader& read);

// RFC 9162 §2.1.3.1 audit path, ordered from the leaf upward.
// REQUIRES: leaf_index < tree_size (InvalidArgument otherwise).
Result<std::vector<Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                         const NodeReader& read);

// RFC 9162 §2.1.4.1 consistency proof between tree sizes first and second.
// REQUIRES: 0 < first <= second (InvalidArgument otherwise); first == second gives an empty proof.
Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const NodeReader& read);

// Verification takes raw byte strings as they arrive from outside: a hash of the wrong length is
// an error, never a crash. OK only when the proof is exactly right.
Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                       const std::vector<std::string>& proof, std::string_view root);
Status VerifyConsistency(uint64_t first, uint64_t second, const std::vector<std::string>& proof,
                         std::string_view first_root, std::string_view second_root);

// The right border of a growing tree: one hash per set bit of size(), largest subtree first.
// Appending a leaf reports every subtree it completes so the caller can store it.
class CompactRange {
 public:
  using NodeSink = std::function<void(int level, uint64_t index, const Hash& hash)>;

  CompactRange() = default;
  // Rebuilds the range of a stored tree of `tree_size` leaves from its complete subtrees.
  static Result<CompactRange> Load(uint64_t tree_size, const NodeReader& read);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& peaks() const { return peaks_; }
  // Calls sink(0, size(), leaf_hash) and then sink for each parent the new leaf completes.
  void Append(const Hash& leaf_hash, const NodeSink& sink);
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> peaks_;
};

}  // namespace mingzhang
