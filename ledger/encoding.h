// Hex and base64 (RFC 4648 standard alphabet, with padding) for hashes, keys and signatures.
// Decoders are strict: any character outside the alphabet, bad padding or stray bits is refused,
// because these strings come from outside (requests, checkpoints, proofs).
#pragma once

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace mingzhang {

std::string HexEncode(std::string_view bytes);  // lowercase
Result<std::string> HexDecode(std::string_view hex);  // accepts upper and lower case

std::string Base64Encode(std::string_view bytes);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace mingzhang
