// Firms and communities a page at a time, and spending with uploaded-voucher counts (views_directory.h);
// the Ledger's readers of them read one snapshot of the state rows as every other view does.
#include "ledger/views/views_directory.h"

#include <algorithm>
#include <map>
#include <vector>

#include "ledger/views/district.h"
#include "ledger/views/views.h"

namespace mingzhang {
namespace {

Status CheckPage(const DirectoryPage& page) {
  if (page.limit == 0 || page.limit > kDirectoryPageMax) {
    return InvalidArgument("bad-request", "limit must be 1 to " + std::to_string(kDirectoryPageMax));
  }
  return OkStatus();
}

// The rows of a page made by `row` (a Result<Row>) from `ids` in id order (at most page.limit + 1
// of those after page.after) into `rows`; the last id given when more follow.
template <typename Row, typename MakeRow>
Result<std::optional<std::string>> FillPage(const std::vector<std::string>& ids, const DirectoryPage& page,
                                            std::vector<Row>& rows, MakeRow row) {
  for (const std::string& id : ids) {
    if (rows.size() == page.limit) return std::optional<std::string>(ids[page.limit - 1]);
    MZ_ASSIGN_OR_RETURN(Row one, row(id));
    rows.push_back(std::move(one));
  }
  return std::optional<std::string>();
}

// Up to `count` ids of `sorted` after `after` (all when it is empty).
std::vector<std::string> IdsAfter(const std::vector<std::string>& sorted, const std::string& after, size_t count) {
  auto it = after.empty() ? sorted.begin() : std::upper_bound(sorted.begin(), sorted.end(), after);
  std::vector<std::string> out;
  for (; it != sorted.end() && out.size() < count; ++it) out.push_back(*it);
  return out;
}

int64_t OpenProposals(const CommunityState& c) {
  int64_t open = 0;
  for (const auto& [id, p] : c.proposals) open += p.closed ? 0 : 1;
  return open;
}

}  // namespace

Result<FirmsPage> FirmsOf(StateReader& state, const DirectoryPage& page) {
  MZ_RETURN_IF_ERROR(CheckPage(page));
  MZ_ASSIGN_OR_RETURN(const auto* firms, state.Firms());
  std::vector<std::string> ids;
  for (const auto& [firm_id, firm] : *firms) ids.push_back(firm_id);
  auto row = [&](const std::string& firm_id) -> Result<FirmRow> {
    const FirmState& firm = firms->at(firm_id);
    int64_t units = 0;
    for (const std::string& id : firm.communities) {
      MZ_ASSIGN_OR_RETURN(const CommunityState* c, CommunityIfRegistered(state, id, UnitDetail::kAreas));
      if (c != nullptr) units += static_cast<int64_t>(c->units.size());
    }
    return FirmRow{firm_id, firm.name, static_cast<int64_t>(firm.communities.size()), units};
  };
  FirmsPage out;
  MZ_ASSIGN_OR_RETURN(out.next_after, FillPage(IdsAfter(ids, page.after, page.limit + 1), page, out.firms, row));
  return out;
}

Result<CommunitiesPage> CommunitiesOf(StateReader& state, const std::string& firm_id, const DirectoryPage& page) {
  MZ_RETURN_IF_ERROR(CheckPage(page));
  MZ_ASSIGN_OR_RETURN(const auto* firms, state.Firms());
  std::vector<std::string> ids;
  if (firm_id.empty()) {
    MZ_ASSIGN_OR_RETURN(ids, state.CommunityIds(page.after, page.limit + 1));
  } else {
    auto firm = firms->find(firm_id);
    if (firm == firms->end()) return NotFound("unknown-firm", "no firm " + firm_id);
    // A firm's communities are those registered naming it, in the order they were registered.
    std::vector<std::string> sorted = firm->second.communities;
    std::sort(sorted.begin(), sorted.end());
    ids = IdsAfter(sorted, page.after, page.limit + 1);
  }
  auto row = [&](const std::string& id) -> Result<CommunityRow> {
    MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(id, UnitDetail::kAreas));
    auto firm = firms->find(c->registration.firm_id());
    return CommunityRow{id,
                        c->registration.name(),
                        c->registration.firm_id(),
                        firm == firms->end() ? std::string() : firm->second.name,
                        static_cast<int64_t>(c->units.size()),
                        c->total_area_centi_m2,
                        c->start_month,
                        c->registered_on,
                        c->entries,
                        OpenProposals(*c)};
  };
  CommunitiesPage out;
  MZ_ASSIGN_OR_RETURN(out.next_after, FillPage(ids, page, out.communities, row));
  return out;
}

Result<SpendingView> SpendingOf(StateReader& state, const std::string& community_id, const Period& period,
                                const VoucherUploaded& uploaded) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  MZ_ASSIGN_OR_RETURN(const auto* firms, state.Firms());
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  std::map<int, std::map<std::string, CategorySpending>> by_fund = {{v1::FEES, {}}, {v1::PUBLIC_REVENUE, {}}};
  std::map<std::string, bool> kept;  // by voucher hash: one look at the disk per file
  auto is_kept = [&](const std::string& sha256_hex) {
    auto [it, fresh] = kept.try_emplace(sha256_hex, false);
    if (fresh) it->second = !sha256_hex.empty() && uploaded(sha256_hex);
    return it->second;
  };
  for (const auto& [seq, d] : disbursements) {
    if (d.reversed || !period.Contains(d.paid_on.month_index())) continue;
    CategorySpending& s = by_fund[d.body.fund()][v1::Category_Name(d.body.category())];
    s.disbursed_fen += d.body.amount();
    s.disbursements += 1;
    s.vouchers += is_kept(d.body.voucher_sha256()) ? 1 : 0;
  }
  SpendingView out;
  out.community_id = community_id;
  out.community_name = c->registration.name();
  out.firm_id = c->registration.firm_id();
  auto firm = firms->find(c->registration.firm_id());
  out.firm_name = firm == firms->end() ? std::string() : firm->second.name;
  out.period = period;
  for (auto& [fund, categories] : by_fund) {
    FundSpending rows{static_cast<v1::Fund>(fund), {}};
    for (auto& [category, s] : categories) {
      s.category = category;
      rows.categories.push_back(s);
    }
    out.funds.push_back(std::move(rows));
  }
  return out;
}

Result<FirmsPage> District::Firms(const DirectoryPage& page) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  return FirmsOf(state, page);
}

Result<CommunitiesPage> District::Communities(const std::string& firm_id, const DirectoryPage& page) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  return CommunitiesOf(state, firm_id, page);
}

Result<SpendingView> District::Spending(const std::string& community_id, const std::string& period_text,
                              const VoucherUploaded& uploaded) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  MZ_ASSIGN_OR_RETURN(SpendingView spending, SpendingOf(state, community_id, period, uploaded));
  // The tree size the state is of: its statement at that size sums to the same figures.
  const Head& h = view.head;
  spending.tree_size = h.tree_size;
  // Its checkpoint was signed in the batch that recorded the tree's last entry.
  if (h.tree_size > 0) {
    MZ_ASSIGN_OR_RETURN(StoredEntry last, ReadEntry(h.tree_size - 1));
    spending.checkpoint_signed_at_ms = last.entry.recorded_at_ms();
  }
  return spending;
}

}  // namespace mingzhang
