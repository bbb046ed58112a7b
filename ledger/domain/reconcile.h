// Bank-statement reconciliation: read a bank's CSV export and match it against the
// community's payments and disbursements. Pure functions: nothing is stored, nothing is written.
//
// The statement comes from outside (a treasurer uploads what the bank gave them), so parsing is
// strict: every row must be understood exactly or the whole statement is refused with
// InvalidArgument, slug "bad-bank-statement" (or "unknown-bank-format" for a header we do not
// know), and a message naming the line and the problem. A half-read statement would make
// payments look missing, which is worse than no reconciliation at all.
//
// Input is UTF-8 (a leading BOM is dropped) or GBK/GB18030, as Chinese banks export: text that
// is valid UTF-8 is read as UTF-8, anything else is decoded as GB18030 (gb18030.h), a superset of
// GBK; bytes that are neither refuse the statement, naming their line. So a file is uploaded as
// the bank gave it, never re-saved.
// CSV follows RFC 4180: quoted fields may hold commas, line breaks and doubled quotes; lines
// end in LF, CRLF or CR; blank lines (and rows whose cells are all empty) are skipped. Every
// cell is trimmed of spaces and tabs, inside or outside the quotes, because ICBC pads cells with
// '\t' to stop Excel from reformatting them. Line numbers count physical lines from 1.
//
// The formats, told apart by their header row (cells compared after trimming):
//
// plain — our own, for hand-made or converted statements:
//     date,amount,direction,counterparty,reference
//     2026-10-08,1234.50,credit,张三,R-2026-0001
//   amount is in yuan; direction is credit/debit (or in/out), case-insensitive.
//
// ICBC-style (工商银行 export), full-width parentheses also accepted in the header:
//     交易日期,摘要,交易金额(收入),交易金额(支出),余额,对方户名,对方账号,备注
//     "2026-10-08\t","转账\t","12,345.60\t","-\t","99,999.00\t","张三\t","6222...\t","R-0001\t"
//     合计,,"12,345.60","0.00",,,,
//   reference = 备注; counterparty = 对方户名; 摘要, 余额 and 对方账号 are not used.
//
// CMB-style (招商银行 export):
//     交易日期,交易时间,收入,支出,余额,交易类型,交易备注,对方户名
//     20261008,10:23:45,-,800.00,5000.00,转账,V-2026-0042,某某保洁公司
//     合计,,0.00,800.00,,,,
//   reference = 交易备注; counterparty = 对方户名; 交易时间, 余额 and 交易类型 are not used.
//
// CCB-style (建设银行 export), full-width parentheses also accepted in the header:
//     交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注
//     20261008 10:23:45,0.00,"2,400.00","52,400.00",人民币,王五,6217...,建设银行某支行,20261008,转账,R-0101
//   date = 交易时间 (YYYYMMDD or YYYY-MM-DD, optionally followed by a space and HH:MM or HH:MM:SS);
//   借方 is money out (debit), 贷方 money in (credit); 币种 must be 人民币, RMB or CNY (the ledger
//   is in yuan; a foreign-currency row is refused); reference = 备注; counterparty = 对方户名;
//   余额, 对方账号, 对方开户机构, 记账日期 and 摘要 are not used. CCB writes 0.00 in the side that
//   did not move, so there a zero amount reads as empty (both zero is still refused).
//
// In the ICBC and CMB formats exactly one of the income/expense cells holds an amount; the other
// is "-" or empty ("0.00" there is refused as a zero amount). A counterparty or reference cell
// that is just "-" reads as empty. Rows whose first cell starts with 合计 or 总计 are totals and
// are skipped; any other row after them is refused, since a bank never puts transactions below
// its totals.
//
// Dates: YYYY-MM-DD or YYYYMMDD, and must exist on the ledger's calendar (years 2000-2099,
// calendar.h); stored as YYYY-MM-DD.
// Amounts: digits with optional thousands separators (groups of three) and an optional '.' with
// one or two decimals, parsed exactly into fen (never through floating point). Zero, negative,
// more than two decimals, or more than kBankAmountFenMax fen is refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr size_t kBankCsvBytesMax = 8 << 20;               // refuse larger input
inline constexpr size_t kBankCsvRowsMax = 100000;                 // data rows, after the header
inline constexpr size_t kBankCsvCellsPerRowMax = 64;              // the formats have 5, 8 or 11
inline constexpr int64_t kBankAmountFenMax = 10'000'000'000'000;  // 10^13 fen = 1000亿元
inline constexpr int kReconcileDateToleranceDays = 3;

enum class Direction { kCredit /* money in */, kDebit /* money out */ };

struct BankLine {
  int line_number = 0;     // physical line in the CSV where the row starts, from 1
  std::string date;        // YYYY-MM-DD
  int64_t amount_fen = 0;  // > 0
  Direction direction = Direction::kCredit;
  std::string counterparty;
  std::string reference;
  friend bool operator==(const BankLine&, const BankLine&) = default;
};

enum class BankFormat { kPlain, kIcbc, kCmb, kCcb };
const char* BankFormatName(BankFormat format);  // "plain", "ICBC", "CMB", "CCB"

struct BankStatement {
  BankFormat format = BankFormat::kPlain;
  std::vector<BankLine> lines;  // in file order
  bool from_gb18030 = false;    // the file was GBK/GB18030, not UTF-8
};

// Detects the format from the header and parses every row; see the top of this file.
Result<BankStatement> ParseBankStatement(std::string_view csv);

struct LedgerItem {
  uint64_t seq = 0;
  std::string date;  // YYYY-MM-DD
  int64_t amount_fen = 0;
  Direction direction = Direction::kCredit;  // payments and public revenue: credit; disbursements: debit
  std::string reference;                     // receipt_ref / contract_ref / voucher or payee
  friend bool operator==(const LedgerItem&, const LedgerItem&) = default;
};

struct Match {
  uint64_t seq = 0;
  int bank_line = 0;   // BankLine::line_number
  bool exact = false;  // same amount, direction, date and non-empty reference; else amount +
                       // direction with dates at most kReconcileDateToleranceDays apart
  friend bool operator==(const Match&, const Match&) = default;
};

// How many and how much, in fen: all of it, and money in and money out apart.
struct ReconcileTotal {
  size_t count = 0;
  int64_t amount_fen = 0;  // credit_fen + debit_fen
  int64_t credit_fen = 0;
  int64_t debit_fen = 0;
  void Add(int64_t fen, Direction d);
  friend bool operator==(const ReconcileTotal&, const ReconcileTotal&) = default;
};

struct Reconciliation {
  std::vector<Match> matched;              // by seq
  std::vector<LedgerItem> only_in_ledger;  // by seq
  std::vector<BankLine> only_at_bank;      // by line number
  size_t outside_statement = 0;            // ledger items dated outside the statement's dates
  // A matched pair counts once, with its (common) amount. The sums cannot overflow: bank lines
  // are at most kBankCsvRowsMax x kBankAmountFenMax = 10^18, and the ledger's own sums are
  // overflow-checked when entries are admitted.
  ReconcileTotal matched_total, only_in_ledger_total, only_at_bank_total;
};

// Only the ledger items dated within the statement's dates (its earliest to its latest line,
// widened by kReconcileDateToleranceDays) take part: the rest of the history is not in it.
// Three passes; each ledger item and each bank line is matched at most once.
//  1. exact: amount, direction, date and reference equal (references trimmed; an empty
//     reference proves nothing, so it never matches exactly). Ledger items in seq order each
//     take the earliest such bank line.
//  2. among the rest: same amount, direction and non-empty reference, dates at most
//     kReconcileDateToleranceDays apart; closest dates first, ledger items in seq order, each
//     taking the earliest such line.
//  3. among the rest: same amount and direction, dates at most kReconcileDateToleranceDays
//     apart. Closest dates are paired first; ties go to the lowest seq, then the earliest line.
// Dates are compared as calendar days; an item or line whose date is not a valid YYYY-MM-DD
// matches nothing.
Reconciliation Reconcile(const std::vector<LedgerItem>& ledger, const BankStatement& bank);

// The answer of POST /v1/communities/{c}/reconciliation as JSON is made with the views' JSON
// (ledger/views/json/view_json.h ReconciliationReport).

}  // namespace mingzhang
