#include "ledger/base/calendar.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

// Failed checks print dates as text instead of Catch's "{?}".
namespace Catch {
template <>
struct StringMaker<mingzhang::Date> {
  static std::string convert(const mingzhang::Date& d) { return mingzhang::FormatDate(d); }
};
}  // namespace Catch

namespace mingzhang {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kCstOffsetMs = 8 * 3'600'000;

void RequireRefused(const Status& s, const std::string& slug, const std::string& text) {
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.slug() == slug);
  // Non-printable bytes are echoed as \xNN, so only printable input appears verbatim.
  bool printable =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
  if (printable) CHECK(s.message().find(text) != std::string::npos);
}

void RequireBadDate(const std::string& text) {
  INFO("date input: \"" << text << "\"");
  Result<Date> r = ParseDate(text);
  RequireRefused(r.status(), "bad-date", text);
}

void RequireBadPeriod(const std::string& text) {
  INFO("period input: \"" << text << "\"");
  Result<Period> r = ParsePeriod(text);
  RequireRefused(r.status(), "bad-period", text);
}

Date MustParseDate(const std::string& text) {
  INFO("date input: \"" << text << "\"");
  Result<Date> r = ParseDate(text);
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("ParseDate accepts real days, leap days included", "[calendar]") {
  CHECK(MustParseDate("2026-04-01") == Date{2026, 4, 1});
  CHECK(MustParseDate("2024-02-29") == Date{2024, 2, 29});
  CHECK(MustParseDate("2000-02-29") == Date{2000, 2, 29});  // divisible by 400: leap
  CHECK(MustParseDate("2000-01-01") == Date{2000, 1, 1});    // kYearMin
  CHECK(MustParseDate("2099-12-31") == Date{2099, 12, 31});  // kYearMax
  CHECK(MustParseDate("2026-01-31") == Date{2026, 1, 31});
  CHECK(MustParseDate("2026-04-30") == Date{2026, 4, 30});
}

TEST_CASE("ParseDate refuses impossible days and out-of-range years", "[calendar]") {
  RequireBadDate("2023-02-29");  // not a leap year
  RequireBadDate("2100-02-29");  // not leap (divisible by 100) and past kYearMax anyway
  RequireBadDate("2026-02-30");
  RequireBadDate("2026-13-01");
  RequireBadDate("2026-00-10");
  RequireBadDate("2026-04-31");
  RequireBadDate("2026-04-00");
  RequireBadDate("2026-01-32");
  RequireBadDate("1999-12-31");
  RequireBadDate("2100-01-01");
  RequireBadDate("0000-01-01");
}

TEST_CASE("ParseDate refuses anything but exactly YYYY-MM-DD", "[calendar]") {
  RequireBadDate("2026-4-01");
  RequireBadDate("2026-04-1");
  RequireBadDate(" 2026-04-01");
  RequireBadDate("2026-04-01 ");
  RequireBadDate("2026-04-01\n");
  RequireBadDate("+026-04-01");
  RequireBadDate("-026-04-01");
  RequireBadDate("2026-+4-01");
  RequireBadDate("2026/04/01");
  RequireBadDate("20260401");
  RequireBadDate("2026-04-01T00:00");
  RequireBadDate("２０２６-04-01");  // full-width digits are not ASCII digits
  RequireBadDate("");
  RequireBadDate(std::string("2026-04-0\0", 10));
}

TEST_CASE("refusal messages echo at most 40 characters, as printable ASCII", "[calendar]") {
  std::string longer = "2026-04-01" + std::string(100, 'x') + "TAIL";
  Result<Date> r = ParseDate(longer);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find(longer.substr(0, 40) + "\"...") != std::string::npos);
  CHECK(r.status().message().find("TAIL") == std::string::npos);

  Result<Date> binary = ParseDate(std::string("20\xff\n", 4));
  REQUIRE_FALSE(binary.ok());
  CHECK(binary.status().message().find("\"20\\xff\\x0a\"") != std::string::npos);
}

TEST_CASE("ParseMonth is strict YYYY-MM", "[calendar]") {
  Result<MonthIndex> m = ParseMonth("2026-10");
  REQUIRE(m.ok());
  CHECK(*m == 2026 * 12 + 9);
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "2026-010", "1999-12", "2100-01", "2026",
                          " 2026-10", "2026-10 ", "2026/10", "2026-Q1", ""}) {
    INFO("month input: \"" << bad << "\"");
    RequireRefused(ParseMonth(bad).status(), "bad-month", bad);
  }
}

TEST_CASE("ParsePeriod reads months, quarters and years", "[calendar]") {
  struct Case {
    const char* text;
    MonthIndex first;
    MonthIndex last;
    int months;
  };
  const MonthIndex jan2026 = 2026 * 12;
  for (const Case& c : {Case{"2026-10", jan2026 + 9, jan2026 + 9, 1},
                        Case{"2026-01", jan2026, jan2026, 1},
                        Case{"2026-Q1", jan2026, jan2026 + 2, 3},
                        Case{"2026-Q2", jan2026 + 3, jan2026 + 5, 3},
                        Case{"2026-Q3", jan2026 + 6, jan2026 + 8, 3},
                        Case{"2026-Q4", jan2026 + 9, jan2026 + 11, 3},
                        Case{"2026", jan2026, jan2026 + 11, 12},
                        Case{"2000", 2000 * 12, 2000 * 12 + 11, 12},
                        Case{"2099-Q4", 2099 * 12 + 9, 2099 * 12 + 11, 3}}) {
    INFO("period input: \"" << c.text << "\"");
    Result<Period> p = ParsePeriod(c.text);
    REQUIRE(p.ok());
    CHECK(p->first == c.first);
    CHECK(p->last == c.last);
    CHECK(p->months() == c.months);
    CHECK(p->text == c.text);
  }
}

TEST_CASE("Period::Contains is a closed range", "[calendar]") {
  Result<Period> q4 = ParsePeriod("2026-Q4");
  REQUIRE(q4.ok());
  CHECK_FALSE(q4->Contains(*ParseMonth("2026-09")));
  CHECK(q4->Contains(*ParseMonth("2026-10")));
  CHECK(q4->Contains(*ParseMonth("2026-12")));
  CHECK_FALSE(q4->Contains(*ParseMonth("2027-01")));
}

TEST_CASE("ParsePeriod refuses malformed and out-of-range periods", "[calendar]") {
  for (const char* bad : {"2026-Q0", "2026-Q5", "2026-q1", "2026-Q", "2026-Q12", "2026-13",
                          "2026-00", "26", "02026", "1999", "2100", "2100-Q1", "1999-12",
                          "2026-H1", "2026-", "2026 ", " 2026", "+2026", "2026-10-01", ""}) {
    RequireBadPeriod(bad);
  }
}

TEST_CASE("days_since_epoch matches known values", "[calendar]") {
  // Checked with: echo $(( $(date -u -d 2026-11-23 +%s) / 86400 ))
  CHECK(Date{1970, 1, 1}.days_since_epoch() == 0);
  CHECK(Date{1969, 12, 31}.days_since_epoch() == -1);
  CHECK(Date{2000, 1, 1}.days_since_epoch() == 10957);
  CHECK(Date{2000, 3, 1}.days_since_epoch() == 11017);
  CHECK(Date{2026, 11, 23}.days_since_epoch() == 20780);
  CHECK(Date{2099, 12, 31}.days_since_epoch() == 47481);
}

TEST_CASE("every day 2000-2099 formats, parses and converts back to itself", "[calendar]") {
  Date d{kYearMin, 1, 1};
  int64_t days = d.days_since_epoch();
  int checked = 0;
  while (d.year <= kYearMax) {
    // Midnight in Beijing is 16:00 UTC the day before.
    Date at_midnight = DateOfUnixMs(days * kMsPerDay - kCstOffsetMs);
    Result<Date> parsed = ParseDate(FormatDate(d));
    if (!parsed.ok() || !(*parsed == d) || !(at_midnight == d) || d.days_since_epoch() != days) {
      FAIL("round trip broke at " << FormatDate(d));
    }
    ++days;
    d = DateOfUnixMs(days * kMsPerDay);  // 08:00 in Beijing on the next day
    ++checked;
  }
  CHECK(checked == 36525);  // 100 years with 25 leap days (2000 is leap)
}

TEST_CASE("ParseDate accepts exactly the 36525 real days of 2000-2099", "[calendar]") {
  int accepted = 0;
  for (int y = kYearMin; y <= kYearMax; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 0; d <= 32; ++d) accepted += ParseDate(FormatDate(Date{y, m, d})).ok() ? 1 : 0;
    }
  }
  CHECK(accepted == 36525);
}

TEST_CASE("DateOfUnixMs switches days at midnight China Standard Time", "[calendar]") {
  const int64_t boundary = int64_t{1795363200} * 1000;  // 2026-11-22T16:00:00Z
  CHECK(DateOfUnixMs(boundary) == Date{2026, 11, 23});
  CHECK(DateOfUnixMs(boundary - 1) == Date{2026, 11, 22});  // 15:59:59.999Z
  CHECK(DateOfUnixMs(boundary + kMsPerDay - 1) == Date{2026, 11, 23});
  CHECK(DateOfUnixMs(0) == Date{1970, 1, 1});
}

TEST_CASE("DateOfUnixMs floors instants before the epoch", "[calendar]") {
  CHECK(DateOfUnixMs(-kCstOffsetMs) == Date{1970, 1, 1});          // 1969-12-31T16:00Z
  CHECK(DateOfUnixMs(-kCstOffsetMs - 1) == Date{1969, 12, 31});    // 15:59:59.999Z
  CHECK(DateOfUnixMs(-kCstOffsetMs - kMsPerDay) == Date{1969, 12, 31});
  CHECK(DateOfUnixMs(-kCstOffsetMs - kMsPerDay - 1) == Date{1969, 12, 30});
  // The extremes must not overflow (UBSan builds would catch it).
  CHECK(DateOfUnixMs(INT64_MAX).year > 292000000);
  CHECK(DateOfUnixMs(INT64_MIN).year < -292000000);
}

TEST_CASE("FormatMonth and FormatDate round trip through the parsers", "[calendar]") {
  for (const char* text : {"2000-01", "2026-10", "2026-12", "2099-12"}) {
    Result<MonthIndex> m = ParseMonth(text);
    REQUIRE(m.ok());
    CHECK(FormatMonth(*m) == text);
  }
  CHECK(FormatMonth(0) == "0000-01");
  CHECK(FormatMonth(-1) == "-0001-12");  // floor division: month -1 is December of year -1
  CHECK(FormatDate(Date{2026, 4, 1}) == "2026-04-01");
  CHECK(FormatDate(Date{2024, 2, 29}) == "2024-02-29");
  CHECK(FormatDate(Date{5, 1, 2}) == "0005-01-02");
}

}  // namespace
}  // namespace mingzhang
