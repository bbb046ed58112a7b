// Answers of the costly views (signed statements, owner accounts) kept by the tree size they are
// against.
//
// Such an answer is a function of the request and the tree size alone: the view is computed from
// the entries below that size, the statement's Ed25519 signature is deterministic, and proofs and
// checkpoint are those of that size. So while the head stays at a size, a repeat of the request
// gets the same bytes without recomputing them (~1 ms of CPU each for a 600-unit community's
// year). Any append moves the head, after which an answer cached for the old head is never
// served for "latest" again. Authentication and scope checks still run on every request, before
// the cache is asked. At most kViewCacheEntriesMax answers and kViewCacheBytesMax bytes are kept;
// beyond that the oldest go first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace mingzhang::api {

inline constexpr size_t kViewCacheEntriesMax = 256;
inline constexpr size_t kViewCacheBytesMax = 32 << 20;

class ViewCache {
 public:
  explicit ViewCache(size_t entries_max = kViewCacheEntriesMax, size_t bytes_max = kViewCacheBytesMax);

  // The body kept for `key` when it was computed at `tree_size`.
  std::optional<std::string> Find(const std::string& key, uint64_t tree_size) const;
  // Keeps `body`, the answer to `key` at `tree_size`, in place of any older one for `key`.
  // A body larger than the byte limit is not kept.
  void Put(const std::string& key, uint64_t tree_size, std::string body);

  size_t size() const;

 private:
  struct Kept {
    uint64_t tree_size = 0;
    uint64_t order = 0;  // when kept: the smallest goes first
    std::string body;
  };
  void DropOldest();

  const size_t entries_max_;
  const size_t bytes_max_;
  mutable std::mutex mu_;
  std::map<std::string, Kept> kept_;
  size_t bytes_ = 0;
  uint64_t next_order_ = 0;
};

}  // namespace mingzhang::api
