// Bearer tokens: issue, authenticate, revoke, and the first admin token (tokens.h).
#include "api/auth/tokens.h"

#include <unistd.h>

#include <chrono>
#include <memory>
#include <set>

#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/base/files.h"
#include "ledger/log/keys.h"

namespace mingzhang {
namespace {

inline constexpr char kTokenKeyPrefix = 't';
inline constexpr std::string_view kIssueRecordPrefix = "i";
inline constexpr std::string_view kAdminIssuedKey = "admin-issued";
inline constexpr const char* kAdminPrincipal = "admin";

Status BadToken() { return Status(Code::kUnauthenticated, kBadTokenSlug, "missing, malformed or unknown token"); }
Status BadCredential(const std::string& why) { return InvalidArgument(kBadCredentialSlug, why); }

// Index of a base64url character, or -1.
int Base64UrlIndex(char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '-') return 62;
  if (ch == '_') return 63;
  return -1;
}

std::string Base64UrlNoPadding(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& ch : text) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return text;
}

std::string TokenKey(std::string_view token) {
  Hash h = Sha256(token);
  std::string key(1, kTokenKeyPrefix);
  key.append(AsBytes(h));
  return key;
}

Result<std::string> NewToken() {
  MZ_ASSIGN_OR_RETURN(std::string random, RandomBytes(kTokenRandomBytes));
  return std::string(kTokenPrefix) + Base64UrlNoPadding(random);
}

Status CheckId(const std::string& id, const char* what) { return CheckIdSyntax(id, what, kBadCredentialSlug); }

Status CheckIds(const google::protobuf::RepeatedPtrField<std::string>& ids, const char* what) {
  std::set<std::string_view> seen;
  for (const std::string& id : ids) {
    MZ_RETURN_IF_ERROR(CheckId(id, what));
    if (!seen.insert(id).second) return BadCredential(std::string(what) + " " + id + " is listed twice");
  }
  return OkStatus();
}

Status CheckCount(int count, size_t min, size_t max, const char* role, const char* what) {
  size_t n = static_cast<size_t>(count);
  if (n >= min && n <= max) return OkStatus();
  std::string range = min == max ? std::to_string(min) : std::to_string(min) + "-" + std::to_string(max);
  return BadCredential(std::string("a ") + role + " credential has " + range + " " + what);
}

}  // namespace

bool WellFormedToken(std::string_view token) {
  if (token.size() != kTokenChars || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  std::string_view body = token.substr(kTokenPrefix.size());
  for (char ch : body) {
    if (Base64UrlIndex(ch) < 0) return false;
  }
  // 32 bytes fill 256 of the 258 bits of 43 characters: the last character's low 2 bits are 0.
  return Base64UrlIndex(body.back()) % 4 == 0;
}

Status CheckCredential(const v1::Credential& c) {
  MZ_RETURN_IF_ERROR(CheckId(c.principal_id(), "principal_id"));
  MZ_RETURN_IF_ERROR(CheckIds(c.community_ids(), "community_id"));
  MZ_RETURN_IF_ERROR(CheckIds(c.unit_ids(), "unit_id"));
  const char* role = v1::Role_IsValid(c.role()) ? v1::Role_Name(c.role()).c_str() : "";
  switch (c.role()) {
    case v1::owner:
      MZ_RETURN_IF_ERROR(CheckCount(c.community_ids_size(), 1, 1, role, "community"));
      return CheckCount(c.unit_ids_size(), 1, kCredentialUnitsMax, role, "units");
    case v1::firm:
      MZ_RETURN_IF_ERROR(CheckCount(c.community_ids_size(), 1, kCredentialCommunitiesMax, role, "communities"));
      return CheckCount(c.unit_ids_size(), 0, 0, role, "units");
    case v1::committee:
      MZ_RETURN_IF_ERROR(CheckCount(c.community_ids_size(), 1, 1, role, "community"));
      return CheckCount(c.unit_ids_size(), 0, 0, role, "units");
    case v1::regulator:
    case v1::admin:
      MZ_RETURN_IF_ERROR(CheckCount(c.community_ids_size(), 0, 0, role, "communities"));
      return CheckCount(c.unit_ids_size(), 0, 0, role, "units");
    default:
      return BadCredential("role must be one of admin, firm, committee, owner, regulator");
  }
}

TokenStore::TokenStore(Store& store, std::function<int64_t()> clock_ms)
    : store_(store), clock_ms_(std::move(clock_ms)) {
  if (!clock_ms_) {
    clock_ms_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
  }
}

Result<std::string> TokenStore::Issue(const v1::Credential& credential) {
  v1::Credential stamped = credential;
  stamped.set_issued_at_ms(clock_ms_());
  std::lock_guard<std::mutex> lock(write_mu_);
  MZ_ASSIGN_OR_RETURN(IssuedToken issued, IssueLocked(stamped, WriteSet()));
  return std::move(issued.token);
}

Result<IssuedToken> TokenStore::IssueWith(const v1::Credential& credential, WriteSet with) {
  v1::Credential stamped = credential;
  stamped.set_issued_at_ms(clock_ms_());
  std::lock_guard<std::mutex> lock(write_mu_);
  return IssueLocked(stamped, std::move(with));
}

Result<IssuedToken> TokenStore::IssueOnce(const v1::Credential& credential, std::string_view issuer_id,
                                          std::string_view idempotency_key) {
  MZ_RETURN_IF_ERROR(CheckIdempotencyKey(idempotency_key));
  MZ_RETURN_IF_ERROR(CheckCredential(credential));
  v1::Credential requested = credential;
  requested.clear_issued_at_ms();
  const std::string fingerprint(AsBytes(Sha256(requested.SerializeAsString())));
  const std::string record_key = std::string(kIssueRecordPrefix) + IdempotencyKey(issuer_id, idempotency_key);
  std::lock_guard<std::mutex> lock(write_mu_);  // the record is read and written under one lock
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> record, store_.Get(Column::kAuth, record_key));
  if (record) {
    IssuedToken repeat;
    repeat.replayed = true;
    if (record->size() < fingerprint.size() ||
        !repeat.credential.ParseFromArray(record->data() + fingerprint.size(),
                                          static_cast<int>(record->size() - fingerprint.size()))) {
      return DataLoss("bad-issue-record", "a stored token issue record does not parse");
    }
    if (record->compare(0, fingerprint.size(), fingerprint) != 0) {
      return AlreadyExists("idempotency-conflict", "idempotency_key was used with a different body");
    }
    return repeat;
  }
  // The record holds the credential as stamped: issued_at_ms is known only once it is issued.
  v1::Credential stamped = requested;
  stamped.set_issued_at_ms(clock_ms_());
  WriteSet record_write;
  record_write.Put(Column::kAuth, record_key, fingerprint + stamped.SerializeAsString());
  return IssueLocked(stamped, std::move(record_write));
}

Result<IssuedToken> TokenStore::IssueLocked(const v1::Credential& stamped, WriteSet ws) {
  MZ_RETURN_IF_ERROR(CheckCredential(stamped));
  IssuedToken issued;
  issued.credential = stamped;
  MZ_ASSIGN_OR_RETURN(issued.token, NewToken());
  ws.Put(Column::kAuth, TokenKey(issued.token), issued.credential.SerializeAsString());
  if (issued.credential.role() == v1::admin) ws.Put(Column::kAuth, std::string(kAdminIssuedKey), "");
  MZ_RETURN_IF_ERROR(store_.Write(ws, /*sync=*/true));
  return issued;
}

Result<v1::Credential> TokenStore::Authenticate(std::string_view token) const {
  if (!WellFormedToken(token)) return BadToken();
  // A point lookup by the token's SHA-256: the lookup's timing can only tell a guesser about a
  // hash of the guess, never about a stored token (an iterator here cost ~19% of a cached GET).
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> record, store_.Get(Column::kAuth, TokenKey(token)));
  if (!record) return BadToken();
  v1::Credential credential;
  if (!credential.ParseFromString(*record)) {
    return DataLoss("bad-credential-record", "a stored credential does not parse");
  }
  return credential;
}

Status TokenStore::Revoke(std::string_view token) {
  std::lock_guard<std::mutex> lock(write_mu_);
  MZ_ASSIGN_OR_RETURN(v1::Credential credential, Authenticate(token));
  std::string key = TokenKey(token);
  WriteSet ws;
  ws.Delete(Column::kAuth, key);
  if (credential.role() == v1::admin) {
    // Is another admin token left? Tokens are few; a scan of the column is cheap and rare.
    bool other_admin = false;
    std::unique_ptr<Cursor> cursor = store_.NewCursor(Column::kAuth);
    for (cursor->Seek(std::string(1, kTokenKeyPrefix));
         cursor->Valid() && !cursor->key().empty() && cursor->key()[0] == kTokenKeyPrefix && !other_admin;
         cursor->Next()) {
      if (cursor->key() == key) continue;
      v1::Credential other;
      std::string_view value = cursor->value();
      other_admin = other.ParseFromArray(value.data(), static_cast<int>(value.size())) && other.role() == v1::admin;
    }
    MZ_RETURN_IF_ERROR(cursor->status());
    if (!other_admin) ws.Delete(Column::kAuth, std::string(kAdminIssuedKey));
  }
  return store_.Write(ws, /*sync=*/true);
}

Result<bool> TokenStore::AdminLives() const {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> marker, store_.Get(Column::kAuth, kAdminIssuedKey));
  return marker.has_value();
}

bool TokenStore::HasAdmin() const {
  Result<bool> lives = AdminLives();
  return lives.ok() && *lives;
}

Result<std::string> TokenStore::EnsureAdminToken(const std::string& path) {
  std::lock_guard<std::mutex> lock(write_mu_);
  MZ_ASSIGN_OR_RETURN(bool lives, AdminLives());
  if (lives) return AlreadyExists(kAdminExistsSlug, "an admin token exists already");
  v1::Credential credential;
  credential.set_role(v1::admin);
  credential.set_principal_id(kAdminPrincipal);
  credential.set_issued_at_ms(clock_ms_());
  MZ_ASSIGN_OR_RETURN(std::string token, NewToken());
  // The file first: a crash before the hash is stored leaves a file that refuses the next try
  // (the operator deletes it), never a stored admin that nobody holds the token of.
  MZ_RETURN_IF_ERROR(WriteNewFile(path, token + "\n", 0600, kTokenFileExistsSlug));
  WriteSet ws;
  ws.Put(Column::kAuth, TokenKey(token), credential.SerializeAsString());
  ws.Put(Column::kAuth, std::string(kAdminIssuedKey), "");
  Status written = store_.Write(ws, /*sync=*/true);
  if (!written.ok()) {
    ::unlink(path.c_str());
    return written;
  }
  return token;
}

}  // namespace mingzhang
