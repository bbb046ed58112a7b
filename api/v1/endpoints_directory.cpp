// The district for regulators (README "Directory"): GET /v1/firms and GET /v1/communities, a
// page at a time (kDirectoryPageMax), and GET /v1/communities/{c}/spending?period= for the
// printed notice: spending by category with the count of its voucher files uploaded.
#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "ledger/views/json/view_json.h"

namespace mingzhang::api {
namespace {

using nlohmann::json;

// ?after=<id>&limit=<1..kDirectoryPageMax>; no limit: the largest page.
Result<DirectoryPage> PageOf(const Request& req) {
  DirectoryPage page;
  if (const std::string* after = req.Query("after")) page.after = *after;
  if (const std::string* limit = req.Query("limit")) {
    const bool digits = !limit->empty() && limit->size() <= 4 && limit->find_first_not_of("0123456789") == std::string::npos;
    page.limit = digits ? std::stoul(*limit) : 0;
    if (page.limit == 0 || page.limit > kDirectoryPageMax) {
      return InvalidArgument("bad-request", "limit must be 1 to " + std::to_string(kDirectoryPageMax));
    }
  }
  return page;
}

using Read = std::function<Result<json>(const Request&)>;

// Answers `read` to a token of one of `roles` whose scope covers the path's community, if any.
Handler Reader(ApiContext& ctx, std::initializer_list<v1::Role> roles, Read read) {
  std::vector<v1::Role> allowed(roles);
  return [&ctx, allowed, read](Request& req, Responder res) {
    Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
    if (!who.ok()) return res.Problem(who.status());
    if (std::find(allowed.begin(), allowed.end(), who->role()) == allowed.end()) {
      return res.Problem(PermissionDenied("forbidden", "the role " + v1::Role_Name(who->role()) + " may not read this"));
    }
    if (const std::string* c = req.Param("c")) {
      if (Status s = RequireCommunity(*who, *c); !s.ok()) return res.Problem(s);
    }
    Result<json> answer = read(req);
    if (!answer.ok()) return res.Problem(answer.status());
    res.Json(http::status::ok, *answer);
  };
}

}  // namespace

void AddDirectoryEndpoints(Router& router, ApiContext& ctx) {
  auto overseers = {v1::regulator, v1::admin};
  router.Add(http::verb::get, "/v1/firms", Reader(ctx, overseers, [&ctx](const Request& req) -> Result<json> {
    MZ_ASSIGN_OR_RETURN(DirectoryPage page, PageOf(req));
    return AsJson(ctx.ledger.Firms(page));
  }));
  router.Add(http::verb::get, "/v1/communities", Reader(ctx, overseers, [&ctx](const Request& req) -> Result<json> {
    MZ_ASSIGN_OR_RETURN(DirectoryPage page, PageOf(req));
    const std::string* firm = req.Query("firm");
    return AsJson(ctx.ledger.Communities(firm == nullptr ? std::string() : *firm, page));
  }));
  auto members = {v1::regulator, v1::firm, v1::committee, v1::owner, v1::admin};
  router.Add(http::verb::get, "/v1/communities/{c}/spending", Reader(ctx, members, [&ctx](const Request& req) -> Result<json> {
    const std::string* period = req.Query("period");
    if (period == nullptr) return InvalidArgument("bad-period", "period is required");
    const std::shared_ptr<VoucherStore> store = ctx.vouchers;
    return AsJson(ctx.ledger.Spending(*req.Param("c"), *period,
                                      [&store](const std::string& sha) { return store != nullptr && store->Has(sha); }));
  }));
}

}  // namespace mingzhang::api
