// Calendar values as the API writes them: dates "YYYY-MM-DD", months "YYYY-MM", and periods
// "YYYY-MM" (a month), "YYYY-Qn" (a quarter) or "YYYY" (a year). Parsing is strict: exact widths,
// real calendar days (leap years), years within [kYearMin, kYearMax].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/base/status.h"

namespace mingzhang {

inline constexpr int kYearMin = 2000;
inline constexpr int kYearMax = 2099;

// Months counted from January of year 0: month_index = year * 12 + (month - 1). Comparable and
// subtractable.
using MonthIndex = int32_t;

struct Date {
  int year = 0;
  int month = 0;  // 1-12
  int day = 0;    // 1-31
  MonthIndex month_index() const { return year * 12 + (month - 1); }
  int64_t days_since_epoch() const;  // days since 1970-01-01
  friend auto operator<=>(const Date&, const Date&) = default;
};

// A closed range of months.
struct Period {
  MonthIndex first = 0;
  MonthIndex last = 0;
  std::string text;  // as written: "2026-10", "2026-Q4", "2026"
  int months() const { return last - first + 1; }
  bool Contains(MonthIndex m) const { return m >= first && m <= last; }
};

Result<Date> ParseDate(std::string_view text);          // slug "bad-date"
Result<MonthIndex> ParseMonth(std::string_view text);   // slug "bad-month"
Result<Period> ParsePeriod(std::string_view text);      // slug "bad-period"

std::string FormatMonth(MonthIndex month);  // "YYYY-MM"
std::string FormatDate(const Date& date);   // "YYYY-MM-DD"
// The date of a Unix time in milliseconds, in China Standard Time (UTC+8, no DST).
Date DateOfUnixMs(int64_t unix_ms);

}  // namespace mingzhang
