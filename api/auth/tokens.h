// Bearer tokens: who a request speaks for, kept beside the log in the auth column.
//
// A token is "mz_" followed by 43 base64url characters (32 random bytes, no padding). The store
// keeps only SHA-256 of the token, never the token itself:
//
//   auth column  "t" || SHA-256(token) (32 raw bytes)  -> serialized v1::Credential
//                "admin-issued"                         -> "" (present while an admin token lives)
//                "i" || issuer || 0x00 || idempotency_key
//                    -> SHA-256 of the requested credential (32 raw bytes) || the issued credential
//
// Every write is synced. A token is shown once, to whoever asked for it, and is never logged.
//
// Credential scopes by role (refused with InvalidArgument "bad-credential" otherwise):
//   owner      exactly one community_id and 1..kCredentialUnitsMax unit_ids: plain unit ids of
//              that community (the ledger's unit ids are scoped by community)
//   firm       1..kCredentialCommunitiesMax community_ids, no unit_ids; principal_id is the
//              firm_id the ledger's rules compare against
//   committee  exactly one community_id, no unit_ids
//   regulator, admin   neither community_ids nor unit_ids
// principal_id, community and unit ids: 1-64 characters of [A-Za-z0-9._-]; no id repeats.
//
//   TokenStore& tokens = access.tokens();                   // access.h
//   Result<std::string> token = tokens.Issue(credential);   // give *token to the holder, once
//   Result<v1::Credential> who = tokens.Authenticate(bearer);  // Unauthenticated "bad-token"
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "ledger/base/ids.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

inline constexpr size_t kCredentialCommunitiesMax = 1000;
inline constexpr size_t kCredentialUnitsMax = 100;
inline constexpr size_t kPrincipalIdBytesMax = kIdBytesMax;

inline constexpr std::string_view kTokenPrefix = "mz_";
inline constexpr size_t kTokenRandomBytes = 32;
inline constexpr size_t kTokenChars = 3 + 43;  // prefix + base64url(32 bytes), unpadded

// Slugs callers may branch on.
inline constexpr const char* kBadTokenSlug = "bad-token";            // Unauthenticated
inline constexpr const char* kBadCredentialSlug = "bad-credential";  // InvalidArgument
inline constexpr const char* kAdminExistsSlug = "admin-exists";      // AlreadyExists
inline constexpr const char* kTokenFileExistsSlug = "token-file-exists";  // AlreadyExists

// Thread-safe: Authenticate may run on any number of threads alongside Issue and Revoke.
// What an idempotent issue gives: a fresh token, or for a repeat of an earlier request (same
// issuer, idempotency key and credential) no token, since a token is shown once, and the
// credential it was issued with.
struct IssuedToken {
  std::string token;  // empty when replayed
  v1::Credential credential;  // as stored, issued_at_ms stamped
  bool replayed = false;
};

class TokenStore {
 public:
  // `store` must outlive the TokenStore. `clock_ms` stamps issued_at_ms (default: system clock).
  explicit TokenStore(Store& store, std::function<int64_t()> clock_ms = {});

  // Validates `credential`, stamps issued_at_ms and stores it under a fresh token's hash (synced).
  // Returns the token; it cannot be recovered later. A refused credential writes nothing.
  Result<std::string> Issue(const v1::Credential& credential);

  // Issue, at most once per (issuer_id, idempotency_key): the token and a record of the request
  // are written together. A repeat with the same credential is answered from the record, with no
  // token; with another credential it is AlreadyExists "idempotency-conflict" and writes nothing.
  Result<IssuedToken> IssueOnce(const v1::Credential& credential, std::string_view issuer_id,
                                std::string_view idempotency_key);

  // Issue, writing `with` in the same synced write as the token (an invitation marked used with
  // the token it gave: both or neither). Returns the token and the credential as stored.
  Result<IssuedToken> IssueWith(const v1::Credential& credential, WriteSet with);

  // The credential a token stands for. Malformed tokens (length, prefix, alphabet, non-canonical
  // last character) are refused before any lookup; malformed and unknown tokens both give
  // Unauthenticated "bad-token", with the same message.
  Result<v1::Credential> Authenticate(std::string_view token) const;

  // Deletes a token (synced). Unknown or malformed: Unauthenticated "bad-token". Revoking the last
  // admin token clears "admin-issued", so the next EnsureAdminToken issues a new one.
  Status Revoke(std::string_view token);

  // True while at least one admin token lives (false also when the store cannot be read).
  bool HasAdmin() const;

  // First start: when no admin token lives, issues one (principal "admin") and writes it, with a
  // newline, to a new file at `path` (O_CREAT|O_EXCL, mode 0600, fsynced, directory fsynced)
  // before storing its hash. Returns the token for the caller; never log it.
  // When an admin token already lives: AlreadyExists "admin-exists", and `path` is not touched —
  // a server calls this on every start and treats that slug as "nothing to do".
  // When `path` exists already: AlreadyExists "token-file-exists" and nothing is issued (e.g. a
  // crash after the file was written but before the hash was: delete the file and start again).
  Result<std::string> EnsureAdminToken(const std::string& path);

 private:
  Result<bool> AdminLives() const;
  // Stores `stamped` (checked, issued_at_ms set) under a fresh token, adding that to `ws`, in one
  // synced write. The caller holds write_mu_.
  Result<IssuedToken> IssueLocked(const v1::Credential& stamped, WriteSet ws);

  Store& store_;
  std::function<int64_t()> clock_ms_;
  std::mutex write_mu_;  // Issue, Revoke and EnsureAdminToken: keeps "admin-issued" consistent
};

// Validation alone, for callers that want to refuse a request before asking for a token.
Status CheckCredential(const v1::Credential& credential);

// Whether `token` has the shape of a token (no lookup).
bool WellFormedToken(std::string_view token);

}  // namespace mingzhang
