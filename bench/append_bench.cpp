// Durable appends per second through the ledger, beside raw RocksDB WriteBatches of the same
// entry bytes with sync = true, measured in the same run on the same disk; and beside raw
// RocksDB writing everything the ledger wrote, batch by batch, which tells what part of the gap
// is the ledger's own bytes going through RocksDB and what part is the ledger's work.
//
//   append_bench [--dir /path/on/the/disk/to/test] [--scale 1.0] [--batch 1024]
//
// Prints one row per batch size: ledger entries/s, raw entries/s and the ratio, raw entries/s
// writing the ledger's writes and the ratio.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_district.h"
#include "ledger/log/keys.h"
#include "ledger/views/district.h"
#include "ledger/log/store.h"
#include "ledger/log/tree_rows.h"

namespace mingzhang::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kUnits = 2'000;

struct Config {
  std::string dir = std::filesystem::temp_directory_path().string();
  double scale = 1.0;
  size_t only_batch = 0;  // 0: all of 1, 64, 1024
};

// What a run appended: each entry's stored bytes and its idempotency record's key; seq of the first.
struct Appended {
  uint64_t first_seq = 0;
  std::vector<std::string> bytes;
  std::vector<std::string> idempotency_keys;
};

// Appends n entries with at most `batch` per group commit; returns entries/s.
double LedgerRun(const std::string& dir, size_t batch, size_t n, Appended* appended) {
  LedgerOptions options;
  options.data_dir = dir;
  options.origin = "mingzhang.bench/append";
  options.batch_entries_max = batch;
  auto ledger = District::Open(options);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    std::exit(1);
  }
  RegisterCommunity(**ledger, "bench-garden", kUnits);
  // Requests are built before the clock starts, as the raw baseline's bytes are.
  std::vector<v1::Entry> requests;
  requests.reserve(n);
  for (size_t i = 0; i < n; ++i) requests.push_back(MonthlyPayment("bench-garden", kUnits, i, "2025-10"));
  appended->bytes.resize(n);
  appended->idempotency_keys.resize(n);
  appended->first_seq = (*ledger)->head().tree_size;
  double seconds = AppendAll(
      **ledger, n, batch, [&](size_t i) { return std::move(requests[i]); },
      [&](size_t i, StoredEntry& e) {
        appended->bytes[i] = std::move(e.bytes);
        appended->idempotency_keys[i] = IdempotencyKey(e.entry.actor().principal_id(), e.entry.idempotency_key());
      });
  Ledger::Stats stats = (*ledger)->stats();
  std::fprintf(stderr, "  ledger: %llu group commits, %.1f entries each on average\n",
               static_cast<unsigned long long>(stats.batches), static_cast<double>(stats.appends) / stats.batches);
  return n / seconds;
}

// A fresh RocksDB with RocksDB's default options, holding the default column family and one per
// name given: the ledger's writes go to a column family per kind, as the ledger's store puts
// them, so each kind is inserted into a memtable of its own.
class RawDb {
 public:
  RawDb(const std::string& dir, const std::vector<std::string>& columns) {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::exit(1);
    db_.reset(raw);
    for (const std::string& name : columns) {
      rocksdb::ColumnFamilyHandle* handle = nullptr;
      if (!db_->CreateColumnFamily(rocksdb::ColumnFamilyOptions(options), name, &handle).ok()) std::exit(1);
      columns_.push_back(handle);
    }
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* handle : columns_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  rocksdb::ColumnFamilyHandle* column(size_t i) const { return columns_[i]; }

  // Writes the batches with sync = true; returns `entries` / the seconds it took.
  double TimeWrites(std::vector<rocksdb::WriteBatch>& batches, size_t entries) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    auto start = Clock::now();
    for (rocksdb::WriteBatch& wb : batches) {
      if (!db_->Write(sync, &wb).ok()) std::exit(1);
    }
    return entries / std::chrono::duration<double>(Clock::now() - start).count();
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> columns_;
};

// Keys, values and WriteBatch framing: what goes to the write-ahead log.
double BatchBytes(const std::vector<rocksdb::WriteBatch>& batches) {
  double bytes = 0;
  for (const rocksdb::WriteBatch& wb : batches) bytes += static_cast<double>(wb.GetDataSize());
  return bytes;
}

// The entries' bytes as plain key-value pairs, `batch` to a WriteBatch.
std::vector<rocksdb::WriteBatch> EntryBatches(size_t batch, const std::vector<std::string>& bytes) {
  std::vector<rocksdb::WriteBatch> batches;
  for (size_t i = 0; i < bytes.size(); i += batch) {
    rocksdb::WriteBatch& wb = batches.emplace_back();
    for (size_t j = i; j < std::min(bytes.size(), i + batch); ++j) wb.Put(EntryKey(j), bytes[j]).PermitUncheckedError();
  }
  return batches;
}

// A value the ledger wrote; the bench stops when it is not there.
std::string Read(const Store& store, Column column, const std::string& key) {
  Result<std::optional<std::string>> value = store.Get(column, key);
  if (!value.ok() || !*value) {
    std::fprintf(stderr, "append_bench: a value the ledger wrote cannot be read back\n");
    std::exit(1);
  }
  return **value;
}

// The raw database's column families for the ledger's writes, in this order.
enum RawColumn { kRawEntries, kRawIdempotency, kRawTree, kRawCheckpoints, kRawMeta };
const std::vector<std::string> kRawColumns = {"entries", "idempotency", "tree", "checkpoints", "meta"};

// What the ledger wrote for its group commit of seqs [from, to), read back from its store: the
// entries, their idempotency records, each tree row as the commit left it, the checkpoint and
// the head, each in the raw database's column family of its kind. The few balances a commit
// changes are left out.
void AddCommitWrites(const Store& store, const Appended& a, uint64_t from, uint64_t to, const RawDb& raw,
                     rocksdb::WriteBatch& wb) {
  auto put = [&](RawColumn column, const std::string& key, const std::string& value) {
    wb.Put(raw.column(column), key, value).PermitUncheckedError();
  };
  for (uint64_t seq = from; seq < to; ++seq) {
    put(kRawEntries, EntryKey(seq), a.bytes[seq - a.first_seq]);
    const std::string& key = a.idempotency_keys[seq - a.first_seq];
    put(kRawIdempotency, key, Read(store, Column::kIdempotency, key));
  }
  for (int level = 0; (to >> level) > 0; ++level) {
    const uint64_t first = from >> level, end = to >> level;  // the nodes the commit completed
    for (uint64_t row = first >> kTreeRowShift; first < end && row <= (end - 1) >> kTreeRowShift; ++row) {
      const uint64_t nodes = std::min(end, (row + 1) << kTreeRowShift) - (row << kTreeRowShift);
      put(kRawTree, TreeKey(level, row), Read(store, Column::kTree, TreeKey(level, row)).substr(0, nodes * kHashBytes));
    }
  }
  put(kRawCheckpoints, CheckpointKey(to), Read(store, Column::kCheckpoints, CheckpointKey(to)));
  put(kRawMeta, "head", Be64(to) + std::string(kHashBytes, '\0'));
}

// The ledger's writes of a finished run, one WriteBatch per group commit (a checkpoint marks the
// end of each).
std::vector<rocksdb::WriteBatch> LedgerBatches(const std::string& ledger_dir, const Appended& a, const RawDb& raw) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(ledger_dir + "/" + kStoreDirName, options);
  if (!store.ok()) {
    std::fprintf(stderr, "append_bench: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  std::vector<rocksdb::WriteBatch> batches;
  const uint64_t end = a.first_seq + a.bytes.size();
  uint64_t from = a.first_seq;
  std::unique_ptr<Cursor> checkpoints = (*store)->NewCursor(Column::kCheckpoints);
  for (checkpoints->Seek(CheckpointKey(from + 1)); checkpoints->Valid() && from < end; checkpoints->Next()) {
    const uint64_t to = *ParseBe64(checkpoints->key());
    AddCommitWrites(**store, a, from, to, raw, batches.emplace_back());
    from = to;
  }
  if (from != end) {
    std::fprintf(stderr, "append_bench: no checkpoint at the end of the run\n");
    std::exit(1);
  }
  return batches;
}

int Main(const Config& config) {
  std::printf("%-8s %10s %14s %14s %8s %20s %8s\n", "batch", "entries", "ledger/s", "raw rocksdb/s", "ratio",
              "raw, ledger's writes", "ratio");
  for (size_t batch : {size_t{1}, size_t{64}, size_t{1024}}) {
    if (config.only_batch != 0 && batch != config.only_batch) continue;
    size_t n = static_cast<size_t>(config.scale * (batch == 1 ? 2'000 : batch == 64 ? 25'600 : 102'400));
    auto base = std::filesystem::path(config.dir) / ("mingzhang-append-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    Appended appended;
    double ledger_rate = LedgerRun((base / "ledger").string(), batch, n, &appended);
    std::vector<rocksdb::WriteBatch> entry_batches = EntryBatches(batch, appended.bytes);
    double raw_rate = RawDb((base / "raw").string(), {}).TimeWrites(entry_batches, n);
    double raw_ledger_rate = 0, ledger_batch_bytes = 0;
    {
      RawDb raw_ledger((base / "raw-ledger").string(), kRawColumns);
      std::vector<rocksdb::WriteBatch> ledger_batches = LedgerBatches((base / "ledger").string(), appended, raw_ledger);
      raw_ledger_rate = raw_ledger.TimeWrites(ledger_batches, n);
      ledger_batch_bytes = BatchBytes(ledger_batches);
    }
    std::fprintf(stderr, "  bytes per entry in the write batches: %.0f of entries, %.0f of the ledger's writes\n",
                 BatchBytes(entry_batches) / n, ledger_batch_bytes / n);
    std::printf("%-8zu %10zu %14.0f %14.0f %7.1f%% %20.0f %7.1f%%\n", batch, n, ledger_rate, raw_rate,
                100 * ledger_rate / raw_rate, raw_ledger_rate, 100 * ledger_rate / raw_ledger_rate);
    std::fflush(stdout);
    std::filesystem::remove_all(base);
  }
  return 0;
}

}  // namespace
}  // namespace mingzhang::bench

int main(int argc, char** argv) {
  mingzhang::bench::Config config;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--dir") == 0) config.dir = argv[i + 1];
    else if (std::strcmp(argv[i], "--scale") == 0) config.scale = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--batch") == 0) config.only_batch = std::strtoull(argv[i + 1], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: append_bench [--dir DIR] [--scale X] [--batch 1|64|1024]\n");
      return 2;
    }
  }
  return mingzhang::bench::Main(config);
}
