#include "api/http/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>

namespace mingzhang::api {
namespace {

constexpr const char* kRequestsName = "mingzhang_http_requests_total";
constexpr const char* kDurationName = "mingzhang_http_request_duration_seconds";

[[maybe_unused]] bool ValidName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == ':';
  });
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

// The shortest text that reads back as the same double: "0.0005" rather than "5e-04" in the
// range where fixed notation stays short; Prometheus parses either.
std::string FormatDouble(double v) {
  constexpr double kFixedMin = 1e-9;
  constexpr double kFixedMax = 1e15;
  const double magnitude = v < 0 ? -v : v;
  const bool fixed = magnitude == 0 || (magnitude >= kFixedMin && magnitude < kFixedMax);
  char buf[64];
  const auto [end, ec] = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                               : std::to_chars(buf, buf + sizeof buf, v);
  assert(ec == std::errc());
  return std::string(buf, end);
}

// Cumulative buckets, then _sum and _count, for one labelled series of a histogram.
// `le(i)` names bucket i's upper bound; the bucket after the last bound is "+Inf".
template <typename Bucket, typename Le>
void HistogramSeries(std::string& out, std::string_view name, const std::string& labels,
                     size_t bounds, Bucket bucket, Le le, const std::string& sum) {
  const std::string prefix = labels.empty() ? "" : labels + ",";
  const std::string base(name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds; ++i) {
    cumulative += bucket(i);
    Sample(out, base + "_bucket", prefix + "le=\"" + (i < bounds ? le(i) : "+Inf") + "\"",
           std::to_string(cumulative));
  }
  Sample(out, base + "_sum", labels, sum);
  Sample(out, base + "_count", labels, std::to_string(cumulative));
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Metrics::RouteStats::RouteStats(std::string method, std::string route)
    : labels_("method=\"" + EscapeLabelValue(method) + "\",route=\"" + EscapeLabelValue(route) + "\"") {}

void Metrics::RouteStats::Observe(unsigned status, uint64_t duration_us) {
  status = std::clamp(status, kStatusMin, kStatusMax);
  by_status_[status - kStatusMin].fetch_add(1, std::memory_order_relaxed);
  const auto bucket = std::lower_bound(kLatencyBucketsUs.begin(), kLatencyBucketsUs.end(), duration_us);
  buckets_[bucket - kLatencyBucketsUs.begin()].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(duration_us, std::memory_order_relaxed);
}

Metrics::Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  assert(std::adjacent_find(bounds_.begin(), bounds_.end(), std::greater_equal<>()) == bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Metrics::Histogram::Observe(double value) {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[bucket - bounds_.begin()].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Metrics::RouteStats& Metrics::Route(std::string_view method, std::string_view route) {
  std::lock_guard lock(mu_);
  std::string key = std::string(method) + " " + std::string(route);
  auto it = routes_.find(key);
  if (it == routes_.end()) {
    it = routes_.emplace(std::move(key), std::make_unique<RouteStats>(std::string(method), std::string(route))).first;
  }
  return *it->second;
}

Metrics::Family& Metrics::GetFamily(std::string_view name, std::string_view help) {
  assert(ValidName(name) && name != kRequestsName && name != kDurationName);
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family family;
    family.help = std::string(help);
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  return it->second;
}

Metrics::Counter& Metrics::GetCounter(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  Family& f = GetFamily(name, help);
  assert(!f.gauge && !f.histogram && !f.callback);
  if (!f.counter) f.counter = std::make_unique<Counter>();
  return *f.counter;
}

Metrics::Gauge& Metrics::GetGauge(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  Family& f = GetFamily(name, help);
  assert(!f.counter && !f.histogram && !f.callback);
  if (!f.gauge) f.gauge = std::make_unique<Gauge>();
  return *f.gauge;
}

Metrics::Histogram& Metrics::GetHistogram(std::string_view name, std::string_view help,
                                          std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  Family& f = GetFamily(name, help);
  assert(!f.counter && !f.gauge && !f.callback);
  if (!f.histogram) f.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *f.histogram;
}

void Metrics::GaugeCallback(std::string_view name, std::string_view help, std::function<double()> read) {
  std::lock_guard lock(mu_);
  Family& f = GetFamily(name, help);
  assert(!f.counter && !f.gauge && !f.histogram);
  f.callback = std::move(read);
}

void Metrics::RenderRoutes(std::string& out) const {
  Header(out, kRequestsName, "HTTP requests answered, by route pattern and status.", "counter");
  for (const auto& [key, stats] : routes_) {
    for (unsigned s = kStatusMin; s <= kStatusMax; ++s) {
      const uint64_t n = stats->by_status_[s - kStatusMin].load(std::memory_order_relaxed);
      if (n != 0) Sample(out, kRequestsName, stats->labels_ + ",status=\"" + std::to_string(s) + "\"", std::to_string(n));
    }
  }
  Header(out, kDurationName, "Time from a request's header to its response written, by route.", "histogram");
  for (const auto& [key, stats] : routes_) {
    HistogramSeries(
        out, kDurationName, stats->labels_, kLatencyBucketsUs.size(),
        // Through a plain pointer: clang before 16 cannot capture a structured binding.
        [route = stats.get()](size_t i) { return route->buckets_[i].load(std::memory_order_relaxed); },
        [](size_t i) { return FormatDouble(kLatencyBucketsUs[i] / 1e6); },
        FormatDouble(stats->sum_us_.load(std::memory_order_relaxed) / 1e6));
  }
}

std::string Metrics::Render() const {
  std::string out;
  std::lock_guard lock(mu_);
  RenderRoutes(out);
  for (const auto& [name, f] : families_) {
    if (f.counter) {
      Header(out, name, f.help, "counter");
      Sample(out, name, "", std::to_string(f.counter->value()));
    } else if (f.gauge) {
      Header(out, name, f.help, "gauge");
      Sample(out, name, "", std::to_string(f.gauge->value()));
    } else if (f.callback) {
      Header(out, name, f.help, "gauge");
      Sample(out, name, "", FormatDouble(f.callback()));
    } else if (f.histogram) {
      const Histogram& h = *f.histogram;
      Header(out, name, f.help, "histogram");
      HistogramSeries(
          out, name, "", h.bounds_.size(),
          [&](size_t i) { return h.buckets_[i].load(std::memory_order_relaxed); },
          [&](size_t i) { return FormatDouble(h.bounds_[i]); },
          FormatDouble(h.sum_.load(std::memory_order_relaxed)));
    }
  }
  return out;
}

}  // namespace mingzhang::api
