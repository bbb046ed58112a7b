// Request bodies in, entries out: protobuf's JSON mapping, strict on the way in.
#pragma once

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ledger/log/ledger.h"
#include "ledger/base/proto_json.h"  // ProtoToJson: messages out, as the CLI reads them
#include "ledger/base/status.h"

namespace mingzhang::api {

// Parses a JSON object into `message` with proto field names; unknown fields, wrong types,
// invalid UTF-8 and trailing garbage are InvalidArgument "bad-json".
Status ParseJson(std::string_view body, google::protobuf::Message* message);

// {entry, seq, leaf_bytes (base64 of the stored bytes), leaf_hash, chain_hash}
nlohmann::json EntryJson(const StoredEntry& stored, bool with_bytes);

}  // namespace mingzhang::api
