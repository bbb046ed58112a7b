// The mingzhang CLI against the real mingzhangd: a daemon on a temporary directory and an
// ephemeral port, driven by the real binaries. demo (twice: the second writes nothing), token
// issue, import (twice: the second writes nothing; bad files refused before sending), export,
// verify --server (twice: the second checks consistency), verify-statement and audit (matching,
// and failing on an edited statement or export).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/log/ledger.h"
#include "ledger/log/merkle.h"
#include "mingzhang/v1/ledger.pb.h"
#include "tests/support/test_util.h"
#include "tools/http_client.h"

extern char** environ;

namespace mingzhang::cli {
namespace {

using nlohmann::json;
using testing::TempDir;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Spit(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

struct Ran {
  int status = -1;
  std::string out;  // stdout, then stderr
};

// Runs the CLI through the shell; `prefix` goes before the binary (e.g. "HOME=/x").
Ran Cli(const std::string& args, const std::string& prefix = "") {
  static int counter = 0;
  std::string err = std::filesystem::temp_directory_path() /
                    ("mingzhang-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".err");
  std::string command = prefix + " " + std::string(MINGZHANG_CLI) + " " + args + " 2>" + err;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  Ran ran;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) ran.out.append(buf, n);
  int status = ::pclose(pipe);
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  ran.out += Slurp(err);
  std::filesystem::remove(err);
  return ran;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// mingzhangd on `data_dir`, listening on 127.0.0.1 on a port the kernel picks.
class Daemon {
 public:
  explicit Daemon(const TempDir& dir) : data_dir_(dir / "data"), log_(dir / "mingzhangd.log") {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> args = {MINGZHANGD, "--data-dir", data_dir_, "--listen", "127.0.0.1:0", "--threads", "4"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, MINGZHANGD, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    // "mingzhangd: serving <origin> on http://127.0.0.1:<port>"
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
      std::string log = Slurp(log_);
      size_t at = log.find("on http://127.0.0.1:");
      if (at != std::string::npos && log.find('\n', at) != std::string::npos) {
        url_ = log.substr(at + 3, log.find('\n', at) - at - 3);
        break;
      }
      INFO(log);
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      REQUIRE(::waitpid(pid_, nullptr, WNOHANG) == 0);  // still running
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  ~Daemon() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  const std::string& url() const { return url_; }
  const std::string& data_dir() const { return data_dir_; }
  std::string admin_token_file() const { return data_dir_ + "/admin.token"; }

 private:
  std::string data_dir_;
  std::string log_;
  pid_t pid_ = -1;
  std::string url_;
};

uint64_t TreeSize(HttpClient& client) {
  Result<HttpAnswer> note = client.Send(Method::kGet, "/v1/checkpoint");
  REQUIRE(note.ok());
  REQUIRE(note->status == 200);
  std::istringstream lines(note->body);
  std::string origin, size;
  std::getline(lines, origin);
  std::getline(lines, size);
  return std::stoull(size);
}

std::string Token(const std::string& path) {
  std::string t = Slurp(path);
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

TEST_CASE("the CLI builds, imports, exports, verifies and audits a district on a real mingzhangd", "[cli]") {
  TempDir dir;
  Daemon daemon(dir);
  const std::string server = " --server " + daemon.url();
  Result<ServerUrl> url = ServerUrl::Parse(daemon.url());
  REQUIRE(url.ok());
  HttpClient client(*url);
  const std::string tokens = dir / "tokens";

  // --- demo, and again: the second run writes nothing new ---------------------------------
  Ran demo = Cli("demo" + server + " --admin-token-file " + daemon.admin_token_file() + " --out-dir " + tokens +
                 " --scale 0.05");
  INFO(demo.out);
  REQUIRE(demo.status == 0);
  for (const char* name : {"owner.token", "firm.token", "committee.token", "regulator.token"}) {
    struct stat st {};
    REQUIRE(::stat((tokens + "/" + name).c_str(), &st) == 0);
    REQUIRE((st.st_mode & 0777) == 0600);
    REQUIRE(Token(tokens + "/" + name).rfind("mz_", 0) == 0);
  }
  std::string guide = Slurp(tokens + "/demo.txt");
  REQUIRE(Contains(guide, "owner.token      owner of unit"));
  REQUIRE(Contains(guide, "passed, resolution R-P-2026-01"));
  REQUIRE(Contains(guide, "open until"));  // P-2026-02: 40% voted, so it cannot close before closes_on
  const uint64_t after_demo = TreeSize(client);
  REQUIRE(after_demo > 200);

  Ran again = Cli("demo" + server + " --admin-token-file " + daemon.admin_token_file() + " --out-dir " + tokens +
                  " --scale 0.05");
  INFO(again.out);
  REQUIRE(again.status == 0);
  REQUIRE(Contains(again.out, ": 0 entries written"));
  REQUIRE(TreeSize(client) == after_demo);
  const std::string regulator = tokens + "/regulator.token";

  // The demo's data is what it says: a regulator reads a statement with arrears and evaluations.
  Result<json> q1 = CallJson(client, Method::kGet, "/v1/communities/lanting/statements/2026", Token(regulator));
  REQUIRE(q1.ok());
  REQUIRE((*q1)["statement"]["billing"]["units"] == 30);
  REQUIRE((*q1)["statement"]["evaluations"]["evaluated_payments"].get<int>() > 0);

  // --- token issue ---------------------------------------------------------------------------
  Ran issued = Cli("token issue" + server + " --admin-token-file " + daemon.admin_token_file() +
                   " --role firm --principal huaxin-wuye --community lanting");
  REQUIRE(issued.status == 0);
  REQUIRE(issued.out.rfind("mz_", 0) == 0);
  const std::string import_token = dir / "import.token";
  Spit(import_token, issued.out);
  Ran bad_role = Cli("token issue" + server + " --admin-token-file " + daemon.admin_token_file() +
                     " --role landlord --principal x");
  REQUIRE(bad_role.status == 2);
  Ran refused = Cli("token issue" + server + " --admin-token-file " + daemon.admin_token_file() +
                    " --role owner --principal x --community lanting");  // an owner needs units
  INFO(refused.out);
  REQUIRE(refused.status == 1);
  REQUIRE(Contains(refused.out, "bad-credential"));

  // --- import, and again: nothing is written twice -------------------------------------------
  const std::string csv = dir / "payments.csv";
  Spit(csv,
       "unit_id,amount,period,months,paid_on,method,receipt_ref\n"
       "1-0101,45000,2026-06,1,2026-05-30,wechat,IMP-1\r\n"
       "1-0102,46000,2026-06,1,2026-05-30,alipay,\"IMP-2, paid at the desk\"\n"
       "\n"
       "1-0103,47000,2026-06,2,2026-05-31,bank,IMP-3\n");
  Ran first = Cli("import" + server + " --token-file " + import_token + " --community lanting --csv " + csv);
  INFO(first.out);
  REQUIRE(first.status == 0);
  REQUIRE(Contains(first.out, "3 payments: 3 written, 0 replayed"));
  REQUIRE(TreeSize(client) == after_demo + 3);
  Ran second = Cli("import" + server + " --token-file " + import_token + " --community lanting --csv " + csv);
  INFO(second.out);
  REQUIRE(second.status == 0);
  REQUIRE(Contains(second.out, "3 payments: 0 written, 3 replayed"));
  REQUIRE(TreeSize(client) == after_demo + 3);

  // A bad file is refused before anything is sent; a refused row is reported by its line.
  const std::string bad_csv = dir / "bad.csv";
  Spit(bad_csv,
       "unit_id,amount,period,months,paid_on,method,receipt_ref\n"
       "1-0104,45000,2026-06,1,2026-05-30,wechat,OK-1\n"
       "1-0105,45.5,2026-06,1,2026-05-30,wechat,BAD-1\n"
       "1-0106,45000,2026-06,1,2026-02-30,wechat,BAD-2\n");
  Ran bad = Cli("import" + server + " --token-file " + import_token + " --community lanting --csv " + bad_csv);
  INFO(bad.out);
  REQUIRE(bad.status == 2);
  REQUIRE(Contains(bad.out, "line 3: amount"));
  REQUIRE(Contains(bad.out, "line 4: paid_on"));
  REQUIRE(TreeSize(client) == after_demo + 3);
  const std::string unknown_csv = dir / "unknown.csv";
  Spit(unknown_csv,
       "unit_id,amount,period,months,paid_on,method,receipt_ref\n"
       "no-such-unit,45000,2026-06,1,2026-05-30,cash,X-1\n");
  Ran unknown = Cli("import" + server + " --token-file " + import_token + " --community lanting --csv " + unknown_csv);
  INFO(unknown.out);
  REQUIRE(unknown.status == 1);
  REQUIRE(Contains(unknown.out, "line 2: refused unknown-unit"));

  // --- verify --server, and again after the log grew: consistency --------------------------
  const std::string state = dir / "verify.state";
  Ran v1 = Cli("verify" + server + " --token-file " + regulator + " --state-file " + state);
  INFO(v1.out);
  REQUIRE(v1.status == 0);
  REQUIRE(Contains(v1.out, "OK: " + std::to_string(after_demo + 3) + " entries"));
  REQUIRE(Contains(v1.out, "no earlier checkpoint remembered"));
  const std::string more_csv = dir / "more.csv";
  Spit(more_csv, "unit_id,amount,period,months,paid_on,method,receipt_ref\n1-0201,45000,2026-07,1,2026-06-30,cash,IMP-4\n");
  REQUIRE(Cli("import" + server + " --token-file " + import_token + " --community lanting --csv " + more_csv).status == 0);
  Ran v2 = Cli("verify" + server + " --token-file " + regulator + " --state-file " + state);
  INFO(v2.out);
  REQUIRE(v2.status == 0);
  REQUIRE(Contains(v2.out, "consistent with the checkpoint at size " + std::to_string(after_demo + 3)));
  const uint64_t size_now = after_demo + 4;
  REQUIRE(TreeSize(client) == size_now);

  // Another key than the server's: refused. The default state file lives under $HOME.
  Ran keygen = Cli("keygen --out " + (dir / "other.key.pem") + " --name mingzhang.local");
  REQUIRE(keygen.status == 0);
  std::string other_verifier = keygen.out.substr(keygen.out.rfind("mingzhang.local+"));
  other_verifier = other_verifier.substr(0, other_verifier.find('\n'));
  Ran wrong_key = Cli("verify" + server + " --token-file " + regulator + " --state-file " + (dir / "fresh.state") +
                      " --verifier-key " + other_verifier);
  INFO(wrong_key.out);
  REQUIRE(wrong_key.status == 1);
  REQUIRE(Contains(wrong_key.out, "key-mismatch"));
  std::filesystem::create_directories(dir / "home");
  Ran home = Cli("verify" + server + " --token-file " + regulator, "HOME=" + (dir / "home"));
  INFO(home.out);
  REQUIRE(home.status == 0);
  REQUIRE(std::filesystem::exists(dir / "home/.mingzhang/verify-mingzhang.local_district.state"));
  // Offline verification still holds beside the running server.
  REQUIRE(Cli("verify --data-dir " + daemon.data_dir()).status == 0);

  // --- verify-statement -------------------------------------------------------------------------
  Result<json> statement = CallJson(client, Method::kGet, "/v1/communities/lanting/statements/2026-Q1", Token(regulator));
  REQUIRE(statement.ok());
  REQUIRE((*statement)["statement"]["checkpoint"]["tree_size"] == std::to_string(size_now));
  const std::string statement_file = dir / "statement.json";
  Spit(statement_file, statement->dump());
  const std::string key = " --key " + daemon.data_dir() + "/log.pub.pem";
  Ran valid = Cli("verify-statement " + statement_file + key);
  INFO(valid.out);
  REQUIRE(valid.status == 0);
  REQUIRE(Contains(valid.out, "VALID"));
  json modified = *statement;
  modified["statement"]["entries_count"] = modified["statement"]["entries_count"].get<int64_t>() + 1;
  const std::string modified_file = dir / "statement-modified.json";
  Spit(modified_file, modified.dump());
  Ran invalid = Cli("verify-statement " + modified_file + key);
  INFO(invalid.out);
  REQUIRE(invalid.status == 1);
  REQUIRE(Contains(invalid.out, "INVALID"));
  // A forged figure put before the signed one under the same name: a reader keeping the first
  // would see it. JCS input is I-JSON, so the file is refused, not VALID.
  std::string doubled = statement->dump();
  const size_t billing = doubled.find("\"billing\":{");
  REQUIRE(billing != std::string::npos);
  doubled.insert(billing + std::string("\"billing\":{").size(), "\"collected\":\"99999999\",");
  const std::string doubled_file = dir / "statement-doubled.json";
  Spit(doubled_file, doubled);
  for (const std::string& command : {"verify-statement " + doubled_file + key,
                                     "audit --export " + (dir / "none.jsonl") + " --statement " + doubled_file}) {
    Ran refused = Cli(command);
    INFO(command << ": " << refused.out);
    CHECK(refused.status == 2);
    CHECK(Contains(refused.out, "I-JSON"));
  }

  // --- export ---------------------------------------------------------------------------------
  const std::string all = dir / "all.jsonl";
  REQUIRE(Cli("export --data-dir " + daemon.data_dir() + " --out " + all).status == 0);
  std::istringstream lines(Slurp(all));
  uint64_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    json j = json::parse(line);
    REQUIRE(j["seq"] == std::to_string(count));
    Result<std::string> bytes = Base64Decode(j["leaf_bytes"].get<std::string>());
    REQUIRE(bytes.ok());
    REQUIRE(j["leaf_hash"] == Base64Encode(AsBytes(LeafHash(*bytes))));
    v1::Entry entry;
    REQUIRE(entry.ParseFromString(*bytes));
    REQUIRE(entry.seq() == count);
  }
  REQUIRE(count == size_now);
  const std::string lanting = dir / "lanting.jsonl";
  Ran one = Cli("export --data-dir " + daemon.data_dir() + " --community lanting --out " + lanting);
  REQUIRE(one.status == 0);
  std::istringstream lanting_lines(Slurp(lanting));
  uint64_t lanting_count = 0;
  std::string lanting_leaves;  // the community's leaf hashes in seq order, concatenated
  for (std::string line; std::getline(lanting_lines, line); ++lanting_count) {
    const json j = json::parse(line);
    REQUIRE(j["entry"]["community_id"] == "lanting");
    Result<std::string> leaf = Base64Decode(j["leaf_hash"].get<std::string>());
    REQUIRE(leaf.ok());
    lanting_leaves += *leaf;
  }
  REQUIRE(lanting_count == (*statement)["statement"]["entries_count"].get<uint64_t>());

  // --- audit ----------------------------------------------------------------------------------
  Ran match = Cli("audit --export " + all + " --statement " + statement_file);
  INFO(match.out);
  REQUIRE(match.status == 0);
  REQUIRE(match.out.rfind("match", 0) == 0);
  Ran partial = Cli("audit --export " + lanting + " --statement " + statement_file);
  INFO(partial.out);
  REQUIRE(partial.status == 0);
  REQUIRE(Contains(partial.out, "match: "));

  json edited = *statement;
  std::string closing = edited["statement"]["funds"][0]["closing_balance"].get<std::string>();
  edited["statement"]["funds"][0]["closing_balance"] = std::to_string(std::stoll(closing) + 100);
  const std::string edited_file = dir / "statement-edited.json";
  Spit(edited_file, edited.dump());
  Ran mismatch = Cli("audit --export " + all + " --statement " + edited_file);
  INFO(mismatch.out);
  REQUIRE(mismatch.status == 1);
  REQUIRE(Contains(mismatch.out, "mismatch: funds[0].closing_balance"));
  Ran count_edit = Cli("audit --export " + all + " --statement " + modified_file);
  REQUIRE(count_edit.status == 1);
  REQUIRE(Contains(count_edit.out, "entries_count"));

  // The server makes mingzhang-statement/3; a /2 statement (entries_digest one SHA-256 over the
  // community's leaf hashes) is still audited in its own form, and neither digest passes for the other.
  REQUIRE((*statement)["statement"]["format"] == "mingzhang-statement/3");
  json old_form = *statement;
  old_form["statement"]["format"] = "mingzhang-statement/2";
  old_form["statement"]["entries_digest"] = HexEncode(AsBytes(Sha256(lanting_leaves)));
  REQUIRE(old_form["statement"]["entries_digest"] != (*statement)["statement"]["entries_digest"]);
  json v2_with_chained = *statement;
  v2_with_chained["statement"]["format"] = "mingzhang-statement/2";
  json v3_with_running = old_form;
  v3_with_running["statement"]["format"] = "mingzhang-statement/3";
  const std::string v2_file = dir / "statement-v2.json";
  Spit(v2_file, old_form.dump());
  for (const std::string& export_file : {all, lanting}) {
    Ran v2_match = Cli("audit --export " + export_file + " --statement " + v2_file);
    INFO(v2_match.out);
    CHECK(v2_match.status == 0);
    CHECK(Contains(v2_match.out, "match: "));
  }
  for (const json& wrong : {v2_with_chained, v3_with_running}) {
    const std::string wrong_file = dir / "statement-wrong-digest.json";
    Spit(wrong_file, wrong.dump());
    Ran refused = Cli("audit --export " + all + " --statement " + wrong_file);
    INFO(refused.out);
    CHECK(refused.status == 1);
    CHECK(Contains(refused.out, "mismatch: entries_digest"));
  }

  // An export edited after the fact: the hashes give it away.
  std::string text = Slurp(all);
  size_t at = text.find("\"amount\":\"45000\"");
  REQUIRE(at != std::string::npos);
  text.replace(at, 16, "\"amount\":\"54000\"");
  const std::string tampered = dir / "tampered.jsonl";
  Spit(tampered, text);
  Ran caught = Cli("audit --export " + tampered + " --statement " + statement_file);
  INFO(caught.out);
  REQUIRE(caught.status == 1);
  REQUIRE(Contains(caught.out, "differs from its leaf_bytes"));
}

// GBK bytes of a few words (what Excel on Chinese Windows saves): 工行 = B9 A4 D0 D0, 收据 = CA D5 BE DD.
const std::string kGbkReceipt = "\xCA\xD5\xBE\xDD";  // 收据

// A firm, a community of eight units and the firm's token, through the API.
std::string SetUpSmallCommunity(HttpClient& client, const std::string& admin) {
  const json firm{{"idempotency_key", "f"}, {"firm_id", "F"}, {"name", "某物业"}};
  REQUIRE(CallJson(client, Method::kPost, "/v1/firms", admin, &firm).ok());
  const json community{{"idempotency_key", "c"},          {"community_id", "C"},
                       {"name", "兰亭"},                  {"firm_id", "F"},
                       {"fee_rate_fen_per_m2_month", 250}, {"remuneration", {{"basis_points_of_fee_income", 1000}}},
                       {"start_month", "2026-01"}};
  REQUIRE(CallJson(client, Method::kPost, "/v1/communities", admin, &community).ok());
  json units = json::array();
  for (int i = 1; i <= 8; ++i) units.push_back({{"unit_id", "U" + std::to_string(i)}, {"area_centi_m2", 10000}});
  const json register_units{{"idempotency_key", "u"}, {"units", units}};
  REQUIRE(CallJson(client, Method::kPost, "/v1/communities/C/units", admin, &register_units).ok());
  const json token{{"role", "firm"}, {"principal_id", "F"}, {"communities", {"C"}}};
  Result<json> issued = CallJson(client, Method::kPost, "/v1/tokens", admin, &token);
  REQUIRE(issued.ok());
  return (*issued)["token"].get<std::string>();
}

TEST_CASE("import is all or nothing: every row checked by the server first, every refusal by line", "[cli]") {
  TempDir dir;
  Daemon daemon(dir);
  Result<ServerUrl> url = ServerUrl::Parse(daemon.url());
  REQUIRE(url.ok());
  HttpClient client(*url);
  const std::string firm = SetUpSmallCommunity(client, Token(daemon.admin_token_file()));
  const std::string firm_file = dir / "firm.token";
  Spit(firm_file, firm + "\n");
  const std::string import = "import --server " + daemon.url() + " --token-file " + firm_file + " --community C --csv ";
  const uint64_t before = TreeSize(client);

  // Six good rows, then an unknown unit on line 8 and line 3's receipt again on line 9. The old
  // import wrote lines 2-7 before it met line 8.
  const std::string header = "unit_id,amount,period,months,paid_on,method,receipt_ref\n";
  std::string rows;
  for (int i = 1; i <= 6; ++i) {
    rows += "U" + std::to_string(i) + ",25000,2026-03,1,2026-03-0" + std::to_string(i) + ",bank,R-" + std::to_string(i) + "\n";
  }
  const std::string bad_csv = dir / "bad.csv";
  Spit(bad_csv, header + rows + "U99,25000,2026-03,1,2026-03-07,cash,R-7\n" + "U7,25000,2026-03,1,2026-03-08,cash,R-2\n");
  Ran bad = Cli(import + bad_csv);
  INFO(bad.out);
  CHECK(bad.status == 1);
  CHECK(Contains(bad.out, "nothing was written. The server refused 2 of 8 rows"));
  CHECK(Contains(bad.out, "line 8: refused unknown-unit"));
  CHECK(Contains(bad.out, "line 9: refused duplicate-receipt"));
  CHECK_FALSE(Contains(bad.out, "line 2:"));
  CHECK(TreeSize(client) == before);

  // The check route itself: all problems, indices from 0, nothing written.
  json payments = json::array();
  for (const auto& [unit, receipt] : std::vector<std::pair<std::string, std::string>>{
           {"U1", "K-1"}, {"nope", "K-2"}, {"U2", "K-1"}, {"U3", "K-3"}, {"U4", "K-3"}}) {
    payments.push_back({{"idempotency_key", "k-" + receipt + unit}, {"unit_id", unit}, {"amount", "25000"},
                        {"period", "2026-03"}, {"months", 1}, {"paid_on", "2026-03-02"}, {"method", "bank"},
                        {"receipt_ref", receipt}});
  }
  const json batch{{"payments", payments}};
  Result<json> check = CallJson(client, Method::kPost, "/v1/communities/C/payments:check", firm, &batch);
  REQUIRE(check.ok());
  INFO(check->dump());
  CHECK((*check)["rows"] == 5);
  CHECK((*check)["new"] == 2);
  REQUIRE((*check)["problems"].size() == 3);
  CHECK((*check)["problems"][0]["index"] == 1);
  CHECK((*check)["problems"][0]["type"] == "unknown-unit");
  CHECK((*check)["problems"][1]["index"] == 2);
  CHECK((*check)["problems"][1]["type"] == "duplicate-receipt");
  CHECK((*check)["problems"][2]["index"] == 4);
  CHECK((*check)["problems"][2]["type"] == "duplicate-receipt");
  CHECK((*check)["problems"][2]["title"] == "Unprocessable Entity");
  CHECK(TreeSize(client) == before);
  // The same body as a batch is refused whole.
  Result<json> refused = CallJson(client, Method::kPost, "/v1/communities/C/payments:batch", firm, &batch);
  CHECK(refused.status().slug() == "unknown-unit");
  CHECK(TreeSize(client) == before);

  // The fixed file, in yuan and GBK as Excel saves it, goes in whole; again, it is all replays.
  const std::string good_csv = dir / "good.csv";
  Spit(good_csv, "unit_id,amount_yuan,period,months,paid_on,method,receipt_ref\r\n"
                 "U1,250.00,2026-03,1,2026-03-01,bank," + kGbkReceipt + "-1\r\n"
                 "U2,250.5,2026-03,1,2026-03-02,wechat," + kGbkReceipt + "-2\r\n"
                 "U3,0.01,2026-03,1,2026-03-03,cash,\r\n"
                 ",,,,,,\r\n");
  Ran good = Cli(import + good_csv);
  INFO(good.out);
  REQUIRE(good.status == 0);
  CHECK(Contains(good.out, "3 payments: 3 written, 0 replayed"));
  CHECK(TreeSize(client) == before + 3);
  Result<json> entry = CallJson(client, Method::kGet, "/v1/entries/" + std::to_string(before + 1), firm);
  REQUIRE(entry.ok());
  CHECK((*entry)["entry"]["fee_payment"]["amount"] == "25050");
  CHECK((*entry)["entry"]["fee_payment"]["receipt_ref"] == "收据-2");
  Ran again = Cli(import + good_csv);
  INFO(again.out);
  CHECK(again.status == 0);
  CHECK(Contains(again.out, "3 payments: 0 written, 3 replayed"));
  CHECK(TreeSize(client) == before + 3);

  // Refused here, before anything is sent: bad yuan, bytes that are no text, too many rows.
  const std::string yuan_csv = dir / "yuan.csv";
  Spit(yuan_csv, "unit_id,amount_yuan,period,months,paid_on,method,receipt_ref\nU4,250.555,2026-03,1,2026-03-04,bank,\n"
                 "U5,\"1,250.00\",2026-03,1,2026-03-04,bank,\n");
  Ran yuan = Cli(import + yuan_csv);
  INFO(yuan.out);
  CHECK(yuan.status == 2);
  CHECK(Contains(yuan.out, "line 2: amount_yuan must be yuan with at most 2 decimals"));
  CHECK(Contains(yuan.out, "line 3: amount_yuan"));
  const std::string broken_csv = dir / "broken.csv";
  Spit(broken_csv, header + "U4,25000,2026-03,1,2026-03-04,bank,ok\nU5,25000,2026-03,1,2026-03-04,bank,\x81,\n");
  Ran broken = Cli(import + broken_csv);
  INFO(broken.out);
  CHECK(broken.status == 2);
  CHECK(Contains(broken.out, "line 3: bytes that are neither UTF-8 nor GBK/GB18030"));
  std::string many = header;
  for (size_t i = 0; i <= kGroupEntriesMax; ++i) {
    many += "U1,100,2026-03,1,2026-03-01,bank,M-" + std::to_string(i) + "\n";
  }
  const std::string many_csv = dir / "many.csv";
  Spit(many_csv, many);
  Ran too_many = Cli(import + many_csv);
  INFO(too_many.out.substr(0, 400));
  CHECK(too_many.status == 2);
  CHECK(Contains(too_many.out, "holds " + std::to_string(kGroupEntriesMax + 1) + " payments; one import is at most " +
                                    std::to_string(kGroupEntriesMax)));
  CHECK(Contains(too_many.out, "split the file"));
  CHECK(TreeSize(client) == before + 3);
}

}  // namespace
}  // namespace mingzhang::cli
