#include "ledger/audit/verify.h"
#include "ledger/audit/verify_state.h"

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "ledger/log/chunked_scan.h"
#include "ledger/domain/domain.h"
#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"
#include "ledger/log/tree_rows.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {
namespace {

// Reads the stored tree in the order verification asks for it, each level's indexes ascending:
// one scan cursor per level, moved on a row at a time. (A point read per row cost ~6 µs, a third
// of the checking thread's time.)
class TreeScanner {
 public:
  explicit TreeScanner(const Store& store) : store_(store), levels_(kTreeLevelsMax) {}

  // The stored hash of (level, index), or nullopt when absent, malformed or unreadable.
  std::optional<Hash> Read(int level, uint64_t index) {
    Level& l = levels_[level];
    uint64_t row = index >> kTreeRowShift;
    if (l.row != row) MoveTo(level, row);
    if (!l.row) return std::nullopt;
    std::string_view hashes = l.cursor->value();
    size_t offset = (index & (kTreeRowNodes - 1)) * kHashBytes;
    if (hashes.size() < offset + kHashBytes) return std::nullopt;
    return HashFromBytes(hashes.substr(offset, kHashBytes));
  }

  // The first read error of any level's cursor: an I/O failure, not a finding.
  const Status& status() const { return status_; }

 private:
  struct Level {
    std::unique_ptr<Cursor> cursor;
    std::optional<uint64_t> row;  // the row the cursor is on; nullopt: on none asked for
  };

  void MoveTo(int level, uint64_t row) {
    Level& l = levels_[level];
    const std::string key = TreeKey(level, row);
    if (!l.cursor) l.cursor = store_.NewCursor(Column::kTree, Store::Access::kScan);
    if (l.row && *l.row + 1 == row) l.cursor->Next();
    // A key that is no row of the tree (nothing reads it) between two rows: past it, as a point
    // read would be.
    if (!l.cursor->Valid() || l.cursor->key() != key) l.cursor->Seek(key);
    l.row = l.cursor->Valid() && l.cursor->key() == key ? std::optional<uint64_t>(row) : std::nullopt;
    if (!l.cursor->Valid() && status_.ok()) status_ = l.cursor->status();
  }

  const Store& store_;
  std::vector<Level> levels_;
  Status status_;
};

// The first 8 bytes of SHA-256: what the replay remembers per entry of its idempotency record.
uint64_t Digest64(std::string_view bytes) {
  Hash h = Sha256(bytes);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | h[i];
  return v;
}

// A stored key as people can read it: its 0x00 separators as '/', any other byte outside
// printable ASCII as \xNN.
std::string Printable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c == 0) {
      out += '/';
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The fingerprint the ledger kept of the entry's request (ledger_append.cpp): SHA-256 of the
// request's bytes, which the stored bytes hold after the three fields the ledger sets (seq,
// prev_hash, recorded_at_ms). A proposal close is completed by the ledger (tally, resolution id)
// after the fingerprint was taken, so it is serialized again without those. nullopt when the
// stored bytes do not start with the three fields.
std::optional<Hash> RequestFingerprint(const v1::Entry& entry, std::string_view stored) {
  v1::Entry header;
  header.set_seq(entry.seq());
  header.set_prev_hash(entry.prev_hash());
  header.set_recorded_at_ms(entry.recorded_at_ms());
  std::string prefix = header.SerializeAsString();
  if (stored.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view request = stored.substr(prefix.size());
  if (!entry.has_proposal_close()) return Sha256(request);
  v1::Entry original;
  if (!original.ParseFromArray(request.data(), static_cast<int>(request.size()))) return std::nullopt;
  original.mutable_proposal_close()->clear_tally();
  original.mutable_proposal_close()->clear_resolution_id();
  return Sha256(original.SerializeAsString());
}

// What the replay expects of entry seq's idempotency record.
struct ExpectedRecord {
  uint64_t key_digest = 0;
  uint64_t fingerprint_digest = 0;
};

// What one entry gives without the entries before it: ChunkedScan digests it on any core.
struct EntryDigest {
  v1::Entry entry;  // decoded; reused from chunk to chunk, so it keeps its allocations
  bool decoded = false;
  Hash leaf{}, chain{};
  std::optional<ExpectedRecord> record;  // when asked for; nullopt: no fields the ledger sets
};

void DigestEntry(std::string_view bytes, bool with_record, EntryDigest& d) {
  d.decoded = d.entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  d.leaf = LeafHash(bytes);
  d.chain = Sha256(bytes);
  d.record.reset();
  if (!with_record || !d.decoded) return;
  if (std::optional<Hash> fingerprint = RequestFingerprint(d.entry, bytes)) {
    d.record = ExpectedRecord{Digest64(IdempotencyKey(d.entry.actor().principal_id(), d.entry.idempotency_key())),
                              Digest64(AsBytes(*fingerprint))};
  }
}

// An idempotency record as read: the seq it names and digests of its key and fingerprint.
struct RecordDigest {
  std::optional<uint64_t> seq;  // nullopt: malformed
  uint64_t key_digest = 0;
  uint64_t fingerprint_digest = 0;
};

void DigestRecord(std::string_view key, std::string_view value, RecordDigest& d) {
  d.seq = value.size() == 8 + kHashBytes ? ParseBe64(value.substr(0, 8)) : std::nullopt;
  if (!d.seq) return;
  d.key_digest = Digest64(key);
  d.fingerprint_digest = Digest64(value.substr(8));
}

class Verifier {
 public:
  Verifier(const Store& store, const NoteVerifier& key, const VerifyOptions& options)
      : store_(store), key_(key), options_(options), tree_(store) {}
  ~Verifier();
  Result<VerifyReport> Run();

 private:
  bool Fail(Finding finding, std::optional<uint64_t> seq, std::string detail) {
    report_.finding = finding;
    report_.bad_seq = seq;
    report_.detail = std::move(detail);
    return false;
  }
  bool Continue();
  bool ReadHead();
  bool CheckEntries(const ScanChunk<EntryDigest>& chunk);
  bool CheckEntry(uint64_t seq, const EntryDigest& digest);
  bool CheckCheckpointsUpTo(uint64_t tree_size);
  Result<Checkpoint> ReadCheckpoint(std::string_view note, uint64_t size);
  bool CheckHead();
  bool CheckHeadAsRead();
  bool ReplayEntry(const EntryDigest& digest);
  bool CheckRecords(const ScanChunk<RecordDigest>& chunk);
  Result<bool> CheckIdempotencyRecords();
  Result<bool> CheckBalances();
  Status OpenReplay();
  Status FlushReplay();

  const Store& store_;
  const NoteVerifier& key_;
  const VerifyOptions options_;
  TreeScanner tree_;
  std::optional<uint64_t> head_checkpoint_size_;  // the largest checkpoint key, read first
  // The head as read first (its size, and its chain hash when options_.as_of_head): the entries
  // checked when options_.as_of_head, the total on_progress is told.
  uint64_t head_size_ = 0;
  Hash head_chain_{};
  bool head_checkpoint_checked_ = false;  // the checkpoint at head_checkpoint_size_ was checked
  // The replay, with options_.balances: a domain over a scratch store in replay_dir_, its rows
  // written every kVerifyReplayChunkEntries entries (replay_unwritten_ since the last write).
  std::filesystem::path replay_dir_;
  std::unique_ptr<Store> replay_store_;
  std::unique_ptr<Domain> replay_;
  uint64_t replay_unwritten_ = 0;
  Status replay_error_;  // a failed write of the scratch store: an I/O error, not a finding
  std::vector<ExpectedRecord> records_;           // by seq, with options_.idempotency_records
  std::vector<bool> records_seen_;                // by seq: its idempotency record was read
  std::unique_ptr<Cursor> checkpoints_;
  std::string origin_;  // the log's, as the store records it
  CompactRange range_;
  Hash chain_{};
  uint64_t next_seq_ = 0;  // the seq the next entry read must have
  VerifyReport report_;
};

const char* const kFindingNames[] = {"ok",        "modified",      "missing",
                                     "reordered", "truncated",     "bad-signature",
                                     "tree-mismatch", "checkpoint-mismatch", "meta-mismatch",
                                     "balance-mismatch", "index-mismatch", "state-mismatch"};

// The entries of a chunk in seq order, each followed by the checkpoints signed at its size.
bool Verifier::CheckEntries(const ScanChunk<EntryDigest>& chunk) {
  bool ok = true;
  for (size_t i = 0; ok && i < chunk.size; ++i, ++next_seq_) {
    const uint64_t expected = next_seq_;
    if (options_.as_of_head && expected == head_size_) return false;  // appended since: the next pass's
    std::optional<uint64_t> seq = ParseBe64(chunk.keys[i]);
    if (!seq) {
      ok = Fail(Finding::kModified, expected, "an entry key after seq " + std::to_string(expected) + " is malformed");
    } else if (*seq != expected) {
      ok = Fail(Finding::kMissing, expected, "entry " + std::to_string(expected) + " is missing");
    } else {
      ok = CheckEntry(expected, chunk.digests[i]) && CheckCheckpointsUpTo(expected + 1);
    }
  }
  return ok && Continue();
}

// Tells on_progress how far verification got; false when it asks to stop.
bool Verifier::Continue() {
  if (!options_.on_progress || options_.on_progress(report_.entries, head_size_)) return true;
  report_.stopped = true;
  return false;
}

bool Verifier::CheckEntry(uint64_t seq, const EntryDigest& digest) {
  auto s = [seq] { return std::to_string(seq); };
  if (!digest.decoded) return Fail(Finding::kModified, seq, "entry " + s() + " does not decode");
  const v1::Entry& entry = digest.entry;
  if (entry.seq() != seq) {
    return Fail(Finding::kReordered, seq,
                "the entry stored at seq " + s() + " says it is seq " + std::to_string(entry.seq()));
  }
  std::optional<Hash> stored_leaf = tree_.Read(0, seq);
  if (!stored_leaf || *stored_leaf != digest.leaf) {
    return Fail(Finding::kModified, seq, "entry " + s() + " does not hash to the leaf the tree holds");
  }
  if (entry.prev_hash() != AsBytes(chain_)) {
    return Fail(Finding::kModified, seq, "entry " + s() + "'s prev_hash does not match the entry before it");
  }
  chain_ = digest.chain;
  bool tree_ok = true;
  range_.Append(digest.leaf, [&](int level, uint64_t index, const Hash& h) {
    if (level == 0 || !tree_ok) return;
    std::optional<Hash> stored = tree_.Read(level, index);
    if (!stored || *stored != h) {
      tree_ok = Fail(Finding::kTreeMismatch, seq,
                     "stored tree node " + std::to_string(level) + "/" + std::to_string(index) +
                         " differs from the one recomputed at entry " + s());
    }
  });
  ++report_.entries;
  return tree_ok && ReplayEntry(digest);
}

// Remembers what the entry implies for the idempotency records and the balances, as options_ ask.
bool Verifier::ReplayEntry(const EntryDigest& digest) {
  if (options_.idempotency_records) {
    if (!digest.record) {
      return Fail(Finding::kModified, digest.entry.seq(),
                  "entry " + std::to_string(digest.entry.seq()) + " does not start with the fields the ledger sets");
    }
    records_.push_back(*digest.record);
  }
  if (options_.balances) {
    if (Status s = replay_->Record(digest.entry, digest.leaf); !s.ok()) {
      return Fail(Finding::kModified, digest.entry.seq(), "entry " + std::to_string(digest.entry.seq()) +
                                                              " cannot be replayed: " + s.message());
    }
    if (++replay_unwritten_ == kVerifyReplayChunkEntries) {
      replay_error_ = FlushReplay();
      return replay_error_.ok();
    }
  }
  return true;
}

Verifier::~Verifier() {
  replay_.reset();
  replay_store_.reset();
  std::error_code ignored;
  if (!replay_dir_.empty()) std::filesystem::remove_all(replay_dir_, ignored);
}

Status Verifier::OpenReplay() {
  std::error_code ec;
  std::filesystem::path parent = options_.scratch_dir.empty() ? std::filesystem::temp_directory_path(ec)
                                                              : std::filesystem::path(options_.scratch_dir);
  std::string pattern = (parent / "mingzhang-verify-XXXXXX").string();
  if (ec || ::mkdtemp(pattern.data()) == nullptr) {
    return Unavailable("io-error", "cannot make a scratch directory for the replay in " + parent.string());
  }
  replay_dir_ = pattern;
  StoreOptions options;
  options.stats_dump_period_s = 0;
  MZ_ASSIGN_OR_RETURN(replay_store_, Store::Open(replay_dir_.string(), options));
  replay_ = std::make_unique<Domain>(*replay_store_, kVerifyReplayCacheBytes);
  return OkStatus();
}

// The replay's rows so far into its scratch store (not synced: it is thrown away at the end).
Status Verifier::FlushReplay() {
  WriteSet writes;
  replay_->Seal(writes);
  MZ_RETURN_IF_ERROR(replay_store_->Write(writes, /*sync=*/false));
  replay_->Durable();
  replay_unwritten_ = 0;
  return OkStatus();
}

// Every idempotency record names an entry with its key and request fingerprint, and every entry
// has one: records and entries are one to one.
Result<bool> Verifier::CheckIdempotencyRecords() {
  records_seen_.assign(records_.size(), false);
  std::unique_ptr<Cursor> cursor = store_.NewCursor(Column::kIdempotency, Store::Access::kScan);
  cursor->Seek("");
  ChunkedScan<RecordDigest> scan(*cursor, DigestThreads(), [](const ScanChunk<RecordDigest>& c, size_t i, RecordDigest& d) {
    DigestRecord(c.keys[i], c.values[i], d);
  });
  bool ok = true;
  MZ_RETURN_IF_ERROR(scan.Run([&](const ScanChunk<RecordDigest>& c) { return ok = CheckRecords(c); }));
  if (!ok) return false;  // a finding, or stopped
  for (uint64_t seq = 0; seq < records_seen_.size(); ++seq) {
    if (!records_seen_[seq]) {
      return Fail(Finding::kIndexMismatch, seq, "entry " + std::to_string(seq) + " has no idempotency record");
    }
  }
  return true;
}

bool Verifier::CheckRecords(const ScanChunk<RecordDigest>& chunk) {
  for (size_t i = 0; i < chunk.size; ++i) {
    const RecordDigest& d = chunk.digests[i];
    auto record = [&] { return "the idempotency record " + Printable(chunk.keys[i]); };
    if (options_.as_of_head && d.seq && *d.seq >= head_size_) continue;  // an entry appended since
    if (!d.seq || *d.seq >= records_.size()) {
      return Fail(Finding::kIndexMismatch, std::nullopt, record() + " names no entry of the log");
    }
    const ExpectedRecord& expected = records_[*d.seq];
    if (expected.key_digest != d.key_digest || records_seen_[*d.seq]) {
      return Fail(Finding::kIndexMismatch, *d.seq,
                  record() + " points at entry " + std::to_string(*d.seq) + ", which has another key");
    }
    if (expected.fingerprint_digest != d.fingerprint_digest) {
      return Fail(Finding::kIndexMismatch, *d.seq,
                  record() + " holds a fingerprint other than entry " + std::to_string(*d.seq) + "'s request");
    }
    records_seen_[*d.seq] = true;
  }
  return Continue();
}

// The state column holds exactly the rows a replay of the log makes (verify_state.h): balances,
// units, ballots, digests and every other kind, each with its value.
Result<bool> Verifier::CheckBalances() {
  MZ_RETURN_IF_ERROR(FlushReplay());
  MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> difference, CompareStateColumns(store_, *replay_store_));
  if (!difference) return true;
  return Fail(difference->balance ? Finding::kBalanceMismatch : Finding::kStateMismatch, std::nullopt,
              difference->detail);
}

// Checks every checkpoint signed at a size <= tree_size: signature, origin and root.
bool Verifier::CheckCheckpointsUpTo(uint64_t tree_size) {
  for (; checkpoints_->Valid(); checkpoints_->Next()) {
    std::optional<uint64_t> size = ParseBe64(checkpoints_->key());
    if (!size) return Fail(Finding::kCheckpointMismatch, std::nullopt, "a checkpoint key is malformed");
    if (*size > tree_size) return true;
    std::optional<uint64_t> seq = *size > 0 ? std::optional<uint64_t>(*size - 1) : std::nullopt;
    std::string at = "the checkpoint at tree size " + std::to_string(*size);
    Result<Checkpoint> checkpoint = ReadCheckpoint(checkpoints_->value(), *size);
    if (!checkpoint.ok()) {
      Finding finding = checkpoint.status().slug() == "bad-signature" ? Finding::kBadSignature : Finding::kCheckpointMismatch;
      return Fail(finding, seq, at + ": " + checkpoint.status().message());
    }
    if (checkpoint->tree_size != *size) {
      return Fail(Finding::kCheckpointMismatch, seq, at + " is stored under the wrong size");
    }
    // Unsigned checkpoints are only read, so their origin is checked here; the head's, whose
    // signature always is, vouches for the stored origin they are compared with.
    if (checkpoint->origin != origin_) {
      return Fail(Finding::kCheckpointMismatch, seq, at + " names the origin \"" + checkpoint->origin +
                                                         "\", not this log's \"" + origin_ + "\"");
    }
    if (checkpoint->root_hash != range_.Root()) {
      return Fail(Finding::kCheckpointMismatch, seq, at + " has a root that differs from the recomputed tree");
    }
    ++report_.checkpoints;
    if (*size == head_checkpoint_size_) head_checkpoint_checked_ = true;
  }
  return true;
}

// The checkpoint a stored note carries. Its signature is checked when options_ ask for all of
// them and always at the head's size; otherwise only its text is read (bad-signature or
// checkpoint-mismatch as the error's slug).
Result<Checkpoint> Verifier::ReadCheckpoint(std::string_view note, uint64_t size) {
  if (options_.all_signatures || size == head_checkpoint_size_) {
    Result<std::string> text = OpenNote(note, key_);
    if (!text.ok()) return Status(text.status().code(), "bad-signature", text.status().message());
    return ParseCheckpoint(*text);
  }
  size_t end = note.find("\n\n");  // the text ends at the blank line before the signatures
  if (end == std::string_view::npos) return DataLoss("checkpoint-mismatch", "the note has no signature");
  return ParseCheckpoint(note.substr(0, end + 1));
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
  if (head_checkpoint_size_ != n) {  // the daemon serves the checkpoint at its head's size
    return Fail(Finding::kCheckpointMismatch, n > 0 ? std::optional<uint64_t>(n - 1) : std::nullopt,
                "no checkpoint was signed at the head's tree size " + std::to_string(n));
  }
  return true;
}

// The log against the head read first (options_.as_of_head): checkpoints and entries past it were
// appended since, and are the next pass's.
bool Verifier::CheckHeadAsRead() {
  uint64_t n = range_.size();
  if (n < head_size_) {
    return Fail(Finding::kTruncated, n,
                "the log ends after " + std::to_string(n) + " entries but its head says " + std::to_string(head_size_));
  }
  if (chain_ != head_chain_) {
    return Fail(Finding::kMetaMismatch, std::nullopt, "the stored head does not match the recomputed chain head");
  }
  if (!head_checkpoint_checked_) {
    return Fail(Finding::kCheckpointMismatch, n > 0 ? std::optional<uint64_t>(n - 1) : std::nullopt,
                "no checkpoint was signed at the head's tree size " + std::to_string(n));
  }
  return true;
}

// The head's size (and chain hash), read before anything else: with options_.as_of_head, what
// is checked. A head that cannot be read is a finding then; otherwise CheckHead names it later.
bool Verifier::ReadHead() {
  Result<std::optional<std::string>> head = store_.Get(Column::kMeta, kMetaHead);
  const bool readable = head.ok() && *head && (*head)->size() == 8 + kHashBytes;
  if (!readable) {
    return !options_.as_of_head ||
           Fail(Finding::kMetaMismatch, std::nullopt, "the stored head record is missing or malformed");
  }
  head_size_ = *ParseBe64(std::string_view(**head).substr(0, 8));
  head_chain_ = HashFromBytes(std::string_view(**head).substr(8));
  return true;
}

Result<VerifyReport> Verifier::Run() {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> origin, store_.Get(Column::kMeta, std::string(kMetaOrigin)));
  if (!origin) {
    Fail(Finding::kMetaMismatch, std::nullopt, "the store records no origin");
    return report_;
  }
  origin_ = std::move(*origin);
  if (options_.balances) MZ_RETURN_IF_ERROR(OpenReplay());
  // Read before any cursor is opened: every cursor then sees all the head covers.
  if (!ReadHead()) return report_;
  if (options_.as_of_head) {
    head_checkpoint_size_ = head_size_;
  } else {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> last_checkpoint, store_.LastKey(Column::kCheckpoints));
    if (last_checkpoint) head_checkpoint_size_ = ParseBe64(*last_checkpoint);
  }
  checkpoints_ = store_.NewCursor(Column::kCheckpoints);
  checkpoints_->Seek(CheckpointKey(0));
  bool ok = CheckCheckpointsUpTo(0) && Continue();
  if (ok) {
    const bool with_records = options_.idempotency_records;
    RangedScan<EntryDigest> scan = EntryScan<EntryDigest>(
        store_, [with_records](const ScanChunk<EntryDigest>& c, size_t i, EntryDigest& d) {
          DigestEntry(c.values[i], with_records, d);
        });
    MZ_RETURN_IF_ERROR(scan.Run([&](const ScanChunk<EntryDigest>& c) { return ok = CheckEntries(c); }));
  }
  MZ_RETURN_IF_ERROR(checkpoints_->status());
  MZ_RETURN_IF_ERROR(tree_.status());
  MZ_RETURN_IF_ERROR(replay_error_);
  if (report_.stopped) return report_;
  // With as_of_head the scan stops at the head's size without a finding.
  ok = report_.ok();
  if (ok) ok = options_.as_of_head ? CheckHeadAsRead() : CheckHead();
  if (ok && options_.idempotency_records) {
    MZ_ASSIGN_OR_RETURN(ok, CheckIdempotencyRecords());
  }
  if (report_.stopped) return report_;
  if (ok && options_.balances) {
    MZ_ASSIGN_OR_RETURN(ok, CheckBalances());
  }
  report_.root = range_.Root();
  return report_;
}

// VerifyHead's checks, in order; the first finding ends them.
class HeadVerifier {
 public:
  HeadVerifier(const Store& store, const NoteVerifier& key) : store_(store), key_(key) {}

  Result<VerifyReport> Run(uint64_t last_entries) {
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> origin, store_.Get(Column::kMeta, std::string(kMetaOrigin)));
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> head, store_.Get(Column::kMeta, std::string(kMetaHead)));
    if (!origin) {
      Fail(Finding::kMetaMismatch, std::nullopt, "the store records no origin");
      return report_;
    }
    if (!head || head->size() != 8 + kHashBytes) {
      Fail(Finding::kMetaMismatch, std::nullopt, "the stored head record is missing or malformed");
      return report_;
    }
    size_ = *ParseBe64(std::string_view(*head).substr(0, 8));
    MZ_ASSIGN_OR_RETURN(bool ok, CheckCheckpoint(*origin));
    if (ok) MZ_RETURN_IF_ERROR(CheckLastEntries(last_entries, HashFromBytes(std::string_view(*head).substr(8))));
    return report_;
  }

 private:
  void Fail(Finding finding, std::optional<uint64_t> seq, std::string detail) {
    report_.finding = finding;
    report_.bad_seq = seq;
    report_.detail = std::move(detail);
  }
  std::optional<uint64_t> LastSeq() const { return size_ > 0 ? std::optional<uint64_t>(size_ - 1) : std::nullopt; }

  // The checkpoint at the head's size: signed by the key, of this log, its root that of the
  // stored tree (the nodes on its right edge, as the ledger's open reads them).
  Result<bool> CheckCheckpoint(const std::string& origin) {
    const std::string at = "the checkpoint at tree size " + std::to_string(size_);
    MZ_ASSIGN_OR_RETURN(std::optional<std::string> note, store_.Get(Column::kCheckpoints, CheckpointKey(size_)));
    if (!note) {
      Fail(Finding::kCheckpointMismatch, LastSeq(), "no checkpoint was signed at the head's tree size " + std::to_string(size_));
      return false;
    }
    Result<std::string> text = OpenNote(*note, key_);
    if (!text.ok()) {
      Fail(Finding::kBadSignature, LastSeq(), at + ": " + text.status().message());
      return false;
    }
    Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
    if (!checkpoint.ok() || checkpoint->tree_size != size_ || checkpoint->origin != origin) {
      Fail(Finding::kCheckpointMismatch, LastSeq(), at + " is malformed, of another size or of another log");
      return false;
    }
    Result<CompactRange> range =
        CompactRange::Load(size_, [this](int level, uint64_t index) { return ReadTreeNode(store_, level, index); });
    if (!range.ok() && range.status().code() != Code::kDataLoss) return range.status();
    if (!range.ok() || range->Root() != checkpoint->root_hash) {
      Fail(Finding::kCheckpointMismatch, LastSeq(), at + " has a root that differs from the stored tree");
      return false;
    }
    ++report_.checkpoints;
    report_.root = checkpoint->root_hash;
    return true;
  }

  // The last `count` entries: each where it belongs, hashing to its leaf, linked to the one
  // before; the last one's hash is the head's chain hash.
  Status CheckLastEntries(uint64_t count, const Hash& head_chain) {
    const uint64_t first = size_ > count ? size_ - count : 0;
    std::unique_ptr<Cursor> cursor = store_.NewCursor(Column::kEntries);
    cursor->Seek(EntryKey(first));
    std::optional<Hash> chain;  // the hash of the entry before; unknown before `first` unless at 0
    if (first == 0) chain = Hash{};
    uint64_t seq = first;
    for (; seq < size_ && cursor->Valid(); cursor->Next(), ++seq) {
      MZ_ASSIGN_OR_RETURN(bool ok, CheckEntry(seq, cursor->key(), cursor->value(), chain));
      if (!ok) return OkStatus();
      chain = Sha256(cursor->value());
    }
    MZ_RETURN_IF_ERROR(cursor->status());
    if (seq < size_) {
      Fail(Finding::kTruncated, seq,
           "the log ends after " + std::to_string(seq) + " entries but its head says " + std::to_string(size_));
    } else if (size_ > 0 && chain != head_chain) {
      Fail(Finding::kMetaMismatch, std::nullopt,
           "the stored head's chain hash is not the hash of the last entry, " + std::to_string(size_ - 1));
    }
    return OkStatus();
  }

  Result<bool> CheckEntry(uint64_t seq, std::string_view key, std::string_view bytes, const std::optional<Hash>& chain) {
    const std::string s = std::to_string(seq);
    std::optional<uint64_t> stored_seq = ParseBe64(key);
    if (!stored_seq || *stored_seq != seq) {
      Fail(Finding::kMissing, seq, "entry " + s + " is missing");
      return false;
    }
    v1::Entry entry;
    if (!entry.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      Fail(Finding::kModified, seq, "entry " + s + " does not decode");
      return false;
    }
    if (entry.seq() != seq) {
      Fail(Finding::kReordered, seq, "the entry stored at seq " + s + " says it is seq " + std::to_string(entry.seq()));
      return false;
    }
    Result<Hash> leaf = ReadTreeNode(store_, 0, seq);
    if (!leaf.ok() && leaf.status().code() != Code::kDataLoss) return leaf.status();
    if (!leaf.ok() || *leaf != LeafHash(bytes)) {
      Fail(Finding::kModified, seq, "entry " + s + " does not hash to the leaf the tree holds");
      return false;
    }
    if (chain && entry.prev_hash() != AsBytes(*chain)) {
      Fail(Finding::kModified, seq, "entry " + s + "'s prev_hash does not match the entry before it");
      return false;
    }
    ++report_.entries;
    return true;
  }

  const Store& store_;
  const NoteVerifier& key_;
  uint64_t size_ = 0;
  VerifyReport report_;
};

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

Result<VerifyReport> VerifyHead(const Store& store, const NoteVerifier& verifier, uint64_t last_entries) {
  MZ_RETURN_IF_ERROR(CheckTreeLayout(store));
  return HeadVerifier(store, verifier).Run(last_entries);
}

Result<VerifyReport> VerifyLog(const Store& store, const NoteVerifier& verifier, const VerifyOptions& options) {
  MZ_RETURN_IF_ERROR(CheckTreeLayout(store));
  Verifier v(store, verifier, options);
  return v.Run();
}

}  // namespace mingzhang
