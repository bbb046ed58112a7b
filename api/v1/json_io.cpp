#include "api/v1/json_io.h"

#include <google/protobuf/util/json_util.h>

#include <set>
#include <vector>

#include "api/v1/json_text.h"
#include "ledger/base/encoding.h"

namespace mingzhang::api {
namespace {

// Deeper than any request of the API (a batch is three levels); refused before protobuf sees it.
constexpr size_t kJsonDepthMax = 32;

// Checks what protobuf's JSON parser would let through:
// - it reads 1e3 and 100.0 into an int64, so "amount":256.00 meant as yuan would be recorded as
//   256 fen. No field of the API is a float, so any number with a fraction or an exponent is
//   refused.
// - it takes the last of two values for one field, so {"amount":"8","amount":"900"} would record
//   900 where a proxy or log that reads the first saw 8. A key repeated in one object, also under
//   its other spelling (unit_id and unitId are one field), is refused.
class StrictJson final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::string error;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t& text) override {
    return Refuse("numbers must be integers, without a fraction or an exponent: " + text.substr(0, 40));
  }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    keys_.emplace_back();
    return Enter();
  }
  bool key(string_t& name) override {
    if (keys_.back().insert(FieldOf(name)).second) return true;
    return Refuse("the key \"" + name.substr(0, 40) + "\" appears twice in one object (or under both its spellings)");
  }
  bool end_object() override {
    keys_.pop_back();
    return Leave();
  }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override { return Leave(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Refuse("the body is not valid JSON (or has trailing data)");
  }

 private:
  bool Refuse(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  bool Enter() {
    return ++depth_ <= kJsonDepthMax || Refuse("the body nests deeper than " + std::to_string(kJsonDepthMax) + " levels");
  }
  bool Leave() {
    --depth_;
    return true;
  }
  // The field a key names, whichever of its two spellings: protobuf's JSON name of field
  // "unit_id" is "unitId". No message of the API has two fields that differ only so.
  static std::string FieldOf(const std::string& key) {
    std::string field;
    for (char c : key) {
      if (c != '_') field += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return field;
  }
  size_t depth_ = 0;
  std::vector<std::set<std::string>> keys_;  // per open object, the fields its keys named
};

}  // namespace

Status ParseJson(std::string_view body, google::protobuf::Message* message) {
  // A plain body (a payment) is read directly, as protobuf would read it, at a fraction of the
  // cost. Plain is a subset of what passes the checks below (one flat object of integers,
  // strings and booleans, valid UTF-8, nothing after it, no NUL), so they need not run first.
  if (ParsePlainJson(body, message)) return OkStatus();
  // protobuf accepts a leading/trailing blank but nothing else around the object; nlohmann
  // checks first that the body is one JSON document (and valid UTF-8) of integers, so errors
  // read clearly.
  // nlohmann stops at a NUL byte as at the end of the input, so "{...}\0<anything>" would pass.
  // No JSON text holds one: outside strings only white space may stand, inside they are escaped.
  if (body.find('\0') != std::string_view::npos) return InvalidArgument("bad-json", "the body holds a NUL byte");
  StrictJson strict;
  if (!nlohmann::json::sax_parse(body.begin(), body.end(), &strict)) {
    return InvalidArgument("bad-json", strict.error.empty() ? "the body is not valid JSON" : strict.error);
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(body.data(), body.size()), message, options);
  if (!status.ok()) return InvalidArgument("bad-json", std::string(status.message()));
  return OkStatus();
}

nlohmann::json EntryJson(const StoredEntry& stored, bool with_bytes) {
  nlohmann::json out{{"entry", ProtoToJson(stored.entry)},
                     {"seq", std::to_string(stored.entry.seq())},
                     {"leaf_hash", Base64Encode(AsBytes(stored.leaf_hash))},
                     {"chain_hash", Base64Encode(AsBytes(stored.chain_hash))}};
  if (with_bytes) out["leaf_bytes"] = Base64Encode(stored.bytes);
  return out;
}

}  // namespace mingzhang::api
