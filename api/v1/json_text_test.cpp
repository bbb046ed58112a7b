// The fast entry JSON writer must give the very bytes of the protobuf + nlohmann path it replaced:
// clients (the CLI's verify and audit among them) compare entries as JSON.
#include "api/v1/json_text.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <functional>
#include <memory>
#include <optional>

#include <catch2/catch.hpp>

#include "api/v1/json_io.h"
#include "mingzhang/v1/api.pb.h"

namespace mingzhang::api {
namespace {

std::string Slow(const StoredEntry& e, bool with_bytes) {
  return EntryJson(e, with_bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StoredEntry Stored(const std::string& text_format) {
  StoredEntry e;
  REQUIRE(google::protobuf::TextFormat::ParseFromString(text_format, &e.entry));
  e.bytes = std::string("\0\xff", 2) + text_format;  // any bytes: only their base64 is printed
  for (size_t i = 0; i < e.leaf_hash.size(); ++i) {
    e.leaf_hash[i] = static_cast<uint8_t>(i * 7);
    e.chain_hash[i] = static_cast<uint8_t>(255 - i);
  }
  return e;
}

// One entry of every body kind, with values at the edges of the JSON mapping: zero in a oneof,
// negative and largest int64, an enum number with no name, empty messages and lists, quotes,
// backslashes, control characters and Chinese text.
const char* const kEntries[] = {
    R"(seq: 0 prev_hash: "\000\000\000\000" recorded_at_ms: 1 actor { role: admin principal_id: "admin" }
       idempotency_key: "k" firm { firm_id: "huaxin" name: "华信物业服务有限公司" })",
    R"(seq: 1 community_id: "lanting" actor { role: admin } firm { })",
    R"(seq: 2 community_id: "c" community { name: "兰亭苑" firm_id: "f" fee_rate_fen_per_m2_month: 250
       remuneration { basis_points_of_fee_income: 0 } start_month: "2025-12" })",
    R"(seq: 3 community_id: "c" community { remuneration { fixed_fen_per_month: 9223372036854775807 } })",
    R"(seq: 4 community_id: "c" actor { role: firm principal_id: "f" } units { units { unit_id: "1-0101" area_centi_m2: 8000 }
       units { unit_id: "1-0102" } units { } })",
    R"(seq: 5 community_id: "c" actor { role: owner principal_id: "o" unit_ids: "1-0101" unit_ids: "1-0102" }
       fee_payment { unit_id: "1-0101" amount: 20000 period: "2026-01" months: 12 paid_on: "2026-01-05" method: wechat
       receipt_ref: "q\"uote\\back\nnew\ttab\001ctl\037\177del" })",
    R"(seq: 6 fee_payment { method: 42 amount: -5 })",
    R"(seq: 7 recorded_at_ms: -9223372036854775808 disbursement { fund: FEES category: REMUNERATION amount: 1
       payee: "x" description: "2026-11 物业服务酬金（10% 物业费收入）" paid_on: "2026-11-28"
       voucher_sha256: "6a8432174812ef82daf8d2acaa07eb165fcdc9fbabe5ec694077fa5ab4a2806b" resolution_id: "R-1" })",
    R"(seq: 8 public_revenue { source: venue_rental amount: 3 payer: "p" received_on: "2026-01-01" contract_ref: "c" })",
    R"(seq: 9 evaluation { payment_seq: 18446744073709551615 scores { cleaning: 5 security: 1 greenery: 0 repair: 4294967295 }
       comment: "评价：很好 \"ok\"" })",
    R"(seq: 10 proposal { proposal_id: "P-1" title: "t" matter: SPECIAL amount: 100 fund: PUBLIC_REVENUE closes_on: "2026-02-01" })",
    R"(seq: 11 ballot { proposal_id: "P-1" unit_id: "u" choice: ABSTAIN })",
    R"(seq: 12 proposal_close { proposal_id: "P-1" tally { eligible_units: 600 quorum_met: true passed: false
       abstain_area_centi_m2: 7 } resolution_id: "R-P-1" })",
    R"(seq: 13 reversal { target_seq: 5 reason: "" })",
    R"(seq: 14 reversal { })",
    R"(seq: 15)",
};

TEST_CASE("EntryJsonText writes the bytes of EntryJson(...).dump() for every kind of entry") {
  for (const char* text : kEntries) {
    INFO(text);
    StoredEntry e = Stored(text);
    CHECK(EntryJsonText(e, false) == Slow(e, false));
    CHECK(EntryJsonText(e, true) == Slow(e, true));
  }
}

TEST_CASE("EntryJsonText of a payment is the exact JSON a client receives") {
  StoredEntry e = Stored(R"(seq: 3 community_id: "c" fee_payment { unit_id: "u" amount: 20000 months: 1 method: bank })");
  CHECK(EntryJsonText(e, false) ==
        R"({"chain_hash":"//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=","entry":{"community_id":"c",)"
        R"("fee_payment":{"amount":"20000","method":"bank","months":1,"unit_id":"u"},"seq":"3"},)"
        R"("leaf_hash":"AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tk=","seq":"3"})");
}

TEST_CASE("EntryJsonText stays valid JSON when a string is not UTF-8") {
  // Stored entries cannot hold such strings (requests are checked, stored bytes parse strictly);
  // protobuf's printer drops the bad bytes, nlohmann's replaces them with U+FFFD, as here.
  StoredEntry e = Stored(R"(seq: 9 evaluation { comment: "bad \377 and a lone \355\240\200 surrogate" })");
  nlohmann::json parsed = nlohmann::json::parse(EntryJsonText(e, false));
  CHECK(parsed["entry"]["evaluation"]["comment"] == "bad \xEF\xBF\xBD and a lone \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate");
}

TEST_CASE("AppendJsonString escapes as nlohmann does") {
  const std::string samples[] = {"", "plain", "\"\\/", std::string("\0\x01\x1f\x7f", 4), "\b\f\n\r\t", "中文", "\xff", "a\xc3"};
  for (const std::string& s : samples) {
    std::string out;
    AppendJsonString(out, s);
    CHECK(out == nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

// Protobuf's own reading of `body` (serialized), or nullopt when it refuses it.
std::optional<std::string> ProtobufReads(std::string_view body, google::protobuf::Message& message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(body.data(), body.size()),
                                                            &message, options);
  if (!status.ok()) return std::nullopt;
  return message.SerializeAsString();
}

struct PlainCase {
  std::function<std::unique_ptr<google::protobuf::Message>()> make;
  std::string body;
  bool plain;  // ParsePlainJson answers it (else it must leave it to protobuf)
};

template <typename T>
std::unique_ptr<google::protobuf::Message> Make() {
  return std::make_unique<T>();
}

constexpr auto Payment = Make<v1::RecordPaymentRequest>;
const std::string kPayment =
    R"({"idempotency_key":"r-t0-1","unit_id":"u-00001","amount":20000,"period":"2026-02","months":1,)"
    R"("paid_on":"2026-11-23","method":"alipay","receipt_ref":"r-t0-1"})";

const PlainCase kPlainCases[] = {
    {Payment, kPayment, true},
    {Payment, " {} ", true},
    {Payment, R"({"amount":"20000","months":4294967295,"unit_id":"\u4e2d\n\u0000\"","method":"METHOD_UNSPECIFIED"})", true},
    {Payment, R"({"amount":-5})", true},
    {Payment, R"({"amount":"-5"})", true},
    {Payment, R"({"amount":"0"})", true},
    {Payment, R"({"amount":9223372036854775807})", true},
    {Payment, R"({"amount":"-9223372036854775808"})", true},
    {Payment, R"({"amount":9007199254740993})", true},
    // Left to protobuf: whatever the plain reading does not cover, accepted or refused there.
    {Payment, R"({"amount":9223372036854775808})", false},
    {Payment, R"({"amount":"9223372036854775808"})", false},
    {Payment, R"({"amount":"007"})", false},
    {Payment, R"({"amount":"+5"})", false},
    {Payment, R"({"amount":" 5"})", false},
    {Payment, R"({"amount":"-0"})", false},
    {Payment, R"({"amount":"5e2"})", false},
    {Payment, R"({"amount":true})", false},
    {Payment, R"({"amount":null})", false},
    {Payment, R"({"months":4294967296})", false},
    {Payment, R"({"months":-1})", false},
    {Payment, R"({"months":"5"})", false},
    {Payment, R"({"method":2})", false},
    {Payment, R"({"method":"WECHAT"})", false},
    {Payment, R"({"method":"nonsense"})", false},
    {Payment, R"({"unitId":"u"})", false},
    {Payment, R"({"unit_id":"a","unit_id":"b"})", false},
    {Payment, R"({"unit":"u"})", false},
    {Payment, R"({"unit_id":["u"]})", false},
    {Payment, R"({"unit_id":{"id":"u"}})", false},
    {Payment, R"({"unit_id":5})", false},
    {Payment, R"([{"unit_id":"u"}])", false},
    {Payment, R"("u")", false},
    {Payment, "\xEF\xBB\xBF{}", false},
    {Payment, R"({"unit_id":"u"} x)", false},
    {Payment, std::string("{}\0{\"x\"", 7), false},
    {Payment, std::string("{\"unit_id\":\"u\"}\0", 16), false},
    {Payment, R"({"unit_id":"u")", false},
    {Make<v1::RecordPaymentsBatchRequest>, "{\"payments\":[" + kPayment + "]}", false},
    {Make<v1::Remuneration>, R"({"basis_points_of_fee_income":0})", true},
    {Make<v1::Remuneration>, R"({"basis_points_of_fee_income":5,"fixed_fen_per_month":"7"})", false},
    {Make<v1::Tally>, R"({"quorum_met":true,"passed":false,"yes_units":"3"})", true},
    {Make<v1::Tally>, R"({"quorum_met":1})", false},
    {Make<v1::Evaluation>, R"({"payment_seq":"18446744073709551615"})", true},
    {Make<v1::Evaluation>, R"({"payment_seq":18446744073709551615})", true},
    {Make<v1::Evaluation>, R"({"payment_seq":-1})", false},
    {Make<v1::Evaluation>, R"({"payment_seq":"-1"})", false},
    {Make<v1::Entry>, R"({"prev_hash":"AAAA"})", false},
};

TEST_CASE("ParsePlainJson answers plain bodies, exactly as protobuf reads them") {
  for (const PlainCase& c : kPlainCases) {
    INFO(c.body);
    std::unique_ptr<google::protobuf::Message> fast = c.make(), slow = c.make();
    const bool answered = ParsePlainJson(c.body, fast.get());
    CHECK(answered == c.plain);
    if (answered) {
      std::optional<std::string> expected = ProtobufReads(c.body, *slow);
      REQUIRE(expected.has_value());
      CHECK(fast->SerializeAsString() == *expected);
    } else {
      CHECK(fast->ByteSizeLong() == 0);
    }
  }
}

TEST_CASE("ParsePlainJson reads a payment's every field") {
  v1::RecordPaymentRequest p;
  REQUIRE(ParsePlainJson(kPayment, &p));
  CHECK(p.idempotency_key() == "r-t0-1");
  CHECK(p.unit_id() == "u-00001");
  CHECK(p.amount() == 20000);
  CHECK(p.period() == "2026-02");
  CHECK(p.months() == 1);
  CHECK(p.paid_on() == "2026-11-23");
  CHECK(p.method() == v1::FeePayment::alipay);
  CHECK(p.receipt_ref() == "r-t0-1");
}

}  // namespace
}  // namespace mingzhang::api
