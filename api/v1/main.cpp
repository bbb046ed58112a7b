// mingzhangd: the ledger on the wire (README "mingzhangd (the HTTP API)").
//
//   mingzhangd [--data-dir ./data] [--listen 127.0.0.1:8080] [--threads N]
//              [--origin mingzhang.local/district] [--tls-cert chain.pem --tls-key key.pem]
//              [--web-dir DIR] [--read-timeout-ms MS] [--store-stats-period-s S]
//              [--access-log FILE] [--scrub-interval-hours H]
//
// On first start with an empty data dir it creates the log (key, store) and an admin token,
// written to DATA/admin.token (mode 0600) and never logged. An existing store's head is checked
// first (its checkpoint and the last entries' chain: bounded, whatever the log's size) and refused,
// naming what is wrong and at which seq, when it does not verify; the whole log is verified by a
// background scrub while serving (ledger/audit/scrub.h), whose finding stops writes. SIGTERM/SIGINT:
// stop accepting, finish requests in flight, close the store; a second signal stops at once.
// The portal (api/web) is served at "/" from --web-dir, by default the one this build made; an
// empty --web-dir serves none.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "api/auth/access.h"
#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "api/http/http_server.h"
#include "api/http/static_files.h"
#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"
#include "ledger/views/district.h"
#include "ledger/audit/scrub.h"
#include "ledger/audit/verify_state.h"
#include "ledger/audit/verify.h"

namespace mingzhang::api {
namespace {

constexpr const char* kAdminTokenFile = "admin.token";
constexpr const char* kUsage =
    "usage: mingzhangd [--data-dir DIR] [--listen HOST:PORT] [--threads N] [--origin ORIGIN]\n"
    "                  [--tls-cert CHAIN.pem --tls-key KEY.pem] [--web-dir DIR]\n"
    "                  [--read-timeout-ms MS]   (a whole request: header and body; default 30000)\n"
    "                  [--store-stats-period-s S]   (RocksDB's statistics in store/LOG; default 600, 0: never)\n"
    "                  [--access-log FILE]   (one JSON line per request, appended; default: stderr)\n"
    "                  [--scrub-interval-hours H]   (a whole verification of the log every H hours in the\n"
    "                                                background, the first at start; default 24, 0: never)\n"
    "                  [--state-cache-mib M]   (the sequencer's decoded communities; default 256)\n";
constexpr uint64_t kStoreStatsPeriodSecondsMax = 86'400;
constexpr uint64_t kScrubIntervalHoursMax = 24 * 366;
constexpr uint64_t kStateCacheMibMax = 1 << 20;
// The entries whose chain, leaves and link to the head start-up checks before serving: the last
// batch or so (kBatchEntriesMax). About 1 ms; the rest of the log is the scrub's.
constexpr uint64_t kStartupChainCheckEntries = 1'024;

struct Flags {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string address;  // and port: from listen
  uint64_t port = 0;
  std::string origin = "mingzhang.local/district";
  std::string tls_cert, tls_key;
  uint64_t threads = 0;
  std::string web_dir = MINGZHANG_WEB_DIR;  // the portal this build made (api/web/CMakeLists.txt)
  bool web_dir_given = false;
  uint32_t read_timeout_ms = kReadTimeoutMs;
  uint64_t store_stats_period_s = kStatsDumpPeriodSecondsDefault;
  std::string access_log;  // empty: stderr
  uint64_t scrub_interval_hours = kScrubIntervalDefault.count();  // 0: no scrub
  uint64_t state_cache_mib = kStateCacheBytesDefault >> 20;
};

// Sets `out` to a whole decimal number in [min, max] (no sign, spaces or suffix) or says why not.
bool ParseNumberFlag(const std::string& name, const std::string& text, uint64_t min, uint64_t max, uint64_t& out) {
  const std::optional<uint64_t> value = ParseU64(text);
  if (value && *value >= min && *value <= max) {
    out = *value;
    return true;
  }
  std::cerr << "mingzhangd: " << name << " must be a whole number from " << min << " to " << max << "\n";
  return false;
}

bool ParseFlags(int argc, char** argv, Flags& f) {
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (name == "--data-dir") f.data_dir = value;
    else if (name == "--listen") f.listen = value;
    else if (name == "--origin") f.origin = value;
    else if (name == "--tls-cert") f.tls_cert = value;
    else if (name == "--tls-key") f.tls_key = value;
    else if (name == "--web-dir") f.web_dir = value, f.web_dir_given = true;
    else if (name == "--access-log") f.access_log = value;
    else if (name == "--threads") {
      if (!ParseNumberFlag(name, value, 0, kThreadsMax, f.threads)) return false;
    } else if (name == "--read-timeout-ms") {
      uint64_t ms = 0;
      if (!ParseNumberFlag(name, value, 1, kReadTimeoutMsMax, ms)) return false;
      f.read_timeout_ms = static_cast<uint32_t>(ms);
    } else if (name == "--store-stats-period-s") {
      if (!ParseNumberFlag(name, value, 0, kStoreStatsPeriodSecondsMax, f.store_stats_period_s)) return false;
    } else if (name == "--scrub-interval-hours") {
      if (!ParseNumberFlag(name, value, 0, kScrubIntervalHoursMax, f.scrub_interval_hours)) return false;
    } else if (name == "--state-cache-mib") {
      if (!ParseNumberFlag(name, value, 1, kStateCacheMibMax, f.state_cache_mib)) return false;
    } else return false;
  }
  const size_t colon = f.listen.rfind(':');
  if (colon == std::string::npos) return false;
  f.address = f.listen.substr(0, colon);
  return ParseNumberFlag("the port of --listen", f.listen.substr(colon + 1), 0, 65535, f.port);
}

int Fail(const Status& s) {
  std::cerr << "mingzhangd: " << s.ToString() << "\n";
  return 1;
}

// The scrub's progress and finding; none when it is off.
void AddScrubMetrics(ApiContext& ctx) {
  const Scrubber* scrub = ctx.scrubber;
  if (scrub == nullptr) return;
  ctx.metrics->GaugeCallback("mingzhang_scrub_entries_checked", "Entries the scrub's pass under way (or last) has checked.",
                             [scrub] { return static_cast<double>(scrub->entries_checked()); });
  ctx.metrics->GaugeCallback("mingzhang_scrub_log_size", "The log size (head) the scrub's pass under way (or last) checks.",
                             [scrub] { return static_cast<double>(scrub->log_size()); });
  ctx.metrics->GaugeCallback("mingzhang_scrub_passes_total", "Scrub passes completed since start.",
                             [scrub] { return static_cast<double>(scrub->passes_completed()); });
  ctx.metrics->GaugeCallback("mingzhang_scrub_finding", "1 once the scrub found the log damaged (writes refused).",
                             [scrub] { return scrub->finding() ? 1.0 : 0.0; });
  ctx.metrics->GaugeCallback("mingzhang_scrub_bad_seq", "The seq the scrub's finding names; -1 when none.", [scrub] {
    std::optional<VerifyReport> finding = scrub->finding();
    return finding && finding->bad_seq ? static_cast<double>(*finding->bad_seq) : -1.0;
  });
}

void AddMetrics(Router& router, ApiContext& ctx) {
  ctx.metrics->GaugeCallback("mingzhang_tree_size", "Entries in the log.",
                             [&ctx] { return static_cast<double>(ctx.ledger.head().tree_size); });
  ctx.metrics->GaugeCallback("mingzhang_appends_total", "Entries appended since start.",
                             [&ctx] { return static_cast<double>(ctx.ledger.stats().appends); });
  ctx.metrics->GaugeCallback("mingzhang_batches_total", "Durable batches (group commits) since start.",
                             [&ctx] { return static_cast<double>(ctx.ledger.stats().batches); });
  ctx.metrics->GaugeCallback("mingzhang_storage_writable", "1 while writes are taken, 0 after a storage error.",
                             [&ctx] { return ctx.ledger.WriteState().ok() ? 1.0 : 0.0; });
  ctx.metrics->GaugeCallback("mingzhang_storage_full", "1 while writes are refused because the storage is full.",
                             [&ctx] { return ctx.ledger.WriteState().slug() == "storage-full" ? 1.0 : 0.0; });
  ctx.metrics->GaugeCallback("mingzhang_store_log_lines_dropped", "Lines of store/LOG that could not be written.",
                             [&ctx] { return static_cast<double>(ctx.ledger.store().info_log_lines_dropped()); });
  ctx.metrics->GaugeCallback("mingzhang_last_batch_entries", "Entries in the last group commit.",
                             [&ctx] { return static_cast<double>(ctx.ledger.stats().last_batch_entries); });
  AddScrubMetrics(ctx);
  router.Add(http::verb::get, "/metrics", [&ctx](Request& req, Responder res) {
    // Anyone on loopback; elsewhere an admin token.
    bool loopback = req.remote.rfind("127.", 0) == 0 || req.remote.rfind("[::1]", 0) == 0;
    if (!loopback) {
      Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
      if (!who.ok()) return res.Problem(who.status());
      if (Status s = RequireRole(*who, {v1::admin}); !s.ok()) return res.Problem(s);
    }
    res.Text(http::status::ok, ctx.metrics->Render(), kPrometheusContentType);
  });
}

// Serves the portal at "/". A portal asked for by --web-dir must be there; the built-in default
// may be missing (a build without the portal), which is said and is no reason not to serve the API.
Status AddPortal(Router& router, const Flags& flags) {
  if (flags.web_dir.empty()) return OkStatus();
  Result<StaticFiles> files = StaticFiles::Load(flags.web_dir);
  if (!files.ok()) {
    if (flags.web_dir_given) return files.status();
    std::cerr << "mingzhangd: no portal at / (" << files.status().message() << ")\n";
    return OkStatus();
  }
  for (const std::string& skipped : files->skipped()) std::cerr << "mingzhangd: portal: not serving " << skipped << "\n";
  std::cerr << "mingzhangd: portal at / from " << flags.web_dir << " (" << files->files().size() << " files)\n";
  AddStaticRoutes(router, std::make_shared<const StaticFiles>(std::move(files).value()));
  return OkStatus();
}

// An existing store is served only once its head verifies: the checkpoint at the head's size
// (signature, origin, root against the stored tree) and the last kStartupChainCheckEntries
// entries (each at its seq, hashing to its leaf, linked by prev_hash, the last one's hash the
// head's). Bounded whatever the log's size; the whole log is the scrub's (StartScrub), and
// mingzhang verify checks everything offline (README "Verification at start-up and the scrub").
Status CheckBeforeServing(const std::string& data_dir) {
  const std::string store_dir = data_dir + "/" + kStoreDirName;
  if (!std::filesystem::exists(store_dir + "/CURRENT")) return OkStatus();  // a new log
  const auto start = std::chrono::steady_clock::now();
  StoreOptions store_options;
  store_options.read_only = true;
  MZ_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(store_dir, store_options));
  MZ_ASSIGN_OR_RETURN(SigningKey key, SigningKey::LoadFile(data_dir + "/" + kKeyFileName));
  // A key file from another log is named as such, not as a store whose signatures all fail.
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> public_key, store->Get(Column::kMeta, kMetaPublicKey));
  if (public_key && *public_key != key.public_key().raw()) {
    return FailedPrecondition("key-mismatch", "the key file does not match the key this log was created with");
  }
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> key_name, store->Get(Column::kMeta, kMetaKeyName));
  if (!key_name || !ValidKeyName(*key_name)) return DataLoss("store-corrupt", "the store names no valid log key");
  MZ_ASSIGN_OR_RETURN(VerifyReport report, VerifyHead(*store, NoteVerifier::For(*key_name, key.public_key()),
                                                      kStartupChainCheckEntries));
  if (!report.ok()) {
    return DataLoss("store-does-not-verify", "refusing to serve " + store_dir + ": " + report.ToString() +
                                                 " (mingzhang verify --data-dir " + data_dir + " checks it all)");
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  std::cerr << "mingzhangd: store head verified (its checkpoint and the last " << report.entries << " entries) in "
            << ms.count() << " ms\n";
  return OkStatus();
}

// The whole log verified in the background, once now and then every --scrub-interval-hours;
// null when that is 0. Its finding stops writes (api/v1/endpoints_write.cpp) and turns /healthz red.
std::unique_ptr<Scrubber> StartScrub(const Flags& flags, const District& ledger) {
  if (flags.scrub_interval_hours == 0) return nullptr;
  ScrubOptions options;
  options.interval = std::chrono::hours(flags.scrub_interval_hours);
  options.on_pass_end = [](const Result<VerifyReport>& report, std::chrono::milliseconds took) {
    if (!report.ok()) {
      std::cerr << "mingzhangd: scrub: could not read the store (" << report.status().ToString() << "); retrying\n";
    } else if (report->stopped) {
      std::cerr << "mingzhangd: scrub: gave way to the storage's recovery; retrying\n";
    } else if (report->ok()) {
      std::cerr << "mingzhangd: scrub: log verified (" << report->ToString() << ") in " << took.count() << " ms\n";
    } else {
      std::cerr << "mingzhangd: scrub: LOG DAMAGED: " << report->ToString() << "; writes refused\n";
    }
  };
  // Then every community's state rows against a replay of its entries (verify_state.h).
  options.state_check = [&store = ledger.store()](const std::function<bool()>& go_on) -> Result<VerifyReport> {
    bool stopped = false;
    MZ_ASSIGN_OR_RETURN(std::optional<StateDifference> difference,
                        CheckEveryCommunity(store, [&] { return !(stopped = !go_on()); }));
    VerifyReport report;
    report.stopped = stopped;
    if (difference) {
      report.finding = difference->balance ? Finding::kBalanceMismatch : Finding::kStateMismatch;
      report.detail = difference->detail;
    }
    return report;
  };
  return std::make_unique<Scrubber>(ledger.store(), ledger.verifier(), std::move(options));
}

int Run(const Flags& flags) {
  if (Status s = CheckBeforeServing(flags.data_dir); !s.ok()) return Fail(s);
  LedgerOptions options;
  options.data_dir = flags.data_dir;
  options.origin = flags.origin;
  options.store_stats_period_s = static_cast<unsigned>(flags.store_stats_period_s);
  options.state_cache_bytes = static_cast<size_t>(flags.state_cache_mib) << 20;
  // Once, for a log written before state rows (or whose building stopped): said as it goes.
  options.on_state_build = [](uint64_t done, uint64_t total) {
    std::cerr << "mingzhangd: building the state rows from the log: " << done << " of " << total << " entries\n";
  };
  // Said once per change, not per refused write.
  options.on_write_state = [](const Status& writes) {
    if (writes.ok()) std::cerr << "mingzhangd: writes accepted again\n";
    else std::cerr << "mingzhangd: writes refused: " << (writes.slug() == "storage-full" ? "storage full" : "storage failing")
                   << "; reads are served (" << writes.message() << ")\n";
  };
  Result<std::unique_ptr<District>> ledger = District::Open(options);
  if (!ledger.ok()) return Fail(ledger.status());
  std::string token_path = flags.data_dir + "/" + kAdminTokenFile;
  auto access = std::make_unique<Access>(**ledger);  // tokens and invitations, in the store's auth column
  Result<std::string> admin = access->tokens().EnsureAdminToken(token_path);
  if (admin.ok()) std::cerr << "mingzhangd: created an admin token in " << token_path << "\n";
  else if (admin.status().slug() != kAdminExistsSlug) return Fail(admin.status());

  std::unique_ptr<Scrubber> scrub = StartScrub(flags, **ledger);

  auto metrics = std::make_shared<Metrics>();
  ApiContext ctx{**ledger, *access, metrics,
                 std::make_shared<VoucherStore>(flags.data_dir + "/" + kVouchersDirName), scrub.get()};
  Router router;
  AddWriteEndpoints(router, ctx);
  AddReadEndpoints(router, ctx);
  AddVoucherEndpoints(router, ctx, ctx.vouchers);
  AddMetrics(router, ctx);
  if (Status s = AddPortal(router, flags); !s.ok()) return Fail(s);

  ServerOptions server_options;
  server_options.address = flags.address;
  server_options.port = static_cast<uint16_t>(flags.port);
  server_options.threads = flags.threads;
  server_options.read_timeout_ms = flags.read_timeout_ms;
  server_options.tls_certificate_chain_path = flags.tls_cert;
  server_options.tls_private_key_path = flags.tls_key;
  if (!flags.access_log.empty()) {
    // Open for the process's life: the sink's thread writes to it until the server is gone.
    std::FILE* log = std::fopen(flags.access_log.c_str(), "a");
    if (log == nullptr) {
      return Fail(Unavailable("access-log", "cannot open " + flags.access_log + ": " + std::strerror(errno)));
    }
    server_options.access_log = BufferedAccessLog(log);
  }
  auto server = HttpServer::Create(server_options, std::move(router), metrics);
  if (!server.ok()) return Fail(server.status());
  std::cerr << "mingzhangd: serving " << (*ledger)->origin() << " on " << (flags.tls_cert.empty() ? "http" : "https")
            << "://" << server_options.address << ":" << (*server)->port() << "\n";
  (*server)->Run();
  server->reset();  // every response delivered or dropped before the ledger goes
  scrub.reset();    // its pass reads the ledger's store
  access.reset();   // over the ledger's store
  ledger->reset();  // drains the append queue and closes the store cleanly
  std::cerr << "mingzhangd: stopped\n";
  return 0;
}

}  // namespace
}  // namespace mingzhang::api

int main(int argc, char** argv) {
  mingzhang::api::Flags flags;
  if (!mingzhang::api::ParseFlags(argc, argv, flags)) {
    std::cerr << mingzhang::api::kUsage;
    return 2;
  }
  return mingzhang::api::Run(flags);
}
