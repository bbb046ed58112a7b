// mingzhang import --server URL --token-file F --community C --csv payments.csv [--parallel N]
//
// Posts each row of a payments CSV to POST /v1/communities/{c}/payments. The CSV has the header
//   unit_id,amount,period,months,paid_on,method,receipt_ref
// (amount in fen, period "YYYY-MM", paid_on "YYYY-MM-DD", method bank|wechat|alipay|cash|other;
// RFC 4180 quoting allowed, CRLF or LF). Every row is checked before anything is sent: one bad
// row refuses the whole file. Each row's idempotency key is "import-" followed by the first 16
// hex digits of SHA-256 of the row's text (without its line ending), so importing the same file
// again writes nothing twice: the server answers the repeats with the original entries.
#include <iostream>
#include <map>
#include <mutex>
#include <vector>

#include "ledger/calendar.h"
#include "ledger/crypto.h"
#include "ledger/domain.h"
#include "ledger/encoding.h"
#include "tools/cli.h"
#include "tools/http_client.h"

namespace mingzhang::cli {
namespace {

constexpr const char* kHeader = "unit_id,amount,period,months,paid_on,method,receipt_ref";
constexpr size_t kImportWorkersDefault = 8;
constexpr size_t kErrorsShownMax = 20;

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

Result<nlohmann::json> RowBody(const std::vector<std::string>& f) {
  if (f.size() != 7) {
    return InvalidArgument("bad-csv", "expected 7 fields, found " + std::to_string(f.size()));
  }
  const std::string& unit = f[0];
  if (!ValidId(unit)) return InvalidArgument("bad-csv", "unit_id must be 1-64 of A-Z a-z 0-9 . _ -");
  std::optional<int64_t> amount = ParseI64(f[1]);
  if (!amount || *amount < 1 || *amount > kAmountFenMax) {
    return InvalidArgument("bad-csv", "amount must be a whole number of fen, 1 to " + std::to_string(kAmountFenMax));
  }
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
  return nlohmann::json{{"unit_id", unit}, {"amount", *amount}, {"period", f[2]},  {"months", *months},
                        {"paid_on", f[4]}, {"method", f[5]},    {"receipt_ref", f[6]}};
}

// Reads and checks the whole file; on any error returns every problem found (by line number).
Result<std::vector<Row>> ParseFile(const std::string& text, std::vector<std::string>& errors) {
  std::vector<Row> rows;
  std::map<std::string, size_t> first_line_of_key;
  size_t line_no = 0;
  bool header_seen = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string where = "line " + std::to_string(line_no) + ": ";
    if (!header_seen) {
      if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // a UTF-8 byte order mark
      if (line != kHeader) {
        errors.push_back(where + "the header must be exactly " + std::string(kHeader));
        return std::vector<Row>();
      }
      header_seen = true;
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    Result<std::vector<std::string>> fields = SplitCsv(line);
    Result<nlohmann::json> body = fields.ok() ? RowBody(*fields) : Result<nlohmann::json>(fields.status());
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

enum class Outcome { kWritten, kReplayed, kRefused, kFailed };

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
  size_t workers = kImportWorkersDefault;
  if (auto p = args.Get("parallel")) {
    std::optional<uint64_t> n = ParseU64(*p);
    if (!n || *n == 0 || *n > 64) return Usage("--parallel must be 1 to 64");
    workers = static_cast<size_t>(*n);
  }
  Result<ServerUrl> server = ServerUrl::Parse(*url);
  if (!server.ok()) return Fail(server.status());
  Result<std::string> token = ReadTokenFile(*token_file);
  if (!token.ok()) return Fail(token.status());
  Result<std::string> text = ReadFile(*csv);
  if (!text.ok()) return Fail(text.status());

  std::vector<std::string> errors;
  Result<std::vector<Row>> rows = ParseFile(*text, errors);
  if (!rows.ok()) return Fail(rows.status());
  if (!errors.empty()) {
    std::cerr << "mingzhang: " << *csv << " is refused; nothing was sent:\n";
    for (size_t i = 0; i < errors.size() && i < kErrorsShownMax; ++i) std::cerr << "  " << errors[i] << "\n";
    if (errors.size() > kErrorsShownMax) std::cerr << "  ... and " << errors.size() - kErrorsShownMax << " more\n";
    return kExitUsage;
  }

  std::vector<Outcome> outcomes(rows->size(), Outcome::kFailed);
  std::vector<std::string> reasons(rows->size());
  std::mutex mu;
  size_t done = 0;
  Progress progress("import", rows->size());
  const std::string target = "/v1/communities/" + *community + "/payments";
  ForEachParallel(*server, workers, rows->size(), [&](HttpClient& client, size_t i) {
    Result<HttpAnswer> answer = client.SendRetrying(Method::kPost, target, *token, (*rows)[i].body.dump());
    Outcome outcome;
    std::string reason;
    if (!answer.ok()) {
      outcome = Outcome::kFailed;
      reason = answer.status().message();
    } else if (answer->status == 201) {
      outcome = Outcome::kWritten;
    } else if (answer->status == 200) {
      outcome = Outcome::kReplayed;
    } else {
      Status s = ProblemStatus(*answer);
      outcome = answer->status >= 500 ? Outcome::kFailed : Outcome::kRefused;
      reason = s.slug() + ": " + s.message();
    }
    std::lock_guard lock(mu);
    outcomes[i] = outcome;
    reasons[i] = std::move(reason);
    progress.Set(++done);
  });
  progress.Finish();

  size_t counts[4] = {0, 0, 0, 0};
  for (Outcome o : outcomes) ++counts[static_cast<int>(o)];
  std::cout << "imported " << *csv << " into " << *community << ": " << rows->size() << " payments: "
            << counts[0] << " written, " << counts[1] << " replayed (already recorded), " << counts[2] << " refused";
  if (counts[3] > 0) std::cout << ", " << counts[3] << " failed";
  std::cout << "\n";
  for (size_t i = 0; i < rows->size(); ++i) {
    if (outcomes[i] == Outcome::kRefused || outcomes[i] == Outcome::kFailed) {
      std::cout << "  line " << (*rows)[i].line << ": " << (outcomes[i] == Outcome::kRefused ? "refused " : "failed ")
                << reasons[i] << "\n";
    }
  }
  if (counts[3] > 0) return kExitUsage;
  return counts[2] > 0 ? kExitProblem : kExitOk;
}

}  // namespace

const Command& ImportCommand() {
  static const Command command{
      "import",
      "  import --server URL --token-file F --community C --csv FILE [--parallel N]\n"
      "                                          record fee payments from a CSV (unit_id,amount,period,\n"
      "                                          months,paid_on,method,receipt_ref; amount in fen); a\n"
      "                                          bad file is refused whole; re-importing writes nothing twice\n",
      {"server", "token-file", "community", "csv", "parallel"}, {}, {}, Import};
  return command;
}

}  // namespace mingzhang::cli
