#include "ledger/base/calendar.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace mingzhang {
namespace {

// Echoed input is capped so a huge request field cannot bloat logs or error bodies.
constexpr size_t kEchoMax = 40;
constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kCstOffsetMs = 8 * 3'600'000;  // China Standard Time is UTC+8, no DST

// The input quoted for an error message. Bytes outside printable ASCII become \xNN so the
// message stays valid UTF-8 (it ends up in JSON error bodies) even when the input is not.
std::string Echo(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : text.substr(0, kEchoMax)) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
  out += text.size() > kEchoMax ? "\"..." : "\"";
  return out;
}

Status Bad(const char* slug, const char* what, std::string_view text, const std::string& why) {
  return InvalidArgument(slug, std::string(what) + " " + Echo(text) + ": " + why);
}

// True when `text` has exactly the shape of `pattern`, where '9' stands for one ASCII digit and
// every other character must match itself. Checking the shape first is what rules out signs,
// spaces, short fields and trailing characters, which number parsers would quietly accept.
bool Matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool digit = text[i] >= '0' && text[i] <= '9';
    if (pattern[i] == '9' ? !digit : text[i] != pattern[i]) return false;
  }
  return true;
}

// REQUIRES: text[pos, pos + n) are ASCII digits (checked by Matches).
int Num(std::string_view text, size_t pos, size_t n) {
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Why year/month are unacceptable, or "" when they are fine.
std::string YearMonthProblem(int year, int month) {
  if (year < kYearMin || year > kYearMax) {
    return "year must be " + std::to_string(kYearMin) + "-" + std::to_string(kYearMax);
  }
  if (month < 1 || month > 12) return "month must be 01-12";
  return "";
}

// Parses "YYYY-MM" into a month index, or says why not (shared by ParseMonth and ParsePeriod,
// which report under different slugs).
std::string MonthProblem(std::string_view text, MonthIndex& out) {
  if (!Matches(text, "9999-99")) return "want YYYY-MM";
  int year = Num(text, 0, 4);
  int month = Num(text, 5, 2);
  std::string why = YearMonthProblem(year, month);
  if (why.empty()) out = Date{year, month, 1}.month_index();
  return why;
}

// Zero-padded decimal; negative values keep their sign in front of the padding.
std::string Pad(int64_t value, size_t width) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return value < 0 ? "-" + digits : digits;
}

// Floor division, so instants before the epoch land on the earlier day.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Howard Hinnant's civil_from_days: the proleptic Gregorian date `days` after 1970-01-01.
Date CivilFromDays(int64_t days) {
  int64_t z = days + 719468;  // shift the epoch to 0000-03-01 so leap days end each cycle
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                                     // March = 0
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t Date::days_since_epoch() const {
  int64_t y = static_cast<int64_t>(year) - (month <= 2 ? 1 : 0);  // years start in March
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;                                       // [0, 399]
  int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // [0, 365]
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               // [0, 146096]
  return era * 146097 + doe - 719468;
}

Result<Date> ParseDate(std::string_view text) {
  if (!Matches(text, "9999-99-99")) return Bad("bad-date", "date", text, "want YYYY-MM-DD");
  Date d{Num(text, 0, 4), Num(text, 5, 2), Num(text, 8, 2)};
  std::string why = YearMonthProblem(d.year, d.month);
  if (!why.empty()) return Bad("bad-date", "date", text, why);
  if (d.day < 1 || d.day > DaysInMonth(d.year, d.month)) {
    return Bad("bad-date", "date", text,
               "day must be 01-" + std::to_string(DaysInMonth(d.year, d.month)) + " in that month");
  }
  return d;
}

Result<MonthIndex> ParseMonth(std::string_view text) {
  MonthIndex m = 0;
  std::string why = MonthProblem(text, m);
  if (!why.empty()) return Bad("bad-month", "month", text, why);
  return m;
}

Result<Period> ParsePeriod(std::string_view text) {
  Period p;
  p.text = std::string(text);
  std::string why;
  if (Matches(text, "9999")) {
    int year = Num(text, 0, 4);
    why = YearMonthProblem(year, 1);
    p.first = Date{year, 1, 1}.month_index();
    p.last = p.first + 11;
  } else if (Matches(text, "9999-Q9")) {
    int year = Num(text, 0, 4);
    int quarter = Num(text, 6, 1);
    why = YearMonthProblem(year, 1);
    if (why.empty() && (quarter < 1 || quarter > 4)) why = "quarter must be Q1-Q4";
    p.first = Date{year, (quarter - 1) * 3 + 1, 1}.month_index();
    p.last = p.first + 2;
  } else if (Matches(text, "9999-99")) {
    why = MonthProblem(text, p.first);
    p.last = p.first;
  } else {
    why = "want YYYY, YYYY-Qn or YYYY-MM";
  }
  if (!why.empty()) return Bad("bad-period", "period", text, why);
  return p;
}

std::string FormatMonth(MonthIndex month) {
  int64_t year = FloorDiv(month, 12);
  return Pad(year, 4) + "-" + Pad(month - year * 12 + 1, 2);
}

std::string FormatDate(const Date& date) {
  return Pad(date.year, 4) + "-" + Pad(date.month, 2) + "-" + Pad(date.day, 2);
}

Date DateOfUnixMs(int64_t unix_ms) {
  // Split into whole days and the remainder before adding the offset, so that no input near
  // INT64_MIN or INT64_MAX overflows.
  int64_t days = unix_ms / kMsPerDay;
  int64_t ms_of_day = unix_ms % kMsPerDay;
  if (ms_of_day < 0) {  // before the epoch: borrow a day so ms_of_day is in [0, kMsPerDay)
    ms_of_day += kMsPerDay;
    --days;
  }
  if (ms_of_day + kCstOffsetMs >= kMsPerDay) ++days;
  return CivilFromDays(days);
}

}  // namespace mingzhang
