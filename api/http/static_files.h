// The portal (api/web, built into BUILD/api/web/dist) served by mingzhangd itself at "/".
//
//   Result<StaticFiles> files = StaticFiles::Load("build/api/web/dist");
//   AddStaticRoutes(router, std::make_shared<const StaticFiles>(std::move(files).value()));
//
// Every regular file under the directory is read once, at start, and gets a GET route of its own
// ("/app.js", "/img/logo.svg"; "/" answers index.html). Nothing else is served: a request path is
// matched literally against that list, so "..", percent-encoded dots or slashes, symlinks and files
// added later can never reach outside the portal. Hidden files (a segment starting with '.') and
// names that are not plain [A-Za-z0-9._-] segments are left out (and listed in skipped()).
// Responses carry the content type for the extension, gzip coding for clients that accept it
// (api/http/gzip.h; Vary: Accept-Encoding), an ETag per coding (If-None-Match answers 304),
// Cache-Control: no-cache, nosniff and a Content-Security-Policy that allows only same-origin
// scripts and connections.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/router.h"
#include "ledger/base/status.h"

namespace mingzhang::api {

inline constexpr size_t kStaticFilesMax = 512;
inline constexpr size_t kStaticBytesMax = 64u << 20;  // the whole portal, held in memory
inline constexpr const char* kStaticIndexFile = "index.html";

struct StaticFile {
  std::string body;
  std::string content_type;
  std::string etag;  // quoted, from the content's SHA-256
  // The body gzip-coded with its own ETag, made by the first request that accepts gzip (all of
  // the portal at start would cost every start ~0.15 s of CPU); empty when gzip is no smaller.
  struct Gzipped {
    std::once_flag made;
    std::string body;
    std::string etag;
  };
  std::shared_ptr<Gzipped> gzipped = std::make_shared<Gzipped>();
};

class StaticFiles {
 public:
  // Errors (web-dir): `dir` is not a readable directory, or holds more than kStaticFilesMax files
  // or kStaticBytesMax bytes.
  static Result<StaticFiles> Load(const std::string& dir);

  // `url_path` as routed, e.g. "/app.js"; nullptr when it is not one of the files.
  const StaticFile* Find(std::string_view url_path) const;
  const std::map<std::string, StaticFile, std::less<>>& files() const { return files_; }
  // Relative paths that were not served, and why; for the start-up log.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;  // "/app.js" -> file
  std::vector<std::string> skipped_;
};

// The media type for a file name, by extension; application/octet-stream when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// GET "/<path>" for every file, and GET "/" for index.html when there is one.
void AddStaticRoutes(Router& router, std::shared_ptr<const StaticFiles> files);

}  // namespace mingzhang::api
