// mingzhangd on a real full file system: a tmpfs mounted by the test and filled to its last byte
// (ctest label "fulldisk"). Mounting needs root, as CI runs; where it is refused the test fails
// and says so, rather than pass without a full disk.
//   - restarted on a full disk it serves reads, answers writes 503 storage-full, says so at
//     /readyz and in /metrics, and takes the next write once space is freed, without a restart;
//   - held full past RocksDB's statistics period (--store-stats-period-s 1) it stays up;
//   - fill/free cycles under concurrent writers: every request is answered (201 or 503), what was
//     acknowledged survives, and every refused request retried with its key is written once;
//   - a new log on a full disk: exit 1 with one line that names the full disk.
//
// MINGZHANG_FULLDISK_CYCLES=N runs N fill/free cycles (default 40).
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>

#include "tests/support/api_harness.h"
#include "tests/support/reliability_util.h"

namespace mingzhang::apitest {
namespace {

// Smaller than the write-ahead log RocksDB preallocates (1.1 times its 64 MiB write buffer), so
// that the preallocation fails and the log's appends, not only its new files, meet the full disk.
constexpr size_t kDiskBytes = 64 << 20;
// The cycles stop early once the store holds this much (about 4 KiB a payment, each its own batch
// with tree rows and a checkpoint): a refusal must come from the test's filling, not the log's size.
constexpr uint64_t kStoreBytesMax = kDiskBytes / 3;
constexpr const char* kStatsPeriodFlag = "--store-stats-period-s";
constexpr int kStatsPeriodS = 1;
constexpr int kHeldFullMs = 3'500;  // past three statistics dumps
constexpr int kCyclesDefault = 40;
constexpr int kWriters = 4;
// Each writer pauses between requests, so that the cycles, not the log, fill the disk.
constexpr int kWriterPauseMs = 2;
constexpr int kWritesBeforeFullMax = 200;  // a write fails once the log's last page is used

// A tmpfs of kDiskBytes, mounted for the test's life.
class Disk {
 public:
  Disk() : path_(root_ / "disk") {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + std::to_string(kDiskBytes) + ",mode=0700";
    if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      const int error = errno;
      FAIL("cannot mount a tmpfs at " << path_ << ": " << std::strerror(error)
                                      << "; this test needs a real full file system and root to make one");
    }
    mounted_ = true;
  }
  ~Disk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  Disk(const Disk&) = delete;
  Disk& operator=(const Disk&) = delete;

  std::string data_dir() const { return path_ + "/data"; }
  std::string log_dir() const { return root_.path(); }

  // Takes every byte left: a file grown in ever smaller pieces until the kernel says none is left.
  // Called again, it takes what was freed meanwhile (RocksDB deleting an obsolete file).
  void Fill() const {
    const int fd = ::open(fill_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    const std::string piece(1 << 20, 'x');
    for (size_t size : {piece.size(), size_t{4096}, size_t{1}}) {
      while (::write(fd, piece.data(), size) == static_cast<ssize_t>(size)) {
      }
    }
    const int error = errno;
    ::close(fd);
    REQUIRE(error == ENOSPC);
  }
  void Free() const { std::filesystem::remove(fill_path()); }
  // Bytes in use but for the test's filling.
  uint64_t store_bytes() const {
    struct statvfs st {};
    REQUIRE(::statvfs(path_.c_str(), &st) == 0);
    std::error_code ec;
    const uint64_t fill = std::filesystem::exists(fill_path()) ? std::filesystem::file_size(fill_path(), ec) : 0;
    return (static_cast<uint64_t>(st.f_blocks) - st.f_bfree) * st.f_frsize - fill;
  }

 private:
  std::string fill_path() const { return path_ + "/fill"; }

  testing::TempDir root_;
  std::string path_;
  bool mounted_ = false;
};

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// The last `bytes` of a log: where a daemon that stopped says why.
std::string Tail(const std::string& log, size_t bytes) { return log.size() > bytes ? log.substr(log.size() - bytes) : log; }

bool Running(Daemon& d) {
  if (!d.running()) return false;
  return !WaitExit(d.pid(), std::chrono::milliseconds(0)).has_value();
}

// A reply that says the write was refused because of the storage, and nothing else.
bool RefusedForStorage(const Reply& r) {
  if (r.status != 503) return false;  // no answer at all has no JSON to read either
  const json problem = r.Json();
  const std::string type = problem.is_object() ? problem.value("type", "") : "";
  return r.status == 503 && (type == "storage-full" || type == "storage-unavailable");
}

void CheckWritesRefused(HttpClient& c, const std::string& firm, const std::string& key) {
  Reply write = c.Post(kPaymentsPath, firm, PaymentBody(key, 1, 100));
  INFO(write.Describe());
  CHECK(write.status == 503);
  CHECK(write.Json()["type"] == "storage-full");
  Reply ready = c.Get("/readyz");
  INFO(ready.Describe());
  CHECK(ready.status == 503);
  CHECK(ready.Json()["type"] == "storage-full");
  CHECK(ready.Json()["detail"] == "writes refused: storage full; reads are served");
  const std::string metrics = c.Get("/metrics").body;
  CHECK(metrics.find("\nmingzhang_storage_full 1\n") != std::string::npos);
  CHECK(metrics.find("\nmingzhang_storage_writable 0\n") != std::string::npos);
}

// After space is freed: the next write is taken, and readiness says so.
void CheckWritesTaken(HttpClient& c, const std::string& firm, const std::string& key) {
  Reply write = c.Post(kPaymentsPath, firm, PaymentBody(key, 2, 200));
  INFO(write.Describe());
  CHECK(write.status == 201);
  CHECK(c.Get("/readyz").status == 200);
  CHECK(c.Get("/metrics").body.find("\nmingzhang_storage_writable 1\n") != std::string::npos);
}

// Reads a person would make, each answered 200 while writes are refused.
void CheckReadsServed(HttpClient& c, const std::string& firm, uint64_t tree_size) {
  CHECK(TreeSize(c) == tree_size);
  CHECK(c.Get("/v1/entries/" + std::to_string(tree_size - 1), firm).status == 200);
  CHECK(c.Get("/v1/communities/C1/statements/2026-01", firm).status == 200);
  CHECK(c.Get("/v1/proofs/inclusion?leaf_index=0&tree_size=" + std::to_string(tree_size)).status == 200);
  CHECK(c.Get("/healthz").status == 200);
}

TEST_CASE("mingzhangd restarted on a full disk serves reads and takes writes once space is freed", "[fulldisk]") {
  Disk disk;
  Daemon d(disk.data_dir(), disk.log_dir());
  d.Start();
  std::string firm;
  {
    HttpClient c(d.port());
    firm = SetUpDistrict(c, d.admin_token());
    REQUIRE(c.Post(kPaymentsPath, firm, PaymentBody("before", 0, 100)).status == 201);
  }
  REQUIRE(d.Terminate() == 0);
  disk.Fill();

  d.Start({kStatsPeriodFlag, std::to_string(kStatsPeriodS)});
  HttpClient c(d.port());
  CheckReadsServed(c, firm, 4);
  CheckWritesRefused(c, firm, "while-full");
  std::this_thread::sleep_for(std::chrono::milliseconds(kHeldFullMs));
  REQUIRE(Running(d));
  CheckReadsServed(c, firm, 4);
  CheckWritesRefused(c, firm, "while-full");

  disk.Free();
  CheckWritesTaken(c, firm, "after-free");
  CHECK(TreeSize(c) == 5);
  CHECK(d.Terminate() == 0);
  INFO(d.log());
  CHECK(d.log().find("mingzhangd: writes refused: storage full; reads are served") != std::string::npos);
  CHECK(d.log().find("mingzhangd: writes accepted again") != std::string::npos);
}

TEST_CASE("mingzhangd whose disk stays full past the statistics period keeps serving reads", "[fulldisk]") {
  Disk disk;
  Daemon d(disk.data_dir(), disk.log_dir());
  d.Start({kStatsPeriodFlag, std::to_string(kStatsPeriodS)});
  HttpClient c(d.port());
  const std::string firm = SetUpDistrict(c, d.admin_token());
  disk.Fill();
  // The log's last page may take a few more writes; the first refusal ends them.
  int taken = 0;
  for (Reply r; taken < kWritesBeforeFullMax; ++taken) {
    r = c.Post(kPaymentsPath, firm, PaymentBody("fill-" + std::to_string(taken), taken, 100));
    if (r.status != 201) {
      INFO(r.Describe());
      REQUIRE(RefusedForStorage(r));
      break;
    }
  }
  REQUIRE(taken < kWritesBeforeFullMax);
  disk.Fill();
  const uint64_t size = 3 + static_cast<uint64_t>(taken);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHeldFullMs);
  while (std::chrono::steady_clock::now() < until) {
    REQUIRE(Running(d));
    CheckReadsServed(c, firm, size);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CheckWritesRefused(c, firm, "still-full");
  REQUIRE(Running(d));

  disk.Free();
  CheckWritesTaken(c, firm, "after-free");
  CHECK(TreeSize(c) == size + 1);
  CHECK(d.Terminate() == 0);
}

// Writers post payments while the disk fills and frees under them, cycle after cycle.
class Cycles {
 public:
  explicit Cycles(std::string firm) : firm_(std::move(firm)) {}

  void Write(uint16_t port, int writer, const std::atomic<bool>& stop) {
    HttpClient client(port);
    for (int i = 0; !stop; ++i) {
      const std::string key = "w" + std::to_string(writer) + "-" + std::to_string(i);
      const std::string body = PaymentBody(key, writer + i, 100 + i % 900);
      Reply r = client.Post(kPaymentsPath, firm_, body);
      {
        std::lock_guard lock(mu_);
        if (r.status == 201) {
          acked_[key] = r.Json()["leaf_hash"].get<std::string>();
        } else if (RefusedForStorage(r)) {
          refused_.push_back(body);
        } else {
          unexpected_.push_back(key + ": " + r.Describe());
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kWriterPauseMs));
    }
  }

  // Each refused request, retried with its key now that there is space, is written (201).
  void RetryRefused(HttpClient& c) {
    for (const std::string& body : refused_) {
      Reply r = c.Post(kPaymentsPath, firm_, body);
      INFO(r.Describe());
      REQUIRE(r.status == 201);
      acked_[json::parse(body)["idempotency_key"]] = r.Json()["leaf_hash"].get<std::string>();
    }
  }

  // Every acknowledged payment is in the log once, with the leaf hash it was acknowledged with.
  void CheckLog(HttpClient& c) {
    std::map<std::string, std::vector<std::string>> leaves = LeavesByKeyInC1(c, firm_);
    for (const auto& [key, leaf] : acked_) {
      INFO(key);
      REQUIRE(leaves[key].size() == 1);
      CHECK(leaves[key][0] == leaf);
    }
    CHECK(leaves.size() == acked_.size() + 2);  // and the community's registration and units
  }

  std::vector<std::string> unexpected() {
    std::lock_guard lock(mu_);
    return unexpected_;
  }
  size_t acked() const { return acked_.size(); }
  size_t refused() const { return refused_.size(); }

 private:
  const std::string firm_;
  std::mutex mu_;
  std::map<std::string, std::string> acked_;  // idempotency key -> leaf hash
  std::vector<std::string> refused_;          // bodies answered 503 for the storage
  std::vector<std::string> unexpected_;       // any other answer, or none
};

TEST_CASE("fill/free cycles under concurrent writers: every request answered, nothing acknowledged lost",
          "[fulldisk]") {
  const int cycles = std::max(1, EnvInt("MINGZHANG_FULLDISK_CYCLES", kCyclesDefault));
  Disk disk;
  Daemon d(disk.data_dir(), disk.log_dir());
  d.Start({kStatsPeriodFlag, std::to_string(kStatsPeriodS)});
  std::string firm;
  {
    HttpClient c(d.port());
    firm = SetUpDistrict(c, d.admin_token());
  }
  Cycles run(firm);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) writers.emplace_back([&, w] { run.Write(d.port(), w, stop); });
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(10, 150);
  int cycle = 0;
  for (; cycle < cycles && Running(d) && disk.store_bytes() < kStoreBytesMax; ++cycle) {
    disk.Fill();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    disk.Free();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
  }
  stop = true;
  for (std::thread& t : writers) t.join();
  INFO(run.acked() << " payments acknowledged, " << run.refused() << " refused for the storage, in " << cycle
                   << " cycles; the end of mingzhangd's output: " << Tail(d.log(), 6000));
  REQUIRE(Running(d));
  for (const std::string& u : run.unexpected()) UNSCOPED_INFO(u);
  REQUIRE(run.unexpected().empty());
  CHECK(run.refused() > 0);  // the disk was full under some writes

  CHECK(cycle >= std::min(cycles, kCyclesDefault / 2));
  HttpClient c(d.port());
  // A recovery that met the disk full in the last cycle is not tried again for kRecoveryRetryMs:
  // /readyz turns 200 once one has succeeded (each poll tries), then every retry must be taken.
  int ready_status = 0;
  for (int poll = 0; poll < 100 && ready_status != 200; ++poll) {
    ready_status = c.Get("/readyz").status;
    if (ready_status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready_status == 200);
  run.RetryRefused(c);
  run.CheckLog(c);
  REQUIRE(d.Terminate() == 0);
  auto [code, output] = RunCommand({MINGZHANG_CLI, "verify", "--data-dir", disk.data_dir()}, disk.log_dir() + "/verify.log");
  INFO(output);
  CHECK(code == 0);
  d.Start();
  HttpClient after(d.port());
  run.CheckLog(after);
}

TEST_CASE("a new log on a full disk: mingzhangd exits 1 with one line naming the full disk", "[fulldisk]") {
  Disk disk;
  disk.Fill();
  auto [code, output] = RunCommand({MINGZHANGD, "--data-dir", disk.data_dir(), "--listen", "127.0.0.1:0"},
                                   disk.log_dir() + "/new.log");
  INFO(output);
  CHECK(code == 1);
  CHECK(output.rfind("mingzhangd: UNAVAILABLE storage-full: cannot write ", 0) == 0);
  CHECK(output.find("No space left on device") != std::string::npos);
  CHECK(std::count(output.begin(), output.end(), '\n') == 1);
}

}  // namespace
}  // namespace mingzhang::apitest
