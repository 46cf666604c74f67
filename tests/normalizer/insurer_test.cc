#include "normalizer/insurer.h"

#include <set>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CheckDigitTest, KnownNumbers) {
  EXPECT_EQ(CheckDigit("3312001"), 5);
  EXPECT_EQ(CheckDigit("0113001"), 2);
  EXPECT_EQ(CheckDigit("7777777"), 9);
  EXPECT_EQ(CheckDigit("12a"), -1);
  EXPECT_TRUE(HasValidCheckDigit("33120015"));
  EXPECT_TRUE(HasValidCheckDigit("01130012"));
  EXPECT_TRUE(HasValidCheckDigit("77777779"));
  EXPECT_FALSE(HasValidCheckDigit("33120016"));
  EXPECT_FALSE(HasValidCheckDigit("77777777"));
  EXPECT_FALSE(HasValidCheckDigit(""));
  EXPECT_FALSE(HasValidCheckDigit("3312001x"));
}

TEST(CheckDigitTest, EverySingleDigitChangeIsCaught) {
  const std::string valid = "33120015";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == valid[i]) continue;
      std::string changed = valid;
      changed[i] = d;
      EXPECT_FALSE(HasValidCheckDigit(changed)) << changed;
    }
  }
}

TEST(ParseInsurerNumberTest, EightDigits) {
  absl::StatusOr<InsurerNumber> n = ParseInsurerNumber("01130012");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->digits, "01130012");
  EXPECT_FALSE(n->kokuho);
  EXPECT_FALSE(n->sentinel);
  EXPECT_TRUE(n->check_digit_valid);
  EXPECT_EQ(n->houbetsu, "01");
  EXPECT_THAT(n->houbetsu_name, HasSubstr("協会けんぽ"));
  EXPECT_EQ(n->prefecture_code, "13");
  EXPECT_EQ(n->prefecture, "東京都");
  EXPECT_THAT(n->repairs, IsEmpty());

  n = ParseInsurerNumber("33120015");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->houbetsu_name, "警察共済組合");
  EXPECT_EQ(n->prefecture, "千葉県");
}

TEST(ParseInsurerNumberTest, WidthAndSpaces) {
  absl::StatusOr<InsurerNumber> n = ParseInsurerNumber("　０１１３００１２ ");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->digits, "01130012");
}

TEST(ParseInsurerNumberTest, Kokuho) {
  // 13 (東京都) + 810 + check digit.
  const std::string digits = "13810" + std::to_string(CheckDigit("13810"));
  absl::StatusOr<InsurerNumber> n = ParseInsurerNumber(digits);
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(n->kokuho);
  EXPECT_TRUE(n->check_digit_valid);
  EXPECT_EQ(n->houbetsu, "");
  EXPECT_EQ(n->houbetsu_name, "国民健康保険");
  EXPECT_EQ(n->prefecture, "東京都");
}

TEST(ParseInsurerNumberTest, Sentinels) {
  for (std::string_view s : {"77777777", "77777779"}) {
    absl::StatusOr<InsurerNumber> n = ParseInsurerNumber(s);
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(n->sentinel) << s;
    EXPECT_THAT(n->repairs, IsEmpty()) << s;
  }
  EXPECT_TRUE(ParseInsurerNumber("77777779")->check_digit_valid);
  EXPECT_FALSE(ParseInsurerNumber("77777777")->check_digit_valid);
  EXPECT_FALSE(ParseInsurerNumber("77777778")->sentinel);
}

TEST(ParseInsurerNumberTest, RepairsOfABadCheckDigit) {
  absl::StatusOr<InsurerNumber> n = ParseInsurerNumber("33120016");
  ASSERT_TRUE(n.ok());
  EXPECT_FALSE(n->check_digit_valid);
  EXPECT_THAT(n->repairs, Contains("33120015"));
  EXPECT_LE(n->repairs.size(), 30u);
  std::set<std::string> unique(n->repairs.begin(), n->repairs.end());
  EXPECT_EQ(unique.size(), n->repairs.size());
  for (const std::string& r : n->repairs) {
    EXPECT_TRUE(HasValidCheckDigit(r)) << r;
    EXPECT_EQ(r.size(), 8u);
  }
  // Known 法別 and prefecture come first.
  absl::StatusOr<InsurerNumber> first = ParseInsurerNumber(n->repairs.front());
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->houbetsu_name.empty());
  EXPECT_FALSE(first->prefecture.empty());
}

TEST(ParseInsurerNumberTest, RepairsOfASwap) {
  absl::StatusOr<InsurerNumber> n =
      ParseInsurerNumber("10130012");  // 01 swapped
  ASSERT_TRUE(n.ok());
  ASSERT_FALSE(n->check_digit_valid);
  EXPECT_THAT(n->repairs, Contains("01130012"));
  EXPECT_EQ(n->repairs.front(), "01130012");
}

TEST(ParseInsurerNumberTest, Errors) {
  EXPECT_EQ(ParseInsurerNumber("").status().message(), "empty");
  EXPECT_EQ(ParseInsurerNumber("   ").status().message(), "empty");
  for (std::string_view bad : {"1234567", "123456789", "0113001a", "01-130012",
                               "0113 0012", "\xff\xff", "一二三四五六七八"}) {
    absl::StatusOr<InsurerNumber> n = ParseInsurerNumber(bad);
    EXPECT_FALSE(n.ok()) << bad;
    EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(std::string(ParseInsurerNumber("1234567").status().message()),
              HasSubstr("7 digits"));
}

TEST(ParseInsurerNumberTest, DigitsReparseToThemselves) {
  for (std::string_view s : {"０１１３００１２", "33120016", "77777777"}) {
    absl::StatusOr<InsurerNumber> n = ParseInsurerNumber(s);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(ParseInsurerNumber(n->digits)->digits, n->digits);
  }
}

}  // namespace
}  // namespace kuromaru::normalizer
