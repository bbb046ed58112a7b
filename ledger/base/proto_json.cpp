#include "ledger/base/proto_json.h"

#include <google/protobuf/util/json_util.h>

#include <string>

namespace mingzhang {

nlohmann::json ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  // Printing a well-formed in-memory message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  return nlohmann::json::parse(text);
}

}  // namespace mingzhang
