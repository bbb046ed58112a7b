#include "api/json_string.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mingzhang::api {

void AppendJsonString(std::string& out, std::string_view s) {
  constexpr const char* kHexDigits = "0123456789abcdef";
  // Beyond ASCII, nlohmann's own serializer decides (it validates UTF-8 and replaces bad bytes).
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHexDigits[(c >> 4) & 0xf];
          out += kHexDigits[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace mingzhang::api
