#include "ledger/log/tree_rows.h"

#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"

namespace mingzhang {

void PutTreeLayout(WriteSet& writes) {
  writes.Put(Column::kMeta, std::string(kMetaTreeRowNodes), Be64(kTreeRowNodes));
}

Status CheckTreeLayout(const Store& store) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.Get(Column::kMeta, kMetaTreeRowNodes));
  std::optional<uint64_t> nodes = stored ? ParseBe64(*stored) : std::nullopt;
  if (nodes == kTreeRowNodes) return OkStatus();
  return FailedPrecondition("store-layout", "this store keeps its tree in rows of " +
                                                (nodes ? std::to_string(*nodes) : std::string("256")) +
                                                " nodes, written by another version of mingzhang; this one reads rows of " +
                                                std::to_string(kTreeRowNodes));
}

Result<Hash> ReadTreeNode(const Store& store, int level, uint64_t index) {
  const size_t offset = (index & (kTreeRowNodes - 1)) * kHashBytes;
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> node,
                      store.GetPart(Column::kTree, TreeKey(level, index >> kTreeRowShift), offset, kHashBytes));
  if (!node || node->size() != kHashBytes) {
    return DataLoss("tree-node-missing",
                    "tree node " + std::to_string(level) + "/" + std::to_string(index) + " is missing or malformed");
  }
  return HashFromBytes(*node);
}

namespace {

// A row of level 0, read once for all the nodes a proof hashes from it.
struct LeafRow {
  uint64_t row = UINT64_MAX;
  std::string hashes;
};

// The root of the complete subtree over `leaves`, its 2^level leaf hashes.
// REQUIRES: 0 < level < kTreeRowShift, leaves.size() == kHashBytes << level.
Hash SubtreeHash(std::string_view leaves, int level) {
  Hash nodes[kTreeRowNodes / 2];
  const size_t count = size_t{1} << level;
  for (size_t i = 0; i < count / 2; ++i) {
    nodes[i] = NodeHash(HashFromBytes(leaves.substr(2 * i * kHashBytes, kHashBytes)),
                        HashFromBytes(leaves.substr((2 * i + 1) * kHashBytes, kHashBytes)));
  }
  for (size_t width = count / 2; width > 1; width /= 2) {
    for (size_t i = 0; i < width / 2; ++i) nodes[i] = NodeHash(nodes[2 * i], nodes[2 * i + 1]);
  }
  return nodes[0];
}

}  // namespace

NodeReader ProofNodeReader(const Store& store) {
  auto cached = std::make_shared<LeafRow>();
  return [&store, cached](int level, uint64_t index) -> Result<Hash> {
    if (level >= kTreeRowShift) return ReadTreeNode(store, level, index);
    const uint64_t first_leaf = index << level;
    const uint64_t row = first_leaf >> kTreeRowShift;
    if (cached->row != row) {
      MZ_ASSIGN_OR_RETURN(std::optional<std::string> hashes, store.Get(Column::kTree, TreeKey(0, row)));
      cached->row = row;
      cached->hashes = hashes ? std::move(*hashes) : std::string();
    }
    const size_t offset = (first_leaf & (kTreeRowNodes - 1)) * kHashBytes;
    const size_t bytes = (size_t{1} << level) * kHashBytes;
    if (offset + bytes > cached->hashes.size()) {
      return DataLoss("tree-node-missing",
                      "tree node " + std::to_string(level) + "/" + std::to_string(index) + " is missing or malformed");
    }
    std::string_view leaves = std::string_view(cached->hashes).substr(offset, bytes);
    return level == 0 ? HashFromBytes(leaves) : SubtreeHash(leaves, level);
  };
}

Result<TreeRows> TreeRows::Load(const Store& store, uint64_t tree_size) {
  TreeRows rows;
  rows.rows_.resize(kTreeLevelsMax);
  for (int level = 0; level < kTreeLevelsMax && (tree_size >> level) > 0; ++level) {
    uint64_t nodes = tree_size >> level;
    uint64_t in_last_row = nodes & (kTreeRowNodes - 1);
    Row& r = rows.rows_[level];
    r.row = nodes >> kTreeRowShift;  // where the next node goes
    if (in_last_row == 0) continue;
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.Get(Column::kTree, TreeKey(level, r.row)));
    if (!stored || stored->size() != in_last_row * kHashBytes) {
      return DataLoss("tree-node-missing", "the last tree row of level " + std::to_string(level) + " is malformed");
    }
    r.hashes = std::move(*stored);
  }
  return rows;
}

void TreeRows::Add(int level, uint64_t index, const Hash& hash, WriteSet& writes) {
  if (rows_.empty()) rows_.resize(kTreeLevelsMax);
  Row& r = rows_[level];
  uint64_t row = index >> kTreeRowShift;
  if (row != r.row) {
    if (r.dirty) writes.Put(Column::kTree, TreeKey(level, r.row), std::move(r.hashes));
    r = Row{row, {}, false};
  }
  r.hashes.append(AsBytes(hash));
  r.dirty = true;
}

void TreeRows::Flush(WriteSet& writes) {
  for (size_t level = 0; level < rows_.size(); ++level) {
    Row& r = rows_[level];
    if (!r.dirty) continue;
    writes.Put(Column::kTree, TreeKey(static_cast<int>(level), r.row), r.hashes);
    r.dirty = false;
  }
}

}  // namespace mingzhang
