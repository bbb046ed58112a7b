// Stopping (graceful, by deadline, by a second signal) and the connection-level limits.
#include <csignal>

#include <catch2/catch.hpp>

#include "api/http/http_server.h"
#include "api/http/test_client.h"
#include "api/http/test_routes.h"

namespace mingzhang::api::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

bool Connects(uint16_t port) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

TEST_CASE("a graceful stop answers the request in flight and closes idle connections", "[http_server][stop]") {
  DemoServer demo;
  auto idle = std::make_unique<Client>(demo.port());
  REQUIRE(idle->Get("/hello").result() == http::status::ok);
  auto busy = std::make_unique<Client>(demo.port());
  busy->Write("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(demo.state->WaitSlow(1));

  const auto start = Clock::now();
  demo.server.server().Stop();
  CHECK(idle->ReadsEof());  // closed at once, not after the slow request
  CHECK(Clock::now() - start < kSlowAnswerDelay);
  idle.reset();
  HttpResponse r = busy->Read();
  CHECK(r.result() == http::status::ok);
  CHECK(r.body() == "slow");
  CHECK_FALSE(r.keep_alive());  // Connection: close, the server is going away
  CHECK(busy->ReadsEof());
  // Clients close once they read the end; until then the server lingers (linger_timeout_ms) so
  // that a reset cannot destroy what it sent last.
  busy.reset();
  CHECK(demo.server.WaitStopped(milliseconds(1'000)));
  CHECK_FALSE(Connects(demo.port()));
}

TEST_CASE("a graceful stop gives up after drain_timeout_ms", "[http_server][stop]") {
  ServerOptions options = TestOptions();
  options.drain_timeout_ms = 100;
  DemoServer demo(options);
  Client client(demo.port());
  client.Write("GET /hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(demo.state->WaitSlow(1));
  const auto start = Clock::now();
  demo.server.server().Stop();
  CHECK(demo.server.WaitStopped(milliseconds(2'000)));
  CHECK(Clock::now() - start >= milliseconds(100));
}

TEST_CASE("the first signal drains, the second stops at once", "[http_server][stop]") {
  ServerOptions options = TestOptions();
  options.handle_signals = true;
  DemoServer demo(options);
  Client client(demo.port());
  client.Write("GET /hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  REQUIRE(demo.state->WaitSlow(1));

  REQUIRE(std::raise(SIGTERM) == 0);
  CHECK(Eventually([&] { return !Connects(demo.port()); }));  // no longer accepting...
  CHECK_FALSE(demo.server.WaitStopped(milliseconds(300)));    // ...but waiting for /hold
  REQUIRE(std::raise(SIGINT) == 0);
  CHECK(demo.server.WaitStopped(milliseconds(2'000)));
}

TEST_CASE("a Responder may outlive the server", "[http_server][stop]") {
  // Declared first: they outlive the server, as a Ledger destroyed after it would.
  Background bg;
  DemoState st;
  {
    TestServer server(TestOptions(), DemoRouter(bg, st));
    Client client(server.port());
    client.Write("GET /hold HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE(st.WaitSlow(1));
    server.server().StopNow();
    REQUIRE(server.WaitStopped(milliseconds(2'000)));
  }  // destroyed with /hold still unanswered
  st.Release();  // now the answer comes, to a server that is gone: dropped
  bg.JoinAll();
  SUCCEED();
}

TEST_CASE("Stop before Run: Run returns at once", "[http_server][stop]") {
  Background bg;
  DemoState st;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Create(TestOptions(), DemoRouter(bg, st));
  REQUIRE(server.ok());
  (*server)->Stop();
  (*server)->Run();
  SUCCEED();
}

TEST_CASE("connections beyond connections_max are refused with 503", "[http_server][limits]") {
  ServerOptions options = TestOptions();
  options.connections_max = 1;
  DemoServer demo(options);
  auto first = std::make_unique<Client>(demo.port());
  REQUIRE(first->Get("/hello").result() == http::status::ok);

  Client second(demo.port());
  HttpResponse r = second.Read();
  CHECK(r.result() == http::status::service_unavailable);
  CHECK(nlohmann::json::parse(r.body())["type"] == "too-many-connections");
  CHECK(std::string(r[http::field::retry_after]) == "1");

  first.reset();  // frees the slot once the server sees the close
  CHECK(Eventually([&] {
    Client next(demo.port());
    beast::error_code ec;
    http::write(next.socket(), MakeRequest(http::verb::get, "/hello"), ec);
    return !ec && next.Read().result() == http::status::ok;
  }));
}

TEST_CASE("a request that does not arrive within read_timeout_ms is dropped", "[http_server][limits]") {
  ServerOptions options = TestOptions();
  options.read_timeout_ms = 100;
  DemoServer demo(options);
  SECTION("a trickled header") {
    Client client(demo.port());
    client.Write("GET /hello HTTP/1.1\r\n");
    const auto start = Clock::now();
    CHECK(client.ReadsEof());
    CHECK(Clock::now() - start < milliseconds(2'000));
  }
  SECTION("an idle keep-alive connection") {
    Client client(demo.port());
    REQUIRE(client.Get("/hello").result() == http::status::ok);
    const auto start = Clock::now();
    CHECK(client.ReadsEof());
    CHECK(Clock::now() - start < milliseconds(2'000));
  }
}

TEST_CASE("Create refuses what cannot work", "[http_server][limits]") {
  Background bg;
  DemoState st;
  const auto create = [&](ServerOptions o) { return HttpServer::Create(std::move(o), DemoRouter(bg, st)).status(); };
  ServerOptions o = TestOptions();
  SECTION("a port in use") {
    Result<std::unique_ptr<HttpServer>> first = HttpServer::Create(TestOptions(), DemoRouter(bg, st));
    REQUIRE(first.ok());
    o.port = (*first)->port();
    CHECK(create(o).slug() == "listen-failed");
  }
  SECTION("bad options") {
    o.threads = kThreadsMax + 1;
    CHECK(create(o).slug() == "bad-server-options");
    o = TestOptions();
    o.tls_certificate_chain_path = "/nonexistent/cert.pem";
    CHECK(create(o).slug() == "bad-server-options");  // a certificate without a key
    o.tls_private_key_path = "/nonexistent/key.pem";
    CHECK(create(o).slug() == "tls-config");
    o = TestOptions();
    o.address = "not-an-address";
    CHECK(create(o).slug() == "bad-server-options");
  }
}

}  // namespace
}  // namespace mingzhang::api::testing
