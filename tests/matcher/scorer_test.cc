#include "matcher/scorer.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "normalizer/address.h"
#include "normalizer/insurer.h"
#include "normalizer/kana.h"
#include "normalizer/member.h"
#include "normalizer/name_kanji.h"

namespace kuromaru::matcher {
namespace {

using ::testing::ElementsAre;

struct Spec {
  std::string_view kanji, kana;
  PackedDate birth = 0;
  Sex sex = Sex::kUnknown;
  std::string insurer;
  std::string_view symbol, number, branch, postal, address;
};

NormalizedPerson Make(const Spec& s) {
  NormalizedPerson p;
  if (!s.kanji.empty()) {
    normalizer::KanjiName k = *normalizer::NormalizeKanjiName(s.kanji);
    p.kanji_key = k.key;
    p.kanji_loose_key = k.loose_key;
    p.kanji_surname = k.given.empty() ? "" : k.surname;
    p.wildcard_count = k.wildcard_count;
  }
  if (!s.kana.empty()) {
    normalizer::KanaName k = *normalizer::NormalizeKanaName(s.kana);
    p.kana_key = k.key;
    p.kana_loose_key = k.loose_key;
    p.kana_surname = k.given.empty() ? "" : k.surname;
  }
  p.birth_date = s.birth;
  p.sex = s.sex;
  p.insurer_number = s.insurer;
  if (!s.number.empty()) {
    normalizer::MemberKey m =
        *normalizer::NormalizeMember(s.symbol, s.number, s.branch);
    p.member_key = m.key;
    p.member_number = m.number;
  }
  if (!s.postal.empty())
    p.postal_code = *normalizer::NormalizePostalCode(s.postal);
  if (!s.address.empty()) {
    normalizer::Address a = *normalizer::NormalizeAddress(s.address);
    p.address_key = a.key;
    p.municipality = a.prefecture + a.municipality;
  }
  return p;
}

std::string Insurer(std::string_view seven) {
  return absl::StrCat(std::string(seven), normalizer::CheckDigit(seven));
}

const std::string kTokyo = Insurer("0113001");
const std::string kOsaka = Insurer("0627003");

EnrollmentContext Valid() {
  EnrollmentContext e;
  e.qualified_from = 20150401;
  e.valid_in_service_month = true;
  return e;
}

// A receipt with its own storage.
struct Receipt {
  NormalizedPerson person;
  std::optional<normalizer::InsurerNumber> billed;
  PackedMonth month = 202404;

  ReceiptInput Input() const {
    return {person.View(), billed ? &*billed : nullptr, month};
  }
};

Receipt MakeReceipt(const Spec& s) {
  Receipt r{Make(s), std::nullopt, 202404};
  if (!s.insurer.empty()) r.billed = *normalizer::ParseInsurerNumber(s.insurer);
  return r;
}

// Candidates with their own storage.
struct Roster {
  std::vector<NormalizedPerson> persons;
  std::vector<CandidateInput> candidates;

  void Add(uint64_t id, const Spec& s, EnrollmentContext e = Valid()) {
    persons.push_back(Make(s));
    candidates.push_back({id, {}, e});
  }
  std::span<const CandidateInput> Inputs() {
    for (size_t i = 0; i < persons.size(); ++i) {
      candidates[i].person = persons[i].View();
    }
    return candidates;
  }
};

std::unique_ptr<Scorer> DefaultScorer(const TermFrequency* tf = nullptr) {
  absl::StatusOr<std::unique_ptr<Scorer>> scorer =
      Scorer::Create(Model::Default(), tf, DecisionOptions());
  EXPECT_TRUE(scorer.ok()) << scorer.status();
  return *std::move(scorer);
}

const Spec kTaro = {.kanji = "髙橋 太郎",
                    .kana = "タカハシ タロウ",
                    .birth = 19750123,
                    .sex = Sex::kMale,
                    .insurer = kTokyo,
                    .symbol = "1234",
                    .number = "567890",
                    .branch = "01",
                    .postal = "1000001",
                    .address = "東京都千代田区千代田1-1"};

TEST(ScorerTest, EvidenceAndPriorSumToTheMatchWeight) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Spec billed = kTaro;
  billed.kanji = "●橋 太郎";
  billed.kana = "ﾀｶﾊｼ ﾀﾛｰ";
  billed.birth = 19750128;
  Receipt receipt = MakeReceipt(billed);
  Roster roster;
  roster.Add(1, kTaro);
  const ScoredCandidate c = scorer->Score(receipt.Input(), roster.Inputs()[0]);
  ASSERT_EQ(c.evidence.size(), static_cast<size_t>(kFieldCount));
  double sum = scorer->model().prior_weight();
  std::vector<std::string> fields;
  for (const Evidence& e : c.evidence) {
    sum += e.weight;
    fields.push_back(e.field);
  }
  EXPECT_NEAR(sum, c.match_weight, 1e-9);
  EXPECT_THAT(fields,
              ElementsAre("name_kanji", "name_kana", "birth_date", "sex",
                          "member", "insurer", "address", "enrollment"));
  EXPECT_EQ(c.evidence[0].level, "WILDCARD");
  EXPECT_EQ(c.evidence[0].receipt_value, "●橋太郎");
  EXPECT_EQ(c.evidence[0].roster_value, "髙橋太郎");
  EXPECT_EQ(c.evidence[1].level, "EXACT");
  EXPECT_EQ(c.evidence[2].level, "ONE_DIGIT");
  EXPECT_EQ(c.evidence[2].receipt_value, "19750128");
  EXPECT_EQ(c.evidence[4].level, "EXACT");
  EXPECT_EQ(c.evidence[7].level, "VALID");
  EXPECT_NEAR(c.evidence[2].weight,
              scorer->model().Weight(Field::kBirthDate, Level::kOneDigit),
              1e-12);
  EXPECT_DOUBLE_EQ(c.probability, scorer->model().Probability(c.match_weight));
  EXPECT_TRUE(c.identified);
}

TEST(ScorerTest, AutoMatchWhenIdentifiedAndClearlyAhead) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  Roster roster;
  Spec sister = kTaro;
  sister.kanji = "髙橋 花子";
  sister.kana = "タカハシ ハナコ";
  sister.birth = 19780505;
  sister.sex = Sex::kFemale;
  sister.branch = "02";
  roster.Add(2, sister);
  roster.Add(1, kTaro);
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kAutoMatch) << outcome.reason;
  ASSERT_EQ(outcome.candidates.size(), 2u);
  EXPECT_EQ(outcome.candidates[0].person_id, 1u);
  EXPECT_EQ(outcome.candidates[0].input_index, 1u);
  EXPECT_GT(outcome.candidates[0].match_weight,
            outcome.candidates[1].match_weight);
  EXPECT_NEAR(
      outcome.margin,
      outcome.candidates[0].match_weight - outcome.candidates[1].match_weight,
      1e-12);
  EXPECT_GE(outcome.candidates[0].probability, 0.995);
  EXPECT_EQ(outcome.reason, "");
  EXPECT_EQ(DecisionName(outcome.decision), "DECISION_AUTO_MATCH");
}

TEST(ScorerTest, NoAutoMatchWithoutMargin) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  Roster roster;
  roster.Add(1, kTaro);
  Spec near = kTaro;  // another person differing only by a typo-like birth date
  near.birth = 19750124;
  roster.Add(2, near);
  absl::StatusOr<std::unique_ptr<Scorer>> strict =
      Scorer::Create(Model::Default(), nullptr, {.auto_min_margin = 40});
  ASSERT_TRUE(strict.ok());
  MatchOutcome outcome = (*strict)->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "margin");
  EXPECT_LT(outcome.margin, 40);
  // The same pair under the default margin clears it.
  EXPECT_EQ(scorer->Match(receipt.Input(), roster.Inputs()).decision,
            Decision::kAutoMatch);
}

TEST(ScorerTest, MarginIsOverOtherPersonsOnly) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  Roster roster;
  EnrollmentContext old_enrollment;
  old_enrollment.qualified_from = 20100401;
  old_enrollment.qualified_until = 20150401;
  old_enrollment.person_has_other_valid = true;
  roster.Add(1, kTaro);
  roster.Add(1, kTaro, old_enrollment);
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kAutoMatch) << outcome.reason;
  EXPECT_EQ(outcome.margin, std::numeric_limits<double>::infinity());
  EXPECT_EQ(outcome.candidates[0].input_index, 0u);
  EXPECT_EQ(outcome.candidates[1].evidence[7].level, "INVALID");
}

// Two different people with the same kana name and birth date, on a 不詳
// receipt that carries nothing else: never AUTO, however strong the names.
TEST(ScorerTest, NamesakesAreNeverAutoMatchedOnNameAndBirthDate) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  const Spec a = {.kanji = "佐藤 博",
                  .kana = "サトウ ヒロシ",
                  .birth = 19600101,
                  .sex = Sex::kMale,
                  .insurer = kTokyo,
                  .number = "1111"};
  Spec b = a;
  b.kanji = "佐藤 浩";
  b.insurer = kOsaka;
  b.number = "2222";
  Receipt receipt = MakeReceipt({.kanji = "佐藤 博",
                                 .kana = "サトウ ヒロシ",
                                 .birth = 19600101,
                                 .sex = Sex::kMale,
                                 .insurer = "77777779",
                                 .number = "777777777"});
  Roster both;
  EnrollmentContext twin = Valid();
  twin.kana_birth_date_namesakes = 1;
  both.Add(1, a, twin);
  both.Add(2, b, twin);
  MatchOutcome outcome = scorer->Match(receipt.Input(), both.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.candidates[0].person_id, 1u);  // the kanji decides rank
  EXPECT_FALSE(outcome.candidates[0].identified);

  // Only one of them among the candidates: still not enough.
  Roster one;
  one.Add(1, a, twin);
  outcome = scorer->Match(receipt.Input(), one.Inputs());
  EXPECT_GE(outcome.candidates[0].probability, 0.995);
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "not identified");

  // Same kanji too: identical on every field the receipt has.
  Roster same;
  same.Add(1, a, twin);
  Spec c = a;
  c.insurer = kOsaka;
  same.Add(2, c, twin);
  const MatchOutcome identical = scorer->Match(receipt.Input(), same.Inputs());
  EXPECT_EQ(identical.decision, Decision::kReview);
  // They share the probability: neither can be more than an even chance.
  ASSERT_EQ(identical.candidates.size(), 2u);
  EXPECT_LE(identical.candidates[0].probability, 0.5);
  EXPECT_NEAR(identical.candidates[0].probability,
              identical.candidates[1].probability, 1e-9);

  // Unknown namesakes count as possible namesakes.
  Roster unknown;
  unknown.Add(1, a);
  EXPECT_EQ(scorer->Match(receipt.Input(), unknown.Inputs()).decision,
            Decision::kReview);
}

TEST(ScorerTest, UniqueNameAndBirthDateWithKanjiAgreeingIsIdentified) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  const Spec a = {.kanji = "水無瀬 薫",
                  .kana = "ミナセ カオル",
                  .birth = 19800202,
                  .sex = Sex::kFemale,
                  .insurer = kTokyo,
                  .number = "3333"};
  EnrollmentContext unique = Valid();
  unique.kana_birth_date_namesakes = 0;
  Roster roster;
  roster.Add(1, a, unique);
  Receipt receipt = MakeReceipt({.kanji = "水無瀬 薫",
                                 .kana = "ミナセ カオル",
                                 .birth = 19800202,
                                 .sex = Sex::kFemale});
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kAutoMatch) << outcome.reason;
  // A billed insurer that is not the person's: perhaps a namesake who is not
  // in the roster.
  Receipt elsewhere = MakeReceipt({.kanji = "水無瀬 薫",
                                   .kana = "ミナセ カオル",
                                   .birth = 19800202,
                                   .sex = Sex::kFemale,
                                   .insurer = kOsaka});
  outcome = scorer->Match(elsewhere.Input(), roster.Inputs());
  EXPECT_EQ(outcome.candidates[0].evidence[5].level, "DIFFERENT");
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "not identified");
  // A wildcard in the kanji is not agreement enough.
  Receipt wildcard = MakeReceipt({.kanji = "●無瀬 薫",
                                  .kana = "ミナセ カオル",
                                  .birth = 19800202,
                                  .sex = Sex::kFemale});
  outcome = scorer->Match(wildcard.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "not identified");
}

TEST(ScorerTest, PostalCodeOrPreviousInsurerIdentifies) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  EnrollmentContext e = Valid();
  e.kana_birth_date_namesakes = 3;
  const std::string_view history[] = {kOsaka};
  e.other_insurers = history;
  Roster roster;
  roster.Add(1, kTaro, e);
  Receipt by_postal = MakeReceipt({.kanji = "髙橋 太郎",
                                   .kana = "タカハシ タロウ",
                                   .birth = 19750123,
                                   .postal = "100-0001"});
  EXPECT_EQ(scorer->Match(by_postal.Input(), roster.Inputs()).decision,
            Decision::kAutoMatch);
  Receipt by_old_insurer = MakeReceipt({.kanji = "髙橋 太郎",
                                        .kana = "タカハシ タロウ",
                                        .birth = 19750123,
                                        .insurer = kOsaka,
                                        .number = "999999"});
  MatchOutcome outcome = scorer->Match(by_old_insurer.Input(), roster.Inputs());
  EXPECT_EQ(outcome.candidates[0].evidence[5].level, "PREVIOUS_INSURER");
  EXPECT_EQ(outcome.decision, Decision::kAutoMatch) << outcome.reason;
  // Two enrollments valid at once: the history may be two people's.
  Roster concurrent;
  EnrollmentContext both = e;
  both.person_has_other_valid = true;
  concurrent.Add(1, kTaro, both);
  outcome = scorer->Match(by_old_insurer.Input(), concurrent.Inputs());
  EXPECT_EQ(outcome.candidates[0].evidence[5].level, "PREVIOUS_INSURER");
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "not identified");
}

TEST(ScorerTest, InsurerAloneDoesNotIdentifyAgainstAnotherMemberKey) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  EnrollmentContext e = Valid();
  e.kana_birth_date_namesakes = 1;
  Roster roster;
  roster.Add(1, kTaro, e);
  Spec billed = kTaro;
  billed.postal = "";
  billed.address = "";
  billed.symbol = "9999";
  billed.number = "111111";  // another member of the same large insurer
  Receipt receipt = MakeReceipt(billed);
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.candidates[0].evidence[4].level, "DIFFERENT");
  EXPECT_EQ(outcome.candidates[0].evidence[5].level, "EXACT");
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "not identified");
  // Without a member number on the receipt, the insurer number identifies.
  billed.number = "";
  billed.symbol = "";
  Receipt no_member = MakeReceipt(billed);
  EXPECT_EQ(scorer->Match(no_member.Input(), roster.Inputs()).decision,
            Decision::kAutoMatch);
}

TEST(ScorerTest, NoMatchWhenNothingIsPlausible) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  EXPECT_EQ(scorer->Match(receipt.Input(), {}).decision, Decision::kNoMatch);
  EXPECT_EQ(scorer->Match(receipt.Input(), {}).reason, "no candidate");
  Roster roster;
  roster.Add(7, {.kanji = "鈴木 一郎",
                 .kana = "スズキ イチロウ",
                 .birth = 19900909,
                 .sex = Sex::kMale,
                 .insurer = kOsaka,
                 .number = "424242"});
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.decision, Decision::kNoMatch);
  EXPECT_LT(outcome.candidates[0].probability, 0.05);
  EXPECT_EQ(outcome.candidates.size(), 1u);  // still reported, ranked
}

// An identified person whose enrollment ended before the month: nothing to
// confirm, so no match (routed by the insurer suggestions, re-matched
// nightly); the person stays first among the candidates.
TEST(ScorerTest, IdentifiedPersonWithoutAValidEnrollmentIsNoMatch) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  EnrollmentContext lapsed;
  lapsed.qualified_from = 20150401;
  lapsed.qualified_until = 20240301;
  Roster roster;
  roster.Add(1, kTaro, lapsed);
  MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  EXPECT_EQ(outcome.candidates[0].evidence[7].level, "ENDED_RECENTLY");
  EXPECT_EQ(outcome.decision, Decision::kNoMatch);
  EXPECT_EQ(outcome.reason, "no enrollment valid in the month");
  ASSERT_FALSE(outcome.candidates.empty());
}

class FixedFrequencies : public TermFrequency {
 public:
  double KanaNameFrequency(std::string_view key) const override {
    return key == "サトウヒロシ" ? 2e-3 : 1e-6;
  }
  double KanjiNameFrequency(std::string_view key) const override { return 0; }
  double KanaNameCollision() const override { return 1e-4; }
  double KanjiNameCollision() const override { return 0; }
};

TEST(ScorerTest, CommonNameWeighsLessThanRareName) {
  FixedFrequencies frequencies;
  std::unique_ptr<Scorer> scorer = DefaultScorer(&frequencies);
  auto kana_weight = [&](std::string_view kana) {
    Receipt receipt = MakeReceipt({.kana = kana, .birth = 19600101});
    Roster roster;
    roster.Add(1, {.kana = kana, .birth = 19600101});
    return scorer->Score(receipt.Input(), roster.Inputs()[0])
        .evidence[1]
        .weight;
  };
  const double common = kana_weight("サトウ ヒロシ");
  const double rare = kana_weight("ミナセ カオル");
  EXPECT_LT(common, rare);
  EXPECT_LT(common, Model::Default().Weight(Field::kNameKana, Level::kExact));
  EXPECT_GT(rare, Model::Default().Weight(Field::kNameKana, Level::kExact));
}

TEST(ScorerTest, CalibratedProbabilityIsUsed) {
  Model model = Model::Default();
  model.calibration.knots = {{0, 0.01}, {30, 0.9}};
  absl::StatusOr<std::unique_ptr<Scorer>> scorer =
      Scorer::Create(model, nullptr, DecisionOptions());
  ASSERT_TRUE(scorer.ok());
  Receipt receipt = MakeReceipt(kTaro);
  Roster roster;
  roster.Add(1, kTaro);
  MatchOutcome outcome = (*scorer)->Match(receipt.Input(), roster.Inputs());
  EXPECT_LE(outcome.candidates[0].probability, 0.9);
  EXPECT_EQ(outcome.decision, Decision::kReview);
  EXPECT_EQ(outcome.reason, "probability");
}

TEST(ScorerTest, DecideSweepsThresholdsOverStoredOutcomes) {
  std::unique_ptr<Scorer> scorer = DefaultScorer();
  Receipt receipt = MakeReceipt(kTaro);
  Roster roster;
  roster.Add(1, kTaro);
  Spec near = kTaro;
  near.birth = 19750124;
  roster.Add(2, near);
  const MatchOutcome outcome = scorer->Match(receipt.Input(), roster.Inputs());
  ASSERT_EQ(outcome.decision, Decision::kAutoMatch);
  double margin = 0;
  std::string reason;
  EXPECT_EQ(Decide(outcome.candidates, {.auto_min_margin = outcome.margin},
                   &margin, &reason),
            Decision::kAutoMatch);
  EXPECT_EQ(margin, outcome.margin);
  EXPECT_EQ(
      Decide(outcome.candidates, {.auto_min_margin = outcome.margin + 0.01},
             &margin, &reason),
      Decision::kReview);
  EXPECT_EQ(reason, "margin");
  EXPECT_EQ(Decide(outcome.candidates,
                   {.auto_min_probability = 1, .review_min_probability = 1},
                   &margin, &reason),
            Decision::kNoMatch);
}

TEST(ScorerTest, CreateRejectsBadOptions) {
  EXPECT_FALSE(Scorer::Create(
                   Model::Default(), nullptr,
                   {.auto_min_probability = 0.5, .review_min_probability = 0.6})
                   .ok());
  EXPECT_FALSE(
      Scorer::Create(Model::Default(), nullptr, {.auto_min_margin = -1}).ok());
  Model broken = Model::Default();
  broken.lambda = 0;
  EXPECT_FALSE(Scorer::Create(broken, nullptr, DecisionOptions()).ok());
}

TEST(ScorerTest, StatsReportPrecisionAndReviewRate) {
  DecisionStats stats;
  MatchOutcome auto_match;
  auto_match.decision = Decision::kAutoMatch;
  MatchOutcome review;
  review.decision = Decision::kReview;
  AddToStats(auto_match, true, &stats);
  AddToStats(auto_match, false, &stats);
  AddToStats(review, true, &stats);
  AddToStats(MatchOutcome(), false, &stats);
  EXPECT_EQ(stats.receipts, 4);
  EXPECT_EQ(stats.no_matches, 1);
  EXPECT_DOUBLE_EQ(stats.auto_precision(), 0.5);
  EXPECT_DOUBLE_EQ(stats.review_rate(), 0.25);
}

}  // namespace
}  // namespace kuromaru::matcher
