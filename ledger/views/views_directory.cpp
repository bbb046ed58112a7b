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

using nlohmann::json;

Status CheckPage(const DirectoryPage& page) {
  if (page.limit == 0 || page.limit > kDirectoryPageMax) {
    return InvalidArgument("bad-request", "limit must be 1 to " + std::to_string(kDirectoryPageMax));
  }
  return OkStatus();
}

// The rows of a page made by `row` (a Result<json>) from `ids` in id order (at most page.limit + 1
// of those after page.after): next_after names the last id given when more follow.
template <typename Row>
Result<json> Page(const std::vector<std::string>& ids, const DirectoryPage& page, const char* name, Row row) {
  json rows = json::array();
  for (const std::string& id : ids) {
    if (rows.size() == page.limit) return json{{name, std::move(rows)}, {"next_after", ids[page.limit - 1]}};
    MZ_ASSIGN_OR_RETURN(json one, row(id));
    rows.push_back(std::move(one));
  }
  return json{{name, std::move(rows)}};
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

struct CategorySums {
  int64_t disbursed = 0;
  int64_t disbursements = 0;
  int64_t vouchers = 0;
};

}  // namespace

Result<json> FirmsView(StateReader& state, const DirectoryPage& page) {
  MZ_RETURN_IF_ERROR(CheckPage(page));
  MZ_ASSIGN_OR_RETURN(const auto* firms, state.Firms());
  std::vector<std::string> ids;
  for (const auto& [firm_id, firm] : *firms) ids.push_back(firm_id);
  auto row = [&](const std::string& firm_id) -> Result<json> {
    const FirmState& firm = firms->at(firm_id);
    int64_t units = 0;
    for (const std::string& id : firm.communities) {
      MZ_ASSIGN_OR_RETURN(const CommunityState* c, CommunityIfRegistered(state, id, UnitDetail::kAreas));
      if (c != nullptr) units += static_cast<int64_t>(c->units.size());
    }
    return json{{"firm_id", firm_id},
                {"name", firm.name},
                {"communities", firm.communities.size()},
                {"units", units}};
  };
  return Page(IdsAfter(ids, page.after, page.limit + 1), page, "firms", row);
}

Result<json> CommunitiesView(StateReader& state, const std::string& firm_id, const DirectoryPage& page) {
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
  auto row = [&](const std::string& id) -> Result<json> {
    MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(id, UnitDetail::kAreas));
    auto firm = firms->find(c->registration.firm_id());
    return json{{"community_id", id},
                {"name", c->registration.name()},
                {"firm_id", c->registration.firm_id()},
                {"firm_name", firm == firms->end() ? std::string() : firm->second.name},
                {"units", c->units.size()},
                {"area_centi_m2", std::to_string(c->total_area_centi_m2)},
                {"start_month", FormatMonth(c->start_month)},
                {"registered_on", FormatDate(c->registered_on)},
                {"entries", c->entries},
                {"open_proposals", OpenProposals(*c)}};
  };
  return Page(ids, page, "communities", row);
}

Result<json> SpendingView(StateReader& state, const std::string& community_id, const Period& period,
                          const VoucherUploaded& uploaded) {
  MZ_ASSIGN_OR_RETURN(const CommunityState* c, state.Community(community_id, UnitDetail::kAreas));
  MZ_ASSIGN_OR_RETURN(const auto* firms, state.Firms());
  MZ_ASSIGN_OR_RETURN(const auto disbursements, state.Disbursements(community_id));
  std::map<int, std::map<std::string, CategorySums>> by_fund = {{v1::FEES, {}}, {v1::PUBLIC_REVENUE, {}}};
  std::map<std::string, bool> kept;  // by voucher hash: one look at the disk per file
  auto is_kept = [&](const std::string& sha256_hex) {
    auto [it, fresh] = kept.try_emplace(sha256_hex, false);
    if (fresh) it->second = !sha256_hex.empty() && uploaded(sha256_hex);
    return it->second;
  };
  for (const auto& [seq, d] : disbursements) {
    if (d.reversed || !period.Contains(d.paid_on.month_index())) continue;
    CategorySums& s = by_fund[d.body.fund()][v1::Category_Name(d.body.category())];
    s.disbursed += d.body.amount();
    s.disbursements += 1;
    s.vouchers += is_kept(d.body.voucher_sha256()) ? 1 : 0;
  }
  json funds = json::array();
  for (const auto& [fund, categories] : by_fund) {
    json rows = json::array();
    for (const auto& [category, s] : categories) {
      rows.push_back(json{{"category", category},
                          {"disbursed", std::to_string(s.disbursed)},
                          {"disbursements", s.disbursements},
                          {"vouchers", s.vouchers}});
    }
    funds.push_back(json{{"fund", v1::Fund_Name(static_cast<v1::Fund>(fund))}, {"categories", std::move(rows)}});
  }
  auto firm = firms->find(c->registration.firm_id());
  return json{{"community_id", community_id},
              {"community_name", c->registration.name()},
              {"firm_id", c->registration.firm_id()},
              {"firm_name", firm == firms->end() ? std::string() : firm->second.name},
              {"period", period.text},
              {"funds", std::move(funds)}};
}

Result<json> District::Firms(const DirectoryPage& page) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  return FirmsView(state, page);
}

Result<json> District::Communities(const std::string& firm_id, const DirectoryPage& page) const {
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  return CommunitiesView(state, firm_id, page);
}

Result<json> District::Spending(const std::string& community_id, const std::string& period_text,
                              const VoucherUploaded& uploaded) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  MZ_ASSIGN_OR_RETURN(ReadView view, Read());
  StoreRows rows(view.store);
  StateReader state(rows);
  MZ_ASSIGN_OR_RETURN(json spending, SpendingView(state, community_id, period, uploaded));
  // The tree size the state is of: its statement at that size sums to the same figures.
  const Head& h = view.head;
  spending["tree_size"] = std::to_string(h.tree_size);
  // Its checkpoint was signed in the batch that recorded the tree's last entry.
  if (h.tree_size > 0) {
    MZ_ASSIGN_OR_RETURN(StoredEntry last, ReadEntry(h.tree_size - 1));
    spending["checkpoint_signed_at_ms"] = std::to_string(last.entry.recorded_at_ms());
  }
  return spending;
}

}  // namespace mingzhang
