#include "matcher/comparison.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "normalizer/address.h"
#include "normalizer/insurer.h"
#include "normalizer/kana.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"

namespace kuromaru::matcher {
namespace {

NormalizedPerson Names(std::string_view kanji, std::string_view kana) {
  NormalizedPerson p;
  if (!kanji.empty()) {
    absl::StatusOr<normalizer::KanjiName> k =
        normalizer::NormalizeKanjiName(kanji);
    EXPECT_TRUE(k.ok()) << k.status();
    p.kanji_key = k->key;
    p.kanji_loose_key = k->loose_key;
    p.kanji_surname = k->given.empty() ? "" : k->surname;
    p.wildcard_count = k->wildcard_count;
  }
  if (!kana.empty()) {
    absl::StatusOr<normalizer::KanaName> k =
        normalizer::NormalizeKanaName(kana);
    EXPECT_TRUE(k.ok()) << k.status();
    p.kana_key = k->key;
    p.kana_loose_key = k->loose_key;
    p.kana_surname = k->given.empty() ? "" : k->surname;
  }
  return p;
}

Level Kanji(std::string_view a, std::string_view b) {
  return CompareNameKanji(Names(a, "").View(), Names(b, "").View()).level;
}

Level Kana(std::string_view a, std::string_view b) {
  return CompareNameKana(Names("", a).View(), Names("", b).View()).level;
}

NormalizedPerson Member(std::string_view symbol, std::string_view number,
                        std::string_view branch) {
  absl::StatusOr<normalizer::MemberKey> k =
      normalizer::NormalizeMember(symbol, number, branch);
  EXPECT_TRUE(k.ok()) << k.status();
  NormalizedPerson p;
  p.member_key = k->key;
  p.member_number = k->number;
  return p;
}

Level MemberLevel(const NormalizedPerson& a, const NormalizedPerson& b) {
  return CompareMember(a.View(), b.View()).level;
}

NormalizedPerson Address(std::string_view postal, std::string_view address) {
  NormalizedPerson p;
  if (!postal.empty()) p.postal_code = *normalizer::NormalizePostalCode(postal);
  if (!address.empty()) {
    absl::StatusOr<normalizer::Address> a =
        normalizer::NormalizeAddress(address);
    EXPECT_TRUE(a.ok()) << a.status();
    p.address_key = a->key;
    p.municipality = a->prefecture + a->municipality;
  }
  return p;
}

Level AddressLevel(const NormalizedPerson& a, const NormalizedPerson& b) {
  return CompareAddress(a.View(), b.View()).level;
}

// A valid 8-digit insurer number from its first seven digits.
std::string Insurer(std::string_view seven) {
  return absl::StrCat(std::string(seven), normalizer::CheckDigit(seven));
}

TEST(ComparisonTest, NamesAndLevelsRoundTrip) {
  for (int i = 0; i < kFieldCount; ++i) {
    const Field field = static_cast<Field>(i);
    EXPECT_EQ(FieldFromName(FieldName(field)), field);
    ASSERT_FALSE(LevelsOf(field).empty());
    EXPECT_EQ(LevelsOf(field).back(), Level::kMissing);
  }
  for (int i = 0; i < kLevelCount; ++i) {
    const Level level = static_cast<Level>(i);
    EXPECT_EQ(LevelFromName(LevelName(level)), level);
  }
  EXPECT_EQ(FieldName(Field::kNameKana), "name_kana");
  EXPECT_EQ(LevelName(Level::kExactAfterFolding), "EXACT_AFTER_FOLDING");
  EXPECT_FALSE(LevelFromName("exact").has_value());
  EXPECT_FALSE(FieldFromName("kana").has_value());
  EXPECT_TRUE(FieldHasLevel(Field::kMember, Level::kSameNumber));
  EXPECT_FALSE(FieldHasLevel(Field::kSex, Level::kNear));
}

TEST(ComparisonTest, NameKanjiLevels) {
  EXPECT_EQ(Kanji("髙橋 一郎", "髙橋一郎"), Level::kExact);
  EXPECT_EQ(Kanji("髙橋 一郎", "高橋 一郎"), Level::kExactAfterFolding);
  EXPECT_EQ(Kanji("●橋 一郎", "髙橋 一郎"), Level::kWildcard);
  EXPECT_EQ(Kanji("高橋 一郎", "高橋 二郎"), Level::kNear);
  EXPECT_EQ(Kanji("高橋 一郎", "高橋 一"), Level::kNear);
  EXPECT_EQ(Kanji("高橋 一郎", "佐藤 花子"), Level::kDifferent);
  EXPECT_EQ(Kanji("", "佐藤 花子"), Level::kMissing);
  // A kanji field written in kana: the kana comparison weighs the reading.
  EXPECT_EQ(Kanji("サトウ ハナコ", "佐藤 花子"), Level::kMissing);
  EXPECT_EQ(Kanji("佐藤 花子", "さとう はなこ"), Level::kMissing);
  EXPECT_EQ(Kanji("サトウ ハナコ", "サトウ ハナコ"), Level::kExact);
  EXPECT_EQ(Kanji("サトウ ハナコ", "スズキ ハナコ"), Level::kSurnameChanged);
  EXPECT_EQ(Kanji("サトウ ハナコ", "スズキ モモコ"), Level::kDifferent);
  // Marriage: the given name stays, with the split known on either side.
  EXPECT_EQ(Kanji("佐藤 花子", "鈴木 花子"), Level::kSurnameChanged);
  EXPECT_EQ(Kanji("佐藤 花子", "鈴木花子"), Level::kSurnameChanged);
  EXPECT_EQ(Kanji("佐藤花子", "鈴木花子"), Level::kDifferent);
  EXPECT_EQ(Kanji("佐藤 花子", ""), Level::kMissing);
  FieldComparison c = CompareNameKanji(Names("●橋 一郎", "").View(),
                                       Names("髙橋 一郎", "").View());
  EXPECT_EQ(c.receipt_value, "●橋一郎");
  EXPECT_EQ(c.roster_value, "髙橋一郎");
}

TEST(ComparisonTest, NameKanaLevels) {
  EXPECT_EQ(Kana("ﾀｶﾊｼ ｲﾁﾛｳ", "タカハシ　イチロウ"), Level::kExact);
  EXPECT_EQ(Kana("オーノ ケイコ", "オオノ ケイコ"), Level::kExactAfterFolding);
  EXPECT_EQ(Kana("タカハシ イチロウ", "タカハシ イチロ"), Level::kNear);
  EXPECT_EQ(Kana("ワタナベ ミチコ", "ワタナベ ミツコ"), Level::kNear);
  EXPECT_EQ(Kana("ヤマダ タロウ", "ヤマダ タケシ"), Level::kSimilar);
  EXPECT_EQ(Kana("タカハシ イチロウ", "タカハシ ハナコ"), Level::kSurnameOnly);
  EXPECT_EQ(Kana("タカハシ イチロウ", "スズキ ハナコ"), Level::kDifferent);
  EXPECT_EQ(Kana("", "スズキ ハナコ"), Level::kMissing);
  FieldComparison c = CompareNameKana(Names("", "ﾀｶﾊｼ ｲﾁﾛｰ").View(),
                                      Names("", "タカハシ イチロウ").View());
  EXPECT_EQ(c.receipt_value, "タカハシイチロウ");
}

TEST(ComparisonTest, BirthDateLevels) {
  EXPECT_EQ(CompareBirthDate(19750123, 19750123).level, Level::kExact);
  EXPECT_EQ(CompareBirthDate(19750123, 19750128).level, Level::kOneDigit);
  EXPECT_EQ(CompareBirthDate(19750323, 19750123).level, Level::kOneDigit);
  EXPECT_EQ(CompareBirthDate(19850123, 19750123).level, Level::kOneDigit);
  EXPECT_EQ(CompareBirthDate(19750304, 19750403).level,
            Level::kMonthDaySwapped);
  // 平成5年3月4日 billed as 令和5年3月4日.
  EXPECT_EQ(CompareBirthDate(20230304, 19930304).level, Level::kWrongEra);
  EXPECT_EQ(CompareBirthDate(19750123, 19820917).level, Level::kDifferent);
  EXPECT_EQ(CompareBirthDate(0, 19820917).level, Level::kMissing);
  FieldComparison c = CompareBirthDate(19750123, 19750128);
  EXPECT_EQ(c.receipt_value, "19750123");
  EXPECT_EQ(c.roster_value, "19750128");
}

TEST(ComparisonTest, SexLevels) {
  EXPECT_EQ(CompareSex(Sex::kMale, Sex::kMale).level, Level::kExact);
  EXPECT_EQ(CompareSex(Sex::kMale, Sex::kFemale).level, Level::kDifferent);
  EXPECT_EQ(CompareSex(Sex::kUnknown, Sex::kFemale).level, Level::kMissing);
  EXPECT_EQ(CompareSex(Sex::kMale, Sex::kFemale).roster_value, "2");
}

TEST(ComparisonTest, MemberLevels) {
  const NormalizedPerson roster = Member("ＡＢ", "12345678", "01");
  EXPECT_EQ(MemberLevel(Member("AB", "12345678", "1"), roster), Level::kExact);
  EXPECT_EQ(MemberLevel(Member("AC", "12345678", "01"), roster),
            Level::kSameNumber);
  EXPECT_EQ(MemberLevel(Member("AB", "12345678", "02"), roster),
            Level::kSameNumber);
  EXPECT_EQ(MemberLevel(Member("AB", "12345679", "01"), roster), Level::kNear);
  EXPECT_EQ(MemberLevel(Member("AB", "1234567", "01"), roster), Level::kNear);
  EXPECT_EQ(MemberLevel(Member("AB", "12345687", "01"), roster), Level::kNear);
  EXPECT_EQ(MemberLevel(Member("AB", "87654321", "01"), roster),
            Level::kDifferent);
  // Short numbers one digit apart are too common to count as a typo.
  EXPECT_EQ(MemberLevel(Member("", "123", ""), Member("", "124", "")),
            Level::kDifferent);
  EXPECT_EQ(MemberLevel(Member("", "777777777", ""), roster), Level::kMissing);
  EXPECT_EQ(MemberLevel(Member("", "", ""), roster), Level::kMissing);
  EXPECT_EQ(MemberLevel(roster, Member("", "", "")), Level::kMissing);
}

TEST(ComparisonTest, InsurerLevels) {
  const std::string tokyo = Insurer("0113001");   // 協会けんぽ, 東京
  const std::string tokyo2 = Insurer("0113002");  // same 法別 and prefecture
  const std::string osaka = Insurer("0627003");   // 組合健保, 大阪
  auto billed = [](std::string_view text) {
    absl::StatusOr<normalizer::InsurerNumber> n =
        normalizer::ParseInsurerNumber(text);
    EXPECT_TRUE(n.ok()) << n.status();
    return *n;
  };
  auto level = [](const normalizer::InsurerNumber* n, std::string_view roster,
                  std::span<const std::string_view> others = {}) {
    return CompareInsurer(n, roster, others).level;
  };
  normalizer::InsurerNumber same = billed(tokyo);
  EXPECT_EQ(level(&same, tokyo), Level::kExact);
  // One mistyped digit: the check digit fails and the repair is the roster's.
  std::string typo = tokyo;
  typo[5] = typo[5] == '0' ? '9' : '0';
  normalizer::InsurerNumber mistyped = billed(typo);
  ASSERT_FALSE(mistyped.check_digit_valid);
  EXPECT_EQ(level(&mistyped, tokyo), Level::kRepaired);
  normalizer::InsurerNumber old = billed(osaka);
  const std::string_view history[] = {osaka};
  EXPECT_EQ(level(&old, tokyo, history), Level::kPreviousInsurer);
  EXPECT_EQ(level(&same, tokyo2), Level::kSameHoubetsuPrefecture);
  // 国保: 都道府県番号 + 保険者別番号 + 検証番号.
  const std::string kokuho_a =
      absl::StrCat("13801", normalizer::CheckDigit("13801"));
  const std::string kokuho_b =
      absl::StrCat("13802", normalizer::CheckDigit("13802"));
  normalizer::InsurerNumber kokuho_billed = billed(kokuho_a);
  EXPECT_EQ(level(&kokuho_billed, kokuho_b), Level::kSameHoubetsuPrefecture);
  EXPECT_EQ(level(&old, tokyo), Level::kDifferent);
  EXPECT_EQ(level(&kokuho_billed, tokyo), Level::kDifferent);
  normalizer::InsurerNumber sentinel = billed("77777779");
  EXPECT_EQ(level(&sentinel, tokyo), Level::kMissing);
  EXPECT_EQ(level(nullptr, tokyo), Level::kMissing);
  EXPECT_EQ(level(&same, ""), Level::kMissing);
  EXPECT_EQ(CompareInsurer(&mistyped, tokyo, {}).receipt_value, typo);
}

TEST(ComparisonTest, AddressLevels) {
  const NormalizedPerson roster =
      Address("530-0001", "大阪府大阪市北区梅田1丁目2-3");
  EXPECT_EQ(AddressLevel(Address("", "大阪市北区梅田１－２－３"), roster),
            Level::kExact);
  EXPECT_EQ(AddressLevel(Address("5300001", ""), roster), Level::kPostalCode);
  EXPECT_EQ(
      AddressLevel(Address("5300001", "大阪府大阪市北区梅田1-9-9"), roster),
      Level::kPostalCode);
  EXPECT_EQ(AddressLevel(Address("", "大阪府大阪市北区中之島1-1"), roster),
            Level::kMunicipality);
  EXPECT_EQ(AddressLevel(Address("1000001", "東京都千代田区千代田1-1"), roster),
            Level::kDifferent);
  EXPECT_EQ(AddressLevel(Address("", ""), roster), Level::kMissing);
  EXPECT_EQ(AddressLevel(Address("1000001", ""), Address("", "")),
            Level::kMissing);
}

TEST(ComparisonTest, EnrollmentLevels) {
  EnrollmentContext e;
  e.qualified_from = 20200401;
  e.valid_in_service_month = true;
  EXPECT_EQ(CompareEnrollment(202404, e).level, Level::kValid);
  EXPECT_EQ(CompareEnrollment(0, e).level, Level::kMissing);
  e.valid_in_service_month = false;
  e.qualified_until = 20240201;  // covered through January
  EXPECT_EQ(CompareEnrollment(202404, e).level, Level::kEndedRecently);
  EXPECT_EQ(CompareEnrollment(202403, e).level, Level::kEndedRecently);
  e.person_has_other_valid = true;  // superseded, not stale
  EXPECT_EQ(CompareEnrollment(202404, e).level, Level::kInvalid);
  e.person_has_other_valid = false;
  e.qualified_until = 20240101;  // more than three months before
  EXPECT_EQ(CompareEnrollment(202404, e).level, Level::kInvalid);
  EnrollmentContext later;
  later.qualified_from = 20240415;
  EXPECT_EQ(CompareEnrollment(202404, later).level, Level::kStartsAfter);
  EXPECT_EQ(CompareEnrollment(202404, later).roster_value, "20240415-");
  // Across a year boundary.
  EnrollmentContext winter;
  winter.qualified_from = 20200101;
  winter.qualified_until = 20231201;
  EXPECT_EQ(CompareEnrollment(202402, winter).level, Level::kEndedRecently);
  EXPECT_EQ(CompareEnrollment(202403, winter).level, Level::kInvalid);
}

}  // namespace
}  // namespace kuromaru::matcher
