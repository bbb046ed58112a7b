// The tamper matrix: one change to a stored log, made in RocksDB as someone with the disk would,
// and three verdicts on it, each naming what is wrong and where:
//   - offline: `mingzhang verify --data-dir` (exit 1);
//   - online: `mingzhang verify --server` against a server that serves the store as it is, as a
//     careless or compromised one would (exit 1); it remembers a checkpoint an auditor verified
//     earlier, as its state file does;
//   - mingzhangd, which must refuse to serve the store (exit 1, naming it) when its bounded
//     start-up check sees the change (the head's checkpoint, the last entries' chain), and
//     otherwise starts and names it from its background scrub (/healthz 503, writes refused).
// What the store keeps beside the log and never serves as such (state rows: balances, units,
// digests; idempotency records) only the offline verification and the scrub can see: online
// verification then finds nothing wrong in what is served.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "api/v1/json_io.h"
#include "ledger/domain/domain.h"
#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"
#include "ledger/log/tree_rows.h"
#include "ledger/domain/state_rows.h"
#include "mingzhang/v1/state.pb.h"
#include "tests/support/raw_db.h"
#include "tests/support/reliability_util.h"

namespace mingzhang::apitest {
namespace {

using testing::RawDb;

// The log the matrix starts from, built through the real routes (in process): firm, community
// and units (seq 0-2), payments (3-8), public revenue (9), a disbursement (10), a proposal (11),
// six ballots (12-17), its close (18), a reversal (19). An auditor verified it online at size
// kRememberedSize. One checkpoint per entry: each write was its own batch.
constexpr uint64_t kLogSize = 20;
constexpr uint64_t kRememberedSize = 12;
constexpr int kPayments = 6;

struct LogTemplate {
  testing::TempDir root;
  std::string data_dir = root / "data";
  std::string state_file = root / "auditor.state";
  std::string token_file = root / "admin.token";
};

// `mingzhang verify --server` with the template's token and a copy of the auditor's state.
std::pair<int, std::string> VerifyOnline(const LogTemplate& t, uint16_t port, const std::string& state_file) {
  return RunCommand({MINGZHANG_CLI, "verify", "--server", "http://127.0.0.1:" + std::to_string(port), "--token-file",
                     t.token_file, "--state-file", state_file},
                    t.root / "online.log");
}

void Write(HttpClient& c, const std::string& token, const std::string& path, json body) {
  static int key = 0;
  body["idempotency_key"] = "tamper-" + std::to_string(key++);
  Reply r = c.Post(path, token, body.dump());
  INFO(path << ": " << r.Describe());
  REQUIRE(r.status == 201);
}

void BuildTemplate(LogTemplate& t) {
  LedgerOptions options;
  options.data_dir = t.data_dir;
  options.origin = "mingzhang.test/tamper";
  // 2026-11-30 12:00 China Standard Time, the day P1's voting ends; the close is the day after
  // (6 of the 8 units vote, so it cannot close before then).
  constexpr int64_t kVotingDayMs = 1'796'011'200'000;
  auto now_ms = std::make_shared<std::atomic<int64_t>>(kVotingDayMs);
  options.clock_ms = [now_ms] { return now_ms->load(); };
  LedgerServer server(options);
  HttpClient c(server.port());
  const std::string admin = server.admin_token();
  const std::string firm = SetUpDistrict(c, admin);
  const std::string committee = IssueToken(c, admin, "committee", "committee-C1", {"C1"});
  const std::string owner = IssueToken(c, admin, "owner", "owner-1", {"C1"}, {"U0", "U1", "U2", "U3", "U4", "U5"});
  for (int i = 0; i < kPayments; ++i) {
    Reply r = c.Post(kPaymentsPath, firm, PaymentBody("pay-" + std::to_string(i), i, 90000));
    REQUIRE(r.status == 201);
  }
  Write(c, committee, "/v1/communities/C1/public-revenue",
        {{"source", "parking"}, {"amount", 50000}, {"payer", "Park Co"}, {"received_on", "2026-01-10"}, {"contract_ref", "K-1"}});
  Write(c, firm, "/v1/communities/C1/disbursements",
        {{"fund", "FEES"}, {"category", "CLEANING"}, {"amount", 20000}, {"payee", "Clean Co"}, {"description", "January"},
         {"paid_on", "2026-01-20"}, {"voucher_sha256", HexEncode(AsBytes(Sha256("cleaning")))}});
  REQUIRE(TreeSize(c) == kRememberedSize - 1);
  Write(c, committee, "/v1/communities/C1/proposals",
        {{"proposal_id", "P1"}, {"title", "Benches"}, {"matter", "ORDINARY"}, {"amount", 10000},
         {"fund", "PUBLIC_REVENUE"}, {"closes_on", "2026-11-30"}});
  {
    std::ofstream(t.token_file) << admin << "\n";
    auto [code, output] = VerifyOnline(t, server.port(), t.state_file);
    INFO(output);
    REQUIRE(code == 0);
  }
  for (int u = 0; u < 6; ++u) {
    Write(c, owner, "/v1/communities/C1/proposals/P1/votes", {{"unit_id", "U" + std::to_string(u)}, {"choice", "YES"}});
  }
  now_ms->store(kVotingDayMs + 86'400'000);
  Write(c, committee, "/v1/communities/C1/proposals/P1/close", json::object());
  Write(c, firm, "/v1/entries/4/reversal", {{"reason", "recorded twice"}});
  REQUIRE(TreeSize(c) == kLogSize);
}

const LogTemplate& Template() {
  static LogTemplate* t = [] {
    auto* built = new LogTemplate;
    BuildTemplate(*built);
    return built;
  }();
  return *t;
}

// What a server that does not check its store serves of it: the read routes the online
// verification uses, answered from the store as it is, shaped as mingzhangd shapes them.
class StoreServer {
 public:
  // `extra_inclusion_node`: every inclusion proof gets one more node, which no verifier accepts.
  explicit StoreServer(const std::string& data_dir, bool extra_inclusion_node = false)
      : extra_inclusion_node_(extra_inclusion_node) {
    StoreOptions options;
    options.read_only = true;
    Result<std::unique_ptr<Store>> store = Store::Open(data_dir + "/" + kStoreDirName, options);
    REQUIRE(store.ok());
    store_ = std::move(store).value();
    Result<PublicKey> key = PublicKey::FromPem(ReadFile(data_dir + "/" + kPublicKeyFileName));
    REQUIRE(key.ok());
    key_.emplace(*key);
    origin_ = Meta(kMetaOrigin);
    verifier_ = NoteVerifier::For(Meta(kMetaKeyName), *key_).String();
    api::Router router;
    AddRoutes(router);
    server_ = LedgerServer::MakeServer(std::move(router));
    thread_ = std::thread([s = server_.get()] { s->Run(); });
  }
  ~StoreServer() {
    server_->StopNow();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }

 private:
  std::string Meta(std::string_view key) {
    Result<std::optional<std::string>> value = store_->Get(Column::kMeta, key);
    REQUIRE((value.ok() && value->has_value()));
    return **value;
  }

  // A query or path parameter as a number; nullopt when absent or not one.
  static std::optional<uint64_t> Number(const std::string* text) {
    if (text == nullptr || text->empty() || text->find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoull(*text);
  }

  NodeReader Tree() const {
    return [store = store_.get()](int level, uint64_t index) { return ReadTreeNode(*store, level, index); };
  }

  void Answer(api::Responder& res, const Result<std::optional<std::string>>& value, const std::string& content_type) {
    if (!value.ok() || !value->has_value()) return res.Problem(NotFound("not-found", "not stored"));
    res.Text(http::status::ok, **value, content_type);
  }

  void AddRoutes(api::Router& router) {
    router.Add(http::verb::get, "/v1/keys", [this](api::Request&, api::Responder res) {
      res.Json(http::status::ok, {{"origin", origin_}, {"public_key_pem", key_->Pem()}, {"verifier_key", verifier_},
                                  {"algorithm", "Ed25519"}});
    });
    router.Add(http::verb::get, "/v1/checkpoint", [this](api::Request& req, api::Responder res) {
      std::optional<uint64_t> size = Number(req.Query("tree_size"));
      if (!size) size = ParseBe64(Meta(kMetaHead).substr(0, 8));  // the head's, as mingzhangd serves
      Answer(res, store_->Get(Column::kCheckpoints, CheckpointKey(*size)), "text/plain; charset=utf-8");
    });
    router.Add(http::verb::get, "/v1/entries/{seq}", [this](api::Request& req, api::Responder res) {
      std::optional<uint64_t> seq = Number(req.Param("seq"));
      Result<std::optional<std::string>> bytes = store_->Get(Column::kEntries, EntryKey(seq.value_or(0)));
      if (!seq || !bytes.ok() || !bytes->has_value()) return res.Problem(NotFound("unknown-entry", "no entry"));
      StoredEntry stored;
      stored.entry.ParseFromString(**bytes);  // served as it is, parsed or not
      stored.bytes = **bytes;
      stored.leaf_hash = LeafHash(stored.bytes);
      stored.chain_hash = Sha256(stored.bytes);
      res.Json(http::status::ok, api::EntryJson(stored, /*with_bytes=*/true));
    });
    AddProofRoute(router, "/v1/proofs/inclusion", "leaf_index", "tree_size", "audit_path",
                  extra_inclusion_node_ ? &PaddedInclusionProof : &InclusionProof);
    AddProofRoute(router, "/v1/proofs/consistency", "first", "second", "path", &ConsistencyProof);
  }

  // A proof route: two numbers from the query, the proof of them read from the stored tree.
  using ProofOf = Result<std::vector<Hash>> (*)(uint64_t, uint64_t, const NodeReader&);
  void AddProofRoute(api::Router& router, const char* path, const char* a, const char* b, const char* field,
                     ProofOf proof) {
    router.Add(http::verb::get, path, [this, a, b, field, proof](api::Request& req, api::Responder res) {
      std::optional<uint64_t> x = Number(req.Query(a)), y = Number(req.Query(b));
      Result<std::vector<Hash>> nodes = proof(x.value_or(0), y.value_or(0), Tree());
      if (!x || !y || !nodes.ok()) return res.Problem(InvalidArgument("bad-request", "no such proof"));
      res.Json(http::status::ok, {{a, std::to_string(*x)}, {b, std::to_string(*y)}, {field, Base64Path(*nodes)}});
    });
  }

  static Result<std::vector<Hash>> PaddedInclusionProof(uint64_t leaf, uint64_t size, const NodeReader& tree) {
    MZ_ASSIGN_OR_RETURN(std::vector<Hash> path, InclusionProof(leaf, size, tree));
    path.push_back(Hash{});
    return path;
  }

  static json Base64Path(const std::vector<Hash>& path) {
    json out = json::array();
    for (const Hash& h : path) out.push_back(Base64Encode(AsBytes(h)));
    return out;
  }

  bool extra_inclusion_node_;
  std::unique_ptr<Store> store_;
  std::optional<PublicKey> key_;
  std::string origin_;
  std::string verifier_;
  std::unique_ptr<api::HttpServer> server_;
  std::thread thread_;
};

// One case of the matrix: the change, and what each verdict must say.
struct TamperCase {
  const char* name;
  std::function<void(RawDb&)> tamper;
  const char* offline;  // how mingzhang verify --data-dir's report begins
  const char* online;   // what mingzhang verify --server prints; nullptr: nothing served is wrong
  const char* daemon;   // what mingzhangd's refusal or scrub names; nullptr: it serves (it reads none of it)
  bool scrub_finds = false;  // mingzhangd starts (its start-up check does not reach it); its scrub names it
};

std::string ChangedByte(std::string bytes, size_t at) {
  bytes[at] = bytes[at] == 'A' ? 'B' : 'A';
  return bytes;
}

const TamperCase kCases[] = {
    {"one byte of an entry (inside a receipt reference)",
     [](RawDb& db) {
       std::string bytes = db.Get("entries", EntryKey(5));
       bytes.back() ^= 0x01;
       db.Put("entries", EntryKey(5), bytes);
     },
     "modified at seq 5:", "FAILED: modified at seq 5:", "modified at seq 5:"},
    {"a stored tree node (level 2, leaves 4 to 7)",
     [](RawDb& db) {
       std::string row = db.Get("tree", TreeKey(2, 0));
       row[1 * kHashBytes] ^= 0x80;
       db.Put("tree", TreeKey(2, 0), row);
     },
     "tree-mismatch at seq 7:", "FAILED: tree-mismatch at seq 7: the server's tree holds a wrong hash for leaves 4 to 7",
     "tree-mismatch at seq 7:", /*scrub_finds=*/true},
    {"a balance (state row)",
     [](RawDb& db) {
       const std::string key = db.KeyFrom("state", "b");
       int64_t fen = static_cast<int64_t>(*ParseBe64(db.Get("state", key)));
       db.Put("state", key, Be64(static_cast<uint64_t>(fen + 100)));
     },
     "balance-mismatch: the stored balance C1/FEES/cash/2026-01 is ", nullptr, "balance-mismatch:",
     /*scrub_finds=*/true},
    {"a unit's area (state row)",
     [](RawDb& db) {
       const std::string key = state_key::Unit("C1", "U0");
       UnitState u = DecodeUnit(db.Get("state", key)).value();
       u.area_centi_m2 += 1;
       db.Put("state", key, EncodeUnit(u));
     },
     "state-mismatch: the state row unit C1/U0 differs", nullptr, "state-mismatch: the state row unit C1/U0",
     /*scrub_finds=*/true},
    {"a community's entries digest (state row)",
     [](RawDb& db) {
       const std::string key = state_key::Community("C1");
       v1::CommunityRow c;
       REQUIRE(c.ParseFromString(db.Get("state", key)));
       std::string digest = c.entries_digest();
       digest[5] ^= 1;
       c.set_entries_digest(digest);
       db.Put("state", key, c.SerializeAsString());
     },
     "state-mismatch: the state row community C1 differs", nullptr, "state-mismatch: the state row community C1",
     /*scrub_finds=*/true},
    {"the latest checkpoint's signature",
     [](RawDb& db) {
       std::string note = db.Get("checkpoints", CheckpointKey(kLogSize));
       db.Put("checkpoints", CheckpointKey(kLogSize), ChangedByte(note, note.size() - 5));
     },
     "bad-signature at seq 19:", "FAILED: bad-signature the server's checkpoint", "bad-signature at seq 19:"},
    {"the root in the checkpoint an auditor remembered",
     [](RawDb& db) {
       std::string note = db.Get("checkpoints", CheckpointKey(kRememberedSize));
       size_t root = note.find('\n', note.find('\n') + 1) + 1;
       db.Put("checkpoints", CheckpointKey(kRememberedSize), ChangedByte(note, root + 2));
     },
     // Offline checks every signature first; the daemon's scrub checks older checkpoints' roots only.
     "bad-signature at seq 11:", "FAILED: checkpoint-changed the checkpoint at size 12 differs",
     "checkpoint-mismatch at seq 11:", /*scrub_finds=*/true},
    {"an entry deleted", [](RawDb& db) { db.Delete("entries", EntryKey(7)); }, "missing at seq 7:",
     "FAILED: missing at seq 7:", "missing at seq 7:"},
    {"two entries swapped",
     [](RawDb& db) {
       std::string a = db.Get("entries", EntryKey(7)), b = db.Get("entries", EntryKey(8));
       db.Put("entries", EntryKey(7), b);
       db.Put("entries", EntryKey(8), a);
     },
     "reordered at seq 7:", "FAILED: reordered at seq 7:", "reordered at seq 7:"},
    {"the tail truncated",
     [](RawDb& db) {
       for (uint64_t seq = 15; seq < kLogSize; ++seq) db.Delete("entries", EntryKey(seq));
     },
     "truncated at seq 15:", "FAILED: truncated at seq 15:", "truncated at seq 15:"},
    {"an idempotency record pointed at another entry",
     [](RawDb& db) {
       const std::string key = IdempotencyKey("F1", "pay-2");  // the payment at seq 5
       std::string value = db.Get("idempotency", key);
       db.Put("idempotency", key, Be64(6) + value.substr(8));
     },
     "index-mismatch at seq 6: the idempotency record F1/pay-2 points at entry 6", nullptr,
     "index-mismatch at seq 6:", /*scrub_finds=*/true},
};

// The store of `data_dir` (a copy of the template) served as it is, verified online with the
// auditor's remembered checkpoint.
std::pair<int, std::string> VerifyServedStore(const std::string& data_dir, bool extra_inclusion_node = false) {
  const LogTemplate& t = Template();
  const std::string state_file = data_dir + ".state";
  std::filesystem::copy_file(t.state_file, state_file);
  StoreServer server(data_dir, extra_inclusion_node);
  return VerifyOnline(t, server.port(), state_file);
}

// The scrub's first pass ends: healthz says ok, or log-damaged naming the finding.
std::string HealthAfterScrub(Daemon& d) {
  HttpClient c(d.port());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && d.log().find("mingzhangd: scrub: ") == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Reply health = c.Get("/healthz");
  return std::to_string(health.status) + " " + health.body;
}

void CheckDaemonServes(const std::string& data_dir) {
  Daemon d(data_dir);
  d.Start();
  CHECK(HealthAfterScrub(d) == "200 ok\n");
  CHECK(d.Terminate() == 0);
}

void CheckScrubFinds(const std::string& data_dir, const std::string& finding) {
  Daemon d(data_dir);
  d.StartAnswering();
  INFO("mingzhangd: " << d.log());
  CHECK(HealthAfterScrub(d).rfind("503 log-damaged: " + finding, 0) == 0);
  CHECK(d.Terminate() == 0);
}

std::string CopyOfTemplate(const testing::TempDir& dir) {
  const std::string data_dir = dir / "data";
  std::filesystem::copy(Template().data_dir, data_dir, std::filesystem::copy_options::recursive);
  return data_dir;
}

TEST_CASE("the tamper matrix: offline and online verification and the daemon name every change", "[tamper]") {
  SECTION("the untouched log passes all three") {
    testing::TempDir dir;
    const std::string data_dir = CopyOfTemplate(dir);
    auto [offline_code, offline] = RunCommand({MINGZHANG_CLI, "verify", "--data-dir", data_dir}, dir / "offline.log");
    INFO(offline);
    CHECK(offline_code == 0);
    auto [online_code, online] = VerifyServedStore(data_dir);
    INFO(online);
    CHECK(online_code == 0);
    CheckDaemonServes(data_dir);
  }
  SECTION("another log's key file: the daemon names the key, not the signatures") {
    testing::TempDir dir;
    const std::string data_dir = CopyOfTemplate(dir);
    const std::string key_file = data_dir + "/" + kKeyFileName;
    std::filesystem::remove(key_file);
    Result<SigningKey> other = SigningKey::Generate();
    REQUIRE(other.ok());
    REQUIRE(other->SaveFile(key_file).ok());
    auto [daemon_code, daemon] =
        RunCommand({MINGZHANGD, "--data-dir", data_dir, "--listen", "127.0.0.1:0"}, dir / "daemon.log");
    INFO("mingzhangd: " << daemon);
    CHECK(daemon_code == 1);
    CHECK(daemon.find("key-mismatch") != std::string::npos);
  }
  SECTION("inclusion proofs one node too long: the server's proofs are blamed, not the checkpoint") {
    testing::TempDir dir;
    auto [online_code, online] = VerifyServedStore(CopyOfTemplate(dir), /*extra_inclusion_node=*/true);
    INFO(online);
    CHECK(online_code == 1);
    CHECK(online.find("FAILED: bad-proof at seq 0: the server's inclusion proof has 6 nodes") != std::string::npos);
  }
  for (const TamperCase& tc : kCases) {
    DYNAMIC_SECTION(tc.name) {
      testing::TempDir dir;
      const std::string data_dir = CopyOfTemplate(dir);
      {
        RawDb db(data_dir);
        tc.tamper(db);
      }
      auto [offline_code, offline] = RunCommand({MINGZHANG_CLI, "verify", "--data-dir", data_dir}, dir / "offline.log");
      INFO("offline: " << offline);
      CHECK(offline_code == 1);
      CHECK(offline.rfind(tc.offline, 0) == 0);

      auto [online_code, online] = VerifyServedStore(data_dir);
      INFO("online: " << online);
      CHECK(online_code == (tc.online ? 1 : 0));
      if (tc.online) CHECK(online.find(tc.online) != std::string::npos);

      if (!tc.daemon) {
        CheckDaemonServes(data_dir);
        continue;
      }
      if (tc.scrub_finds) {
        CheckScrubFinds(data_dir, tc.daemon);
        continue;
      }
      auto [daemon_code, daemon] =
          RunCommand({MINGZHANGD, "--data-dir", data_dir, "--listen", "127.0.0.1:0"}, dir / "daemon.log");
      INFO("mingzhangd: " << daemon);
      CHECK(daemon_code == 1);
      CHECK(daemon.find("refusing to serve") != std::string::npos);
      CHECK(daemon.find(tc.daemon) != std::string::npos);
    }
  }
}

}  // namespace
}  // namespace mingzhang::apitest
