// Birth dates and service months as billed: 西暦 or 和暦, ASCII or full-width.
//
//   absl::StatusOr<ParsedDate> d = ParseDate("S50.1.23");  // 1975-01-23
//   absl::StatusOr<ParsedMonth> m = ParseMonth("R6.4");    // 2024-04
//   DateRelation r = CompareDates(receipt, roster);        // kOneDigitDay…
//
// Accepted dates: YYYYMMDD; GYYMMDD (G: 1 明治, 2 大正, 3 昭和, 4 平成,
// 5 令和); YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日; S50.1.23
// (era letters M T S H R in either case and width, or the era's first
// kanji: 昭50.1.23); 昭和50年1月23日, 平成元年1月8日; the era ligatures
// ㍾㍽㍼㍻㋿; full-width digits; surrounding spaces. Months take the same
// forms without the day: YYYYMM, GYYMM, YYYY-MM, R6.4, 令和6年4月.
//
// Era boundaries are exact: 大正 1912-07-30, 昭和 1926-12-25, 平成 1989-01-08,
// 令和 2019-05-01, each era ending the day before the next begins. 明治 is
// taken to begin on 1868-01-25 (慶応4年1月1日): the change of era in 1868
// applied from the first day of that year, and years before 1873 are read as
// Gregorian years without converting the lunar calendar (no living person was
// born then). A month is valid under an era when any of its days lies within
// the era: 平成31年4月 and 令和元年5月 are valid, 平成31年5月 and 令和元年4月
// are not. Years outside 1868–2100 are rejected; whether a date lies in the
// future is the caller's business.
//
// All functions are pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_DATE_H_
#define KUROMARU_NORMALIZER_DATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

// A Gregorian calendar date.
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;

  // "YYYYMMDD", zero-padded.
  std::string Key() const;

  friend bool operator==(const Date& a, const Date& b) = default;
};

struct ParsedDate {
  Date date;
  std::string key;  // YYYYMMDD
  std::string era;  // "" for 西暦 input, else 明治/大正/昭和/平成/令和
  int era_year = 0;  // 1 for 元年; 0 for 西暦 input
};

// Parses a birth date. Returns InvalidArgument naming the reason for text that
// is not a date in an accepted form, an impossible date (month 13, 2月30日,
// 2月29日 of a common year, day 0) or a date outside its era ("outside 平成").
absl::StatusOr<ParsedDate> ParseDate(std::string_view text);

struct ParsedMonth {
  int year = 0;
  int month = 0;
  std::string key;  // YYYYMM
  std::string era;  // as in ParsedDate
  int era_year = 0;
};

// `d` in 和暦 as written on forms: "昭和23年7月12日", "平成元年1月8日"; "" for
// an invalid date or one before 明治.
std::string Wareki(const Date& d);

// Parses a service month (診療年月); errors as for ParseDate.
absl::StatusOr<ParsedMonth> ParseMonth(std::string_view text);

// True if `d` is a real date in 1868–2100.
bool IsValidDate(const Date& d);

// How a billed date relates to a roster date, for comparison levels. The first
// that holds, in this order:
//   kSame            equal;
//   kOneDigitDay     YYYYMMDD differ in exactly one digit, within the day;
//   kOneDigitMonth   … within the month;
//   kOneDigitYear    … within the year;
//   kMonthDaySwapped same year, month and day exchanged (1975-03-04 /
//   1975-04-03); kWrongEra        same era-year, month and day, each read in
//   the era its own date
//                    falls in, but different eras: 平成5年3月4日 (1993) against
//                    令和5年3月4日 (2023), 大正10年 against 昭和10年;
//   kDifferent       anything else.
enum class DateRelation {
  kSame,
  kOneDigitDay,
  kOneDigitMonth,
  kOneDigitYear,
  kMonthDaySwapped,
  kWrongEra,
  kDifferent,
};
DateRelation CompareDates(const Date& receipt, const Date& roster);

// Every valid date one typo away from `d`, for blocking: one digit of YYYYMMDD
// changed (in the year only the last two digits), month and day swapped, and
// the same era-year, month and day under every other era where that date
// exists. Excludes `d`; no duplicates; at most 60 dates. Empty if `d` is not
// valid.
std::vector<Date> DateNearMisses(const Date& d);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_DATE_H_
