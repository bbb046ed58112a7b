#include "ledger/domain/reconcile.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "ledger/base/calendar.h"
#include "ledger/base/encoding.h"
#include "ledger/base/gb18030.h"

namespace mingzhang {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kNoColumn = static_cast<size_t>(-1);
constexpr size_t kQuotedBytesMax = 40;  // keeps error messages readable

Status Bad(int line, std::string_view problem) {
  return InvalidArgument("bad-bank-statement",
                         "bank statement line " + std::to_string(line) + ": " + std::string(problem));
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// Quotes a cell for an error message, cut on a UTF-8 boundary so the message stays valid text.
std::string Quoted(std::string_view s) {
  if (s.size() > kQuotedBytesMax) {
    size_t cut = kQuotedBytesMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(s.substr(0, cut)) + "...\"";
  }
  return "\"" + std::string(s) + "\"";
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A line ends at LF, CRLF or a lone CR; the CR of a CRLF is not counted on its own.
bool IsLineBreakAt(std::string_view s, size_t i) {
  return s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n'));
}

// ---- CSV -----------------------------------------------------------------------------------

struct CsvRecord {
  int line_number = 0;
  std::vector<std::string> cells;
};

// RFC 4180 reader. Cells come back unquoted but untrimmed. Spaces and tabs around a quoted cell
// are allowed, because ICBC writes `\t"..."`-style padding.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  Result<CsvRecord> Next();  // call only when !AtEnd()

 private:
  bool AtRecordEnd() const { return AtEnd() || text_[pos_] == '\n' || text_[pos_] == '\r'; }
  void SkipLineBreak();
  void SkipBlanks();
  Status ReadCell(std::string* cell);
  Status ReadQuoted(std::string* cell);
  Status ReadUnquoted(std::string* cell);

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

Result<CsvRecord> CsvReader::Next() {
  CsvRecord record;
  record.line_number = line_;
  for (;;) {
    std::string cell;
    MZ_RETURN_IF_ERROR(ReadCell(&cell));
    record.cells.push_back(std::move(cell));
    if (AtRecordEnd()) break;
    if (record.cells.size() == kBankCsvCellsPerRowMax) {
      return Bad(record.line_number, "more than " + std::to_string(kBankCsvCellsPerRowMax) + " cells in a row");
    }
    ++pos_;  // ReadCell stops only at a record end or a comma
  }
  if (!AtEnd()) SkipLineBreak();
  return record;
}

void CsvReader::SkipLineBreak() {
  if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
  ++pos_;
  ++line_;
}

void CsvReader::SkipBlanks() {
  while (!AtEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
}

Status CsvReader::ReadCell(std::string* cell) {
  const size_t start = pos_;
  SkipBlanks();
  if (AtEnd() || text_[pos_] != '"') {
    pos_ = start;  // unquoted: the blanks belong to the cell, trimmed later like any padding
    return ReadUnquoted(cell);
  }
  MZ_RETURN_IF_ERROR(ReadQuoted(cell));
  SkipBlanks();
  if (!AtRecordEnd() && text_[pos_] != ',') return Bad(line_, "text after the closing quote of a cell");
  return OkStatus();
}

Status CsvReader::ReadQuoted(std::string* cell) {
  const int opened = line_;
  ++pos_;  // the opening quote
  for (;;) {
    if (AtEnd()) return Bad(opened, "a quoted cell is never closed");
    const char c = text_[pos_];
    if (c == '"') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        cell->push_back('"');
        pos_ += 2;
        continue;
      }
      ++pos_;
      return OkStatus();
    }
    if (IsLineBreakAt(text_, pos_)) ++line_;  // quoted cells may span lines
    cell->push_back(c);
    ++pos_;
  }
}

Status CsvReader::ReadUnquoted(std::string* cell) {
  while (!AtRecordEnd() && text_[pos_] != ',') {
    if (text_[pos_] == '"') return Bad(line_, "a quote inside an unquoted cell");
    cell->push_back(text_[pos_++]);
  }
  return OkStatus();
}

// The next record with any non-empty cell, cells trimmed; nullopt at the end of the input.
// Rows of bare commas count as blank: spreadsheets leave them behind.
Result<std::optional<CsvRecord>> NextNonBlank(CsvReader* reader) {
  while (!reader->AtEnd()) {
    MZ_ASSIGN_OR_RETURN(CsvRecord record, reader->Next());
    bool blank = true;
    for (std::string& cell : record.cells) {
      cell = std::string(Trim(cell));
      blank = blank && cell.empty();
    }
    if (!blank) return std::optional<CsvRecord>(std::move(record));
  }
  return std::optional<CsvRecord>();
}

// ---- Formats -------------------------------------------------------------------------------

// Where each field sits in a format's rows. Plain rows carry amount + direction; bank exports
// carry separate income and expense cells instead.
struct Layout {
  BankFormat format;
  const char* name;
  std::vector<std::string_view> header;
  size_t date;
  size_t counterparty;
  size_t reference;
  size_t amount = kNoColumn;
  size_t direction = kNoColumn;
  size_t income = kNoColumn;
  size_t expense = kNoColumn;
  size_t currency = kNoColumn;  // CCB: must say yuan
  bool date_may_have_time = false;     // CCB's 交易时间: "20261008 10:23:45"
  bool zero_amount_is_empty = false;   // CCB writes 0.00 in the side that did not move
};

const std::vector<Layout>& Layouts() {
  static const std::vector<Layout> kLayouts = {
      {.format = BankFormat::kPlain,
       .name = "plain",
       .header = {"date", "amount", "direction", "counterparty", "reference"},
       .date = 0,
       .counterparty = 3,
       .reference = 4,
       .amount = 1,
       .direction = 2},
      {.format = BankFormat::kIcbc,
       .name = "ICBC",
       .header = {"交易日期", "摘要", "交易金额(收入)", "交易金额(支出)", "余额", "对方户名", "对方账号", "备注"},
       .date = 0,
       .counterparty = 5,
       .reference = 7,
       .income = 2,
       .expense = 3},
      {.format = BankFormat::kCmb,
       .name = "CMB",
       .header = {"交易日期", "交易时间", "收入", "支出", "余额", "交易类型", "交易备注", "对方户名"},
       .date = 0,
       .counterparty = 7,
       .reference = 6,
       .income = 2,
       .expense = 3},
      {.format = BankFormat::kCcb,
       .name = "CCB",
       .header = {"交易时间", "借方发生额(支取)", "贷方发生额(收入)", "余额", "币种", "对方户名", "对方账号",
                  "对方开户机构", "记账日期", "摘要", "备注"},
       .date = 0,
       .counterparty = 5,
       .reference = 10,
       .income = 2,
       .expense = 1,
       .currency = 4,
       .date_may_have_time = true,
       .zero_amount_is_empty = true},
  };
  return kLayouts;
}

// Excel and the banks' own tools write the parentheses in either width.
std::string NormalizeHeaderCell(std::string_view cell) {
  std::string out(cell);
  for (auto [wide, narrow] : {std::pair{"（", "("}, std::pair{"）", ")"}}) {
    for (size_t at = out.find(wide); at != std::string::npos; at = out.find(wide, at)) {
      out.replace(at, std::string_view(wide).size(), narrow);
    }
  }
  return out;
}

std::string Joined(const std::vector<std::string_view>& cells) {
  std::string out;
  for (std::string_view cell : cells) out += (out.empty() ? "" : ",") + std::string(cell);
  return out;
}

Result<const Layout*> DetectLayout(const CsvRecord& header) {
  std::vector<std::string> cells;
  for (const std::string& cell : header.cells) cells.push_back(NormalizeHeaderCell(cell));
  for (const Layout& layout : Layouts()) {
    if (std::equal(cells.begin(), cells.end(), layout.header.begin(), layout.header.end())) return &layout;
  }
  std::string expected;
  for (const Layout& layout : Layouts())
    expected += std::string(" ") + layout.name + " `" + Joined(layout.header) + "`;";
  std::string seen;
  for (const std::string& cell : header.cells) seen += (seen.empty() ? "" : ",") + cell;
  return InvalidArgument("unknown-bank-format", "bank statement line " + std::to_string(header.line_number) +
                                                    ": unknown header " + Quoted(seen) + "; expected one of" +
                                                    expected.substr(0, expected.size() - 1));
}

// ---- Cells ---------------------------------------------------------------------------------

// Day number (days since 1970-01-01) of a real YYYY-MM-DD date.
std::optional<int64_t> DayNumber(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  if (!AllDigits(iso.substr(0, 4)) || !AllDigits(iso.substr(5, 2)) || !AllDigits(iso.substr(8, 2))) {
    return std::nullopt;
  }
  const auto number = [&](size_t at, size_t n) { return std::stoi(std::string(iso.substr(at, n))); };
  const std::chrono::year_month_day date{std::chrono::year{number(0, 4)},
                                         std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                         std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!date.ok()) return std::nullopt;  // 2026-02-30, month 13, day 0 ...
  return static_cast<int64_t>(std::chrono::sys_days(date).time_since_epoch().count());
}

// Accepts YYYY-MM-DD and YYYYMMDD; returns YYYY-MM-DD. Years outside the ledger's calendar
// (calendar.h) are refused too: no ledger item can fall there, so such a line is a damaged export.
Result<std::string> ParseDate(std::string_view text, int line) {
  std::string iso(text);
  if (text.size() == 8 && AllDigits(text)) {
    iso = std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" + std::string(text.substr(6, 2));
  }
  if (!DayNumber(iso) || !mingzhang::ParseDate(iso).ok()) {
    return Bad(line, "date " + Quoted(text) + " is not a calendar date of " + std::to_string(kYearMin) + "-" +
                         std::to_string(kYearMax) + " written YYYY-MM-DD or YYYYMMDD");
  }
  return iso;
}

// Thousands separators must sit every three digits, so "1,23" is refused rather than guessed at.
bool IsWholeYuan(std::string_view whole) {
  const size_t first_comma = whole.find(',');
  if (first_comma == std::string_view::npos) return AllDigits(whole);
  if (first_comma == 0 || first_comma > 3 || !AllDigits(whole.substr(0, first_comma))) return false;
  for (size_t at = first_comma; at < whole.size(); at += 4) {
    if (whole.size() - at < 4 || whole[at] != ',' || !AllDigits(whole.substr(at + 1, 3))) return false;
  }
  return true;
}

// Yuan text to fen without floating point: "12,345.6" -> 1234560.
Result<int64_t> ParseFen(std::string_view text, int line) {
  const auto bad = [&](std::string_view why) { return Bad(line, "amount " + Quoted(text) + " " + std::string(why)); };
  if (text.size() > 1 && text.front() == '-') return bad("is negative; the direction says which way money moved");
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (!IsWholeYuan(whole) || (dot != std::string_view::npos && !AllDigits(fraction))) {
    return bad("is not an amount in yuan like 1,234.50");
  }
  if (fraction.size() > 2) return bad("has more than 2 decimals");
  int64_t yuan = 0;
  for (char c : whole) {
    if (c == ',') continue;
    yuan = yuan * 10 + (c - '0');
    if (yuan > kBankAmountFenMax / 100) return bad("is too large");  // checked per digit: no overflow
  }
  const int64_t cents =
      fraction.empty() ? 0 : (fraction[0] - '0') * 10 + (fraction.size() == 2 ? fraction[1] - '0' : 0);
  const int64_t fen = yuan * 100 + cents;
  if (fen > kBankAmountFenMax) return bad("is too large");
  if (fen == 0) return bad("is zero");
  return fen;
}

// "HH:MM" or "HH:MM:SS" on a 24-hour clock.
bool IsTimeOfDay(std::string_view t) {
  if (t.size() != 5 && t.size() != 8) return false;
  for (size_t at = 0; at < t.size(); at += 3) {
    if (!AllDigits(t.substr(at, 2)) || (at + 2 < t.size() && t[at + 2] != ':')) return false;
  }
  return std::stoi(std::string(t.substr(0, 2))) < 24 && std::stoi(std::string(t.substr(3, 2))) < 60 &&
         (t.size() == 5 || std::stoi(std::string(t.substr(6, 2))) < 60);
}

// A date, or (CCB) a date and a time of day after one space; the time is checked and dropped.
Result<std::string> ParseDateCell(const Layout& layout, std::string_view text, int line) {
  const size_t space = text.find(' ');
  if (!layout.date_may_have_time || space == std::string_view::npos) return ParseDate(text, line);
  if (!IsTimeOfDay(text.substr(space + 1))) {
    return Bad(line, "time " + Quoted(text) + " is not a date followed by HH:MM or HH:MM:SS");
  }
  return ParseDate(text.substr(0, space), line);
}

Result<Direction> ParseDirection(std::string_view text, int line) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  if (lower == "credit" || lower == "in") return Direction::kCredit;
  if (lower == "debit" || lower == "out") return Direction::kDebit;
  return Bad(line, "direction " + Quoted(text) + " is not credit, debit, in or out");
}

// ---- Rows ----------------------------------------------------------------------------------

bool IsZero(std::string_view cell) { return cell == "0" || cell == "0.0" || cell == "0.00"; }

bool IsNoAmount(const Layout& layout, std::string_view cell) {
  return cell.empty() || cell == "-" || (layout.zero_amount_is_empty && IsZero(cell));
}

// Bank exports write "-" for an empty text cell too; in our plain format "-" is just text.
std::string TextCell(const Layout& layout, const std::string& cell) {
  return layout.format != BankFormat::kPlain && cell == "-" ? std::string() : cell;
}

Status ParseIncomeExpense(const Layout& layout, const CsvRecord& record, BankLine* line) {
  const std::string& income = record.cells[layout.income];
  const std::string& expense = record.cells[layout.expense];
  const bool no_income = IsNoAmount(layout, income);
  if (no_income == IsNoAmount(layout, expense)) {
    return Bad(record.line_number, no_income ? "has neither an income nor an expense amount"
                                             : "has both an income and an expense amount");
  }
  line->direction = no_income ? Direction::kDebit : Direction::kCredit;
  MZ_ASSIGN_OR_RETURN(line->amount_fen, ParseFen(no_income ? expense : income, record.line_number));
  return OkStatus();
}

// The ledger is in yuan: a row in another currency cannot match anything and must not be summed.
Status CheckCurrency(const Layout& layout, const CsvRecord& record) {
  if (layout.currency == kNoColumn) return OkStatus();
  const std::string& currency = record.cells[layout.currency];
  if (currency == "人民币" || currency == "RMB" || currency == "CNY") return OkStatus();
  return Bad(record.line_number, "currency " + Quoted(currency) + " is not 人民币 (RMB, CNY)");
}

Status ParseAmountAndDirection(const Layout& layout, const CsvRecord& record, BankLine* line) {
  MZ_ASSIGN_OR_RETURN(line->amount_fen, ParseFen(record.cells[layout.amount], record.line_number));
  MZ_ASSIGN_OR_RETURN(line->direction, ParseDirection(record.cells[layout.direction], record.line_number));
  return OkStatus();
}

Result<BankLine> ParseRow(const Layout& layout, const CsvRecord& record) {
  if (record.cells.size() != layout.header.size()) {
    return Bad(record.line_number, "has " + std::to_string(record.cells.size()) + " cells; the header has " +
                                       std::to_string(layout.header.size()));
  }
  BankLine line;
  line.line_number = record.line_number;
  MZ_ASSIGN_OR_RETURN(line.date, ParseDateCell(layout, record.cells[layout.date], record.line_number));
  MZ_RETURN_IF_ERROR(CheckCurrency(layout, record));
  MZ_RETURN_IF_ERROR(layout.format == BankFormat::kPlain ? ParseAmountAndDirection(layout, record, &line)
                                                         : ParseIncomeExpense(layout, record, &line));
  line.counterparty = TextCell(layout, record.cells[layout.counterparty]);
  line.reference = TextCell(layout, record.cells[layout.reference]);
  return line;
}

bool IsTotals(const CsvRecord& record) {
  const std::string_view first = record.cells.front();
  return first.starts_with("合计") || first.starts_with("总计");
}

Status ParseRows(const Layout& layout, CsvReader* reader, std::vector<BankLine>* lines) {
  bool after_totals = false;
  for (size_t rows = 1;; ++rows) {
    MZ_ASSIGN_OR_RETURN(std::optional<CsvRecord> record, NextNonBlank(reader));
    if (!record) return OkStatus();
    if (rows > kBankCsvRowsMax)
      return Bad(record->line_number, "more than " + std::to_string(kBankCsvRowsMax) + " rows");
    if (layout.format != BankFormat::kPlain && IsTotals(*record)) {
      after_totals = true;  // the bank's own sums; we reconcile rows, not totals
      continue;
    }
    if (after_totals) return Bad(record->line_number, "a transaction row after the totals line");
    MZ_ASSIGN_OR_RETURN(BankLine line, ParseRow(layout, *record));
    lines->push_back(std::move(line));
  }
}

// ---- Matching ------------------------------------------------------------------------------

// Positions of `items` ordered by `key`; stable, so equal keys keep their input order.
template <typename T, typename Key>
std::vector<size_t> OrderBy(const std::vector<T>& items, Key key) {
  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(items[a]) < key(items[b]); });
  return order;
}

template <typename T>
std::vector<std::optional<int64_t>> DayNumbers(const std::vector<T>& items) {
  std::vector<std::optional<int64_t>> days;
  for (const T& item : items) days.push_back(DayNumber(item.date));
  return days;
}

// Both passes share which items are taken. Ledger items are visited in seq order and bank
// lines ranked in line order, which is what makes ties come out the same every time.
class Matcher {
 public:
  Matcher(const std::vector<LedgerItem>& ledger, const std::vector<BankLine>& bank)
      : ledger_(ledger),
        bank_(bank),
        ledger_order_(OrderBy(ledger, [](const LedgerItem& item) { return item.seq; })),
        bank_order_(OrderBy(bank, [](const BankLine& line) { return line.line_number; })),
        ledger_day_(DayNumbers(ledger)),
        bank_day_(DayNumbers(bank)),
        ledger_taken_(ledger.size(), false),
        bank_taken_(bank.size(), false) {}

  void MatchExact();
  void MatchSameReference();
  void MatchWithinTolerance();
  Reconciliation Finish() const;

 private:
  using ExactKey = std::tuple<int64_t, Direction, int64_t, std::string_view>;  // amount, direction, day, ref
  using LooseKey = std::tuple<int64_t, Direction, int64_t>;                    // amount, direction, day
  using Waiting = std::map<LooseKey, std::set<size_t>>;  // untaken bank lines by rank in line order

  void Pair(size_t ledger_index, size_t bank_index, bool exact);
  void TakeAtGap(size_t ledger_index, int gap, Waiting* waiting);

  const std::vector<LedgerItem>& ledger_;
  const std::vector<BankLine>& bank_;
  std::vector<size_t> ledger_order_;
  std::vector<size_t> bank_order_;
  std::vector<std::optional<int64_t>> ledger_day_;
  std::vector<std::optional<int64_t>> bank_day_;
  std::vector<bool> ledger_taken_;
  std::vector<bool> bank_taken_;
  std::vector<Match> matched_;
};

void Matcher::Pair(size_t ledger_index, size_t bank_index, bool exact) {
  ledger_taken_[ledger_index] = true;
  bank_taken_[bank_index] = true;
  matched_.push_back({ledger_[ledger_index].seq, bank_[bank_index].line_number, exact});
}

void Matcher::MatchExact() {
  std::map<ExactKey, std::deque<size_t>> waiting;  // bank line indices in line order
  for (size_t b : bank_order_) {
    const std::string_view reference = Trim(bank_[b].reference);
    if (!bank_day_[b] || reference.empty()) continue;  // an empty reference confirms nothing
    waiting[{bank_[b].amount_fen, bank_[b].direction, *bank_day_[b], reference}].push_back(b);
  }
  for (size_t l : ledger_order_) {
    const std::string_view reference = Trim(ledger_[l].reference);
    if (!ledger_day_[l] || reference.empty()) continue;
    auto it = waiting.find({ledger_[l].amount_fen, ledger_[l].direction, *ledger_day_[l], reference});
    if (it == waiting.end() || it->second.empty()) continue;
    Pair(l, it->second.front(), /*exact=*/true);
    it->second.pop_front();
  }
}

// Same amount, direction and non-empty reference, dates a few days apart (a WeChat or Alipay
// payment reaches the bank a day later): paired before any pair of mere amounts, so that two
// equal fees of one week are not crossed over, each matched with the other's bank line.
void Matcher::MatchSameReference() {
  using RefKey = std::tuple<int64_t, Direction, std::string_view>;
  std::map<RefKey, std::vector<size_t>> waiting;  // untaken bank lines in line order
  for (size_t b : bank_order_) {
    const std::string_view reference = Trim(bank_[b].reference);
    if (bank_taken_[b] || !bank_day_[b] || reference.empty()) continue;
    waiting[{bank_[b].amount_fen, bank_[b].direction, reference}].push_back(b);
  }
  for (int gap = 1; gap <= kReconcileDateToleranceDays; ++gap) {
    for (size_t l : ledger_order_) {
      const std::string_view reference = Trim(ledger_[l].reference);
      if (ledger_taken_[l] || !ledger_day_[l] || reference.empty()) continue;
      auto it = waiting.find({ledger_[l].amount_fen, ledger_[l].direction, reference});
      if (it == waiting.end()) continue;
      for (size_t b : it->second) {
        if (!bank_taken_[b] && std::abs(*bank_day_[b] - *ledger_day_[l]) == gap) {
          Pair(l, b, /*exact=*/false);
          break;
        }
      }
    }
  }
}

// Pairs by growing date gap, so the closest dates win over the order items happen to come in.
void Matcher::MatchWithinTolerance() {
  Waiting waiting;
  for (size_t rank = 0; rank < bank_order_.size(); ++rank) {
    const size_t b = bank_order_[rank];
    if (!bank_taken_[b] && bank_day_[b]) waiting[{bank_[b].amount_fen, bank_[b].direction, *bank_day_[b]}].insert(rank);
  }
  for (int gap = 0; gap <= kReconcileDateToleranceDays; ++gap) {
    for (size_t l : ledger_order_) {
      if (!ledger_taken_[l] && ledger_day_[l]) TakeAtGap(l, gap, &waiting);
    }
  }
}

// Pairs the ledger item with the earliest untaken bank line exactly `gap` days away, if any.
void Matcher::TakeAtGap(size_t ledger_index, int gap, Waiting* waiting) {
  const LedgerItem& item = ledger_[ledger_index];
  std::set<size_t>* best = nullptr;
  for (int64_t day : {*ledger_day_[ledger_index] - gap, *ledger_day_[ledger_index] + gap}) {
    auto it = waiting->find({item.amount_fen, item.direction, day});
    if (it == waiting->end() || it->second.empty()) continue;
    if (best == nullptr || *it->second.begin() < *best->begin()) best = &it->second;
  }
  if (best == nullptr) return;
  Pair(ledger_index, bank_order_[*best->begin()], /*exact=*/false);
  best->erase(best->begin());
}

Reconciliation Matcher::Finish() const {
  Reconciliation out;
  out.matched = matched_;
  std::sort(out.matched.begin(), out.matched.end(),
            [](const Match& a, const Match& b) { return std::tie(a.seq, a.bank_line) < std::tie(b.seq, b.bank_line); });
  for (size_t l : ledger_order_) {
    if (ledger_taken_[l]) {
      out.matched_total.Add(ledger_[l].amount_fen, ledger_[l].direction);
    } else {
      out.only_in_ledger.push_back(ledger_[l]);
      out.only_in_ledger_total.Add(ledger_[l].amount_fen, ledger_[l].direction);
    }
  }
  for (size_t b : bank_order_) {
    if (bank_taken_[b]) continue;
    out.only_at_bank.push_back(bank_[b]);
    out.only_at_bank_total.Add(bank_[b].amount_fen, bank_[b].direction);
  }
  return out;
}

}  // namespace

Result<BankStatement> ParseBankStatement(std::string_view csv) {
  if (csv.size() > kBankCsvBytesMax) {
    return InvalidArgument("bad-bank-statement", "bank statement is " + std::to_string(csv.size()) +
                                                     " bytes; the limit is " + std::to_string(kBankCsvBytesMax));
  }
  if (csv.starts_with(kBom)) csv.remove_prefix(kBom.size());
  DecodedText text = DecodeUtf8OrGb18030(csv);
  if (text.bad_byte_offset) {
    const size_t at = *text.bad_byte_offset;
    const std::string byte = at < csv.size() ? "byte 0x" + HexEncode(csv.substr(at, 1)) : "the last bytes";
    return Bad(static_cast<int>(LineOfOffset(csv, at)),
               byte + " is neither UTF-8 nor GBK/GB18030 text (a damaged or cut export?)");
  }
  CsvReader reader(text.utf8);
  MZ_ASSIGN_OR_RETURN(std::optional<CsvRecord> header, NextNonBlank(&reader));
  if (!header) return Bad(1, "the statement is empty; expected a header row");
  MZ_ASSIGN_OR_RETURN(const Layout* layout, DetectLayout(*header));
  BankStatement statement;
  statement.format = layout->format;
  statement.from_gb18030 = text.from_gb18030;
  MZ_RETURN_IF_ERROR(ParseRows(*layout, &reader, &statement.lines));
  return statement;
}

namespace {

// The ledger items the statement covers: dated from its first line's date to its last one's,
// give or take the tolerance. A month's statement says nothing about the rest of the history.
std::vector<LedgerItem> ItemsCovered(const std::vector<LedgerItem>& ledger, const BankStatement& bank) {
  std::optional<int64_t> first, last;
  for (const BankLine& line : bank.lines) {
    std::optional<int64_t> day = DayNumber(line.date);
    if (!day) continue;
    first = std::min(first.value_or(*day), *day);
    last = std::max(last.value_or(*day), *day);
  }
  std::vector<LedgerItem> covered;
  for (const LedgerItem& item : ledger) {
    std::optional<int64_t> day = DayNumber(item.date);
    if (first && day && *day >= *first - kReconcileDateToleranceDays && *day <= *last + kReconcileDateToleranceDays) {
      covered.push_back(item);
    }
  }
  return covered;
}

}  // namespace

Reconciliation Reconcile(const std::vector<LedgerItem>& ledger, const BankStatement& bank) {
  const std::vector<LedgerItem> covered = ItemsCovered(ledger, bank);
  Matcher matcher(covered, bank.lines);
  matcher.MatchExact();
  matcher.MatchSameReference();
  matcher.MatchWithinTolerance();
  Reconciliation out = matcher.Finish();
  out.outside_statement = ledger.size() - covered.size();
  return out;
}

void ReconcileTotal::Add(int64_t fen, Direction d) {
  ++count;
  amount_fen += fen;
  (d == Direction::kCredit ? credit_fen : debit_fen) += fen;
}

const char* BankFormatName(BankFormat format) {
  for (const Layout& layout : Layouts()) {
    if (layout.format == format) return layout.name;
  }
  return "unknown";
}

}  // namespace mingzhang
