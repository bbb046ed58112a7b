// The one file that includes RocksDB.
#include "ledger/log/store.h"

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

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace mingzhang {
namespace {

constexpr const char* kColumnNames[kColumnCount] = {
    "entries", "tree", "checkpoints", "idempotency", "index", "state", "auth", "meta"};

// DB::Open reports a failed options file as a plain I/O error whose message holds the cause, so a
// full disk is also recognised by the operating system's words for it.
bool IsNoSpace(const rocksdb::Status& s) {
  return s.IsNoSpace() || s.ToString().find(std::strerror(ENOSPC)) != std::string::npos;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return OkStatus();
  std::string message = what + ": " + s.ToString();
  if (s.IsNotFound()) return NotFound("not-found", message);
  if (s.IsCorruption()) return DataLoss("store-corrupt", message);
  if (s.IsInvalidArgument()) return InvalidArgument("store-invalid", message);
  if (IsNoSpace(s)) return Unavailable("storage-full", message);
  return Unavailable("storage-unavailable", message);
}

rocksdb::Slice ToSlice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

struct Instance;

// Holds the store's instance as long as it lives: a recovery that must close the instance waits
// for it (Store::Impl::CloseFailed).
struct Snapshot;

class RocksCursor final : public Cursor {
 public:
  RocksCursor(std::shared_ptr<const Instance> instance, rocksdb::Iterator* it,
              std::shared_ptr<const Snapshot> snapshot = nullptr)
      : instance_(std::move(instance)), snapshot_(std::move(snapshot)), it_(it) {}
  void Seek(std::string_view key) override { it_->Seek(ToSlice(key)); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  Status status() const override { return FromRocks(it_->status(), "iterating"); }

 private:
  std::shared_ptr<const Instance> instance_;
  std::shared_ptr<const Snapshot> snapshot_;  // what it reads, when it reads a snapshot
  std::unique_ptr<rocksdb::Iterator> it_;  // destroyed first: it must not outlive its instance
};

// What a read meets while no instance is open (a recovery's reopen that has not finished).
Status Reopening() {
  return Unavailable("storage-unavailable", "the store is being reopened after a storage error; retry shortly");
}

class FailedCursor final : public Cursor {
 public:
  explicit FailedCursor(Status status) : status_(std::move(status)) {}
  void Seek(std::string_view) override {}
  bool Valid() const override { return false; }
  void Next() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  Status status() const override { return status_; }

 private:
  Status status_;
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

// ---- RocksDB's info log ----------------------------------------------------------------------
//
// RocksDB 7.8's own info log writes through a WritableFileWriter, which asserts (in Debian's
// build: aborts the process) when it is used again after one of its writes failed. On a full disk
// the line after a failed one killed mingzhangd: while opening, when a write met the full disk,
// and at the next statistics dump. This logger writes each line with one write(2) and drops a
// line that cannot be written, counting it: nothing of the store's correctness rests on LOG.
class InfoLog final : public rocksdb::Logger {
 public:
  explicit InfoLog(const std::string& dir)
      : Logger(rocksdb::InfoLogLevel::INFO_LEVEL), path_(dir + "/LOG"), old_path_(dir + "/LOG.old") {}
  ~InfoLog() override {
    if (fd_ >= 0) ::close(fd_);
  }

  using Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    std::string line = FormatLine(format, ap);
    std::lock_guard<std::mutex> lock(mu_);
    if (fd_ < 0 || bytes_ + line.size() > kInfoLogBytesMax) OpenLocked();
    if (fd_ >= 0 && WriteAll(line)) {
      bytes_ += line.size();
    } else {
      dropped_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  static std::string FormatLine(const char* format, va_list ap) {
    using namespace std::chrono;
    const auto now_us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(now_us / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char prefix[64];
    const size_t prefix_bytes = std::strftime(prefix, sizeof(prefix), "%Y-%m-%dT%H:%M:%S", &utc);
    std::string line(prefix, prefix_bytes);
    std::snprintf(prefix, sizeof(prefix), ".%06lldZ %ld ", static_cast<long long>(now_us % 1'000'000),
                  static_cast<long>(::syscall(SYS_gettid)));
    line += prefix;
    va_list copy;
    va_copy(copy, ap);
    const int text_bytes = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    if (text_bytes > 0) {
      const size_t start = line.size();
      line.resize(start + static_cast<size_t>(text_bytes) + 1);
      std::vsnprintf(line.data() + start, static_cast<size_t>(text_bytes) + 1, format, ap);
      line.resize(start + static_cast<size_t>(text_bytes));
    }
    if (line.empty() || line.back() != '\n') line += '\n';
    return line;
  }

  // Opens LOG for appending, first moving a full one to LOG.old.
  void OpenLocked() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
      ::rename(path_.c_str(), old_path_.c_str());
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st {};
    bytes_ = fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  }

  bool WriteAll(std::string_view data) const {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  const std::string path_, old_path_;
  std::mutex mu_;
  int fd_ = -1;
  size_t bytes_ = 0;
  std::atomic<uint64_t> dropped_{0};
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
//      are never replayed. If it fails, the write fails, and for kRecoveryRetryMs so do the
//      next ones without another attempt.
// A store that could only be opened read-only (opening for writing met the full disk) recovers
// the same way, with a new read-write instance in place of DB::Resume. Corruption stays
// unrecoverable.
//
// DB::Resume starts a new log only when it flushes a memtable that holds something (RocksDB
// 7.8's FlushMemTable skips empty ones). When every memtable is empty (the failed write was the
// first since the last flush or recovery), it would keep the log writer that failed, and the next
// append to it trips RocksDB's assertion and aborts the process. Then everything acknowledged is
// in table files and the log files hold only failed batches, so the store closes the instance
// (waiting for readers), deletes the log files and opens a new read-write instance instead.
class StorageErrorListener final : public rocksdb::EventListener {
 public:
  explicit StorageErrorListener(std::function<void(const rocksdb::Status&)> stopped) : stopped_(std::move(stopped)) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    if (error->ok()) return;
    if (error->IsIOError() && error->severity() == rocksdb::Status::Severity::kFatalError) {
      *error = rocksdb::Status(*error, rocksdb::Status::Severity::kHardError);
    }
    stopped_(*error);
  }
  // One recovery path for every error: ours, on the next write, rather than a background retry.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  std::function<void(const rocksdb::Status&)> stopped_;
};

constexpr size_t kProbeBytes = 4096;
// How long a recovery that must close the instance waits for readers and cursors to let go, and
// a reader for the instance that replaces it.
constexpr auto kReopenWait = std::chrono::seconds(2);

// Whether DB::Resume would start a new write-ahead log (see above).
bool MemtablesHoldData(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* h : handles) {
    uint64_t active = 0;
    uint64_t immutable = 0;
    if (!db.GetIntProperty(h, rocksdb::DB::Properties::kNumEntriesActiveMemTable, &active) ||
        !db.GetIntProperty(h, rocksdb::DB::Properties::kNumEntriesImmMemTables, &immutable) || active + immutable > 0) {
      return true;  // unknown counts as data: DB::Resume, the path that never deletes a log
    }
  }
  return false;
}

// The write-ahead log files in a store directory: NNNNNN.log.
std::vector<std::filesystem::path> LogFiles(const std::string& dir) {
  std::vector<std::filesystem::path> logs;
  std::error_code ec;
  for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = file.path().filename().string();
    if (name.size() > 4 && name.ends_with(".log") &&
        name.find_first_not_of("0123456789") == name.size() - 4) {
      logs.push_back(file.path());
    }
  }
  return logs;
}
// A scan reads ahead this much from its first read; RocksDB's own readahead grows to it only
// after a few reads of a file. 2 MiB measured no faster (bench/RESULTS.md).
constexpr size_t kScanReadaheadBytes = 256 << 10;
constexpr int kBlockCacheShardBits = 2;

rocksdb::ColumnFamilyOptions ColumnOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the block cache, partitioned, with only their top level
  // pinned: otherwise every table's whole index and filter stay in memory for as long as it is
  // open, and memory grows with the log (10 bits a key: ~150 MiB at 10M entries).
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Most point reads miss (a new idempotency key, an unknown id): a bloom filter over the
  // memtable answers those without walking its skip list.
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

// A RocksDB snapshot, released when the last reader lets go of it.
struct Snapshot {
  explicit Snapshot(rocksdb::DB* database) : db(database), snapshot(database->GetSnapshot()) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  rocksdb::DB* db;
  const rocksdb::Snapshot* snapshot;
  ~Snapshot() {
    if (snapshot != nullptr) db->ReleaseSnapshot(snapshot);
  }
};

// One RocksDB instance open on the store's directory, with its column families.
struct Instance {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // index kColumnCount is "default"
  bool read_only = false;
  // The snapshot after the last successful write: what StoreView reads. Taken under publish_mu
  // so that two writers never publish out of order.
  mutable std::mutex publish_mu;
  mutable std::shared_ptr<const Snapshot> published;

  rocksdb::ColumnFamilyHandle* handle(Column c) const { return handles[static_cast<int>(c)]; }
  void Publish() const {
    std::lock_guard<std::mutex> lock(publish_mu);
    published = std::make_shared<const Snapshot>(db.get());
  }
  std::shared_ptr<const Snapshot> Published() const {
    std::lock_guard<std::mutex> lock(publish_mu);
    return published;
  }
  ~Instance() {
    published.reset();  // before the database it belongs to closes
    if (!db) return;
    // A clean close leaves no write-ahead log to replay: the next start reads only the head.
    if (!read_only) db->Flush(rocksdb::FlushOptions(), handles).PermitUncheckedError();
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db->Close().PermitUncheckedError();
  }
};

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
  rocksdb::DBOptions db_options;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  std::function<void(const Status&)> on_write_state;
  std::function<void(const WriteSet&)> observe_writes;
  // Declared before the instances, which use them until they are deleted.
  std::unique_ptr<rocksdb::Env> env;        // with faults only
  std::shared_ptr<rocksdb::FileSystem> fs;  // what the store's files are written through
  std::shared_ptr<InfoLog> info_log;

  // Set when writes stopped after a storage error (or the store was opened read-only after one);
  // cleared once recovered. write_error says why, under error_mu.
  std::atomic<bool> stopped{false};
  mutable std::mutex error_mu;
  Status write_error;

  std::mutex resume_mu;  // one recovery at a time; guards what follows
  std::chrono::steady_clock::time_point retry_after{};
  // The instance reads and writes use. Each read, write and cursor holds it (shared_ptr) while it
  // runs, so a replaced instance closes when the last of them lets go. Empty only while a
  // recovery closes a failed read-write instance to open it again (RocksDB allows one per
  // directory): readers wait for the new one (gate_cv), for at most kReopenWait.
  std::atomic<std::shared_ptr<const Instance>> current;
  mutable std::mutex gate_mu;
  mutable std::condition_variable gate_cv;

  std::shared_ptr<const Instance> Acquire() const {
    std::shared_ptr<const Instance> in = current.load();
    if (in) return in;
    std::unique_lock<std::mutex> lock(gate_mu);
    gate_cv.wait_for(lock, kReopenWait, [&] { return (in = current.load()) != nullptr; });
    return in;
  }

  Result<std::unique_ptr<Instance>> OpenInstance(bool read_only) {
    auto in = std::make_unique<Instance>();
    in->read_only = read_only;
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = read_only ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &in->handles, &db)
                                  : rocksdb::DB::Open(db_options, dir, descriptors, &in->handles, &db);
    if (!s.ok()) return FromRocks(s, std::string("opening store ") + dir + (read_only ? " read-only" : ""));
    in->db.reset(db);
    return in;
  }

  void Install(std::shared_ptr<const Instance> in) {
    in->Publish();
    {
      std::lock_guard<std::mutex> lock(gate_mu);
      current.store(std::move(in));
    }
    gate_cv.notify_all();
  }

  // Records that writes stopped, saying why; tells on_write_state on the change.
  void MarkStopped(const Status& error) {
    {
      std::lock_guard<std::mutex> lock(error_mu);
      write_error = error;
    }
    if (!stopped.exchange(true) && on_write_state) on_write_state(error);
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

  Status ResumeOrReopen() {
    std::shared_ptr<const Instance> in = current.load();
    if (in && !in->read_only) {
      if (MemtablesHoldData(*in->db, in->handles)) return FromRocks(in->db->Resume(), "resuming after a storage error");
      MZ_RETURN_IF_ERROR(CloseFailed(std::move(in)));
      for (const std::filesystem::path& log : LogFiles(dir)) {
        fs->DeleteFile(log.string(), rocksdb::IOOptions(), nullptr).PermitUncheckedError();
      }
    }
    // From a read-only instance, or none (closed above, or after an open that failed): open for
    // writing; failing that, serve reads from a read-only instance (it writes nothing) and
    // recover from it later, as after a start on a full disk.
    Result<std::unique_ptr<Instance>> writable = OpenInstance(/*read_only=*/false);
    if (writable.ok()) {
      Install(std::move(writable).value());
      return OkStatus();
    }
    if (!current.load()) {
      Result<std::unique_ptr<Instance>> readable = OpenInstance(/*read_only=*/true);
      if (readable.ok()) Install(std::move(readable).value());  // else reads fail until a recovery opens one
    }
    return writable.status();
  }

  // Takes the failed read-write instance out of use and closes it once its readers let go (see
  // "recovery from storage errors"); puts it back if they do not within kReopenWait.
  Status CloseFailed(std::shared_ptr<const Instance> failed) {
    current.store(nullptr);
    const auto deadline = std::chrono::steady_clock::now() + kReopenWait;
    while (failed.use_count() > 1) {
      if (std::chrono::steady_clock::now() > deadline) {
        Install(std::move(failed));
        return Unavailable("storage-unavailable", "recovering the storage: readers did not let go of the store");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return OkStatus();  // `failed` is the last holder: the instance closes here
  }

  Status Recover() {
    if (!stopped) return OkStatus();
    std::lock_guard<std::mutex> lock(resume_mu);
    if (!stopped) return OkStatus();
    if (std::chrono::steady_clock::now() < retry_after) return WriteState();
    if (Status probe = Probe(); !probe.ok()) {
      MarkStopped(probe);
      return probe;
    }
    if (Status s = ResumeOrReopen(); !s.ok()) {
      retry_after = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRecoveryRetryMs);
      MarkStopped(s);
      return s;
    }
    stopped = false;
    if (on_write_state) on_write_state(OkStatus());
    return OkStatus();
  }

  Status WriteState() const {
    if (!stopped) return OkStatus();
    std::lock_guard<std::mutex> lock(error_mu);
    return write_error;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->on_write_state = options.on_write_state;
  impl->observe_writes = options.observe_writes;
  rocksdb::DBOptions& db_options = impl->db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.stats_dump_period_sec = options.stats_dump_period_s;
  // Stores written before InfoLog have RocksDB's own LOG.old.<time> files: keep few of them.
  db_options.keep_log_file_num = 4;
  // Few shards: an index or filter block larger than its shard's share of the cache would be read
  // again at every seek (tables written before the index was partitioned have ~1 MiB ones).
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes, kBlockCacheShardBits);
  for (int i = 0; i < kColumnCount; ++i) impl->descriptors.emplace_back(kColumnNames[i], ColumnOptions(cache));
  impl->descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, ColumnOptions(cache));

  Impl* raw = impl.get();
  db_options.listeners.push_back(std::make_shared<StorageErrorListener>(
      [raw](const rocksdb::Status& error) { raw->MarkStopped(FromRocks(error, "in the background")); }));
  impl->fs = rocksdb::FileSystem::Default();
  if (options.faults) {
    impl->fs = std::make_shared<FaultyFileSystem>(options.faults);
    impl->env = rocksdb::NewCompositeEnv(impl->fs);
    db_options.env = impl->env.get();
  }
  // A read-only open writes nothing, so it needs no info log (nor makes a LOG file).
  if (!options.read_only) {
    std::error_code ec;
    // RocksDB makes it too, but writes its first log lines before.
    if (options.create_if_missing) std::filesystem::create_directories(dir, ec);
    impl->info_log = std::make_shared<InfoLog>(dir);
    db_options.info_log = impl->info_log;
  }
  Result<std::unique_ptr<Instance>> in = impl->OpenInstance(options.read_only);
  if (!in.ok() && options.read_only_on_storage_error && in.status().code() == Code::kUnavailable) {
    Status cause = in.status();
    in = impl->OpenInstance(/*read_only=*/true);
    if (in.ok()) {
      Status probe = impl->Probe();  // says whether the disk is full where DB::Open's words may not
      impl->MarkStopped(probe.ok() ? cause : probe);
    }
  }
  if (!in.ok()) return in.status();
  impl->Install(std::move(in).value());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<std::optional<std::string>> Store::Get(Column column, std::string_view key) const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return Reopening();
  const Instance& in = *held;
  std::string value;
  rocksdb::Status s = in.db->Get(rocksdb::ReadOptions(), in.handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> Store::GetPart(Column column, std::string_view key, size_t offset,
                                                  size_t length) const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return Reopening();
  const Instance& in = *held;
  rocksdb::PinnableSlice value;
  rocksdb::Status s = in.db->Get(rocksdb::ReadOptions(), in.handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
  std::string_view whole(value.data(), value.size());
  return std::optional<std::string>(offset < whole.size() ? whole.substr(offset, length) : std::string_view());
}

std::vector<Result<std::optional<std::string>>> Store::MultiGet(Column column,
                                                                const std::vector<std::string>& keys) const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return std::vector<Result<std::optional<std::string>>>(keys.size(), Reopening());
  const Instance& in = *held;
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  in.db->MultiGet(rocksdb::ReadOptions(), in.handle(column), keys.size(), slices.data(), values.data(),
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
  MZ_RETURN_IF_ERROR(impl_->Recover());
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return Reopening();
  const Instance& in = *held;
  if (impl_->observe_writes) impl_->observe_writes(writes);
  rocksdb::WriteBatch batch(writes.payload_bytes() + writes.ops().size() * 16);
  for (const WriteOp& op : writes.ops()) {
    rocksdb::Status s = op.is_delete ? batch.Delete(in.handle(op.column), ToSlice(op.key))
                                     : batch.Put(in.handle(op.column), ToSlice(op.key), ToSlice(op.value));
    if (!s.ok()) return FromRocks(s, "building batch");
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  rocksdb::Status s = in.db->Write(write_options, &batch);
  if (s.ok()) in.Publish();
  Status written = FromRocks(s, "writing batch");
  // The listener has already marked the store stopped when RocksDB took this as a background error.
  if (s.IsIOError()) impl_->MarkStopped(written);
  return written;
}

Status Store::CompactColumn(Column column) {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return Reopening();
  return FromRocks(held->db->CompactRange(rocksdb::CompactRangeOptions(), held->handle(column), nullptr, nullptr),
                   std::string("compacting ") + ColumnName(column));
}

Status Store::WriteState() const { return impl_->WriteState(); }

Status Store::Recover() { return impl_->Recover(); }

uint64_t Store::info_log_lines_dropped() const { return impl_->info_log ? impl_->info_log->dropped() : 0; }

std::unique_ptr<Cursor> Store::NewCursor(Column column, Access access) const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return std::make_unique<FailedCursor>(Reopening());
  const Instance& in = *held;
  rocksdb::ReadOptions read_options;
  if (access == Access::kScan) {
    read_options.fill_cache = false;
    read_options.readahead_size = kScanReadaheadBytes;
  }
  rocksdb::Iterator* it = in.db->NewIterator(read_options, in.handle(column));
  return std::make_unique<RocksCursor>(std::move(held), it);
}

namespace {

class SnapshotView final : public StoreView {
 public:
  SnapshotView(std::shared_ptr<const Instance> instance, std::shared_ptr<const Snapshot> snapshot)
      : instance_(std::move(instance)), snapshot_(std::move(snapshot)) {}

  Result<std::optional<std::string>> Get(Column column, std::string_view key) const override {
    std::string value;
    rocksdb::Status s = instance_->db->Get(Options(), instance_->handle(column), ToSlice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, std::string("reading ") + ColumnName(column));
    return std::optional<std::string>(std::move(value));
  }
  std::unique_ptr<Cursor> NewCursor(Column column) const override {
    return std::make_unique<RocksCursor>(instance_, instance_->db->NewIterator(Options(), instance_->handle(column)),
                                         snapshot_);
  }

 private:
  rocksdb::ReadOptions Options() const {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_ ? snapshot_->snapshot : nullptr;
    return options;
  }
  std::shared_ptr<const Instance> instance_;  // declared first: destroyed after the snapshot
  std::shared_ptr<const Snapshot> snapshot_;
};

class FailedView final : public StoreView {
 public:
  Result<std::optional<std::string>> Get(Column, std::string_view) const override { return Reopening(); }
  std::unique_ptr<Cursor> NewCursor(Column) const override { return std::make_unique<FailedCursor>(Reopening()); }
};

}  // namespace

std::shared_ptr<const StoreView> Store::View() const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return std::make_shared<FailedView>();
  std::shared_ptr<const Snapshot> snapshot = held->Published();
  return std::make_shared<SnapshotView>(std::move(held), std::move(snapshot));
}

Result<std::optional<std::string>> Store::LastKey(Column column) const {
  std::shared_ptr<const Instance> held = impl_->Acquire();
  if (!held) return Reopening();
  const Instance& in = *held;
  std::unique_ptr<rocksdb::Iterator> it(in.db->NewIterator(rocksdb::ReadOptions(), in.handle(column)));
  it->SeekToLast();
  if (it->Valid()) return std::optional<std::string>(it->key().ToString());
  MZ_RETURN_IF_ERROR(FromRocks(it->status(), "seeking last key"));
  return std::optional<std::string>();
}

}  // namespace mingzhang
