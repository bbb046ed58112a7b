// Ids (firms, communities, units, principals, proposals): 1-kIdBytesMax characters of
// [A-Za-z0-9._-], short printable ASCII without spaces or slashes, so they stand as they are in
// URL paths and store keys. The ledger's rules, its token scopes and the CLI all check them here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr size_t kIdBytesMax = 64;

constexpr bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' ||
         c == '.';
}

inline bool ValidIdLength(std::string_view id) { return !id.empty() && id.size() <= kIdBytesMax; }

inline bool ValidId(std::string_view id) {
  if (!ValidIdLength(id)) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

// OK for a valid id; otherwise InvalidArgument with `slug`, the message naming the id as `what`.
inline Status CheckIdSyntax(std::string_view id, const char* what, const char* slug) {
  if (!ValidIdLength(id)) {
    return InvalidArgument(slug, std::string(what) + " must be 1-" + std::to_string(kIdBytesMax) + " characters");
  }
  if (!ValidId(id)) return InvalidArgument(slug, std::string(what) + " may hold only letters, digits, '-', '_' and '.'");
  return OkStatus();
}

}  // namespace mingzhang
