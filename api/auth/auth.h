// Who a request speaks for, and what that role and scope allow (README "mingzhangd (the HTTP API)").
// Missing or bad token: 401 "unauthenticated"/"bad-token". Out of role or scope: 403 "forbidden".
#pragma once

#include <initializer_list>
#include <string>

#include "api/auth/tokens.h"
#include "api/http/request.h"
#include "ledger/base/status.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang::api {

Result<v1::Credential> Authenticate(const Request& request, const TokenStore& tokens);
// The same from a request's header alone (RouteOptions::header_check).
Result<v1::Credential> Authenticate(const http::fields& header, const TokenStore& tokens);

// The bearer token a request's header carries, its shape unchecked; the errors of Authenticate.
Result<std::string> BearerToken(const http::fields& header);

// OK when the credential has one of `roles`.
Status RequireRole(const v1::Credential& who, std::initializer_list<v1::Role> roles);
// Firms, committees and owners reach only their communities; admins and regulators reach all.
Status RequireCommunity(const v1::Credential& who, const std::string& community_id);
// Owners reach only their units (of their one community).
Status RequireUnit(const v1::Credential& who, const std::string& community_id, const std::string& unit_id);

// The actor an entry records: the credential's role and principal, and an owner's units.
v1::Actor ActorOf(const v1::Credential& who);

}  // namespace mingzhang::api
