// HTTPS: the same server with a certificate and key, against a Beast TLS client.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "api/http/http_server.h"
#include "api/http/test_client.h"
#include "api/http/test_routes.h"

namespace mingzhang::api::testing {
namespace {

namespace fs = std::filesystem;

// A self-signed P-256 certificate for 127.0.0.1 and its key, as PEM files removed at the end.
class SelfSigned {
 public:
  SelfSigned() {
    static int counter = 0;
    dir_ = fs::temp_directory_path() / ("mingzhang-tls-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::create_directories(dir_);
    EVP_PKEY* key = EVP_EC_gen("P-256");
    REQUIRE(key != nullptr);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);
    Write(cert_path(), [&](FILE* f) { return PEM_write_X509(f, cert); });
    Write(key_path(), [&](FILE* f) { return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr); });
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~SelfSigned() { fs::remove_all(dir_); }

  std::string cert_path() const { return (dir_ / "cert.pem").string(); }
  std::string key_path() const { return (dir_ / "key.pem").string(); }

 private:
  template <typename F>
  static void Write(const std::string& path, F write) {
    FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    CHECK(write(f) == 1);
    std::fclose(f);
  }
  fs::path dir_;
};

ServerOptions TlsOptions(const SelfSigned& pem) {
  ServerOptions options = TestOptions();
  options.tls_certificate_chain_path = pem.cert_path();
  options.tls_private_key_path = pem.key_path();
  return options;
}

TEST_CASE("HTTPS serves with keep-alive", "[http_server][tls]") {
  SelfSigned pem;
  DemoServer demo(TlsOptions(pem));
  TlsClient client(demo.port());
  for (int i = 0; i < 2; ++i) {
    HttpResponse r = client.Get("/hello");
    CHECK(r.result() == http::status::ok);
    CHECK(r.body() == "hello");
    CHECK(r.keep_alive());
  }
  HttpResponse missing = client.Get("/nope");
  CHECK(missing.result() == http::status::not_found);
  CHECK(std::string(missing[http::field::content_type]) == "application/problem+json");
  CHECK(client.Get("/async").body() == "async");
}

TEST_CASE("HTTPS refuses plain HTTP and slow handshakes", "[http_server][tls]") {
  SelfSigned pem;
  ServerOptions options = TlsOptions(pem);
  options.tls_handshake_timeout_ms = 100;
  DemoServer demo(options);
  SECTION("plain HTTP gets no HTTP answer") {
    Client client(demo.port());
    client.Write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(client.ReadAll().rfind("HTTP/", 0) == std::string::npos);
  }
  SECTION("no handshake within tls_handshake_timeout_ms") {
    Client client(demo.port());
    const auto start = std::chrono::steady_clock::now();
    CHECK(client.ReadAll().empty());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  }
}

TEST_CASE("a key that does not match the certificate is refused", "[http_server][tls]") {
  SelfSigned a;
  SelfSigned b;
  ServerOptions options = TestOptions();
  options.tls_certificate_chain_path = a.cert_path();
  options.tls_private_key_path = b.key_path();
  Background bg;
  DemoState st;
  CHECK(HttpServer::Create(options, DemoRouter(bg, st)).status().slug() == "tls-config");
}

}  // namespace
}  // namespace mingzhang::api::testing
