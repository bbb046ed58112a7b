// Start-up and memory by log size (issue #23): a district's log of N entries (500 communities of
// 2,000 units, then monthly payments spread round-robin over all of them, appended at batch 1,024)
// is built once, then opened by Ledger::Open in a child process (time and VmRSS after the open)
// and served by mingzhangd (time from exec to the first 200 from GET /healthz, and the daemon's
// VmRSS then), each `runs` times, medians reported; and the latest statement of one community's
// 2025. Every measurement runs in a process of its own so none counts another's memory.
//
//   startup_bench [--dir DIR] [--entries 1000000,10000000] [--communities 500] [--runs 3]
//                 [--keep] [--reuse] [--warm-open] [--rebuild-state] [--statements 500] [--mingzhangd PATH]
//
// The log of N entries is DIR/district-N (a ledger data dir; its build's figures in
// DIR/district-N.build, the daemon's last log in DIR/district-N.mingzhangd.log), removed
// afterwards unless --keep.
// --reuse: a log already there is measured as it is (the figures of its build are read from
// DIR/district-N.build). --warm-open: open each log once, untimed, before the timed opens (a
// version that derives something from an older log once, on its first open, is timed after it).
// Internal, run by the benchmark itself:
//   startup_bench --build-only DATA_DIR --entries N --communities C
//   startup_bench --open-only DATA_DIR [--statements K]
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_district.h"
#include "ledger/log/keys.h"
#include "ledger/log/store.h"
#include "ledger/views/json/view_json.h"

namespace mingzhang::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr size_t kUnitsPerCommunity = 2'000;
constexpr uint64_t kRssSampleEntries = 1'000'000;  // RSS while appending, every this many entries
constexpr int kHealthzPollMs = 10;
constexpr int kDaemonStartTimeoutS = 900;  // today's 10M start (verify + replay) takes ~30 s
constexpr const char* kStatementPeriod = "2025";

struct Config {
  std::string dir = fs::temp_directory_path().string();
  std::vector<uint64_t> sizes = {1'000'000, 10'000'000};
  size_t communities = 500;
  size_t runs = 3;
  size_t statements = 500;
  bool keep = false;
  bool reuse = false;
  bool warm_open = false;
  bool rebuild_state = false;  // drop the state rows' marker first: the warm open builds them again
  std::string mingzhangd = MINGZHANGD;
  std::string build_only;  // internal: build the log in this data dir
  std::string open_only;   // internal: open the ledger in this data dir
};

// What a child answered: its last stdout line of key=value pairs.
using Fields = std::map<std::string, std::string>;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A field of /proc/PID/status ("self" for this process) in MiB, e.g. VmRSS.
double StatusMiB(const std::string& pid, const std::string& field) {
  std::ifstream in("/proc/" + pid + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(field.size() + 1));
    double kib = 0;
    fields >> kib;
    return kib / 1024;
  }
  return 0;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::pair<double, double> Percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
  return {at(0.50), at(0.99)};
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "startup_bench: %s\n", what.c_str());
  std::exit(1);
}

std::unique_ptr<District> OpenLedger(const std::string& dir, bool create) {
  LedgerOptions options;
  options.data_dir = dir;
  options.origin = "mingzhang.bench/district";
  options.create_if_missing = create;
  auto ledger = District::Open(options);
  if (!ledger.ok()) Die("open " + dir + ": " + ledger.status().ToString());
  return std::move(ledger).value();
}

Fields ParseFields(const std::string& line) {
  Fields fields;
  std::istringstream in(line);
  for (std::string pair; in >> pair;) {
    size_t eq = pair.find('=');
    if (eq != std::string::npos) fields[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return fields;
}

double Number(const Fields& fields, const std::string& key) {
  auto it = fields.find(key);
  return it == fields.end() ? -1 : std::stod(it->second);
}

// ---- The children -------------------------------------------------------------------------

// Builds the district's log of `entries` entries, sampling VmRSS every kRssSampleEntries entries;
// prints the build rate and the RSS growth per entry beyond the first sample.
int BuildOnly(const Config& config) {
  const uint64_t entries = config.sizes.at(0);
  std::unique_ptr<District> ledger = OpenLedger(config.build_only, true);
  if (ledger->head().tree_size != 0) Die(config.build_only + " already holds a log");
  RegisterDistrict(*ledger, config.communities, kUnitsPerCommunity);
  const uint64_t registered = ledger->head().tree_size;
  if (entries < registered || entries - registered > DistrictPaymentsMax(config.communities, kUnitsPerCommunity)) {
    Die("--entries must be from " + std::to_string(registered) + " (the registrations) to a year of payments more");
  }
  std::vector<std::pair<uint64_t, double>> rss;  // (log size, MiB): read on the producer thread
  const double seconds = AppendAll(*ledger, entries - registered, kBatchEntriesMax, [&](size_t i) {
    const uint64_t size = registered + i;
    if (size % kRssSampleEntries == 0) {
      rss.emplace_back(size, StatusMiB("self", "VmRSS"));
      std::fprintf(stderr, "  %llu entries appended: RSS %.0f MiB\n", static_cast<unsigned long long>(size),
                   rss.back().second);
    }
    return DistrictPayment(config.communities, kUnitsPerCommunity, i);
  });
  const double rss_end_mib = StatusMiB("self", "VmRSS");
  // Growth beyond the first sample: what each appended entry adds once the caches are warm.
  double growth_bytes = -1;
  if (!rss.empty() && entries > rss.front().first) {
    growth_bytes = (rss_end_mib - rss.front().second) * 1024 * 1024 / static_cast<double>(entries - rss.front().first);
  }
  std::printf("entries=%llu build_s=%.1f build_rate=%.0f rss_end_mib=%.0f rss_peak_mib=%.0f growth_b_per_entry=%.0f\n",
              static_cast<unsigned long long>(ledger->head().tree_size), seconds, (entries - registered) / seconds,
              rss_end_mib, StatusMiB("self", "VmHWM"), growth_bytes);
  return 0;
}

// Times Ledger::Open on an existing log, reads VmRSS after it, then (if asked) times the latest
// statement of community 0 for the year.
int OpenOnly(const Config& config) {
  auto start = Clock::now();
  std::unique_ptr<District> ledger = OpenLedger(config.open_only, false);
  const double open_s = SecondsSince(start);
  const double rss_mib = StatusMiB("self", "VmRSS");
  double p50_ms = -1, p99_ms = -1;
  if (config.statements > 0) {
    std::vector<double> ms;
    for (size_t i = 0; i < config.statements; ++i) {
      auto s = Clock::now();
      Result<nlohmann::json> statement = SignedStatementJson(*ledger, CommunityId(0), kStatementPeriod);
      if (!statement.ok()) Die("statement: " + statement.status().ToString());
      ms.push_back(SecondsSince(s) * 1000);
    }
    std::tie(p50_ms, p99_ms) = Percentiles(ms);
  }
  std::printf("entries=%llu open_s=%.3f rss_mib=%.0f statement_p50_ms=%.3f statement_p99_ms=%.3f\n",
              static_cast<unsigned long long>(ledger->head().tree_size), open_s, rss_mib, p50_ms, p99_ms);
  return 0;
}

// ---- Processes ------------------------------------------------------------------------------

// Runs this program with `args` and returns the fields of the last line it printed; its stderr
// passes through. A child that fails stops the benchmark.
Fields RunSelf(const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) Die("pipe: " + std::string(std::strerror(errno)));
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) Die("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv{const_cast<char*>("/proc/self/exe")};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("child " + args.at(0) + " failed");
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return ParseFields(text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1));
}

// A loopback port free now (the kernel's choice), for the daemon to listen on.
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    Die("no free port: " + std::string(std::strerror(errno)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// True when GET /healthz on 127.0.0.1:port answers 200; false while nothing listens yet.
bool HealthzOk(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char head[16] = {};
      ssize_t n = read(fd, head, sizeof head - 1);
      ok = n >= 12 && std::strncmp(head, "HTTP/1.1 200", 12) == 0;
    }
  }
  close(fd);
  return ok;
}

struct DaemonStart {
  double healthz_s = 0;   // exec to the first 200 from /healthz
  double rss_mib = 0;     // the daemon's VmRSS right then
  double verify_s = -1;   // of which its start-up verification, as it logs it
};

// The start-up verification's time, from the daemon's log ("store verified (...) in N ms").
double VerifySeconds(const std::string& log_path) {
  std::ifstream in(log_path);
  static const std::regex verified("store verified .* in ([0-9]+) ms");
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, verified)) return std::stod(m[1]) / 1000;
  }
  return -1;
}

// Starts mingzhangd on `data_dir`, polls /healthz every kHealthzPollMs, reads its VmRSS, then
// stops it with SIGTERM and waits for it. Its stderr goes to `log_path`.
DaemonStart StartDaemon(const Config& config, const std::string& data_dir, const std::string& log_path) {
  const uint16_t port = FreePort();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  std::fflush(nullptr);
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid < 0) Die("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    // No portal (--web-dir ""): the same start with or without a portal in the build.
    execl(config.mingzhangd.c_str(), "mingzhangd", "--data-dir", data_dir.c_str(), "--listen", listen.c_str(),
          "--web-dir", "", static_cast<char*>(nullptr));
    _exit(127);
  }
  DaemonStart result;
  while (!HealthzOk(port)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) Die("mingzhangd exited before serving; see " + log_path);
    if (SecondsSince(start) > kDaemonStartTimeoutS) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      Die("mingzhangd did not answer /healthz in " + std::to_string(kDaemonStartTimeoutS) + " s; see " + log_path);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kHealthzPollMs));
  }
  result.healthz_s = SecondsSince(start);
  result.rss_mib = StatusMiB(std::to_string(pid), "VmRSS");
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) Die("mingzhangd did not stop cleanly; see " + log_path);
  result.verify_s = VerifySeconds(log_path);
  return result;
}

// ---- The benchmark --------------------------------------------------------------------------

struct Row {
  uint64_t entries = 0;
  double open_s = 0, open_rss_mib = 0;
  double daemon_s = 0, daemon_rss_mib = 0, verify_s = 0;
  double growth_b_per_entry = -1;
  double statement_p50_ms = 0, statement_p99_ms = 0;
};

// The log's build figures: built now, or read from beside a log reused.
Fields BuildOrReuse(const Config& config, uint64_t entries, const fs::path& data_dir, const fs::path& build_file) {
  if (config.reuse && fs::exists(data_dir / kStoreDirName / "CURRENT")) {
    std::printf("reusing %s\n", data_dir.c_str());
    std::ifstream in(build_file);
    std::string line;
    std::getline(in, line);
    return ParseFields(line);
  }
  fs::remove_all(data_dir);
  fs::create_directories(data_dir.parent_path());
  std::printf("building %s (%llu entries, %zu communities of %zu units)\n", data_dir.c_str(),
              static_cast<unsigned long long>(entries), config.communities, kUnitsPerCommunity);
  Fields built = RunSelf({"--build-only", data_dir.string(), "--entries", std::to_string(entries), "--communities",
                          std::to_string(config.communities)});
  std::ofstream(build_file) << "entries=" << built["entries"] << " build_s=" << built["build_s"]
                            << " build_rate=" << built["build_rate"] << " rss_end_mib=" << built["rss_end_mib"]
                            << " rss_peak_mib=" << built["rss_peak_mib"]
                            << " growth_b_per_entry=" << built["growth_b_per_entry"] << "\n";
  std::printf("built in %s s (%s entries/s); builder's RSS %s MiB at the end, peak %s MiB\n", built["build_s"].c_str(),
              built["build_rate"].c_str(), built["rss_end_mib"].c_str(), built["rss_peak_mib"].c_str());
  return built;
}

Row Measure(const Config& config, uint64_t entries) {
  const fs::path data_dir = fs::path(config.dir) / ("district-" + std::to_string(entries));
  const fs::path build_file = fs::path(config.dir) / ("district-" + std::to_string(entries) + ".build");
  const std::string daemon_log = data_dir.string() + ".mingzhangd.log";  // the last run's stderr
  Row row;
  row.entries = entries;
  row.growth_b_per_entry = Number(BuildOrReuse(config, entries, data_dir, build_file), "growth_b_per_entry");
  if (config.rebuild_state) {
    // As a log written before state rows: the warm open then times their one-time build.
    auto store = Store::Open((data_dir / kStoreDirName).string(), StoreOptions{});
    WriteSet drop;
    drop.Delete(Column::kMeta, std::string(kMetaStateHead));
    if (!store.ok() || !(*store)->Write(drop, /*sync=*/true).ok()) {
      std::fprintf(stderr, "cannot drop the state marker in %s\n", data_dir.c_str());
      std::exit(1);
    }
  }
  if (config.warm_open || config.rebuild_state) {
    auto start = Clock::now();
    RunSelf({"--open-only", data_dir.string(), "--statements", "0"});
    std::printf("warm open (untimed in the table; with --rebuild-state the state rows' one-time build): %.1f s\n", SecondsSince(start));
  }
  std::vector<double> open_s, open_rss, daemon_s, daemon_rss, verify_s;
  for (size_t run = 0; run < config.runs; ++run) {
    // The statement is timed in the first run only, after its open and RSS are read.
    Fields opened = RunSelf({"--open-only", data_dir.string(), "--statements",
                             std::to_string(run == 0 ? config.statements : 0)});
    if (static_cast<uint64_t>(Number(opened, "entries")) != entries) Die(data_dir.string() + " holds another size");
    open_s.push_back(Number(opened, "open_s"));
    open_rss.push_back(Number(opened, "rss_mib"));
    if (run == 0) row.statement_p50_ms = Number(opened, "statement_p50_ms"), row.statement_p99_ms = Number(opened, "statement_p99_ms");
    DaemonStart daemon = StartDaemon(config, data_dir.string(), daemon_log);
    daemon_s.push_back(daemon.healthz_s);
    daemon_rss.push_back(daemon.rss_mib);
    verify_s.push_back(daemon.verify_s);
    std::printf("  run %zu: open %.2f s, RSS %.0f MiB; mingzhangd /healthz %.2f s (verify %.2f s), RSS %.0f MiB\n",
                run + 1, open_s.back(), open_rss.back(), daemon.healthz_s, daemon.verify_s, daemon.rss_mib);
  }
  row.open_s = Median(open_s);
  row.open_rss_mib = Median(open_rss);
  row.daemon_s = Median(daemon_s);
  row.daemon_rss_mib = Median(daemon_rss);
  row.verify_s = Median(verify_s);
  if (!config.keep) {
    fs::remove_all(data_dir);
    fs::remove(build_file);
    fs::remove(daemon_log);
  }
  return row;
}

void PrintTable(const std::vector<Row>& rows) {
  std::printf("\n| entries | open s | RSS after open MiB | mingzhangd to /healthz s (of which verify) | mingzhangd RSS MiB "
              "| RSS growth B/entry while appending | latest statement p50 / p99 ms |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& r : rows) {
    char growth[32] = "—";
    if (r.growth_b_per_entry >= 0) std::snprintf(growth, sizeof growth, "%.0f", r.growth_b_per_entry);
    std::printf("| %llu | %.2f | %.0f | %.2f (%.2f) | %.0f | %s | %.2f / %.2f |\n",
                static_cast<unsigned long long>(r.entries), r.open_s, r.open_rss_mib, r.daemon_s, r.verify_s,
                r.daemon_rss_mib, growth, r.statement_p50_ms, r.statement_p99_ms);
  }
  if (rows.size() < 2) return;
  const Row& small = rows.front();
  const Row& large = rows.back();
  std::printf("\nratios %llu / %llu: open %.2f×, RSS after open %.2f×, mingzhangd to /healthz %.2f×, mingzhangd RSS %.2f×\n",
              static_cast<unsigned long long>(large.entries), static_cast<unsigned long long>(small.entries),
              large.open_s / small.open_s, large.open_rss_mib / small.open_rss_mib, large.daemon_s / small.daemon_s,
              large.daemon_rss_mib / small.daemon_rss_mib);
}

int Main(const Config& config) {
  if (!config.build_only.empty()) return BuildOnly(config);
  if (!config.open_only.empty()) return OpenOnly(config);
  std::vector<Row> rows;
  for (uint64_t entries : config.sizes) {
    std::printf("\n### %llu entries\n", static_cast<unsigned long long>(entries));
    rows.push_back(Measure(config, entries));
  }
  PrintTable(rows);
  return 0;
}

}  // namespace
}  // namespace mingzhang::bench

int main(int argc, char** argv) {
  mingzhang::bench::Config config;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    bool has_value = i + 1 < argc;
    if (flag == "--keep") config.keep = true;
    else if (flag == "--reuse") config.reuse = true;
    else if (flag == "--warm-open") config.warm_open = true;
    else if (flag == "--rebuild-state") config.rebuild_state = true;
    else if (flag == "--dir" && has_value) config.dir = argv[++i];
    else if (flag == "--entries" && has_value) config.sizes = mingzhang::bench::ParseSizes(argv[++i]);
    else if (flag == "--communities" && has_value) config.communities = std::strtoull(argv[++i], nullptr, 10);
    else if (flag == "--runs" && has_value) config.runs = std::strtoull(argv[++i], nullptr, 10);
    else if (flag == "--statements" && has_value) config.statements = std::strtoull(argv[++i], nullptr, 10);
    else if (flag == "--mingzhangd" && has_value) config.mingzhangd = argv[++i];
    else if (flag == "--build-only" && has_value) config.build_only = argv[++i];
    else if (flag == "--open-only" && has_value) config.open_only = argv[++i];
    else {
      std::fprintf(stderr,
                   "usage: startup_bench [--dir DIR] [--entries N,M] [--communities C] [--runs R] [--keep] [--reuse]\n"
                   "                     [--warm-open] [--statements K] [--mingzhangd PATH]\n");
      return 2;
    }
  }
  if (config.sizes.empty() || config.communities == 0 || config.runs == 0) {
    std::fprintf(stderr, "startup_bench: --entries, --communities and --runs must be positive\n");
    return 2;
  }
  return mingzhang::bench::Main(config);
}
