// The insurer directory and the routing decision on a small directory.
#include "matcher/insurer_directory.h"

#include <numeric>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/insurer_routing.h"
#include "matcher/matcher.h"

namespace kuromaru::matcher {
namespace {

using ::testing::Contains;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Not;

std::shared_ptr<const InsurerDirectory> SmallDirectory() {
  InsurerDirectoryBuilder b;
  auto add = [&](DirectoryRow r) { EXPECT_TRUE(b.Add(r).ok()) << r.name; };
  add({.insurer_number = "01130012",
       .name = "全国健康保険協会東京支部",
       .aliases = "協会けんぽ東京支部|協会けんぽ東京",
       .prefecture = "東京都",
       .address = "東京都"});
  add({.insurer_number = "01140011",
       .name = "全国健康保険協会神奈川支部",
       .aliases = "協会けんぽ神奈川",
       .prefecture = "神奈川県"});
  add({.insurer_number = "141002",
       .name = "横浜市",
       .aliases = "横浜市国保|横浜市国民健康保険",
       .prefecture = "神奈川県",
       .address = "神奈川県横浜市"});
  add({.insurer_number = "141309",
       .name = "川崎市",
       .aliases = "川崎市国保",
       .prefecture = "神奈川県",
       .address = "神奈川県川崎市"});
  add({.insurer_number = "39141015",
       .name = "神奈川県後期高齢者医療広域連合",
       .prefecture = "神奈川県"});
  add({.insurer_number = "06130017",
       .name = "東和電機健康保険組合",
       .aliases = "東和電機健保",
       .prefecture = "東京都",
       .employers = "株式会社東和電機|東和電機サービス株式会社"});
  add({.insurer_number = "06130025",
       .name = "豊橋商事健康保険組合",
       .prefecture = "東京都",
       .employers = "豊橋商事株式会社"});
  auto d = std::move(b).Build();
  EXPECT_TRUE(d.ok());
  return *d;
}

RoutingInput Input() {
  RoutingInput in;
  in.birth_date = 19800101;
  in.service_month = 202404;
  return in;
}

std::string Top(const Routing& r) {
  return r.suggestions.empty() ? "" : r.suggestions[0].insurer_number;
}

bool HasEvidence(const InsurerSuggestion& s, std::string_view field,
                 std::string_view level) {
  for (const Evidence& e : s.evidence) {
    if (e.field == field && e.level == level) return true;
  }
  return false;
}

TEST(InsurerDirectoryTest, BuildsAndFinds) {
  auto d = SmallDirectory();
  EXPECT_EQ(d->size(), 7u);
  EXPECT_EQ(d->counts().employers, 3);
  const DirectoryEntry* e = d->Find("141002");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->scheme, normalizer::InsurerScheme::kKokuho);
  EXPECT_EQ(e->prefecture, "神奈川県");
  EXPECT_EQ(e->municipality, "神奈川県横浜市");
  EXPECT_EQ(d->Find("99999999"), nullptr);
  EXPECT_THAT(d->version(), ::testing::StartsWith("dir-"));
  // The prefecture column may be empty: the number says it.
  EXPECT_EQ(d->Find("01140011")->prefecture, "神奈川県");
}

TEST(InsurerDirectoryTest, RejectsBadRows) {
  InsurerDirectoryBuilder b;
  EXPECT_EQ(b.Add({.insurer_number = "01130013", .name = "x"}).code(),
            absl::StatusCode::kInvalidArgument);  // check digit
  EXPECT_EQ(b.Add({.insurer_number = "abc", .name = "x"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.Add({.insurer_number = "77777779", .name = "x"}).code(),
            absl::StatusCode::kInvalidArgument);  // 不詳
  EXPECT_EQ(b.Add({.insurer_number = "01130012", .name = " "}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(b.Add({.insurer_number = "01130012", .name = "東京"}).ok());
  EXPECT_EQ(b.Add({.insurer_number = "01130012", .name = "東京"}).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(InsurerDirectoryTest, FindsNamesBySimilarCore) {
  auto d = SmallDirectory();
  auto hits = d->FindNames("東和電気健保", "東和電気", false, 0.85, 5);
  ASSERT_THAT(hits, Not(IsEmpty()));
  EXPECT_EQ(d->entry(d->name(hits[0].name).insurer).insurer_number, "06130017");
  EXPECT_LT(hits[0].similarity, 1.0);
  auto employers = d->FindNames("", "東和電機サービス", true, 0.85, 5);
  ASSERT_THAT(employers, Not(IsEmpty()));
  EXPECT_EQ(employers[0].similarity, 1.0);
}

TEST(InsurerDirectoryTest, KokuhoOfADesignatedCityWard) {
  auto d = SmallDirectory();
  ASSERT_EQ(d->KokuhoOf("神奈川県横浜市中区").size(), 1u);
  EXPECT_EQ(d->entry(d->KokuhoOf("神奈川県横浜市中区")[0]).insurer_number,
            "141002");
  EXPECT_TRUE(d->KokuhoOf("神奈川県相模原市").empty());
}

TEST(RoutingTest, NamedInsurerAnyCommonSpelling) {
  auto d = SmallDirectory();
  for (const char* name :
       {"横浜市国保", "横浜市 国民健康保険", "横浜国保", "横浜市"}) {
    RoutingInput in = Input();
    in.insurer_name = name;
    EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "141002") << name;
  }
  RoutingInput in = Input();
  in.insurer_name = "協会けんぽ東京";
  const Routing r = RouteInsurer(d.get(), in, {});
  ASSERT_EQ(Top(r), "01130012");
  EXPECT_EQ(r.suggestions[0].name, "全国健康保険協会東京支部");
  EXPECT_TRUE(
      HasEvidence(r.suggestions[0], "insurer_name", "EXACT_AFTER_FOLDING"));
  EXPECT_EQ(r.insurer_name_key, "協会けんぽ東京");
}

TEST(RoutingTest, SchemeAloneTakesTheRegionFromTheAddress) {
  auto d = SmallDirectory();
  RoutingInput in = Input();
  in.insurer_name = "国保";
  in.address_key = "神奈川県川崎市川崎区宮本町1";
  in.municipality = "神奈川県川崎市川崎区";
  Routing r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "141309");
  EXPECT_EQ(r.prefecture, "神奈川県");
  in.insurer_name = "協会けんぽ";
  EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "01140011");
}

TEST(RoutingTest, EmployerPicksItsKumiai) {
  auto d = SmallDirectory();
  for (const char* employer :
       {"㈱東和電機", "東和電機（株）", "株式会社 東和電機", "東和電機"}) {
    RoutingInput in = Input();
    in.employer = employer;
    in.municipality = "神奈川県横浜市中区";
    in.address_key = "神奈川県横浜市中区新港1-1";
    const Routing r = RouteInsurer(d.get(), in, {});
    ASSERT_EQ(Top(r), "06130017") << employer;
    EXPECT_TRUE(
        HasEvidence(r.suggestions[0], "employer", "EXACT_AFTER_FOLDING"));
  }
  // An employer no 健保組合 lists: 協会けんぽ of the prefecture.
  RoutingInput in = Input();
  in.employer = "有限会社佐藤建設";
  in.municipality = "神奈川県横浜市中区";
  in.address_key = "神奈川県横浜市中区新港1-1";
  EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "01140011");
}

TEST(RoutingTest, AgeSelectsKouki) {
  auto d = SmallDirectory();
  RoutingInput in = Input();
  in.municipality = "神奈川県横浜市中区";
  in.address_key = "神奈川県横浜市中区新港1-1";
  in.birth_date = 19400101;
  EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "39141015");
  in.birth_date = 19550101;  // 69: retired, 国保 of the municipality
  EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "141002");
  in.birth_date = 19900101;  // 34: most likely an employee
  EXPECT_EQ(Top(RouteInsurer(d.get(), in, {})), "01140011");
}

TEST(RoutingTest, ClinicPrefectureWhenThereIsNoAddress) {
  auto d = SmallDirectory();
  RoutingInput in = Input();
  in.institution_code = "1410000001";
  const Routing r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "01140011");
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "prefecture", "CLINIC_PREFECTURE"));
}

TEST(RoutingTest, BilledNumberAndItsRepairs) {
  auto d = SmallDirectory();
  auto billed = normalizer::ParseInsurerNumber("06130017");
  ASSERT_TRUE(billed.ok());
  RoutingInput in = Input();
  in.billed = &*billed;
  Routing r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "06130017");
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "insurer_number", "EXACT"));
  // One digit off: the repair that the directory lists.
  auto typo = normalizer::ParseInsurerNumber("06130018");
  ASSERT_TRUE(typo.ok());
  ASSERT_FALSE(typo->check_digit_valid);
  in.billed = &*typo;
  r = RouteInsurer(d.get(), in, {});
  ASSERT_THAT(r.suggestions, Not(IsEmpty()));
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "insurer_number", "REPAIRED"));
  EXPECT_THAT(r.suggestions,
              Contains(Field(&InsurerSuggestion::insurer_number, "06130017")));
  // The 不詳 sentinel says nothing.
  auto sentinel = normalizer::ParseInsurerNumber("77777779");
  ASSERT_TRUE(sentinel.ok());
  in.billed = &*sentinel;
  EXPECT_THAT(RouteInsurer(d.get(), in, {}).suggestions, IsEmpty());
}

TEST(RoutingTest, ProbabilitiesSumToAtMostOne) {
  auto d = SmallDirectory();
  RoutingInput in = Input();
  in.insurer_name = "協会けんぽ";
  in.municipality = "神奈川県横浜市中区";
  in.address_key = "神奈川県横浜市中区新港1-1";
  const Routing r = RouteInsurer(d.get(), in, {});
  ASSERT_GE(r.suggestions.size(), 2u);
  double sum = 0;
  for (size_t i = 0; i < r.suggestions.size(); ++i) {
    sum += r.suggestions[i].probability;
    EXPECT_GT(r.suggestions[i].probability, 0);
    if (i > 0) {
      EXPECT_LE(r.suggestions[i].probability, r.suggestions[i - 1].probability);
    }
    double w = 0;
    for (const Evidence& e : r.suggestions[i].evidence) w += e.weight;
    EXPECT_NEAR(w, r.suggestions[i].weight, 1e-9);
  }
  EXPECT_LE(sum, 1.0);
}

TEST(RoutingTest, ConfidentPersonOverridesAStaleBilledNumber) {
  auto d = SmallDirectory();
  auto billed = normalizer::ParseInsurerNumber("01130012");
  ASSERT_TRUE(billed.ok());
  const std::vector<PersonInsurer> persons = {{"141002", 0.9999, true}};
  RoutingInput in = Input();
  in.billed = &*billed;
  in.persons = persons;
  const Routing r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "141002");
  EXPECT_EQ(r.person, PersonRouting::kOverrides);
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "person", "MATCHED_ENROLLMENT"));
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "routing", "PERSON_OVERRIDES"));
}

TEST(RoutingTest, PersonAgreesOrIsOutweighed) {
  auto d = SmallDirectory();
  RoutingInput in = Input();
  in.employer = "東和電機㈱";
  std::vector<PersonInsurer> persons = {{"06130017", 0.99, true}};
  in.persons = persons;
  Routing r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "06130017");
  EXPECT_EQ(r.person, PersonRouting::kAgrees);
  // A weak namesake elsewhere does not beat the employer.
  persons = {{"141309", 0.3, true}};
  in.persons = persons;
  r = RouteInsurer(d.get(), in, {});
  EXPECT_EQ(Top(r), "06130017");
  EXPECT_EQ(r.person, PersonRouting::kOutweighed);
  // Below the threshold a candidate is no person at all.
  persons = {{"141309", 0.01, true}};
  in.persons = persons;
  EXPECT_EQ(RouteInsurer(d.get(), in, {}).person, PersonRouting::kNoPerson);
}

TEST(RoutingTest, WithoutDirectoryNumbersStillRoute) {
  auto billed = normalizer::ParseInsurerNumber("06130018");
  ASSERT_TRUE(billed.ok());
  RoutingInput in = Input();
  in.billed = &*billed;
  in.insurer_name = "国保";
  const Routing r = RouteInsurer(nullptr, in, {});
  ASSERT_THAT(r.suggestions, Not(IsEmpty()));
  EXPECT_LE(r.suggestions.size(), 5u);
  EXPECT_TRUE(r.suggestions[0].name.empty());
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "insurer_number", "REPAIRED"));
  // The named scheme counts against the repairs, which are no 国保.
  EXPECT_TRUE(HasEvidence(r.suggestions[0], "insurer_name", "DIFFERENT"));
}

// The matcher fills the suggestions: a person in the roster routes to their
// enrollment's insurer; one who is not still gets the named insurer.
TEST(MatcherRoutingTest, MatchCarriesSuggestions) {
  RosterBuilder b;
  ASSERT_TRUE(b.Add({.insurer_number = "141002",
                     .symbol = "横浜",
                     .number = "42",
                     .name_kanji = "高橋 太郎",
                     .name_kana = "タカハシ タロウ",
                     .birth_date = "19750123",
                     .sex = "1",
                     .qualified_from = "20230401",
                     .address = "神奈川県横浜市中区新港1-1"})
                  .ok());
  auto roster = b.Build();
  ASSERT_TRUE(roster.ok());
  auto index = RosterIndex::Build(*roster);
  ASSERT_TRUE(index.ok());
  auto matcher =
      Matcher::Create(*index, Model::Default(), {}, SmallDirectory());
  ASSERT_TRUE(matcher.ok()) << matcher.status();
  ReceiptMatch m = (*matcher)->Match({.receipt_id = "R1",
                                      .service_month = "202405",
                                      .insurer_number = "77777779",
                                      .name_kanji = "高橋 太郎",
                                      .name_kana = "タカハシ タロウ",
                                      .birth_date = "19750123",
                                      .sex = "1",
                                      .address = "横浜市中区新港1-1",
                                      .insurer_name = "横浜市国保"});
  ASSERT_THAT(m.insurer_suggestions, Not(IsEmpty()));
  EXPECT_EQ(m.insurer_suggestions[0].insurer_number, "141002");
  EXPECT_EQ(m.person_routing, PersonRouting::kAgrees);
  EXPECT_EQ(m.insurer_name_key, "横浜市国保");
  EXPECT_EQ(m.prefecture, "神奈川県");

  m = (*matcher)->Match({.receipt_id = "R2",
                         .service_month = "202405",
                         .insurer_number = "77777777",
                         .name_kanji = "佐藤 花子",
                         .name_kana = "サトウ ハナコ",
                         .birth_date = "19800229",
                         .sex = "2",
                         .employer = "(株)豊橋商事"});
  EXPECT_THAT(m.candidates, IsEmpty());
  ASSERT_THAT(m.insurer_suggestions, Not(IsEmpty()));
  EXPECT_EQ(m.insurer_suggestions[0].insurer_number, "06130025");
  EXPECT_EQ(m.person_routing, PersonRouting::kNoPerson);
  EXPECT_EQ(m.employer_key, "豊橋商事");
}

}  // namespace
}  // namespace kuromaru::matcher
