// Who may use the API: the bearer tokens (tokens.h) and owners' invitation codes (invitations.h)
// of one district, kept in its store's auth column. They are the API's, not the log's: nothing
// here is an entry, is chained or is signed, and the log never reads them.
//
//   auto district = District::Open(options);
//   api::Access access(**district);
//   Result<IssuedToken> t = access.IssueToken(credential, "admin", "key-1");  // scope checked
//   Result<v1::Credential> who = access.tokens().Authenticate(bearer);
#pragma once

#include <string_view>

#include "api/auth/invitations.h"
#include "api/auth/tokens.h"
#include "ledger/base/status.h"
#include "ledger/views/district.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang::api {

// Thread-safe, as its stores are.
class Access {
 public:
  // Over `district`'s store, dated by its clock; scopes are checked against its state rows.
  // `district` must outlive the Access.
  explicit Access(District& district);
  Access(const Access&) = delete;
  Access& operator=(const Access&) = delete;

  TokenStore& tokens() { return tokens_; }
  const TokenStore& tokens() const { return tokens_; }
  // Invitation codes for owners, in the same auth column as the tokens.
  InvitationStore& invitations() { return invitations_; }

  // A token for `credential`, once its scope is checked against the registrations at the head
  // (CheckCredentialScope, ledger/views/views.h). With an idempotency key, at most once per
  // (issuer, key) (TokenStore::IssueOnce); without one, a fresh token on every call.
  Result<IssuedToken> IssueToken(const v1::Credential& credential, std::string_view issuer_id,
                                 std::string_view idempotency_key);

 private:
  const District& ledger_;
  TokenStore tokens_;
  InvitationStore invitations_;  // on tokens_: destroyed before it
};

}  // namespace mingzhang::api
