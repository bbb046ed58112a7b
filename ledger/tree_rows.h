// How the stored tree is laid out: the hashes of each level in rows of 256 consecutive nodes,
// one key per row (README "Storage layout"). A batch of 1,024 appends then writes a handful of
// rows instead of ~2,048 single-node keys, and a proof still reads one key per node it needs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"
#include "ledger/store.h"

namespace mingzhang {

inline constexpr int kTreeRowShift = 8;
inline constexpr uint64_t kTreeRowNodes = uint64_t{1} << kTreeRowShift;

// Reads node (level, index) of the stored tree. DataLoss when it is not stored.
Result<Hash> ReadTreeNode(const Store& store, int level, uint64_t index);

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
