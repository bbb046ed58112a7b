#include "api/http/json_string.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ledger/base/jcs.h"

namespace mingzhang::api {

void AppendJsonString(std::string& out, std::string_view s) {
  // ASCII takes JCS's escapes, which are nlohmann's too. Beyond ASCII nlohmann's own serializer
  // decides: it validates UTF-8 and replaces bad bytes.
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  AppendJsonEscaped(out, s);
}

}  // namespace mingzhang::api
