#include "ledger/base/jcs.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

using Json = nlohmann::json;

// RFC 8785 writes numbers as IEEE-754 doubles print (§3.2.2.3), which hold every integer only up
// to 2^53: 2^53 + 1 would be written 9007199254740992 by other verifiers and signed here as
// ...993. Larger integers are refused; the API writes money, sizes and seqs as strings.
constexpr int64_t kExactIntegerMax = int64_t{1} << 53;

// Converts valid UTF-8 to UTF-16 (into *out when non-null); false when `s` is not valid UTF-8.
// RFC 8785 §3.2.3 sorts keys by UTF-16 code units, which differs from UTF-8 byte order once
// characters outside the BMP meet U+E000-U+FFFF (surrogates sort below them).
bool ToUtf16(std::string_view s, std::u16string* out) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    if (!NextCodePoint(s, i, cp)) return false;
    if (out == nullptr) continue;
    if (cp < 0x10000) {
      out->push_back(static_cast<char16_t>(cp));
    } else {
      cp -= 0x10000;
      out->push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out->push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    }
  }
  return true;
}

// Writes one JSON value in canonical form, remembering where it is for error messages.
class Writer {
 public:
  Status Value(const Json& v);
  std::string Take() { return std::move(out_); }

 private:
  Status Object(const Json& v);
  Status Array(const Json& v);
  Status String(std::string_view s);
  void Escaped(std::string_view s);
  void PushPath(std::string_view token);
  // "<what> at <JSON Pointer>", then why it matters when that is not obvious.
  Status Refuse(const std::string& what, const std::string& hint = "") const {
    std::string where = path_.empty() ? std::string("the root") : path_;
    return InvalidArgument("not-canonicalizable",
                           what + " at " + where + (hint.empty() ? "" : "; " + hint));
  }

  std::string out_;
  std::string path_;  // JSON Pointer (RFC 6901) of the value being written
};

Status Writer::Value(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      out_ += "null";
      return OkStatus();
    case Json::value_t::boolean:
      out_ += v.get<bool>() ? "true" : "false";
      return OkStatus();
    case Json::value_t::number_integer: {
      const int64_t n = v.get<Json::number_integer_t>();
      if (n > kExactIntegerMax || n < -kExactIntegerMax) return Refuse("an integer beyond 2^53", "write it as a string");
      out_ += std::to_string(n);
      return OkStatus();
    }
    case Json::value_t::number_unsigned: {
      const uint64_t n = v.get<Json::number_unsigned_t>();
      if (n > static_cast<uint64_t>(kExactIntegerMax)) return Refuse("an integer beyond 2^53", "write it as a string");
      out_ += std::to_string(n);
      return OkStatus();
    }
    case Json::value_t::number_float:
      return Refuse("a float",
                    "amounts are integer fen and JCS float formatting is not implemented");
    case Json::value_t::string:
      return String(v.get_ref<const Json::string_t&>());
    case Json::value_t::array:
      return Array(v);
    case Json::value_t::object:
      return Object(v);
    case Json::value_t::binary:
    case Json::value_t::discarded:
      break;
  }
  return Refuse("a value with no JSON form");
}

Status Writer::Object(const Json& v) {
  struct Member {
    std::u16string sort_key;
    const std::string* key;
    const Json* value;
  };
  std::vector<Member> members;
  members.reserve(v.size());
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::u16string utf16;
    if (!ToUtf16(it.key(), &utf16)) return Refuse("an object key that is not valid UTF-8");
    members.push_back({std::move(utf16), &it.key(), &it.value()});
  }
  // nlohmann keeps keys in UTF-8 byte order; re-sort by UTF-16 code units as RFC 8785 requires.
  std::sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return a.sort_key < b.sort_key; });
  out_.push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out_.push_back(',');
    Escaped(*members[i].key);
    out_.push_back(':');
    size_t path_size = path_.size();
    PushPath(*members[i].key);
    MZ_RETURN_IF_ERROR(Value(*members[i].value));
    path_.resize(path_size);
  }
  out_.push_back('}');
  return OkStatus();
}

Status Writer::Array(const Json& v) {
  out_.push_back('[');
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out_.push_back(',');
    size_t path_size = path_.size();
    PushPath(std::to_string(i));
    MZ_RETURN_IF_ERROR(Value(v[i]));
    path_.resize(path_size);
  }
  out_.push_back(']');
  return OkStatus();
}

Status Writer::String(std::string_view s) {
  if (!ToUtf16(s, nullptr)) return Refuse("a string that is not valid UTF-8");
  Escaped(s);
  return OkStatus();
}

void Writer::Escaped(std::string_view s) { AppendJsonEscaped(out_, s); }

// Appends "/token" with '~' and '/' escaped as RFC 6901 says.
void Writer::PushPath(std::string_view token) {
  path_.push_back('/');
  for (char c : token) {
    if (c == '~') {
      path_ += "~0";
    } else if (c == '/') {
      path_ += "~1";
    } else {
      path_.push_back(c);
    }
  }
}

}  // namespace

Result<std::string> Canonicalize(const nlohmann::json& value) {
  Writer writer;
  MZ_RETURN_IF_ERROR(writer.Value(value));
  return writer.Take();
}

// The escapes of RFC 8785 §3.2.2.2 (ECMAScript JSON.stringify): only '"', '\' and U+0000-U+001F,
// using the short forms where JSON has them. Everything else, U+007F and '/' included, is written
// as its raw UTF-8 bytes; byte-wise is safe because `s` is valid UTF-8.
void AppendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
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
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace mingzhang
