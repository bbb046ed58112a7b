// Signing in without ids (issue 22): who am I (GET /v1/me), invitations on paper for owners, and
// sign-out (README "Auth").
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "api/v1/json_io.h"
#include "ledger/views/json/view_json.h"
#include "mingzhang/v1/api.pb.h"

namespace mingzhang::api {
namespace {

using nlohmann::json;

// Failed redemptions a client address may make per window before it is refused 429.
inline constexpr int kRedeemFailuresPerWindowMax = 10;
inline constexpr int64_t kRedeemFailureWindowMs = 60'000;
// Addresses remembered at most; beyond, windows that have ended are forgotten first.
inline constexpr size_t kRedeemLimiterAddressesMax = 100'000;
// A redemption is sent without a token: its body is read only up to this.
inline constexpr size_t kRedeemBodyBytesMax = 1'024;
inline constexpr const char* kTooManyAttemptsSlug = "too-many-attempts";

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// The address of "address:port" ("[v6]:port" keeps its brackets).
std::string AddressOf(const std::string& remote) {
  const size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// Failed redemptions per client address in fixed windows of kRedeemFailureWindowMs.
class FailureLimiter {
 public:
  // Seconds until the address may try again, or 0 when it may now.
  int64_t RetryAfterS(const std::string& address, int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = windows_.find(address);
    if (it == windows_.end() || now_ms - it->second.start_ms >= kRedeemFailureWindowMs) return 0;
    if (it->second.failures < kRedeemFailuresPerWindowMax) return 0;
    return (it->second.start_ms + kRedeemFailureWindowMs - now_ms + 999) / 1000;
  }
  void Fail(const std::string& address, int64_t now_ms) {
    std::lock_guard<std::mutex> lock(mu_);
    if (windows_.size() >= kRedeemLimiterAddressesMax) {
      std::erase_if(windows_, [now_ms](const auto& w) { return now_ms - w.second.start_ms >= kRedeemFailureWindowMs; });
    }
    Window& w = windows_[address];
    if (w.failures == 0 || now_ms - w.start_ms >= kRedeemFailureWindowMs) w = Window{now_ms, 0};
    ++w.failures;
  }

 private:
  struct Window {
    int64_t start_ms = 0;
    int failures = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

std::vector<std::string> ToVector(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  return std::vector<std::string>(ids.begin(), ids.end());
}

// c's units as unit id -> label.
Result<std::map<std::string, std::string>> UnitLabels(ApiContext& ctx, const std::string& community_id) {
  MZ_ASSIGN_OR_RETURN(CommunityUnitsView view, ctx.ledger.CommunityUnits(community_id));
  std::map<std::string, std::string> labels;
  for (const UnitLabel& u : view.units) labels.emplace(u.unit_id, u.label);
  return labels;
}

// Every id is one of c's units, once.
Status CheckUnits(const std::vector<std::string>& unit_ids, const std::map<std::string, std::string>& labels) {
  std::set<std::string> seen;
  for (const std::string& id : unit_ids) {
    if (!labels.count(id)) return NotFound("unknown-unit", "no unit " + id + " in this community");
    if (!seen.insert(id).second) return InvalidArgument("bad-request", "unit " + id + " is listed twice");
  }
  return OkStatus();
}

// Who may hand out and revoke c's invitations: the firm serving c, or c's committee.
Result<v1::Credential> InvitationIssuer(ApiContext& ctx, Request& req) {
  MZ_ASSIGN_OR_RETURN(v1::Credential who, Authenticate(req, ctx.access.tokens()));
  MZ_RETURN_IF_ERROR(RequireRole(who, {v1::firm, v1::committee}));
  MZ_RETURN_IF_ERROR(RequireCommunity(who, *req.Param("c")));
  return who;
}

void IssueInvitations(ApiContext& ctx, Request& req, const Responder& res) {
  Result<v1::Credential> who = InvitationIssuer(ctx, req);
  if (!who.ok()) return res.Problem(who.status());
  const std::string& c = *req.Param("c");
  v1::IssueInvitationsRequest body;
  if (Status s = ParseJson(req.message.body(), &body); !s.ok()) return res.Problem(s);
  Result<std::map<std::string, std::string>> labels = UnitLabels(ctx, c);
  if (!labels.ok()) return res.Problem(labels.status());
  std::vector<std::string> units = ToVector(body.unit_ids());
  if (Status s = CheckUnits(units, *labels); !s.ok()) return res.Problem(s);
  if (units.empty()) {
    for (const auto& [id, label] : *labels) units.push_back(id);
  }
  // The request as sent is the repeat's fingerprint ("all units" stays "all units").
  v1::IssueInvitationsRequest fingerprint = body;
  fingerprint.clear_idempotency_key();
  Result<InvitationBatch> batch = ctx.access.invitations().Issue(c, units, body.valid_days(), who->principal_id(),
                                                                 body.idempotency_key(), fingerprint.SerializeAsString());
  if (!batch.ok()) return res.Problem(batch.status());
  json out = json::array();
  for (const IssuedInvitation& inv : batch->invitations) {
    json item{{"unit_id", inv.unit_id}, {"label", labels->count(inv.unit_id) ? labels->at(inv.unit_id) : ""},
              {"expires_on", inv.expires_on}};
    if (!batch->replayed) item["code"] = inv.code;
    out.push_back(std::move(item));
  }
  if (batch->replayed) {
    // Codes are shown once, in the first answer: a client that lost them revokes and issues anew.
    return res.Json(http::status::ok, {{"invitations", out}, {"replayed", true}});
  }
  res.Json(http::status::created, {{"invitations", out}});
}

void RevokeInvitations(ApiContext& ctx, Request& req, const Responder& res) {
  Result<v1::Credential> who = InvitationIssuer(ctx, req);
  if (!who.ok()) return res.Problem(who.status());
  const std::string& c = *req.Param("c");
  v1::RevokeInvitationsRequest body;
  if (Status s = ParseJson(req.message.body(), &body); !s.ok()) return res.Problem(s);
  if (body.unit_ids().empty() == body.codes().empty()) {
    return res.Problem(InvalidArgument("bad-request", "send unit_ids or codes, one of them"));
  }
  if (static_cast<size_t>(body.unit_ids_size() + body.codes_size()) > kInvitationCodesPerRevokeMax) {
    return res.Problem(InvalidArgument("bad-request", "revoke at most " + std::to_string(kInvitationCodesPerRevokeMax) +
                                                          " units or codes at once"));
  }
  Result<size_t> revoked = 0;
  if (!body.unit_ids().empty()) {
    Result<std::map<std::string, std::string>> labels = UnitLabels(ctx, c);
    if (!labels.ok()) return res.Problem(labels.status());
    std::vector<std::string> units = ToVector(body.unit_ids());
    if (Status s = CheckUnits(units, *labels); !s.ok()) return res.Problem(s);
    revoked = ctx.access.invitations().RevokeUnits(c, units);
  } else {
    revoked = ctx.access.invitations().RevokeCodes(c, ToVector(body.codes()));
  }
  if (!revoked.ok()) return res.Problem(revoked.status());
  res.Json(http::status::ok, {{"revoked", *revoked}});
}

void RedeemInvitation(ApiContext& ctx, FailureLimiter& limiter, Request& req, const Responder& res) {
  const std::string address = AddressOf(req.remote);
  if (int64_t retry_s = limiter.RetryAfterS(address, NowMs()); retry_s > 0) {
    HttpResponse response = ProblemResponse(MakeProblem(
        http::status::too_many_requests, kTooManyAttemptsSlug,
        "too many refused invitation codes from this address; try again in " + std::to_string(retry_s) + " s"));
    response.set(http::field::retry_after, std::to_string(retry_s));
    return res.Send(std::move(response));
  }
  auto refuse = [&](const Status& s) {
    if (static_cast<unsigned>(HttpStatusFor(s)) < 500) limiter.Fail(address, NowMs());
    if (s.slug() == kInvitationExpiredSlug) return res.Problem(MakeProblem(http::status::gone, s.slug(), s.message()));
    res.Problem(s);
  };
  v1::RedeemInvitationRequest body;
  if (Status s = ParseJson(req.message.body(), &body); !s.ok()) return refuse(s);
  Result<RedeemedInvitation> redeemed = ctx.access.invitations().Redeem(body.code());
  if (!redeemed.ok()) return refuse(redeemed.status());
  const v1::Invitation& inv = redeemed->invitation;
  std::string name, label;
  if (Result<CommunityUnitsView> view = ctx.ledger.CommunityUnits(inv.community_id()); view.ok()) {
    name = view->name;
    for (const UnitLabel& u : view->units) {
      if (u.unit_id == inv.unit_id()) label = u.label;
    }
  }
  res.Json(http::status::created, {{"token", redeemed->token.token},
                                   {"credential", ProtoToJson(redeemed->token.credential)},
                                   {"community_id", inv.community_id()},
                                   {"community_name", name},
                                   {"unit_id", inv.unit_id()},
                                   {"unit_label", label}});
}

}  // namespace

void AddAccessEndpoints(Router& router, ApiContext& ctx) {
  auto authenticated = [&ctx](const http::fields& header) { return Authenticate(header, ctx.access.tokens()).status(); };
  router.Add(http::verb::get, "/v1/me", [&ctx](Request& req, Responder res) {
    Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
    if (!who.ok()) return res.Problem(who.status());
    Result<nlohmann::json> directory = AsJson(ctx.ledger.Directory(*who));
    if (!directory.ok()) return res.Problem(directory.status());
    res.Json(http::status::ok, *directory);
  });
  router.Add(http::verb::post, "/v1/tokens:revoke-self", [&ctx](Request& req, Responder res) {
    Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
    if (!who.ok()) return res.Problem(who.status());
    if (who->role() == v1::admin) {
      // The server writes a new admin token file at start when none lives; an admin token is
      // retired with the CLI, not signed out of.
      return res.Problem(PermissionDenied("forbidden", "an admin token is not revoked by signing out"));
    }
    Result<std::string> token = BearerToken(req.message.base());
    Status revoked = token.ok() ? ctx.access.tokens().Revoke(*token) : token.status();
    if (!revoked.ok()) return res.Problem(revoked);
    res.Send(HttpResponse{http::status::no_content, 11});
  }, {.header_check = authenticated});
  router.Add(http::verb::post, "/v1/communities/{c}/invitations",
             [&ctx](Request& req, Responder res) { IssueInvitations(ctx, req, res); },
             {.header_check = authenticated});
  router.Add(http::verb::post, "/v1/communities/{c}/invitations:revoke",
             [&ctx](Request& req, Responder res) { RevokeInvitations(ctx, req, res); },
             {.header_check = authenticated});
  auto limiter = std::make_shared<FailureLimiter>();
  router.Add(http::verb::post, "/v1/invitations:redeem",
             [&ctx, limiter](Request& req, Responder res) { RedeemInvitation(ctx, *limiter, req, res); },
             {.body_bytes_max = kRedeemBodyBytesMax});
}

}  // namespace mingzhang::api
