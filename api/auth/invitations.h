// Invitations (issue 22): a one-time code on paper that an owner types once to get an owner token
// for one unit. Kept beside the tokens in the auth column, never in the signed log (a code is a
// secret); the store keeps only SHA-256 of a code:
//
//   auth column  "v" || SHA-256(code) (32 raw bytes)           -> serialized v1::Invitation
//                "w" || community || 0x00 || unit || 0x00 || SHA-256(code)  -> "" (by unit, for revoking)
//                "j" || community || 0x00 || issuer || 0x00 || idempotency_key
//                    -> SHA-256 of the request (32 raw bytes) || serialized v1::InvitationIssue (no codes)
//
// A code is kInvitationCodeRandomBytes (80 bits) from the OS CSPRNG written in Crockford base32,
// 16 characters in groups of 4: "K7QM-3XJD-9PRT-WB2H". Read back case-insensitively, without
// hyphens and spaces, with I and L read as 1 and O as 0 (NormalizeInvitationCode). It is valid
// through its expires_on day (China Standard Time), once, unless revoked.
//
//   InvitationStore& inv = access.invitations();          // access.h
//   Result<InvitationBatch> b = inv.Issue("lanting", {"U1"}, 30, "firm-1", "key-1", request_bytes);
//   Result<RedeemedInvitation> r = inv.Redeem("k7qm-3xjd-9prt-wb2h");  // r->token.token
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth/tokens.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"
#include "mingzhang/v1/ledger.pb.h"

namespace mingzhang {

inline constexpr size_t kInvitationCodeRandomBytes = 10;  // 80 bits
inline constexpr size_t kInvitationCodeChars = 16;        // base32 of 80 bits
inline constexpr size_t kInvitationCodeGroupChars = 4;
inline constexpr size_t kInvitationCodeInputBytesMax = 64;  // what NormalizeInvitationCode reads at most
inline constexpr uint32_t kInvitationValidDaysDefault = 30;
inline constexpr uint32_t kInvitationValidDaysMax = 90;
inline constexpr size_t kInvitationsPerIssueMax = 5'000;  // one community's units in one request
inline constexpr size_t kInvitationCodesPerRevokeMax = 5'000;

// Slugs callers may branch on.
inline constexpr const char* kBadInvitationCodeSlug = "bad-invitation-code";      // InvalidArgument
inline constexpr const char* kUnknownInvitationSlug = "unknown-invitation";       // NotFound
inline constexpr const char* kInvitationUsedSlug = "invitation-used";             // Aborted (409)
inline constexpr const char* kInvitationRevokedSlug = "invitation-revoked";       // Aborted (409)
inline constexpr const char* kInvitationExpiredSlug = "invitation-expired";       // Aborted (the API answers 410)
inline constexpr const char* kBadValidDaysSlug = "bad-valid-days";                // InvalidArgument

// The 16 code characters a typed code stands for (upper case, no separators, I/L -> 1, O -> 0),
// or InvalidArgument "bad-invitation-code".
Result<std::string> NormalizeInvitationCode(std::string_view typed);
// "XXXX-XXXX-XXXX-XXXX" of 16 normalized characters.
std::string GroupInvitationCode(std::string_view code);

struct IssuedInvitation {
  std::string unit_id;
  std::string code;  // grouped; empty when replayed (a code is shown once)
  std::string expires_on;
};

struct InvitationBatch {
  std::vector<IssuedInvitation> invitations;
  bool replayed = false;
};

struct RedeemedInvitation {
  IssuedToken token;            // an owner token for the invitation's unit
  v1::Invitation invitation;    // as stored, used_at_ms set
};

// Thread-safe. Redeem holds one lock from reading an invitation to writing it used together with
// the token, so of two redemptions of one code exactly one wins.
class InvitationStore {
 public:
  // `store` and `tokens` must outlive it; `clock_ms` (default: system clock) dates issues, expiry
  // and uses.
  InvitationStore(Store& store, TokenStore& tokens, std::function<int64_t()> clock_ms = {});

  // One fresh code per unit of `unit_ids` (the caller has checked they are c's registered units,
  // 1..kInvitationsPerIssueMax, no repeats), valid through today + valid_days (0: the default;
  // else 1..kInvitationValidDaysMax, "bad-valid-days"). At most once per (community, issuer,
  // idempotency key): a repeat with the same `request_bytes` answers the same units and dates
  // with no codes and replayed set; with other bytes AlreadyExists "idempotency-conflict".
  Result<InvitationBatch> Issue(const std::string& community_id, const std::vector<std::string>& unit_ids,
                                uint32_t valid_days, std::string_view issuer_id, std::string_view idempotency_key,
                                std::string_view request_bytes);

  // An owner token for the invitation's unit (principal OwnerPrincipal), the invitation then used.
  // Errors: bad-invitation-code, unknown-invitation, invitation-revoked, invitation-used,
  // invitation-expired.
  Result<RedeemedInvitation> Redeem(std::string_view typed_code);

  // Revokes the unused, unrevoked invitations of c's `unit_ids`; returns how many.
  Result<size_t> RevokeUnits(const std::string& community_id, const std::vector<std::string>& unit_ids);
  // Revokes those of `typed_codes` that are unused; every code must be well formed
  // (bad-invitation-code) and one of c's invitations (unknown-invitation), else nothing is revoked.
  Result<size_t> RevokeCodes(const std::string& community_id, const std::vector<std::string>& typed_codes);

 private:
  Store& store_;
  TokenStore& tokens_;
  std::function<int64_t()> clock_ms_;
  std::mutex mu_;  // every read-then-write of an invitation record
};

// The principal id of the owner tokens invitations give for a unit: "owner-" and 20 hex digits of
// SHA-256(community || 0x00 || unit), the same for every invitation of that unit.
std::string OwnerPrincipal(const std::string& community_id, const std::string& unit_id);

}  // namespace mingzhang
