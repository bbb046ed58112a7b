// Content coding for large answers (RFC 9110 §8.4): gzip, through zlib. The one file that
// knows zlib.
//
// Owners read their account on phones: a year's account is ~34 KB of JSON, mostly base64
// hashes and repeated keys, and gzip sends it in about a quarter of the bytes; the portal's
// script goes from 600 KB to 205 KB. Only what is made once and kept is compressed (answers in
// view_cache.h, the portal's files), so a request that finds it costs no compression.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mingzhang::api {

// Bodies below this are sent as they are: the gzip header and trailer (18 bytes) and the time
// spent would buy little.
inline constexpr size_t kGzipBodyBytesMin = 1024;
// What Gunzip gives at most: a small gzip body can stand for a huge one.
inline constexpr size_t kGunzipBytesMax = 64 << 20;

// Whether an Accept-Encoding field value admits gzip: "gzip" or "*" with a qvalue above zero,
// the named coding taking precedence over "*" (RFC 9110 §12.5.3). A member that does not parse
// admits nothing; an absent or empty field admits nothing (identity is always acceptable).
bool AcceptsGzip(std::string_view accept_encoding);

// zlib's levels: fastest for answers made per tree size, its default for files made once.
enum class GzipLevel : int { kFastest = 1, kDefault = 6 };

// `body` as a gzip member (RFC 1952); nullopt only if zlib fails (out of memory).
std::optional<std::string> Gzip(std::string_view body, GzipLevel level = GzipLevel::kFastest);

// The bytes of a gzip member; nullopt when it is not one, is cut short, has bytes after it, or
// would exceed kGunzipBytesMax. For clients and tests: the server only compresses.
std::optional<std::string> Gunzip(std::string_view gzip);

}  // namespace mingzhang::api
