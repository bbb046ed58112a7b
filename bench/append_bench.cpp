// Durable appends per second through the ledger, beside raw RocksDB WriteBatches of the same
// entry bytes with sync = true, measured in the same run on the same disk; and beside raw
// RocksDB replaying exactly what the ledger wrote, batch by batch, with and without the state
// rows: what part of the gap is the ledger's bytes going through RocksDB and what part is the
// ledger's own work.
//
//   append_bench [--dir /path/on/the/disk/to/test] [--scale 1.0] [--batch 1024]
//
// Prints one row per batch size: ledger entries/s; raw entries/s and the ratio; raw replays of
// the ledger's writes (all of them, then without the state column) and the ratios.
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
#include "ledger/log/store.h"
#include "ledger/views/district.h"

namespace mingzhang::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kUnits = 2'000;

struct Config {
  std::string dir = std::filesystem::temp_directory_path().string();
  double scale = 1.0;
  size_t only_batch = 0;  // 0: all of 1, 64, 1024
};

// What a run appended: each entry's stored bytes, and every write set the ledger wrote meanwhile.
struct Appended {
  std::vector<std::string> bytes;
  std::vector<WriteSet> writes;
};

// Appends n entries with at most `batch` per group commit; returns entries/s. With `observe`, keeps
// a copy of every write set (on the writer's thread: that run's time is not a figure).
double LedgerRun(const std::string& dir, size_t batch, size_t n, bool observe, Appended* appended) {
  LedgerOptions options;
  options.data_dir = dir;
  options.origin = "mingzhang.bench/append";
  options.batch_entries_max = batch;
  std::atomic<bool> observing{false};  // from the first payment on (the writer thread reads it)
  if (observe) {
    options.observe_writes = [&](const WriteSet& writes) {
      if (observing) appended->writes.push_back(writes);
    };
  }
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
  observing = true;  // no write is under way: every registration was answered
  double seconds = AppendAll(
      **ledger, n, batch, [&](size_t i) { return std::move(requests[i]); },
      [&](size_t i, StoredEntry& e) { appended->bytes[i] = std::move(e.bytes); });
  observing = false;
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

// The ledger's write sets as RocksDB batches into `raw`, whose column families are the store's,
// in order; without the state column when `with_state` is false.
std::vector<rocksdb::WriteBatch> LedgerBatches(const std::vector<WriteSet>& writes, const RawDb& raw, bool with_state) {
  std::vector<rocksdb::WriteBatch> batches;
  for (const WriteSet& set : writes) {
    rocksdb::WriteBatch& wb = batches.emplace_back();
    for (const WriteOp& op : set.ops()) {
      if (op.column == Column::kState && !with_state) continue;
      rocksdb::ColumnFamilyHandle* column = raw.column(static_cast<size_t>(op.column));
      rocksdb::Status s = op.is_delete ? wb.Delete(column, op.key) : wb.Put(column, op.key, op.value);
      s.PermitUncheckedError();
    }
  }
  return batches;
}

// The store's column families by name, in the order of Column.
std::vector<std::string> StoreColumns() {
  std::vector<std::string> names;
  for (int i = 0; i < kColumnCount; ++i) names.emplace_back(ColumnName(static_cast<Column>(i)));
  return names;
}

// Raw RocksDB replaying the ledger's writes (with or without the state rows): entries/s, and the
// bytes per entry of the batches.
std::pair<double, double> Replay(const std::string& dir, const Appended& a, bool with_state) {
  RawDb raw(dir, StoreColumns());
  std::vector<rocksdb::WriteBatch> batches = LedgerBatches(a.writes, raw, with_state);
  const double bytes = BatchBytes(batches) / a.bytes.size();
  return {raw.TimeWrites(batches, a.bytes.size()), bytes};
}

int Main(const Config& config) {
  std::printf("%-8s %10s %12s %14s %7s %14s %7s %14s %7s\n", "batch", "entries", "ledger/s", "raw rocksdb/s", "ratio",
              "replay all/s", "ratio", "no state/s", "ratio");
  for (size_t batch : {size_t{1}, size_t{64}, size_t{1024}}) {
    if (config.only_batch != 0 && batch != config.only_batch) continue;
    size_t n = static_cast<size_t>(config.scale * (batch == 1 ? 2'000 : batch == 64 ? 25'600 : 102'400));
    auto base = std::filesystem::path(config.dir) / ("mingzhang-append-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    Appended appended;
    double ledger_rate = LedgerRun((base / "ledger").string(), batch, n, false, &appended);
    Appended observed;  // the same run again, its writes kept for the replays
    LedgerRun((base / "ledger-observed").string(), batch, n, true, &observed);
    std::vector<rocksdb::WriteBatch> entry_batches = EntryBatches(batch, appended.bytes);
    double raw_rate = RawDb((base / "raw").string(), {}).TimeWrites(entry_batches, n);
    auto [replay_rate, replay_bytes] = Replay((base / "replay").string(), observed, true);
    auto [log_rate, log_bytes] = Replay((base / "replay-log").string(), observed, false);
    std::fprintf(stderr, "  bytes per entry in the write batches: %.0f of entries, %.0f of the ledger's (%.0f without state rows)\n",
                 BatchBytes(entry_batches) / n, replay_bytes, log_bytes);
    std::printf("%-8zu %10zu %12.0f %14.0f %6.1f%% %14.0f %6.1f%% %14.0f %6.1f%%\n", batch, n, ledger_rate, raw_rate,
                100 * ledger_rate / raw_rate, replay_rate, 100 * ledger_rate / replay_rate, log_rate,
                100 * ledger_rate / log_rate);
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
