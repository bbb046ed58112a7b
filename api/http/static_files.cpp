#include "api/http/static_files.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "api/http/gzip.h"
#include "ledger/base/crypto.h"
#include "ledger/base/encoding.h"

namespace mingzhang::api {
namespace {

namespace fs = std::filesystem;

constexpr size_t kSegmentBytesMax = 128;
constexpr size_t kEtagHexDigits = 32;  // 128 bits of the SHA-256: plenty to tell versions apart

// Same-origin scripts, styles, images and fetches only. Styles may be inline because the chart
// library sets element styles; nothing may frame the portal.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct MediaType {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<MediaType, 14> kMediaTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".webp", "image/webp"},
    {".woff2", "font/woff2"},
    {".wasm", "application/wasm"},
    {".webmanifest", "application/manifest+json"},
}};

bool ServableSegment(std::string_view s) {
  if (s.empty() || s.size() > kSegmentBytesMax || s.front() == '.') return false;
  for (char c : s) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
    if (!plain) return false;
  }
  return true;
}

// "/a/b.js" for a/b.js, or empty when a segment is not servable.
std::string UrlPath(const fs::path& relative) {
  std::string url;
  for (const fs::path& segment : relative) {
    if (!ServableSegment(segment.native())) return "";
    url += "/" + segment.native();
  }
  return url;
}

Status WebDirError(const std::string& message) { return Unavailable("web-dir", message); }

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) return WebDirError("cannot read " + path.string());
  return bytes.str();
}

StaticFile MakeFile(std::string body, std::string_view name) {
  std::string etag = "\"" + HexEncode(AsBytes(Sha256(body))).substr(0, kEtagHexDigits) + "\"";
  return StaticFile{std::move(body), std::string(ContentTypeFor(name)), std::move(etag)};
}

// The quotes are part of `etag`: "abc" is not found in "abc-gzip".
bool ClientHasIt(const Request& req, std::string_view etag) {
  auto it = req.message.find(http::field::if_none_match);
  return it != req.message.end() &&
         std::string_view(it->value().data(), it->value().size()).find(etag) != std::string_view::npos;
}

// The file's gzip coding, made on first use; nullptr when it would not be smaller.
const StaticFile::Gzipped* GzippedOf(const StaticFile& file) {
  StaticFile::Gzipped& gz = *file.gzipped;
  std::call_once(gz.made, [&] {
    if (file.body.size() < kGzipBodyBytesMin) return;
    std::optional<std::string> body = Gzip(file.body, GzipLevel::kDefault);
    if (!body || body->size() >= file.body.size()) return;
    gz.body = std::move(*body);
    gz.etag = file.etag.substr(0, file.etag.size() - 1) + "-gzip\"";
  });
  return gz.body.empty() ? nullptr : &gz;
}

void Serve(const Request& req, const Responder& res, const StaticFile& file) {
  const StaticFile::Gzipped* gzipped = AcceptsGzip(req.message) ? GzippedOf(file) : nullptr;
  const std::string& etag = gzipped ? gzipped->etag : file.etag;
  const bool not_modified = ClientHasIt(req, etag);
  HttpResponse response{not_modified ? http::status::not_modified : http::status::ok, 11};
  response.set(http::field::etag, etag);
  response.set(http::field::vary, "Accept-Encoding");
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  if (!not_modified) {
    response.set(http::field::content_type, file.content_type);
    if (gzipped) response.set(http::field::content_encoding, "gzip");
    response.body() = gzipped ? gzipped->body : file.body;
  }
  res.Send(std::move(response));
}

}  // namespace

std::string_view ContentTypeFor(std::string_view file_name) {
  for (const MediaType& m : kMediaTypes) {
    if (file_name.size() > m.extension.size() &&
        file_name.substr(file_name.size() - m.extension.size()) == m.extension) {
      return m.type;
    }
  }
  return "application/octet-stream";
}

Result<StaticFiles> StaticFiles::Load(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return WebDirError("the portal directory " + dir + " does not exist");
  StaticFiles out;
  size_t total_bytes = 0;
  // Directory symlinks are not followed (the default), and file symlinks are skipped below.
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return WebDirError("cannot list " + dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return WebDirError("cannot list " + dir + ": " + ec.message());
    const fs::path relative = it->path().lexically_relative(dir);
    const fs::file_status status = it->symlink_status(ec);
    const std::string url = UrlPath(relative);
    if (fs::is_directory(status)) {
      if (url.empty()) it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(status) || url.empty()) {
      out.skipped_.push_back(relative.string() + (fs::is_symlink(status) ? " (a symlink)" : " (not a plain name)"));
      continue;
    }
    if (out.files_.size() == kStaticFilesMax) return WebDirError(dir + " holds more than the files allowed");
    MZ_ASSIGN_OR_RETURN(std::string body, ReadWholeFile(it->path()));
    total_bytes += body.size();
    if (total_bytes > kStaticBytesMax) return WebDirError(dir + " holds more than the bytes allowed");
    out.files_.emplace(url, MakeFile(std::move(body), url));
  }
  return out;
}

const StaticFile* StaticFiles::Find(std::string_view url_path) const {
  auto it = files_.find(url_path == "/" ? std::string("/") + kStaticIndexFile : std::string(url_path));
  return it == files_.end() ? nullptr : &it->second;
}

void AddStaticRoutes(Router& router, std::shared_ptr<const StaticFiles> files) {
  auto add = [&](const std::string& pattern, const StaticFile& file) {
    router.Add(http::verb::get, pattern, [files, &file](Request& req, Responder res) { Serve(req, res, file); });
  };
  for (const auto& [url, file] : files->files()) add(url, file);
  if (const StaticFile* index = files->Find("/")) add("/", *index);
}

}  // namespace mingzhang::api
