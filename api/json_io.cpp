#include "api/json_io.h"

#include <google/protobuf/util/json_util.h>

#include "api/json_text.h"
#include "ledger/encoding.h"

namespace mingzhang::api {

Status ParseJson(std::string_view body, google::protobuf::Message* message) {
  // protobuf accepts a leading/trailing blank but nothing else around the object; nlohmann
  // checks first that the body is one JSON object (and valid UTF-8), so errors read clearly.
  if (!nlohmann::json::accept(body.begin(), body.end())) {
    return InvalidArgument("bad-json", "the body is not valid JSON (or has trailing data)");
  }
  // A plain body (a payment) is read directly, as protobuf would read it, at a fraction of the cost.
  if (ParsePlainJson(body, message)) return OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message, options);
  if (!status.ok()) return InvalidArgument("bad-json", std::string(status.message()));
  return OkStatus();
}

nlohmann::json ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  // Printing a well-formed in-memory message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  return nlohmann::json::parse(text);
}

nlohmann::json EntryJson(const StoredEntry& stored, bool with_bytes) {
  nlohmann::json out{{"entry", ToJson(stored.entry)},
                     {"seq", std::to_string(stored.entry.seq())},
                     {"leaf_hash", Base64Encode(AsBytes(stored.leaf_hash))},
                     {"chain_hash", Base64Encode(AsBytes(stored.chain_hash))}};
  if (with_bytes) out["leaf_bytes"] = Base64Encode(stored.bytes);
  return out;
}

}  // namespace mingzhang::api
