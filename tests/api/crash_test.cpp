// kill -9 at random moments under concurrent writers, then restart, round after round (ctest
// label "crash"). Every round:
//   - writers post payments with idempotency keys and record each acknowledgement (seq, leaf
//     hash); a poller records the last checkpoint the daemon served;
//   - the daemon is killed with SIGKILL at a random moment, and `mingzhang verify` checks the
//     data directory offline (entries, chain, tree, checkpoints, idempotency records, balances);
//   - after the restart (which verifies the store before serving it): every acknowledged entry
//     is there with the same bytes, the new checkpoint is consistent with the last one served
//     before the crash (its consistency proof verified here), and the requests whose answer was
//     lost, retried with their keys, are each in the log exactly once.
//
// MINGZHANG_CRASH_ROUNDS=N runs N rounds (default 10); MINGZHANG_CRASH_SEED=S repeats a run.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "ledger/base/encoding.h"
#include "ledger/log/merkle.h"
#include "ledger/log/note.h"
#include "tests/support/reliability_util.h"

namespace mingzhang::apitest {
namespace {

constexpr int kRoundsDefault = 10;
constexpr int kWriters = 4;
constexpr int kKillAfterMinMs = 20;
constexpr int kKillAfterMaxMs = 300;
constexpr int kPollEveryMs = 2;
constexpr int kSetupEntriesInC1 = 2;  // the community's registration and its units

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

struct Written {
  std::string body;
  std::string seq;
  std::string leaf_hash;
};

// What a signed checkpoint says, its signature checked with the log's key.
Checkpoint Open(const NoteVerifier& verifier, const std::string& note) {
  Result<std::string> text = OpenNote(note, verifier);
  INFO(note);
  REQUIRE(text.ok());
  Result<Checkpoint> checkpoint = ParseCheckpoint(*text);
  REQUIRE(checkpoint.ok());
  return *checkpoint;
}

class CrashRounds {
 public:
  CrashRounds(std::string data_dir, uint32_t seed) : data_dir_(std::move(data_dir)), rng_(seed) {}

  // A daemon on the data directory, started; the district set up on the first start.
  std::unique_ptr<Daemon> Start() {
    auto d = std::make_unique<Daemon>(data_dir_);
    d->Start();
    HttpClient c(d->port());
    if (firm_.empty()) {
      firm_ = SetUpDistrict(c, d->admin_token());
      Reply keys = c.Get("/v1/keys");
      REQUIRE(keys.status == 200);
      Result<NoteVerifier> verifier = NoteVerifier::Parse(keys.Json()["verifier_key"].get<std::string>());
      REQUIRE(verifier.ok());
      verifier_ = std::move(verifier).value();
      last_checkpoint_ = c.Get("/v1/checkpoint").body;
    }
    return d;
  }

  // Writers and the checkpoint poller run until the daemon is killed at a random moment.
  void WriteUntilKilled(Daemon& d, int round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] { Write(d.port(), round, w, stop); });
    }
    threads.emplace_back([&] { Poll(d.port(), stop); });
    const int kill_after_ms = std::uniform_int_distribution<int>(kKillAfterMinMs, kKillAfterMaxMs)(rng_);
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
    d.Signal(SIGKILL);
    const int code = d.WaitExited();
    stop = true;
    for (std::thread& t : threads) t.join();
    INFO("round " << round << ": killed after " << kill_after_ms << " ms");
    CHECK(code == 128 + SIGKILL);
    for (const std::string& u : unexpected_) UNSCOPED_INFO(u);
    CHECK(unexpected_.empty());
    unexpected_.clear();
  }

  // The data directory verifies offline, as the regulator's tool sees it.
  void VerifyOffline(int round) const {
    auto [code, output] = RunCommand({MINGZHANG_CLI, "verify", "--data-dir", data_dir_},
                                     (std::filesystem::path(data_dir_).parent_path() / "verify.log").string());
    INFO("round " << round << ": " << output);
    CHECK(code == 0);
    CHECK(output.rfind("ok: ", 0) == 0);
  }

  // After a restart: what was acknowledged survived, the log only grew, and lost answers are
  // recovered by retrying with the same keys, each request written exactly once.
  void CheckSurvivors(Daemon& d) {
    HttpClient c(d.port());
    for (const auto& [key, w] : acked_) {
      Reply r = c.Get("/v1/entries/" + w.seq, firm_);
      INFO(key << " acknowledged at seq " << w.seq << ": " << r.Describe());
      REQUIRE(r.status == 200);
      json j = r.Json();
      CHECK(j["leaf_hash"] == w.leaf_hash);
      CHECK(j["entry"]["idempotency_key"] == key);
    }
    CheckConsistentWithLastServed(c);
    RetryUnanswered(c);
    CheckExactlyOnce(c);
  }

  size_t acked() const { return acked_.size(); }
  // Requests whose answer was lost: written before the crash (the retry answered 200), or not.
  int lost_but_written() const { return lost_but_written_; }
  int lost_and_absent() const { return lost_and_absent_; }

 private:
  void Write(uint16_t port, int round, int writer, const std::atomic<bool>& stop) {
    HttpClient client(port);
    for (int i = 0; !stop; ++i) {
      const std::string key = "r" + std::to_string(round) + "-w" + std::to_string(writer) + "-" + std::to_string(i);
      const std::string body = PaymentBody(key, writer + i, 100 + i % 900);
      Reply r = client.Post(kPaymentsPath, firm_, body);
      std::lock_guard lock(mu_);
      if (r.status == 201) {
        json j = r.Json();
        acked_[key] = Written{body, j["seq"].get<std::string>(), j["leaf_hash"].get<std::string>()};
      } else if (!r.ok()) {
        unanswered_.push_back(body);  // sent, and the daemon died before answering
        return;
      } else {
        unexpected_.push_back(key + ": " + r.Describe());
      }
    }
  }

  void Poll(uint16_t port, const std::atomic<bool>& stop) {
    HttpClient client(port);
    while (!stop) {
      Reply r = client.Get("/v1/checkpoint");
      if (r.status != 200) return;
      {
        std::lock_guard lock(mu_);
        last_checkpoint_ = r.body;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollEveryMs));
    }
  }

  // The checkpoint served now against the last one served before the crash: still served byte
  // for byte at its size, and the new tree extends it (RFC 9162 consistency proof).
  void CheckConsistentWithLastServed(HttpClient& c) {
    const std::string now_note = c.Get("/v1/checkpoint").body;
    Checkpoint before = Open(*verifier_, last_checkpoint_);
    Checkpoint now = Open(*verifier_, now_note);
    INFO("before the crash: " << before.tree_size << ", now: " << now.tree_size);
    REQUIRE(now.tree_size >= before.tree_size);
    Reply old = c.Get("/v1/checkpoint?tree_size=" + std::to_string(before.tree_size));
    CHECK(old.body == last_checkpoint_);
    if (before.tree_size == now.tree_size || before.tree_size == 0) {
      CHECK((before.tree_size == 0 || before.root_hash == now.root_hash));
    } else {
      Reply proof = c.Get("/v1/proofs/consistency?first=" + std::to_string(before.tree_size) +
                          "&second=" + std::to_string(now.tree_size));
      REQUIRE(proof.status == 200);
      std::vector<std::string> path;
      const json answer = proof.Json();
      for (const json& node : answer["path"]) {
        Result<std::string> bytes = Base64Decode(node.get<std::string>());
        REQUIRE(bytes.ok());
        path.push_back(*bytes);
      }
      Status consistent =
          VerifyConsistency(before.tree_size, now.tree_size, path, AsBytes(before.root_hash), AsBytes(now.root_hash));
      INFO(consistent.ToString());
      CHECK(consistent.ok());
    }
    for (const auto& [key, w] : acked_) CHECK(std::stoull(w.seq) < now.tree_size);
    last_checkpoint_ = now_note;
  }

  // 201 if the lost request never became durable, 200 (the same entry) if it did.
  void RetryUnanswered(HttpClient& c) {
    for (const std::string& body : unanswered_) {
      Reply r = c.Post(kPaymentsPath, firm_, body);
      INFO(r.Describe());
      REQUIRE((r.status == 201 || r.status == 200));
      ++(r.status == 200 ? lost_but_written_ : lost_and_absent_);
      json j = r.Json();
      acked_[json::parse(body)["idempotency_key"]] = Written{body, j["seq"].get<std::string>(), j["leaf_hash"].get<std::string>()};
      // A second retry is an idempotent repeat of the same entry.
      Reply again = c.Post(kPaymentsPath, firm_, body);
      CHECK(again.status == 200);
      CHECK(again.Json()["seq"] == j["seq"]);
    }
    unanswered_.clear();
  }

  // Every request in C1 once: the log holds the setup and exactly the acknowledged payments.
  void CheckExactlyOnce(HttpClient& c) {
    std::map<std::string, std::vector<std::string>> leaves = LeavesByKeyInC1(c, firm_);
    for (const auto& [key, written] : leaves) {
      INFO(key);
      CHECK(written.size() == 1);
    }
    for (const auto& [key, w] : acked_) {
      INFO(key);
      REQUIRE(leaves.count(key) == 1);
      CHECK(leaves[key].front() == w.leaf_hash);
    }
    CHECK(leaves.size() == acked_.size() + kSetupEntriesInC1);
  }

  const std::string data_dir_;
  std::mt19937 rng_;
  std::string firm_;
  std::optional<NoteVerifier> verifier_;  // the log's key, from the first start
  std::mutex mu_;  // the writers' and the poller's records below
  std::map<std::string, Written> acked_;  // idempotency key -> its acknowledgement
  std::vector<std::string> unanswered_;   // bodies sent whose answer never came
  std::vector<std::string> unexpected_;   // answers other than 201 or none
  std::string last_checkpoint_;           // the last checkpoint note served
  int lost_but_written_ = 0;
  int lost_and_absent_ = 0;
};

TEST_CASE("kill -9 under concurrent writers loses nothing acknowledged and writes nothing twice", "[crash]") {
  const int rounds = std::max(1, EnvInt("MINGZHANG_CRASH_ROUNDS", kRoundsDefault));
  const uint32_t seed = static_cast<uint32_t>(EnvInt("MINGZHANG_CRASH_SEED", static_cast<int>(std::random_device{}())));
  INFO("MINGZHANG_CRASH_SEED=" << seed << ", " << rounds << " rounds");
  testing::TempDir root;
  CrashRounds run(root / "data", seed);
  for (int round = 0; round < rounds; ++round) {
    std::unique_ptr<Daemon> d = run.Start();
    if (round > 0) run.CheckSurvivors(*d);
    run.WriteUntilKilled(*d, round);
    run.VerifyOffline(round);
  }
  std::unique_ptr<Daemon> d = run.Start();
  run.CheckSurvivors(*d);
  CHECK(d->Terminate() == 0);
  run.VerifyOffline(rounds);
  INFO(run.acked() << " payments acknowledged; of the answers lost to a crash, " << run.lost_but_written()
                   << " were written before it, " << run.lost_and_absent() << " were not");
  CHECK(run.acked() > 0);
  CHECK(run.lost_but_written() + run.lost_and_absent() > 0);  // the kills came mid-request
}

}  // namespace
}  // namespace mingzhang::apitest
