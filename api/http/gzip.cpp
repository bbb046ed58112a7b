#include "api/http/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <limits>

namespace mingzhang::api {
namespace {

// zlib's windowBits for a gzip wrapper rather than a zlib one.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemLevel = 8;  // zlib's default
constexpr size_t kInflateChunkBytes = 64 << 10;

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> ParseQvalue(std::string_view q) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return std::nullopt;
  int thousandths = (q[0] - '0') * 1000;
  if (q.size() == 1) return thousandths;
  if (q[1] != '.' || q.size() > 5) return std::nullopt;
  int scale = 100;
  for (char c : q.substr(2)) {
    if (c < '0' || c > '9' || (thousandths == 1000 && c != '0')) return std::nullopt;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths;
}

// One member of the list: its coding and weight (1000 when no weight is given).
struct Member {
  std::string_view coding;
  int q = 1000;
};

std::optional<Member> ParseMember(std::string_view text) {
  Member m;
  size_t semicolon = text.find(';');
  m.coding = TrimOws(text.substr(0, semicolon));
  if (m.coding.empty()) return std::nullopt;
  if (semicolon == std::string_view::npos) return m;
  std::string_view weight = TrimOws(text.substr(semicolon + 1));
  if (weight.size() < 2 || (weight[0] != 'q' && weight[0] != 'Q') || weight[1] != '=') return std::nullopt;
  std::optional<int> q = ParseQvalue(weight.substr(2));
  if (!q) return std::nullopt;
  m.q = *q;
  return m;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<int> gzip_q, any_q;  // the lowest weight given to each
  auto lower = [](std::optional<int>& kept, int q) { kept = std::min(kept.value_or(q), q); };
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view text = TrimOws(accept_encoding.substr(0, comma));
    accept_encoding.remove_prefix(comma == std::string_view::npos ? accept_encoding.size() : comma + 1);
    if (text.empty()) continue;  // "a, , b" is a valid list
    std::optional<Member> m = ParseMember(text);
    if (!m) continue;
    if (IEquals(m->coding, "gzip") || IEquals(m->coding, "x-gzip")) lower(gzip_q, m->q);
    if (m->coding == "*") lower(any_q, m->q);
  }
  if (gzip_q) return *gzip_q > 0;
  return any_q.value_or(0) > 0;
}

bool AcceptsGzip(const boost::beast::http::fields& fields) {
  auto [it, end] = fields.equal_range(boost::beast::http::field::accept_encoding);
  if (it == end) return false;
  if (std::next(it) == end) return AcceptsGzip(std::string_view(it->value().data(), it->value().size()));
  std::string list;  // only for a request that repeats the field
  for (; it != end; ++it) list.append(it->value().data(), it->value().size()).append(",");
  return AcceptsGzip(std::string_view(list));
}

std::optional<std::string> Gzip(std::string_view body, GzipLevel level) {
  z_stream z{};
  if (deflateInit2(&z, static_cast<int>(level), Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  const uLong bound = deflateBound(&z, static_cast<uLong>(body.size()));
  if (bound > std::numeric_limits<uInt>::max()) {  // zlib counts each call's bytes in a uInt
    deflateEnd(&z);
    return std::nullopt;
  }
  std::string out(bound, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));  // zlib's API is not const
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  // deflateBound is enough for one deflate call with Z_FINISH.
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

std::optional<std::string> Gunzip(std::string_view gzip) {
  if (gzip.size() > std::numeric_limits<uInt>::max()) return std::nullopt;
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  z.avail_in = static_cast<uInt>(gzip.size());
  std::string out;
  int rc = Z_OK;
  // Room for one byte beyond the limit: a body of exactly kGunzipBytesMax ends while there is
  // room left, a larger one fills it.
  while (rc == Z_OK && out.size() <= kGunzipBytesMax) {
    const size_t had = out.size();
    const size_t room = std::min(kInflateChunkBytes, kGunzipBytesMax + 1 - had);
    out.resize(had + room);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + had);
    z.avail_out = static_cast<uInt>(room);
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(had + room - z.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0 && out.size() <= kGunzipBytesMax;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

}  // namespace mingzhang::api
