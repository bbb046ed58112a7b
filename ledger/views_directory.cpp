// Firms and communities a page at a time, and spending with uploaded-voucher counts (views_directory.h);
// the Ledger's readers of them take the readers' domain state as every other view does.
#include "ledger/views_directory.h"

#include <map>
#include <mutex>

#include "ledger/ledger.h"

namespace mingzhang {
namespace {

using nlohmann::json;

Status CheckPage(const DirectoryPage& page) {
  if (page.limit == 0 || page.limit > kDirectoryPageMax) {
    return InvalidArgument("bad-request", "limit must be 1 to " + std::to_string(kDirectoryPageMax));
  }
  return OkStatus();
}

// Up to page.limit of `items` (a map by id) after page.after, each made by `row`; next_after
// names the last id given when more follow.
template <typename Map, typename Keep, typename Row>
json Page(const Map& items, const DirectoryPage& page, const char* name, Keep keep, Row row) {
  json rows = json::array();
  auto it = page.after.empty() ? items.begin() : items.upper_bound(page.after);
  std::string last;
  for (; it != items.end(); ++it) {
    if (!keep(it->second)) continue;
    if (rows.size() == page.limit) {
      return json{{name, std::move(rows)}, {"next_after", last}};
    }
    rows.push_back(row(it->first, it->second));
    last = it->first;
  }
  return json{{name, std::move(rows)}};
}

int64_t OpenProposals(const CommunityState& c) {
  int64_t open = 0;
  for (const auto& [id, p] : c.proposals) open += p.closed ? 0 : 1;
  return open;
}

struct CategorySpending {
  int64_t disbursed = 0;
  int64_t disbursements = 0;
  int64_t vouchers = 0;
};

}  // namespace

Result<json> FirmsView(const Domain& domain, const DirectoryPage& page) {
  MZ_RETURN_IF_ERROR(CheckPage(page));
  auto row = [&domain](const std::string& firm_id, const FirmState& firm) {
    int64_t units = 0;
    for (const std::string& id : firm.communities) {
      if (const CommunityState* c = domain.community(id)) units += static_cast<int64_t>(c->units.size());
    }
    return json{{"firm_id", firm_id},
                {"name", firm.name},
                {"communities", firm.communities.size()},
                {"units", units}};
  };
  return Page(domain.firms(), page, "firms", [](const FirmState&) { return true; }, row);
}

Result<json> CommunitiesView(const Domain& domain, const std::string& firm_id, const DirectoryPage& page) {
  MZ_RETURN_IF_ERROR(CheckPage(page));
  if (!firm_id.empty() && !domain.firms().count(firm_id)) return NotFound("unknown-firm", "no firm " + firm_id);
  auto of_firm = [&firm_id](const CommunityState& c) { return firm_id.empty() || c.registration.firm_id() == firm_id; };
  auto row = [&domain](const std::string& id, const CommunityState& c) {
    auto firm = domain.firms().find(c.registration.firm_id());
    return json{{"community_id", id},
                {"name", c.registration.name()},
                {"firm_id", c.registration.firm_id()},
                {"firm_name", firm == domain.firms().end() ? std::string() : firm->second.name},
                {"units", c.units.size()},
                {"area_centi_m2", std::to_string(c.total_area_centi_m2)},
                {"start_month", FormatMonth(c.start_month)},
                {"registered_on", FormatDate(c.registered_on)},
                {"entries", c.seqs.size()},
                {"open_proposals", OpenProposals(c)}};
  };
  return Page(domain.communities(), page, "communities", of_firm, row);
}

Result<json> SpendingView(const Domain& domain, const std::string& community_id, const Period& period,
                          const VoucherUploaded& uploaded) {
  const CommunityState* c = domain.community(community_id);
  if (c == nullptr) return NotFound("unknown-community", "no community " + community_id);
  std::map<int, std::map<std::string, CategorySpending>> by_fund = {{v1::FEES, {}}, {v1::PUBLIC_REVENUE, {}}};
  std::map<std::string, bool> kept;  // by voucher hash: one look at the disk per file
  auto is_kept = [&](const std::string& sha256_hex) {
    auto [it, fresh] = kept.try_emplace(sha256_hex, false);
    if (fresh) it->second = !sha256_hex.empty() && uploaded(sha256_hex);
    return it->second;
  };
  for (const auto& [seq, d] : c->disbursements) {
    if (d.reversed || !period.Contains(d.paid_on.month_index())) continue;
    CategorySpending& s = by_fund[d.body.fund()][v1::Category_Name(d.body.category())];
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
  auto firm = domain.firms().find(c->registration.firm_id());
  return json{{"community_id", community_id},
              {"community_name", c->registration.name()},
              {"firm_id", c->registration.firm_id()},
              {"firm_name", firm == domain.firms().end() ? std::string() : firm->second.name},
              {"period", period.text},
              {"funds", std::move(funds)}};
}

Result<json> Ledger::Firms(const DirectoryPage& page) const {
  std::shared_lock lock(domain_mu_);
  return FirmsView(domain_, page);
}

Result<json> Ledger::Communities(const std::string& firm_id, const DirectoryPage& page) const {
  std::shared_lock lock(domain_mu_);
  return CommunitiesView(domain_, firm_id, page);
}

Result<json> Ledger::Spending(const std::string& community_id, const std::string& period_text,
                              const VoucherUploaded& uploaded) const {
  MZ_ASSIGN_OR_RETURN(Period period, ParsePeriod(period_text));
  // `uploaded` (an lstat per distinct voucher of the period) runs under the readers' lock: a
  // year of a community's disbursements is a few hundred cached lookups, short beside a batch.
  std::shared_lock lock(domain_mu_);
  MZ_ASSIGN_OR_RETURN(json spending, SpendingView(domain_, community_id, period, uploaded));
  // The tree size the state is of: its statement at that size sums to the same figures.
  const Head h = head();
  spending["tree_size"] = std::to_string(h.tree_size);
  // Its checkpoint was signed in the batch that recorded the tree's last entry.
  if (h.tree_size > 0) {
    MZ_ASSIGN_OR_RETURN(StoredEntry last, ReadEntry(h.tree_size - 1));
    spending["checkpoint_signed_at_ms"] = std::to_string(last.entry.recorded_at_ms());
  }
  return spending;
}

}  // namespace mingzhang
