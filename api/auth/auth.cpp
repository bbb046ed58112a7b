#include "api/auth/auth.h"

#include <algorithm>

namespace mingzhang::api {
namespace {

Status Forbidden(std::string why) { return PermissionDenied("forbidden", std::move(why)); }

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

Result<std::string> BearerToken(const http::fields& header) {
  auto it = header.find(http::field::authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (it == header.end()) {
    return Status(Code::kUnauthenticated, "unauthenticated", "send Authorization: Bearer <token>");
  }
  // A proxy in front may check one of two headers and this server read the other.
  if (header.count(http::field::authorization) > 1) {
    return Status(Code::kUnauthenticated, kBadTokenSlug, "send one Authorization header, not several");
  }
  std::string_view value(it->value().data(), it->value().size());
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  std::string scheme(value.substr(0, kBearer.size()));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "bearer ") {
    return Status(Code::kUnauthenticated, kBadTokenSlug, "the Authorization header is not a Bearer token");
  }
  return std::string(value.substr(kBearer.size()));
}

Result<v1::Credential> Authenticate(const http::fields& header, const TokenStore& tokens) {
  MZ_ASSIGN_OR_RETURN(std::string token, BearerToken(header));
  return tokens.Authenticate(token);
}

Result<v1::Credential> Authenticate(const Request& request, const TokenStore& tokens) {
  return Authenticate(request.message.base(), tokens);
}

Status RequireRole(const v1::Credential& who, std::initializer_list<v1::Role> roles) {
  if (std::find(roles.begin(), roles.end(), who.role()) != roles.end()) return OkStatus();
  return Forbidden("the role " + v1::Role_Name(who.role()) + " may not do this");
}

Status RequireCommunity(const v1::Credential& who, const std::string& community_id) {
  if (who.role() == v1::admin || who.role() == v1::regulator) return OkStatus();
  if (Contains(who.community_ids(), community_id)) return OkStatus();
  return Forbidden("this credential does not cover community " + community_id);
}

Status RequireUnit(const v1::Credential& who, const std::string& community_id, const std::string& unit_id) {
  MZ_RETURN_IF_ERROR(RequireCommunity(who, community_id));
  if (who.role() != v1::owner || Contains(who.unit_ids(), unit_id)) return OkStatus();
  return Forbidden("this credential does not cover unit " + unit_id);
}

v1::Actor ActorOf(const v1::Credential& who) {
  v1::Actor actor;
  actor.set_role(who.role());
  actor.set_principal_id(who.principal_id());
  if (who.role() == v1::owner) *actor.mutable_unit_ids() = who.unit_ids();
  return actor;
}

}  // namespace mingzhang::api
