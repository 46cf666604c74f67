// The whole matcher on a small roster: normalization, blocking, scoring,
// decision.
#include "matcher/matcher.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::matcher {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

// 高橋太郎 left 協会けんぽ for a 国保 on 2023-04-01; 佐藤花子 has one
// enrollment; two different 鈴木一郎 share kana, birth date and sex.
std::shared_ptr<const RosterIndex> SmallRoster() {
  RosterBuilder b;
  auto add = [&](RosterRow r) { EXPECT_TRUE(b.Add(r).ok()); };
  add({.insurer_number = "01130012",
       .symbol = "1234",
       .number = "5678",
       .branch = "01",
       .name_kanji = "髙橋　太郎",
       .name_kana = "タカハシ　タロウ",
       .birth_date = "19750123",
       .sex = "1",
       .qualified_from = "20150401",
       .qualified_until = "20230401",
       .postal_code = "100-0001",
       .address = "東京都千代田区千代田1-1"});
  add({.insurer_number = "138222",
       .symbol = "横浜",
       .number = "0042",
       .name_kanji = "高橋 太郎",
       .name_kana = "ﾀｶﾊｼ ﾀﾛｳ",
       .birth_date = "19750123",
       .sex = "1",
       .qualified_from = "20230401",
       .postal_code = "231-0001",
       .address = "神奈川県横浜市中区新港1-1"});
  add({.insurer_number = "01130012",
       .symbol = "1234",
       .number = "9999",
       .name_kanji = "佐藤　花子",
       .name_kana = "サトウ　ハナコ",
       .birth_date = "19800229",
       .sex = "2",
       .qualified_from = "20000101"});
  add({.insurer_number = "06130012",
       .symbol = "11",
       .number = "100",
       .name_kanji = "鈴木　一郎",
       .name_kana = "スズキ　イチロウ",
       .birth_date = "19700505",
       .sex = "1",
       .qualified_from = "20000101"});
  add({.insurer_number = "06130020",
       .symbol = "22",
       .number = "200",
       .name_kanji = "鈴木　一郎",
       .name_kana = "スズキ　イチロウ",
       .birth_date = "19700505",
       .sex = "1",
       .qualified_from = "20050101"});
  auto roster = b.Build();
  EXPECT_TRUE(roster.ok());
  auto index = RosterIndex::Build(*roster);
  EXPECT_TRUE(index.ok());
  return *index;
}

std::unique_ptr<Matcher> Make() {
  auto m = Matcher::Create(SmallRoster(), Model::Default(), {});
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

TEST(MatcherTest, StaleInsurerFindsTheEnrollmentValidInTheServiceMonth) {
  auto matcher = Make();
  // Billed to the old insurer, in a month the new enrollment covers.
  const ReceiptMatch m = matcher->Match({.receipt_id = "R1",
                                         .service_month = "202405",
                                         .insurer_number = "01130012",
                                         .symbol = "1234",
                                         .number = "5678",
                                         .branch = "01",
                                         .name_kanji = "高橋 太郎",
                                         .name_kana = "タカハシ タロウ",
                                         .birth_date = "19750123",
                                         .sex = "1"});
  ASSERT_THAT(m.candidates, Not(IsEmpty()));
  EXPECT_EQ(m.candidates[0].info.insurer_number, "138222");
  EXPECT_EQ(m.candidates[0].info.symbol, "横浜");
  EXPECT_TRUE(m.candidates[0].valid_in_service_month);
  double sum = m.prior_weight;
  for (const Evidence& e : m.candidates[0].evidence) sum += e.weight;
  EXPECT_NEAR(sum, m.candidates[0].match_weight, 1e-9);
}

TEST(MatcherTest, WildcardNameAndWarekiBirthDateAutoMatchWithTheMemberKey) {
  auto matcher = Make();
  const ReceiptMatch m = matcher->Match({.receipt_id = "R2",
                                         .service_month = "R6.4",
                                         .insurer_number = "01130012",
                                         .symbol = "1234",
                                         .number = "9999",
                                         .name_kanji = "●藤 花子",
                                         .name_kana = "ｻﾄｳ ﾊﾅｺ",
                                         .birth_date = "3550229",
                                         .sex = "2"});
  ASSERT_THAT(m.candidates, Not(IsEmpty()));
  EXPECT_EQ(m.candidates[0].info.number, "9999");
  EXPECT_EQ(m.decision, Decision::kAutoMatch) << m.reason;
  EXPECT_EQ(m.normalized.wildcard_count, 1);
  EXPECT_EQ(m.service_month, 202404u);
}

TEST(MatcherTest, NamesakesAreNeverAutoMatchedOnNameAndBirthDateAlone) {
  auto matcher = Make();
  const ReceiptMatch m = matcher->Match({.receipt_id = "R3",
                                         .service_month = "202404",
                                         .insurer_number = "77777777",
                                         .number = "777777777",
                                         .name_kanji = "鈴木 一郎",
                                         .name_kana = "スズキ イチロウ",
                                         .birth_date = "19700505",
                                         .sex = "1"});
  ASSERT_GE(m.candidates.size(), 2u);
  EXPECT_NE(m.decision, Decision::kAutoMatch);
}

TEST(MatcherTest, SomeoneNotInTheRosterIsNotMatched) {
  auto matcher = Make();
  const ReceiptMatch m = matcher->Match({.receipt_id = "R4",
                                         .service_month = "202404",
                                         .insurer_number = "01130012",
                                         .name_kanji = "山田 次郎",
                                         .name_kana = "ヤマダ ジロウ",
                                         .birth_date = "19900101",
                                         .sex = "1"});
  EXPECT_NE(m.decision, Decision::kAutoMatch);
}

TEST(MatcherTest, UnparseableFieldsBecomeMissingWithANote) {
  auto matcher = Make();
  const ReceiptMatch m = matcher->Match({.receipt_id = "R5",
                                         .service_month = "2024年",
                                         .name_kana = "サトウ ハナコ",
                                         .birth_date = "19800229",
                                         .sex = "?"});
  EXPECT_EQ(m.service_month, 0u);
  bool noted = false;
  for (const FieldIssue& i : m.issues) noted |= i.field == "service_month";
  EXPECT_TRUE(noted);
  ASSERT_THAT(m.candidates, Not(IsEmpty()));
  EXPECT_EQ(m.candidates[0].info.number, "9999");
}

TEST(MatcherTest, ComparisonVectorsCoverEveryCandidateForEm) {
  auto matcher = Make();
  std::vector<ComparisonVector> vectors;
  const ReceiptText receipt{.receipt_id = "R6",
                            .service_month = "202404",
                            .name_kana = "スズキ イチロウ",
                            .birth_date = "19700505"};
  matcher->AppendComparisonVectors(receipt, &vectors);
  const ReceiptMatch m = matcher->Match(receipt);
  EXPECT_EQ(static_cast<int>(vectors.size()), m.candidates_considered);
  ASSERT_GE(vectors.size(), 2u);
  EXPECT_EQ(vectors[0][static_cast<int>(Field::kNameKana)], Level::kExact);
  EXPECT_EQ(vectors[0][static_cast<int>(Field::kNameKanji)], Level::kMissing);
}

}  // namespace
}  // namespace kuromaru::matcher
