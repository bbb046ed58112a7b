// Durable appends per second through the ledger, beside raw RocksDB WriteBatches of the same
// entry bytes with sync = true, measured in the same run on the same disk.
//
//   append_bench [--dir /path/on/the/disk/to/test] [--scale 1.0] [--batch 1024]
//
// Prints one row per batch size: ledger entries/s, raw entries/s and their ratio.
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
#include "ledger/ledger.h"

namespace mingzhang::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kUnits = 2'000;

struct Config {
  std::string dir = std::filesystem::temp_directory_path().string();
  double scale = 1.0;
  size_t only_batch = 0;  // 0: all of 1, 64, 1024
};

// Appends n entries with at most `batch` per group commit; returns entries/s and the stored bytes.
double LedgerRun(const std::string& dir, size_t batch, size_t n, std::vector<std::string>* bytes) {
  LedgerOptions options;
  options.data_dir = dir;
  options.origin = "mingzhang.bench/append";
  options.batch_entries_max = batch;
  auto ledger = Ledger::Open(options);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    std::exit(1);
  }
  RegisterCommunity(**ledger, "bench-garden", kUnits);
  // Requests are built before the clock starts, as the raw baseline's bytes are.
  std::vector<v1::Entry> requests;
  requests.reserve(n);
  for (size_t i = 0; i < n; ++i) requests.push_back(MonthlyPayment("bench-garden", kUnits, i, "2025-10"));
  bytes->resize(n);
  double seconds = AppendAll(
      **ledger, n, batch, [&](size_t i) { return std::move(requests[i]); },
      [&](size_t i, StoredEntry& e) { (*bytes)[i] = std::move(e.bytes); });
  Ledger::Stats stats = (*ledger)->stats();
  std::fprintf(stderr, "  ledger: %llu group commits, %.1f entries each on average\n",
               static_cast<unsigned long long>(stats.batches), static_cast<double>(stats.appends) / stats.batches);
  return n / seconds;
}

// The same bytes as plain key-value pairs in synced WriteBatches of `batch` entries.
double RawRun(const std::string& dir, size_t batch, const std::vector<std::string>& bytes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::exit(1);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto start = Clock::now();
  for (size_t i = 0; i < bytes.size(); i += batch) {
    rocksdb::WriteBatch wb;
    for (size_t j = i; j < std::min(bytes.size(), i + batch); ++j) {
      char key[8];
      for (int k = 0; k < 8; ++k) key[k] = static_cast<char>(j >> (56 - 8 * k));
      wb.Put(rocksdb::Slice(key, 8), bytes[j]).PermitUncheckedError();
    }
    if (!db->Write(sync, &wb).ok()) std::exit(1);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  db->Close().PermitUncheckedError();
  return bytes.size() / seconds;
}

int Main(const Config& config) {
  std::printf("%-8s %10s %14s %14s %8s\n", "batch", "entries", "ledger/s", "raw rocksdb/s", "ratio");
  for (size_t batch : {size_t{1}, size_t{64}, size_t{1024}}) {
    if (config.only_batch != 0 && batch != config.only_batch) continue;
    size_t n = static_cast<size_t>(config.scale * (batch == 1 ? 2'000 : batch == 64 ? 25'600 : 102'400));
    auto base = std::filesystem::path(config.dir) / ("mingzhang-append-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    std::vector<std::string> bytes;
    double ledger_rate = LedgerRun((base / "ledger").string(), batch, n, &bytes);
    double raw_rate = RawRun((base / "raw").string(), batch, bytes);
    std::printf("%-8zu %10zu %14.0f %14.0f %7.1f%%\n", batch, n, ledger_rate, raw_rate, 100 * ledger_rate / raw_rate);
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
