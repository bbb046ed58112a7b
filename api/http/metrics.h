// Metrics in the Prometheus text format (version 0.0.4): HTTP requests by route and status, a
// latency histogram per route, and named gauges, counters and histograms for the rest of the
// daemon (tree size, appends, batch sizes).
//
// Registration takes a lock and returns a handle with a stable address; updating through a
// handle is a relaxed atomic add, so the request path never locks:
//
//   Metrics metrics;
//   Metrics::Gauge& tree = metrics.GetGauge("mingzhang_tree_size", "Entries in the log.");
//   tree.Set(head.tree_size);
//   metrics.GaugeCallback("mingzhang_uptime_seconds", "Seconds since start.", [&] { ... });
//   std::string text = metrics.Render();
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace mingzhang::api {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class Metrics {
 public:
  // Upper bounds of the request latency buckets, in microseconds (rendered in seconds).
  static constexpr std::array<uint64_t, 14> kLatencyBucketsUs = {
      500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000,
      250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr unsigned kStatusMin = 100;
  static constexpr unsigned kStatusMax = 599;

  class RouteStats {
   public:
    RouteStats(std::string method, std::string route);
    void Observe(unsigned status, uint64_t duration_us);

   private:
    friend class Metrics;
    std::string labels_;  // method="GET",route="/v1/entries/{seq}"
    std::array<std::atomic<uint64_t>, kStatusMax - kStatusMin + 1> by_status_{};
    std::array<std::atomic<uint64_t>, kLatencyBucketsUs.size() + 1> buckets_{};  // last: +Inf
    std::atomic<uint64_t> sum_us_{0};
  };

  class Counter {
   public:
    void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return value_.load(std::memory_order_relaxed); }

   private:
    std::atomic<uint64_t> value_{0};
  };

  class Gauge {
   public:
    void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
    void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
    int64_t value() const { return value_.load(std::memory_order_relaxed); }

   private:
    std::atomic<int64_t> value_{0};
  };

  class Histogram {
   public:
    explicit Histogram(std::vector<double> bounds);  // REQUIRES: strictly increasing
    void Observe(double value);

   private:
    friend class Metrics;
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, the last +Inf
    std::atomic<double> sum_{0};
  };

  // Each returns the one instance for its key, creating it on first use.
  // REQUIRES: names match [a-zA-Z_:][a-zA-Z0-9_:]* and one name has one kind.
  RouteStats& Route(std::string_view method, std::string_view route);
  Counter& GetCounter(std::string_view name, std::string_view help);
  Gauge& GetGauge(std::string_view name, std::string_view help);
  Histogram& GetHistogram(std::string_view name, std::string_view help, std::vector<double> bounds);
  // A gauge read when rendering; `read` must be thread-safe and must not call back into Metrics.
  void GaugeCallback(std::string_view name, std::string_view help, std::function<double()> read);

  std::string Render() const;

 private:
  struct Family {
    std::string help;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> callback;
  };
  Family& GetFamily(std::string_view name, std::string_view help);
  void RenderRoutes(std::string& out) const;

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<RouteStats>, std::less<>> routes_;  // key: method ' ' route
  std::map<std::string, Family, std::less<>> families_;
};

// Prometheus label value escaping: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

}  // namespace mingzhang::api
