// Request targets: splitting path from query, strict percent-decoding, query parsing.
//
// Strict because identifiers from the path end up in ledger entries and in storage keys: an
// invalid escape, a NUL or other control character, or a '/' smuggled into one path parameter
// is refused rather than guessed at.
//
//   Result<Target> t = SplitTarget("/v1/entries?after_seq=5");  // path "/v1/entries"
//   Result<Params> q = ParseQuery(t->query);                    // {"after_seq": "5"}
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang::api {

// Decoded names to decoded values; lookups by string_view.
using Params = std::map<std::string, std::string, std::less<>>;

inline constexpr size_t kQueryParamsMax = 32;  // more is not a request of this API

struct Target {
  std::string_view path;   // starts with '/', still percent-encoded
  std::string_view query;  // after '?', without it; empty when absent
};

// Origin-form only (RFC 9112 §3.2.1): "/path[?query]". Errors: bad-target.
Result<Target> SplitTarget(std::string_view target);

// One path segment: %XX escapes decoded, '+' kept as '+'. Errors (bad-path): an invalid escape,
// a decoded '/', NUL or other control character.
Result<std::string> DecodePathSegment(std::string_view segment);

// application/x-www-form-urlencoded pairs ('+' is a space). Errors: bad-query (invalid escape,
// control character, empty name, more than kQueryParamsMax pairs), duplicate-query-parameter.
// Empty pairs ("a=1&&b=2") are skipped; a name without '=' has the empty value.
Result<Params> ParseQuery(std::string_view query);

}  // namespace mingzhang::api
