// The read side of a large log, in process: inclusion and consistency proofs at 1M and 10M
// entries, a full offline verification beside SHA-256 over the same entry bytes, the memory the
// ledger holds, and the signed statement of a 2,000-unit community's year (latest and replayed).
//
//   log_bench [--dir DIR] [--entries 1000000,10000000] [--samples 20000] [--skip-statement] [--keep]
//   log_bench --reopen DATA_DIR   (time opening an existing ledger: store recovery and replay;
//                                  then its proofs)
//   log_bench --verify DATA_DIR   (only the verification rows, on an existing ledger: to profile)
//
// Latencies are p50/p99 over `samples` random queries; throughputs are entries/s.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_district.h"
#include "ledger/log/chunked_scan.h"
#include "ledger/views/json/view_json.h"
#include "ledger/log/keys.h"
#include "ledger/log/merkle.h"
#include "ledger/audit/verify.h"

namespace mingzhang::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kUnits = 2'000;
constexpr const char* kCommunity = "bench-garden";

struct Config {
  std::string dir = std::filesystem::temp_directory_path().string();
  std::vector<uint64_t> sizes = {1'000'000, 10'000'000};
  size_t samples = 20'000;
  bool statement = true;
  bool keep = false;  // leave the built logs in DIR (e.g. to profile a reopen with --reopen)
  std::string reopen;  // only time opening the ledger in this data dir
  std::string verify;  // only verify the ledger in this data dir
};

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// p50 and p99 of a set of latencies in microseconds.
std::pair<double, double> Percentiles(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  return {at(0.50), at(0.99)};
}

// A line of /proc/self/status in MiB: VmRSS (now) or VmHWM (peak).
double StatusMiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(field.size() + 1));
    double kib = 0;
    fields >> kib;
    return kib / 1024;
  }
  return 0;
}

std::unique_ptr<District> OpenLedger(const std::string& dir) {
  LedgerOptions options;
  options.data_dir = dir;
  options.origin = "mingzhang.bench/log";
  auto ledger = District::Open(options);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(ledger).value();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void ProofRows(const District& ledger, uint64_t size, size_t samples) {
  std::mt19937_64 rng(size);
  std::vector<double> inclusion_us, verify_us, consistency_us;
  const Hash root = ledger.head().root;
  for (size_t s = 0; s < samples; ++s) {
    uint64_t leaf = rng() % size;
    auto start = Clock::now();
    std::vector<Hash> proof = Must(ledger.InclusionProof(leaf, size), "inclusion proof");
    inclusion_us.push_back(MicrosSince(start));
    // What a client does with it: the leaf hash from the entry, then the path to the root.
    Hash leaf_hash = Must(ledger.ReadEntry(leaf), "read entry").leaf_hash;
    std::vector<std::string> path;
    for (const Hash& h : proof) path.emplace_back(AsBytes(h));
    start = Clock::now();
    Status ok = VerifyInclusion(leaf, size, AsBytes(leaf_hash), path, AsBytes(root));
    verify_us.push_back(MicrosSince(start));
    if (!ok.ok()) std::abort();
  }
  for (size_t s = 0; s < samples; ++s) {
    uint64_t first = 1 + rng() % (size - 1);
    auto start = Clock::now();
    Must(ledger.ConsistencyProof(first, size), "consistency proof");
    consistency_us.push_back(MicrosSince(start));
  }
  auto row = [&](const char* what, const std::vector<double>& us) {
    auto [p50, p99] = Percentiles(us);
    std::printf("%-28s %12llu %10.1f %10.1f\n", what, static_cast<unsigned long long>(size), p50, p99);
  };
  std::printf("%-28s %12s %10s %10s\n", "proof", "tree size", "p50 µs", "p99 µs");
  row("inclusion proof (served)", inclusion_us);
  row("inclusion proof (verified)", verify_us);
  row("consistency proof (served)", consistency_us);
}

struct HashRates {
  double sha256 = 0;         // entries/s: SHA-256 of each entry's bytes on one thread (the baseline)
  double verify_hashes = 0;  // entries/s: the hashes verification computes, on DigestThreads()
  double entry_bytes = 0;    // mean
};

// Per entry, the hashes a verification computes: its leaf and chain hash and one interior node
// (a tree of n leaves has n - 1); the chunk sliced over DigestThreads(), as verification does.
void VerifyHashes(const std::vector<std::string>& chunk) {
  const size_t threads = DigestThreads();
  const size_t per_thread = (chunk.size() + threads - 1) / threads;
  std::vector<std::thread> workers;
  for (size_t begin = 0; begin < chunk.size(); begin += per_thread) {
    workers.emplace_back([&chunk, begin, end = std::min(chunk.size(), begin + per_thread)] {
      Hash node{};
      for (size_t i = begin; i < end; ++i) {
        node = NodeHash(node, LeafHash(chunk[i]));
        node[0] ^= Sha256(chunk[i])[0];
      }
      volatile unsigned char sink = node[0];
      (void)sink;
    });
  }
  for (std::thread& w : workers) w.join();
}

// Entries/s of SHA-256 over every entry's bytes, once, on one thread, from memory (the entries
// are read in chunks first, outside the clock), and of the hashes verification computes, alone:
// what would bound it if nothing else cost.
HashRates MeasureHashRates(const Store& store) {
  constexpr size_t kChunkEntries = 100'000;
  double sha256_s = 0, verify_s = 0;
  uint64_t entries = 0, bytes_total = 0;
  std::unique_ptr<Cursor> cursor = store.NewCursor(Column::kEntries);
  cursor->Seek(EntryKey(0));
  std::vector<std::string> chunk;
  volatile unsigned char sink = 0;
  while (cursor->Valid()) {
    chunk.clear();
    for (; cursor->Valid() && chunk.size() < kChunkEntries; cursor->Next()) chunk.emplace_back(cursor->value());
    auto start = Clock::now();
    for (const std::string& bytes : chunk) sink = sink ^ Sha256(bytes)[0];
    sha256_s += MicrosSince(start) / 1e6;
    start = Clock::now();
    VerifyHashes(chunk);
    verify_s += MicrosSince(start) / 1e6;
    for (const std::string& bytes : chunk) bytes_total += bytes.size();
    entries += chunk.size();
  }
  return {entries / sha256_s, entries / verify_s, static_cast<double>(bytes_total) / entries};
}

// Entries/s of reading every entry from RocksDB on one thread, as a verification scan does (a
// scan cursor, each value copied out), and nothing else: what one thread's reading bounds.
double ReadRate(const Store& store) {
  auto start = Clock::now();
  uint64_t entries = 0;
  std::string value;
  std::unique_ptr<Cursor> cursor = store.NewCursor(Column::kEntries, Store::Access::kScan);
  for (cursor->Seek(EntryKey(0)); cursor->Valid(); cursor->Next(), ++entries) value.assign(cursor->value());
  return entries / (MicrosSince(start) / 1e6);
}

// Offline verification of the store (reading it from RocksDB, on every core) beside the baseline,
// first of the log alone, then with what the store keeps beside it.
void VerifyRows(const District& ledger) {
  const HashRates rates = MeasureHashRates(ledger.store());
  const double hash_rate = rates.sha256;
  std::printf("\n%-40s %12s %14s %14s %8s\n", "verify (every signature)", "entries", "entries/s", "sha-256/s", "ratio");
  auto bound = [&](const char* what, double rate) {
    std::printf("%-40s %12s %14.0f %14.0f %7.1f%%\n", what, "", rate, hash_rate, 100 * rate / hash_rate);
  };
  bound("(bound) reading the entries, one thread", ReadRate(ledger.store()));
  bound("(bound) its hashes alone, every thread", rates.verify_hashes);
  auto row = [&](const char* what, bool records, bool balances) {
    VerifyOptions options;
    options.idempotency_records = records;
    options.balances = balances;
    auto start = Clock::now();
    VerifyReport report = Must(VerifyLog(ledger.store(), ledger.verifier(), options), "verify");
    double rate = report.entries / (MicrosSince(start) / 1e6);
    if (!report.ok()) {
      std::fprintf(stderr, "verify: %s\n", report.ToString().c_str());
      std::exit(1);
    }
    std::printf("%-40s %12llu %14.0f %14.0f %7.1f%%\n", what, static_cast<unsigned long long>(report.entries), rate,
                hash_rate, 100 * rate / hash_rate);
  };
  row("log: entries, chain, tree, checkpoints", false, false);
  row("  + idempotency records", true, false);
  row("  + balances by replay (full)", true, true);
  std::printf("(%.0f bytes per entry; SHA-256 on one thread, verification on %zu)\n", rates.entry_bytes, DigestThreads());
}

void LogRows(const Config& config, uint64_t size) {
  auto dir = std::filesystem::path(config.dir) / ("mingzhang-log-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    std::unique_ptr<District> ledger = OpenLedger(dir.string());
    RegisterCommunity(*ledger, kCommunity, kUnits);
    uint64_t payments = size - ledger->head().tree_size;
    double seconds = AppendAll(*ledger, payments, kBatchEntriesMax,
                               [](size_t i) { return MonthlyPayment(kCommunity, kUnits, i, "2025-10"); });
    std::printf("\n### %llu entries\n\nbuilt at %.0f entries/s; ledger process RSS %.0f MiB (peak %.0f MiB)\n\n",
                static_cast<unsigned long long>(size), payments / seconds, StatusMiB("VmRSS"), StatusMiB("VmHWM"));
  }
  // Reopened, as a server starts on an existing log: replay included.
  auto start = Clock::now();
  std::unique_ptr<District> ledger = OpenLedger(dir.string());
  std::printf("reopened in %.1f s; RSS %.0f MiB\n\n", MicrosSince(start) / 1e6, StatusMiB("VmRSS"));
  ProofRows(*ledger, size, config.samples);
  VerifyRows(*ledger);
  ledger.reset();
  if (!config.keep) std::filesystem::remove_all(dir);
}

// A 2,000-unit community's 2025: ~92% of units pay each month, the firm discloses five spending
// categories monthly and takes its remuneration. Statement latest (from aggregates) and at the
// tree size of mid-year (by replay), each signed.
void StatementRows(const Config& config) {
  using namespace testing;
  auto dir = std::filesystem::path(config.dir) / ("mingzhang-statement-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::unique_ptr<District> ledger = OpenLedger(dir.string());
  RegisterCommunity(*ledger, kCommunity, kUnits);
  uint64_t mid_year_size = 0;
  const v1::Category kCategories[] = {v1::CLEANING, v1::SECURITY, v1::GREENERY, v1::REPAIR, v1::UTILITIES};
  for (int m = 1; m <= 12; ++m) {
    char month[8];
    std::snprintf(month, sizeof month, "2025-%02d", m);
    std::vector<size_t> payers;
    for (size_t u = 0; u < kUnits; ++u) {
      if ((u * 7919 + m) % 100 >= 8) payers.push_back(u);
    }
    AppendAll(*ledger, payers.size(), kBatchEntriesMax,
              [&](size_t i) { return MonthlyPayment(kCommunity, kUnits, payers[i], month); });
    int64_t income = static_cast<int64_t>(payers.size()) * kMonthlyFeeFen;
    for (v1::Category category : kCategories) {
      MustAppend(*ledger, Disbursement(kCommunity, FirmActor(kFirmId), v1::FEES, category, income / 8,
                                       std::string(month) + "-25", Voucher(std::string(month) + v1::Category_Name(category))));
    }
    MustAppend(*ledger, Disbursement(kCommunity, FirmActor(kFirmId), v1::FEES, v1::REMUNERATION, income * 8 / 100,
                                     std::string(month) + "-28", Voucher(std::string(month) + "remuneration")));
    if (m == 6) mid_year_size = ledger->head().tree_size;
  }
  const uint64_t size = ledger->head().tree_size;
  std::printf("\n### statement of a %zu-unit community for 2025 (%llu entries in the log)\n\n", kUnits,
              static_cast<unsigned long long>(size));
  std::printf("%-34s %8s %10s %10s\n", "statement", "runs", "p50 ms", "p99 ms");
  auto rows = [&](const char* what, size_t runs, std::optional<uint64_t> at) {
    std::vector<double> us;
    for (size_t i = 0; i < runs; ++i) {
      auto start = Clock::now();
      Must(SignedStatementJson(*ledger, kCommunity, "2025", at), "statement");
      us.push_back(MicrosSince(start));
    }
    auto [p50, p99] = Percentiles(us);
    std::printf("%-34s %8zu %10.2f %10.2f\n", what, runs, p50 / 1000, p99 / 1000);
  };
  rows("latest (kept aggregates)", 500, std::nullopt);
  rows("at mid-year tree size (replay)", 50, mid_year_size);
  ledger.reset();
  std::filesystem::remove_all(dir);
}

int Main(const Config& config) {
  if (!config.reopen.empty()) {
    auto start = Clock::now();
    std::unique_ptr<District> ledger = OpenLedger(config.reopen);
    std::printf("opened %llu entries in %.2f s; RSS %.0f MiB\n",
                static_cast<unsigned long long>(ledger->head().tree_size), MicrosSince(start) / 1e6,
                StatusMiB("VmRSS"));
    ProofRows(*ledger, ledger->head().tree_size, config.samples);
    return 0;
  }
  if (!config.verify.empty()) {
    VerifyRows(*OpenLedger(config.verify));
    return 0;
  }
  if (config.statement) StatementRows(config);
  for (uint64_t size : config.sizes) LogRows(config, size);
  return 0;
}

}  // namespace
}  // namespace mingzhang::bench

int main(int argc, char** argv) {
  mingzhang::bench::Config config;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    bool has_value = i + 1 < argc;
    if (flag == "--skip-statement") config.statement = false;
    else if (flag == "--keep") config.keep = true;
    else if (flag == "--reopen" && has_value) config.reopen = argv[++i];
    else if (flag == "--verify" && has_value) config.verify = argv[++i];
    else if (flag == "--dir" && has_value) config.dir = argv[++i];
    else if (flag == "--entries" && has_value) config.sizes = mingzhang::bench::ParseSizes(argv[++i]);
    else if (flag == "--samples" && has_value) config.samples = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: log_bench [--dir DIR] [--entries N,M] [--samples K] [--skip-statement] [--keep] | --reopen DATA_DIR | --verify DATA_DIR\n");
      return 2;
    }
  }
  return mingzhang::bench::Main(config);
}
