// Request bodies as the write routes read them: api/json_io's strict JSON into each request
// message of proto/mingzhang/v1/api.proto, and the credential check of POST /v1/tokens.
//
// Input: one selector character ('0' + index into kMessages below), then the body.
// Properties: no crash or sanitizer report; a refusal is "bad-json"; a body that is accepted is
// one JSON document without a fraction or exponent anywhere; what was accepted prints (as the
// API prints) and parses back to the same message, and protobuf's own JSON parser reads it as the
// same message (ParseJson's fast path for plain bodies, api/v1/json_text.h, must agree with it).
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "api/auth/tokens.h"
#include "api/v1/json_io.h"
#include "mingzhang/v1/api.pb.h"
#include "tests/fuzz/fuzz_support.h"

namespace mingzhang::fuzz {
namespace {

using google::protobuf::Message;

template <class T>
std::unique_ptr<Message> Make() {
  return std::make_unique<T>();
}

using Factory = std::unique_ptr<Message> (*)();
constexpr Factory kMessages[] = {
    Make<v1::CreateFirmRequest>,           // '0'
    Make<v1::CreateCommunityRequest>,      // '1'
    Make<v1::RegisterUnitsRequest>,        // '2'
    Make<v1::RecordPaymentRequest>,        // '3'
    Make<v1::RecordPaymentsBatchRequest>,  // '4'
    Make<v1::RecordDisbursementRequest>,   // '5'
    Make<v1::RecordPublicRevenueRequest>,  // '6'
    Make<v1::EvaluateRequest>,             // '7'
    Make<v1::CreateProposalRequest>,       // '8'
    Make<v1::VoteRequest>,                 // '9'
    Make<v1::CloseProposalRequest>,        // ':'
    Make<v1::ReversalRequest>,             // ';'
    Make<v1::IssueTokenRequest>,           // '<'
};

// True when the document holds a number with a fraction or an exponent.
bool HasFloat(const nlohmann::json& value) {
  if (value.is_number_float()) return true;
  if (!value.is_structured()) return false;
  for (const nlohmann::json& child : value) {
    if (HasFloat(child)) return true;
  }
  return false;
}

// ParseJson is protobuf's JSON mapping made stricter, never looser: what it reads (through the
// fast path for plain bodies, api/v1/json_text.h, or not), protobuf's own parser reads the same.
void CheckSameAsProtobuf(std::string_view body, const Message& parsed) {
  std::unique_ptr<Message> reference(parsed.New());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  FUZZ_CHECK(google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(body.data(), body.size()),
                                                         reference.get(), options)
                 .ok());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(parsed, *reference));
}

void CheckCredentialOf(const v1::IssueTokenRequest& request) {
  v1::Credential credential;
  credential.set_role(request.role());
  credential.set_principal_id(request.principal_id());
  *credential.mutable_community_ids() = request.communities();
  *credential.mutable_unit_ids() = request.units();
  const Status checked = CheckCredential(credential);
  FUZZ_CHECK(checked.ok() || checked.slug() == kBadCredentialSlug);
}

}  // namespace
}  // namespace mingzhang::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mingzhang;
  using namespace mingzhang::fuzz;
  if (size == 0) return 0;
  const size_t index = static_cast<uint8_t>(data[0] - '0') % std::size(kMessages);
  const std::string_view body = AsText(data + 1, size - 1);
  std::unique_ptr<Message> message = kMessages[index]();
  const Status parsed = api::ParseJson(body, message.get());
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.slug() == "bad-json");
    return 0;
  }
  const nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(document.is_object());
  FUZZ_CHECK(!HasFloat(document));
  CheckSameAsProtobuf(body, *message);
  const std::string printed = ProtoToJson(*message).dump();
  std::unique_ptr<Message> again(message->New());
  FUZZ_CHECK(api::ParseJson(printed, again.get()).ok());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*message, *again));
  if (const auto* token = dynamic_cast<const v1::IssueTokenRequest*>(message.get())) CheckCredentialOf(*token);
  return 0;
}
