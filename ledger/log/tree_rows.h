// How the stored tree is laid out: the hashes of each level in rows of 32 consecutive nodes,
// one key per row (README "Storage layout"). A batch of 1,024 appends then writes ~64 rows
// instead of ~2,048 single-node keys, and a proof reads at most one key per node it needs. Every
// group commit rewrites the open row of each level it changes: rows of 256 nodes made a group of
// 20 payments write ~22 KiB of tree for ~3 KiB of entries, and cost ~10% of HTTP payments/s.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/base/crypto.h"
#include "ledger/log/merkle.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"

namespace mingzhang {

inline constexpr int kTreeRowShift = 5;
inline constexpr uint64_t kTreeRowNodes = uint64_t{1} << kTreeRowShift;

// Records the row width in a new store's meta column.
void PutTreeLayout(WriteSet& writes);
// FailedPrecondition ("store-layout") when the store's tree rows have another width than this
// build's (a store written before the width was recorded had rows of 256 nodes).
Status CheckTreeLayout(const Store& store);

// Reads node (level, index) of the stored tree. DataLoss when it is not stored.
Result<Hash> ReadTreeNode(const Store& store, int level, uint64_t index);

// Reads the nodes one proof needs. Those of levels 1 to kTreeRowShift - 1 are hashed (up to 15
// hashes) from the row of leaf hashes below them, read once per proof, which the proof needs
// anyway for the leaf's sibling: after level 0 those are the largest levels, so their reads are
// the ones that miss RocksDB's block cache, and a miss costs more than the hashing
// (bench/RESULTS.md). DataLoss when a node is not stored.
NodeReader ProofNodeReader(const Store& store);

// The last, possibly incomplete, row of every level of a growing tree.
class TreeRows {
 public:
  // The open rows of a stored tree of `tree_size` leaves.
  static Result<TreeRows> Load(const Store& store, uint64_t tree_size);

  // Records node (level, index); per level, nodes arrive in index order. A row the node
  // completes or leaves behind is put into `writes` at once.
  void Add(int level, uint64_t index, const Hash& hash, WriteSet& writes);
  // Puts every open row changed since the last Flush.
  void Flush(WriteSet& writes);

 private:
  struct Row {
    uint64_t row = 0;
    std::string hashes;
    bool dirty = false;
  };
  std::vector<Row> rows_;  // by level
};

}  // namespace mingzhang
