#include "matcher/person_linkage.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matcher/name_relation.h"
#include "matcher/normalize_person.h"
#include "matcher/roster.h"
#include "tests/matcher/chain_rows.h"

namespace kuromaru::matcher {
namespace {

using ::kuromaru::matcher::testing::Kokuho;
using ::kuromaru::matcher::testing::Kouki;

std::shared_ptr<const Roster> Build(const std::vector<RosterRow>& rows) {
  RosterBuilder builder;
  for (const RosterRow& row : rows) EXPECT_TRUE(builder.Add(row).ok());
  absl::StatusOr<std::shared_ptr<const Roster>> roster = builder.Build();
  EXPECT_TRUE(roster.ok()) << roster.status();
  return *roster;
}

bool SamePerson(const Roster& roster, uint32_t a, uint32_t b) {
  return roster.PersonOf(EnrollmentId(a)) == roster.PersonOf(EnrollmentId(b));
}

TEST(PersonLinkageTest, ChainWithBlankKanaIsOnePerson) {
  auto roster = Build({Kokuho(), Kouki()});
  EXPECT_TRUE(SamePerson(*roster, 0, 1));
  EXPECT_EQ(roster->person_count(), 1u);
  EXPECT_EQ(roster->ValidIn(roster->PersonOf(EnrollmentId(0)), 202406),
            EnrollmentId(1));
}

TEST(PersonLinkageTest, KanaOnlyAndKanjiOnlyLinkWhenAdjacentAtOneAddress) {
  // 後期高齢者 at 65, by a disability certificate: not the 75th birthday.
  RosterRow kana_only = Kokuho();
  kana_only.name_kanji = "タカハシ　イチロウ";  // katakana in the kanji column
  kana_only.name_kana = "";
  kana_only.birth_date = "19590312";
  RosterRow kouki = Kouki();
  kouki.birth_date = kana_only.birth_date;
  auto roster = Build({kana_only, kouki});
  EXPECT_TRUE(SamePerson(*roster, 0, 1));

  // The same names far apart in time and place are not enough.
  RosterRow far = kouki;
  far.qualified_from = "20240901";
  far.address = "大阪府大阪市北区梅田1-1-1";
  far.postal_code = "5300001";
  auto apart = Build({kana_only, far});
  EXPECT_FALSE(SamePerson(*apart, 0, 1));
}

// Everyone born on a day moves to the 後期高齢者医療 insurer on their 75th
// birthday: two enrollments meeting then are no sign of one person, and the
// rest of the evidence must do. Here the names cannot be compared (kana in one
// script, kanji in the other) and one address is not enough.
TEST(PersonLinkageTest, MeetingOnTheSeventyFifthBirthdayIsNoEvidence) {
  RosterRow kana_only = Kokuho();  // born 1949-05-01, 後期 from 2024-05-01
  kana_only.name_kanji = "タカハシ　イチロウ";
  kana_only.name_kana = "";
  EXPECT_TRUE(AtSeventyFifthBirthday(19490501, 20240501));
  EXPECT_TRUE(AtSeventyFifthBirthday(19490501, 20240506));
  EXPECT_FALSE(AtSeventyFifthBirthday(19490501, 20240601));
  EXPECT_FALSE(AtSeventyFifthBirthday(19590501, 20240501));
  // Born on 29 February: 1 March of a common year.
  EXPECT_TRUE(AtSeventyFifthBirthday(19520229, 20270301));
  auto person = [](const RosterRow& r) {
    return NormalizePerson({.name_kanji = r.name_kanji,
                            .name_kana = r.name_kana,
                            .birth_date = r.birth_date,
                            .sex = r.sex,
                            .postal_code = r.postal_code,
                            .address = r.address},
                           nullptr);
  };
  auto score = [&](const RosterRow& a, const RosterRow& b) {
    const NormalizedPerson x = person(a);
    const NormalizedPerson y = person(b);
    return LinkScore({x.View(), 20100401, 20240501}, {y.View(), 20240501, 0});
  };
  const int at_75 = score(kana_only, Kouki());
  RosterRow younger = kana_only;
  younger.birth_date = "19590501";
  RosterRow younger_kouki = Kouki();
  younger_kouki.birth_date = younger.birth_date;
  EXPECT_EQ(score(younger, younger_kouki), at_75 + 7);
  EXPECT_LT(at_75, kLinkThreshold);
  EXPECT_FALSE(SamePerson(*Build({kana_only, Kouki()}), 0, 1));
  // A name that agrees still links them.
  EXPECT_TRUE(SamePerson(*Build({Kokuho(), Kouki()}), 0, 1));
}

TEST(PersonLinkageTest, MarriageAtTheSameInsurerIsOnePerson) {
  RosterRow before = {.insurer_number = "06130173",
                      .symbol = "4750",
                      .number = "688168",
                      .branch = "01",
                      .name_kanji = "佐藤　花子",
                      .name_kana = "サトウ　ハナコ",
                      .birth_date = "19900312",
                      .sex = "2",
                      .qualified_from = "20150401",
                      .qualified_until = "20230610"};
  RosterRow after = before;
  after.name_kanji = "鈴木　花子";
  after.name_kana = "スズキ　ハナコ";
  after.qualified_from = "20230610";
  after.qualified_until = "";
  auto roster = Build({before, after});
  EXPECT_TRUE(SamePerson(*roster, 0, 1));

  // Another woman of the same given name and birth date elsewhere is not.
  RosterRow stranger = after;
  stranger.insurer_number = "01130012";
  stranger.symbol = "77";
  stranger.number = "1";
  stranger.qualified_from = "20230901";
  auto two = Build({before, stranger});
  EXPECT_FALSE(SamePerson(*two, 0, 1));
}

TEST(PersonLinkageTest, OverlappingNamesakesStayApart) {
  RosterRow a = Kokuho();
  a.qualified_until = "";
  RosterRow b = a;
  b.insurer_number = "01130012";
  b.symbol = "1";
  b.number = "2";
  b.address = "";
  b.postal_code = "";
  b.qualified_from = "20200101";
  auto roster = Build({a, b});
  EXPECT_FALSE(SamePerson(*roster, 0, 1));
}

TEST(PersonLinkageTest, TwinsStayApartAndEachKeepsTheirChain) {
  // Twins in one household change insurer together; the new insurer keeps
  // no kana.
  RosterRow t1 = Kokuho();
  t1.name_kanji = "髙橋　一郎";
  t1.name_kana = "タカハシ　イチロウ";
  t1.branch = "01";
  RosterRow t2 = t1;
  t2.name_kanji = "髙橋　二郎";
  t2.name_kana = "タカハシ　ジロウ";
  t2.branch = "02";
  RosterRow n1 = Kouki();
  RosterRow n2 = n1;
  n2.number = "12345679";
  n2.name_kanji = "高橋二郎";
  auto roster = Build({t1, t2, n1, n2});
  EXPECT_TRUE(SamePerson(*roster, 0, 2));
  EXPECT_TRUE(SamePerson(*roster, 1, 3));
  EXPECT_FALSE(SamePerson(*roster, 0, 1));
  EXPECT_EQ(roster->person_count(), 2u);
}

TEST(PersonLinkageTest, NoChainThroughAContradiction) {
  // A kanji-only enrollment between two whose kana disagree joins one of
  // them, never both.
  RosterRow a = Kokuho();
  a.qualified_until = "20200401";
  RosterRow b = Kouki();
  b.qualified_from = "20200401";
  b.qualified_until = "20220401";
  b.insurer_number = "01130012";
  b.number = "55";
  RosterRow c = Kokuho();
  c.name_kanji = "髙橋　一男";
  c.name_kana = "タカハシ　カズオ";
  c.qualified_from = "20220401";
  c.qualified_until = "";
  c.number = "0043";
  auto roster = Build({a, b, c});
  EXPECT_FALSE(SamePerson(*roster, 0, 2));
  EXPECT_TRUE(SamePerson(*roster, 0, 1) || SamePerson(*roster, 1, 2));
}

TEST(PersonLinkageTest, DayNumbersAndOverlaps) {
  EXPECT_EQ(DayNumber(19700101), 0);
  EXPECT_EQ(DayNumber(20000301) - DayNumber(20000228), 2);  // leap year
  EXPECT_EQ(OverlapDays(20200101, 20200201, 20200201, 0), 0);
  EXPECT_EQ(OverlapDays(20200101, 20200201, 20200211, 0), -10);
  EXPECT_EQ(OverlapDays(20200101, 20200205, 20200201, 0), 4);
}

PersonView ViewOf(const NormalizedPerson& p) { return p.View(); }

NormalizedPerson Person(const char* kanji, const char* kana) {
  std::vector<FieldIssue> issues;
  return NormalizePerson({.name_kanji = kanji, .name_kana = kana}, &issues);
}

TEST(NameRelationTest, ScriptsAreComparedOnlyWhereBothKeptOne) {
  NormalizedPerson full = Person("髙橋　一郎", "タカハシ　イチロウ");
  NormalizedPerson kanji_only = Person("高橋一郎", "");
  NormalizedPerson kana_in_kanji = Person("タカハシイチロウ", "");
  EXPECT_EQ(KanjiRelation(ViewOf(full), ViewOf(kanji_only)),
            NameRelation::kSame);
  EXPECT_EQ(KanaRelation(ViewOf(full), ViewOf(kanji_only)),
            NameRelation::kUnknown);
  EXPECT_EQ(KanjiRelation(ViewOf(full), ViewOf(kana_in_kanji)),
            NameRelation::kUnknown);
  EXPECT_EQ(KanaRelation(ViewOf(full), ViewOf(kana_in_kanji)),
            NameRelation::kSame);
  NormalizedPerson wildcard = Person("●橋　一郎", "");
  EXPECT_EQ(KanjiRelation(ViewOf(full), ViewOf(wildcard)),
            NameRelation::kWildcard);
}

TEST(NameRelationTest, SurnameChangeKeepsTheGivenName) {
  NormalizedPerson before = Person("佐藤　花子", "サトウ　ハナコ");
  NormalizedPerson after = Person("鈴木　花子", "スズキ　ハナコ");
  NormalizedPerson joined = Person("鈴木花子", "スズキハナコ");
  NormalizedPerson other = Person("鈴木　桃子", "スズキ　モモコ");
  EXPECT_EQ(KanjiRelation(ViewOf(before), ViewOf(after)),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(KanaRelation(ViewOf(before), ViewOf(after)),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(KanjiRelation(ViewOf(before), ViewOf(joined)),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(KanaRelation(ViewOf(joined), ViewOf(before)),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(KanjiRelation(ViewOf(before), ViewOf(other)),
            NameRelation::kDifferent);
  EXPECT_EQ(KanaRelation(ViewOf(before), ViewOf(other)),
            NameRelation::kDifferent);
}

TEST(NameRelationTest, AnUnknownSplitMayHideASurnameChange) {
  NormalizedPerson before = Person("佐藤　薫", "サトウ　カオル");
  NormalizedPerson joined = Person("鈴木薫", "スズキカオル");
  // One kanji of given name against a name without a space: the kanji alone
  // cannot tell, the kana can.
  EXPECT_EQ(KanjiRelation(ViewOf(before), ViewOf(joined)),
            NameRelation::kMaybeSurnameChanged);
  EXPECT_EQ(KanaRelation(ViewOf(before), ViewOf(joined)),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(Confirm(NameRelation::kMaybeSurnameChanged,
                    NameRelation::kSurnameChanged),
            NameRelation::kSurnameChanged);
  EXPECT_EQ(Confirm(NameRelation::kMaybeSurnameChanged, NameRelation::kUnknown),
            NameRelation::kMaybeSurnameChanged);
  // Both kana without a space: two shared kana at the end.
  NormalizedPerson old_kana = Person("佐藤貴子", "サトウタカコ");
  NormalizedPerson new_kana = Person("佐々木　貴子", "ササキタカコ");
  EXPECT_EQ(KanaRelation(ViewOf(old_kana), ViewOf(new_kana)),
            NameRelation::kMaybeSurnameChanged);
  // With the split known on both sides a different given name is different.
  EXPECT_EQ(KanjiRelation(ViewOf(Person("佐藤　薫", "")),
                          ViewOf(Person("鈴木　茂", ""))),
            NameRelation::kDifferent);
}

TEST(PersonLinkageTest, MarriageWrittenWithoutSpacesLinksOnTheChain) {
  // The same insurer and key, re-issued at the wedding; both rows without a
  // space in either script, and another address.
  RosterRow before = {.insurer_number = "06270094",
                      .symbol = "9660",
                      .number = "689386",
                      .branch = "00",
                      .name_kanji = "佐藤貴子",
                      .name_kana = "サトウタカコ",
                      .birth_date = "19900903",
                      .sex = "2",
                      .qualified_from = "20180701",
                      .qualified_until = "20190901",
                      .address = "千葉県香取郡神崎町植房2-16-4"};
  RosterRow after = before;
  after.name_kanji = "佐々木貴子";
  after.name_kana = "ササキタカコ";
  after.qualified_from = "20190901";
  after.qualified_until = "";
  after.address = "千葉県成田市玉造1-12-24";
  auto roster = Build({before, after});
  EXPECT_TRUE(SamePerson(*roster, 0, 1));
}

}  // namespace
}  // namespace kuromaru::matcher
