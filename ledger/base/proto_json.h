// Protobuf messages printed as JSON the way the API answers and the CLI compares them: protobuf's
// JSON mapping with proto field names (int64 as strings). The one printer of both, so an entry the
// CLI rebuilds and compares is printed exactly as the server printed it.
#pragma once

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

namespace mingzhang {

nlohmann::json ProtoToJson(const google::protobuf::Message& message);

}  // namespace mingzhang
