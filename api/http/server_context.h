// ServerContext: what the listener and every session of one server share. Internal to api/.
//
// Sessions hold it by shared_ptr, so it outlives the last of them even when they are destroyed
// with the io_context.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "api/http/connections.h"
#include "api/http/http_server.h"
#include "api/http/metrics.h"
#include "api/http/router.h"

namespace mingzhang::api {

struct ServerContext {
  ServerContext(ServerOptions o, Router r, std::shared_ptr<Metrics> m)
      : options(std::move(o)), router(std::move(r)), metrics(std::move(m)),
        connections(options.connections_max) {}

  Metrics::RouteStats& StatsFor(const RouteMatch& match) const {
    return match.kind == RouteMatch::Kind::kFound || match.kind == RouteMatch::Kind::kBadPath
               ? *route_stats[match.route->index]
               : *unmatched_stats;
  }

  const ServerOptions options;
  const Router router;
  const std::shared_ptr<Metrics> metrics;
  std::vector<Metrics::RouteStats*> route_stats;  // by Route::index
  Metrics::RouteStats* unmatched_stats = nullptr;
  Metrics::Gauge* open_connections = nullptr;
  Metrics::Counter* refused_connections = nullptr;
  size_t body_bytes_max_any = 0;  // the parser's limit until the route is known
  std::unique_ptr<boost::asio::ssl::context> tls;  // null: plain TCP
  ConnectionRegistry connections;
  // Runs `post` (which hands work to the io_context from a foreign thread) unless the server has
  // stopped; false if it has. The shared lock makes MarkStopped wait for posts under way, so no
  // foreign thread touches a session or its strand once the server is being destroyed.
  template <typename F>
  bool PostIfRunning(F&& post) {
    std::shared_lock lock(post_mu_);
    if (stopped_) return false;
    post();
    return true;
  }
  void MarkStopped() {
    std::unique_lock lock(post_mu_);
    stopped_ = true;
  }

 private:
  std::shared_mutex post_mu_;
  bool stopped_ = false;
};

}  // namespace mingzhang::api
