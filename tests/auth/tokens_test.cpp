#include "api/auth/tokens.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/auth/access.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"
#include "ledger/views/district.h"
#include "tests/support/entry_builders.h"
#include "tests/support/test_util.h"

namespace mingzhang {
namespace {

using testing::TempDir;

inline constexpr int64_t kNowMs = 1'700'000'000'000;

std::unique_ptr<District> OpenLedger(const TempDir& dir) {
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/tokens-test";
  options.clock_ms = [] { return kNowMs; };
  auto ledger = District::Open(options);
  REQUIRE(ledger.ok());
  return std::move(ledger).value();
}

v1::Credential Make(v1::Role role, const std::string& principal, std::vector<std::string> communities = {},
                    std::vector<std::string> units = {}) {
  v1::Credential c;
  c.set_role(role);
  c.set_principal_id(principal);
  for (auto& id : communities) c.add_community_ids(id);
  for (auto& id : units) c.add_unit_ids(id);
  return c;
}

// One valid credential of each role.
std::vector<v1::Credential> EveryRole() {
  return {
      Make(v1::admin, "admin-2"),
      Make(v1::firm, "firm-1", {"c1", "c2"}),
      Make(v1::committee, "committee.c1", {"c1"}),
      Make(v1::owner, "owner_42", {"c1"}, {"1-101", "1-102"}),
      Make(v1::regulator, "district-housing-bureau"),
  };
}

struct Row {
  std::string key;
  std::string value;
};

std::vector<Row> Rows(const Store& store, Column column) {
  std::vector<Row> rows;
  auto cursor = store.NewCursor(column);
  for (cursor->Seek(""); cursor->Valid(); cursor->Next()) {
    rows.push_back({std::string(cursor->key()), std::string(cursor->value())});
  }
  REQUIRE(cursor->status().ok());
  return rows;
}

std::string TokenRandomBytes(const std::string& token) {
  std::string b64 = token.substr(kTokenPrefix.size());
  for (char& ch : b64) {
    if (ch == '-') ch = '+';
    if (ch == '_') ch = '/';
  }
  while (b64.size() % 4 != 0) b64 += '=';
  auto raw = Base64Decode(b64);
  REQUIRE(raw.ok());
  REQUIRE(raw->size() == kTokenRandomBytes);
  return *raw;
}

void RequireBadToken(const TokenStore& tokens, std::string_view token) {
  auto r = tokens.Authenticate(token);
  INFO("token: " << std::string(token));
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.status().code() == Code::kUnauthenticated);
  REQUIRE(r.status().slug() == kBadTokenSlug);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mode_t FileMode(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

bool SameCredential(const v1::Credential& a, const v1::Credential& b) {
  return a.SerializeAsString() == b.SerializeAsString();
}

TEST_CASE("issued tokens authenticate as their credential, for every role", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  std::set<std::string> seen;
  for (const v1::Credential& credential : EveryRole()) {
    INFO(v1::Role_Name(credential.role()));
    auto token = tokens.Issue(credential);
    REQUIRE(token.ok());
    REQUIRE(token->size() == kTokenChars);
    REQUIRE(token->rfind("mz_", 0) == 0);
    REQUIRE(WellFormedToken(*token));
    REQUIRE(seen.insert(*token).second);

    auto who = tokens.Authenticate(*token);
    REQUIRE(who.ok());
    v1::Credential expected = credential;
    expected.set_issued_at_ms(kNowMs);
    REQUIRE(SameCredential(*who, expected));
  }
  // Issuing an admin credential through Issue counts as having an admin.
  REQUIRE(tokens.HasAdmin());
}

TEST_CASE("the raw token is never stored, only its SHA-256", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  std::vector<std::string> issued;
  for (const v1::Credential& credential : EveryRole()) {
    auto token = tokens.Issue(credential);
    REQUIRE(token.ok());
    issued.push_back(*token);
  }
  auto admin = tokens.EnsureAdminToken(dir / "admin.token");
  REQUIRE_FALSE(admin.ok());  // an admin was issued above
  REQUIRE(admin.status().slug() == kAdminExistsSlug);

  std::vector<Row> auth = Rows(ledger->store(), Column::kAuth);
  REQUIRE(auth.size() == issued.size() + 1);  // one row per token and the admin marker
  for (const std::string& token : issued) {
    std::string key = "t" + std::string(AsBytes(Sha256(token)));
    bool found = false;
    for (const Row& row : auth) found = found || row.key == key;
    REQUIRE(found);

    std::string body = token.substr(kTokenPrefix.size());
    std::string raw = TokenRandomBytes(token);
    for (int c = 0; c < kColumnCount; ++c) {
      for (const Row& row : Rows(ledger->store(), static_cast<Column>(c))) {
        for (const std::string& needle : {token, body, raw}) {
          REQUIRE(row.key.find(needle) == std::string::npos);
          REQUIRE(row.value.find(needle) == std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("malformed and unknown tokens are unauthenticated", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  auto issued = tokens.Issue(Make(v1::firm, "firm-1", {"c1"}));
  REQUIRE(issued.ok());
  const std::string token = *issued;
  const std::string body = token.substr(kTokenPrefix.size());
  REQUIRE(tokens.Authenticate(token).ok());

  RequireBadToken(tokens, "");
  RequireBadToken(tokens, "mz_");
  RequireBadToken(tokens, "mx_" + body);
  RequireBadToken(tokens, "MZ_" + body);
  RequireBadToken(tokens, body);
  RequireBadToken(tokens, "Bearer " + token);
  RequireBadToken(tokens, token + "A");
  RequireBadToken(tokens, token + "\n");
  RequireBadToken(tokens, " " + token);
  RequireBadToken(tokens, token.substr(0, token.size() - 1));
  RequireBadToken(tokens, std::string(kTokenChars, 'A'));
  RequireBadToken(tokens, std::string(4096, 'x'));
  static const char kBadChars[] = "+/=. \t%~!\0\x80\xff";
  for (char bad : std::string(kBadChars, sizeof(kBadChars) - 1)) {
    std::string t = token;
    t[10] = bad;
    RequireBadToken(tokens, t);
  }
  // The last character holds only 4 bits: a non-canonical encoding of the same bytes is refused.
  {
    std::string t = token;
    t.back() = static_cast<char>(t.back() == 'B' ? 'C' : 'B');  // 'B' and 'C' have low bits set
    REQUIRE_FALSE(WellFormedToken(t));
    RequireBadToken(tokens, t);
  }
  // Every single-character change of the token, to a valid character, is unknown.
  for (size_t i = kTokenPrefix.size(); i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'Q' : 'A';  // both keep the last character canonical
    REQUIRE(WellFormedToken(t));
    RequireBadToken(tokens, t);
  }
  // A well-formed token nobody issued.
  std::string unknown = std::string(kTokenPrefix) + std::string(42, 'a') + "A";
  REQUIRE(WellFormedToken(unknown));
  RequireBadToken(tokens, unknown);
  // The real one still works.
  REQUIRE(tokens.Authenticate(token).ok());
}

TEST_CASE("bad credentials are refused and write nothing", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();

  std::vector<std::string> many_communities;
  for (size_t i = 0; i <= kCredentialCommunitiesMax; ++i) many_communities.push_back("c" + std::to_string(i));
  std::vector<std::string> many_units;
  for (size_t i = 0; i <= kCredentialUnitsMax; ++i) many_units.push_back("u" + std::to_string(i));

  std::vector<std::pair<const char*, v1::Credential>> bad = {
      {"no role", Make(v1::ROLE_UNSPECIFIED, "p1")},
      {"unknown role", Make(static_cast<v1::Role>(99), "p1")},
      {"empty principal", Make(v1::regulator, "")},
      {"long principal", Make(v1::regulator, std::string(kPrincipalIdBytesMax + 1, 'p'))},
      {"principal with a space", Make(v1::regulator, "a b")},
      {"principal with a slash", Make(v1::regulator, "a/b")},
      {"principal with a colon", Make(v1::regulator, "a:b")},
      {"non-ASCII principal", Make(v1::regulator, "\xe6\x98\x8e")},
      {"owner without community", Make(v1::owner, "o1", {}, {"u1"})},
      {"owner with two communities", Make(v1::owner, "o1", {"c1", "c2"}, {"u1"})},
      {"owner without units", Make(v1::owner, "o1", {"c1"})},
      {"owner with too many units", Make(v1::owner, "o1", {"c1"}, many_units)},
      {"owner with a unit twice", Make(v1::owner, "o1", {"c1"}, {"u1", "u1"})},
      {"owner with a bad unit id", Make(v1::owner, "o1", {"c1"}, {"c1/u1"})},
      {"owner with an empty unit id", Make(v1::owner, "o1", {"c1"}, {""})},
      {"firm without communities", Make(v1::firm, "f1")},
      {"firm with too many communities", Make(v1::firm, "f1", many_communities)},
      {"firm with a community twice", Make(v1::firm, "f1", {"c1", "c1"})},
      {"firm with units", Make(v1::firm, "f1", {"c1"}, {"u1"})},
      {"firm with a bad community id", Make(v1::firm, "f1", {"c 1"})},
      {"committee without community", Make(v1::committee, "m1")},
      {"committee with two communities", Make(v1::committee, "m1", {"c1", "c2"})},
      {"committee with units", Make(v1::committee, "m1", {"c1"}, {"u1"})},
      {"regulator with a community", Make(v1::regulator, "r1", {"c1"})},
      {"regulator with a unit", Make(v1::regulator, "r1", {}, {"u1"})},
      {"admin with a community", Make(v1::admin, "a1", {"c1"})},
  };
  for (const auto& [why, credential] : bad) {
    INFO(why);
    auto r = tokens.Issue(credential);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.status().code() == Code::kInvalidArgument);
    REQUIRE(r.status().slug() == kBadCredentialSlug);
    REQUIRE(CheckCredential(credential).slug() == kBadCredentialSlug);
  }
  REQUIRE(Rows(ledger->store(), Column::kAuth).empty());
  REQUIRE_FALSE(tokens.HasAdmin());

  // The limits themselves are allowed.
  many_communities.pop_back();
  many_units.pop_back();
  REQUIRE(tokens.Issue(Make(v1::firm, "f1", many_communities)).ok());
  REQUIRE(tokens.Issue(Make(v1::owner, "o1", {"c1"}, many_units)).ok());
  REQUIRE(tokens.Issue(Make(v1::regulator, std::string(kPrincipalIdBytesMax, 'p'))).ok());
  REQUIRE(Rows(ledger->store(), Column::kAuth).size() == 3);
}

TEST_CASE("EnsureAdminToken writes a 0600 token file once", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  REQUIRE_FALSE(tokens.HasAdmin());

  const std::string path = dir / "admin.token";
  auto token = tokens.EnsureAdminToken(path);
  REQUIRE(token.ok());
  REQUIRE(WellFormedToken(*token));
  REQUIRE(tokens.HasAdmin());
  REQUIRE(FileMode(path) == 0600);
  REQUIRE(ReadFile(path) == *token + "\n");
  auto who = tokens.Authenticate(*token);
  REQUIRE(who.ok());
  REQUIRE(who->role() == v1::admin);
  REQUIRE(who->principal_id() == "admin");
  REQUIRE(who->issued_at_ms() == kNowMs);

  SECTION("a second call, with an admin alive, is refused and touches no file") {
    auto again = tokens.EnsureAdminToken(path);
    REQUIRE_FALSE(again.ok());
    REQUIRE(again.status().code() == Code::kAlreadyExists);
    REQUIRE(again.status().slug() == kAdminExistsSlug);
    REQUIRE(ReadFile(path) == *token + "\n");

    const std::string other = dir / "other.token";
    auto elsewhere = tokens.EnsureAdminToken(other);
    REQUIRE_FALSE(elsewhere.ok());
    REQUIRE(elsewhere.status().slug() == kAdminExistsSlug);
    REQUIRE_FALSE(std::filesystem::exists(other));
    REQUIRE(Rows(ledger->store(), Column::kAuth).size() == 2);  // the token and the marker
  }

  SECTION("revoking the last admin lets a new one be issued") {
    auto second = tokens.Issue(Make(v1::admin, "admin-2"));
    REQUIRE(second.ok());
    REQUIRE(tokens.Revoke(*token).ok());
    RequireBadToken(tokens, *token);
    REQUIRE(tokens.HasAdmin());  // admin-2 lives
    REQUIRE(tokens.Revoke(*second).ok());
    REQUIRE_FALSE(tokens.HasAdmin());

    // The old file is still there: refused, nothing issued.
    auto refused = tokens.EnsureAdminToken(path);
    REQUIRE_FALSE(refused.ok());
    REQUIRE(refused.status().slug() == kTokenFileExistsSlug);
    REQUIRE_FALSE(tokens.HasAdmin());
    REQUIRE(Rows(ledger->store(), Column::kAuth).empty());

    REQUIRE(std::filesystem::remove(path));
    auto fresh = tokens.EnsureAdminToken(path);
    REQUIRE(fresh.ok());
    REQUIRE(*fresh != *token);
    REQUIRE(tokens.Authenticate(*fresh).ok());
    REQUIRE(ReadFile(path) == *fresh + "\n");
  }
}

TEST_CASE("EnsureAdminToken refuses an existing file and issues nothing", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  const std::string path = dir / "admin.token";
  { std::ofstream(path) << "something else\n"; }

  auto r = tokens.EnsureAdminToken(path);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.status().code() == Code::kAlreadyExists);
  REQUIRE(r.status().slug() == kTokenFileExistsSlug);
  REQUIRE(ReadFile(path) == "something else\n");
  REQUIRE_FALSE(tokens.HasAdmin());
  REQUIRE(Rows(ledger->store(), Column::kAuth).empty());

  // A directory that does not exist: an I/O error, nothing issued.
  auto missing = tokens.EnsureAdminToken(dir / "no/such/dir/admin.token");
  REQUIRE_FALSE(missing.ok());
  REQUIRE(missing.status().code() == Code::kUnavailable);
  REQUIRE(Rows(ledger->store(), Column::kAuth).empty());
}

TEST_CASE("revoked tokens stop working; others do not", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  auto a = tokens.Issue(Make(v1::owner, "o1", {"c1"}, {"u1"}));
  auto b = tokens.Issue(Make(v1::owner, "o1", {"c1"}, {"u1"}));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(*a != *b);
  REQUIRE(tokens.Revoke(*a).ok());
  RequireBadToken(tokens, *a);
  REQUIRE(tokens.Authenticate(*b).ok());

  Status again = tokens.Revoke(*a);
  REQUIRE(again.code() == Code::kUnauthenticated);
  REQUIRE(again.slug() == kBadTokenSlug);
  REQUIRE(tokens.Revoke("not a token").code() == Code::kUnauthenticated);
  REQUIRE(Rows(ledger->store(), Column::kAuth).size() == 1);
}

TEST_CASE("IssueOnce: one token per issuer and idempotency key, also after reopening", "[tokens]") {
  TempDir dir;
  const v1::Credential asked = Make(v1::owner, "o1", {"c1"}, {"u1"});
  std::string token;
  {
    auto ledger = OpenLedger(dir);
    api::Access access(*ledger);
    TokenStore& tokens = access.tokens();
    auto first = tokens.IssueOnce(asked, "admin", "k-1");
    REQUIRE(first.ok());
    REQUIRE_FALSE(first->replayed);
    REQUIRE(first->credential.issued_at_ms() == kNowMs);
    token = first->token;
    auto auth = tokens.Authenticate(token);
    REQUIRE(auth.ok());
    REQUIRE(SameCredential(*auth, first->credential));

    // Another issuer's key of the same name is another request.
    auto other_issuer = tokens.IssueOnce(asked, "admin-2", "k-1");
    REQUIRE(other_issuer.ok());
    REQUIRE_FALSE(other_issuer->replayed);
    REQUIRE(other_issuer->token != token);
  }
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  const size_t rows_before = Rows(ledger->store(), Column::kAuth).size();
  auto again = tokens.IssueOnce(asked, "admin", "k-1");
  REQUIRE(again.ok());
  REQUIRE(again->replayed);
  REQUIRE(again->token.empty());  // a token is shown once
  auto auth = tokens.Authenticate(token);
  REQUIRE(auth.ok());
  REQUIRE(SameCredential(again->credential, *auth));

  auto conflict = tokens.IssueOnce(Make(v1::owner, "o1", {"c1"}, {"u2"}), "admin", "k-1");
  REQUIRE(conflict.status().code() == Code::kAlreadyExists);
  REQUIRE(conflict.status().slug() == "idempotency-conflict");
  for (const char* bad_key : {"", "tab\tkey"}) {
    auto refused = tokens.IssueOnce(asked, "admin", bad_key);
    REQUIRE(refused.status().slug() == "bad-idempotency-key");
  }
  REQUIRE(tokens.IssueOnce(Make(v1::owner, "o1", {"c1"}), "admin", "k-2").status().slug() == kBadCredentialSlug);
  REQUIRE(Rows(ledger->store(), Column::kAuth).size() == rows_before);  // nothing written
}

TEST_CASE("tokens survive reopening the ledger", "[tokens]") {
  TempDir dir;
  std::vector<std::pair<std::string, v1::Credential>> issued;
  std::string admin;
  {
    auto ledger = OpenLedger(dir);
    api::Access access(*ledger);
    for (const v1::Credential& credential : EveryRole()) {
      if (credential.role() == v1::admin) continue;
      auto token = access.tokens().Issue(credential);
      REQUIRE(token.ok());
      issued.emplace_back(*token, credential);
    }
    auto token = access.tokens().EnsureAdminToken(dir / "admin.token");
    REQUIRE(token.ok());
    admin = *token;
  }
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  TokenStore& tokens = access.tokens();
  REQUIRE(tokens.HasAdmin());
  auto again = tokens.EnsureAdminToken(dir / "admin2.token");
  REQUIRE_FALSE(again.ok());
  REQUIRE(again.status().slug() == kAdminExistsSlug);
  for (const auto& [token, credential] : issued) {
    auto who = tokens.Authenticate(token);
    REQUIRE(who.ok());
    v1::Credential expected = credential;
    expected.set_issued_at_ms(kNowMs);
    REQUIRE(SameCredential(*who, expected));
  }
  auto who = tokens.Authenticate(admin);
  REQUIRE(who.ok());
  REQUIRE(who->role() == v1::admin);
  // Tokens live beside the log, not in it: no entries were written.
  REQUIRE(ledger->head().tree_size == 0);
}

// ---------------------------------------------------------------------------------------------
// Invitations (api/auth/invitations.h).

TEST_CASE("invitation codes: Crockford base32 in groups of 4, read back leniently", "[tokens][invitations]") {
  CHECK(*NormalizeInvitationCode("K7QM-3XJD-9PRT-WB2H") == "K7QM3XJD9PRTWB2H");
  CHECK(*NormalizeInvitationCode("k7qm 3xjd 9prt wb2h") == "K7QM3XJD9PRTWB2H");
  CHECK(*NormalizeInvitationCode("IiLl-OoAB-CDEF-GHJK") == "111100ABCDEFGHJK");
  CHECK(GroupInvitationCode("K7QM3XJD9PRTWB2H") == "K7QM-3XJD-9PRT-WB2H");
  for (const std::string& bad : std::vector<std::string>{"", "K7QM-3XJD-9PRT-WB2", "K7QM-3XJD-9PRT-WB2HX", "U7QM-3XJD-9PRT-WB2H", "K7QM_3XJD_9PRT_WB2H",
                          "K7QM-3XJD-9PRT-WB2\xc3\xa9", std::string(65, '-') + "K7QM3XJD9PRTWB2H"}) {
    Result<std::string> r = NormalizeInvitationCode(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().slug() == kBadInvitationCodeSlug);
  }
}

TEST_CASE("invitations: 80-bit codes stored only hashed, single use, expiring, revocable", "[tokens][invitations]") {
  TempDir dir;
  auto now = std::make_shared<std::atomic<int64_t>>(kNowMs);
  LedgerOptions options;
  options.data_dir = dir.path();
  options.origin = "mingzhang.test/tokens-test";
  options.clock_ms = [now] { return now->load(); };
  auto opened = District::Open(options);
  REQUIRE(opened.ok());
  std::unique_ptr<District> ledger = std::move(opened).value();
  api::Access access(*ledger);
  InvitationStore& inv = access.invitations();

  std::vector<std::string> units;
  for (int i = 0; i < 100; ++i) units.push_back("u" + std::to_string(i));
  Result<InvitationBatch> batch = inv.Issue("c1", units, 1, "firm-1", "k1", "request");
  REQUIRE(batch.ok());
  REQUIRE(batch->invitations.size() == 100);
  std::set<std::string> codes;
  for (const IssuedInvitation& i : batch->invitations) {
    CHECK(i.code.size() == kInvitationCodeChars + 3);
    CHECK(i.expires_on == FormatDate(DateOfUnixMs(kNowMs + 24LL * 3600 * 1000)));
    codes.insert(i.code);
  }
  CHECK(codes.size() == 100);
  // Neither a code nor its normalized form is stored; its SHA-256 is.
  const std::string code0 = batch->invitations[0].code;
  const std::string plain0 = *NormalizeInvitationCode(code0);
  bool hash_stored = false;
  for (const Row& row : Rows(ledger->store(), Column::kAuth)) {
    CHECK(row.key.find(plain0) == std::string::npos);
    CHECK(row.value.find(plain0) == std::string::npos);
    CHECK(row.value.find(code0) == std::string::npos);
    hash_stored = hash_stored || row.key.find(std::string(AsBytes(Sha256(plain0)))) != std::string::npos;
  }
  CHECK(hash_stored);

  // A repeat gives no codes; another request under the key conflicts.
  Result<InvitationBatch> again = inv.Issue("c1", units, 1, "firm-1", "k1", "request");
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->invitations.size() == 100);
  CHECK(again->invitations[0].code.empty());
  CHECK(inv.Issue("c1", units, 1, "firm-1", "k1", "other").status().slug() == "idempotency-conflict");
  CHECK(inv.Issue("c1", units, 91, "firm-1", "k2", "x").status().slug() == kBadValidDaysSlug);

  // The last valid day, China Standard Time: still redeemable.
  now->store(kNowMs + 24LL * 3600 * 1000);
  Result<RedeemedInvitation> r = inv.Redeem(code0);
  REQUIRE(r.ok());
  CHECK(r->invitation.unit_id() == "u0");
  Result<v1::Credential> who = access.tokens().Authenticate(r->token.token);
  REQUIRE(who.ok());
  CHECK(who->role() == v1::owner);
  CHECK(who->principal_id() == OwnerPrincipal("c1", "u0"));
  CHECK(who->unit_ids(0) == "u0");
  CHECK(inv.Redeem(code0).status().slug() == kInvitationUsedSlug);

  // Revoked: by unit (only the unused one counts), and by code.
  Result<size_t> revoked = inv.RevokeUnits("c1", {"u0", "u1"});
  REQUIRE(revoked.ok());
  CHECK(*revoked == 1);
  CHECK(inv.Redeem(batch->invitations[1].code).status().slug() == kInvitationRevokedSlug);
  CHECK(inv.RevokeCodes("c2", {batch->invitations[2].code}).status().slug() == kUnknownInvitationSlug);
  CHECK(*inv.RevokeCodes("c1", {batch->invitations[2].code, batch->invitations[2].code}) == 1);
  CHECK(inv.Redeem(batch->invitations[2].code).status().slug() == kInvitationRevokedSlug);

  // A day past the last: expired.
  now->store(kNowMs + 2 * 24LL * 3600 * 1000);
  CHECK(inv.Redeem(batch->invitations[3].code).status().slug() == kInvitationExpiredSlug);
  CHECK(inv.Redeem("0000-0000-0000-0000").status().slug() == kUnknownInvitationSlug);
}

// ---------------------------------------------------------------------------------------------
// Issuing through Access (api/auth/access.h), as POST /v1/tokens does.

TEST_CASE("Access::IssueToken checks the scope against the registrations; a refusal writes nothing", "[tokens]") {
  TempDir dir;
  auto ledger = OpenLedger(dir);
  api::Access access(*ledger);
  REQUIRE(ledger->Append(testing::Firm("F1")).ok());
  REQUIRE(ledger->Append(testing::Community("C1", "F1", 250, testing::BasisPoints(1000), "2023-10")).ok());
  REQUIRE(ledger->Append(testing::Units("C1", testing::AdminActor(), {{"U1", 9000}})).ok());

  struct Refusal {
    v1::Credential credential;
    std::string slug;
  };
  const std::vector<Refusal> refusals = {
      {Make(v1::firm, "F2", {"C1"}), kBadCredentialSlug},  // C1 is served by F1
      {Make(v1::committee, "committee-C9", {"C9"}), "unknown-community"},
      {Make(v1::owner, "owner-U9", {"C1"}, {"U9"}), "unknown-unit"},
      {Make(v1::owner, "owner-none", {"C1"}), kBadCredentialSlug},  // an owner needs a unit
  };
  for (const Refusal& refusal : refusals) {
    for (std::string_view key : {"", "key-refused"}) {
      Result<IssuedToken> r = access.IssueToken(refusal.credential, "admin", key);
      INFO(refusal.credential.principal_id() << " key '" << std::string(key) << "'");
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().slug() == refusal.slug);
    }
  }
  REQUIRE(Rows(ledger->store(), Column::kAuth).empty());

  Result<IssuedToken> firm = access.IssueToken(Make(v1::firm, "F1", {"C1"}), "admin", "");
  REQUIRE(firm.ok());
  CHECK(access.tokens().Authenticate(firm->token)->principal_id() == "F1");

  const v1::Credential owner = Make(v1::owner, "owner-U1", {"C1"}, {"U1"});
  Result<IssuedToken> first = access.IssueToken(owner, "admin", "key-owner");
  REQUIRE(first.ok());
  CHECK_FALSE(first->replayed);
  Result<IssuedToken> again = access.IssueToken(owner, "admin", "key-owner");
  REQUIRE(again.ok());
  CHECK(again->replayed);
  CHECK(again->token.empty());  // shown once
  CHECK(SameCredential(again->credential, first->credential));
  CHECK(access.tokens().Authenticate(first->token)->unit_ids(0) == "U1");
}

}  // namespace
}  // namespace mingzhang
