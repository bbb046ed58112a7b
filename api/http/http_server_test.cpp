// The server end to end: a real HttpServer on 127.0.0.1 and a real Beast client.
#include "api/http/http_server.h"

#include <catch2/catch.hpp>

#include "api/http/test_client.h"
#include "api/http/test_routes.h"

namespace mingzhang::api::testing {
namespace {

std::string Header(const HttpResponse& r, http::field f) {
  const auto v = r[f];
  return std::string(v.data(), v.size());
}

std::string Raw(std::string_view request_line, std::string_view extra_headers = "") {
  return std::string(request_line) + "\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
}

TEST_CASE("keep-alive: three requests on one connection", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = client.Get("/hello");
    CHECK(r.result() == http::status::ok);
    CHECK(r.body() == "hello");
    CHECK(r.keep_alive());
    CHECK(Header(r, http::field::server) == "mingzhang");
  }
  CHECK(Eventually([&] { return demo.server.LogLines().size() == 3; }));
}

TEST_CASE("unknown path and wrong method answer problem+json", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  SECTION("404") {
    HttpResponse r = client.Get("/nope");
    CHECK(r.result() == http::status::not_found);
    CHECK(Header(r, http::field::content_type) == "application/problem+json");
    CHECK(r.body() == R"({"type":"no-route","title":"Not Found","status":404,"detail":"no resource has this path"})");
    CHECK(r.keep_alive());
    CHECK(client.Get("/hello").result() == http::status::ok);  // the connection still serves
  }
  SECTION("405 with Allow") {
    HttpResponse r = client.Send(MakeRequest(http::verb::delete_, "/hello"));
    CHECK(r.result() == http::status::method_not_allowed);
    CHECK(Header(r, http::field::allow) == "GET");
    CHECK(Header(r, http::field::content_type) == "application/problem+json");
    CHECK(r.body() == R"({"type":"method-not-allowed","title":"Method Not Allowed","status":405,"detail":"this resource answers only GET"})");
    r = client.Send(MakeRequest(http::verb::put, "/items/7"));
    CHECK(r.result() == http::status::method_not_allowed);
    CHECK(Header(r, http::field::allow) == "GET");
  }
  SECTION("a ledger refusal keeps its slug") {
    HttpResponse r = client.Get("/refuse");
    CHECK(r.result() == http::status::unprocessable_entity);
    CHECK(r.body() == R"({"type":"insufficient-funds","title":"Unprocessable Entity","status":422,"detail":"FEES holds 120 fen"})");
  }
}

TEST_CASE("path parameters and queries are decoded strictly", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  SECTION("valid escapes") {
    HttpResponse r = client.Get("/items/caf%C3%A9?q=a+b%21");
    REQUIRE(r.result() == http::status::ok);
    const auto body = nlohmann::json::parse(r.body());
    CHECK(body["id"] == "café");
    CHECK(body["q"] == "a b!");
    CHECK(body["route"] == "/items/{id}");
  }
  SECTION("a literal segment beats a parameter") { CHECK(client.Get("/items/special").body() == "special"); }
  SECTION("refused with 400") {
    for (const char* target : {"/items/%zz", "/items/%4", "/items/a%2Fb", "/items/a%00", "/items/a%0A",
                               "/items/x?q=%zz", "/items/x?q=1&q=2", "/items/x?=1"}) {
      INFO(target);
      HttpResponse r = client.Get(target);
      CHECK(r.result() == http::status::bad_request);
      CHECK(Header(r, http::field::content_type) == "application/problem+json");
      CHECK(r.keep_alive());
    }
    CHECK(nlohmann::json::parse(client.Get("/items/%zz").body())["type"] == "bad-path");
    CHECK(nlohmann::json::parse(client.Get("/items/x?q=1&q=2").body())["type"] == "duplicate-query-parameter");
  }
  SECTION("empty segments and trailing slashes do not match") {
    CHECK(client.Get("/items/").result() == http::status::not_found);
    CHECK(client.Get("/hello/").result() == http::status::not_found);
    CHECK(client.Get("//hello").result() == http::status::not_found);
  }
}

TEST_CASE("size limits: 413 and 431, then the connection closes", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  SECTION("body over the default limit, whole body sent") {
    HttpResponse r = client.Send(MakeRequest(http::verb::post, "/echo", std::string(kBodyBytesMax + 1, 'x')));
    CHECK(r.result() == http::status::payload_too_large);
    CHECK(nlohmann::json::parse(r.body())["type"] == "body-too-large");
    CHECK_FALSE(r.keep_alive());
    CHECK(client.ReadsEof());
  }
  SECTION("a chunked body over the limit") {
    client.Write(Raw("POST /echo HTTP/1.1", "Transfer-Encoding: chunked\r\n"));
    const std::string chunk(64 * 1024, 'y');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
    for (size_t sent = 0; sent <= kBodyBytesMax; sent += chunk.size()) client.Write(size_line + chunk + "\r\n");
    HttpResponse r = client.Read();
    CHECK(r.result() == http::status::payload_too_large);
    CHECK(client.ReadsEof());
  }
  SECTION("a route's own larger limit") {
    HttpResponse r = client.Send(MakeRequest(http::verb::post, "/batch", std::string(2 * kBodyBytesMax, 'z')));
    CHECK(r.result() == http::status::ok);
    CHECK(r.body() == std::to_string(2 * kBodyBytesMax));
    r = client.Send(MakeRequest(http::verb::post, "/batch", std::string(kDemoBatchBodyBytesMax + 1, 'z')));
    CHECK(r.result() == http::status::payload_too_large);
  }
  SECTION("header over the limit") {
    client.Write(Raw("GET /hello HTTP/1.1", "X-Big: " + std::string(kHeaderBytesMax, 'h') + "\r\n"));
    HttpResponse r = client.Read();
    CHECK(r.result() == http::status::request_header_fields_too_large);
    CHECK(r.body() == R"({"type":"header-too-large","title":"Request Header Fields Too Large","status":431,"detail":"the request header exceeds 16384 bytes"})");
    CHECK_FALSE(r.keep_alive());
    CHECK(client.ReadsEof());
  }
  SECTION("not HTTP") {
    client.Write("BLAH\x01 / HTTP/1.1\r\n\r\n");
    HttpResponse r = client.Read();
    CHECK(r.result() == http::status::bad_request);
    CHECK(nlohmann::json::parse(r.body())["type"] == "bad-request");
    CHECK(client.ReadsEof());
  }
}

TEST_CASE("a HEAD refusal has headers but no body", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  client.Write(Raw("HEAD /hello HTTP/1.1"));
  http::response_parser<http::empty_body> head;
  head.skip(true);  // what a client does for a response to HEAD
  beast::flat_buffer buffer;
  http::read(client.socket(), buffer, head);
  CHECK(head.get().result() == http::status::method_not_allowed);
  CHECK(head.get().has_content_length());
  // Nothing else was sent: the next response starts right after the header.
  client.Write(Raw("GET /hello HTTP/1.1"));
  HttpResponse next;
  http::read(client.socket(), buffer, next);
  CHECK(next.body() == "hello");
}

TEST_CASE("handlers may answer later from another thread", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  HttpResponse r = client.Get("/async");
  CHECK(r.result() == http::status::ok);
  CHECK(r.body() == "async");
  CHECK(demo.state->async_answered_elsewhere);
  CHECK(client.Get("/hello").body() == "hello");  // and the connection carries on
}

TEST_CASE("a throwing or silent handler answers 500", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  HttpResponse thrown = client.Get("/throw");
  CHECK(thrown.result() == http::status::internal_server_error);
  CHECK(thrown.keep_alive());
  CHECK(nlohmann::json::parse(thrown.body())["type"] == "internal");
  HttpResponse dropped = client.Get("/drop");
  CHECK(dropped.result() == http::status::internal_server_error);
  CHECK(nlohmann::json::parse(dropped.body())["type"] == "no-response");
  CHECK(client.Get("/hello").result() == http::status::ok);
}

TEST_CASE("pipelined requests are answered in order", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  // The slow one first: an out-of-order server would answer /hello before it.
  client.Write(Raw("GET /slow HTTP/1.1") + Raw("GET /hello HTTP/1.1") + Raw("GET /items/3 HTTP/1.1"));
  CHECK(client.Read().body() == "slow");
  CHECK(client.Read().body() == "hello");
  CHECK(nlohmann::json::parse(client.Read().body())["id"] == "3");
}

TEST_CASE("Expect: 100-continue gets its interim response", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  client.Write(Raw("POST /echo HTTP/1.1", "Content-Length: 5\r\nExpect: 100-continue\r\n"));
  HttpResponse interim = client.Read();
  CHECK(interim.result() == http::status::continue_);
  client.Write("hello");
  HttpResponse r = client.Read();
  CHECK(r.result() == http::status::ok);
  CHECK(r.body() == "hello");
}

TEST_CASE("a chunked body's trailer fields are not merged into the header a handler reads", "[http_server]") {
  // RFC 9110 §6.5.1; Beast's parser adds trailer fields to the header's fields.
  Router router;
  router.Add(http::verb::post, "/fields", [](Request& req, Responder res) {
    std::string answer;
    for (const auto& field : req.message) answer += std::string(field.name_string()) + "=" + std::string(field.value()) + ";";
    res.Text(http::status::ok, answer);
  });
  TestServer server(TestOptions(), std::move(router));
  Client client(server.port());
  client.Write(Raw("POST /fields HTTP/1.1", "Authorization: Bearer header\r\nTransfer-Encoding: chunked\r\n") +
               "2\r\n{}\r\n0\r\nAuthorization: Bearer trailer\r\nX-Trailer: 1\r\n\r\n");
  HttpResponse r = client.Read();
  CHECK(r.result() == http::status::ok);
  CHECK(r.body() == "Host=127.0.0.1;Authorization=Bearer header;Transfer-Encoding=chunked;");
  CHECK(r.keep_alive());
  // And the connection reads the next request from where the trailer ended.
  client.Write(Raw("POST /fields HTTP/1.1", "Content-Length: 0\r\n"));
  CHECK(client.Read().body() == "Host=127.0.0.1;Content-Length=0;");
}

TEST_CASE("the access log names the route, never the target or headers", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  HttpRequest request = MakeRequest(http::verb::get, "/items/unit-secret?q=query-secret");
  request.set(http::field::authorization, "Bearer token-secret");
  CHECK(client.Send(std::move(request)).result() == http::status::ok);
  CHECK(client.Get("/nope?token=t-secret").result() == http::status::not_found);
  REQUIRE(Eventually([&] { return demo.server.LogLines().size() == 2; }));
  const std::vector<std::string> lines = demo.server.LogLines();
  for (const std::string& line : lines) {
    CHECK(line.find("secret") == std::string::npos);
    CHECK(line.back() == '\n');
  }
  const auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["method"] == "GET");
  CHECK(first["route"] == "/items/{id}");
  CHECK(first["status"] == 200);
  CHECK(first["bytes"].get<uint64_t>() > 0);
  CHECK(first["duration_us"].is_number_unsigned());
  CHECK(first["remote"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(first["time"].get<std::string>().size() == std::string("2025-01-31T08:00:00.123Z").size());
  CHECK(nlohmann::json::parse(lines[1])["route"].is_null());
}

TEST_CASE("requests are counted by route and status", "[http_server]") {
  DemoServer demo;
  Client client(demo.port());
  for (int i = 0; i < 3; ++i) client.Get("/hello");
  client.Get("/nope");
  REQUIRE(Eventually([&] { return demo.server.LogLines().size() == 4; }));
  const std::string text = demo.server.server().metrics().Render();
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_requests_total{method="GET",route="/hello",status="200"} 3)"));
  CHECK_THAT(text, Catch::Contains(R"x(mingzhang_http_requests_total{method="*",route="(unmatched)",status="404"} 1)x"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_count{method="GET",route="/hello"} 3)"));
  CHECK_THAT(text, Catch::Contains("mingzhang_http_open_connections 1"));
}

}  // namespace
}  // namespace mingzhang::api::testing
