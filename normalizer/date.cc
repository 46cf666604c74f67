#include "normalizer/date.h"

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

constexpr int kMinYear = 1868;
constexpr int kMaxYear = 2100;

struct Era {
  std::string_view name;
  std::u32string_view wide_name;
  char32_t ligature;  // ㍾ ㍽ ㍼ ㍻ ㋿
  char letter;
  int start;  // YYYYMMDD of the first day; the era ends the day before the next
              // starts
};

constexpr std::array<Era, 5> kEras = {{
    {"明治", U"明治", U'\u337E', 'M', 18680125},
    {"大正", U"大正", U'\u337D', 'T', 19120730},
    {"昭和", U"昭和", U'\u337C', 'S', 19261225},
    {"平成", U"平成", U'\u337B', 'H', 19890108},
    {"令和", U"令和", U'\u32FF', 'R', 20190501},
}};
constexpr int kNoEra = -1;

int EraStartYear(int era) { return kEras[era].start / 10000; }
int EraEnd(int era) {  // exclusive, YYYYMMDD
  return era + 1 < static_cast<int>(kEras.size()) ? kEras[era + 1].start
                                                  : 99999999;
}
int Ordinal(int y, int m, int d) { return y * 10000 + m * 100 + d; }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The era `d` falls in, or kNoEra before 明治.
int EraOf(const Date& d) {
  const int ordinal = Ordinal(d.year, d.month, d.day);
  for (int e = static_cast<int>(kEras.size()) - 1; e >= 0; --e) {
    if (ordinal >= kEras[e].start) return e;
  }
  return kNoEra;
}

// The code points of `text` with full-width ASCII, U+3000 and dash lookalikes
// folded to ASCII, and surrounding spaces removed.
absl::StatusOr<std::u32string> Fold(std::string_view text) {
  ASSIGN_OR_RETURN(std::u32string cps, DecodeUtf8(text));
  for (char32_t& c : cps) {
    if (c >= 0xFF01 && c <= 0xFF5E) {
      c -= 0xFEE0;
    } else if (c == 0x3000 || c == '\t') {
      c = ' ';
    } else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0x30FC ||
               c == 0xFF70) {
      c = '-';
    }
  }
  size_t begin = 0, end = cps.size();
  while (begin < end && cps[begin] == ' ') ++begin;
  while (end > begin && cps[end - 1] == ' ') --end;
  return cps.substr(begin, end - begin);
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

// Reads an era marker at the front of `s`, advancing it.
int ReadEra(std::u32string_view& s) {
  if (s.empty()) return kNoEra;
  for (int e = 0; e < static_cast<int>(kEras.size()); ++e) {
    const Era& era = kEras[e];
    const char32_t c = s[0];
    if (c == era.ligature || c == static_cast<char32_t>(era.letter) ||
        c == static_cast<char32_t>(era.letter - 'A' + 'a')) {
      s.remove_prefix(1);
      return e;
    }
    if (c == era.wide_name[0]) {  // 昭和 or 昭
      s.remove_prefix(s.substr(0, 2) == era.wide_name ? 2 : 1);
      return e;
    }
  }
  return kNoEra;
}

// The numeric fields of a date or month, before validation.
struct Fields {
  int era = kNoEra;
  int year = 0;  // era year, or Gregorian year without an era
  int month = 0;
  int day = 0;
};

int ToInt(std::u32string_view digits) {
  int n = 0;
  for (char32_t c : digits) n = n * 10 + static_cast<int>(c - '0');
  return n;
}

// Compact forms: YYYYMMDD, GYYMMDD, or YYMMDD after an era marker (months: 6,
// 5, 4).
std::optional<Fields> ReadCompact(int era, std::u32string_view s, int parts) {
  for (char32_t c : s) {
    if (!IsDigit(c)) return std::nullopt;
  }
  const size_t tail = parts == 3 ? 4 : 2;  // MMDD or MM
  Fields f;
  f.era = era;
  if (era == kNoEra && s.size() == tail + 4) {
    f.year = ToInt(s.substr(0, 4));
  } else if (era == kNoEra && s.size() == tail + 3 && s[0] >= '1' &&
             s[0] <= '5') {
    f.era = static_cast<int>(s[0] - '1');
    f.year = ToInt(s.substr(1, 2));
  } else if (era != kNoEra && s.size() == tail + 2) {
    f.year = ToInt(s.substr(0, 2));
  } else {
    return std::nullopt;
  }
  f.month = ToInt(s.substr(s.size() - tail, 2));
  if (parts == 3) f.day = ToInt(s.substr(s.size() - 2));
  return f;
}

// Separated forms: numbers joined by one of - / . used throughout, or by 年 月
// 日.
std::optional<Fields> ReadSeparated(int era, std::u32string_view s, int parts) {
  int values[3] = {0, 0, 0};
  char32_t seps[3] = {0, 0, 0};
  int count = 0;
  while (!s.empty()) {
    if (count == parts) return std::nullopt;
    size_t n = 0;
    if (count == 0 && era != kNoEra && s[0] == U'元') {
      values[0] = 1;
      n = 1;
    } else {
      while (n < s.size() && IsDigit(s[n])) ++n;
      const size_t max_digits = count == 0 && era == kNoEra ? 4 : 2;
      if (n == 0 || n > max_digits) return std::nullopt;
      if (count == 0 && era == kNoEra && n != 4) return std::nullopt;
      values[count] = ToInt(s.substr(0, n));
    }
    s.remove_prefix(n);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    if (!s.empty()) {
      seps[count] = s[0];
      s.remove_prefix(1);
      while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
    }
    ++count;
  }
  if (count != parts) return std::nullopt;
  static constexpr char32_t kKanji[] = {U'年', U'月', U'日'};
  const bool kanji = seps[0] == U'年';
  for (int i = 0; i < parts; ++i) {
    const bool last = i == parts - 1;
    if (kanji) {
      if (seps[i] != kKanji[i] && !(last && seps[i] == 0)) return std::nullopt;
    } else if (last ? seps[i] != 0
                    : (seps[i] != seps[0] ||
                       (seps[i] != '-' && seps[i] != '/' && seps[i] != '.'))) {
      return std::nullopt;
    }
  }
  return Fields{era, values[0], values[1], parts == 3 ? values[2] : 0};
}

absl::StatusOr<Fields> ReadFields(std::string_view text, int parts) {
  ASSIGN_OR_RETURN(const std::u32string folded, Fold(text));
  if (folded.empty()) return absl::InvalidArgumentError("empty");
  std::u32string_view s = folded;
  const int era = ReadEra(s);
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  std::optional<Fields> fields = ReadCompact(era, s, parts);
  if (!fields) fields = ReadSeparated(era, s, parts);
  if (!fields) {
    return absl::InvalidArgumentError(parts == 3
                                          ? "not a date in an accepted form"
                                          : "not a month in an accepted form");
  }
  return *fields;
}

absl::Status CheckYearMonth(int year, int month) {
  if (year < kMinYear || year > kMaxYear) {
    return absl::InvalidArgumentError(
        absl::StrFormat("year %d outside %d-%d", year, kMinYear, kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrFormat("month %d does not exist", month));
  }
  return absl::OkStatus();
}

absl::Status CheckDay(int year, int month, int day) {
  RETURN_IF_ERROR(CheckYearMonth(year, month));
  if (day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "day %d does not exist in %04d-%02d", day, year, month));
  }
  return absl::OkStatus();
}

// Gregorian year of `f`, checking that the era year is at least 1.
absl::StatusOr<int> GregorianYear(const Fields& f) {
  if (f.era == kNoEra) return f.year;
  if (f.year < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "era year 0 does not exist in ", std::string(kEras[f.era].name)));
  }
  return EraStartYear(f.era) + f.year - 1;
}

absl::Status OutsideEra(int era) {
  return absl::InvalidArgumentError(
      absl::StrCat("outside ", std::string(kEras[era].name)));
}

}  // namespace

std::string Date::Key() const {
  return absl::StrFormat("%04d%02d%02d", year, month, day);
}

std::string Wareki(const Date& d) {
  if (!IsValidDate(d)) return "";
  const int era = EraOf(d);
  if (era == kNoEra) return "";
  const int year = d.year - EraStartYear(era) + 1;
  const std::string_view name = kEras[era].name;
  return absl::StrCat(absl::string_view(name.data(), name.size()),
                      year == 1 ? std::string("元") : absl::StrCat(year), "年",
                      d.month, "月", d.day, "日");
}

bool IsValidDate(const Date& d) {
  return d.year >= kMinYear && d.year <= kMaxYear && d.month >= 1 &&
         d.month <= 12 && d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

absl::StatusOr<ParsedDate> ParseDate(std::string_view text) {
  ASSIGN_OR_RETURN(const Fields f, ReadFields(text, 3));
  ASSIGN_OR_RETURN(const int year, GregorianYear(f));
  RETURN_IF_ERROR(CheckDay(year, f.month, f.day));
  ParsedDate out;
  out.date = Date{year, f.month, f.day};
  if (f.era != kNoEra) {
    const int ordinal = Ordinal(year, f.month, f.day);
    if (ordinal < kEras[f.era].start || ordinal >= EraEnd(f.era)) {
      return OutsideEra(f.era);
    }
    out.era = std::string(kEras[f.era].name);
    out.era_year = f.year;
  }
  out.key = out.date.Key();
  return out;
}

absl::StatusOr<ParsedMonth> ParseMonth(std::string_view text) {
  ASSIGN_OR_RETURN(const Fields f, ReadFields(text, 2));
  ASSIGN_OR_RETURN(const int year, GregorianYear(f));
  RETURN_IF_ERROR(CheckYearMonth(year, f.month));
  ParsedMonth out;
  out.year = year;
  out.month = f.month;
  if (f.era != kNoEra) {
    // Valid when any day of the month lies within the era.
    const int first = Ordinal(year, f.month, 1);
    const int last = Ordinal(year, f.month, DaysInMonth(year, f.month));
    if (last < kEras[f.era].start || first >= EraEnd(f.era)) {
      return OutsideEra(f.era);
    }
    out.era = std::string(kEras[f.era].name);
    out.era_year = f.year;
  }
  out.key = absl::StrFormat("%04d%02d", year, f.month);
  return out;
}

namespace {

// Whether Key() is the 8 digits of year * 10000 + month * 100 + day.
bool EightDigitKey(const Date& d) {
  return d.year >= 1000 && d.year <= 9999 && d.month >= 0 && d.month <= 99 &&
         d.day >= 0 && d.day <= 99;
}

// Differing digit positions of two YYYYMMDD keys (as CompareDates counts
// them), and the last one, without formatting: this runs for every candidate.
void DifferingDigits(const Date& a, const Date& b, int* differing, int* where) {
  if (EightDigitKey(a) && EightDigitKey(b)) {
    int x = a.year * 10000 + a.month * 100 + a.day;
    int y = b.year * 10000 + b.month * 100 + b.day;
    for (int i = 7; i >= 0; --i, x /= 10, y /= 10) {
      if (x % 10 == y % 10) continue;
      if (*differing == 0) *where = i;
      ++*differing;
    }
    return;
  }
  const std::string ka = a.Key();
  const std::string kb = b.Key();
  for (size_t i = 0; i < ka.size() && i < kb.size(); ++i) {
    if (ka[i] != kb[i]) {
      ++*differing;
      *where = static_cast<int>(i);
    }
  }
}

}  // namespace

DateRelation CompareDates(const Date& receipt, const Date& roster) {
  if (receipt == roster) return DateRelation::kSame;
  int differing = 0, where = 0;
  DifferingDigits(receipt, roster, &differing, &where);
  if (differing == 1 && EightDigitKey(receipt) && EightDigitKey(roster)) {
    if (where >= 6) return DateRelation::kOneDigitDay;
    if (where >= 4) return DateRelation::kOneDigitMonth;
    return DateRelation::kOneDigitYear;
  }
  if (receipt.year == roster.year && receipt.month == roster.day &&
      receipt.day == roster.month) {
    return DateRelation::kMonthDaySwapped;
  }
  const int era_a = EraOf(receipt);
  const int era_b = EraOf(roster);
  if (era_a != kNoEra && era_b != kNoEra && era_a != era_b &&
      receipt.year - EraStartYear(era_a) == roster.year - EraStartYear(era_b) &&
      receipt.month == roster.month && receipt.day == roster.day) {
    return DateRelation::kWrongEra;
  }
  return DateRelation::kDifferent;
}

std::vector<Date> DateNearMisses(const Date& d) {
  std::vector<Date> out;
  if (!IsValidDate(d)) return out;
  out.reserve(64);
  // Seen dates in a small open-addressed set (at most ~60 near misses), so
  // that keeping the first of each stays linear.
  constexpr size_t kSlots = 128;
  int seen[kSlots] = {};
  auto add = [&](const Date& c) {
    if (c == d || !IsValidDate(c)) return;
    const int key = Ordinal(c.year, c.month, c.day);
    size_t slot = static_cast<size_t>(key) * 0x9E3779B1u % kSlots;
    while (seen[slot] != 0) {
      if (seen[slot] == key) return;
      slot = (slot + 1) % kSlots;
    }
    seen[slot] = key;
    out.push_back(c);
  };
  // One digit of YYYYMMDD: the last two of the year, the month's, the day's.
  static constexpr int Date::*kField[] = {&Date::year,  &Date::year,
                                          &Date::month, &Date::month,
                                          &Date::day,   &Date::day};
  static constexpr int kPlace[] = {10, 1, 10, 1, 10, 1};
  for (int pos = 0; pos < 6; ++pos) {
    const int value = d.*kField[pos];
    const int digit = (value / kPlace[pos]) % 10;
    for (int r = 0; r < 10; ++r) {
      if (r == digit) continue;
      Date candidate = d;
      candidate.*kField[pos] = value + (r - digit) * kPlace[pos];
      add(candidate);
    }
  }
  add(Date{d.year, d.day, d.month});
  const int era = EraOf(d);
  if (era != kNoEra) {
    const int era_year = d.year - EraStartYear(era) + 1;
    for (int e = 0; e < static_cast<int>(kEras.size()); ++e) {
      if (e == era) continue;
      const Date c{EraStartYear(e) + era_year - 1, d.month, d.day};
      const int ordinal = Ordinal(c.year, c.month, c.day);
      if (ordinal >= kEras[e].start && ordinal < EraEnd(e)) add(c);
    }
  }
  return out;
}

}  // namespace kuromaru::normalizer
