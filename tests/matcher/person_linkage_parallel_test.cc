// Linking in partitions by birth date and sex, on several threads, gives the
// persons one pass over the whole roster gives.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "matcher/person_linkage.h"
#include "matcher/roster.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {
namespace {

constexpr const char* kSurnames[][2] = {{"佐藤", "サトウ"},
                                        {"鈴木", "スズキ"},
                                        {"高橋", "タカハシ"},
                                        {"田中", "タナカ"}};
constexpr const char* kGiven[][2] = {
    {"一郎", "イチロウ"}, {"花子", "ハナコ"}, {"健", "ケン"}, {"陽菜", "ヒナ"}};

std::string Insurer(int k) {
  const std::string d = absl::StrCat("0613", 100 + k % 50);
  return d + std::to_string(normalizer::CheckDigit(d));
}

// Persons with one to three enrollments in a chain, drawn from few names and
// birth dates so that namesakes, overlaps and marriages occur.
std::shared_ptr<const Roster> Synthetic(int persons) {
  RosterBuilder builder;
  int number = 0;
  for (int p = 0; p < persons; ++p) {
    const uint64_t r = HashMix(p, 7);
    const auto* surname = kSurnames[r % 4];
    const auto* given = kGiven[r / 4 % 4];
    const std::string birth = absl::StrFormat("19%02d%02d%02d", 50 + r / 16 % 3,
                                              1 + r / 48 % 2, 1 + r / 96 % 3);
    const std::string sex = r / 288 % 2 ? "1" : "2";
    const int enrollments = 1 + static_cast<int>(r / 576 % 3);
    for (int e = 0; e < enrollments; ++e) {
      const auto* name =
          e == 2 && r % 5 == 0 ? kSurnames[(r + 1) % 4] : surname;
      const std::string kanji = absl::StrCat(name[0], "　", given[0]);
      const std::string kana = absl::StrCat(name[1], "　", given[1]);
      const std::string from = absl::StrFormat("20%02d0401", 10 + e * 4);
      const std::string until =
          e + 1 < enrollments ? absl::StrFormat("20%02d0401", 14 + e * 4) : "";
      const std::string digits = std::to_string(++number);
      EXPECT_TRUE(builder
                      .Add({.insurer_number = Insurer(p + e),
                            .symbol = "1",
                            .number = digits,
                            .name_kanji = kanji,
                            .name_kana = kana,
                            .birth_date = birth,
                            .sex = sex,
                            .qualified_from = from,
                            .qualified_until = until,
                            .postal_code = r % 3 ? "1000001" : ""})
                      .ok());
    }
  }
  auto roster = builder.Build();
  EXPECT_TRUE(roster.ok());
  return *roster;
}

TEST(PersonLinkageParallelTest, PartitionsGiveTheLinksOfOnePass) {
  const std::shared_ptr<const Roster> roster = Synthetic(3000);
  LinkOptions whole;
  whole.threads = 1;
  whole.rows_per_partition = SIZE_MAX;
  const PersonLinks one = LinkPersons(*roster, whole);
  ASSERT_GT(one.links, 0);
  ASSERT_LT(one.persons, roster->size());
  for (size_t rows : {size_t{1}, size_t{64}, size_t{1000}}) {
    LinkOptions parts;
    parts.threads = 3;
    parts.rows_per_partition = rows;
    const PersonLinks many = LinkPersons(*roster, parts);
    EXPECT_EQ(many.persons, one.persons) << rows;
    EXPECT_EQ(many.links, one.links) << rows;
    EXPECT_EQ(many.person_of, one.person_of) << rows;
  }
}

}  // namespace
}  // namespace kuromaru::matcher
