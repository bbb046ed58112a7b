// mingzhang import --server URL --token-file F --community C --csv payments.csv
//
// Records the fee payments of a CSV all or nothing. The CSV has one of the headers
//   unit_id,amount,period,months,paid_on,method,receipt_ref        amount in fen: 25650
//   unit_id,amount_yuan,period,months,paid_on,method,receipt_ref   amount in yuan: 256.50
// (period "YYYY-MM", paid_on "YYYY-MM-DD", method bank|wechat|alipay|cash|other; a yuan amount
// has at most two decimals and no separators; RFC 4180 quoting allowed, CRLF or LF). The file is
// UTF-8 or GBK/GB18030, as Excel on Chinese Windows saves it (gb18030.h); a UTF-8 BOM is dropped.
//
// Nothing is written unless every row can be: (1) every row is read and checked here, and all
// problems are listed by line; (2) the whole file goes to POST .../payments:check, which checks
// each row as the ledger would append it, earlier rows applied, and lists every refusal (an
// unknown unit, a receipt used twice) by line; (3) only then is it sent as ONE payments:batch,
// which the ledger appends whole or not at all. A file of more than kGroupEntriesMax rows is
// refused: split it. Each row's idempotency key is "import-" followed by the first 16 hex digits
// of SHA-256 of the row's text in UTF-8 (without its line ending), so importing the same file
// again writes nothing twice: the server answers the repeats with the original entries. The
// portal's import (api/web/src/views/firm_tools.js) makes the same keys from the same rows.
#include <iostream>
#include <map>
#include <vector>

#include "ledger/base/calendar.h"
#include "ledger/base/crypto.h"
#include "ledger/domain/domain.h"
#include "ledger/base/encoding.h"
#include "ledger/base/gb18030.h"
#include "ledger/log/ledger.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

constexpr const char* kHeader = "unit_id,amount,period,months,paid_on,method,receipt_ref";
constexpr const char* kHeaderYuan = "unit_id,amount_yuan,period,months,paid_on,method,receipt_ref";
constexpr size_t kErrorsShownMax = 50;

struct Row {
  size_t line = 0;
  std::string key;
  nlohmann::json body;
};

// Splits one CSV record (RFC 4180, without line breaks inside quotes).
Result<std::vector<std::string>> SplitCsv(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  for (;;) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return InvalidArgument("bad-csv", "unterminated quoted field");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') return InvalidArgument("bad-csv", "text after a closing quote");
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') return InvalidArgument("bad-csv", "a quote inside an unquoted field");
        field += line[i++];
      }
    }
    fields.push_back(field);
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

// "256.50", "256.5" or "256" yuan as fen, exactly (never through floating point).
std::optional<int64_t> ParseYuan(std::string_view text) {
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto digits = [](std::string_view d) { return d.find_first_not_of("0123456789") == std::string_view::npos; };
  if (whole.empty() || whole.size() > 12 || !digits(whole) || !digits(fraction)) return std::nullopt;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2)) return std::nullopt;
  std::string fen_text = std::string(whole) + std::string(fraction) + std::string(2 - fraction.size(), '0');
  return ParseI64(fen_text);
}

Result<int64_t> RowAmount(const std::string& cell, bool in_yuan) {
  std::optional<int64_t> amount = in_yuan ? ParseYuan(cell) : ParseI64(cell);
  if (amount && *amount >= 1 && *amount <= kAmountFenMax) return *amount;
  if (in_yuan) {
    return InvalidArgument("bad-csv", "amount_yuan must be yuan with at most 2 decimals, e.g. 256.50, 0.01 to " +
                                          std::to_string(kAmountFenMax / 100));
  }
  return InvalidArgument("bad-csv", "amount must be a whole number of fen, 1 to " + std::to_string(kAmountFenMax) +
                                        " (25650 for 256.50 yuan; or use the header's amount_yuan column)");
}

Result<nlohmann::json> RowBody(const std::vector<std::string>& f, bool in_yuan) {
  if (f.size() != 7) {
    return InvalidArgument("bad-csv", "expected 7 fields, found " + std::to_string(f.size()));
  }
  const std::string& unit = f[0];
  if (!ValidId(unit)) return InvalidArgument("bad-csv", "unit_id must be 1-64 of A-Z a-z 0-9 . _ -");
  MZ_ASSIGN_OR_RETURN(int64_t amount, RowAmount(f[1], in_yuan));
  if (!ParseMonth(f[2]).ok()) return InvalidArgument("bad-csv", "period must be a month YYYY-MM");
  std::optional<uint64_t> months = ParseU64(f[3]);
  if (!months || *months < 1 || *months > kPaymentMonthsMax) {
    return InvalidArgument("bad-csv", "months must be 1 to " + std::to_string(kPaymentMonthsMax));
  }
  if (!ParseDate(f[4]).ok()) return InvalidArgument("bad-csv", "paid_on must be a date YYYY-MM-DD");
  static const std::set<std::string> kMethods = {"bank", "wechat", "alipay", "cash", "other"};
  if (!kMethods.count(f[5])) return InvalidArgument("bad-csv", "method must be bank, wechat, alipay, cash or other");
  if (f[6].size() > kRefBytesMax || !ValidUtf8(f[6])) {
    return InvalidArgument("bad-csv", "receipt_ref must be UTF-8 of at most " + std::to_string(kRefBytesMax) + " bytes");
  }
  return nlohmann::json{{"unit_id", unit}, {"amount", amount}, {"period", f[2]},  {"months", *months},
                        {"paid_on", f[4]}, {"method", f[5]},    {"receipt_ref", f[6]}};
}

// Reads and checks the whole file; on any error returns every problem found (by line number).
Result<std::vector<Row>> ParseFile(const std::string& text, std::vector<std::string>& errors) {
  std::vector<Row> rows;
  std::map<std::string, size_t> first_line_of_key;
  size_t line_no = 0;
  bool header_seen = false;
  bool in_yuan = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string where = "line " + std::to_string(line_no) + ": ";
    if (!header_seen) {
      if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // a UTF-8 byte order mark
      if (line != kHeader && line != kHeaderYuan) {
        errors.push_back(where + "the header must be exactly " + std::string(kHeader) + " (amount in fen) or " +
                         kHeaderYuan + " (amount in yuan)");
        return std::vector<Row>();
      }
      in_yuan = line == kHeaderYuan;
      header_seen = true;
      continue;
    }
    if (line.find_first_not_of(" \t,") == std::string_view::npos) continue;  // blank (Excel leaves ",,,,,,")
    Result<std::vector<std::string>> fields = SplitCsv(line);
    Result<nlohmann::json> body = fields.ok() ? RowBody(*fields, in_yuan) : Result<nlohmann::json>(fields.status());
    if (!body.ok()) {
      errors.push_back(where + body.status().message());
      continue;
    }
    std::string key = "import-" + HexEncode(AsBytes(Sha256(line))).substr(0, 16);
    if (auto [it, fresh] = first_line_of_key.emplace(key, line_no); !fresh) {
      errors.push_back(where + "repeats line " + std::to_string(it->second) +
                       " exactly (the same payment would be recorded once); make the rows differ, e.g. by receipt_ref");
      continue;
    }
    (*body)["idempotency_key"] = key;
    rows.push_back(Row{line_no, key, std::move(*body)});
  }
  if (!header_seen) errors.push_back("the file is empty; it needs the header " + std::string(kHeader));
  return rows;
}

void PrintErrors(const std::vector<std::string>& errors) {
  for (size_t i = 0; i < errors.size() && i < kErrorsShownMax; ++i) std::cerr << "  " << errors[i] << "\n";
  if (errors.size() > kErrorsShownMax) std::cerr << "  ... and " << errors.size() - kErrorsShownMax << " more\n";
}

// The file's text in UTF-8: as it is when it is UTF-8, else decoded from GBK/GB18030.
Result<std::string> FileText(const std::string& bytes) {
  DecodedText text = DecodeUtf8OrGb18030(bytes);
  if (!text.bad_byte_offset) return std::move(text.utf8);
  return InvalidArgument("bad-csv", "line " + std::to_string(LineOfOffset(bytes, *text.bad_byte_offset)) +
                                        ": bytes that are neither UTF-8 nor GBK/GB18030 text");
}

nlohmann::json BatchBody(const std::vector<Row>& rows) {
  nlohmann::json payments = nlohmann::json::array();
  for (const Row& row : rows) payments.push_back(row.body);
  return nlohmann::json{{"payments", std::move(payments)}};
}

// The server's check of every row, earlier rows applied: each refusal by its CSV line.
Result<std::vector<std::string>> ServerProblems(HttpClient& client, const std::string& target, const std::string& token,
                                                const std::vector<Row>& rows, const std::string& body) {
  MZ_ASSIGN_OR_RETURN(HttpAnswer answer, client.SendRetrying(Method::kPost, target + ":check", token, body));
  if (answer.status != 200) return ProblemStatus(answer);
  nlohmann::json check = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (check.is_discarded() || !check.contains("problems")) return Unavailable("bad-answer", "payments:check answered no problems list");
  std::vector<std::string> problems;
  for (const nlohmann::json& p : check["problems"]) {
    const size_t index = p.value("index", size_t{0});
    const size_t line = index < rows.size() ? rows[index].line : 0;
    problems.push_back("line " + std::to_string(line) + ": refused " + p.value("type", "") + ": " + p.value("detail", ""));
  }
  return problems;
}

// A batch refused after a clean check (the log changed in between) names the group's member.
std::string RefusalByLine(const Status& refusal, const std::vector<Row>& rows) {
  const std::string prefix = "entry ";
  const std::string& message = refusal.message();
  if (message.rfind(prefix, 0) == 0) {
    std::optional<uint64_t> index = ParseU64(message.substr(prefix.size(), message.find(' ', prefix.size()) - prefix.size()));
    if (index && *index < rows.size()) {
      return "line " + std::to_string(rows[*index].line) + ": refused " + refusal.slug() + ": " +
             message.substr(message.find(": ") + 2);
    }
  }
  return "refused " + refusal.slug() + ": " + message;
}

int Import(const Args& args) {
  std::optional<std::string> url = args.Get("server");
  std::optional<std::string> token_file = args.Get("token-file");
  std::optional<std::string> community = args.Get("community");
  std::optional<std::string> csv = args.Get("csv");
  if (!url || !token_file || !community || !csv) {
    return Usage("import needs --server, --token-file, --community and --csv");
  }
  if (!args.positional().empty()) return Usage("import takes no argument " + args.positional().front());
  if (!ValidId(*community)) return Usage("--community must be 1-64 of A-Z a-z 0-9 . _ -");
  Result<ServerUrl> server = ServerUrl::Parse(*url);
  if (!server.ok()) return Fail(server.status());
  Result<std::string> token = ReadTokenFile(*token_file);
  if (!token.ok()) return Fail(token.status());
  Result<std::string> bytes = ReadFile(*csv);
  if (!bytes.ok()) return Fail(bytes.status());
  Result<std::string> text = FileText(*bytes);
  if (!text.ok()) return Fail(text.status());

  std::vector<std::string> errors;
  Result<std::vector<Row>> rows = ParseFile(*text, errors);
  if (!rows.ok()) return Fail(rows.status());
  if (!errors.empty()) {
    std::cerr << "mingzhang: " << *csv << " is refused; nothing was sent:\n";
    PrintErrors(errors);
    return kExitUsage;
  }
  if (rows->empty()) return Fail(InvalidArgument("bad-csv", *csv + " holds no payments"));
  if (rows->size() > kGroupEntriesMax) {
    return Fail(InvalidArgument("bad-csv", *csv + " holds " + std::to_string(rows->size()) + " payments; one import is at most " +
                                               std::to_string(kGroupEntriesMax) +
                                               " (written all or nothing): split the file and import each part"));
  }

  HttpClient client(*server);
  const std::string target = "/v1/communities/" + *community + "/payments";
  const std::string body = BatchBody(*rows).dump();
  Result<std::vector<std::string>> problems = ServerProblems(client, target, *token, *rows, body);
  if (!problems.ok()) return Fail(problems.status());
  if (!problems->empty()) {
    std::cerr << "mingzhang: " << *csv << " is refused; nothing was written. The server refused " << problems->size()
              << " of " << rows->size() << " rows:\n";
    PrintErrors(*problems);
    return kExitProblem;
  }
  Result<HttpAnswer> answer = client.SendRetrying(Method::kPost, target + ":batch", *token, body);
  if (!answer.ok()) return Fail(answer.status());
  if (!answer->ok()) {
    Status refusal = ProblemStatus(*answer);
    std::cerr << "mingzhang: " << *csv << " is refused; nothing was written:\n  " << RefusalByLine(refusal, *rows) << "\n";
    return answer->status >= 500 ? kExitUsage : kExitProblem;
  }
  nlohmann::json written = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (written.is_discarded()) return Fail(Unavailable("bad-answer", "payments:batch answered no JSON"));
  std::cout << "imported " << *csv << " into " << *community << ": " << rows->size() << " payments: "
            << written.value("written", 0) << " written, " << written.value("replayed", 0)
            << " replayed (already recorded), all in one batch\n";
  return kExitOk;
}

}  // namespace

const Command& ImportCommand() {
  static const Command command{
      "import",
      "  import --server URL --token-file F --community C --csv FILE\n"
      "                                          record fee payments from a CSV, all or nothing (unit_id,\n"
      "                                          amount|amount_yuan,period,months,paid_on,method,receipt_ref;\n"
      "                                          UTF-8 or GBK); every row is checked by the server first and\n"
      "                                          every problem listed by line; re-importing writes nothing twice\n",
      {"server", "token-file", "community", "csv"}, {}, {}, Import};
  return command;
}

}  // namespace mingzhang::cli
