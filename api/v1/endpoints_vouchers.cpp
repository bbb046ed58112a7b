// Voucher files (README "Vouchers"): a disbursement's voucher_sha256 names a PDF, JPEG or PNG that
// the firm uploads and that everyone who may read the community can fetch and hash themselves.
//
//   PUT /v1/vouchers/{sha256}   the file's bytes as the body; the community's firm only
//   GET /v1/vouchers/{sha256}   the file, to any token that may read a community naming it
//
// Only a voucher that a disbursement in the uploader's communities names is stored, so the
// server keeps nothing unrelated; a reader who may not see any community naming it is told the
// same 404 as for a voucher not uploaded yet, so another community's hashes leak nothing.
#include <charconv>

#include "api/auth/auth.h"
#include "api/v1/endpoints.h"
#include "api/http/http_server.h"
#include "ledger/domain/vouchers.h"

namespace mingzhang::api {
namespace {

using nlohmann::json;

// The body the parser may take for an upload. Above kVoucherBytesMax so that a Content-Length
// over the voucher limit reaches the header check and is refused as voucher-too-large (the
// session refuses beyond the route's limit as body-too-large before any check runs); a chunked
// upload is read up to it and refused in the handler. Not above the batch routes' limit, so the
// server's largest body stays what it was.
constexpr size_t kVoucherUploadBodyBytesMax = kBatchBodyBytesMax;
static_assert(kVoucherBytesMax < kVoucherUploadBodyBytesMax);

// Revalidated at every use (a 304 costs one lstat), never answered from a cache alone: the
// portal keeps several accounts on one device, and a cached copy must not reach an account the
// server would tell 404. Vary: Authorization keeps one token's copy from answering another's.
constexpr const char* kVoucherCacheControl = "private, no-cache";
constexpr const char* kVoucherVary = "Authorization";

Status NotFoundVoucher() {
  return NotFound("voucher-not-found", "no voucher under this SHA-256 is stored for the communities you may read");
}

// A problem for a voucher refusal. bad-voucher-type is 415 (the server takes these types only),
// which no ledger code maps to; a full disk is said without the write routes' idempotency key.
void Refuse(const Responder& res, const Status& s) {
  if (s.slug() == "bad-voucher-type") {
    return res.Problem(MakeProblem(http::status::unsupported_media_type, "bad-voucher-type", s.message()));
  }
  if (s.slug() == "storage-full") {
    return res.Problem(MakeProblem(http::status::service_unavailable, "storage-full",
                                   "the server's storage is full, so the voucher was not stored; upload it again later"));
  }
  res.Problem(s);
}

// Whether `who` may read any of `communities` (the read rules of every community route).
bool ReadsAny(const v1::Credential& who, const std::vector<std::string>& communities) {
  for (const std::string& c : communities) {
    if (RequireCommunity(who, c).ok()) return true;
  }
  return false;
}

// The upload's refusals that its header decides, before its body is read: who sends it, and a
// declared length over the limit.
Status CheckUploadHeader(ApiContext& ctx, const http::fields& header) {
  MZ_ASSIGN_OR_RETURN(v1::Credential who, Authenticate(header, ctx.access.tokens()));
  MZ_RETURN_IF_ERROR(RequireRole(who, {v1::firm}));
  auto length = header.find(http::field::content_length);
  if (length == header.end()) return OkStatus();  // chunked: counted in the handler
  uint64_t bytes = 0;
  const std::string_view text(length->value().data(), length->value().size());
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bytes);
  if (error == std::errc() && end == text.data() + text.size() && bytes <= kVoucherBytesMax) return OkStatus();
  return ResourceExhausted("voucher-too-large", "a voucher file is at most " + std::to_string(kVoucherBytesMax) +
                                                    " bytes; this request declares " + std::string(text));
}

json Described(const std::string& sha256_hex, size_t bytes, VoucherType type) {
  return {{"sha256", sha256_hex}, {"bytes", bytes}, {"content_type", std::string(VoucherContentType(type))}};
}

void Upload(ApiContext& ctx, VoucherStore& store, Request& req, const Responder& res) {
  Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
  if (!who.ok()) return res.Problem(who.status());
  if (Status s = RequireRole(*who, {v1::firm}); !s.ok()) return res.Problem(s);
  const std::string& sha = *req.Param("sha256");
  const std::string& body = req.message.body();
  Result<VoucherType> type = CheckVoucher(sha, body);
  if (!type.ok()) return Refuse(res, type.status());
  Result<std::vector<std::string>> communities = ctx.ledger.VoucherCommunities(sha);
  if (!communities.ok()) return res.Problem(communities.status());
  if (!ReadsAny(*who, *communities)) {
    return res.Problem(FailedPrecondition(
        "voucher-not-in-ledger", "no disbursement in your communities names voucher_sha256 " + sha +
                                     ": record the disbursement first, then upload its voucher"));
  }
  // Written and synced on this I/O thread: the server has no pool for blocking work (the
  // ledger's threads are its log's). Bounded: kVoucherBytesMax, and one upload per hash at once.
  Result<bool> fresh = store.Put(sha, body);
  if (!fresh.ok()) return Refuse(res, fresh.status());
  res.Json(*fresh ? http::status::created : http::status::ok, Described(sha, body.size(), *type));
}

bool ClientHasIt(const Request& req, const std::string& etag) {
  auto it = req.message.find(http::field::if_none_match);
  if (it == req.message.end()) return false;
  const std::string_view value(it->value().data(), it->value().size());
  return value == "*" || value.find(etag) != std::string_view::npos;
}

// The headers a 200 and a 304 share.
HttpResponse VoucherResponse(http::status status, const std::string& etag) {
  HttpResponse response{status, 11};
  response.set(http::field::etag, etag);
  response.set(http::field::cache_control, kVoucherCacheControl);
  response.set(http::field::vary, kVoucherVary);
  response.set("X-Content-Type-Options", "nosniff");
  return response;
}

void Serve(ApiContext& ctx, const VoucherStore& store, Request& req, const Responder& res) {
  Result<v1::Credential> who = Authenticate(req, ctx.access.tokens());
  if (!who.ok()) return res.Problem(who.status());
  const std::string& sha = *req.Param("sha256");
  if (!ValidVoucherSha256(sha)) return res.Problem(CheckVoucher(sha, "").status());
  Result<std::vector<std::string>> communities = ctx.ledger.VoucherCommunities(sha);
  if (!communities.ok()) return res.Problem(communities.status());
  if (!ReadsAny(*who, *communities)) return res.Problem(NotFoundVoucher());
  const std::string etag = "\"" + sha + "\"";
  // The ETag is the file's name, and its content was checked when it was stored: a 304 needs
  // only that the file is there. A file corrupted since is still caught by every full GET.
  if (ClientHasIt(req, etag) && store.Has(sha)) return res.Send(VoucherResponse(http::status::not_modified, etag));
  Result<Voucher> voucher = store.Get(sha);
  if (!voucher.ok()) {
    return res.Problem(voucher.status().code() == Code::kNotFound ? NotFoundVoucher() : voucher.status());
  }
  HttpResponse response = VoucherResponse(http::status::ok, etag);
  response.set(http::field::content_type, std::string(VoucherContentType(voucher->type)));
  response.set(http::field::content_disposition,
               "inline; filename=\"" + sha.substr(0, 12) + "." + std::string(VoucherExtension(voucher->type)) + "\"");
  response.body() = std::move(voucher->bytes);
  res.Send(std::move(response));
}

}  // namespace

void AddVoucherEndpoints(Router& router, ApiContext& ctx, std::shared_ptr<VoucherStore> store) {
  RouteOptions upload;
  upload.body_bytes_max = kVoucherUploadBodyBytesMax;
  upload.header_check = [&ctx](const http::fields& header) { return CheckUploadHeader(ctx, header); };
  router.Add(http::verb::put, "/v1/vouchers/{sha256}",
             [&ctx, store](Request& req, Responder res) { Upload(ctx, *store, req, res); }, std::move(upload));
  router.Add(http::verb::get, "/v1/vouchers/{sha256}",
             [&ctx, store](Request& req, Responder res) { Serve(ctx, *store, req, res); });
}

}  // namespace mingzhang::api
