#include "normalizer/field.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::normalizer {
namespace {

using ::testing::Contains;
using ::testing::Pair;

template <typename T>
T Part(const FieldResult& r, const std::string& name) {
  for (const auto& [n, v] : r.parts) {
    if (n == name) return std::get<T>(v);
  }
  ADD_FAILURE() << "no part " << name;
  return T{};
}

TEST(FieldTest, NamesRoundTrip) {
  ASSERT_EQ(FieldNames().size(), 9u);
  for (const std::string& name : FieldNames()) {
    EXPECT_TRUE(FieldFromName(name).has_value()) << name;
  }
  EXPECT_FALSE(FieldFromName("nickname").has_value());
  EXPECT_FALSE(FieldFromName("").has_value());
}

TEST(FieldTest, NameKanjiKeyKeepsVariantsAndLooseKeyFoldsThem) {
  const FieldResult r = NormalizeField(Field::kNameKanji, "髙橋　一郎");
  EXPECT_EQ(r.key, "髙橋一郎");
  EXPECT_EQ(r.loose_key, "高橋一郎");
  EXPECT_EQ(Part<std::string>(r, "surname"), "髙橋");
  EXPECT_EQ(Part<std::string>(r, "given"), "一郎");
  EXPECT_TRUE(r.error.empty());
}

TEST(FieldTest, NameKanjiWildcardsArePositioned) {
  const FieldResult r = NormalizeField(Field::kNameKanji, "●橋 \uE001郎");
  EXPECT_EQ(r.key, "●橋●郎");
  EXPECT_EQ(Part<int64_t>(r, "wildcard_count"), 2);
  EXPECT_EQ(Part<std::vector<int64_t>>(r, "wildcard_positions"),
            (std::vector<int64_t>{0, 2}));
}

TEST(FieldTest, KanaKeyAndLooseKey) {
  const FieldResult r = NormalizeField(Field::kNameKana, "ﾀｶﾞﾊｼ ｷﾖｳｺ");
  EXPECT_EQ(r.key, "タガハシキヨウコ");
  EXPECT_EQ(r.loose_key, "タカハシキヨウコ");
  EXPECT_EQ(Part<std::string>(r, "surname"), "タガハシ");
}

TEST(FieldTest, BirthDateInWarekiGivesSeirekiKeyAndEra) {
  const FieldResult r = NormalizeField(Field::kBirthDate, "3500123");
  EXPECT_EQ(r.key, "19750123");
  EXPECT_EQ(Part<std::string>(r, "era"), "昭和");
  EXPECT_EQ(Part<int64_t>(r, "era_year"), 50);
  const FieldResult bad = NormalizeField(Field::kBirthDate, "平成31年5月1日");
  EXPECT_TRUE(bad.key.empty());
  EXPECT_FALSE(bad.error.empty());
}

TEST(FieldTest, ServiceMonth) {
  EXPECT_EQ(NormalizeField(Field::kServiceMonth, "50604").key, "202404");
  EXPECT_EQ(NormalizeField(Field::kServiceMonth, "令和6年4月").key, "202404");
}

TEST(FieldTest, InsurerNumberRepairsAndSentinel) {
  const FieldResult typo = NormalizeField(Field::kInsurerNumber, "33120016");
  EXPECT_EQ(typo.key, "33120016");
  EXPECT_FALSE(typo.error.empty());
  EXPECT_THAT(Part<std::vector<std::string>>(typo, "repairs"),
              Contains("33120015"));
  const FieldResult ok =
      NormalizeField(Field::kInsurerNumber, "０１１３００１２");
  EXPECT_EQ(ok.key, "01130012");
  EXPECT_TRUE(ok.error.empty());
  const FieldResult unknown = NormalizeField(Field::kInsurerNumber, "77777777");
  EXPECT_TRUE(Part<bool>(unknown, "sentinel"));
  EXPECT_TRUE(unknown.error.empty());
}

TEST(FieldTest, MemberTakesTabSeparatedColumns) {
  const FieldResult r = NormalizeField(Field::kMember, "横浜\t１２３－４\t1");
  EXPECT_EQ(r.key, "横浜|1234|01");
  EXPECT_EQ(r.loose_key, "1234");
  EXPECT_TRUE(
      Part<bool>(NormalizeField(Field::kMember, "\t777777777\t"), "sentinel"));
  // Missing columns are empty, not an error.
  EXPECT_TRUE(NormalizeField(Field::kMember, "1234").error.empty());
}

TEST(FieldTest, AddressKeyExcludesBuilding) {
  const FieldResult r = NormalizeField(
      Field::kAddress, "東京都千代田区霞が関１丁目２番３号　霞ビル１０１");
  EXPECT_EQ(r.key, "東京都千代田区霞ケ関1-2-3");
  EXPECT_EQ(Part<std::string>(r, "building"), "霞ビル101");
  EXPECT_EQ(Part<std::string>(r, "municipality"), "千代田区");
}

TEST(FieldTest, PostalCodeAndSex) {
  EXPECT_EQ(NormalizeField(Field::kPostalCode, "〒１００－０００１").key,
            "1000001");
  EXPECT_FALSE(NormalizeField(Field::kPostalCode, "100-001").error.empty());
  EXPECT_EQ(NormalizeField(Field::kSex, "女").key, "2");
  const FieldResult unknown = NormalizeField(Field::kSex, "9");
  EXPECT_EQ(unknown.key, "");
  EXPECT_TRUE(unknown.error.empty());  // unknown, not an error
}

TEST(FieldTest, InvalidUtf8IsAnErrorForEveryTextField) {
  const std::string bad = "\xff\xfe\xe3\x81";
  for (const std::string& name : FieldNames()) {
    if (name == "sex") continue;  // anything unknown is simply unknown
    const FieldResult r = NormalizeField(*FieldFromName(name), bad);
    EXPECT_FALSE(r.error.empty()) << name;
    EXPECT_TRUE(r.key.empty()) << name;
  }
}

TEST(FieldTest, KeysAreFixedPoints) {
  const std::vector<std::pair<Field, std::string>> inputs = {
      {Field::kNameKanji, "渡邉　〓子"},
      {Field::kNameKana, "ｵｰﾉ ﾕｰｺ"},
      {Field::kBirthDate, "H1.1.8"},
      {Field::kServiceMonth, "R6.4"},
      {Field::kInsurerNumber, " 138014"},
      {Field::kAddress, "大阪府高槻市奈佐原２丁目１－２"},
      {Field::kPostalCode, "530-0001"},
      {Field::kSex, "M"}};
  for (const auto& [field, input] : inputs) {
    const FieldResult once = NormalizeField(field, input);
    ASSERT_FALSE(once.key.empty()) << input;
    EXPECT_EQ(NormalizeField(field, once.key).key, once.key) << input;
  }
}

}  // namespace
}  // namespace kuromaru::normalizer
