#include "normalizer/date.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::string KeyOf(std::string_view text) {
  absl::StatusOr<ParsedDate> d = ParseDate(text);
  return d.ok() ? d->key : "error: " + std::string(d.status().message());
}

std::string MonthKeyOf(std::string_view text) {
  absl::StatusOr<ParsedMonth> m = ParseMonth(text);
  return m.ok() ? m->key : "error: " + std::string(m.status().message());
}

TEST(ParseDateTest, WesternForms) {
  EXPECT_EQ(KeyOf("19750123"), "19750123");
  EXPECT_EQ(KeyOf("1975-01-23"), "19750123");
  EXPECT_EQ(KeyOf("1975/1/23"), "19750123");
  EXPECT_EQ(KeyOf("1975.01.23"), "19750123");
  EXPECT_EQ(KeyOf("1975年1月23日"), "19750123");
  EXPECT_EQ(KeyOf("　１９７５０１２３ "), "19750123");
  EXPECT_EQ(KeyOf("１９７５－０１－２３"), "19750123");
  absl::StatusOr<ParsedDate> d = ParseDate("19750123");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->era, "");
  EXPECT_EQ(d->era_year, 0);
  EXPECT_EQ(d->date, (Date{1975, 1, 23}));
}

TEST(ParseDateTest, JapaneseEraForms) {
  EXPECT_EQ(KeyOf("3500123"), "19750123");
  EXPECT_EQ(KeyOf("S50.1.23"), "19750123");
  EXPECT_EQ(KeyOf("s50.01.23"), "19750123");
  EXPECT_EQ(KeyOf("Ｓ５０．１．２３"), "19750123");
  EXPECT_EQ(KeyOf("S500123"), "19750123");
  EXPECT_EQ(KeyOf("昭和50年1月23日"), "19750123");
  EXPECT_EQ(KeyOf("昭和５０年１月２３日"), "19750123");
  EXPECT_EQ(KeyOf("昭50.1.23"), "19750123");
  EXPECT_EQ(KeyOf("㍼50.1.23"), "19750123");
  EXPECT_EQ(KeyOf("H1.1.8"), "19890108");
  EXPECT_EQ(KeyOf("R1.5.1"), "20190501");
  EXPECT_EQ(KeyOf("5010501"), "20190501");
  EXPECT_EQ(KeyOf("1450101"), "19120101");  // 明治45年
  EXPECT_EQ(KeyOf("T15.12.24"), "19261224");
  absl::StatusOr<ParsedDate> d = ParseDate("平成元年1月8日");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->key, "19890108");
  EXPECT_EQ(d->era, "平成");
  EXPECT_EQ(d->era_year, 1);
  EXPECT_EQ(KeyOf("令和元年5月1日"), "20190501");
}

TEST(ParseDateTest, EraBoundaries) {
  EXPECT_EQ(KeyOf("平成31年4月30日"), "20190430");
  EXPECT_EQ(KeyOf("令和元年5月1日"), "20190501");
  EXPECT_THAT(KeyOf("平成31年5月1日"), HasSubstr("outside 平成"));
  EXPECT_THAT(KeyOf("令和元年4月30日"), HasSubstr("outside 令和"));
  EXPECT_EQ(KeyOf("昭和64年1月7日"), "19890107");
  EXPECT_THAT(KeyOf("昭和64年1月8日"), HasSubstr("outside 昭和"));
  EXPECT_EQ(KeyOf("平成元年1月8日"), "19890108");
  EXPECT_THAT(KeyOf("平成元年1月7日"), HasSubstr("outside 平成"));
  EXPECT_EQ(KeyOf("大正15年12月24日"), "19261224");
  EXPECT_THAT(KeyOf("大正15年12月25日"), HasSubstr("outside 大正"));
  EXPECT_EQ(KeyOf("昭和元年12月25日"), "19261225");
  EXPECT_THAT(KeyOf("昭和元年12月24日"), HasSubstr("outside 昭和"));
  EXPECT_EQ(KeyOf("明治45年7月29日"), "19120729");
  EXPECT_THAT(KeyOf("明治45年7月30日"), HasSubstr("outside 明治"));
  EXPECT_EQ(KeyOf("大正元年7月30日"), "19120730");
  EXPECT_THAT(KeyOf("大正元年7月29日"), HasSubstr("outside 大正"));
  EXPECT_EQ(KeyOf("明治元年1月25日"), "18680125");
  EXPECT_THAT(KeyOf("明治元年1月24日"), HasSubstr("outside 明治"));
  EXPECT_THAT(KeyOf("S0.1.1"), HasSubstr("era year 0"));
}

TEST(ParseDateTest, ImpossibleDates) {
  EXPECT_THAT(KeyOf("19751323"), HasSubstr("month 13"));
  EXPECT_THAT(KeyOf("19750230"), HasSubstr("day 30"));
  EXPECT_THAT(KeyOf("19750229"), HasSubstr("day 29"));
  EXPECT_EQ(KeyOf("19760229"), "19760229");
  EXPECT_EQ(KeyOf("20000229"), "20000229");
  EXPECT_THAT(KeyOf("19000229"), HasSubstr("day 29"));  // 1900 is not leap
  EXPECT_THAT(KeyOf("21000229"), HasSubstr("day 29"));  // 2100 is not leap
  EXPECT_THAT(KeyOf("19750100"), HasSubstr("day 0"));
  EXPECT_THAT(KeyOf("18670101"), HasSubstr("year 1867"));
  EXPECT_THAT(KeyOf("21010101"), HasSubstr("year 2101"));
}

TEST(ParseDateTest, MalformedInput) {
  for (std::string_view bad :
       {"", "   ", "1975", "197501231", "1975-01/23", "1975-1-23-", "S50",
        "X50.1.23", "昭和50年1月", "abc", "1975--01-23", "７５．１．２３",
        "元.1.1", "S123.1.1", "\xff\xfe", "1975-01-23x"}) {
    absl::StatusOr<ParsedDate> d = ParseDate(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST(ParseDateTest, KeyParsesToItself) {
  for (std::string_view text :
       {"S50.1.23", "平成元年1月8日", "R6.2.29", "1868-01-25"}) {
    absl::StatusOr<ParsedDate> d = ParseDate(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(KeyOf(d->key), d->key);
    EXPECT_TRUE(IsValidUtf8(d->era));
  }
}

TEST(ParseMonthTest, Forms) {
  EXPECT_EQ(MonthKeyOf("202404"), "202404");
  EXPECT_EQ(MonthKeyOf("50604"), "202404");
  EXPECT_EQ(MonthKeyOf("2024-04"), "202404");
  EXPECT_EQ(MonthKeyOf("2024/4"), "202404");
  EXPECT_EQ(MonthKeyOf("R6.4"), "202404");
  EXPECT_EQ(MonthKeyOf("令和6年4月"), "202404");
  EXPECT_EQ(MonthKeyOf("令和６年４月"), "202404");
  EXPECT_EQ(MonthKeyOf("R0604"), "202404");
  absl::StatusOr<ParsedMonth> m = ParseMonth("令和6年4月");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->era, "令和");
  EXPECT_EQ(m->era_year, 6);
  EXPECT_EQ(m->year, 2024);
  EXPECT_EQ(m->month, 4);
  EXPECT_EQ(MonthKeyOf(m->key), m->key);
}

TEST(ParseMonthTest, EraBoundariesAtMonthPrecision) {
  EXPECT_EQ(MonthKeyOf("平成31年4月"), "201904");
  EXPECT_THAT(MonthKeyOf("平成31年5月"), HasSubstr("outside 平成"));
  EXPECT_EQ(MonthKeyOf("令和元年5月"), "201905");
  EXPECT_THAT(MonthKeyOf("令和元年4月"), HasSubstr("outside 令和"));
  EXPECT_EQ(MonthKeyOf("昭和64年1月"), "198901");
  EXPECT_EQ(MonthKeyOf("平成元年1月"), "198901");
  EXPECT_THAT(MonthKeyOf("昭和64年2月"), HasSubstr("outside 昭和"));
  EXPECT_THAT(MonthKeyOf("202413"), HasSubstr("month 13"));
  EXPECT_FALSE(ParseMonth("20240401").ok());
  EXPECT_FALSE(ParseMonth("").ok());
}

TEST(CompareDatesTest, Relations) {
  const Date roster{1975, 1, 23};
  EXPECT_EQ(CompareDates({1975, 1, 23}, roster), DateRelation::kSame);
  EXPECT_EQ(CompareDates({1975, 1, 28}, roster), DateRelation::kOneDigitDay);
  EXPECT_EQ(CompareDates({1975, 1, 13}, roster), DateRelation::kOneDigitDay);
  EXPECT_EQ(CompareDates({1975, 7, 23}, roster), DateRelation::kOneDigitMonth);
  EXPECT_EQ(CompareDates({1976, 1, 23}, roster), DateRelation::kOneDigitYear);
  EXPECT_EQ(CompareDates({1985, 1, 23}, roster), DateRelation::kOneDigitYear);
  EXPECT_EQ(CompareDates({1975, 3, 4}, {1975, 4, 3}),
            DateRelation::kMonthDaySwapped);
  EXPECT_EQ(CompareDates({1993, 3, 4}, {2023, 3, 4}),
            DateRelation::kWrongEra);  // H5/R5
  EXPECT_EQ(CompareDates({1921, 5, 1}, {1935, 5, 1}),
            DateRelation::kWrongEra);  // T10/S10
  EXPECT_EQ(CompareDates({1975, 1, 23}, {1980, 6, 2}),
            DateRelation::kDifferent);
  EXPECT_EQ(CompareDates({1993, 3, 5}, {2023, 3, 4}), DateRelation::kDifferent);
}

TEST(DateNearMissesTest, OneTypoAway) {
  const Date d{1975, 1, 23};
  const std::vector<Date> misses = DateNearMisses(d);
  EXPECT_LE(misses.size(), 60u);
  EXPECT_THAT(misses, Not(Contains(d)));
  EXPECT_THAT(misses, Contains(Date{1975, 1, 28}));
  EXPECT_THAT(misses, Contains(Date{1976, 1, 23}));
  EXPECT_THAT(misses, Contains(Date{1975, 7, 23}));
  EXPECT_THAT(misses, Not(Contains(Date{1975, 23, 1})));  // swap impossible
  EXPECT_THAT(misses, Contains(Date{2068, 1, 23}));       // 令和50年
  for (const Date& m : misses) {
    EXPECT_TRUE(IsValidDate(m)) << m.Key();
    EXPECT_NE(CompareDates(m, d), DateRelation::kDifferent) << m.Key();
  }
}

TEST(DateNearMissesTest, SwappedAndWrongEra) {
  const std::vector<Date> misses =
      DateNearMisses({1993, 3, 4});  // 平成5年3月4日
  EXPECT_THAT(misses, Contains(Date{1993, 4, 3}));
  EXPECT_THAT(misses, Contains(Date{2023, 3, 4}));  // 令和5年
  EXPECT_THAT(misses, Contains(Date{1930, 3, 4}));  // 昭和5年
  EXPECT_THAT(misses, Contains(Date{1916, 3, 4}));  // 大正5年
  EXPECT_THAT(misses, Contains(Date{1872, 3, 4}));  // 明治5年
  EXPECT_LE(misses.size(), 60u);
  for (const Date& d : {Date{2000, 2, 29}, Date{1989, 1, 8}, Date{2019, 12, 31},
                        Date{1868, 1, 25}, Date{2100, 12, 31}}) {
    const std::vector<Date> m = DateNearMisses(d);
    EXPECT_LE(m.size(), 60u) << d.Key();
    for (size_t i = 0; i < m.size(); ++i) {
      for (size_t j = i + 1; j < m.size(); ++j) EXPECT_NE(m[i], m[j]);
    }
  }
  EXPECT_TRUE(DateNearMisses({1975, 2, 30}).empty());
}

}  // namespace
}  // namespace kuromaru::normalizer
