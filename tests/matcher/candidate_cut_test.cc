// Which candidates survive the cut when a receipt finds more persons than
// CandidateOptions::max_total (a large roster): the person it belongs to,
// even when its fields agree with that person only through another of the
// person's enrollments, only through the given name, or only through the
// enrollment that ended before the month.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matcher/normalize_person.h"
#include "matcher/roster_index.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {
namespace {

std::shared_ptr<const RosterIndex> IndexOf(const std::vector<RosterRow>& rows) {
  RosterBuilder builder;
  for (const RosterRow& row : rows)
    EXPECT_TRUE(builder.Add(row).ok()) << row.name_kanji;
  auto roster = builder.Build();
  EXPECT_TRUE(roster.ok()) << roster.status();
  auto index = RosterIndex::Build(*roster);
  EXPECT_TRUE(index.ok()) << index.status();
  return *index;
}

std::string WithCheck(const std::string& digits) {
  return digits + std::to_string(normalizer::CheckDigit(digits));
}

// The enrollments of the candidates, best first, at most `max_total`.
std::vector<EnrollmentId> Cut(const RosterIndex& index, const RawPerson& raw,
                              PackedMonth month, int max_total) {
  std::optional<normalizer::InsurerNumber> billed;
  const NormalizedPerson receipt = NormalizePerson(raw, nullptr, &billed);
  CandidateOptions options;
  options.max_total = max_total;
  std::vector<EnrollmentId> out;
  for (const Candidate& c : index.Candidates(receipt.View(), month, options,
                                             billed ? &*billed : nullptr)) {
    out.push_back(c.enrollment);
  }
  return out;
}

RosterRow Row(std::string insurer, std::string number, std::string kanji,
              std::string kana, std::string birth, std::string sex,
              std::string from, std::string until = "") {
  return {.insurer_number = std::move(insurer),
          .symbol = "7",
          .number = std::move(number),
          .name_kanji = std::move(kanji),
          .name_kana = std::move(kana),
          .birth_date = std::move(birth),
          .sex = std::move(sex),
          .qualified_from = std::move(from),
          .qualified_until = std::move(until)};
}

// A marriage at one insurer: one person, under her maiden name first. The
// receipt gives the married name; a namesake of that name (the same birth
// date, the other sex) agrees with it better than the maiden name does.
TEST(CandidateCutTest, ThePersonsBestAgreeingEnrollmentCounts) {
  const std::string insurer = WithCheck("0613017");
  const auto index = IndexOf({
      Row(insurer, "100", "佐藤　花子", "サトウ　ハナコ", "19900312", "2",
          "20150401", "20230610"),
      Row(insurer, "100", "鈴木　花子", "スズキ　ハナコ", "19900312", "2",
          "20230610"),
      Row(insurer, "200", "鈴木　花子", "スズキ　ハナコ", "19900312", "1",
          "20100101"),
  });
  ASSERT_EQ(index->roster().PersonOf(EnrollmentId(0)),
            index->roster().PersonOf(EnrollmentId(1)));
  const RawPerson receipt{.name_kanji = "鈴木　花子",
                          .name_kana = "スズキ　ハナコ",
                          .birth_date = "19900312",
                          .sex = "2"};
  EXPECT_EQ(Cut(*index, receipt, 202404, 1),
            std::vector<EnrollmentId>{EnrollmentId(1)});
}

// Married after the roster was last sent: the receipt's surname is new, its
// given name and birth date are the person's. A namesake of the whole new name
// born another day agrees with fewer fields.
TEST(CandidateCutTest, AGivenNameKeptAcrossASurnameChangeOutranksANamesake) {
  const std::string insurer = WithCheck("0123001");
  const auto index = IndexOf({
      Row(insurer, "300", "一村　錦", "イチムラ　ニシキ", "19920301", "1",
          "20230501"),
      Row(insurer, "400", "米長　錦", "ヨネナガ　ニシキ", "19850707", "1",
          "20100101"),
  });
  const RawPerson receipt{.name_kanji = "米長　錦",
                          .name_kana = "ヨネナガ　ニシキ",
                          .birth_date = "19920301",
                          .sex = "1"};
  EXPECT_EQ(Cut(*index, receipt, 202503, 1),
            std::vector<EnrollmentId>{EnrollmentId(0)});
  // Uncut, both are candidates.
  EXPECT_EQ(Cut(*index, receipt, 202503, 24).size(), 2u);
}

// An old card: the receipt's person is the enrollment that ended in April
// 2023, whose chain goes on from that day under a new surname (kana left
// blank, so the roster could not link them). A namesake of the old name born
// another day agrees with the receipt more than the new enrollment does; the
// new enrollment is kept, for the matcher to link to the ended one.
TEST(CandidateCutTest, AnEnrollmentThatMayContinueAnEndedOneIsKept) {
  const auto index = IndexOf({
      Row("241026", "0235829", "加藤　千舟", "", "19790123", "2", "20190701",
          "20230408"),
      Row(WithCheck("0130001"), "5550", "入江　千舟", "", "19790123", "2",
          "20230408"),
      Row("241026", "0999999", "加藤　千舟", "カトウ　チフネ", "19791023", "2",
          "20150101"),
  });
  ASSERT_NE(index->roster().PersonOf(EnrollmentId(0)),
            index->roster().PersonOf(EnrollmentId(1)));
  const RawPerson receipt{.name_kanji = "加藤　千舟",
                          .name_kana = "カトウ　チフネ",
                          .birth_date = "19790123",
                          .sex = "2",
                          .insurer_number = "241026",
                          .symbol = "7",
                          .number = "0235829"};
  const std::vector<EnrollmentId> two = Cut(*index, receipt, 202408, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(std::find(two.begin(), two.end(), EnrollmentId(0)), two.end());
  EXPECT_NE(std::find(two.begin(), two.end(), EnrollmentId(1)), two.end());
}

// On the 75th birthday everyone born that day begins a 後期高齢者 enrollment:
// one that begins then is not ranked as the continuation of an ended one.
TEST(CandidateCutTest, NoContinuationIsAssumedOnTheSeventyFifthBirthday) {
  const auto index = IndexOf({
      Row("141010", "628283694", "玉置　清子", "タマキ　キヨコ", "19500101",
          "2", "20210801", "20250101"),
      Row("39181011", "47446093", "宮木　●子", "", "19500101", "2", "20250101"),
      Row("141010", "0999999", "玉置　清子", "タマキ　キヨコ", "19501001", "2",
          "20150101"),
  });
  const RawPerson receipt{.name_kanji = "玉置　清子",
                          .name_kana = "タマキ　キヨコ",
                          .birth_date = "19500101",
                          .sex = "2",
                          .insurer_number = "141010",
                          .symbol = "7",
                          .number = "628283694"};
  const std::vector<EnrollmentId> two = Cut(*index, receipt, 202501, 2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(std::find(two.begin(), two.end(), EnrollmentId(0)), two.end());
  EXPECT_NE(std::find(two.begin(), two.end(), EnrollmentId(2)), two.end());
}

}  // namespace
}  // namespace kuromaru::matcher
