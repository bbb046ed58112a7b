// JSON strings written straight into a string, as nlohmann would write them.
#pragma once

#include <string>
#include <string_view>

namespace mingzhang::api {

// `s` as a JSON string (quoted), escaped as nlohmann::json::dump(-1, ' ', false, replace) does:
// the same bytes, without building a nlohmann value for it.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace mingzhang::api
