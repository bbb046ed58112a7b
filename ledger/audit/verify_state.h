// The state rows checked against the entries they come from: every row of the store's state
// column is recomputed by a replay and compared byte for byte (mingzhang verify), or one
// community's at a time, in bounded memory (the scrub).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ledger/domain/domain.h"
#include "ledger/base/status.h"
#include "ledger/log/store.h"

namespace mingzhang {

// The first state row that differs from the replay, said for people.
struct StateDifference {
  bool balance = false;  // a balance row (else another kind: unit, ballot, digest, ...)
  std::string detail;
};

// Every row of the state column against `replayed`, the rows of a replay of every entry of the
// log; and the state's head marker against the log's head, its format against this version's.
Result<std::optional<StateDifference>> CompareStateRows(const Store& store, const RowSource& replayed);
// The same against a store whose state column holds the replay (mingzhang verify replays into
// one, so that its memory does not grow with the log): both columns walked in key order.
Result<std::optional<StateDifference>> CompareStateColumns(const Store& store, const Store& replayed);

// One community's rows against a replay of its entries alone, found by its entry index; the
// count and chained digest of those entries in its row tie the index to the log, so an index row
// added or dropped shows. Rows whose key is not the community's (firms, the voucher index) are
// left to CompareStateRows. Reads the snapshot `view` (Store::View), so appends may go on.
Result<std::optional<StateDifference>> CheckCommunityState(std::shared_ptr<const StoreView> view,
                                                           const std::string& community_id);

// CheckCommunityState of every community, each on a snapshot of its own (the scrub's state
// check: memory bounded by the largest community), until one differs or `go_on` says stop.
inline constexpr size_t kCommunitiesPerRead = 64;
Result<std::optional<StateDifference>> CheckEveryCommunity(const Store& store, const std::function<bool()>& go_on);

// A state row's kind and key, printable ("unit lanting/3-1202").
std::string DescribeStateRow(std::string_view key);

}  // namespace mingzhang
