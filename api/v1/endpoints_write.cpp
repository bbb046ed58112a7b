// POST routes: each becomes one ledger entry (README "mingzhangd (the HTTP API)").
#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "api/http/http_server.h"
#include "api/v1/json_io.h"
#include "api/v1/json_text.h"
#include "api/http/problem.h"
#include "ledger/base/encoding.h"
#include "ledger/views/json/view_json.h"
#include "mingzhang/v1/api.pb.h"

namespace mingzhang::api {
namespace {

// Answers a queued append: 201 with the new entry, 200 with the original for a repeat.
void Append(ApiContext& ctx, const Responder& res, v1::Entry entry) {
  ctx.ledger.AppendAsync(std::move(entry), [res](Result<StoredEntry> r) {
    if (!r.ok()) return res.Problem(r.status());
    // This runs on a ledger thread (the writer's once a batch is durable; the sequencer's for a
    // refusal): the answer is written directly, without a JSON object in between.
    res.Text(r->replayed ? http::status::ok : http::status::created, EntryJsonText(*r, false), kJsonContentType);
  });
}

v1::Entry NewEntry(const v1::Credential& who, const std::string& community_id, const std::string& key) {
  v1::Entry e;
  *e.mutable_actor() = ActorOf(who);
  e.set_community_id(community_id);
  e.set_idempotency_key(key);
  return e;
}

v1::Entry PaymentEntry(const v1::Credential& who, const std::string& community_id, const v1::RecordPaymentRequest& b) {
  v1::Entry e = NewEntry(who, community_id, b.idempotency_key());
  v1::FeePayment* p = e.mutable_fee_payment();
  p->set_unit_id(b.unit_id());
  p->set_amount(b.amount());
  p->set_period(b.period());
  p->set_months(b.months());
  p->set_paid_on(b.paid_on());
  p->set_method(b.method());
  p->set_receipt_ref(b.receipt_ref());
  return e;
}

// A firm's payments:batch or payments:check request for the community in the path, as entries.
Result<std::vector<v1::Entry>> BatchPayments(ApiContext& ctx, Request& req) {
  MZ_ASSIGN_OR_RETURN(v1::Credential who, Authenticate(req, ctx.access.tokens()));
  MZ_RETURN_IF_ERROR(RequireRole(who, {v1::firm}));
  const std::string& community = *req.Param("c");
  MZ_RETURN_IF_ERROR(RequireCommunity(who, community));
  v1::RecordPaymentsBatchRequest body;
  MZ_RETURN_IF_ERROR(ParseJson(req.message.body(), &body));
  std::vector<v1::Entry> entries;
  entries.reserve(body.payments_size());
  for (const v1::RecordPaymentRequest& b : body.payments()) entries.push_back(PaymentEntry(who, community, b));
  return entries;
}

// {rows, new, repeats, problems: [{index, type, title, status, detail}]}: index counts from 0.
nlohmann::json CheckAnswer(const std::vector<Ledger::MemberCheck>& checks) {
  nlohmann::json problems = nlohmann::json::array();
  size_t repeats = 0;
  for (size_t i = 0; i < checks.size(); ++i) {
    repeats += checks[i].repeat ? 1 : 0;
    if (checks[i].refusal.ok()) continue;
    Problem p = ProblemFor(checks[i].refusal);
    problems.push_back(
        {{"index", i}, {"type", p.type}, {"title", p.title}, {"status", static_cast<int>(p.status)}, {"detail", p.detail}});
  }
  const size_t accepted = checks.size() - problems.size();
  return {{"rows", checks.size()}, {"new", accepted - repeats}, {"repeats", repeats}, {"problems", problems}};
}

// Authenticates, checks the role (and the community in `c` when non-empty), parses the body
// into T and hands both to `build`, which returns the entry or a refusal.
template <typename T, typename Build>
Handler Write(ApiContext& ctx, std::initializer_list<v1::Role> roles, Build build) {
  std::vector<v1::Role> allowed(roles);
  return [&ctx, allowed, build](Request& req, Responder res) {
    Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
    if (!who.ok()) return res.Problem(who.status());
    if (std::find(allowed.begin(), allowed.end(), who->role()) == allowed.end()) {
      return res.Problem(PermissionDenied("forbidden", "the role " + v1::Role_Name(who->role()) + " may not do this"));
    }
    const std::string* c = req.Param("c");
    if (c != nullptr) {
      if (Status s = RequireCommunity(*who, *c); !s.ok()) return res.Problem(s);
    }
    T body;
    if (Status s = ParseJson(req.message.body(), &body); !s.ok()) return res.Problem(s);
    Result<v1::Entry> entry = build(req, *who, body);
    if (!entry.ok()) return res.Problem(entry.status());
    Append(ctx, res, std::move(entry).value());
  };
}

const std::string& P(const Request& req, const char* name) { return *req.Param(name); }

// Adds a POST route whose caller is authenticated from its header before its body is read. One
// that appends to the log is refused, once authenticated, while the scrub reports it damaged:
// by the header check when the body is still to come, else before the handler.
enum class Appends { kYes, kNo };
void Post(Router& router, ApiContext& ctx, std::string_view pattern, Handler handler, RouteOptions options = {},
          Appends appends = Appends::kYes) {
  options.header_check = [&ctx, appends](const http::fields& header) {
    Status who = Authenticate(header, ctx.access.tokens()).status();
    return who.ok() && appends == Appends::kYes ? LogDamage(ctx) : who;
  };
  if (appends == Appends::kYes) {
    handler = [&ctx, handler = std::move(handler)](Request& req, Responder res) {
      Status damage = LogDamage(ctx);
      if (damage.ok()) return handler(req, std::move(res));
      Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
      res.Problem(who.ok() ? damage : who.status());
    };
  }
  router.Add(http::verb::post, pattern, std::move(handler), std::move(options));
}

// The entry each route writes, from the caller, the path and the parsed body.
Result<v1::Entry> FirmEntry(Request&, const v1::Credential& who, const v1::CreateFirmRequest& b) {
  v1::Entry e = NewEntry(who, "", b.idempotency_key());
  e.mutable_firm()->set_firm_id(b.firm_id());
  e.mutable_firm()->set_name(b.name());
  return e;
}

Result<v1::Entry> CommunityEntry(Request&, const v1::Credential& who, const v1::CreateCommunityRequest& b) {
  v1::Entry e = NewEntry(who, b.community_id(), b.idempotency_key());
  v1::CommunityRegistration* r = e.mutable_community();
  r->set_name(b.name());
  r->set_firm_id(b.firm_id());
  r->set_fee_rate_fen_per_m2_month(b.fee_rate_fen_per_m2_month());
  *r->mutable_remuneration() = b.remuneration();
  r->set_start_month(b.start_month());
  r->set_due_day(b.due_day());
  return e;
}

Result<v1::Entry> UnitsEntry(Request& req, const v1::Credential& who, const v1::RegisterUnitsRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  *e.mutable_units()->mutable_units() = b.units();
  return e;
}

// A payment for a unit the caller may pay for (an owner only their own).
Result<v1::Entry> OnePaymentEntry(Request& req, const v1::Credential& who, const v1::RecordPaymentRequest& b) {
  MZ_RETURN_IF_ERROR(RequireUnit(who, P(req, "c"), b.unit_id()));
  return PaymentEntry(who, P(req, "c"), b);
}

Result<v1::Entry> DisbursementEntry(Request& req, const v1::Credential& who, const v1::RecordDisbursementRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  v1::Disbursement* d = e.mutable_disbursement();
  d->set_fund(b.fund());
  d->set_category(b.category());
  d->set_amount(b.amount());
  d->set_payee(b.payee());
  d->set_description(b.description());
  d->set_paid_on(b.paid_on());
  d->set_voucher_sha256(b.voucher_sha256());
  d->set_resolution_id(b.resolution_id());
  return e;
}

Result<v1::Entry> PublicRevenueEntry(Request& req, const v1::Credential& who, const v1::RecordPublicRevenueRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  v1::PublicRevenue* r = e.mutable_public_revenue();
  r->set_source(b.source());
  r->set_amount(b.amount());
  r->set_payer(b.payer());
  r->set_received_on(b.received_on());
  r->set_contract_ref(b.contract_ref());
  return e;
}

Result<v1::Entry> EvaluationEntry(Request& req, const v1::Credential& who, const v1::EvaluateRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  v1::Evaluation* ev = e.mutable_evaluation();
  ev->set_payment_seq(b.payment_seq());
  *ev->mutable_scores() = b.scores();
  ev->set_comment(b.comment());
  return e;
}

Result<v1::Entry> ProposalEntry(Request& req, const v1::Credential& who, const v1::CreateProposalRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  v1::Proposal* p = e.mutable_proposal();
  p->set_proposal_id(b.proposal_id());
  p->set_title(b.title());
  p->set_matter(b.matter());
  p->set_amount(b.amount());
  p->set_fund(b.fund());
  p->set_closes_on(b.closes_on());
  return e;
}

Result<v1::Entry> BallotEntry(Request& req, const v1::Credential& who, const v1::VoteRequest& b) {
  MZ_RETURN_IF_ERROR(RequireUnit(who, P(req, "c"), b.unit_id()));
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  e.mutable_ballot()->set_proposal_id(P(req, "p"));
  e.mutable_ballot()->set_unit_id(b.unit_id());
  e.mutable_ballot()->set_choice(b.choice());
  return e;
}

Result<v1::Entry> ProposalCloseEntry(Request& req, const v1::Credential& who, const v1::CloseProposalRequest& b) {
  v1::Entry e = NewEntry(who, P(req, "c"), b.idempotency_key());
  e.mutable_proposal_close()->set_proposal_id(P(req, "p"));
  return e;
}

// A reversal is written in the community of the entry it reverses, which the caller must reach.
Result<v1::Entry> ReversalEntry(ApiContext& ctx, Request& req, const v1::Credential& who, const v1::ReversalRequest& b) {
  const std::optional<uint64_t> seq = ParseU64(P(req, "seq"));
  if (!seq) return InvalidArgument("bad-seq", "seq must be a non-negative integer");
  MZ_ASSIGN_OR_RETURN(std::string community, ctx.ledger.CommunityOf(*seq));
  MZ_RETURN_IF_ERROR(RequireCommunity(who, community));
  v1::Entry e = NewEntry(who, community, b.idempotency_key());
  e.mutable_reversal()->set_target_seq(*seq);
  e.mutable_reversal()->set_reason(b.reason());
  return e;
}

// {entries: [...], written, replayed}: 200 when every member was a repeat, 201 otherwise.
void AnswerBatch(const Responder& res, const std::vector<StoredEntry>& stored) {
  std::string out = "{\"entries\":[";
  size_t replayed = 0;
  for (const StoredEntry& e : stored) {
    if (&e != &stored.front()) out += ',';
    out += EntryJsonText(e, false);
    replayed += e.replayed ? 1 : 0;
  }
  out += "],\"written\":" + std::to_string(stored.size() - replayed) + ",\"replayed\":" + std::to_string(replayed) + "}";
  res.Text(replayed == stored.size() ? http::status::ok : http::status::created, std::move(out), kJsonContentType);
}

void WritePaymentsBatch(ApiContext& ctx, Request& req, Responder res) {
  Result<std::vector<v1::Entry>> entries = BatchPayments(ctx, req);
  if (!entries.ok()) return res.Problem(entries.status());
  ctx.ledger.AppendGroupAsync(std::move(entries).value(), [res](Result<std::vector<StoredEntry>> r) {
    if (!r.ok()) return res.Problem(r.status());
    AnswerBatch(res, *r);
  });
}

// The same body as payments:batch, checked and never written: every refusal at once, each
// member checked with the members before it that pass applied (README "payments:check").
void CheckPaymentsBatch(ApiContext& ctx, Request& req, Responder res) {
  Result<std::vector<v1::Entry>> entries = BatchPayments(ctx, req);
  if (!entries.ok()) return res.Problem(entries.status());
  ctx.ledger.CheckGroupAsync(std::move(entries).value(), [res](Result<std::vector<Ledger::MemberCheck>> r) {
    if (!r.ok()) return res.Problem(r.status());
    res.Json(http::status::ok, CheckAnswer(*r));
  });
}

void HandleIssueToken(ApiContext& ctx, Request& req, Responder res) {
  Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
  if (!who.ok()) return res.Problem(who.status());
  if (Status s = RequireRole(*who, {v1::admin}); !s.ok()) return res.Problem(s);
  v1::IssueTokenRequest body;
  if (Status s = ParseJson(req.message.body(), &body); !s.ok()) return res.Problem(s);
  v1::Credential credential;
  credential.set_role(body.role());
  credential.set_principal_id(body.principal_id());
  *credential.mutable_community_ids() = body.communities();
  *credential.mutable_unit_ids() = body.units();
  Result<IssuedToken> issued = ctx.access.IssueToken(credential, who->principal_id(), body.idempotency_key());
  if (!issued.ok()) return res.Problem(issued.status());
  if (issued->replayed) {
    // The token was shown once, in the first answer; a client that lost it issues a new one.
    return res.Json(http::status::ok, {{"credential", ProtoToJson(issued->credential)}, {"replayed", true}});
  }
  res.Json(http::status::created, {{"token", issued->token}, {"credential", ProtoToJson(issued->credential)}});
}

void HandleReconciliation(ApiContext& ctx, Request& req, Responder res) {
  Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
  if (!who.ok()) return res.Problem(who.status());
  Status s = RequireRole(*who, {v1::firm});
  if (s.ok()) s = RequireCommunity(*who, P(req, "c"));
  if (!s.ok()) return res.Problem(s);
  Result<nlohmann::json> report = AsJson(ctx.ledger.Reconcile(P(req, "c"), req.message.body()));
  if (!report.ok()) return res.Problem(report.status());
  res.Json(http::status::ok, *report);
}

// Firms, communities and their units: the registries every other entry refers to.
void AddRegistryWrites(Router& router, ApiContext& ctx) {
  Post(router, ctx, "/v1/firms", Write<v1::CreateFirmRequest>(ctx, {v1::admin}, FirmEntry));
  Post(router, ctx, "/v1/communities", Write<v1::CreateCommunityRequest>(ctx, {v1::admin}, CommunityEntry));
  Post(router, ctx, "/v1/communities/{c}/units", Write<v1::RegisterUnitsRequest>(ctx, {v1::admin, v1::firm}, UnitsEntry),
       {.body_bytes_max = kBatchBodyBytesMax});
}

void AddPaymentWrites(Router& router, ApiContext& ctx) {
  Post(router, ctx, "/v1/communities/{c}/payments",
       Write<v1::RecordPaymentRequest>(ctx, {v1::firm, v1::owner}, OnePaymentEntry));
  Post(router, ctx, "/v1/communities/{c}/payments:batch",
       [&ctx](Request& req, Responder res) { WritePaymentsBatch(ctx, req, std::move(res)); },
       {.body_bytes_max = kBatchBodyBytesMax});
  Post(router, ctx, "/v1/communities/{c}/payments:check",
       [&ctx](Request& req, Responder res) { CheckPaymentsBatch(ctx, req, std::move(res)); },
       {.body_bytes_max = kBatchBodyBytesMax}, Appends::kNo);
}

// Money out of the funds and public revenue into them.
void AddFundWrites(Router& router, ApiContext& ctx) {
  Post(router, ctx, "/v1/communities/{c}/disbursements",
       Write<v1::RecordDisbursementRequest>(ctx, {v1::firm}, DisbursementEntry));
  Post(router, ctx, "/v1/communities/{c}/public-revenue",
       Write<v1::RecordPublicRevenueRequest>(ctx, {v1::firm, v1::committee}, PublicRevenueEntry));
}

// What owners and their committee decide: ratings of the firm, proposals, votes and closes.
void AddOwnerVoiceWrites(Router& router, ApiContext& ctx) {
  Post(router, ctx, "/v1/communities/{c}/evaluations", Write<v1::EvaluateRequest>(ctx, {v1::owner}, EvaluationEntry));
  Post(router, ctx, "/v1/communities/{c}/proposals",
       Write<v1::CreateProposalRequest>(ctx, {v1::committee}, ProposalEntry));
  Post(router, ctx, "/v1/communities/{c}/proposals/{p}/votes", Write<v1::VoteRequest>(ctx, {v1::owner}, BallotEntry));
  Post(router, ctx, "/v1/communities/{c}/proposals/{p}/close",
       Write<v1::CloseProposalRequest>(ctx, {v1::committee}, ProposalCloseEntry));
}

// Corrections, tokens and the bank reconciliation (the last two write no entry).
void AddOtherWrites(Router& router, ApiContext& ctx) {
  Post(router, ctx, "/v1/entries/{seq}/reversal",
       Write<v1::ReversalRequest>(ctx, {v1::firm, v1::admin}, [&ctx](Request& req, const v1::Credential& who, auto& b) {
         return ReversalEntry(ctx, req, who, b);
       }));
  Post(router, ctx, "/v1/tokens", [&ctx](Request& req, Responder res) { HandleIssueToken(ctx, req, std::move(res)); },
       {}, Appends::kNo);
  Post(router, ctx, "/v1/communities/{c}/reconciliation",
       [&ctx](Request& req, Responder res) { HandleReconciliation(ctx, req, std::move(res)); },
       {.body_bytes_max = kBatchBodyBytesMax}, Appends::kNo);
}

}  // namespace

Status LogDamage(const ApiContext& ctx) {
  if (ctx.scrubber == nullptr) return OkStatus();
  std::optional<VerifyReport> finding = ctx.scrubber->finding();
  if (!finding) return OkStatus();
  return Unavailable("log-damaged", "the log's verification found it damaged (" + finding->ToString() +
                                        "); no write is taken until it is repaired, reads are served");
}

void AddWriteEndpoints(Router& router, ApiContext& ctx) {
  AddRegistryWrites(router, ctx);
  AddPaymentWrites(router, ctx);
  AddFundWrites(router, ctx);
  AddOwnerVoiceWrites(router, ctx);
  AddOtherWrites(router, ctx);
}

}  // namespace mingzhang::api
