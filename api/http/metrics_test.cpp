#include "api/http/metrics.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace mingzhang::api {
namespace {

TEST_CASE("Metrics renders the Prometheus text format", "[metrics]") {
  Metrics m;
  Metrics::RouteStats& route = m.Route("GET", "/v1/entries/{seq}");
  route.Observe(200, 700);      // bucket le=0.001
  route.Observe(404, 20'000);   // bucket le=0.025
  m.GetGauge("mingzhang_tree_size", "Entries in the log.").Set(42);
  m.GetCounter("mingzhang_appends_total", "Entries appended.").Add(3);
  Metrics::Histogram& batch = m.GetHistogram("mingzhang_batch_entries", "Entries per batch.", {1, 64, 1024});
  batch.Observe(1);
  batch.Observe(100);
  m.GaugeCallback("mingzhang_up", "One while serving.", [] { return 1.0; });
  const std::string text = m.Render();

  CHECK_THAT(text, Catch::Contains("# TYPE mingzhang_http_requests_total counter\n"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_requests_total{method="GET",route="/v1/entries/{seq}",status="200"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_requests_total{method="GET",route="/v1/entries/{seq}",status="404"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_bucket{method="GET",route="/v1/entries/{seq}",le="0.0005"} 0)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_bucket{method="GET",route="/v1/entries/{seq}",le="0.001"} 1)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_bucket{method="GET",route="/v1/entries/{seq}",le="0.025"} 2)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_bucket{method="GET",route="/v1/entries/{seq}",le="+Inf"} 2)"));
  CHECK_THAT(text, Catch::Contains(R"(mingzhang_http_request_duration_seconds_sum{method="GET",route="/v1/entries/{seq}"} 0.0207)"));
  CHECK_THAT(text, Catch::Contains("# TYPE mingzhang_tree_size gauge\nmingzhang_tree_size 42\n"));
  CHECK_THAT(text, Catch::Contains("# HELP mingzhang_appends_total Entries appended.\n# TYPE mingzhang_appends_total counter\nmingzhang_appends_total 3\n"));
  CHECK_THAT(text, Catch::Contains("mingzhang_batch_entries_bucket{le=\"1\"} 1\nmingzhang_batch_entries_bucket{le=\"64\"} 1\n"
                                   "mingzhang_batch_entries_bucket{le=\"1024\"} 2\nmingzhang_batch_entries_bucket{le=\"+Inf\"} 2\n"
                                   "mingzhang_batch_entries_sum 101\nmingzhang_batch_entries_count 2\n"));
  CHECK_THAT(text, Catch::Contains("mingzhang_up 1\n"));
}

TEST_CASE("Metrics handles are shared and thread-safe", "[metrics]") {
  Metrics m;
  CHECK(&m.Route("GET", "/a") == &m.Route("GET", "/a"));
  CHECK(&m.GetGauge("g", "h") == &m.GetGauge("g", "h"));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        m.Route("GET", "/a").Observe(200, 1);
        m.GetCounter("c", "h").Add();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.GetCounter("c", "h").value() == kThreads * kPerThread);
  CHECK_THAT(m.Render(), Catch::Contains(R"(mingzhang_http_requests_total{method="GET",route="/a",status="200"} 40000)"));
}

TEST_CASE("label values are escaped", "[metrics]") {
  CHECK(EscapeLabelValue("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace mingzhang::api
