#include "normalizer/similarity.h"

#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

TEST(JaroWinklerTest, KnownValues) {
  // Winkler's published examples.
  EXPECT_NEAR(JaroWinkler(U"MARTHA", U"MARHTA"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler(U"DWAYNE", U"DUANE"), 0.840, 0.001);
  EXPECT_NEAR(JaroWinkler(U"DIXON", U"DICKSONX"), 0.813, 0.001);
  EXPECT_DOUBLE_EQ(JaroWinkler(U"タカハシ", U"タカハシ"), 1.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(U"", U""), 1.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(U"", U"ア"), 0.0);
  EXPECT_DOUBLE_EQ(JaroWinkler(U"アイ", U"ウエ"), 0.0);
}

TEST(JaroWinklerTest, SymmetricAndBounded) {
  const std::u32string_view words[] = {U"タカハシ", U"タカハ", U"ハシ",
                                       U"タナカ",   U"ア",     U"サイトウ",
                                       U"サイドウ"};
  for (auto a : words) {
    for (auto b : words) {
      const double s = JaroWinkler(a, b);
      EXPECT_GE(s, 0.0);
      EXPECT_LE(s, 1.0);
      EXPECT_DOUBLE_EQ(s, JaroWinkler(b, a));
    }
  }
  EXPECT_GT(JaroWinkler(U"サイトウ", U"サイドウ"),
            JaroWinkler(U"サイトウ", U"タナカ"));
}

TEST(EditDistanceTest, KnownValues) {
  EXPECT_EQ(EditDistance(U"kitten", U"sitting"), 3);
  EXPECT_EQ(EditDistance(U"", U"abc"), 3);
  EXPECT_EQ(EditDistance(U"abc", U""), 3);
  EXPECT_EQ(EditDistance(U"タカハシ", U"タカハシ"), 0);
  EXPECT_EQ(EditDistance(U"サイトウ", U"サイドウ"), 1);
  EXPECT_EQ(EditDistance(U"キヨウコ", U"キョウコ"), 1);
  EXPECT_EQ(EditDistance(U"タカハシ", U"ハシモト"), 4);
  EXPECT_EQ(EditDistance(U"flaw", U"lawn"), 2);
}

}  // namespace
}  // namespace kuromaru::normalizer
