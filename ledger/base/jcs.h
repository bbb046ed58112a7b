// RFC 8785 JSON Canonicalization Scheme for the documents mingzhang signs (statements): objects
// with keys sorted, no white space, strings with only the escapes JSON requires, integers.
// Floats are refused: money is integer fen, and JCS number formatting of floats is never needed.
//
//   nlohmann::json statement = {...};
//   Result<std::string> bytes = Canonicalize(statement);
//   std::string sig = key.Sign(*bytes);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

// Refuses (InvalidArgument "not-canonicalizable") floats and strings that are not valid UTF-8.
Result<std::string> Canonicalize(const nlohmann::json& value);

// `s`, which must be valid UTF-8, quoted with JCS's escapes (those nlohmann's dump uses too).
void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace mingzhang
