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

#include <boost/beast/http/fields.hpp>

namespace mingzhang::api {

// Bodies below this are sent as they are: the gzip header and trailer (18 bytes) and the time
// spent would buy little.
inline constexpr size_t kGzipBodyBytesMin = 1024;
// What Gunzip gives at most: a small gzip body can stand for a huge one.
inline constexpr size_t kGunzipBytesMax = 64 << 20;

// Whether an Accept-Encoding field value admits gzip: "gzip" or "*" with a qvalue above zero,
// the named coding taking precedence over "*" (RFC 9110 §12.5.3). A member that does not parse
// admits nothing. An empty value asks for identity; with no field at all any coding would do,
// but the answer stays plain, which is always acceptable.
bool AcceptsGzip(std::string_view accept_encoding);
// The same for all the Accept-Encoding fields of a message, read as one list (RFC 9110 §5.3).
bool AcceptsGzip(const boost::beast::http::fields& fields);

// zlib's levels. A year's owner account (34 KB): level 1 gives 9.3 KB in ~0.25 ms, level 6
// (zlib's default) 8.4 KB in ~0.42 ms. Answers are made once per tree size, but under a stream
// of writes that is once per read: kFastest. The portal's files are made once: kDefault.
enum class GzipLevel : int { kFastest = 1, kDefault = 6 };

// `body` as a gzip member (RFC 1952); nullopt only if zlib fails (out of memory).
std::optional<std::string> Gzip(std::string_view body, GzipLevel level = GzipLevel::kFastest);

// The bytes of a gzip member; nullopt when it is not one, is cut short, has bytes after it, or
// would exceed kGunzipBytesMax. For clients and tests: the server only compresses.
std::optional<std::string> Gunzip(std::string_view gzip);

}  // namespace mingzhang::api
