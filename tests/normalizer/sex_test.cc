#include "normalizer/sex.h"

#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

TEST(NormalizeSexTest, Male) {
  for (std::string_view s : {"1", "１", "男", "男性", "M", "m", "Ｍ", "male",
                             "Male", " 1 ", "　男　"}) {
    EXPECT_EQ(NormalizeSex(s), "1") << s;
  }
}

TEST(NormalizeSexTest, Female) {
  for (std::string_view s :
       {"2", "２", "女", "女性", "F", "f", "ｆ", "female", "FEMALE"}) {
    EXPECT_EQ(NormalizeSex(s), "2") << s;
  }
}

TEST(NormalizeSexTest, UnknownIsEmpty) {
  for (std::string_view s : {"", "0", "3", "9", "男女", "x", "12", "\xff", "ma",
                             "\xef\xbc", "不明"}) {
    EXPECT_EQ(NormalizeSex(s), "") << s;
  }
}

TEST(NormalizeSexTest, Idempotent) {
  EXPECT_EQ(NormalizeSex(NormalizeSex("男")), "1");
  EXPECT_EQ(NormalizeSex(NormalizeSex("female")), "2");
}

}  // namespace
}  // namespace kuromaru::normalizer
