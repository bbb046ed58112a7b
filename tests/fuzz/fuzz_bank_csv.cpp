// The bank statement a treasurer uploads (POST .../reconciliation): ledger/reconcile's CSV parser
// for the plain, ICBC and CMB formats, and the matching against the ledger's items.
//
// Properties: no crash or sanitizer report; a refusal is "bad-bank-statement" or
// "unknown-bank-format"; every line read has a real calendar date, an amount of 1 to
// kBankAmountFenMax fen and a line number after the last; matching accounts for every item and
// line exactly once, and pairs only equal amounts and directions within the date tolerance.
#include <algorithm>
#include <set>

#include "ledger/base/calendar.h"
#include "ledger/domain/reconcile.h"
#include "tests/fuzz/fuzz_support.h"

namespace mingzhang::fuzz {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

void CheckLines(const BankStatement& statement) {
  int last_line = 0;
  for (const BankLine& line : statement.lines) {
    FUZZ_CHECK(line.line_number > last_line);
    last_line = line.line_number;
    FUZZ_CHECK(line.amount_fen > 0 && line.amount_fen <= kBankAmountFenMax);
    Result<Date> date = ParseDate(line.date);
    FUZZ_CHECK(date.ok() && FormatDate(*date) == line.date);
  }
}

// Ledger items made from the statement's own lines, some moved a few days, some turned around,
// so that both passes of the matching have work to do.
std::vector<LedgerItem> ItemsLike(const BankStatement& statement) {
  std::vector<LedgerItem> items;
  uint64_t seq = 0;
  for (const BankLine& line : statement.lines) {
    const int64_t shifted_days = ParseDate(line.date)->days_since_epoch() + static_cast<int64_t>(seq % 9) - 4;
    // DateOfUnixMs reads China Standard Time: midnight UTC is 08:00 of the same day there.
    LedgerItem item{seq, FormatDate(DateOfUnixMs(shifted_days * kMsPerDay)), line.amount_fen, line.direction,
                    seq % 3 == 0 ? line.reference : ""};
    if (seq % 5 == 4) item.direction = line.direction == Direction::kCredit ? Direction::kDebit : Direction::kCredit;
    items.push_back(std::move(item));
    ++seq;
  }
  return items;
}

void CheckMatching(const std::vector<LedgerItem>& items, const BankStatement& statement) {
  const Reconciliation r = Reconcile(items, statement);
  FUZZ_CHECK(r.matched.size() + r.only_in_ledger.size() + r.outside_statement == items.size());
  FUZZ_CHECK(r.matched.size() + r.only_at_bank.size() == statement.lines.size());
  std::set<uint64_t> seqs;
  std::set<int> lines;
  for (const Match& m : r.matched) {
    FUZZ_CHECK(seqs.insert(m.seq).second && lines.insert(m.bank_line).second);
    const LedgerItem& item = items[m.seq];
    const auto line = std::find_if(statement.lines.begin(), statement.lines.end(),
                                   [&](const BankLine& l) { return l.line_number == m.bank_line; });
    FUZZ_CHECK(line != statement.lines.end());
    FUZZ_CHECK(item.amount_fen == line->amount_fen && item.direction == line->direction);
    Result<Date> item_date = ParseDate(item.date);  // an item without a real date matches nothing
    FUZZ_CHECK(item_date.ok());
    const int64_t apart = item_date->days_since_epoch() - ParseDate(line->date)->days_since_epoch();
    FUZZ_CHECK(apart >= -kReconcileDateToleranceDays && apart <= kReconcileDateToleranceDays);
    FUZZ_CHECK(!m.exact || (apart == 0 && !item.reference.empty()));
  }
}

}  // namespace
}  // namespace mingzhang::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mingzhang;
  using namespace mingzhang::fuzz;
  Result<BankStatement> statement = ParseBankStatement(AsText(data, size));
  if (!statement.ok()) {
    FUZZ_CHECK(statement.status().slug() == "bad-bank-statement" || statement.status().slug() == "unknown-bank-format");
    return 0;
  }
  CheckLines(*statement);
  CheckMatching(ItemsLike(*statement), *statement);
  return 0;
}
