#include "api/v1/view_cache.h"

#include <algorithm>

namespace mingzhang::api {

ViewCache::ViewCache(size_t entries_max, size_t bytes_max) : entries_max_(entries_max), bytes_max_(bytes_max) {}

std::optional<std::string> ViewCache::Find(const std::string& key, uint64_t tree_size) const {
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end() || it->second.tree_size != tree_size) return std::nullopt;
  return it->second.body;
}

void ViewCache::Put(const std::string& key, uint64_t tree_size, std::string body) {
  if (body.size() > bytes_max_) return;
  std::lock_guard lock(mu_);
  if (auto it = kept_.find(key); it != kept_.end()) {
    bytes_ -= it->second.body.size();
    kept_.erase(it);
  }
  bytes_ += body.size();
  kept_[key] = Kept{tree_size, next_order_++, std::move(body)};
  while (kept_.size() > entries_max_ || bytes_ > bytes_max_) DropOldest();
}

size_t ViewCache::size() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

void ViewCache::DropOldest() {
  // A linear scan: at most kViewCacheEntriesMax entries, and only when one is added.
  auto oldest = std::min_element(kept_.begin(), kept_.end(),
                                 [](const auto& a, const auto& b) { return a.second.order < b.second.order; });
  bytes_ -= oldest->second.body.size();
  kept_.erase(oldest);
}

}  // namespace mingzhang::api
