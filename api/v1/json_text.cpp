#include "api/v1/json_text.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <vector>

#include "api/v1/json_io.h"
#include "ledger/base/encoding.h"

namespace mingzhang::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendNlohmannDump(std::string& out, const nlohmann::json& value) {
  out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendQuoted(std::string& out, std::string_view plain) {
  out += '"';
  out += plain;
  out += '"';
}

// Types whose JSON form this file does not write itself (none occurs in the v1 messages): the
// message then goes the slow way, through protobuf's printer and nlohmann, which is exact.
bool NeedsSlowPath(const Descriptor& type, const std::vector<const FieldDescriptor*>& fields) {
  if (type.file()->package() == "google.protobuf") return true;  // well-known types
  return std::any_of(fields.begin(), fields.end(), [](const FieldDescriptor* f) {
    return f->is_map() || f->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE ||
           f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT;
  });
}

void AppendValue(std::string& out, const Message& message, const Reflection& r, const FieldDescriptor& f, int index) {
  const bool repeated = f.is_repeated();
  switch (f.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out += std::to_string(repeated ? r.GetRepeatedInt32(message, &f, index) : r.GetInt32(message, &f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      out += std::to_string(repeated ? r.GetRepeatedUInt32(message, &f, index) : r.GetUInt32(message, &f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:  // 64-bit integers are strings in protobuf's JSON
      AppendQuoted(out, std::to_string(repeated ? r.GetRepeatedInt64(message, &f, index) : r.GetInt64(message, &f)));
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      AppendQuoted(out, std::to_string(repeated ? r.GetRepeatedUInt64(message, &f, index) : r.GetUInt64(message, &f)));
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (repeated ? r.GetRepeatedBool(message, &f, index) : r.GetBool(message, &f)) ? "true" : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = repeated ? r.GetRepeatedEnumValue(message, &f, index) : r.GetEnumValue(message, &f);
      const auto* value = f.enum_type()->FindValueByNumber(number);
      if (value == nullptr) out += std::to_string(number);  // a number no name stands for
      else AppendQuoted(out, value->name());
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = repeated ? r.GetRepeatedStringReference(message, &f, index, &scratch)
                                      : r.GetStringReference(message, &f, &scratch);
      if (f.type() == FieldDescriptor::TYPE_BYTES) AppendQuoted(out, Base64Encode(s));
      else AppendJsonString(out, s);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessageJson(out, repeated ? r.GetRepeatedMessage(message, &f, index) : r.GetMessage(message, &f));
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      break;  // NeedsSlowPath sent the message elsewhere
  }
}

// Fills a message from nlohmann's SAX events while they stay within ParsePlainJson's cases;
// returning false stops the parse.
class PlainFill final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit PlainFill(Message& message)
      : message_(message), type_(*message.GetDescriptor()), r_(*message.GetReflection()), seen_(type_.field_count()) {}

  bool start_object(std::size_t) override { return depth_++ == 0; }
  bool end_object() override { return --depth_ == 0; }
  bool key(string_t& name) override {
    const FieldDescriptor* f = type_.FindFieldByName(name);
    if (f == nullptr || f->is_repeated() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || seen_[f->index()]) {
      return false;  // unknown (or a json_name), a list, a nested message, or a repeated key
    }
    if (f->real_containing_oneof() != nullptr && r_.HasOneof(message_, f->real_containing_oneof())) return false;
    seen_[f->index()] = true;
    field_ = f;
    return true;
  }
  bool boolean(bool value) override {
    if (!Take(FieldDescriptor::CPPTYPE_BOOL)) return false;
    r_.SetBool(&message_, field_, value);
    return true;
  }
  bool number_integer(number_integer_t value) override { return value >= 0 ? number_unsigned(value) : SetSigned(value); }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      if (!Take(FieldDescriptor::CPPTYPE_UINT64)) return false;
      r_.SetUInt64(&message_, field_, value);
      return true;
    }
    return SetSigned(static_cast<int64_t>(value));
  }
  bool string(string_t& value) override {
    if (field_ == nullptr || depth_ != 1) return false;
    switch (field_->type()) {
      case FieldDescriptor::TYPE_STRING:
        r_.SetString(&message_, field_, std::move(value));
        return Done();
      case FieldDescriptor::TYPE_ENUM: {
        const auto* v = field_->enum_type()->FindValueByName(value);
        if (v == nullptr) return false;
        r_.SetEnumValue(&message_, field_, v->number());
        return Done();
      }
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return SetDecimalString(value);
      default:
        return false;  // bytes, 32-bit integers as strings: protobuf's rules
    }
  }
  bool null() override { return false; }
  bool number_float(number_float_t, const string_t&) override { return false; }
  bool binary(binary_t&) override { return false; }
  bool start_array(std::size_t) override { return false; }
  bool end_array() override { return false; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // Whether a value of C++ type `type` may go into the field whose key came last.
  bool Take(FieldDescriptor::CppType type) const {
    return field_ != nullptr && depth_ == 1 && field_->cpp_type() == type;
  }
  bool Done() {
    field_ = nullptr;
    return true;
  }
  bool SetSigned(int64_t value) {
    if (field_ == nullptr || depth_ != 1) return false;
    switch (field_->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT64:
        r_.SetInt64(&message_, field_, value);
        return Done();
      case FieldDescriptor::CPPTYPE_UINT64:
        if (value < 0) return false;
        r_.SetUInt64(&message_, field_, static_cast<uint64_t>(value));
        return Done();
      case FieldDescriptor::CPPTYPE_INT32:
        if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max()) return false;
        r_.SetInt32(&message_, field_, static_cast<int32_t>(value));
        return Done();
      case FieldDescriptor::CPPTYPE_UINT32:
        if (value < 0 || value > std::numeric_limits<uint32_t>::max()) return false;
        r_.SetUInt32(&message_, field_, static_cast<uint32_t>(value));
        return Done();
      default:
        return false;  // enums by number, bools as numbers: protobuf's rules
    }
  }
  // "-12" or "12" into a 64-bit field: digits only, no sign on zero, no leading zero.
  bool SetDecimalString(const std::string& text) {
    const bool negative = !text.empty() && text[0] == '-';
    const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
    if (digits.empty() || (digits[0] == '0' && (digits.size() > 1 || negative)) ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    const char* end = text.data() + text.size();
    if (field_->cpp_type() == FieldDescriptor::CPPTYPE_UINT64) {
      uint64_t value = 0;
      if (negative || std::from_chars(digits.data(), end, value).ec != std::errc()) return false;
      r_.SetUInt64(&message_, field_, value);
    } else {
      int64_t value = 0;
      if (std::from_chars(text.data(), end, value).ec != std::errc()) return false;
      r_.SetInt64(&message_, field_, value);
    }
    return Done();
  }

  Message& message_;
  const Descriptor& type_;
  const Reflection& r_;
  std::vector<bool> seen_;  // by field index
  const FieldDescriptor* field_ = nullptr;  // whose value comes next
  int depth_ = 0;
};

}  // namespace

bool ParsePlainJson(std::string_view body, Message* message) {
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";  // nlohmann skips it, protobuf does not
  message->Clear();
  if (body.substr(0, kUtf8Bom.size()) == kUtf8Bom) return false;
  // nlohmann ends the input at a NUL byte, so "{...}\0<anything>" would read as "{...}"; no JSON
  // text holds a raw NUL (inside strings it is escaped), so such a body is never plain.
  if (body.find('\0') != std::string_view::npos) return false;
  PlainFill fill(*message);
  if (nlohmann::json::sax_parse(body.begin(), body.end(), &fill)) return true;
  message->Clear();
  return false;
}

void AppendMessageJson(std::string& out, const Message& message) {
  const Reflection& r = *message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(message, &fields);  // the fields protobuf's printer prints: set, or not default
  if (NeedsSlowPath(*message.GetDescriptor(), fields)) return AppendNlohmannDump(out, ProtoToJson(message));
  std::sort(fields.begin(), fields.end(), [](auto* a, auto* b) { return a->name() < b->name(); });
  out += '{';
  for (size_t i = 0; i < fields.size(); ++i) {
    const FieldDescriptor& f = *fields[i];
    if (i > 0) out += ',';
    AppendQuoted(out, f.name());
    out += ':';
    if (!f.is_repeated()) {
      AppendValue(out, message, r, f, -1);
      continue;
    }
    out += '[';
    const int size = r.FieldSize(message, &f);
    for (int k = 0; k < size; ++k) {
      if (k > 0) out += ',';
      AppendValue(out, message, r, f, k);
    }
    out += ']';
  }
  out += '}';
}

std::string EntryJsonText(const StoredEntry& stored, bool with_bytes) {
  constexpr size_t kEntryJsonBytesGuess = 768;
  std::string out;
  out.reserve(kEntryJsonBytesGuess + (with_bytes ? stored.bytes.size() * 4 / 3 : 0));
  out += "{\"chain_hash\":";
  AppendQuoted(out, Base64Encode(AsBytes(stored.chain_hash)));
  out += ",\"entry\":";
  AppendMessageJson(out, stored.entry);
  if (with_bytes) {
    out += ",\"leaf_bytes\":";
    AppendQuoted(out, Base64Encode(stored.bytes));
  }
  out += ",\"leaf_hash\":";
  AppendQuoted(out, Base64Encode(AsBytes(stored.leaf_hash)));
  out += ",\"seq\":";
  AppendQuoted(out, std::to_string(stored.entry.seq()));
  out += '}';
  return out;
}

}  // namespace mingzhang::api
