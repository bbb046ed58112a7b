// mingzhang demo --server URL --admin-token-file F [--out-dir DIR] [--scale S] [--parallel N]
//
// Builds a realistic district through the API (demo_plan.h says what): registrations, owner and
// role tokens, a year of payments, disbursements with voucher hashes, remuneration, public
// revenue, two proposals with their votes, spending under the passed resolution, and owners'
// evaluations. Requests go out `--parallel` at a time (default 16) over keep-alive connections.
// Every write has a deterministic idempotency key, so running the demo again writes nothing new
// (it only issues fresh tokens). Tokens for one owner, the firm, the committee and a regulator
// are written to DIR (default ./demo-tokens) with a demo.txt saying who they are.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>

#include "ledger/base/calendar.h"
#include "ledger/domain/domain.h"
#include "tools/cli.h"
#include "tools/demo_plan.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

using nlohmann::json;
using demo::Community;
using demo::Plan;

constexpr size_t kDemoWorkersDefault = 16;

// "1.2 s" since `start`.
std::string Since(std::chrono::steady_clock::time_point start) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  return buf;
}

struct Job {
  std::string what;  // for error messages
  std::string target;
  const std::string* token = nullptr;
  json body;
  std::function<void(const json& answer)> done;  // runs under the runner's lock
};

class Runner {
 public:
  Runner(ServerUrl server, size_t workers) : server_(std::move(server)), workers_(workers), client_(server_) {}

  HttpClient& client() { return client_; }
  size_t written() const { return written_; }
  size_t replayed() const { return replayed_; }

  // One write that must succeed: 201 (written) or 200 (an idempotent repeat).
  Result<json> Write(HttpClient& client, const Job& job) {
    Result<HttpAnswer> answer = client.SendRetrying(Method::kPost, job.target, *job.token, job.body.dump());
    if (!answer.ok()) return answer.status();
    if (answer->status != 200 && answer->status != 201) {
      Status s = ProblemStatus(*answer);
      std::string hint = s.slug() == "idempotency-conflict"
                             ? " (was another demo, e.g. with another --scale, run on this server before?)"
                             : "";
      return Status(s.code(), s.slug(), job.what + ": the server refused (" + s.slug() + "): " + s.message() + hint);
    }
    ++(answer->status == 201 ? written_ : replayed_);
    json out = json::parse(answer->body, nullptr, false);
    if (out.is_discarded()) return DataLoss("bad-answer", job.what + ": the answer is not JSON");
    return out;
  }

  // Sends every job, `workers` at a time; stops at the first failure and returns it.
  Status WriteAll(const std::string& label, std::vector<Job>& jobs) {
    auto started = std::chrono::steady_clock::now();
    size_t written_before = written_, replayed_before = replayed_;
    std::mutex mu;
    Status first_error;
    std::atomic<bool> failed{false};
    size_t done = 0;
    Progress progress(label, jobs.size());
    ForEachParallel(server_, workers_, jobs.size(), [&](HttpClient& client, size_t i) {
      if (failed) return;
      Result<json> answer = Write(client, jobs[i]);
      std::lock_guard lock(mu);
      if (!answer.ok()) {
        if (!failed.exchange(true)) first_error = answer.status();
        return;
      }
      if (jobs[i].done) jobs[i].done(*answer);
      progress.Set(++done);
    });
    progress.Finish();
    if (failed) return first_error;
    std::cout << "  " << label << ": " << jobs.size() << " (" << written_ - written_before << " written, "
              << replayed_ - replayed_before << " already there) in " << Since(started) << "\n";
    return OkStatus();
  }

  // POST /v1/tokens. Tokens are not idempotent writes: a re-run of the demo issues fresh ones.
  Result<std::string> IssueToken(HttpClient& client, const std::string& admin, const std::string& role,
                                 const std::string& principal, const std::vector<std::string>& communities,
                                 const std::vector<std::string>& units) {
    json body{{"role", role}, {"principal_id", principal}, {"communities", communities}, {"units", units}};
    MZ_ASSIGN_OR_RETURN(json answer, CallJson(client, Method::kPost, "/v1/tokens", admin, &body, /*retry=*/false));
    if (!answer.contains("token") || !answer["token"].is_string()) {
      return DataLoss("bad-answer", "the token answer holds no token");
    }
    return answer["token"].get<std::string>();
  }

  const ServerUrl& server() const { return server_; }
  size_t workers() const { return workers_; }

 private:
  ServerUrl server_;
  size_t workers_;
  HttpClient client_;
  std::atomic<size_t> written_{0};
  std::atomic<size_t> replayed_{0};
};

json DisbursementBody(const demo::Disbursement& d) {
  json body{{"idempotency_key", d.key},         {"fund", v1::Fund_Name(d.fund)},
            {"category", v1::Category_Name(d.category)}, {"amount", d.amount},
            {"payee", d.payee},                 {"description", d.description},
            {"paid_on", d.paid_on},             {"voucher_sha256", d.voucher_sha256}};
  if (!d.resolution_id.empty()) body["resolution_id"] = d.resolution_id;
  return body;
}

std::string Base(const std::string& community) { return "/v1/communities/" + community; }

struct Tokens {
  std::string firm, regulator;
  std::map<std::string, std::string> committee;                         // community -> token
  std::map<std::string, std::map<std::string, std::string>> owner;      // community -> unit -> token
};

Status Register(Runner& run, const Plan& plan, const std::string& admin) {
  std::vector<Job> jobs;
  jobs.push_back({"firm " + plan.firm_id, "/v1/firms", &admin,
                  json{{"idempotency_key", "demo-firm-" + plan.firm_id}, {"firm_id", plan.firm_id}, {"name", plan.firm_name}},
                  nullptr});
  MZ_RETURN_IF_ERROR(run.WriteAll("firm", jobs));
  jobs.clear();
  for (const Community& c : plan.communities) {
    json remuneration = c.remuneration_bp > 0 ? json{{"basis_points_of_fee_income", c.remuneration_bp}}
                                              : json{{"fixed_fen_per_month", c.remuneration_fixed_fen}};
    jobs.push_back({"community " + c.id, "/v1/communities", &admin,
                    json{{"idempotency_key", "demo-community-" + c.id},
                         {"community_id", c.id},
                         {"name", c.name},
                         {"firm_id", plan.firm_id},
                         {"fee_rate_fen_per_m2_month", c.rate_fen_per_m2_month},
                         {"remuneration", remuneration},
                         {"start_month", demo::kStartMonth}},
                    nullptr});
  }
  MZ_RETURN_IF_ERROR(run.WriteAll("communities", jobs));
  jobs.clear();
  for (const Community& c : plan.communities) {
    json units = json::array();
    for (const demo::Unit& u : c.units) units.push_back({{"unit_id", u.id}, {"label", u.label}, {"area_centi_m2", u.area_centi_m2}});
    jobs.push_back({"units of " + c.id, Base(c.id) + "/units", &admin,
                    json{{"idempotency_key", "demo-units-" + c.id}, {"units", units}}, nullptr});
  }
  return run.WriteAll("unit registrations", jobs);
}

Status IssueTokens(Runner& run, const Plan& plan, const std::string& admin, Tokens& tokens) {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> ids;
  for (const Community& c : plan.communities) ids.push_back(c.id);
  MZ_ASSIGN_OR_RETURN(tokens.firm, run.IssueToken(run.client(), admin, "firm", plan.firm_id, ids, {}));
  MZ_ASSIGN_OR_RETURN(tokens.regulator, run.IssueToken(run.client(), admin, "regulator", "regulator-district", {}, {}));
  for (const Community& c : plan.communities) {
    MZ_ASSIGN_OR_RETURN(tokens.committee[c.id],
                        run.IssueToken(run.client(), admin, "committee", "committee-" + c.id, {c.id}, {}));
  }
  std::vector<std::pair<const Community*, const demo::Unit*>> owners;
  for (const Community& c : plan.communities) {
    for (const demo::Unit& u : c.units) {
      if (u.owner_token) owners.push_back({&c, &u});
    }
  }
  std::mutex mu;
  Status first_error;
  Progress progress("owner tokens", owners.size());
  size_t done = 0;
  ForEachParallel(run.server(), run.workers(), owners.size(), [&](HttpClient& client, size_t i) {
    auto [c, u] = owners[i];
    Result<std::string> token = run.IssueToken(client, admin, "owner", "owner-" + c->id + "-" + u->id, {c->id}, {u->id});
    std::lock_guard lock(mu);
    if (!token.ok()) {
      if (first_error.ok()) first_error = token.status();
      return;
    }
    tokens.owner[c->id][u->id] = *token;
    progress.Set(++done);
  });
  progress.Finish();
  MZ_RETURN_IF_ERROR(first_error);
  std::cout << "  tokens: firm, regulator, " << plan.communities.size() << " committees, " << owners.size()
            << " owners (one per unit that votes or evaluates) in " << Since(started) << "\n";
  return OkStatus();
}

// Seqs of the payments, per community, as the server recorded them (for evaluations).
using PaymentSeqs = std::vector<std::vector<uint64_t>>;

Status Payments(Runner& run, const Plan& plan, const Tokens& tokens, PaymentSeqs& seqs) {
  std::vector<Job> jobs;
  seqs.assign(plan.communities.size(), {});
  for (size_t ci = 0; ci < plan.communities.size(); ++ci) {
    const Community& c = plan.communities[ci];
    seqs[ci].assign(c.payments.size(), 0);
    for (size_t pi = 0; pi < c.payments.size(); ++pi) {
      const demo::Payment& p = c.payments[pi];
      jobs.push_back({"payment " + p.key, Base(c.id) + "/payments", &tokens.firm,
                      json{{"idempotency_key", p.key},
                           {"unit_id", p.unit_id},
                           {"amount", p.amount},
                           {"period", p.period},
                           {"months", p.months},
                           {"paid_on", p.paid_on},
                           {"method", p.method},
                           {"receipt_ref", p.receipt_ref}},
                      [&seqs, ci, pi](const json& answer) {
                        seqs[ci][pi] = ParseU64(answer.value("seq", "")).value_or(0);
                      }});
    }
  }
  return run.WriteAll("fee payments", jobs);
}

Status Money(Runner& run, const Plan& plan, const Tokens& tokens) {
  std::vector<Job> jobs;
  for (const Community& c : plan.communities) {
    for (const demo::Revenue& r : c.revenues) {
      jobs.push_back({"public revenue " + r.key, Base(c.id) + "/public-revenue", &tokens.firm,
                      json{{"idempotency_key", r.key},
                           {"source", v1::PublicRevenue::Source_Name(r.source)},
                           {"amount", r.amount},
                           {"payer", r.payer},
                           {"received_on", r.received_on},
                           {"contract_ref", r.contract_ref}},
                      nullptr});
    }
  }
  MZ_RETURN_IF_ERROR(run.WriteAll("public revenue (parking monthly, advertising quarterly)", jobs));
  jobs.clear();
  for (const Community& c : plan.communities) {
    for (const demo::Disbursement& d : c.spending) {
      jobs.push_back({"disbursement " + d.key, Base(c.id) + "/disbursements", &tokens.firm, DisbursementBody(d), nullptr});
    }
  }
  MZ_RETURN_IF_ERROR(run.WriteAll("disbursements (7 categories monthly, with vouchers)", jobs));
  // Remuneration in month order, one community after the other: each is checked against the cap
  // as it stands when it arrives.
  auto started = std::chrono::steady_clock::now();
  size_t count = 0;
  for (const Community& c : plan.communities) {
    for (const demo::Disbursement& d : c.remuneration) {
      Job job{"remuneration " + d.key, Base(c.id) + "/disbursements", &tokens.firm, DisbursementBody(d), nullptr};
      MZ_RETURN_IF_ERROR(run.Write(run.client(), job).status());
      ++count;
    }
  }
  std::cout << "  remuneration: " << count << " monthly, within the cap, in " << Since(started) << "\n";
  return OkStatus();
}

Status Governance(Runner& run, const Plan& plan, const Tokens& tokens, std::ostream& summary) {
  // Voting must run at least through the day a proposal is made: through the end of next month
  // (China Standard Time). A re-run in the same month repeats the same requests.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string closes_on = FormatDate(LastDayOf(DateOfUnixMs(now_ms).month_index() + 1));
  for (const Community& c : plan.communities) {
    if (c.proposals.empty()) continue;
    const std::string& committee = tokens.committee.at(c.id);
    std::vector<Job> jobs;
    for (const demo::Proposal& p : c.proposals) {
      jobs.push_back({"proposal " + p.id, Base(c.id) + "/proposals", &committee,
                      json{{"idempotency_key", "demo-proposal-" + c.id + "-" + p.id},
                           {"proposal_id", p.id},
                           {"title", p.title},
                           {"matter", v1::Matter_Name(p.matter)},
                           {"amount", p.amount},
                           {"fund", v1::Fund_Name(p.fund)},
                           {"closes_on", closes_on}},
                      nullptr});
    }
    MZ_RETURN_IF_ERROR(run.WriteAll("proposals of " + c.id, jobs));
    jobs.clear();
    for (const demo::Proposal& p : c.proposals) {
      for (const demo::Ballot& b : p.ballots) {
        auto unit = tokens.owner.at(c.id).find(b.unit_id);
        if (unit == tokens.owner.at(c.id).end()) return Internal("demo-plan", "no owner token for voter " + b.unit_id);
        jobs.push_back({"ballot of " + b.unit_id + " on " + p.id, Base(c.id) + "/proposals/" + p.id + "/votes",
                        &unit->second,
                        json{{"idempotency_key", "demo-vote-" + c.id + "-" + p.id + "-" + b.unit_id},
                             {"unit_id", b.unit_id},
                             {"choice", v1::Choice_Name(b.choice)}},
                        nullptr});
      }
    }
    MZ_RETURN_IF_ERROR(run.WriteAll("ballots (owners)", jobs));
    for (const demo::Proposal& p : c.proposals) {
      if (!p.close) {
        std::string line = "  " + c.id + " " + p.id + " (" + v1::Matter_Name(p.matter) + ", " + p.title + "): open until " +
                           closes_on + ", " + std::to_string(p.ballots.size()) + " of " +
                           std::to_string(c.units.size()) + " units voted so far\n";
        summary << line;
        std::cout << line;
        continue;
      }
      Job close{"close of " + p.id, Base(c.id) + "/proposals/" + p.id + "/close", &committee,
                json{{"idempotency_key", "demo-close-" + c.id + "-" + p.id}}, nullptr};
      MZ_ASSIGN_OR_RETURN(json answer, run.Write(run.client(), close));
      json tally = answer["entry"]["proposal_close"].value("tally", json::object());
      bool quorum = tally.value("quorum_met", false), passed = tally.value("passed", false);
      if (quorum != p.expect_quorum || passed != p.expect_pass) {
        return Internal("demo-plan", p.id + " closed with quorum " + std::to_string(quorum) + ", passed " +
                                         std::to_string(passed) + ", not as planned");
      }
      std::string line = "  " + c.id + " " + p.id + " (" + v1::Matter_Name(p.matter) + ", " + p.title + "): " +
                         tally.value("voted_units", "0") + " of " + tally.value("eligible_units", "0") +
                         " units voted, " +
                         (passed ? "passed, resolution R-" + p.id : quorum ? "failed" : "failed quorum") + "\n";
      summary << line;
      std::cout << line;
    }
    jobs.clear();
    for (const demo::Proposal& p : c.proposals) {
      for (const demo::Disbursement& d : p.spending) {
        jobs.push_back({"spending under " + d.resolution_id, Base(c.id) + "/disbursements", &tokens.firm,
                        DisbursementBody(d), nullptr});
      }
    }
    MZ_RETURN_IF_ERROR(run.WriteAll("public revenue spent under the resolution", jobs));
  }
  return OkStatus();
}

Status Evaluations(Runner& run, const Plan& plan, const Tokens& tokens, const PaymentSeqs& seqs) {
  std::vector<Job> jobs;
  for (size_t ci = 0; ci < plan.communities.size(); ++ci) {
    const Community& c = plan.communities[ci];
    for (size_t pi = 0; pi < c.payments.size(); ++pi) {
      const demo::Payment& p = c.payments[pi];
      if (!p.evaluated) continue;
      const v1::Scores& s = p.scores;
      jobs.push_back({"evaluation of " + p.key, Base(c.id) + "/evaluations", &tokens.owner.at(c.id).at(p.unit_id),
                      json{{"idempotency_key", "demo-eval-" + p.key.substr(std::string("demo-pay-").size())},
                           {"payment_seq", seqs[ci][pi]},
                           {"scores",
                            {{"cleaning", s.cleaning()},
                             {"security", s.security()},
                             {"greenery", s.greenery()},
                             {"repair", s.repair()},
                             {"service", s.service()}}},
                           {"comment", p.comment}},
                      nullptr});
    }
  }
  return run.WriteAll("evaluations (owners)", jobs);
}

Status WriteOutputs(const std::string& dir, const Plan& plan, const Tokens& tokens, const std::string& server,
                    const std::string& origin, const std::string& tree_size, const std::string& governance) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Unavailable("file-write", "cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  const Community& first = plan.communities[plan.owner_community];
  MZ_RETURN_IF_ERROR(WriteFileAtomic(dir + "/owner.token", tokens.owner.at(first.id).at(plan.owner_unit) + "\n", 0600));
  MZ_RETURN_IF_ERROR(WriteFileAtomic(dir + "/firm.token", tokens.firm + "\n", 0600));
  MZ_RETURN_IF_ERROR(WriteFileAtomic(dir + "/committee.token", tokens.committee.at(first.id) + "\n", 0600));
  MZ_RETURN_IF_ERROR(WriteFileAtomic(dir + "/regulator.token", tokens.regulator + "\n", 0600));

  std::ostringstream t;
  std::string last_month = FormatMonth(ParseMonth(demo::kStartMonth).value() + plan.months - 1);
  std::string year = last_month.substr(0, 4);
  t << "mingzhang demo district (written by `mingzhang demo --scale " << plan.scale << "`)\n\n"
    << "server:     " << server << "\n"
    << "log origin: " << origin << "\n"
    << "tree size:  " << tree_size << " entries after the demo\n"
    << "months:     " << demo::kStartMonth << " .. " << last_month << " (" << plan.months << ")\n\n"
    << "firm " << plan.firm_id << " (" << plan.firm_name << ") serves:\n";
  for (const Community& c : plan.communities) {
    size_t evaluated = 0;
    for (const demo::Payment& p : c.payments) evaluated += p.evaluated ? 1 : 0;
    t << "  " << c.id << " (" << c.name << "): " << c.units.size() << " units, " << c.rate_fen_per_m2_month
      << " fen/m²/month, remuneration "
      << (c.remuneration_bp > 0 ? std::to_string(c.remuneration_bp) + " bp of fee income"
                                : std::to_string(c.remuneration_fixed_fen) + " fen a month (fixed)")
      << "; " << c.payments.size() << " payments, " << evaluated << " evaluated\n";
  }
  t << "\nproposals:\n" << governance
    << "\ntoken files (bearer tokens; keep them private):\n"
    << "  owner.token      owner of unit " << plan.owner_unit << " in community " << first.id
    << " (voted, evaluated payments)\n"
    << "  firm.token       the firm " << plan.firm_id << " (every community it serves)\n"
    << "  committee.token  the owners' committee of " << first.id << "\n"
    << "  regulator.token  a regulator (every community, ratings, every entry)\n\n"
    << "try:\n"
    << "  curl -H \"Authorization: Bearer $(cat " << dir << "/owner.token)\" '" << server << "/v1/communities/"
    << first.id << "/units/" << plan.owner_unit << "/account?period=" << demo::kStartMonth << "'\n"
    << "  curl -H \"Authorization: Bearer $(cat " << dir << "/regulator.token)\" " << server << "/v1/communities/"
    << first.id << "/statements/" << year << " > statement.json\n"
    << "  curl -H \"Authorization: Bearer $(cat " << dir << "/regulator.token)\" '" << server
    << "/v1/ratings?period=" << year << "'\n"
    << "  mingzhang verify-statement statement.json --key DATA/log.pub.pem\n"
    << "  mingzhang verify --server " << server << " --token-file " << dir << "/regulator.token\n";
  return WriteFileAtomic(dir + "/demo.txt", t.str(), 0644);
}

int Demo(const Args& args) {
  std::optional<std::string> url = args.Get("server");
  std::optional<std::string> admin_file = args.Get("admin-token-file");
  if (!url || !admin_file) return Usage("demo needs --server URL and --admin-token-file F");
  if (!args.positional().empty()) return Usage("demo takes no argument " + args.positional().front());
  double scale = 1.0;
  if (auto s = args.Get("scale")) {
    char* end = nullptr;
    scale = std::strtod(s->c_str(), &end);
    if (s->empty() || *end != '\0' || !(scale > 0 && scale <= 1)) return Usage("--scale must be a number in (0, 1]");
  }
  size_t workers = kDemoWorkersDefault;
  if (auto p = args.Get("parallel")) {
    std::optional<uint64_t> n = ParseU64(*p);
    if (!n || *n == 0 || *n > 256) return Usage("--parallel must be 1 to 256");
    workers = static_cast<size_t>(*n);
  }
  std::string out_dir = args.GetOr("out-dir", "./demo-tokens");
  Result<ServerUrl> server = ServerUrl::Parse(*url);
  if (!server.ok()) return Fail(server.status());
  Result<std::string> admin = ReadTokenFile(*admin_file);
  if (!admin.ok()) return Fail(admin.status());

  auto started = std::chrono::steady_clock::now();
  Plan plan = demo::MakePlan(scale);
  Runner run(*server, workers);
  Result<json> keys = CallJson(run.client(), Method::kGet, "/v1/keys");
  if (!keys.ok()) return Fail(keys.status());
  std::cout << "building the demo district on " << server->text << " (" << keys->value("origin", "?") << "), scale "
            << scale << ", " << workers << " requests at a time\n";

  auto failed = [](const Status& s) {
    std::cerr << "mingzhang demo: " << s.message() << "\n";
    return s.code() == Code::kUnavailable ? kExitUsage : kExitProblem;
  };
  Tokens tokens;
  PaymentSeqs seqs;
  std::ostringstream governance;
  if (Status s = Register(run, plan, *admin); !s.ok()) return failed(s);
  if (Status s = IssueTokens(run, plan, *admin, tokens); !s.ok()) return failed(s);
  if (Status s = Payments(run, plan, tokens, seqs); !s.ok()) return failed(s);
  if (Status s = Money(run, plan, tokens); !s.ok()) return failed(s);
  if (Status s = Governance(run, plan, tokens, governance); !s.ok()) return failed(s);
  if (Status s = Evaluations(run, plan, tokens, seqs); !s.ok()) return failed(s);

  Result<HttpAnswer> note = run.client().SendRetrying(Method::kGet, "/v1/checkpoint");
  std::string tree_size = "?";
  if (note.ok() && note->ok()) {
    size_t a = note->body.find('\n');
    size_t b = a == std::string::npos ? a : note->body.find('\n', a + 1);
    if (b != std::string::npos) tree_size = note->body.substr(a + 1, b - a - 1);
  }
  if (Status s = WriteOutputs(out_dir, plan, tokens, server->text, keys->value("origin", "?"), tree_size,
                              governance.str());
      !s.ok()) {
    return Fail(s);
  }
  std::cout << "done in " << Since(started) << ": " << run.written() << " entries written, "
            << run.replayed() << " already there; tree size " << tree_size << "\n"
            << "tokens and a guide in " << out_dir << "/ (demo.txt)\n";
  return kExitOk;
}

}  // namespace

const Command& DemoCommand() {
  static const Command command{
      "demo",
      "  demo --server URL --admin-token-file F [--out-dir DIR] [--scale S] [--parallel N]\n"
      "                                          build a demo district through the API (2 communities,\n"
      "                                          1,200 units, a year of payments, spending, votes,\n"
      "                                          evaluations); tokens to DIR (./demo-tokens); re-runnable\n",
      {"server", "admin-token-file", "out-dir", "scale", "parallel"}, {}, {}, Demo};
  return command;
}

}  // namespace mingzhang::cli
