// The portal's files as mingzhangd serves them (api/http/static_files.h): a real HttpServer on
// loopback over a directory made by the test, then the real mingzhangd with --web-dir.
#include "api/http/static_files.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "api/http/gzip.h"
#include "api/http/test_client.h"
#include "tests/support/api_harness.h"
#include "tests/support/test_util.h"

namespace mingzhang::api::testing {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

template <typename Field>  // http::field or a header name
std::string Header(const HttpResponse& r, Field f) {
  const auto v = r[f];
  return std::string(v.data(), v.size());
}

// A portal directory with what a build makes and what must never be served.
struct Portal {
  mingzhang::testing::TempDir dir;
  mingzhang::testing::TempDir outside;
  Portal() {
    Write(dir / "index.html", "<!doctype html><script type=module src=app.js></script>");
    Write(dir / "app.js", "console.log('明账');");
    Write(dir / "css/site.css", "body{}");
    Write(dir / "img/logo.svg", "<svg/>");
    Write(dir / "img/unknown.bin", "\x01\x02");
    Write(dir / ".env", "SECRET=1");
    Write(dir / ".git/config", "[core]");
    Write(dir / "a b.js", "spaces");
    Write(outside / "secret.txt", "outside the portal");
    fs::create_symlink(outside / "secret.txt", dir / "linked.txt");
    fs::create_directory_symlink(outside.path(), dir / "linked-dir");
  }
};

HttpResponse GetFrom(uint16_t port, const std::string& target, const std::string& if_none_match = "",
                     const std::string& accept_encoding = "") {
  Client client(port);
  HttpRequest req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  if (!accept_encoding.empty()) req.set(http::field::accept_encoding, accept_encoding);
  return client.Send(std::move(req));
}

TEST_CASE("static files: only plain regular files inside the directory are loaded", "[web]") {
  Portal portal;
  Result<StaticFiles> files = StaticFiles::Load(portal.dir.path());
  REQUIRE(files.ok());
  std::vector<std::string> urls;
  for (const auto& [url, file] : files->files()) urls.push_back(url);
  CHECK(urls == std::vector<std::string>{"/app.js", "/css/site.css", "/img/logo.svg", "/img/unknown.bin", "/index.html"});
  std::vector<std::string> skipped = files->skipped();  // hidden directories are not listed
  std::sort(skipped.begin(), skipped.end());
  CHECK(skipped == std::vector<std::string>{".env (not a plain name)", "a b.js (not a plain name)",
                                            "linked-dir (a symlink)", "linked.txt (a symlink)"});
  CHECK(files->Find("/") == files->Find("/index.html"));
  CHECK(files->Find("/linked.txt") == nullptr);
  CHECK(files->Find("/linked-dir/secret.txt") == nullptr);
}

TEST_CASE("static files: content types by extension", "[web]") {
  CHECK(ContentTypeFor("index.html") == "text/html; charset=utf-8");
  CHECK(ContentTypeFor("app.js") == "text/javascript; charset=utf-8");
  CHECK(ContentTypeFor("app.js.map") == "application/json");
  CHECK(ContentTypeFor("site.css") == "text/css; charset=utf-8");
  CHECK(ContentTypeFor("logo.svg") == "image/svg+xml");
  CHECK(ContentTypeFor("data.bin") == "application/octet-stream");
  CHECK(ContentTypeFor("js") == "application/octet-stream");
  CHECK(ContentTypeFor(".js") == "application/octet-stream");
}

TEST_CASE("static files: refused directories and limits", "[web]") {
  mingzhang::testing::TempDir dir;
  Result<StaticFiles> missing = StaticFiles::Load(dir / "nope");
  REQUIRE(!missing.ok());
  CHECK(missing.status().slug() == "web-dir");
  for (size_t i = 0; i <= kStaticFilesMax; ++i) Write(dir / ("f" + std::to_string(i) + ".js"), "x");
  Result<StaticFiles> too_many = StaticFiles::Load(dir.path());
  REQUIRE(!too_many.ok());
  CHECK(too_many.status().slug() == "web-dir");
}

TEST_CASE("static files: served with their type, headers and validators, and nothing else is", "[web]") {
  Portal portal;
  Result<StaticFiles> files = StaticFiles::Load(portal.dir.path());
  REQUIRE(files.ok());
  Router router;
  AddStaticRoutes(router, std::make_shared<const StaticFiles>(std::move(files).value()));
  TestServer server(TestOptions(), std::move(router));

  HttpResponse index = GetFrom(server.port(), "/");
  CHECK(index.result() == http::status::ok);
  CHECK(index.body() == "<!doctype html><script type=module src=app.js></script>");
  CHECK(Header(index, http::field::content_type) == "text/html; charset=utf-8");
  CHECK(Header(index, http::field::cache_control) == "no-cache");
  CHECK(Header(index, "X-Content-Type-Options") == "nosniff");
  CHECK(Header(index, "Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  const std::string etag = Header(index, http::field::etag);
  CHECK(etag.size() == 34);

  HttpResponse js = GetFrom(server.port(), "/app.js");
  CHECK(js.result() == http::status::ok);
  CHECK(js.body() == "console.log('明账');");
  CHECK(Header(js, http::field::content_type) == "text/javascript; charset=utf-8");
  CHECK(GetFrom(server.port(), "/css/site.css").body() == "body{}");
  CHECK(Header(GetFrom(server.port(), "/img/logo.svg"), http::field::content_type) == "image/svg+xml");

  HttpResponse same = GetFrom(server.port(), "/", etag);
  CHECK(same.result() == http::status::not_modified);
  CHECK(same.body().empty());
  CHECK(GetFrom(server.port(), "/", "\"something-else\"").result() == http::status::ok);

  for (const char* target : {"/.env", "/.git/config", "/a%20b.js", "/linked.txt", "/linked-dir/secret.txt", "/../outside",
                             "/css/../app.js", "/css/..%2fapp.js", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                             "/app.js/", "//app.js", "/APP.JS", "/css", "/css/", "/index.html/."}) {
    INFO(target);
    HttpResponse r = GetFrom(server.port(), target);
    CHECK((r.result() == http::status::not_found || r.result() == http::status::bad_request));
    CHECK(r.body().find("outside the portal") == std::string::npos);
    CHECK(r.body().find("SECRET") == std::string::npos);
  }
  Client client(server.port());
  HttpRequest post{http::verb::post, "/app.js", 11};
  post.set(http::field::host, "127.0.0.1");
  CHECK(client.Send(std::move(post)).result() == http::status::method_not_allowed);
}

TEST_CASE("static files: gzip-coded for clients that accept it, with an ETag of its own", "[web]") {
  Portal portal;
  std::string script;
  for (int i = 0; i < 200; ++i) script += "export const line" + std::to_string(i) + " = '明账 " + std::to_string(i) + "';\n";
  REQUIRE(script.size() > kGzipBodyBytesMin);
  Write(portal.dir / "big.js", script);
  Result<StaticFiles> files = StaticFiles::Load(portal.dir.path());
  REQUIRE(files.ok());
  Router router;
  AddStaticRoutes(router, std::make_shared<const StaticFiles>(std::move(files).value()));
  TestServer server(TestOptions(), std::move(router));

  HttpResponse plain = GetFrom(server.port(), "/big.js");
  REQUIRE(plain.result() == http::status::ok);
  CHECK(plain.body() == script);
  CHECK(Header(plain, http::field::content_encoding).empty());
  CHECK(Header(plain, http::field::vary) == "Accept-Encoding");
  const std::string plain_etag = Header(plain, http::field::etag);

  for (int round = 0; round < 2; ++round) {  // made by the first, kept for the second
    HttpResponse gz = GetFrom(server.port(), "/big.js", "", "gzip, deflate, br");
    REQUIRE(gz.result() == http::status::ok);
    CHECK(Header(gz, http::field::content_encoding) == "gzip");
    CHECK(Header(gz, http::field::vary) == "Accept-Encoding");
    CHECK(Header(gz, http::field::content_type) == "text/javascript; charset=utf-8");
    CHECK(Header(gz, http::field::etag) == plain_etag.substr(0, plain_etag.size() - 1) + "-gzip\"");
    CHECK(gz.body().size() < script.size() / 4);
    CHECK(Gunzip(gz.body()) == script);
  }
  const std::string gzip_etag = plain_etag.substr(0, plain_etag.size() - 1) + "-gzip\"";
  // Each coding is validated by its own ETag.
  CHECK(GetFrom(server.port(), "/big.js", gzip_etag, "gzip").result() == http::status::not_modified);
  CHECK(GetFrom(server.port(), "/big.js", plain_etag).result() == http::status::not_modified);
  CHECK(GetFrom(server.port(), "/big.js", plain_etag, "gzip").result() == http::status::ok);
  CHECK(GetFrom(server.port(), "/big.js", gzip_etag).result() == http::status::ok);
  // Refused or unknown codings get the file as it is; small files are not worth coding.
  for (const char* accept : {"gzip;q=0", "identity", "br"}) {
    INFO(accept);
    HttpResponse r = GetFrom(server.port(), "/big.js", "", accept);
    CHECK(Header(r, http::field::content_encoding).empty());
    CHECK(r.body() == script);
  }
  HttpResponse small = GetFrom(server.port(), "/app.js", "", "gzip");
  CHECK(Header(small, http::field::content_encoding).empty());
  CHECK(small.body() == "console.log('明账');");
}

TEST_CASE("mingzhangd: --web-dir serves that portal at /, and one that is not there is refused", "[web]") {
  using namespace mingzhang::apitest;
  Portal portal;
  mingzhang::testing::TempDir data;
  auto [code, output] = RunCommand({MINGZHANGD, "--data-dir", data / "data", "--listen", "127.0.0.1:0", "--web-dir", portal.dir / "nope"},
                                   data / "refused.log");
  CHECK(code == 1);
  CHECK(output.find("nope does not exist") != std::string::npos);

  const std::string log = data / "served.log";
  pid_t pid = Spawn({MINGZHANGD, "--data-dir", data / "data", "--listen", "127.0.0.1:0", "--web-dir", portal.dir.path()}, log);
  REQUIRE(pid > 0);
  uint16_t port = 0;
  for (int i = 0; i < 1000 && port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::string text = ReadFile(log);
    size_t at = text.find("on http://127.0.0.1:");
    if (at != std::string::npos) port = static_cast<uint16_t>(std::stoul(text.substr(at + 20)));
  }
  REQUIRE(port != 0);
  HttpClient client(port);
  Reply index = client.Get("/");
  CHECK(index.status == 200);
  CHECK(index.content_type == "text/html; charset=utf-8");
  CHECK(client.Get("/v1/checkpoint").status == 200);  // the API beside it
  CHECK(client.Get("/linked.txt").status == 404);
  ::kill(pid, SIGTERM);
  CHECK(WaitExit(pid, std::chrono::seconds(15)) == std::optional<int>(0));
  CHECK(ReadFile(log).find("portal at / from") != std::string::npos);
}

}  // namespace
}  // namespace mingzhang::api::testing
