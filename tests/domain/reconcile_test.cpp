#include "ledger/domain/reconcile.h"
#include "ledger/views/json/view_json.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mingzhang {

// Readable failures: Catch2 prints these instead of "{?}". Found by ADL, so not in the
// anonymous namespace.
std::ostream& operator<<(std::ostream& os, Direction d) { return os << (d == Direction::kCredit ? "credit" : "debit"); }
std::ostream& operator<<(std::ostream& os, const BankLine& l) {
  return os << "{line " << l.line_number << ", " << l.date << ", " << l.amount_fen << " fen, " << l.direction << ", \""
            << l.counterparty << "\", \"" << l.reference << "\"}";
}
std::ostream& operator<<(std::ostream& os, const LedgerItem& i) {
  return os << "{seq " << i.seq << ", " << i.date << ", " << i.amount_fen << " fen, " << i.direction << ", \""
            << i.reference << "\"}";
}
std::ostream& operator<<(std::ostream& os, const Match& m) {
  return os << "{seq " << m.seq << " <-> line " << m.bank_line << (m.exact ? ", exact}" : ", loose}");
}

namespace {

constexpr Direction kIn = Direction::kCredit;
constexpr Direction kOut = Direction::kDebit;
const std::string kBom = "\xEF\xBB\xBF";
const std::string kPlainHeader = "date,amount,direction,counterparty,reference\n";

// Samples mark ICBC's tab padding with a visible "⇥"; this puts the real tab bytes in.
std::string Tabs(std::string_view text) {
  std::string out(text);
  const std::string_view mark = "⇥";
  for (size_t at = out.find(mark); at != std::string::npos; at = out.find(mark, at)) out.replace(at, mark.size(), "\t");
  return out;
}

std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

BankLine Line(int n, std::string date, int64_t fen, Direction d, std::string reference = "",
              std::string counterparty = "") {
  return BankLine{n, std::move(date), fen, d, std::move(counterparty), std::move(reference)};
}

LedgerItem Item(uint64_t seq, std::string date, int64_t fen, Direction d, std::string reference = "") {
  return LedgerItem{seq, std::move(date), fen, d, std::move(reference)};
}

BankStatement Bank(std::vector<BankLine> lines) { return BankStatement{BankFormat::kPlain, std::move(lines)}; }

BankStatement RequireParsed(const std::string& csv) {
  Result<BankStatement> r = ParseBankStatement(csv);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

void RequireRefused(const std::string& csv, const std::string& slug, const std::string& line,
                    const std::string& problem) {
  Result<BankStatement> r = ParseBankStatement(csv);
  REQUIRE_FALSE(r.ok());
  INFO(r.status().ToString());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().slug() == slug);
  CHECK_THAT(r.status().message(), Catch::Contains(line) && Catch::Contains(problem));
}

// ---- Parsing -------------------------------------------------------------------------------

TEST_CASE("plain statement: quoting, in/out, thousands separators, blank lines", "[reconcile]") {
  const std::string csv = R"(date,amount,direction,counterparty,reference
2026-10-08,1234.50,credit,张三,R-2026-0001

2026-10-09,"1,000",in,"李四, 3栋",R-2026-0002
20261010,0.01,OUT,"某某""保洁""公司",V-0042
2026-10-11,88.8,Debit,,
)";
  BankStatement s = RequireParsed(csv);
  CHECK(s.format == BankFormat::kPlain);
  CHECK(s.lines == std::vector<BankLine>{
                       Line(2, "2026-10-08", 123450, kIn, "R-2026-0001", "张三"),
                       Line(4, "2026-10-09", 100000, kIn, "R-2026-0002", "李四, 3栋"),
                       Line(5, "2026-10-10", 1, kOut, "V-0042", "某某\"保洁\"公司"),
                       Line(6, "2026-10-11", 8880, kOut, "", ""),
                   });
}

TEST_CASE("ICBC statement: BOM, CRLF, tab padding, separators, '-' cells, totals", "[reconcile]") {
  const std::string csv = kBom + Crlf(Tabs(R"(交易日期,摘要,交易金额(收入),交易金额(支出),余额,对方户名,对方账号,备注
"2026-10-08⇥","物业费⇥","12,345.60⇥","-⇥","112,345.60⇥","张三⇥","6222020200001234⇥","R-2026-0001⇥"
⇥"20261009",⇥转账⇥,,"1,200.00",111145.60,某某电梯维保有限公司,6222020200005678,C-2026-007
"2026-10-10⇥","利息⇥","3.05⇥","⇥","111,148.65⇥","-⇥","⇥","⇥"

合计,,"12,348.65","1,200.00",,,,
)"));
  // The quirks under test really are in the bytes.
  REQUIRE(csv.starts_with("\xEF\xBB\xBF"));
  REQUIRE(csv.find('\t') != std::string::npos);
  REQUIRE(csv.find("\r\n") != std::string::npos);

  BankStatement s = RequireParsed(csv);
  CHECK(s.format == BankFormat::kIcbc);
  CHECK(s.lines == std::vector<BankLine>{
                       Line(2, "2026-10-08", 1234560, kIn, "R-2026-0001", "张三"),
                       Line(3, "2026-10-09", 120000, kOut, "C-2026-007", "某某电梯维保有限公司"),
                       Line(4, "2026-10-10", 305, kIn, "", ""),
                   });
}

TEST_CASE("ICBC header with full-width parentheses is the same format", "[reconcile]") {
  BankStatement s = RequireParsed(
      "交易日期,摘要,交易金额（收入）,交易金额（支出）,余额,对方户名,对方账号,备注\n"
      "20261008,物业费,300.00,-,300.00,张三,6222,R-1\n");
  CHECK(s.format == BankFormat::kIcbc);
  CHECK(s.lines == std::vector<BankLine>{Line(2, "2026-10-08", 30000, kIn, "R-1", "张三")});
}

TEST_CASE("CMB statement: BOM, CRLF, compact dates, '-' cells, totals lines", "[reconcile]") {
  const std::string csv = kBom + Crlf(R"(交易日期,交易时间,收入,支出,余额,交易类型,交易备注,对方户名
20261008,10:23:45,-,800.00,5000.00,转账,V-2026-0042,某某保洁公司
20261009,09:00:01,"2,400.00",-,7400.00,转账,R-2026-0103,王五
20261031,23:59:59,0.5,-,7400.50,利息,,-
合计,,"2,400.50",800.00,,,,
总计笔数,3,,,,,,
)");
  BankStatement s = RequireParsed(csv);
  CHECK(s.format == BankFormat::kCmb);
  CHECK(s.lines == std::vector<BankLine>{
                       Line(2, "2026-10-08", 80000, kOut, "V-2026-0042", "某某保洁公司"),
                       Line(3, "2026-10-09", 240000, kIn, "R-2026-0103", "王五"),
                       Line(4, "2026-10-31", 50, kIn, "", ""),
                   });
}

// A CCB export as the bank gives it: GBK bytes (written out here, independent of the decoder),
// CRLF, full-width parentheses, a date with a time, 0.00 on the side that did not move.
const std::string kCcbGbk =
    "\xBD\xBB\xD2\xD7\xCA\xB1\xBC\xE4,\xBD\xE8\xB7\xBD\xB7\xA2\xC9\xFA\xB6\xEE\xA3\xA8\xD6\xA7\xC8\xA1\xA3\xA9,\xB4\xFB\xB7\xBD\xB7\xA2\xC9\xFA\xB6\xEE\xA3\xA8\xCA\xD5\xC8\xEB\xA3\xA9,\xD3\xE0\xB6\xEE,\xB1\xD2\xD6\xD6,\xB6\xD4\xB7\xBD\xBB\xA7\xC3\xFB,\xB6\xD4\xB7\xBD\xD5\xCB\xBA\xC5,\xB6\xD4\xB7\xBD\xBF\xAA\xBB\xA7\xBB\xFA\xB9\xB9,\xBC\xC7\xD5\xCB\xC8\xD5\xC6\xDA,\xD5\xAA\xD2\xAA,\xB1\xB8\xD7\xA2\r\n"
    "20261008 10:23:45,0.00,\"2,400.00\",\"52,400.00\",\xC8\xCB\xC3\xF1\xB1\xD2,\xCD\xF5\xCE\xE5,6217000012345678,\xBD\xA8\xC9\xE8\xD2\xF8\xD0\xD0\xC0\xBC\xCD\xA4\xD6\xA7\xD0\xD0,20261008,\xD7\xAA\xD5\xCB,R-0101\r\n"
    "2026-10-09 09:00,800.00,0.00,\"51,600.00\",\xC8\xCB\xC3\xF1\xB1\xD2,\xC4\xB3\xC4\xB3\xB1\xA3\xBD\xE0\xB9\xAB\xCB\xBE,6217000087654321,\xBD\xA8\xC9\xE8\xD2\xF8\xD0\xD0\xC4\xB3\xD6\xA7\xD0\xD0,20261009,\xCD\xF8\xD2\xF8\xD7\xAA\xD5\xCB,V-0042\r\n"
    "20261010,0,1.00,\"51,601.00\",RMB,\xC4\xB0\xC9\xFA\xC8\xCB,-,-,20261010,\xC0\xFB\xCF\xA2,-\r\n"
    "";

TEST_CASE("CCB statement in GBK: times, 0.00 cells, currency, '-' cells", "[reconcile]") {
  BankStatement s = RequireParsed(kCcbGbk);
  CHECK(s.format == BankFormat::kCcb);
  CHECK(s.from_gb18030);
  CHECK(s.lines == std::vector<BankLine>{
                       Line(2, "2026-10-08", 240000, kIn, "R-0101", "王五"),
                       Line(3, "2026-10-09", 80000, kOut, "V-0042", "某某保洁公司"),
                       Line(4, "2026-10-10", 100, kIn, "", "陌生人"),
                   });
  CHECK(std::string(BankFormatName(s.format)) == "CCB");
  // The same statement in UTF-8 reads the same, and is not marked as decoded.
  BankStatement utf8 = RequireParsed(kBom + std::string(
      "交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注\n"
      "20261008 10:23:45,0.00,\"2,400.00\",\"52,400.00\",人民币,王五,6217000012345678,建设银行兰亭支行,20261008,转账,R-0101\n"));
  CHECK_FALSE(utf8.from_gb18030);
  CHECK(utf8.lines.front() == s.lines.front());
}

TEST_CASE("a GBK statement with a damaged byte is refused naming its line", "[reconcile]") {
  std::string damaged = kCcbGbk;
  const size_t line3 = damaged.find("2026-10-09");
  REQUIRE(line3 != std::string::npos);
  damaged.insert(line3 + 16, "\x81");  // a lead byte before the comma after "09:00"
  RequireRefused(damaged, "bad-bank-statement", "line 3:", "byte 0x81 is neither UTF-8 nor GBK/GB18030");
  // ICBC and CMB exports in GBK parse too: 交易日期 in GBK is BD BB D2 D7 C8 D5 C6 DA.
  const std::string icbc_gbk =
      "\xBD\xBB\xD2\xD7\xC8\xD5\xC6\xDA,\xD5\xAA\xD2\xAA,\xBD\xBB\xD2\xD7\xBD\xF0\xB6\xEE(\xCA\xD5\xC8\xEB),"
      "\xBD\xBB\xD2\xD7\xBD\xF0\xB6\xEE(\xD6\xA7\xB3\xF6),\xD3\xE0\xB6\xEE,\xB6\xD4\xB7\xBD\xBB\xA7\xC3\xFB,"
      "\xB6\xD4\xB7\xBD\xD5\xCB\xBA\xC5,\xB1\xB8\xD7\xA2\n"
      "2026-10-08,x,1.00,-,1.00,\xCD\xF5\xCE\xE5,-,R-1\n";
  BankStatement icbc = RequireParsed(icbc_gbk);
  CHECK(icbc.format == BankFormat::kIcbc);
  CHECK(icbc.lines == std::vector<BankLine>{Line(2, "2026-10-08", 100, kIn, "R-1", "王五")});
}

// The sample in tools/samples (README there): read as the bank gave it, every line understood.
TEST_CASE("the CCB sample export reads whole", "[reconcile]") {
  std::ifstream in(std::string(MINGZHANG_SAMPLES_DIR) + "/ccb-lanting-2026-10.csv", std::ios::binary);
  REQUIRE(in.good());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BankStatement s = RequireParsed(bytes);
  CHECK(s.format == BankFormat::kCcb);
  CHECK(s.from_gb18030);
  REQUIRE(s.lines.size() == 398);
  CHECK(s.lines.front() == Line(2, "2026-10-01", 28598, kIn, "lanting-2026-10-03960", "业主8-0202"));
  CHECK(s.lines.back().date == "2026-10-28");
  int64_t credit_fen = 0, debit_fen = 0;
  for (const BankLine& l : s.lines) (l.direction == kIn ? credit_fen : debit_fen) += l.amount_fen;
  CHECK(credit_fen == 12450225 + 1234);  // the matched credits and the interest, as README says
  CHECK(debit_fen == 14115846);
}

TEST_CASE("a quoted cell spanning lines keeps later line numbers right", "[reconcile]") {
  BankStatement s = RequireParsed(kPlainHeader +
                                  "2026-10-08,1.00,credit,\"two\nline name\",R1\n"
                                  "2026-10-09,2.00,credit,x,R2");  // no final line break
  CHECK(s.lines == std::vector<BankLine>{
                       Line(2, "2026-10-08", 100, kIn, "R1", "two\nline name"),
                       Line(4, "2026-10-09", 200, kIn, "R2", "x"),
                   });
}

TEST_CASE("amounts are exact fen up to the limit; real calendar dates only", "[reconcile]") {
  BankStatement s = RequireParsed(kPlainHeader +
                                  "2024-02-29,100000000000.00,credit,a,b\n"
                                  "2026-12-31,\"99,999,999,999.99\",debit,a,b\n"
                                  "2000-02-29,0.1,credit,a,b\n"
                                  "2026-01-31,007,credit,a,b\n");
  REQUIRE(s.lines.size() == 4);
  CHECK(s.lines[0].amount_fen == kBankAmountFenMax);
  CHECK(s.lines[1].amount_fen == 9'999'999'999'999);
  CHECK(s.lines[2].amount_fen == 10);
  CHECK(s.lines[3].amount_fen == 700);
  CHECK(RequireParsed(kPlainHeader).lines.empty());
}

TEST_CASE("bad rows are refused with their line number", "[reconcile]") {
  const std::string ok_row = "2026-10-08,1.00,credit,a,b\n";
  const std::string icbc = "交易日期,摘要,交易金额(收入),交易金额(支出),余额,对方户名,对方账号,备注\n";
  const std::string cmb = "交易日期,交易时间,收入,支出,余额,交易类型,交易备注,对方户名\n";
  const std::string ccb = "交易时间,借方发生额(支取),贷方发生额(收入),余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注\n";
  struct Case {
    std::string csv, line, problem;
  };
  const std::vector<Case> cases = {
      {kPlainHeader + "2026-10-08,12.345,credit,a,b\n", "line 2:", "more than 2 decimals"},
      {kPlainHeader + ok_row + "2026-10-08,1.00,credit,a,b" + std::string(1'000'000, ',') + "\n", "line 3:",
       "more than 64 cells in a row"},
      {kPlainHeader + ok_row + "2026-10-08,-5.00,credit,a,b\n", "line 3:", "\"-5.00\" is negative"},
      {kPlainHeader + "2026-10-08,abc,credit,a,b\n", "line 2:", "\"abc\" is not an amount"},
      {kPlainHeader + "2026-10-08,0.00,credit,a,b\n", "line 2:", "is zero"},
      {kPlainHeader + "2026-10-08,,credit,a,b\n", "line 2:", "\"\" is not an amount"},
      {kPlainHeader + "2026-10-08,\"1,23.00\",credit,a,b\n", "line 2:", "not an amount"},
      {kPlainHeader + "2026-10-08,\"1,2345\",credit,a,b\n", "line 2:", "not an amount"},
      {kPlainHeader + "2026-10-08,1.,credit,a,b\n", "line 2:", "not an amount"},
      {kPlainHeader + "2026-10-08,.5,credit,a,b\n", "line 2:", "not an amount"},
      {kPlainHeader + "2026-10-08,+5,credit,a,b\n", "line 2:", "not an amount"},
      {kPlainHeader + "2026-10-08,100000000000.01,credit,a,b\n", "line 2:", "too large"},
      {kPlainHeader + "2026-10-08,99999999999999999999999999,credit,a,b\n", "line 2:", "too large"},
      {icbc + "20260230,x,1.00,-,1.00,a,b,c\n", "line 2:", "\"20260230\" is not a calendar date"},
      {kPlainHeader + "2025-02-29,1.00,credit,a,b\n", "line 2:", "not a calendar date"},
      {kPlainHeader + "2026-13-01,1.00,credit,a,b\n", "line 2:", "not a calendar date"},
      {kPlainHeader + "2026/10/08,1.00,credit,a,b\n", "line 2:", "not a calendar date"},
      {kPlainHeader + ok_row + ok_row + "2026-10-08,1.00,credit,a\n", "line 4:", "has 4 cells; the header has 5"},
      {kPlainHeader + "2026-10-08,1.00,credit,a,b,c\n", "line 2:", "has 6 cells"},
      {kPlainHeader + "2026-10-08,1.00,sideways,a,b\n", "line 2:", "direction \"sideways\""},
      {icbc + "20261008,x,1.00,2.00,1.00,a,b,c\n", "line 2:", "both an income and an expense"},
      {cmb + "20261008,10:00,-,-,1.00,a,b,c\n", "line 2:", "neither an income nor an expense"},
      {cmb + "20261008,10:00,0.00,5.00,1.00,a,b,c\n", "line 2:", "both an income and an expense"},
      {cmb + "合计,,1,,,,,\n20261008,10:00,1.00,-,1.00,a,b,c\n", "line 3:", "after the totals line"},
      {kPlainHeader + "2026-10-08,\"1.00,credit,a,b\n" + ok_row, "line 2:", "never closed"},
      {kPlainHeader + "2026-10-08,1.00,credit,a\"b,c\n", "line 2:", "quote inside an unquoted cell"},
      {kPlainHeader + "2026-10-08,\"1.00\"x,credit,a,b\n", "line 2:", "after the closing quote"},
      // 0xC0 0xAF is GBK (坷); a lead byte before a comma, 0x80 and 0xFF are neither.
      {kPlainHeader + ok_row + "2026-10-08,1.00,credit,\x81,b\n", "line 3:", "byte 0x81 is neither UTF-8 nor GBK"},
      {kPlainHeader + ok_row + ok_row + "2026-10-08,1.00,credit,\x80,b\n", "line 4:", "byte 0x80 is neither"},
      {kPlainHeader + "2026-10-08,1.00,credit,\xFF,b\n", "line 2:", "byte 0xff is neither"},
      {kPlainHeader + ok_row + "2026-10-08,1.00,credit,a,\xB9", "line 3:", "byte 0xb9 is neither"},
      {ccb + "20261008 25:00,0.00,1.00,1.00,人民币,a,b,c,20261008,d,e\n", "line 2:", "is not a date followed by HH:MM"},
      {ccb + "20261008 10:00,0.00,1.00,1.00,美元,a,b,c,20261008,d,e\n", "line 2:", "currency \"美元\" is not 人民币"},
      {ccb + "20261008,0.00,0.00,1.00,人民币,a,b,c,20261008,d,e\n", "line 2:", "neither an income nor an expense"},
      {ccb + "20261008,2.00,1.00,1.00,人民币,a,b,c,20261008,d,e\n", "line 2:", "both an income and an expense"},
      {ccb + "20261008,0.00,0.001,1.00,人民币,a,b,c,20261008,d,e\n", "line 2:", "more than 2 decimals"},
      {"", "line 1:", "empty"},
      {kBom + "\r\n\r\n", "line 1:", "empty"},
  };
  for (const Case& c : cases) {
    INFO(c.csv);
    RequireRefused(c.csv, "bad-bank-statement", c.line, c.problem);
  }
}

TEST_CASE("unknown headers are refused as unknown-bank-format", "[reconcile]") {
  RequireRefused("Date,Amount,Direction,Counterparty,Reference\n2026-10-08,1.00,credit,a,b\n", "unknown-bank-format",
                 "line 1:", "unknown header \"Date,Amount");
  RequireRefused("\n\n交易日期,摘要,交易金额(收入),交易金额(支出),余额,对方户名,对方账号\n", "unknown-bank-format",
                 "line 3:", "expected one of plain `date,amount,direction,counterparty,reference`");
  RequireRefused("date,amount\n", "unknown-bank-format", "line 1:", "CMB `交易日期,交易时间,收入,支出");
}

TEST_CASE("oversized input is refused before reading it", "[reconcile]") {
  std::string csv = kPlainHeader;
  const std::string row = "2026-10-08,1.00,credit,a,b\n";
  while (csv.size() <= kBankCsvBytesMax) csv += row;
  RequireRefused(csv, "bad-bank-statement", std::to_string(csv.size()) + " bytes",
                 "limit is " + std::to_string(kBankCsvBytesMax));
}

TEST_CASE("at most kBankCsvRowsMax rows", "[reconcile]") {
  std::string csv = kPlainHeader;
  for (size_t i = 0; i < kBankCsvRowsMax; ++i) csv += "2026-10-08,1.00,credit,a,b\n";
  CHECK(RequireParsed(csv).lines.size() == kBankCsvRowsMax);
  csv += "2026-10-08,1.00,credit,a,b\n";
  RequireRefused(csv, "bad-bank-statement", "line " + std::to_string(kBankCsvRowsMax + 2) + ":",
                 "more than " + std::to_string(kBankCsvRowsMax) + " rows");
}

// ---- Matching ------------------------------------------------------------------------------

TEST_CASE("same amount, direction, date and reference match exactly", "[reconcile]") {
  Reconciliation r =
      Reconcile({Item(1, "2026-10-08", 30000, kIn, "R-1")}, Bank({Line(2, "2026-10-08", 30000, kIn, " R-1\t")}));
  CHECK(r.matched == std::vector<Match>{{1, 2, true}});
  CHECK(r.only_in_ledger.empty());
  CHECK(r.only_at_bank.empty());
}

TEST_CASE("empty references never make an exact match", "[reconcile]") {
  Reconciliation r = Reconcile({Item(1, "2026-10-08", 30000, kIn)}, Bank({Line(2, "2026-10-08", 30000, kIn)}));
  CHECK(r.matched == std::vector<Match>{{1, 2, false}});
}

TEST_CASE("dates up to 3 days apart match loosely, across months, years and leap days", "[reconcile]") {
  const auto matches = [](std::string ledger_date, std::string bank_date) {
    Reconciliation r =
        Reconcile({Item(7, ledger_date, 5000, kOut, "V-1")}, Bank({Line(9, bank_date, 5000, kOut, "x")}));
    return r.matched == std::vector<Match>{{7, 9, false}} && r.only_in_ledger.empty() && r.only_at_bank.empty();
  };
  CHECK(matches("2026-10-08", "2026-10-11"));
  CHECK(matches("2026-10-08", "2026-10-05"));
  CHECK(matches("2026-09-29", "2026-10-02"));
  CHECK(matches("2026-12-30", "2027-01-02"));
  CHECK(matches("2026-02-26", "2026-03-01"));        // 2026 has no Feb 29: three days
  CHECK_FALSE(matches("2024-02-26", "2024-03-01"));  // 2024 has one: four days
  CHECK(matches("2026-10-08", "2026-10-08"));        // references differ: same day, still loose
}

TEST_CASE("4 days apart stays unmatched on both sides", "[reconcile]") {
  // The statement runs from 10-01 (another line), so it covers the item.
  Reconciliation r = Reconcile({Item(1, "2026-10-08", 30000, kIn, "R-1")},
                               Bank({Line(2, "2026-10-01", 500, kOut), Line(3, "2026-10-12", 30000, kIn, "R-1")}));
  CHECK(r.matched.empty());
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{Item(1, "2026-10-08", 30000, kIn, "R-1")});
  CHECK(r.only_at_bank ==
        std::vector<BankLine>{Line(2, "2026-10-01", 500, kOut), Line(3, "2026-10-12", 30000, kIn, "R-1")});
  CHECK(r.outside_statement == 0);
}

TEST_CASE("only ledger items within the statement's dates, give or take 3 days, take part", "[reconcile]") {
  const std::vector<LedgerItem> items = {Item(1, "2026-09-27", 100, kIn), Item(2, "2026-09-28", 200, kIn),
                                         Item(3, "2026-10-15", 300, kIn), Item(4, "2026-10-31", 400, kIn),
                                         Item(5, "2026-11-03", 500, kIn), Item(6, "2026-11-04", 600, kIn)};
  Reconciliation r = Reconcile(items, Bank({Line(2, "2026-10-01", 300, kIn), Line(3, "2026-10-31", 400, kIn)}));
  CHECK(r.matched.size() == 1);  // seq 4
  CHECK(r.only_in_ledger.size() == 3);  // seqs 2, 3, 5: from 09-28 to 11-03
  CHECK(r.outside_statement == 2);      // seqs 1 and 6
  CHECK(Reconcile(items, Bank({})).outside_statement == items.size());
}

TEST_CASE("a later bank day with the same reference beats an earlier one with another", "[reconcile]") {
  // Two equal fees of one week; the bank credits RCPT-B a day later. Matching by closest date
  // alone crossed them over: RCPT-A took B's line and B looked missing.
  Reconciliation r = Reconcile({Item(1, "2026-03-05", 30000, kIn, "RCPT-A"), Item(2, "2026-03-05", 30000, kIn, "RCPT-B")},
                               Bank({Line(2, "2026-03-06", 30000, kIn, "RCPT-B")}));
  CHECK(r.matched == std::vector<Match>{{2, 2, false}});
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{Item(1, "2026-03-05", 30000, kIn, "RCPT-A")});
}

TEST_CASE("of two candidates the closest date wins; equal distance goes to the earliest line", "[reconcile]") {
  Reconciliation r = Reconcile({Item(1, "2026-10-08", 30000, kIn)}, Bank({
                                                                        Line(2, "2026-10-05", 30000, kIn),
                                                                        Line(3, "2026-10-10", 30000, kIn),
                                                                        Line(4, "2026-10-07", 30000, kIn),
                                                                    }));
  CHECK(r.matched == std::vector<Match>{{1, 4, false}});
  CHECK(r.only_at_bank.size() == 2);

  // Either side of the ledger date, in either line order.
  Reconciliation later_first = Reconcile({Item(1, "2026-10-08", 30000, kIn)},
                                         Bank({Line(5, "2026-10-09", 30000, kIn), Line(6, "2026-10-07", 30000, kIn)}));
  CHECK(later_first.matched == std::vector<Match>{{1, 5, false}});
  Reconciliation earlier_first =
      Reconcile({Item(1, "2026-10-08", 30000, kIn)},
                Bank({Line(5, "2026-10-07", 30000, kIn), Line(6, "2026-10-09", 30000, kIn)}));
  CHECK(earlier_first.matched == std::vector<Match>{{1, 5, false}});
}

TEST_CASE("closeness beats seq order: a later item on the bank's day takes the line", "[reconcile]") {
  Reconciliation r = Reconcile({Item(1, "2026-10-01", 30000, kIn), Item(2, "2026-10-04", 30000, kIn)},
                               Bank({Line(2, "2026-10-04", 30000, kIn)}));
  CHECK(r.matched == std::vector<Match>{{2, 2, false}});
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{Item(1, "2026-10-01", 30000, kIn)});
}

TEST_CASE("equally close items: the lowest seq wins, whatever the input order", "[reconcile]") {
  Reconciliation r = Reconcile({Item(5, "2026-10-08", 30000, kIn), Item(3, "2026-10-08", 30000, kIn)},
                               Bank({Line(2, "2026-10-08", 30000, kIn)}));
  CHECK(r.matched == std::vector<Match>{{3, 2, false}});
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{Item(5, "2026-10-08", 30000, kIn)});
}

TEST_CASE("the exact pass runs first, ahead of a lower seq that would match loosely", "[reconcile]") {
  Reconciliation r = Reconcile({Item(1, "2026-10-08", 30000, kIn), Item(2, "2026-10-08", 30000, kIn, "R-2")},
                               Bank({Line(2, "2026-10-08", 30000, kIn, "R-2")}));
  CHECK(r.matched == std::vector<Match>{{2, 2, true}});
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{Item(1, "2026-10-08", 30000, kIn)});
}

TEST_CASE("same amount but opposite direction does not match", "[reconcile]") {
  Reconciliation r =
      Reconcile({Item(1, "2026-10-08", 30000, kIn, "R-1")}, Bank({Line(2, "2026-10-08", 30000, kOut, "R-1")}));
  CHECK(r.matched.empty());
  CHECK(r.only_in_ledger.size() == 1);
  CHECK(r.only_at_bank.size() == 1);
}

TEST_CASE("duplicate amounts on the same day are each matched once", "[reconcile]") {
  Reconciliation r = Reconcile({Item(1, "2026-10-08", 30000, kIn), Item(2, "2026-10-08", 30000, kIn)},
                               Bank({
                                   Line(2, "2026-10-08", 30000, kIn),
                                   Line(3, "2026-10-08", 30000, kIn),
                                   Line(4, "2026-10-08", 30000, kIn),
                               }));
  CHECK(r.matched == std::vector<Match>{{1, 2, false}, {2, 3, false}});
  CHECK(r.only_in_ledger.empty());
  CHECK(r.only_at_bank == std::vector<BankLine>{Line(4, "2026-10-08", 30000, kIn)});

  Reconciliation exact =
      Reconcile({Item(1, "2026-10-08", 30000, kIn, "R"), Item(2, "2026-10-08", 30000, kIn, "R")},
                Bank({Line(2, "2026-10-08", 30000, kIn, "R"), Line(3, "2026-10-08", 30000, kIn, "R")}));
  CHECK(exact.matched == std::vector<Match>{{1, 2, true}, {2, 3, true}});
}

TEST_CASE("a ledger item with an invalid date matches nothing", "[reconcile]") {
  Reconciliation r =
      Reconcile({Item(1, "2026-02-30", 30000, kIn, "R")}, Bank({Line(2, "2026-03-02", 30000, kIn, "R")}));
  CHECK(r.matched.empty());
  CHECK(r.outside_statement == 1);  // no date, so inside no statement's dates
  CHECK(r.only_at_bank.size() == 1);
}

TEST_CASE("a month's reconciliation, written out by hand", "[reconcile]") {
  BankStatement bank = RequireParsed(R"(date,amount,direction,counterparty,reference
2026-10-01,2400.00,credit,王五,R-0101
2026-10-01,2400.00,credit,赵六,R-0102
2026-10-03,800.00,debit,某某保洁公司,V-0042
2026-10-09,1.00,credit,陌生人,
2026-10-15,"15,000.00",debit,某某电梯维保,C-007
2026-10-20,320.50,credit,孙七,
)");
  // Deliberately out of seq order: the report must come back sorted.
  const std::vector<LedgerItem> ledger = {
      Item(15, "2026-10-20", 32050, kOut),             // right amount, wrong direction
      Item(11, "2026-10-01", 240000, kIn, "R-0101"),   // exact, line 2
      Item(13, "2026-10-11", 1500000, kOut, "C-007"),  // 4 days before the bank: unmatched
      Item(10, "2026-10-01", 240000, kIn, "R-0102"),   // exact, line 3, though line 2 comes first
      Item(14, "2026-10-18", 32050, kIn, "R-0120"),    // 2 days: loose, line 7
      Item(12, "2026-10-02", 80000, kOut, "V-0042"),   // 1 day: loose, line 4
  };
  Reconciliation r = Reconcile(ledger, bank);
  CHECK(r.matched == std::vector<Match>{{10, 3, true}, {11, 2, true}, {12, 4, false}, {14, 7, false}});
  CHECK(r.only_in_ledger == std::vector<LedgerItem>{
                                Item(13, "2026-10-11", 1500000, kOut, "C-007"),
                                Item(15, "2026-10-20", 32050, kOut),
                            });
  CHECK(r.only_at_bank == std::vector<BankLine>{
                              Line(5, "2026-10-09", 100, kIn, "", "陌生人"),
                              Line(6, "2026-10-15", 1500000, kOut, "C-007", "某某电梯维保"),
                          });
  // Totals, by hand: matched 2,400.00 + 2,400.00 + 320.50 in and 800.00 out.
  CHECK(r.matched_total == ReconcileTotal{4, 592050, 512050, 80000});
  CHECK(r.only_in_ledger_total == ReconcileTotal{2, 1532050, 0, 1532050});
  CHECK(r.only_at_bank_total == ReconcileTotal{2, 1500100, 100, 1500000});

  nlohmann::json report = ReconciliationReport(r, ledger, bank);
  CHECK(report["format"] == "plain");
  CHECK(report["encoding"] == "UTF-8");
  CHECK(report["bank_lines"] == 6);
  CHECK(report["statement_dates"] == nlohmann::json{{"first", "2026-10-01"}, {"last", "2026-10-20"}});
  CHECK(report["totals"]["matched"] ==
        nlohmann::json{{"count", 4}, {"amount", "592050"}, {"credit", "512050"}, {"debit", "80000"}});
  CHECK(report["totals"]["only_in_ledger"]["amount"] == "1532050");
  CHECK(report["totals"]["only_at_bank"] ==
        nlohmann::json{{"count", 2}, {"amount", "1500100"}, {"credit", "100"}, {"debit", "1500000"}});
  REQUIRE(report["matched"].size() == 4);
  CHECK(report["matched"][3] == nlohmann::json{{"seq", "14"},
                                               {"date", "2026-10-18"},
                                               {"amount", "32050"},
                                               {"direction", "credit"},
                                               {"reference", "R-0120"},
                                               {"bank_line", 7},
                                               {"bank_date", "2026-10-20"},
                                               {"counterparty", "孙七"},
                                               {"bank_reference", ""},
                                               {"exact", false}});
  CHECK(report["only_at_bank"][0]["line"] == 5);
  CHECK(report["only_in_ledger"][1]["seq"] == "15");
}

TEST_CASE("totals of a GBK CCB statement against the ledger", "[reconcile]") {
  const BankStatement bank = RequireParsed(kCcbGbk);
  const std::vector<LedgerItem> ledger = {
      Item(1, "2026-10-08", 240000, kIn, "R-0101"),  // exact, line 2
      Item(2, "2026-10-08", 80000, kOut, "V-0042"),  // a day before the bank: line 3
      Item(3, "2026-10-11", 25650, kIn, "R-0102"),   // not at the bank
  };
  Reconciliation r = Reconcile(ledger, bank);
  CHECK(r.matched == std::vector<Match>{{1, 2, true}, {2, 3, false}});
  CHECK(r.matched_total == ReconcileTotal{2, 320000, 240000, 80000});
  CHECK(r.only_in_ledger_total == ReconcileTotal{1, 25650, 25650, 0});
  CHECK(r.only_at_bank_total == ReconcileTotal{1, 100, 100, 0});
  CHECK(ReconciliationReport(r, ledger, bank)["encoding"] == "GB18030");
}

}  // namespace
}  // namespace mingzhang
