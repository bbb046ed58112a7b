// Invitations: issue, redeem, revoke (invitations.h).
#include "api/auth/invitations.h"

#include <chrono>
#include <memory>
#include <set>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/log/keys.h"

namespace mingzhang {
namespace {

inline constexpr char kInvitationKeyPrefix = 'v';
inline constexpr char kUnitIndexPrefix = 'w';
inline constexpr char kIssueRecordPrefix = 'j';
inline constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
inline constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;
inline constexpr size_t kOwnerPrincipalHexDigits = 20;

Status BadCode(const std::string& why) { return InvalidArgument(kBadInvitationCodeSlug, why); }
Status Unknown() { return NotFound(kUnknownInvitationSlug, "no such invitation code"); }

std::string HashBytes(std::string_view code) { return std::string(AsBytes(Sha256(code))); }

std::string InvitationKey(const std::string& code_hash) { return std::string(1, kInvitationKeyPrefix) + code_hash; }

std::string UnitIndexPrefix(const std::string& community_id, const std::string& unit_id) {
  std::string key(1, kUnitIndexPrefix);
  key.append(community_id).push_back('\0');
  key.append(unit_id).push_back('\0');
  return key;
}

// 80 random bits as 16 Crockford base32 characters, 5 bits each, most significant first.
std::string EncodeCode(std::string_view random) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char byte : random) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kCrockford[(acc >> bits) & 31]);
    }
  }
  return out;
}

Result<std::optional<v1::Invitation>> ReadInvitation(const Store& store, const std::string& code_hash) {
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> record, store.Get(Column::kAuth, InvitationKey(code_hash)));
  if (!record) return std::optional<v1::Invitation>();
  v1::Invitation invitation;
  if (!invitation.ParseFromString(*record)) return DataLoss("bad-invitation-record", "a stored invitation does not parse");
  return std::optional<v1::Invitation>(std::move(invitation));
}

}  // namespace

Result<std::string> NormalizeInvitationCode(std::string_view typed) {
  if (typed.size() > kInvitationCodeInputBytesMax) {
    return BadCode("a code is " + std::to_string(kInvitationCodeChars) + " characters, such as K7QM-3XJD-9PRT-WB2H");
  }
  std::string code;
  for (char raw : typed) {
    if (raw == '-' || raw == ' ') continue;
    char ch = (raw >= 'a' && raw <= 'z') ? static_cast<char>(raw - 'a' + 'A') : raw;
    if (ch == 'I' || ch == 'L') ch = '1';
    if (ch == 'O') ch = '0';
    if (kCrockford.find(ch) == std::string_view::npos) {
      return BadCode("a code holds only the digits and the letters A-Z but U (and hyphens), such as K7QM-3XJD-9PRT-WB2H");
    }
    code.push_back(ch);
  }
  if (code.size() != kInvitationCodeChars) {
    return BadCode("a code is " + std::to_string(kInvitationCodeChars) + " characters, such as K7QM-3XJD-9PRT-WB2H");
  }
  return code;
}

std::string GroupInvitationCode(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % kInvitationCodeGroupChars == 0) out.push_back('-');
    out.push_back(code[i]);
  }
  return out;
}

std::string OwnerPrincipal(const std::string& community_id, const std::string& unit_id) {
  std::string both = community_id;
  both.push_back('\0');
  both.append(unit_id);
  return "owner-" + HexEncode(AsBytes(Sha256(both))).substr(0, kOwnerPrincipalHexDigits);
}

InvitationStore::InvitationStore(Store& store, TokenStore& tokens, std::function<int64_t()> clock_ms)
    : store_(store), tokens_(tokens), clock_ms_(std::move(clock_ms)) {
  if (!clock_ms_) {
    clock_ms_ = [] {
      using namespace std::chrono;
      return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    };
  }
}

Result<InvitationBatch> InvitationStore::Issue(const std::string& community_id, const std::vector<std::string>& unit_ids,
                                               uint32_t valid_days, std::string_view issuer_id,
                                               std::string_view idempotency_key, std::string_view request_bytes) {
  MZ_RETURN_IF_ERROR(CheckIdempotencyKey(idempotency_key));
  if (valid_days == 0) valid_days = kInvitationValidDaysDefault;
  if (valid_days > kInvitationValidDaysMax) {
    return InvalidArgument(kBadValidDaysSlug, "valid_days must be 1 to " + std::to_string(kInvitationValidDaysMax));
  }
  if (unit_ids.empty() || unit_ids.size() > kInvitationsPerIssueMax) {
    return InvalidArgument("bad-request", "invitations are for 1 to " + std::to_string(kInvitationsPerIssueMax) + " units");
  }
  std::string record_key(1, kIssueRecordPrefix);
  record_key.append(community_id).push_back('\0');
  record_key.append(IdempotencyKey(issuer_id, idempotency_key));
  const std::string fingerprint = HashBytes(request_bytes);

  std::lock_guard<std::mutex> lock(mu_);
  MZ_ASSIGN_OR_RETURN(std::optional<std::string> record, store_.Get(Column::kAuth, record_key));
  if (record) {
    v1::InvitationIssue issued;
    if (record->size() < fingerprint.size() ||
        !issued.ParseFromArray(record->data() + fingerprint.size(), static_cast<int>(record->size() - fingerprint.size()))) {
      return DataLoss("bad-invitation-record", "a stored invitation issue record does not parse");
    }
    if (record->compare(0, fingerprint.size(), fingerprint) != 0) {
      return AlreadyExists("idempotency-conflict", "idempotency_key was used with a different body");
    }
    InvitationBatch repeat;
    repeat.replayed = true;
    for (const v1::Invitation& inv : issued.invitations()) repeat.invitations.push_back({inv.unit_id(), "", inv.expires_on()});
    return repeat;
  }

  const int64_t now_ms = clock_ms_();
  const std::string expires_on = FormatDate(DateOfUnixMs(now_ms + static_cast<int64_t>(valid_days) * kDayMs));
  InvitationBatch batch;
  v1::InvitationIssue issued;
  WriteSet ws;
  for (const std::string& unit_id : unit_ids) {
    MZ_ASSIGN_OR_RETURN(std::string random, RandomBytes(kInvitationCodeRandomBytes));
    const std::string code = EncodeCode(random);
    const std::string code_hash = HashBytes(code);
    v1::Invitation inv;
    inv.set_community_id(community_id);
    inv.set_unit_id(unit_id);
    inv.set_expires_on(expires_on);
    inv.set_issued_at_ms(now_ms);
    inv.set_issuer_id(std::string(issuer_id));
    ws.Put(Column::kAuth, InvitationKey(code_hash), inv.SerializeAsString());
    ws.Put(Column::kAuth, UnitIndexPrefix(community_id, unit_id) + code_hash, "");
    *issued.add_invitations() = inv;
    batch.invitations.push_back({unit_id, GroupInvitationCode(code), expires_on});
  }
  ws.Put(Column::kAuth, record_key, fingerprint + issued.SerializeAsString());
  MZ_RETURN_IF_ERROR(store_.Write(ws, /*sync=*/true));
  return batch;
}

Result<RedeemedInvitation> InvitationStore::Redeem(std::string_view typed_code) {
  MZ_ASSIGN_OR_RETURN(std::string code, NormalizeInvitationCode(typed_code));
  const std::string code_hash = HashBytes(code);
  std::lock_guard<std::mutex> lock(mu_);
  MZ_ASSIGN_OR_RETURN(std::optional<v1::Invitation> found, ReadInvitation(store_, code_hash));
  if (!found) return Unknown();
  v1::Invitation inv = std::move(*found);
  if (inv.revoked_at_ms() != 0) return Aborted(kInvitationRevokedSlug, "this invitation was revoked; ask for a new one");
  if (inv.used_at_ms() != 0) return Aborted(kInvitationUsedSlug, "this invitation was used already; ask for a new one");
  const int64_t now_ms = clock_ms_();
  Result<Date> expires = ParseDate(inv.expires_on());
  if (!expires.ok() || DateOfUnixMs(now_ms) > *expires) {
    return Aborted(kInvitationExpiredSlug, "this invitation expired on " + inv.expires_on() + "; ask for a new one");
  }
  inv.set_used_at_ms(now_ms);
  v1::Credential credential;
  credential.set_role(v1::owner);
  credential.set_principal_id(OwnerPrincipal(inv.community_id(), inv.unit_id()));
  credential.add_community_ids(inv.community_id());
  credential.add_unit_ids(inv.unit_id());
  WriteSet used;
  used.Put(Column::kAuth, InvitationKey(code_hash), inv.SerializeAsString());
  RedeemedInvitation redeemed;
  MZ_ASSIGN_OR_RETURN(redeemed.token, tokens_.IssueWith(credential, std::move(used)));
  redeemed.invitation = std::move(inv);
  return redeemed;
}

Result<size_t> InvitationStore::RevokeUnits(const std::string& community_id, const std::vector<std::string>& unit_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_ms_();
  WriteSet ws;
  size_t revoked = 0;
  for (const std::string& unit_id : unit_ids) {
    const std::string prefix = UnitIndexPrefix(community_id, unit_id);
    std::vector<std::string> hashes;
    std::unique_ptr<Cursor> cursor = store_.NewCursor(Column::kAuth);
    for (cursor->Seek(prefix); cursor->Valid() && cursor->key().substr(0, prefix.size()) == prefix; cursor->Next()) {
      hashes.emplace_back(cursor->key().substr(prefix.size()));
    }
    MZ_RETURN_IF_ERROR(cursor->status());
    for (const std::string& code_hash : hashes) {
      MZ_ASSIGN_OR_RETURN(std::optional<v1::Invitation> inv, ReadInvitation(store_, code_hash));
      if (!inv || inv->used_at_ms() != 0 || inv->revoked_at_ms() != 0) continue;
      inv->set_revoked_at_ms(now_ms);
      ws.Put(Column::kAuth, InvitationKey(code_hash), inv->SerializeAsString());
      ++revoked;
    }
  }
  if (!ws.empty()) MZ_RETURN_IF_ERROR(store_.Write(ws, /*sync=*/true));
  return revoked;
}

Result<size_t> InvitationStore::RevokeCodes(const std::string& community_id, const std::vector<std::string>& typed_codes) {
  std::vector<std::string> hashes;
  for (const std::string& typed : typed_codes) {
    MZ_ASSIGN_OR_RETURN(std::string code, NormalizeInvitationCode(typed));
    hashes.push_back(HashBytes(code));
  }
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_ms = clock_ms_();
  WriteSet ws;
  std::set<std::string> seen;
  size_t revoked = 0;
  for (const std::string& code_hash : hashes) {
    MZ_ASSIGN_OR_RETURN(std::optional<v1::Invitation> inv, ReadInvitation(store_, code_hash));
    // Another community's code is as unknown here as a code never issued.
    if (!inv || inv->community_id() != community_id) return Unknown();
    if (inv->used_at_ms() != 0 || inv->revoked_at_ms() != 0 || !seen.insert(code_hash).second) continue;
    inv->set_revoked_at_ms(now_ms);
    ws.Put(Column::kAuth, InvitationKey(code_hash), inv->SerializeAsString());
    ++revoked;
  }
  if (!ws.empty()) MZ_RETURN_IF_ERROR(store_.Write(ws, /*sync=*/true));
  return revoked;
}

}  // namespace mingzhang
