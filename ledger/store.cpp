// The one file that includes RocksDB.
#include "ledger/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <mutex>

namespace mingzhang {
namespace {

constexpr const char* kColumnNames[kColumnCount] = {
    "entries", "tree", "checkpoints", "idempotency", "index", "state", "auth", "meta"};

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return OkStatus();
  std::string message = what + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound("not-found", message);
  if (s.IsCorruption()) return DataLoss("store-corrupt", message);
  if (s.IsInvalidArgument()) return InvalidArgument("store-invalid", message);
  if (s.IsNoSpace()) return Unavailable("storage-full", message);
  return Unavailable("storage-unavailable", message);
}

rocksdb::Slice ToSlice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

class RocksCursor final : public Cursor {
 public:
  explicit RocksCursor(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  Status status() const override { return FromRocks(it_->status(), "iterating"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

// ---- storage faults (tests) ------------------------------------------------------------------

rocksdb::IOStatus Injected(StorageFault fault, FileOp op, const std::string& file) {
  std::string what = std::string(op == FileOp::kWrite ? "write" : "sync") + " of " + file + " failed (injected)";
  if (fault == StorageFault::kNoSpace) return rocksdb::IOStatus::NoSpace(what);
  return rocksdb::IOStatus::IOError(what);
}

// A file of the store whose appends and syncs first ask the test's StorageFaults.
class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name, std::shared_ptr<StorageFaults> faults)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), faults_(std::move(faults)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kWrite); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kWrite); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kWrite); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kWrite); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kSync); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kSync); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t bytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (auto s = Check(FileOp::kSync); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::RangeSync(offset, bytes, options, dbg);
  }

 private:
  rocksdb::IOStatus Check(FileOp op) {
    StorageFault fault = faults_->Inject(op, name_);
    return fault == StorageFault::kNone ? rocksdb::IOStatus::OK() : Injected(fault, op, name_);
  }

  std::string name_;
  std::shared_ptr<StorageFaults> faults_;
};

// The default file system with every writable file it opens wrapped in a FaultyFile.
class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultyFileSystem(std::shared_ptr<StorageFaults> faults)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), faults_(std::move(faults)) {}
  const char* Name() const override { return "MingzhangFaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    return Wrap(name, target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return Wrap(name, target()->ReopenWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    return Wrap(name, target()->ReuseWritableFile(name, old_name, options, result, dbg), result);
  }

 private:
  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (opened.ok()) *result = std::make_unique<FaultyFile>(std::move(*result), name, faults_);
    return opened;
  }

  std::shared_ptr<StorageFaults> faults_;
};

// ---- recovery from storage errors ------------------------------------------------------------
//
// What RocksDB 7.8 does: after a failed write-ahead-log append or sync, a failed flush or a
// failed manifest write it stops all writes (its background error) and keeps serving reads. A
// failed batch never reaches the memtables, though its bytes may be in the log file (a sync that
// failed after the append). It grades a plain I/O error there "fatal", which DB::Resume()
// refuses (only a restart would recover, and its log replay could bring the failed batch back),
// and a full disk "hard", which its SstFileManager resumes from on its own once it sees space.
//
// What the store does, on the first write after a failure (never in the background):
//   1. probe: a small file written and synced through the same file system; while that fails,
//      the write fails at once and RocksDB is left alone (reads go on);
//   2. DB::Resume(), every I/O error having been graded "hard" so that it is allowed: it
//      flushes the memtables and starts a new log, so the failed batches, left in the old log,
//      are never replayed. If it fails, the write fails, and the next one tries again.
// Corruption stays unrecoverable.
class StorageErrorListener final : public rocksdb::EventListener {
 public:
  explicit StorageErrorListener(std::atomic<bool>& stopped) : stopped_(stopped) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (error->ok()) return;
    if (error->IsIOError() && error->severity() == rocksdb::Status::Severity::kFatalError) {
      *error = rocksdb::Status(*error, rocksdb::Status::Severity::kHardError);
    }
    stopped_.store(true);
  }
  // One recovery path for every error: ours, on the next write, rather than a background retry.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  std::atomic<bool>& stopped_;
};

constexpr size_t kProbeBytes = 4096;
// A scan reads ahead this much from its first read; RocksDB's own readahead grows to it only
// after a few reads of a file. 2 MiB measured no faster (bench/RESULTS.md).
constexpr size_t kScanReadaheadBytes = 256 << 10;

rocksdb::ColumnFamilyOptions ColumnOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Most point reads miss (a new idempotency key, an unknown id): a bloom filter over the
  // memtable answers those without walking its skip list.
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

}  // namespace

const char* ColumnName(Column column) { return kColumnNames[static_cast<int>(column)]; }

void WriteSet::Put(Column column, std::string key, std::string value) {
  payload_bytes_ += key.size() + value.size();
  ops_.push_back(WriteOp{column, false, std::move(key), std::move(value)});
}

void WriteSet::Delete(Column column, std::string key) {
  payload_bytes_ += key.size();
  ops_.push_back(WriteOp{column, true, std::move(key), {}});
}

struct Store::Impl {
  std::string dir;
  // Declared before db, which uses them until it is deleted.
  std::unique_ptr<rocksdb::Env> env;        // with faults only
  std::shared_ptr<rocksdb::FileSystem> fs;  // what the store's files are written through
  // Set when RocksDB stopped writing after a storage error; cleared once it has resumed.
  std::atomic<bool> stopped{false};
  std::mutex resume_mu;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // index kColumnCount is "default"

  rocksdb::ColumnFamilyHandle* handle(Column c) const { return handles[static_cast<int>(c)]; }

  ~Impl() {
    if (!db) return;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }

  // Whether the storage takes a write and a sync again.
  Status Probe() {
    const std::string path = dir + "/RECOVERY-PROBE";
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = fs->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
    if (s.ok()) s = file->Append(rocksdb::Slice(std::string(kProbeBytes, '\0')), rocksdb::IOOptions(), nullptr);
    if (s.ok()) s = file->Sync(rocksdb::IOOptions(), nullptr);
    if (file) file->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    fs->DeleteFile(path, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    return FromRocks(s, "the storage still fails");
  }

  Status ResumeIfStopped() {
    if (!stopped) return OkStatus();
    std::lock_guard<std::mutex> lock(resume_mu);
    if (!stopped) return OkStatus();
    MZ_RETURN_IF_ERROR(Probe());
    MZ_RETURN_IF_ERROR(FromRocks(db->Resume(), "resuming after a storage error"));
    stopped = false;
    return OkStatus();
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  // Every committed batch is fsynced by its writer; background flushes need no extra syncs.
  db_options.keep_log_file_num = 4;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnCount; ++i) descriptors.emplace_back(kColumnNames[i], ColumnOptions(cache));
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, ColumnOptions(cache));

  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  db_options.listeners.push_back(std::make_shared<StorageErrorListener>(impl->stopped));
  impl->fs = rocksdb::FileSystem::Default();
  if (options.faults) {
    impl->fs = std::make_shared<FaultyFileSystem>(options.faults);
    impl->env = rocksdb::NewCompositeEnv(impl->fs);
    db_options.env = impl->env.get();
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &impl->handles, &db)
          : rocksdb::DB::Open(db_options, dir, descriptors, &impl->handles, &db);
  if (!s.ok()) return FromRocks(s, "opening store " + dir);
  impl->db.reset(db);
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::optional<std::string>> Store::Get(Column column, std::string_view key) const {
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> Store::GetPart(Column column, std::string_view key, size_t offset,
                                                  size_t length) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
  std::string_view whole(value.data(), value.size());
  return std::optional<std::string>(offset < whole.size() ? whole.substr(offset, length) : std::string_view());
}

std::vector<Result<std::optional<std::string>>> Store::MultiGet(Column column,
                                                                const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->handle(column), keys.size(), slices.data(), values.data(),
                      statuses.data());
  std::vector<Result<std::optional<std::string>>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      out.emplace_back(std::optional<std::string>());
    } else if (!statuses[i].ok()) {
      out.emplace_back(FromRocks(statuses[i], std::string("reading ") + ColumnName(column)));
    } else {
      out.emplace_back(std::optional<std::string>(values[i].ToString()));
    }
  }
  return out;
}

Status Store::Write(const WriteSet& writes, bool sync) {
  MZ_RETURN_IF_ERROR(impl_->ResumeIfStopped());
  rocksdb::WriteBatch batch(writes.payload_bytes() + writes.ops().size() * 16);
  for (const WriteOp& op : writes.ops()) {
    rocksdb::Status s = op.is_delete ? batch.Delete(impl_->handle(op.column), ToSlice(op.key))
                                     : batch.Put(impl_->handle(op.column), ToSlice(op.key), ToSlice(op.value));
    if (!s.ok()) return FromRocks(s, "building batch");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  rocksdb::Status s = impl_->db->Write(write_options, &batch);
  // The listener has already marked the store stopped when RocksDB took this as a background error.
  if (s.IsIOError()) impl_->stopped = true;
  return FromRocks(s, "writing batch");
}

std::unique_ptr<Cursor> Store::NewCursor(Column column, Access access) const {
  rocksdb::ReadOptions read_options;
  if (access == Access::kScan) {
    read_options.fill_cache = false;
    read_options.readahead_size = kScanReadaheadBytes;
  }
  return std::make_unique<RocksCursor>(impl_->db->NewIterator(read_options, impl_->handle(column)));
}

Result<std::optional<std::string>> Store::LastKey(Column column) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(column)));
  it->SeekToLast();
  if (it->Valid()) return std::optional<std::string>(it->key().ToString());
  MZ_RETURN_IF_ERROR(FromRocks(it->status(), "seeking last key"));
  return std::optional<std::string>();
}

}  // namespace mingzhang
