// The ledger's storage: ordered key-value column families with atomic, optionally synced batches.
// Only store.cpp includes RocksDB; nothing of RocksDB appears in this header.
//
//   auto store = Store::Open(dir, {});
//   WriteSet ws;
//   ws.Put(Column::kEntries, key, bytes);
//   MZ_RETURN_IF_ERROR((*store)->Write(ws, /*sync=*/true));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/status.h"

namespace mingzhang {

// Column families. README "Storage layout" documents every key of each.
enum class Column : uint8_t {
  kEntries = 0,      // be64(seq) -> stored entry bytes
  kTree = 1,         // level(1 byte) || be64(index) -> 32-byte subtree hash
  kCheckpoints = 2,  // be64(tree size) -> signed checkpoint note
  kIdempotency = 3,  // principal || 0x00 || key -> be64(seq) || request fingerprint
  kIndex = 4,        // secondary indexes (by community, unit, ...)
  kState = 5,        // balances and aggregates kept in the same batch as the entries
  kAuth = 6,         // token hashes
  kMeta = 7,         // log identity and head
};
inline constexpr int kColumnCount = 8;
const char* ColumnName(Column column);

struct WriteOp {
  Column column;
  bool is_delete = false;
  std::string key;
  std::string value;
};

// An ordered list of writes that the store applies atomically.
class WriteSet {
 public:
  void Put(Column column, std::string key, std::string value);
  void Delete(Column column, std::string key);
  const std::vector<WriteOp>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t payload_bytes() const { return payload_bytes_; }

 private:
  std::vector<WriteOp> ops_;
  size_t payload_bytes_ = 0;
};

// A forward iterator over one column family, in key order.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual void Seek(std::string_view key) = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // REQUIRES: Valid(). The views are invalidated by the next Seek/Next.
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // An I/O or corruption error met while iterating; Valid() is false then.
  virtual Status status() const = 0;
};

// Storage faults, for tests only: which of the store's file writes and syncs fail, and how.
// store.cpp hands them to RocksDB through its FileSystem, so a fault takes the real path: the
// batch fails, RocksDB stops writing (its background-error state), and the store recovers on a
// later write once the fault has cleared. Nothing in mingzhangd sets one.
enum class FileOp { kWrite, kSync };
enum class StorageFault { kNone, kIoError, kNoSpace };

class StorageFaults {
 public:
  virtual ~StorageFaults() = default;
  // Asked before each append to (kWrite) and each sync of (kSync) a file of the store: its
  // write-ahead log, tables, manifest. `file` is the file's path. Any thread.
  virtual StorageFault Inject(FileOp op, std::string_view file) = 0;
};

// RocksDB's own default: how often it writes its statistics to the store's info log (LOG).
inline constexpr unsigned kStatsDumpPeriodSecondsDefault = 600;
// RocksDB's info log (LOG, then LOG.old) is cut at this size.
inline constexpr size_t kInfoLogBytesMax = 8 << 20;
// After a recovery attempt that failed past the probe (a reopen or DB::Resume that met the full
// disk again), writes are refused at once for this long rather than each paying another attempt.
inline constexpr int64_t kRecoveryRetryMs = 1000;

struct StoreOptions {
  bool read_only = false;
  bool create_if_missing = true;
  // An existing store that cannot be opened for writing because of a storage error (a full disk:
  // opening writes a manifest, an options file and a write-ahead log) is opened read-only
  // instead: reads are served, writes fail with that error, and the first write after the storage
  // takes a write again reopens it for writing (see Write).
  bool read_only_on_storage_error = false;
  size_t block_cache_bytes = 64 << 20;
  unsigned stats_dump_period_s = kStatsDumpPeriodSecondsDefault;  // 0: never
  // Called (on the writing thread) when writes stop after a storage error, with that error, and
  // when they are taken again, with OkStatus. Must not block or call back into the store.
  std::function<void(const Status&)> on_write_state;
  std::shared_ptr<StorageFaults> faults;  // tests only; empty: the plain file system
  // Benches only (bench/append_bench.cpp replays them into a bare RocksDB): sees each write set
  // the store is about to write, on the writing thread.
  std::function<void(const WriteSet&)> observe_writes;
};

// A consistent read of the store as of one write: what readers use so that every row they read
// belongs to the same durable batch. Holds the store's open instance while it lives (keep it for
// a request, not longer: a recovery that reopens the store waits for it).
class StoreView {
 public:
  virtual ~StoreView() = default;
  virtual Result<std::optional<std::string>> Get(Column column, std::string_view key) const = 0;
  virtual std::unique_ptr<Cursor> NewCursor(Column column) const = 0;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // nullopt when the key is absent.
  Result<std::optional<std::string>> Get(Column column, std::string_view key) const;
  // The value's `length` bytes from `offset` (fewer when it is shorter), copied from where RocksDB
  // holds it: a proof needs 32 bytes of each 1 KiB tree row it reads.
  Result<std::optional<std::string>> GetPart(Column column, std::string_view key, size_t offset, size_t length) const;
  // Many point reads of one column in one call (RocksDB batches the lookups).
  std::vector<Result<std::optional<std::string>>> MultiGet(Column column,
                                                           const std::vector<std::string>& keys) const;
  // Applies every op or none. With sync, returns only after the write-ahead log is fsynced.
  // A failed write leaves nothing of the batch (no later read sees it, and it does not come back
  // after a restart unless the crash came before the store recovered): Unavailable
  // "storage-full" (no space) or "storage-unavailable" (another I/O error). RocksDB then refuses
  // every write; the next Write first tries to recover (a small file written and synced to probe
  // the storage, then DB::Resume: the memtables are flushed and a new write-ahead log started,
  // leaving the failed batch behind) and fails the same way while the fault lasts. Reads go on
  // throughout.
  // When the store was opened read-only after a storage error (read_only_on_storage_error), the
  // same recovery reopens it for writing instead of DB::Resume. A recovery that fails past the
  // probe is not tried again for kRecoveryRetryMs.
  Status Write(const WriteSet& writes, bool sync);
  // Compacts every level of `column` into the last: after a bulk rewrite (the state rows built
  // again), so that readers do not step over what it deleted and overwrote.
  Status CompactColumn(Column column);
  // Whether writes are taken: OkStatus, or the storage error that stopped them. Touches no disk.
  Status WriteState() const;
  // Recovers now, as the next write would (a readiness check need not wait for a write), and
  // returns the resulting WriteState.
  Status Recover();
  // Lines of RocksDB's info log that could not be written (a full disk) and were dropped.
  uint64_t info_log_lines_dropped() const;
  // kScan: one pass over a whole column (verify, export): read ahead in large reads and leave
  // the block cache to what the daemon reads again.
  enum class Access { kPoint, kScan };
  std::unique_ptr<Cursor> NewCursor(Column column, Access access = Access::kPoint) const;
  // The store as of its last successful write (or its opening); see StoreView.
  std::shared_ptr<const StoreView> View() const;
  // The last key of a column, or nullopt when it is empty.
  Result<std::optional<std::string>> LastKey(Column column) const;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mingzhang
