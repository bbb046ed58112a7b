#include "ledger/log/merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <utility>

namespace mingzhang {
namespace {

Status BadProof(std::string message) { return InvalidArgument("bad-proof", std::move(message)); }
Status RootMismatch(std::string message) {
  return InvalidArgument("root-mismatch", std::move(message));
}

// RFC 9162's k: the largest power of two strictly below n. REQUIRES: n >= 2.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Level of the largest stored subtree that starts at `begin` and fits in [begin, end).
int ChunkLevel(uint64_t begin, uint64_t end) {
  const int by_size = std::bit_width(end - begin) - 1;
  const int by_alignment = std::countr_zero(begin);  // 64 when begin == 0
  return std::min(by_size, by_alignment);
}

// The stored subtrees covering [begin, end), taken greedily from the left. Each level occurs at
// most twice (sizes rise with alignment, then fall with what is left), hence the bound.
Result<std::vector<Hash>> ReadChunks(uint64_t begin, uint64_t end, const NodeReader& read) {
  std::vector<Hash> chunks;
  for (int i = 0; i < 2 * kTreeLevelsMax && begin < end; ++i) {
    const int level = ChunkLevel(begin, end);
    MZ_ASSIGN_OR_RETURN(Hash h, read(level, begin >> level));
    chunks.push_back(h);
    begin += uint64_t{1} << level;
  }
  return chunks;
}

// MTH of leaves [begin, end) for a range that is a node of some RFC tree. Such a range starts at
// a multiple of its size rounded up to a power of two, so the greedy chunks are exactly the RFC
// left children down its right border and folding them right to left rebuilds the RFC hash.
// A complete subtree is one read; an incomplete one is popcount(end - begin) reads.
// REQUIRES: begin < end.
Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeReader& read) {
  MZ_ASSIGN_OR_RETURN(std::vector<Hash> chunks, ReadChunks(begin, end, read));
  Hash h = chunks.back();
  for (size_t i = chunks.size() - 1; i-- > 0;) h = NodeHash(chunks[i], h);
  return h;
}

// Exact audit path length for (index, size), as in transparency-dev/merkle: `inner` levels
// below the point where the paths to `index` and `size - 1` diverge, then one hash per set bit
// of what is left of the index (left siblings along the right border). REQUIRES: index < size.
struct PathShape {
  int inner;
  int border;
};
PathShape InclusionShape(uint64_t index, uint64_t size) {
  const int inner = std::bit_width(index ^ (size - 1));
  return {inner, inner >= 64 ? 0 : std::popcount(index >> inner)};  // a 64-bit shift is UB
}

size_t InclusionProofSize(uint64_t index, uint64_t size) {
  const PathShape s = InclusionShape(index, size);
  return static_cast<size_t>(s.inner + s.border);
}

// A consistency proof is the inclusion path of leaf first-1 in the second tree, minus the levels
// inside the largest complete subtree ending at first, plus that subtree's hash unless it is
// the whole first tree. REQUIRES: 0 < first < second.
size_t ConsistencyProofSize(uint64_t first, uint64_t second) {
  const PathShape s = InclusionShape(first - 1, second);
  const int shift = std::countr_zero(first);
  const int seed = std::has_single_bit(first) ? 0 : 1;
  return static_cast<size_t>(seed + s.inner - shift + s.border);
}

Status CheckHashSize(std::string_view bytes, const char* what) {
  if (bytes.size() == kHashBytes) return OkStatus();
  return BadProof(std::string(what) + " is " + std::to_string(bytes.size()) + " bytes, want " +
                  std::to_string(kHashBytes));
}

Status CheckProofHashes(const std::vector<std::string>& proof, size_t want) {
  if (proof.size() != want) {
    return BadProof("proof has " + std::to_string(proof.size()) + " hashes, want " +
                    std::to_string(want));
  }
  for (const std::string& p : proof) MZ_RETURN_IF_ERROR(CheckHashSize(p, "proof hash"));
  return OkStatus();
}

void ShiftBoth(uint64_t& fn, uint64_t& sn) {
  fn >>= 1;
  sn >>= 1;
}

// RFC 9162: "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0".
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  for (int i = 0; i < kTreeLevelsMax && fn != 0 && (fn & 1) == 0; ++i) ShiftBoth(fn, sn);
}

Status CompareRoot(const Hash& computed, std::string_view expected, const char* which) {
  if (AsBytes(computed) == expected) return OkStatus();
  return RootMismatch(std::string("proof leads to a different ") + which);
}

// The cases of VerifyConsistency settled by the sizes alone; nullopt when the proof must be run.
std::optional<Status> DecideBySizes(uint64_t first, uint64_t second,
                                    const std::vector<std::string>& proof,
                                    std::string_view first_root, std::string_view second_root) {
  if (second < first) {
    return BadProof("second size " + std::to_string(second) + " is below first size " +
                    std::to_string(first));
  }
  // Every tree extends the empty one, so such a proof proves nothing; refused even for 0 -> 0,
  // as the transparency-dev test data requires.
  if (first == 0) return BadProof("consistency from an empty tree is meaningless");
  if (first == second) {
    if (!proof.empty()) return BadProof("sizes are equal but the proof is not empty");
    if (first_root != second_root) return RootMismatch("equal sizes with different roots");
    return OkStatus();
  }
  if (proof.empty()) return BadProof("empty consistency proof between different sizes");
  return std::nullopt;
}

}  // namespace

Hash EmptyRootHash() { return Sha256(""); }

Hash LeafHash(std::string_view leaf_bytes) {
  return Sha256Concat(std::string_view("\0", 1), leaf_bytes);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  char buf[1 + 2 * kHashBytes];  // on the stack: this is the hot path of every proof
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), kHashBytes);
  std::memcpy(buf + 1 + kHashBytes, right.data(), kHashBytes);
  return Sha256(std::string_view(buf, sizeof(buf)));
}

Result<Hash> RootAt(uint64_t tree_size, const NodeReader& read) {
  if (tree_size == 0) return EmptyRootHash();
  return RangeHash(0, tree_size, read);
}

// Walks the RFC PATH recursion top-down: each step keeps the half holding the leaf and records
// the other half. Only a right-hand sibling on the tree's right border can be incomplete.
Result<std::vector<Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                         const NodeReader& read) {
  if (leaf_index >= tree_size) {
    return InvalidArgument("out-of-range", "leaf index " + std::to_string(leaf_index) +
                                               " is not below tree size " +
                                               std::to_string(tree_size));
  }
  std::vector<Hash> path;
  uint64_t begin = 0, end = tree_size;
  for (int i = 0; i < kTreeLevelsMax && end - begin > 1; ++i) {
    const uint64_t mid = begin + SplitPoint(end - begin);
    const bool go_left = leaf_index < mid;
    MZ_ASSIGN_OR_RETURN(Hash sibling, go_left ? RangeHash(mid, end, read)
                                              : RangeHash(begin, mid, read));
    path.push_back(sibling);
    (go_left ? end : begin) = mid;
  }
  std::reverse(path.begin(), path.end());  // the recursion emits the root's children first
  return path;
}

// Walks the RFC SUBPROOF recursion top-down, stopping at the node that is exactly the first tree.
// `whole` stays true while that node is a left spine of the second tree, whose root the
// verifier already has as first_root.
Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const NodeReader& read) {
  if (first == 0 || first > second) {
    return InvalidArgument("out-of-range", "no consistency proof from size " +
                                               std::to_string(first) + " to size " +
                                               std::to_string(second));
  }
  std::vector<Hash> proof;
  uint64_t begin = 0, end = second;
  bool whole = true;
  for (int i = 0; i <= kTreeLevelsMax && end != first; ++i) {
    const uint64_t mid = begin + SplitPoint(end - begin);
    const bool go_left = first <= mid;
    MZ_ASSIGN_OR_RETURN(Hash other, go_left ? RangeHash(mid, end, read)
                                            : RangeHash(begin, mid, read));
    proof.push_back(other);
    (go_left ? end : begin) = mid;
    whole = whole && go_left;
  }
  if (!whole) {
    MZ_ASSIGN_OR_RETURN(Hash node, RangeHash(begin, end, read));
    proof.push_back(node);
  }
  std::reverse(proof.begin(), proof.end());
  return proof;
}

// RFC 9162 §2.1.3.2.
Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                       const std::vector<std::string>& proof, std::string_view root) {
  if (leaf_index >= tree_size) {
    return BadProof("leaf index " + std::to_string(leaf_index) + " is not below tree size " +
                    std::to_string(tree_size));
  }
  MZ_RETURN_IF_ERROR(CheckHashSize(leaf_hash, "leaf hash"));
  MZ_RETURN_IF_ERROR(CheckHashSize(root, "root"));
  MZ_RETURN_IF_ERROR(CheckProofHashes(proof, InclusionProofSize(leaf_index, tree_size)));

  uint64_t fn = leaf_index, sn = tree_size - 1;
  Hash r = HashFromBytes(leaf_hash);
  for (const std::string& p : proof) {  // at most 64 hashes after the size check
    if (sn == 0) return BadProof("proof is longer than the path to the root");
    const Hash h = HashFromBytes(p);
    if ((fn & 1) || fn == sn) {
      r = NodeHash(h, r);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      r = NodeHash(r, h);
    }
    ShiftBoth(fn, sn);
  }
  if (sn != 0) return BadProof("proof is shorter than the path to the root");
  return CompareRoot(r, root, "root");
}

// RFC 9162 §2.1.4.2.
Status VerifyConsistency(uint64_t first, uint64_t second, const std::vector<std::string>& proof,
                         std::string_view first_root, std::string_view second_root) {
  if (auto decided = DecideBySizes(first, second, proof, first_root, second_root)) {
    return *decided;
  }
  MZ_RETURN_IF_ERROR(CheckHashSize(first_root, "first root"));
  MZ_RETURN_IF_ERROR(CheckHashSize(second_root, "second root"));
  MZ_RETURN_IF_ERROR(CheckProofHashes(proof, ConsistencyProofSize(first, second)));

  // A first tree that is a complete subtree is its own starting node; otherwise the proof opens
  // with the hash of the largest complete subtree ending at `first`.
  const bool seeded_by_root = std::has_single_bit(first);
  const Hash seed = seeded_by_root ? HashFromBytes(first_root) : HashFromBytes(proof[0]);
  uint64_t fn = first - 1, sn = second - 1;
  // Levels where leaf first-1 is a right child lie inside the seed subtree: skip them.
  for (int i = 0; i < kTreeLevelsMax && (fn & 1); ++i) ShiftBoth(fn, sn);
  Hash fr = seed, sr = seed;
  for (size_t i = seeded_by_root ? 0 : 1; i < proof.size(); ++i) {
    if (sn == 0) return BadProof("proof is longer than the path to the root");
    const Hash c = HashFromBytes(proof[i]);
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = NodeHash(sr, c);
    }
    ShiftBoth(fn, sn);
  }
  if (sn != 0) return BadProof("proof is shorter than the path to the root");
  MZ_RETURN_IF_ERROR(CompareRoot(fr, first_root, "first root"));
  return CompareRoot(sr, second_root, "second root");
}

Result<CompactRange> CompactRange::Load(uint64_t tree_size, const NodeReader& read) {
  CompactRange range;
  MZ_ASSIGN_OR_RETURN(range.peaks_, ReadChunks(0, tree_size, read));
  range.size_ = tree_size;
  return range;
}

// The new leaf sits at index size(); each trailing 1 bit of that index is a left sibling peak
// that the leaf now completes into a parent.
void CompactRange::Append(const Hash& leaf_hash, const NodeSink& sink) {
  sink(0, size_, leaf_hash);
  Hash h = leaf_hash;
  uint64_t index = size_;
  for (int level = 1; level <= kTreeLevelsMax && (index & 1); ++level) {
    h = NodeHash(peaks_.back(), h);
    peaks_.pop_back();
    index >>= 1;
    sink(level, index, h);
  }
  peaks_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (peaks_.empty()) return EmptyRootHash();
  Hash h = peaks_.back();
  for (size_t i = peaks_.size() - 1; i-- > 0;) h = NodeHash(peaks_[i], h);
  return h;
}

}  // namespace mingzhang
