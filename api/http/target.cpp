#include "api/http/target.h"

#include <optional>

namespace mingzhang::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Decodes %XX (and '+' as a space when plus_is_space); nullopt on an invalid escape or a
// decoded control character. Checking after decoding catches "%00" as well as a raw byte.
std::optional<std::string> Decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;  // "%" or "%A" at the end
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (IsControl(static_cast<unsigned char>(c))) return std::nullopt;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<Target> SplitTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return InvalidArgument("bad-target", "the request target must be an absolute path");
  }
  if (target.find('#') != std::string_view::npos) {
    return InvalidArgument("bad-target", "the request target must not carry a fragment");
  }
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, q), target.substr(q + 1)};
}

Result<std::string> DecodePathSegment(std::string_view segment) {
  std::optional<std::string> decoded = Decode(segment, /*plus_is_space=*/false);
  if (!decoded) {
    return InvalidArgument("bad-path", "a path parameter has an invalid escape or a control character");
  }
  // An encoded '/' would let one parameter stand for two segments.
  if (decoded->find('/') != std::string::npos) {
    return InvalidArgument("bad-path", "a path parameter must not contain '/'");
  }
  return std::move(*decoded);
}

Result<Params> ParseQuery(std::string_view query) {
  Params params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = Decode(pair.substr(0, eq), /*plus_is_space=*/true);
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::string() : Decode(pair.substr(eq + 1), true);
    if (!name || !value || name->empty()) {
      return InvalidArgument("bad-query", "a query parameter is empty, has an invalid escape or a control character");
    }
    if (params.size() == kQueryParamsMax) {
      return InvalidArgument("bad-query", "too many query parameters");
    }
    // Two values for one name would let a proxy and this server read different requests.
    if (!params.emplace(std::move(*name), std::move(*value)).second) {
      return InvalidArgument("duplicate-query-parameter", "a query parameter is given twice");
    }
  }
  return params;
}

}  // namespace mingzhang::api
