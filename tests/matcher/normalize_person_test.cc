#include "matcher/normalize_person.h"

#include <vector>

#include "gtest/gtest.h"

namespace kuromaru::matcher {
namespace {

TEST(NormalizePersonTest, ReceiptAndRosterWritingsGiveEqualKeys) {
  std::vector<FieldIssue> issues;
  RawPerson receipt{.name_kanji = "髙橋　太郎",
                    .name_kana = "ﾀｶﾊｼ ﾀﾛｰ",
                    .birth_date = "S50.1.23",
                    .sex = "男",
                    .insurer_number = "０６１３００１２",
                    .symbol = "ＡＢ－１２",
                    .number = "０１２３",
                    .branch = "1",
                    .postal_code = "〒１００－０００１",
                    .address = "東京都千代田区千代田１－１"};
  RawPerson roster{.name_kanji = "高橋 太郎",
                   .name_kana = "タカハシ　タロウ",
                   .birth_date = "19750123",
                   .sex = "1",
                   .insurer_number = "06130012",
                   .symbol = "AB12",
                   .number = "0123",
                   .branch = "01",
                   .postal_code = "1000001",
                   .address = "東京都千代田区千代田1-1"};
  NormalizedPerson a = NormalizePerson(receipt, &issues);
  NormalizedPerson b = NormalizePerson(roster, &issues);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(a.kanji_loose_key, b.kanji_loose_key);
  EXPECT_NE(a.kanji_key, b.kanji_key);  // 髙 is folded in the loose key only
  EXPECT_EQ(a.kana_key, b.kana_key);
  EXPECT_EQ(a.kana_key, "タカハシタロウ");
  EXPECT_EQ(a.kana_surname, "タカハシ");
  EXPECT_EQ(a.kanji_surname, "髙橋");
  EXPECT_EQ(a.birth_date, 19750123u);
  EXPECT_EQ(a.birth_date, b.birth_date);
  EXPECT_EQ(a.sex, Sex::kMale);
  EXPECT_EQ(a.insurer_number, "06130012");
  EXPECT_EQ(a.member_key, b.member_key);
  EXPECT_EQ(a.member_key, "AB12|0123|01");
  EXPECT_EQ(a.member_number, "0123");
  EXPECT_EQ(a.postal_code, "1000001");
  EXPECT_EQ(a.address_key, b.address_key);
  EXPECT_EQ(a.municipality, "東京都千代田区");
}

TEST(NormalizePersonTest, BadFieldsBecomeMissingWithReason) {
  std::vector<FieldIssue> issues;
  NormalizedPerson p = NormalizePerson({.name_kanji = "山田花子",
                                        .name_kana = "ヤマダ1",
                                        .birth_date = "19750230",
                                        .insurer_number = "12345",
                                        .postal_code = "12-34"},
                                       &issues);
  ASSERT_EQ(issues.size(), 4u);
  EXPECT_EQ(issues[0].field, "name_kana");
  EXPECT_EQ(issues[1].field, "birth_date");
  EXPECT_EQ(issues[2].field, "insurer_number");
  EXPECT_EQ(issues[3].field, "postal_code");
  EXPECT_FALSE(issues[1].reason.empty());
  EXPECT_EQ(p.kanji_key, "山田花子");
  EXPECT_TRUE(p.kanji_surname.empty());  // no separator
  EXPECT_TRUE(p.kana_key.empty());
  EXPECT_EQ(p.birth_date, 0u);
  EXPECT_TRUE(p.insurer_number.empty());
  EXPECT_EQ(p.sex, Sex::kUnknown);
}

TEST(NormalizePersonTest, EmptyFieldsAreMissingWithoutIssues) {
  std::vector<FieldIssue> issues;
  NormalizedPerson p = NormalizePerson({.sex = "9"}, &issues);
  EXPECT_TRUE(issues.empty());
  EXPECT_TRUE(p.kanji_key.empty());
  EXPECT_EQ(p.sex, Sex::kUnknown);
  EXPECT_TRUE(p.member_key.empty());
}

TEST(NormalizePersonTest, PrivateUseCharacterIsAWildcard) {
  std::vector<FieldIssue> issues;
  NormalizedPerson p =
      NormalizePerson({.name_kanji = "\xEE\x80\x80橋　一郎"}, &issues);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(p.wildcard_count, 1);
  EXPECT_EQ(p.kanji_key, "●橋一郎");
}

TEST(NormalizePersonTest, KatakanaInTheKanjiFieldStandsInForKana) {
  std::vector<FieldIssue> issues;
  NormalizedPerson p =
      NormalizePerson({.name_kanji = "スミス　ジョン"}, &issues);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(p.kana_key, "スミスジヨン");
  EXPECT_EQ(p.kana_surname, "スミス");
}

}  // namespace
}  // namespace kuromaru::matcher
