// mingzhangd over a log changed on disk while it was stopped (issue 23): start-up checks only the
// head (its checkpoint and the last kStartupChainCheckEntries entries) and refuses a change
// there; a change further back is the background scrub's, which then refuses writes (503
// log-damaged), turns /healthz red naming the seq, and leaves reads served.
#include <filesystem>
#include <regex>

#include "ledger/log/keys.h"
#include "tests/support/raw_db.h"
#include "tests/support/reliability_util.h"

namespace mingzhang::apitest {
namespace {

using testing::RawDb;

// Past the daemon's start-up window of 1,024 entries: the district (seq 0-2) and payments.
constexpr int kPayments = 1'200;
constexpr uint64_t kLogSize = 3 + kPayments;
constexpr uint64_t kChangedSeq = 40;  // a payment, far before the window
constexpr auto kWaitMax = std::chrono::seconds(60);  // a deadline for the scrub, not a timing check

struct Template {
  testing::TempDir root;
  std::string data_dir = root / "data";
  std::string firm;  // a token of F1, kept by the store across restarts
};

const Template& LogTemplate() {
  static Template* t = [] {
    auto* built = new Template;
    Daemon d(built->data_dir);
    d.Start();
    HttpClient c(d.port());
    built->firm = SetUpDistrict(c, d.admin_token());
    json payments = json::array();
    for (int i = 0; i < kPayments; ++i) payments.push_back(json::parse(PaymentBody("p-" + std::to_string(i), i, 100 + i)));
    Reply r = c.Post("/v1/communities/C1/payments:batch", built->firm, json{{"payments", payments}}.dump());
    INFO(r.Describe());
    REQUIRE(r.status == 201);
    REQUIRE(TreeSize(c) == kLogSize);
    REQUIRE(d.Terminate() == 0);
    return built;
  }();
  return *t;
}

std::string CopyOfTemplate(const testing::TempDir& dir) {
  const std::string data_dir = dir / "data";
  std::filesystem::copy(LogTemplate().data_dir, data_dir, std::filesystem::copy_options::recursive);
  return data_dir;
}

void ChangeEntry(const std::string& data_dir, uint64_t seq) {
  RawDb db(data_dir);
  std::string bytes = db.Get("entries", EntryKey(seq));
  bytes.back() ^= 0x01;  // inside the receipt reference: it still decodes
  db.Put("entries", EntryKey(seq), bytes);
}

// A gauge's value in GET /metrics; nullopt when absent.
std::optional<double> Gauge(HttpClient& c, const std::string& name) {
  Reply r = c.Get("/metrics");
  std::smatch m;
  if (r.status != 200 || !std::regex_search(r.body, m, std::regex("\n" + name + " ([-0-9.e+]+)\n"))) return std::nullopt;
  return std::stod(m[1]);
}

template <typename Predicate>
bool WaitFor(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitMax;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_CASE("mingzhangd serves an untouched log and its scrub checks every entry", "[scrub]") {
  testing::TempDir dir;
  Daemon d(CopyOfTemplate(dir));
  d.Start();
  HttpClient c(d.port());
  REQUIRE(WaitFor([&] { return Gauge(c, "mingzhang_scrub_passes_total") == 1.0; }));
  CHECK(Gauge(c, "mingzhang_scrub_log_size") == static_cast<double>(kLogSize));
  CHECK(Gauge(c, "mingzhang_scrub_entries_checked") == static_cast<double>(kLogSize));
  CHECK(Gauge(c, "mingzhang_scrub_finding") == 0.0);
  CHECK(Gauge(c, "mingzhang_scrub_bad_seq") == -1.0);
  CHECK(c.Get("/healthz").status == 200);
  CHECK(c.Post(kPaymentsPath, LogTemplate().firm, PaymentBody("after", 1, 500)).status == 201);
  CHECK(d.log().find("mingzhangd: scrub: log verified (ok: " + std::to_string(kLogSize) + " entries") != std::string::npos);
  CHECK(d.Terminate() == 0);
}

TEST_CASE("an entry changed before the start-up window: mingzhangd starts, its scrub stops writes", "[scrub]") {
  testing::TempDir dir;
  const std::string data_dir = CopyOfTemplate(dir);
  ChangeEntry(data_dir, kChangedSeq);
  Daemon d(data_dir);
  d.StartAnswering();  // no full verification before serving: it answers
  HttpClient c(d.port());
  const std::string finding = "modified at seq " + std::to_string(kChangedSeq) + ":";

  REQUIRE(WaitFor([&] { return c.Get("/healthz").status == 503; }));
  Reply health = c.Get("/healthz");
  INFO(health.body);
  CHECK(health.body.rfind("log-damaged: " + finding, 0) == 0);

  Reply write = c.Post(kPaymentsPath, LogTemplate().firm, PaymentBody("after", 1, 500));
  INFO(write.Describe());
  CHECK(write.status == 503);
  CHECK(write.Json()["type"] == "log-damaged");
  CHECK(write.Json()["detail"].get<std::string>().find(finding) != std::string::npos);
  Reply batch = c.Post("/v1/communities/C1/payments:batch", LogTemplate().firm,
                       json{{"payments", {json::parse(PaymentBody("after-2", 2, 500))}}}.dump());
  CHECK(batch.status == 503);
  CHECK(TreeSize(c) == kLogSize);  // nothing written

  // Reads are served, the changed entry too (as it is stored: verification says what is wrong).
  CHECK(c.Get("/v1/entries/" + std::to_string(kChangedSeq), LogTemplate().firm).status == 200);
  CHECK(c.Get("/v1/entries?community=C1&limit=5", LogTemplate().firm).status == 200);
  Reply ready = c.Get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.Json()["type"] == "log-damaged");

  CHECK(Gauge(c, "mingzhang_scrub_finding") == 1.0);
  CHECK(Gauge(c, "mingzhang_scrub_bad_seq") == static_cast<double>(kChangedSeq));
  CHECK(Gauge(c, "mingzhang_scrub_passes_total") == 1.0);
  CHECK(d.log().find("mingzhangd: scrub: LOG DAMAGED: " + finding) != std::string::npos);
  CHECK(d.Terminate() == 0);
}

TEST_CASE("the last entry changed: mingzhangd refuses to start, naming it", "[scrub]") {
  testing::TempDir dir;
  const std::string data_dir = CopyOfTemplate(dir);
  ChangeEntry(data_dir, kLogSize - 1);
  auto [code, output] = RunCommand({MINGZHANGD, "--data-dir", data_dir, "--listen", "127.0.0.1:0"}, dir / "daemon.log");
  INFO(output);
  CHECK(code == 1);
  CHECK(output.find("refusing to serve " + data_dir + "/store: modified at seq " + std::to_string(kLogSize - 1) + ":") !=
        std::string::npos);
}

TEST_CASE("mingzhangd --scrub-interval-hours 0 turns the scrub off", "[scrub]") {
  testing::TempDir dir;
  const std::string data_dir = CopyOfTemplate(dir);
  ChangeEntry(data_dir, kChangedSeq);
  Daemon d(data_dir);
  d.Start({"--scrub-interval-hours", "0"});
  HttpClient c(d.port());
  CHECK_FALSE(Gauge(c, "mingzhang_scrub_passes_total"));
  CHECK(c.Get("/healthz").status == 200);
  CHECK(d.Terminate() == 0);
}

}  // namespace
}  // namespace mingzhang::apitest
