// Hex and base64 (RFC 4648 standard alphabet, with padding) for hashes, keys and signatures, and
// the one UTF-8 decoder of text that comes from outside. Decoders are strict: any character
// outside the alphabet, bad padding or stray bits is refused, because these strings come from
// outside (requests, checkpoints, proofs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

std::string HexEncode(std::string_view bytes);  // lowercase
Result<std::string> HexDecode(std::string_view hex);  // accepts upper and lower case

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

// Decodes the UTF-8 sequence at s[i] into `cp` and advances `i` past it. Returns false, leaving
// `i` as it is, for anything RFC 3629 forbids: stray continuation bytes, truncation, overlong
// forms, surrogates (U+D800-U+DFFF) and code points above U+10FFFF. REQUIRES: i < s.size().
bool NextCodePoint(std::string_view s, size_t& i, char32_t& cp);
// True when all of `s` is UTF-8 as NextCodePoint reads it.
bool ValidUtf8(std::string_view s);

// True for 1-20 ASCII digits and nothing else (no sign, space or suffix): the shape of a uint64_t
// in decimal, whose value may still be above UINT64_MAX.
bool IsDecimalU64Shape(std::string_view text);
// The value of a decimal of that shape (leading zeros allowed); nullopt for any other text and
// for a value above UINT64_MAX. The one parser of the numbers in paths, queries, flags and files.
std::optional<uint64_t> ParseU64(std::string_view text);

}  // namespace mingzhang
