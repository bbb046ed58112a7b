// Fast paths around protobuf's JSON converter, each giving exactly what the converter gives.
//
// Out: entries written straight into a string, the bytes of json_io.h's EntryJson(...).dump()
// (protobuf's JSON mapping with proto field names, then nlohmann's compact form: keys sorted, its
// string escaping) without the detour through protobuf's converter and a nlohmann tree. That
// detour cost ~25 µs an entry, on the ledger's thread that answers appends.
// In: flat request bodies (a payment) read straight into the message; anything less plain is
// left to protobuf. Measured in bench/RESULTS.md, "HTTP".
#pragma once

#include <google/protobuf/message.h>
#include <string>
#include <string_view>

#include "api/http/json_string.h"
#include "ledger/log/ledger.h"

namespace mingzhang::api {

// `message` in protobuf's JSON mapping (proto field names, int64 as strings, enums by name,
// bytes as base64, fields at their default value left out), keys in nlohmann's (sorted) order.
void AppendMessageJson(std::string& out, const google::protobuf::Message& message);

// {chain_hash, entry, leaf_bytes (when with_bytes), leaf_hash, seq}: EntryJson(...).dump().
std::string EntryJsonText(const StoredEntry& stored, bool with_bytes);

// Reads `body` into `message` when it is a plain case: one object whose keys are proto field names
// (each once) of singular scalar fields, with strings for strings, enum names for enums, integers
// (or canonical decimal strings for 64-bit fields) for integers, true/false for bools. Returns
// false for anything else, the message then cleared: the caller asks protobuf, which accepts or
// explains. Whenever this returns true, protobuf's parser would have given the same message.
bool ParsePlainJson(std::string_view body, google::protobuf::Message* message);

}  // namespace mingzhang::api
