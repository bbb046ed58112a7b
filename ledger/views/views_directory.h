// The district as a regulator sees it: its firms and communities, a page at a time, and what a
// community spent in a period by category with the count of the voucher files uploaded for it
// (the printed notice's spending table, beside the signed statement's sums).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "ledger/base/calendar.h"
#include "ledger/domain/domain.h"
#include "ledger/domain/state_rows.h"
#include "ledger/base/status.h"
#include "ledger/views/view_types.h"

namespace mingzhang {

// At most this many firms or communities in one answer; the next page starts after the last id.
inline constexpr size_t kDirectoryPageMax = 500;

// A page of the directory: the ids after `after` (none: from the first), at most `limit`
// (1..kDirectoryPageMax, else bad-request).
struct DirectoryPage {
  std::string after;
  size_t limit = kDirectoryPageMax;
};

// Firms in id order (FirmsPage, view_types.h); `communities` and `units` count what each serves.
Result<FirmsPage> FirmsOf(StateReader& state, const DirectoryPage& page);

// Communities in id order (CommunitiesPage), only those of `firm_id` when it is not empty
// (unknown-firm when no such firm is registered), each with its firm's name, units, total area,
// start month, registration day, entries and open proposals.
Result<CommunitiesPage> CommunitiesOf(StateReader& state, const std::string& firm_id, const DirectoryPage& page);

// Whether the file a voucher_sha256 names has been uploaded (VoucherStore::Has); the caller
// decides where files are kept, so the view needs no store.
using VoucherUploaded = std::function<bool(const std::string& sha256_hex)>;

// What c spent in P, per fund and category, from the disbursements not reversed whose paid_on is
// in P (as the statement counts them): SpendingView, FEES then PUBLIC_REVENUE, categories by name;
// `disbursed` sums to the statement's disbursed_by_category. Every disbursement names a
// voucher_sha256 (a rule), so `vouchers` counts those of the `disbursements` whose file
// `uploaded` says is kept: the difference is what the firm has not uploaded yet. `uploaded` is
// asked once per distinct hash. District::Spending adds tree_size (the head it is of) and
// checkpoint_signed_at_ms (when the entry at tree_size - 1 was recorded: the batch that signed
// that checkpoint).
Result<SpendingView> SpendingOf(StateReader& state, const std::string& community_id, const Period& period,
                                const VoucherUploaded& uploaded);

}  // namespace mingzhang
