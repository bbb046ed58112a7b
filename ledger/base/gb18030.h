// Text from Chinese spreadsheets and banks: UTF-8, or GBK / GB18030 (what Excel on Chinese
// Windows saves and most Chinese banks export). The only file including iconv (glibc's).
//
//   DecodedText t = DecodeUtf8OrGb18030(bytes);
//   if (t.bad_byte_offset) return Bad(LineOfOffset(bytes, *t.bad_byte_offset), "...");
//   use(t.utf8);
//
// Valid UTF-8 is kept as it is (a leading byte order mark too: callers drop it); anything else is
// read as GB18030, a superset of GBK and GB2312, so every GBK file decodes the same way under it.
// Bytes that are neither (a truncated double-byte character, a lead byte with a bad trail) are
// never guessed at or replaced: the caller refuses the text and names where they are.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mingzhang {

struct DecodedText {
  std::string utf8;                       // the whole text in UTF-8 (empty when undecodable)
  bool from_gb18030 = false;              // it was not UTF-8 and was decoded as GB18030
  std::optional<size_t> bad_byte_offset;  // set when undecodable: the first byte that is neither
};

DecodedText DecodeUtf8OrGb18030(std::string_view bytes);

// The line (from 1; LF, CRLF or a lone CR end a line) on which bytes[offset] sits.
size_t LineOfOffset(std::string_view bytes, size_t offset);

}  // namespace mingzhang
