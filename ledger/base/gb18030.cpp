#include "ledger/base/gb18030.h"

#include <iconv.h>

#include <cerrno>

#include "ledger/base/encoding.h"

namespace mingzhang {
namespace {

// One conversion descriptor per call: iconv_t keeps shift state and is not thread-safe.
class Converter {
 public:
  Converter() : cd_(iconv_open("UTF-8", "GB18030")) {}
  ~Converter() {
    if (ok()) iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Converts all of `in` into `out`; returns the offset of the first undecodable byte, if any.
  std::optional<size_t> Run(std::string_view in, std::string* out) {
    char* in_at = const_cast<char*>(in.data());  // iconv's signature; it does not write there
    size_t in_left = in.size();
    out->assign(in.size() * 2 + 16, '\0');  // 2 GB18030 bytes become at most 3 (4 for 4)
    char* out_at = out->data();
    size_t out_left = out->size();
    while (in_left > 0) {
      if (iconv(cd_, &in_at, &in_left, &out_at, &out_left) != static_cast<size_t>(-1)) break;
      if (errno != E2BIG) return static_cast<size_t>(in_at - in.data());  // EILSEQ or EINVAL
      const size_t used = static_cast<size_t>(out_at - out->data());
      out->resize(out->size() * 2);
      out_at = out->data() + used;
      out_left = out->size() - used;
    }
    out->resize(static_cast<size_t>(out_at - out->data()));
    return std::nullopt;
  }

 private:
  iconv_t cd_;
};

}  // namespace

DecodedText DecodeUtf8OrGb18030(std::string_view bytes) {
  DecodedText text;
  if (ValidUtf8(bytes)) {
    text.utf8 = std::string(bytes);
    return text;
  }
  text.from_gb18030 = true;
  Converter converter;
  if (!converter.ok()) {  // a C library without the GB18030 converter: nothing can be read
    text.bad_byte_offset = 0;
    return text;
  }
  text.bad_byte_offset = converter.Run(bytes, &text.utf8);
  if (text.bad_byte_offset) text.utf8.clear();
  return text;
}

size_t LineOfOffset(std::string_view bytes, size_t offset) {
  size_t line = 1;
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n'))) ++line;
  }
  return line;
}

}  // namespace mingzhang
