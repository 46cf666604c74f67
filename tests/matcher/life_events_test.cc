// One person across enrollments, end to end through the Matcher: a chain the
// insurers wrote differently, a marriage, an ended enrollment against the
// valid one, and the routes life events give when the new enrollment is not
// in the roster yet.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/insurer_directory.h"
#include "matcher/matcher.h"
#include "tests/matcher/chain_rows.h"

namespace kuromaru::matcher {
namespace {

std::shared_ptr<const InsurerDirectory> Directory() {
  InsurerDirectoryBuilder b;
  auto add = [&](DirectoryRow r) { EXPECT_TRUE(b.Add(r).ok()) << r.name; };
  add({.insurer_number = "01140011",
       .name = "全国健康保険協会神奈川支部",
       .prefecture = "神奈川県"});
  add({.insurer_number = "141002",
       .name = "横浜市",
       .prefecture = "神奈川県",
       .address = "神奈川県横浜市"});
  add({.insurer_number = "141309",
       .name = "川崎市",
       .prefecture = "神奈川県",
       .address = "神奈川県川崎市"});
  add({.insurer_number = "39141015",
       .name = "神奈川県後期高齢者医療広域連合",
       .prefecture = "神奈川県"});
  add({.insurer_number = "06130017",
       .name = "東和電機健康保険組合",
       .prefecture = "東京都",
       .employers = "株式会社東和電機"});
  auto d = std::move(b).Build();
  EXPECT_TRUE(d.ok());
  return *d;
}

using ::kuromaru::matcher::testing::Kokuho;
using ::kuromaru::matcher::testing::Kouki;

// An insured person of a 協会けんぽ household (記号 31, 番号 77, 枝番 00),
// born 1980-04-01, whose enrollment ended on 2024-04-01.
RosterRow InsuredUntilApril() {
  RosterRow insured = Kokuho();
  insured.insurer_number = "01140011";
  insured.symbol = "31";
  insured.number = "77";
  insured.branch = "00";
  insured.birth_date = "19800401";
  insured.qualified_until = "20240401";
  return insured;
}

std::unique_ptr<Matcher> MakeMatcher(const std::vector<RosterRow>& rows) {
  RosterBuilder b;
  for (const RosterRow& r : rows) EXPECT_TRUE(b.Add(r).ok());
  auto roster = b.Build();
  EXPECT_TRUE(roster.ok());
  auto index = RosterIndex::Build(*roster);
  EXPECT_TRUE(index.ok());
  auto matcher = Matcher::Create(*index, Model::Default(), {}, Directory());
  EXPECT_TRUE(matcher.ok()) << matcher.status();
  return *std::move(matcher);
}

// A receipt under the old 国保 card.
ReceiptText StaleKokuhoReceipt() {
  ReceiptText r;
  r.receipt_id = "R1";
  r.service_month = "202406";
  r.insurer_number = "141002";
  r.symbol = "横浜";
  r.number = "0042";
  r.name_kanji = "髙橋　一郎";
  r.name_kana = "タカハシ　イチロウ";
  r.birth_date = "19490501";
  r.sex = "1";
  return r;
}

std::string TopInsurer(const ReceiptMatch& m) {
  return m.insurer_suggestions.empty()
             ? ""
             : m.insurer_suggestions[0].insurer_number;
}

const Evidence* FindEvidence(const std::vector<Evidence>& evidence,
                             std::string_view field) {
  for (const Evidence& e : evidence) {
    if (e.field == field) return &e;
  }
  return nullptr;
}

TEST(LifeEventsTest, StaleCardFindsTheValidEnrollmentOfAChainWithBlankKana) {
  auto matcher = MakeMatcher({Kokuho(), Kouki()});
  const ReceiptMatch m = matcher->Match(StaleKokuhoReceipt());
  ASSERT_FALSE(m.candidates.empty());
  const MatchedCandidate& top = m.candidates[0];
  EXPECT_EQ(top.info.insurer_number, "39141015");
  EXPECT_TRUE(top.valid_in_service_month);
  EXPECT_EQ(m.decision, Decision::kAutoMatch) << m.reason;
  // The ended enrollment is the same person: not a competing candidate.
  EXPECT_EQ(m.candidates.size(), 1u);
  // The billed key is the earlier enrollment's, and the evidence says so.
  const Evidence* member = FindEvidence(top.evidence, "member");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->level, "PREVIOUS_MEMBER");
  EXPECT_EQ(member->source_key.insurer_number, "141002");
  EXPECT_EQ(member->source_key.qualified_from, 20100401u);
  const Evidence* kana = FindEvidence(top.evidence, "name_kana");
  ASSERT_NE(kana, nullptr);
  EXPECT_EQ(kana->level, "EXACT");
  EXPECT_EQ(kana->source_key.insurer_number, "141002");
  EXPECT_EQ(TopInsurer(m), "39141015");
}

TEST(LifeEventsTest, MarriageRanksTheValidEnrollmentUnderTheNewSurname) {
  RosterRow before = {.insurer_number = "01140011",
                      .symbol = "31",
                      .number = "4455",
                      .branch = "00",
                      .name_kanji = "佐藤　花子",
                      .name_kana = "サトウ　ハナコ",
                      .birth_date = "19900312",
                      .sex = "2",
                      .qualified_from = "20120401",
                      .qualified_until = "20230610",
                      .address = "神奈川県川崎市川崎区駅前本町1-1"};
  // A dependant in the spouse's 健保組合 from the wedding, elsewhere.
  RosterRow after = {.insurer_number = "06130017",
                     .symbol = "7",
                     .number = "880",
                     .branch = "01",
                     .name_kanji = "鈴木　花子",
                     .name_kana = "スズキ　ハナコ",
                     .birth_date = "19900312",
                     .sex = "2",
                     .qualified_from = "20230610",
                     .address = "東京都港区芝公園4-2-8"};
  auto matcher = MakeMatcher({before, after});
  ReceiptText r;
  r.receipt_id = "R2";
  r.service_month = "202310";
  r.insurer_number = "06130017";
  r.symbol = "7";
  r.number = "880";
  r.branch = "01";
  r.name_kanji = "佐藤　花子";  // the clinic's record from before
  r.name_kana = "サトウ　ハナコ";
  r.birth_date = "19900312";
  r.sex = "2";
  const ReceiptMatch m = matcher->Match(r);
  ASSERT_FALSE(m.candidates.empty());
  EXPECT_EQ(m.candidates[0].info.insurer_number, "06130017");
  EXPECT_TRUE(m.candidates[0].valid_in_service_month);
  // Wherever the name evidence came from, it is not DIFFERENT.
  const Evidence* kanji = FindEvidence(m.candidates[0].evidence, "name_kanji");
  ASSERT_NE(kanji, nullptr);
  EXPECT_NE(kanji->level, "DIFFERENT");
}

TEST(LifeEventsTest, EndedEnrollmentNeverOutranksTheValidOneOfTheSamePerson) {
  // The same person, the old insurer kept kana, the new one katakana in the
  // kanji column: linked by the day one ends and the other begins at one
  // address.
  RosterRow kouki = Kouki();
  kouki.name_kanji = "タカハシ　イチロウ";
  auto matcher = MakeMatcher({Kokuho(), kouki});
  const ReceiptMatch m = matcher->Match(StaleKokuhoReceipt());
  ASSERT_FALSE(m.candidates.empty());
  EXPECT_EQ(m.candidates[0].info.insurer_number, "39141015");
  for (const MatchedCandidate& c : m.candidates) {
    if (!c.valid_in_service_month) {
      EXPECT_LT(c.match_weight, m.candidates[0].match_weight);
    }
  }
}

TEST(LifeEventsTest, TheReceiptJoinsAChainTheRosterLeftUnlinked) {
  // A marriage into the spouse's 健保組合 far away: the roster cannot link the
  // two enrollments (one script each shows the change, nothing else agrees
  // but the day), but a receipt under the old card in a month after the old
  // enrollment ended must belong to a person insured that month.
  RosterRow before = {.insurer_number = "141002",
                      .symbol = "横浜",
                      .number = "0077",
                      .name_kanji = "三浦　美恵",
                      .name_kana = "",
                      .birth_date = "19950311",
                      .sex = "2",
                      .qualified_from = "20181213",
                      .qualified_until = "20210417",
                      .address = "神奈川県横浜市中区新港1-2-3"};
  RosterRow after = {.insurer_number = "06130017",
                     .symbol = "41",
                     .number = "6190029",
                     .branch = "02",
                     .name_kanji = "高橋　美恵",
                     .name_kana = "タカハシ　ミエ",
                     .birth_date = "19950311",
                     .sex = "2",
                     .qualified_from = "20210417",
                     .address = "北海道名寄市風連町大町1-13-9"};
  auto matcher = MakeMatcher({before, after});
  EXPECT_NE(matcher->roster().PersonOf(EnrollmentId(0)),
            matcher->roster().PersonOf(EnrollmentId(1)));
  ReceiptText r = StaleKokuhoReceipt();
  r.service_month = "202211";
  r.number = "0077";
  r.name_kanji = "三浦　美恵";
  r.name_kana = "ミウラ　ミエ";
  r.birth_date = "19950311";
  r.sex = "2";
  const ReceiptMatch m = matcher->Match(r);
  ASSERT_FALSE(m.candidates.empty());
  EXPECT_EQ(m.candidates[0].info.insurer_number, "06130017");
  EXPECT_TRUE(m.candidates[0].valid_in_service_month);
  EXPECT_EQ(m.candidates.size(), 1u);  // one person now
  const Evidence* member = FindEvidence(m.candidates[0].evidence, "member");
  ASSERT_NE(member, nullptr);
  EXPECT_EQ(member->level, "PREVIOUS_MEMBER");
}

TEST(LifeEventsTest, AHouseholdMembersOldCardIsNotThePersonsOwn) {
  // Two members of one household under one 記号・番号: the receipt bills
  // the insured person's 枝番 00, so only that person's earlier enrollment
  // is the stale card.
  RosterRow insured = InsuredUntilApril();
  RosterRow spouse = insured;
  spouse.branch = "01";
  spouse.name_kanji = "髙橋　陽子";
  spouse.name_kana = "タカハシ　ヨウコ";
  spouse.sex = "2";
  RosterRow spouse_new = spouse;
  spouse_new.insurer_number = "141002";
  spouse_new.symbol = "横浜";
  spouse_new.number = "0099";
  spouse_new.branch = "";
  spouse_new.qualified_from = "20240401";
  spouse_new.qualified_until = "";
  auto matcher = MakeMatcher({insured, spouse, spouse_new});
  ReceiptText r = StaleKokuhoReceipt();
  r.insurer_number = "01140011";
  r.symbol = "31";
  r.number = "77";
  r.branch = "00";
  r.birth_date = "19800401";
  r.sex = "";  // unknown: only the card and names tell them apart
  r.name_kana = "";
  const ReceiptMatch m = matcher->Match(r);
  for (const MatchedCandidate& c : m.candidates) {
    if (c.info.insurer_number != "141002") continue;
    const Evidence* member = FindEvidence(c.evidence, "member");
    ASSERT_NE(member, nullptr);
    EXPECT_NE(member->level, "PREVIOUS_MEMBER");
  }
}

// The new enrollment is not in the roster: routing follows the life event.
TEST(LifeEventsTest, TurningSeventyFiveRoutesToThePrefecturesKouki) {
  auto matcher = MakeMatcher({Kokuho()});
  const ReceiptMatch m = matcher->Match(StaleKokuhoReceipt());
  // The person is found, but holds no enrollment valid in the month: nothing
  // to confirm, so no match, with the person first and the route given.
  EXPECT_EQ(m.decision, Decision::kNoMatch) << m.reason;
  EXPECT_EQ(m.reason, "no enrollment valid in the month");
  ASSERT_FALSE(m.candidates.empty());
  EXPECT_EQ(m.candidates[0].info.insurer_number, "141002");
  EXPECT_EQ(TopInsurer(m), "39141015");
  ASSERT_FALSE(m.insurer_suggestions.empty());
  bool turned = false;
  for (const Evidence& e : m.insurer_suggestions[0].evidence) {
    turned |= e.level == "TURNED_75";
  }
  EXPECT_TRUE(turned);
}

TEST(LifeEventsTest, AMoveRoutesToTheNewMunicipalitysKokuho) {
  RosterRow kokuho = Kokuho();
  kokuho.birth_date = "19700101";
  kokuho.qualified_until = "20240301";
  auto matcher = MakeMatcher({kokuho});
  ReceiptText r = StaleKokuhoReceipt();
  r.birth_date = "19700101";
  r.address = "神奈川県川崎市川崎区駅前本町11-2";
  r.postal_code = "2100007";
  const ReceiptMatch m = matcher->Match(r);
  EXPECT_EQ(TopInsurer(m), "141309");
}

TEST(LifeEventsTest, RetirementWithoutAnEmployerRoutesToTheKokuho) {
  RosterRow kyokai = Kokuho();
  kyokai.insurer_number = "01140011";
  kyokai.symbol = "31";
  kyokai.number = "77";
  kyokai.birth_date = "19610401";
  kyokai.qualified_until = "20240401";  // 63 on leaving
  auto matcher = MakeMatcher({kyokai});
  ReceiptText r = StaleKokuhoReceipt();
  r.insurer_number = "01140011";
  r.symbol = "31";
  r.number = "77";
  r.birth_date = "19610401";
  const ReceiptMatch m = matcher->Match(r);
  EXPECT_EQ(TopInsurer(m), "141002");  // 横浜市, the last known address
}

TEST(LifeEventsTest, ANamedEmployerRoutesToItsKenpo) {
  RosterRow kyokai = Kokuho();
  kyokai.insurer_number = "01140011";
  kyokai.symbol = "31";
  kyokai.number = "77";
  kyokai.birth_date = "19800401";
  kyokai.qualified_until = "20240401";
  auto matcher = MakeMatcher({kyokai});
  ReceiptText r = StaleKokuhoReceipt();
  r.insurer_number = "01140011";
  r.symbol = "31";
  r.number = "77";
  r.birth_date = "19800401";
  r.employer = "㈱東和電機";
  const ReceiptMatch m = matcher->Match(r);
  EXPECT_EQ(TopInsurer(m), "06130017");
}

TEST(LifeEventsTest, AHouseholdMembersNewInsurerRoutesTheDependant) {
  RosterRow insured = InsuredUntilApril();
  RosterRow dependant = insured;
  dependant.branch = "01";
  dependant.name_kanji = "髙橋　陽子";
  dependant.name_kana = "タカハシ　ヨウコ";
  dependant.birth_date = "19820707";
  dependant.sex = "2";
  // Only the insured person's new enrollment is registered yet.
  RosterRow insured_new = insured;
  insured_new.insurer_number = "06130017";
  insured_new.symbol = "7";
  insured_new.number = "990";
  insured_new.qualified_from = "20240401";
  insured_new.qualified_until = "";
  auto matcher = MakeMatcher({insured, dependant, insured_new});
  ReceiptText r = StaleKokuhoReceipt();
  r.insurer_number = "01140011";
  r.symbol = "31";
  r.number = "77";
  r.branch = "01";
  r.name_kanji = "髙橋　陽子";
  r.name_kana = "タカハシ　ヨウコ";
  r.birth_date = "19820707";
  r.sex = "2";
  const ReceiptMatch m = matcher->Match(r);
  ASSERT_FALSE(m.candidates.empty());
  EXPECT_FALSE(m.candidates[0].valid_in_service_month);
  EXPECT_EQ(TopInsurer(m), "06130017");
  // The insured person's valid enrollment is a candidate too, but with
  // another birth date it cannot be the dependant: still no match.
  EXPECT_EQ(m.decision, Decision::kNoMatch) << m.reason;
}

// When a candidate that could be the receipt's person is valid in the month
// (the same given name under another surname, the same birth date and sex,
// but not linked: its enrollment overlaps the old one by a year), a reviewer
// decides whether it is a marriage: review. Another person valid in the month
// (another given name) does not keep the receipt in review.
TEST(LifeEventsTest, AValidCandidateThatMayBeThePersonKeepsItInReview) {
  RosterRow kokuho = Kokuho();
  kokuho.birth_date = "19700101";
  kokuho.qualified_until = "20240301";
  RosterRow other = kokuho;
  other.insurer_number = "06130017";
  other.symbol = "7";
  other.number = "555";
  other.name_kanji = "佐藤　一郎";
  other.name_kana = "サトウ　イチロウ";
  other.qualified_from = "20230101";
  other.qualified_until = "";
  other.postal_code = "";
  other.address = "";
  ReceiptText r = StaleKokuhoReceipt();
  r.birth_date = "19700101";
  {
    auto matcher = MakeMatcher({kokuho, other});
    const ReceiptMatch m = matcher->Match(r);
    ASSERT_GE(m.candidates.size(), 2u);
    EXPECT_EQ(m.candidates[0].info.insurer_number, "141002");
    EXPECT_EQ(m.candidates[1].info.insurer_number, "06130017");
    EXPECT_EQ(m.decision, Decision::kReview) << m.reason;
  }
  // Another given name: the other shares only the birth date and sex, and
  // agrees far less with the receipt than the person does, so it is no
  // candidate at all (CandidateOptions::max_agreement_gap).
  other.name_kanji = "佐藤　次郎";
  other.name_kana = "サトウ　ジロウ";
  {
    auto matcher = MakeMatcher({kokuho, other});
    const ReceiptMatch m = matcher->Match(r);
    ASSERT_EQ(m.candidates.size(), 1u);
    EXPECT_EQ(m.candidates[0].info.insurer_number, "141002");
    EXPECT_EQ(m.decision, Decision::kNoMatch) << m.reason;
  }
}

}  // namespace
}  // namespace kuromaru::matcher
