#include "ledger/verify.h"

#include <memory>
#include <vector>

#include "ledger/keys.h"
#include "ledger/merkle.h"
#include "ledger/tree_rows.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {
namespace {

// Reads the stored tree row by row, keeping the current row of each level: one read per 256 nodes.
class TreeScanner {
 public:
  explicit TreeScanner(const Store& store) : store_(store), rows_(kTreeLevelsMax) {}

  // The stored hash of (level, index), or nullopt when absent or malformed.
  std::optional<Hash> Read(int level, uint64_t index) {
    CachedRow& c = rows_[level];
    uint64_t row = index >> kTreeRowShift;
    if (!c.loaded || c.row != row) {
      Result<std::optional<std::string>> bytes = store_.Get(Column::kTree, TreeKey(level, row));
      c = CachedRow{row, bytes.ok() && *bytes ? std::move(**bytes) : std::string(), true};
    }
    size_t offset = (index & (kTreeRowNodes - 1)) * kHashBytes;
    if (c.hashes.size() < offset + kHashBytes) return std::nullopt;
    return HashFromBytes(std::string_view(c.hashes).substr(offset, kHashBytes));
  }

 private:
  struct CachedRow {
    uint64_t row = 0;
    std::string hashes;
    bool loaded = false;
  };
  const Store& store_;
  std::vector<CachedRow> rows_;
};

class Verifier {
 public:
  Verifier(const Store& store, const NoteVerifier& key) : store_(store), key_(key), tree_(store) {}
  Result<VerifyReport> Run();

 private:
  bool Fail(Finding finding, std::optional<uint64_t> seq, std::string detail) {
    report_.finding = finding;
    report_.bad_seq = seq;
    report_.detail = std::move(detail);
    return false;
  }
  bool CheckEntry(uint64_t key_seq, std::string_view bytes);
  bool CheckCheckpointsUpTo(uint64_t tree_size);
  bool CheckHead();

  const Store& store_;
  const NoteVerifier& key_;
  TreeScanner tree_;
  std::unique_ptr<Cursor> checkpoints_;
  CompactRange range_;
  Hash chain_{};
  v1::Entry entry_;
  VerifyReport report_;
};

const char* const kFindingNames[] = {"ok",        "modified",      "missing",
                                     "reordered", "truncated",     "bad-signature",
                                     "tree-mismatch", "checkpoint-mismatch", "meta-mismatch"};

bool Verifier::CheckEntry(uint64_t seq, std::string_view bytes) {
  auto s = [seq] { return std::to_string(seq); };
  v1::Entry& entry = entry_;  // reused: parsing into a cleared message keeps its allocations
  if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Fail(Finding::kModified, seq, "entry " + s() + " does not decode");
  }
  if (entry.seq() != seq) {
    return Fail(Finding::kReordered, seq,
                "the entry stored at seq " + s() + " says it is seq " + std::to_string(entry.seq()));
  }
  Hash leaf = LeafHash(bytes);
  std::optional<Hash> stored_leaf = tree_.Read(0, seq);
  if (!stored_leaf || *stored_leaf != leaf) {
    return Fail(Finding::kModified, seq, "entry " + s() + " does not hash to the leaf the tree holds");
  }
  if (entry.prev_hash() != AsBytes(chain_)) {
    return Fail(Finding::kModified, seq, "entry " + s() + "'s prev_hash does not match the entry before it");
  }
  chain_ = Sha256(bytes);
  bool tree_ok = true;
  range_.Append(leaf, [&](int level, uint64_t index, const Hash& h) {
    if (level == 0 || !tree_ok) return;
    std::optional<Hash> stored = tree_.Read(level, index);
    if (!stored || *stored != h) {
      tree_ok = Fail(Finding::kTreeMismatch, seq,
                     "stored tree node " + std::to_string(level) + "/" + std::to_string(index) +
                         " differs from the one recomputed at entry " + s());
    }
  });
  ++report_.entries;
  return tree_ok;
}

// Checks every checkpoint signed at a size <= tree_size: signature, origin and root.
bool Verifier::CheckCheckpointsUpTo(uint64_t tree_size) {
  for (; checkpoints_->Valid(); checkpoints_->Next()) {
    std::optional<uint64_t> size = ParseBe64(checkpoints_->key());
    if (!size) return Fail(Finding::kCheckpointMismatch, std::nullopt, "a checkpoint key is malformed");
    if (*size > tree_size) return true;
    std::optional<uint64_t> seq = *size > 0 ? std::optional<uint64_t>(*size - 1) : std::nullopt;
    std::string at = "the checkpoint at tree size " + std::to_string(*size);
    Result<std::string> text = OpenNote(checkpoints_->value(), key_);
    if (!text.ok()) return Fail(Finding::kBadSignature, seq, at + ": " + text.status().message());
    Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
    if (!checkpoint.ok() || checkpoint->tree_size != *size) {
      return Fail(Finding::kCheckpointMismatch, seq, at + " is malformed or stored under the wrong size");
    }
    if (checkpoint->root_hash != range_.Root()) {
      return Fail(Finding::kCheckpointMismatch, seq, at + " has a root that differs from the recomputed tree");
    }
    ++report_.checkpoints;
  }
  return true;
}

bool Verifier::CheckHead() {
  uint64_t n = range_.size();
  if (checkpoints_->Valid()) {
    std::optional<uint64_t> size = ParseBe64(checkpoints_->key());
    return Fail(Finding::kTruncated, n,
                "the log ends after " + std::to_string(n) + " entries but a checkpoint was signed at tree size " +
                    (size ? std::to_string(*size) : std::string("?")));
  }
  Result<std::optional<std::string>> head = store_.Get(Column::kMeta, kMetaHead);
  if (!head.ok() || !*head || (*head)->size() != 8 + kHashBytes) {
    return Fail(Finding::kMetaMismatch, std::nullopt, "the stored head record is missing or malformed");
  }
  uint64_t head_size = *ParseBe64(std::string_view(**head).substr(0, 8));
  if (head_size > n) {
    return Fail(Finding::kTruncated, n,
                "the log ends after " + std::to_string(n) + " entries but its head says " + std::to_string(head_size));
  }
  if (head_size != n || std::string_view(**head).substr(8) != AsBytes(chain_)) {
    return Fail(Finding::kMetaMismatch, std::nullopt, "the stored head does not match the recomputed chain head");
  }
  return true;
}

Result<VerifyReport> Verifier::Run() {
  checkpoints_ = store_.NewCursor(Column::kCheckpoints);
  checkpoints_->Seek(CheckpointKey(0));
  std::unique_ptr<Cursor> entries = store_.NewCursor(Column::kEntries);
  entries->Seek(EntryKey(0));
  bool ok = CheckCheckpointsUpTo(0);
  for (uint64_t expected = 0; ok && entries->Valid(); entries->Next(), ++expected) {
    std::optional<uint64_t> seq = ParseBe64(entries->key());
    if (!seq) {
      ok = Fail(Finding::kModified, expected, "an entry key after seq " + std::to_string(expected) + " is malformed");
    } else if (*seq != expected) {
      ok = Fail(Finding::kMissing, expected, "entry " + std::to_string(expected) + " is missing");
    } else {
      ok = CheckEntry(expected, entries->value()) && CheckCheckpointsUpTo(expected + 1);
    }
  }
  MZ_RETURN_IF_ERROR(entries->status());
  MZ_RETURN_IF_ERROR(checkpoints_->status());
  if (ok) ok = CheckHead();
  report_.root = range_.Root();
  return report_;
}

}  // namespace

const char* FindingName(Finding finding) { return kFindingNames[static_cast<int>(finding)]; }

std::string VerifyReport::ToString() const {
  if (ok()) {
    return "ok: " + std::to_string(entries) + " entries, " + std::to_string(checkpoints) + " checkpoints";
  }
  std::string out = FindingName(finding);
  if (bad_seq) out += " at seq " + std::to_string(*bad_seq);
  return out + ": " + detail;
}

Result<VerifyReport> VerifyLog(const Store& store, const NoteVerifier& verifier) {
  Verifier v(store, verifier);
  return v.Run();
}

}  // namespace mingzhang
