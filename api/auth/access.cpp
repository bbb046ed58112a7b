#include "api/auth/access.h"

#include <string>
#include <utility>

#include "ledger/domain/state_rows.h"
#include "ledger/views/views.h"

namespace mingzhang::api {

Access::Access(District& ledger)
    : ledger_(ledger),
      tokens_(ledger.shared_store(), [&ledger] { return ledger.NowMs(); }),
      invitations_(ledger.shared_store(), tokens_, [&ledger] { return ledger.NowMs(); }) {}

Result<IssuedToken> Access::IssueToken(const v1::Credential& credential, std::string_view issuer_id,
                                       std::string_view idempotency_key) {
  MZ_RETURN_IF_ERROR(CheckCredential(credential));
  {
    // Registrations are never undone, so a scope that holds now holds for the token's life.
    MZ_ASSIGN_OR_RETURN(ReadView view, ledger_.Read());
    StoreRows rows(view.store);
    StateReader state(rows);
    MZ_RETURN_IF_ERROR(CheckCredentialScope(state, credential));
  }
  if (!idempotency_key.empty()) return tokens_.IssueOnce(credential, issuer_id, idempotency_key);
  MZ_ASSIGN_OR_RETURN(std::string token, tokens_.Issue(credential));
  IssuedToken issued;
  issued.token = std::move(token);
  issued.credential = credential;
  return issued;
}

}  // namespace mingzhang::api
