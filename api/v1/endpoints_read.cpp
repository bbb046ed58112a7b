// GET routes (README "mingzhangd (the HTTP API)").
#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "api/http/gzip.h"
#include "api/v1/json_io.h"
#include "api/v1/view_cache.h"
#include "ledger/base/encoding.h"
#include "ledger/views/json/view_json.h"

namespace mingzhang::api {
namespace {

using nlohmann::json;

Result<uint64_t> ParseU64Param(const std::string* text, const char* name) {
  if (text == nullptr) return InvalidArgument("bad-request", std::string(name) + " is required");
  if (!IsDecimalU64Shape(*text)) {
    return InvalidArgument("bad-request", std::string(name) + " must be a non-negative integer");
  }
  const std::optional<uint64_t> v = ParseU64(*text);
  if (!v) return InvalidArgument("bad-request", std::string(name) + " is too large");
  return *v;
}

json PathJson(const std::vector<Hash>& path) {
  json out = json::array();
  for (const Hash& h : path) out.push_back(Base64Encode(AsBytes(h)));
  return out;
}

// A read of community `c`: authenticated, and in scope for the roles that reach it.
using Read = std::function<Result<json>(Request&, const v1::Credential&)>;

// Who asks, when their role may read the route and their scope covers its community `c`.
Result<v1::Credential> Admit(ApiContext& ctx, const std::vector<v1::Role>& allowed, Request& req) {
  Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
  if (!who.ok()) return who.status();
  if (std::find(allowed.begin(), allowed.end(), who->role()) == allowed.end()) {
    return PermissionDenied("forbidden", "the role " + v1::Role_Name(who->role()) + " may not read this");
  }
  if (const std::string* c = req.Param("c")) MZ_RETURN_IF_ERROR(RequireCommunity(*who, *c));
  return who;
}

Handler Guard(ApiContext& ctx, std::initializer_list<v1::Role> roles, Read read) {
  std::vector<v1::Role> allowed(roles);
  return [&ctx, allowed, read](Request& req, Responder res) {
    Result<v1::Credential> who = Admit(ctx, allowed, req);
    if (!who.ok()) return res.Problem(who.status());
    Result<json> answer = read(req, *who);
    if (!answer.ok()) return res.Problem(answer.status());
    res.Json(http::status::ok, *answer);
  };
}

// A view's place in the ViewCache: its key, and the tree size asked for (none: the head's).
struct ViewKey {
  std::string key;
  std::optional<uint64_t> tree_size;
};
// Runs any check of the request beyond Admit's, then names its key.
using KeyOf = std::function<Result<ViewKey>(Request&, const v1::Credential&)>;

// The parts of a key, each prefixed by its length, so that no two lists of parts give one key.
std::string CacheKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) key.append(std::to_string(part.size())).append(":").append(part);
  return key;
}

// A view's answer as JSON; gzip-coded when `gzipped`. Either way it varies with Accept-Encoding,
// which a cache between owner and server must know.
void SendView(const Responder& res, std::string body, bool gzipped) {
  HttpResponse response{http::status::ok, 11};
  response.set(http::field::content_type, kJsonContentType);
  response.set(http::field::vary, "Accept-Encoding");
  if (gzipped) response.set(http::field::content_encoding, "gzip");
  response.body() = std::move(body);
  res.Send(std::move(response));
}

// A costly view's answer as JSON and the tree size it is against (the typed view's own).
struct SizedView {
  json body;
  uint64_t tree_size = 0;
};
using SizedRead = std::function<Result<SizedView>(Request&, const v1::Credential&)>;

// Guard for a costly view: answered from `cache` while the tree size it is against is the one
// asked for (view_cache.h), as gzip to clients that accept it (gzip.h), that too kept in the cache.
Handler CachedGuard(ApiContext& ctx, std::initializer_list<v1::Role> roles, std::shared_ptr<ViewCache> cache,
                    KeyOf key_of, SizedRead read) {
  std::vector<v1::Role> allowed(roles);
  return [&ctx, allowed, cache, key_of, read](Request& req, Responder res) {
    Result<v1::Credential> who = Admit(ctx, allowed, req);
    if (!who.ok()) return res.Problem(who.status());
    Result<ViewKey> key = key_of(req, *who);
    if (!key.ok()) return res.Problem(key.status());
    const bool gzip = AcceptsGzip(req.message);
    const std::string gzip_key = gzip ? key->key + CacheKey({"gzip"}) : std::string();
    std::optional<uint64_t> kept_size = key->tree_size ? *key->tree_size : ctx.ledger.head().tree_size;
    if (gzip) {
      if (std::optional<std::string> gzipped = cache->Find(gzip_key, *kept_size)) {
        return SendView(res, std::move(*gzipped), true);
      }
    }
    std::optional<std::string> body = cache->Find(key->key, *kept_size);
    if (!body) {
      Result<SizedView> answer = read(req, *who);
      if (!answer.ok()) return res.Problem(answer.status());
      body = answer->body.dump(-1, ' ', false, json::error_handler_t::replace);  // as Responder::Json
      // Kept under the size the answer is of: the head may have moved since it was read above.
      kept_size = answer->tree_size;
      cache->Put(key->key, *kept_size, *body);
    }
    if (gzip && body->size() >= kGzipBodyBytesMin) {
      if (std::optional<std::string> gzipped = Gzip(*body)) {
        if (kept_size) cache->Put(gzip_key, *kept_size, *gzipped);
        return SendView(res, std::move(*gzipped), true);
      }
    }
    SendView(res, std::move(*body), false);
  };
}

// The signed checkpoint of every tree size a proof is against can be fetched. Checkpoints
// are signed per group commit, not at every size: a proof at another size is refused
// (no-checkpoint), as a client could check it against no signed root.
Status SignedAt(ApiContext& ctx, std::initializer_list<uint64_t> tree_sizes) {
  for (uint64_t size : tree_sizes) MZ_RETURN_IF_ERROR(ctx.ledger.CheckpointAt(size).status());
  return OkStatus();
}

// Public: checkpoint, keys, proofs.
void AddPublicReads(Router& router, ApiContext& ctx) {
  router.Add(http::verb::get, "/v1/checkpoint", [&ctx](Request& req, Responder res) {
    if (!req.Query("tree_size")) return res.Text(http::status::ok, ctx.ledger.head().checkpoint);
    Result<uint64_t> size = ParseU64Param(req.Query("tree_size"), "tree_size");
    if (!size.ok()) return res.Problem(size.status());
    Result<std::string> note = ctx.ledger.CheckpointAt(*size);
    if (!note.ok()) return res.Problem(note.status());
    res.Text(http::status::ok, *note);
  });
  router.Add(http::verb::get, "/v1/keys", [&ctx](Request&, Responder res) {
    res.Json(http::status::ok, {{"origin", ctx.ledger.origin()},
                                {"public_key_pem", ctx.ledger.public_key().Pem()},
                                {"verifier_key", ctx.ledger.verifier().String()},
                                {"algorithm", "Ed25519"}});
  });
  router.Add(http::verb::get, "/v1/proofs/inclusion", [&ctx](Request& req, Responder res) {
    Result<uint64_t> leaf = ParseU64Param(req.Query("leaf_index"), "leaf_index");
    Result<uint64_t> size = ParseU64Param(req.Query("tree_size"), "tree_size");
    if (!leaf.ok() || !size.ok()) return res.Problem(!leaf.ok() ? leaf.status() : size.status());
    auto proof = ctx.ledger.InclusionProof(*leaf, *size);
    if (!proof.ok()) return res.Problem(proof.status());
    if (Status s = SignedAt(ctx, {*size}); !s.ok()) return res.Problem(s);
    res.Json(http::status::ok, {{"leaf_index", std::to_string(*leaf)},
                                {"tree_size", std::to_string(*size)},
                                {"audit_path", PathJson(*proof)}});
  });
  router.Add(http::verb::get, "/v1/proofs/consistency", [&ctx](Request& req, Responder res) {
    Result<uint64_t> first = ParseU64Param(req.Query("first"), "first");
    Result<uint64_t> second = ParseU64Param(req.Query("second"), "second");
    if (!first.ok() || !second.ok()) return res.Problem(!first.ok() ? first.status() : second.status());
    auto proof = ctx.ledger.ConsistencyProof(*first, *second);
    if (!proof.ok()) return res.Problem(proof.status());
    if (Status s = SignedAt(ctx, {*first, *second}); !s.ok()) return res.Problem(s);
    res.Json(http::status::ok, {{"first", std::to_string(*first)},
                                {"second", std::to_string(*second)},
                                {"path", PathJson(*proof)}});
  });
  // Red once the scrub found the log damaged, naming the finding: the process answers, but the
  // log it serves needs a person.
  router.Add(http::verb::get, "/healthz", [&ctx](Request&, Responder res) {
    std::optional<VerifyReport> finding = ctx.scrubber ? ctx.scrubber->finding() : std::nullopt;
    if (!finding) return res.Text(http::status::ok, "ok\n");
    res.Text(http::status::service_unavailable, "log-damaged: " + finding->ToString() + "\n");
  });
  // Readiness for writes: /healthz says the process answers; this says whether a write would be
  // taken. While the storage is full it recovers here as a write would, so that a person or a load
  // balancer sees writes come back without sending one.
  router.Add(http::verb::get, "/readyz", [&ctx](Request&, Responder res) {
    if (Status damage = LogDamage(ctx); !damage.ok()) return res.Problem(damage);
    Status writes = ctx.ledger.RecoverStorage();
    if (writes.ok()) return res.Text(http::status::ok, "ready\n");
    const bool full = writes.slug() == "storage-full";
    res.Problem(MakeProblem(http::status::service_unavailable, writes.slug(),
                            std::string("writes refused: ") + (full ? "storage full" : "storage failing") +
                                "; reads are served"));
  });
}

void AddEntryReads(Router& router, ApiContext& ctx) {
  auto any = {v1::regulator, v1::firm, v1::committee, v1::owner, v1::admin};
  router.Add(http::verb::get, "/v1/entries/{seq}", Guard(ctx, any, [&ctx](Request& req, const v1::Credential& who) -> Result<json> {
    MZ_ASSIGN_OR_RETURN(uint64_t seq, ParseU64Param(req.Param("seq"), "seq"));
    MZ_ASSIGN_OR_RETURN(StoredEntry e, ctx.ledger.ReadEntry(seq));
    const std::string& community = e.entry.community_id();  // empty for a firm's registration
    if (!community.empty()) MZ_RETURN_IF_ERROR(RequireCommunity(who, community));
    return EntryJson(e, true);
  }));
  router.Add(http::verb::get, "/v1/entries", Guard(ctx, any, [&ctx](Request& req, const v1::Credential& who) -> Result<json> {
    const std::string* community = req.Query("community");
    if (community == nullptr) return InvalidArgument("bad-request", "community is required");
    MZ_RETURN_IF_ERROR(RequireCommunity(who, *community));
    std::optional<uint64_t> after;
    if (req.Query("after_seq")) {
      MZ_ASSIGN_OR_RETURN(after, ParseU64Param(req.Query("after_seq"), "after_seq"));
    }
    uint64_t limit = kEntriesPageMax;
    if (req.Query("limit")) {
      MZ_ASSIGN_OR_RETURN(limit, ParseU64Param(req.Query("limit"), "limit"));
    }
    if (limit == 0 || limit > kEntriesPageMax) return InvalidArgument("bad-request", "limit must be 1 to 1000");
    MZ_ASSIGN_OR_RETURN(std::vector<uint64_t> seqs, ctx.ledger.CommunitySeqs(*community, after, limit));
    json entries = json::array();
    for (uint64_t seq : seqs) {
      MZ_ASSIGN_OR_RETURN(StoredEntry e, ctx.ledger.ReadEntry(seq));
      entries.push_back(EntryJson(e, true));
    }
    return json{{"entries", entries}, {"tree_size", std::to_string(ctx.ledger.head().tree_size)}};
  }));
}

// Statements and owner accounts cost ~1 ms each to compute and are asked for again and again
// between appends: answered from a ViewCache (view_cache.h).
void AddCommunityReads(Router& router, ApiContext& ctx) {
  auto members = {v1::regulator, v1::firm, v1::committee, v1::owner, v1::admin};
  auto views = std::make_shared<ViewCache>();
  // Both read as of today (views.h ViewAsOf): the day is part of the key.
  KeyOf statement_key = [&ctx](Request& req, const v1::Credential&) -> Result<ViewKey> {
    const std::string today = FormatDate(ctx.ledger.Today());
    ViewKey key{CacheKey({"statement", *req.Param("c"), *req.Param("period"), today}), std::nullopt};
    if (req.Query("tree_size")) {
      MZ_ASSIGN_OR_RETURN(key.tree_size, ParseU64Param(req.Query("tree_size"), "tree_size"));
      key.key += CacheKey({"at"});
    }
    return key;
  };
  KeyOf account_key = [&ctx](Request& req, const v1::Credential& who) -> Result<ViewKey> {
    MZ_RETURN_IF_ERROR(RequireUnit(who, *req.Param("c"), *req.Param("u")));
    const std::string* period = req.Query("period");
    if (period == nullptr) return InvalidArgument("bad-period", "period is required");
    return ViewKey{CacheKey({"account", *req.Param("c"), *req.Param("u"), *period, FormatDate(ctx.ledger.Today())}),
                   std::nullopt};
  };
  router.Add(http::verb::get, "/v1/communities/{c}/statements/{period}",
             CachedGuard(ctx, members, views, statement_key, [&ctx](Request& req, const v1::Credential&) -> Result<SizedView> {
               std::optional<uint64_t> size;
               if (req.Query("tree_size")) {
                 MZ_ASSIGN_OR_RETURN(size, ParseU64Param(req.Query("tree_size"), "tree_size"));
               }
               MZ_ASSIGN_OR_RETURN(StatementView statement, ctx.ledger.Statement(*req.Param("c"), *req.Param("period"), size));
               MZ_ASSIGN_OR_RETURN(json signed_statement, SignedStatementJson(ctx.ledger, statement));
               return SizedView{std::move(signed_statement), statement.checkpoint.tree_size};
             }));
  router.Add(http::verb::get, "/v1/communities/{c}/units/{u}/account",
             CachedGuard(ctx, members, views, account_key, [&ctx](Request& req, const v1::Credential&) -> Result<SizedView> {
               // account_key checked the unit and the period.
               MZ_ASSIGN_OR_RETURN(ProvedOwnerAccount account,
                                   ctx.ledger.OwnerAccount(*req.Param("c"), *req.Param("u"), *req.Query("period")));
               return SizedView{ToJson(account), account.tree_size};
             }));
  router.Add(http::verb::get, "/v1/communities/{c}/evaluations/summary",
             Guard(ctx, members, [&ctx](Request& req, const v1::Credential&) -> Result<json> {
               const std::string* period = req.Query("period");
               if (period == nullptr) return InvalidArgument("bad-period", "period is required");
               return AsJson(ctx.ledger.EvaluationSummary(*req.Param("c"), *period));
             }));
  router.Add(http::verb::get, "/v1/communities/{c}/billing",
             Guard(ctx, {v1::regulator, v1::firm, v1::committee, v1::admin}, [&ctx](Request& req, const v1::Credential&) -> Result<json> {
               const std::string* period = req.Query("period");
               if (period == nullptr) return InvalidArgument("bad-period", "period is required");
               return AsJson(ctx.ledger.Billing(*req.Param("c"), *period));
             }));
  // Every proposal, open and closed, from the kept state (not a scan of the entries).
  router.Add(http::verb::get, "/v1/communities/{c}/proposals",
             Guard(ctx, members, [&ctx](Request& req, const v1::Credential&) -> Result<json> {
               return AsJson(ctx.ledger.Proposals(*req.Param("c")));
             }));
  router.Add(http::verb::get, "/v1/communities/{c}/proposals/{p}",
             Guard(ctx, members, [&ctx](Request& req, const v1::Credential&) -> Result<json> {
               return AsJson(ctx.ledger.Proposal(*req.Param("c"), *req.Param("p")));
             }));
  router.Add(http::verb::get, "/v1/ratings", Guard(ctx, {v1::regulator, v1::admin}, [&ctx](Request& req, const v1::Credential&) -> Result<json> {
    const std::string* period = req.Query("period");
    if (period == nullptr) return InvalidArgument("bad-period", "period is required");
    return AsJson(ctx.ledger.Ratings(*period));
  }));
}

}  // namespace

void AddReadEndpoints(Router& router, ApiContext& ctx) {
  AddPublicReads(router, ctx);
  AddEntryReads(router, ctx);
  AddCommunityReads(router, ctx);
  AddAccessEndpoints(router, ctx);
  AddDirectoryEndpoints(router, ctx);
}

}  // namespace mingzhang::api
