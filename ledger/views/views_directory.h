// The district as a regulator sees it: its firms and communities, a page at a time, and what a
// community spent in a period by category with the count of the voucher files uploaded for it
// (the printed notice's spending table, beside the signed statement's sums).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "ledger/base/calendar.h"
#include "ledger/domain/domain.h"
#include "ledger/domain/state_rows.h"
#include "ledger/base/status.h"

namespace mingzhang {

// At most this many firms or communities in one answer; the next page starts after the last id.
inline constexpr size_t kDirectoryPageMax = 500;

// A page of the directory: the ids after `after` (none: from the first), at most `limit`
// (1..kDirectoryPageMax, else bad-request).
struct DirectoryPage {
  std::string after;
  size_t limit = kDirectoryPageMax;
};

// {firms: [{firm_id, name, communities, units}], next_after?}: firms in id order; `communities`
// and `units` count what each serves. next_after is the last id, present when more follow.
Result<nlohmann::json> FirmsView(StateReader& state, const DirectoryPage& page);

// {communities: [{community_id, name, firm_id, firm_name, units, area_centi_m2, start_month,
// registered_on, entries, open_proposals}], next_after?}: in id order, only those of `firm_id`
// when it is not empty (unknown-firm when no such firm is registered).
Result<nlohmann::json> CommunitiesView(StateReader& state, const std::string& firm_id, const DirectoryPage& page);

// Whether the file a voucher_sha256 names has been uploaded (VoucherStore::Has); the caller
// decides where files are kept, so the view needs no store.
using VoucherUploaded = std::function<bool(const std::string& sha256_hex)>;

// What c spent in P, per fund and category, from the disbursements not reversed whose paid_on is
// in P (as the statement counts them): {community_id, community_name, firm_id, firm_name, period,
// funds: [{fund, categories: [{category, disbursed, disbursements, vouchers}]}]}; `disbursed` sums
// to the statement's disbursed_by_category. Every disbursement names a voucher_sha256 (a rule),
// so `vouchers` counts those of the `disbursements` whose file `uploaded` says is kept: the
// difference is what the firm has not uploaded yet. `uploaded` is asked once per distinct hash.
// Ledger::Spending adds tree_size (the head it is of) and checkpoint_signed_at_ms (when the
// entry at tree_size - 1 was recorded: the batch that signed that checkpoint).
Result<nlohmann::json> SpendingView(StateReader& state, const std::string& community_id, const Period& period,
                                    const VoucherUploaded& uploaded);

}  // namespace mingzhang
