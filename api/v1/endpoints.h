// Every route of the HTTP API (README "mingzhangd") on a Router, over one Ledger. Handlers authenticate, check role and
// scope, parse strictly, and either read from the ledger or queue an append whose answer arrives
// from the sequencer (201 for a new entry, 200 for an idempotent repeat).
#pragma once

#include <memory>

#include "api/auth/access.h"
#include "api/http/metrics.h"
#include "api/http/router.h"
#include "ledger/views/district.h"
#include "ledger/audit/scrub.h"
#include "ledger/domain/vouchers.h"

namespace mingzhang::api {

inline constexpr size_t kEntriesPageMax = 1'000;

struct ApiContext {
  District& ledger;
  // Bearer tokens and invitation codes over the ledger's store (api/auth/access.h).
  Access& access;
  std::shared_ptr<Metrics> metrics;
  // Where voucher files are kept: .../spending counts the uploaded ones. None (servers made by
  // tests without the voucher routes): no file can have been uploaded, so none is counted.
  std::shared_ptr<VoucherStore> vouchers = nullptr;
  // The background verification of the log (ledger/audit/scrub.h); none: off, or a test's server.
  const Scrubber* scrubber = nullptr;
};

// Unavailable "log-damaged", naming the scrub's finding, once it found the log damaged: writes
// are refused from then on (reads are served); OkStatus otherwise.
Status LogDamage(const ApiContext& ctx);

void AddWriteEndpoints(Router& router, ApiContext& ctx);
void AddReadEndpoints(Router& router, ApiContext& ctx);
// GET /v1/me, sign-out and owners' invitations (endpoints_access.cpp); AddReadEndpoints adds them.
void AddAccessEndpoints(Router& router, ApiContext& ctx);
// GET /v1/firms, /v1/communities and .../spending (endpoints_directory.cpp); AddReadEndpoints adds them.
void AddDirectoryEndpoints(Router& router, ApiContext& ctx);
// PUT and GET /v1/vouchers/{sha256}: the files disbursements name, kept in `store`
// (endpoints_vouchers.cpp).
void AddVoucherEndpoints(Router& router, ApiContext& ctx, std::shared_ptr<VoucherStore> store);

}  // namespace mingzhang::api
