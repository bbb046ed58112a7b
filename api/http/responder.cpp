#include "api/http/request.h"

#include <atomic>

#include "api/http/gzip.h"

namespace mingzhang::api {
namespace {

const std::string* Find(const Params& params, std::string_view name) {
  const auto it = params.find(name);
  return it == params.end() ? nullptr : &it->second;
}

}  // namespace

const std::string* Request::Param(std::string_view name) const { return Find(params, name); }
const std::string* Request::Query(std::string_view name) const { return Find(query, name); }

// Shared by every copy of one Responder: copies travel into callbacks (std::function needs
// copyable captures), and only the last one to go away can tell that nobody answered.
struct Responder::State {
  explicit State(Deliver d) : deliver(std::move(d)) {}
  ~State() {
    if (!answered.exchange(true)) {
      deliver(ProblemResponse(MakeProblem(http::status::internal_server_error, "no-response",
                                          "the request was dropped without an answer")));
    }
  }
  Deliver deliver;
  std::atomic<bool> answered{false};
  std::atomic<bool> accepts_gzip{false};
};

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::SetAcceptsGzip(bool accepts) const { state_->accepts_gzip = accepts; }

void Responder::Send(HttpResponse response) const {
  if (state_->answered.exchange(true)) return;
  const auto type = response.find(http::field::content_type);
  if (type != response.end() && type->value() == kJsonContentType &&
      response.find(http::field::content_encoding) == response.end() && response.body().size() >= kGzipBodyBytesMin) {
    if (response.find(http::field::vary) == response.end()) response.set(http::field::vary, "Accept-Encoding");
    if (state_->accepts_gzip) {
      if (std::optional<std::string> gzipped = Gzip(response.body())) {
        response.set(http::field::content_encoding, "gzip");
        response.body() = std::move(*gzipped);
      }
    }
  }
  state_->deliver(std::move(response));
}

void Responder::Json(http::status status, const nlohmann::json& body) const {
  HttpResponse response{status, 11};
  response.set(http::field::content_type, kJsonContentType);
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  Send(std::move(response));
}

void Responder::Text(http::status status, std::string body, std::string_view content_type) const {
  HttpResponse response{status, 11};
  response.set(http::field::content_type,
               boost::beast::string_view(content_type.data(), content_type.size()));
  response.body() = std::move(body);
  Send(std::move(response));
}

void Responder::Problem(const Status& status) const { Send(ProblemResponse(ProblemFor(status))); }

void Responder::Problem(const api::Problem& problem) const { Send(ProblemResponse(problem)); }

}  // namespace mingzhang::api
