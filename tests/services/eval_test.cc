// `kuromaru eval`'s library: each figure's definition on small hand-made
// truth and results, the calibration bins, unpaired ids, bad lines with their
// numbers, the report forms and the gates.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "kuromaru/v1/match.pb.h"
#include "services/eval/evaluator.h"
#include "services/eval/report.h"
#include "services/eval/truth.h"
#include "services/io/proto_json.h"

namespace kuromaru::eval {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

const EnrollmentKey kKeyA = {"01130012", "1234", "5678", "01", "20200401"};
const EnrollmentKey kKeyB = {"06131016", "", "9001", "", "20190101"};
const EnrollmentKey kKeyC = {"138016", "横浜", "42", "", "20210601"};

std::string TruthLine(const std::string& id, const std::string& category,
                      bool in_roster, bool valid, const EnrollmentKey& key,
                      const std::string& expected_insurer = "01130012") {
  const EnrollmentKey k = in_roster ? key : EnrollmentKey();
  return absl::StrCat(R"({"receipt_id":")", id, R"(","category":")", category,
                      R"(","detail":"","person_id":"P1","in_roster":)",
                      in_roster ? "true" : "false",
                      ",\"valid_in_month\":", valid ? "true" : "false",
                      R"(,"insurer_number":")", k.insurer_number,
                      R"(","symbol":")", k.symbol, R"(","number":")", k.number,
                      R"(","branch":")", k.branch, R"(","qualified_from":")",
                      k.qualified_from, R"(","expected_insurer_number":")",
                      expected_insurer, R"("})");
}

struct Cand {
  EnrollmentKey key;
  double probability = 0.5;
};

std::string ResultLine(const std::string& id, v1::Decision decision,
                       const std::vector<Cand>& candidates,
                       const std::string& suggested_insurer = "") {
  v1::MatchResult r;
  r.set_receipt_id(id);
  r.set_decision(decision);
  for (const Cand& c : candidates) {
    v1::Candidate* out = r.add_candidates();
    out->set_insurer_number(c.key.insurer_number);
    out->set_symbol(c.key.symbol);
    out->set_number(c.key.number);
    out->set_branch(c.key.branch);
    out->set_qualified_from(c.key.qualified_from);
    out->set_probability(c.probability);
  }
  if (!suggested_insurer.empty()) {
    r.add_insurer_suggestions()->set_insurer_number(suggested_insurer);
  }
  return io::ToJsonLine(r);
}

// Feeds lines numbered from 1 in the order given.
EvalReport Evaluate(const std::vector<std::string>& truth,
                    const std::vector<std::string>& results,
                    const EvalOptions& options = EvalOptions()) {
  Evaluator evaluator(options);
  for (size_t i = 0; i < truth.size(); ++i)
    evaluator.AddTruthLine(i + 1, truth[i]);
  for (size_t i = 0; i < results.size(); ++i) {
    evaluator.AddResultLine(i + 1, results[i]);
  }
  return evaluator.Finish();
}

constexpr auto kAuto = v1::DECISION_AUTO_MATCH;
constexpr auto kReview = v1::DECISION_REVIEW;
constexpr auto kNoMatch = v1::DECISION_NO_MATCH;

TEST(TruthLineTest, AnyFieldOrderAndUnknownFields) {
  const auto t = ParseTruthLine(
      R"({"extra":[1,{"x":2}],"expected_insurer_number":"138016",)"
      R"("qualified_from":"20210601","in_roster":true,"number":"42",)"
      R"("symbol":"横浜","insurer_number":"138016","receipt_id":"R1",)"
      R"("category":"exact"})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->receipt_id, "R1");
  EXPECT_TRUE(t->in_roster);
  EXPECT_TRUE(t->valid_in_month);  // defaults to in_roster
  EXPECT_EQ(t->key, (EnrollmentKey{"138016", "横浜", "42", "", "20210601"}));
  EXPECT_EQ(t->expected_insurer_number, "138016");
}

TEST(TruthLineTest, RejectsWhatCannotBeEvaluated) {
  EXPECT_FALSE(ParseTruthLine("{\"receipt_id\":\"R1\"").ok());  // truncated
  EXPECT_FALSE(ParseTruthLine("[1,2]").ok());
  EXPECT_FALSE(ParseTruthLine(R"({"receipt_id":"R1"})").ok());  // in_roster
  EXPECT_FALSE(ParseTruthLine(R"({"receipt_id":"","in_roster":false})").ok());
  EXPECT_FALSE(ParseTruthLine(R"({"receipt_id":7,"in_roster":false})").ok());
  EXPECT_FALSE(ParseTruthLine(R"({"receipt_id":"R1","in_roster":"yes"})").ok());
  EXPECT_FALSE(
      ParseTruthLine(R"({"receipt_id":"R1","in_roster":true,"number":"5"})")
          .ok());  // in the roster without an insurer
  const auto absent =
      ParseTruthLine(R"({"receipt_id":"R1","in_roster":false})");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(absent->category, "unknown");
  EXPECT_FALSE(absent->valid_in_month);
}

TEST(EvaluatorTest, TopOneAndRecallOverInRosterReceipts) {
  const std::vector<Cand> five_wrong = {
      {kKeyB}, {kKeyC}, {kKeyB}, {kKeyC}, {kKeyB}};
  std::vector<Cand> sixth_right = five_wrong;
  sixth_right.push_back({kKeyA});
  const EvalReport r =
      Evaluate({TruthLine("R1", "exact", true, true, kKeyA),
                TruthLine("R2", "exact", true, true, kKeyA),
                TruthLine("R3", "exact", true, true, kKeyA),
                TruthLine("R4", "not_in_roster", false, false, kKeyA)},
               {ResultLine("R1", kReview, {{kKeyA}, {kKeyB}}),
                ResultLine("R2", kReview, {{kKeyB}, {kKeyC}, {kKeyA}}),
                ResultLine("R3", kReview, sixth_right),
                ResultLine("R4", kReview, {{kKeyA}})});
  EXPECT_EQ(r.overall.receipts, 4);
  EXPECT_EQ(r.overall.in_roster, 3);
  EXPECT_EQ(r.overall.top1, 1);
  EXPECT_EQ(r.overall.top_k, 2);
  EXPECT_THAT(r.overall.Top1(), Optional(DoubleNear(1.0 / 3, 1e-12)));
  EXPECT_THAT(r.overall.RecallAtK(), Optional(DoubleNear(2.0 / 3, 1e-12)));

  EvalOptions wide;
  wide.recall_at = 6;
  const EvalReport r6 =
      Evaluate({TruthLine("R3", "exact", true, true, kKeyA)},
               {ResultLine("R3", kReview, sixth_right)}, wide);
  EXPECT_EQ(r6.overall.top_k, 1);
}

TEST(EvaluatorTest, EveryPartOfTheKeyMustMatch) {
  std::vector<EnrollmentKey> near(5, kKeyA);
  near[0].insurer_number = "01130020";
  near[1].symbol = "1235";
  near[2].number = "05678";
  near[3].branch = "1";
  near[4].qualified_from = "20200402";
  for (const EnrollmentKey& k : near) {
    const EvalReport r = Evaluate({TruthLine("R1", "exact", true, true, kKeyA)},
                                  {ResultLine("R1", kAuto, {{k}})});
    EXPECT_EQ(r.overall.top1, 0) << k.insurer_number << "|" << k.symbol;
    EXPECT_EQ(r.overall.auto_correct, 0);
  }
}

TEST(EvaluatorTest, AutoPrecisionCoverageAndLateRoster) {
  const EvalReport r =
      Evaluate({TruthLine("R1", "exact", true, true, kKeyA),
                TruthLine("R2", "exact", true, true, kKeyA),
                TruthLine("R3", "not_in_roster", false, false, kKeyA),
                TruthLine("R4", "late_roster", true, false, kKeyA),
                TruthLine("R5", "exact", true, true, kKeyA)},
               {ResultLine("R1", kAuto, {{kKeyA, 0.999}}),
                ResultLine("R2", kAuto, {{kKeyB, 0.999}, {kKeyA}}),
                ResultLine("R3", kAuto, {{kKeyC, 0.999}}),
                ResultLine("R4", kAuto, {{kKeyA, 0.999}}),
                ResultLine("R5", kReview, {{kKeyA, 0.6}})});
  const Tally& t = r.overall;
  EXPECT_EQ(t.auto_match, 4);
  EXPECT_EQ(t.auto_correct, 1);
  EXPECT_EQ(t.auto_absent, 1);
  EXPECT_EQ(t.auto_not_valid, 1);
  EXPECT_EQ(t.auto_expected, 3);  // late_roster expects no AUTO
  EXPECT_THAT(t.AutoPrecision(), Optional(DoubleNear(0.25, 1e-12)));
  EXPECT_THAT(t.AutoCoverage(), Optional(DoubleNear(1.0 / 3, 1e-12)));
  // late_roster's newest enrollment found: it counts in top-1.
  EXPECT_EQ(t.in_roster, 4);
  EXPECT_EQ(t.top1, 3);
  EXPECT_THAT(t.AutoRate(), Optional(DoubleNear(0.8, 1e-12)));
}

TEST(EvaluatorTest, FalseAutoOnPersonsNotInRoster) {
  const EvalReport r = Evaluate(
      {TruthLine("R1", "not_in_roster", false, false, kKeyA),
       TruthLine("R2", "not_in_roster", false, false, kKeyA),
       TruthLine("R3", "not_in_roster", false, false, kKeyA),
       TruthLine("R4", "exact", true, true, kKeyA)},
      {ResultLine("R1", kAuto, {{kKeyB}}), ResultLine("R2", kNoMatch, {}),
       ResultLine("R3", kReview, {{kKeyB}}),
       ResultLine("R4", kAuto, {{kKeyA}})});
  EXPECT_EQ(r.overall.absent, 3);
  EXPECT_THAT(r.overall.FalseAuto(), Optional(DoubleNear(1.0 / 3, 1e-12)));
  const EvalReport none =
      Evaluate({TruthLine("R4", "exact", true, true, kKeyA)},
               {ResultLine("R4", kAuto, {{kKeyA}})});
  EXPECT_EQ(none.overall.FalseAuto(), std::nullopt);
  EXPECT_THAT(none.overall.AutoPrecision(), Optional(1.0));
}

TEST(EvaluatorTest, ReviewAndNoMatchRatesOverAllReceipts) {
  const EvalReport r = Evaluate(
      {TruthLine("R1", "exact", true, true, kKeyA),
       TruthLine("R2", "exact", true, true, kKeyA),
       TruthLine("R3", "not_in_roster", false, false, kKeyA),
       TruthLine("R4", "exact", true, true, kKeyA)},
      {ResultLine("R1", kReview, {{kKeyA}}),
       ResultLine("R2", kReview, {{kKeyB}}), ResultLine("R3", kNoMatch, {}),
       ResultLine("R4", v1::DECISION_UNSPECIFIED, {})});
  EXPECT_THAT(r.overall.ReviewRate(), Optional(0.5));
  EXPECT_THAT(r.overall.NoMatchRate(), Optional(0.25));
  EXPECT_EQ(r.overall.unspecified, 1);
  EXPECT_EQ(r.overall.auto_match, 0);
  EXPECT_EQ(r.overall.AutoPrecision(), std::nullopt);
}

TEST(EvaluatorTest, CalibrationBinsByFirstCandidateProbability) {
  const std::vector<double> probabilities = {0.05,   0.1, 0.95, 0.995,
                                             0.9995, 1.0, 1.5};
  std::vector<std::string> truth, results;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const std::string id = absl::StrCat("R", i);
    truth.push_back(TruthLine(id, "exact", true, true, kKeyA));
    // Every other receipt's first candidate is correct.
    const EnrollmentKey& first = i % 2 == 0 ? kKeyA : kKeyB;
    results.push_back(
        ResultLine(id, kReview, {{first, probabilities[i]}, {kKeyA, 0.01}}));
  }
  truth.push_back(TruthLine("N", "exact", true, true, kKeyA));
  results.push_back(ResultLine("N", kNoMatch, {}));  // no candidate: no bin
  const EvalReport r = Evaluate(truth, results);
  ASSERT_EQ(r.calibration.size(), 12u);
  EXPECT_DOUBLE_EQ(r.calibration[9].low, 0.9);
  EXPECT_DOUBLE_EQ(r.calibration[9].high, 0.99);
  std::vector<int64_t> counts;
  int64_t total = 0;
  for (const CalibrationBin& b : r.calibration) {
    counts.push_back(b.count);
    total += b.count;
  }
  EXPECT_THAT(counts, ElementsAre(1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3));
  EXPECT_EQ(total, 7);
  EXPECT_THAT(r.calibration[0].MeanProbability(), Optional(0.05));
  EXPECT_THAT(r.calibration[0].ObservedCorrect(), Optional(1.0));
  EXPECT_THAT(r.calibration[1].ObservedCorrect(), Optional(0.0));
  EXPECT_THAT(r.calibration[10].MeanProbability(), Optional(0.995));
  // The closed last bin holds 0.9995 (correct), 1.0 (not) and 1.5 clamped to
  // 1 (correct).
  EXPECT_THAT(r.calibration[11].MeanProbability(),
              Optional(DoubleNear((0.9995 + 1 + 1) / 3, 1e-12)));
  EXPECT_THAT(r.calibration[11].ObservedCorrect(),
              Optional(DoubleNear(2.0 / 3, 1e-12)));
  EXPECT_EQ(r.calibration[2].MeanProbability(), std::nullopt);
}

TEST(EvaluatorTest, PerCategoryTalliesAddUpToOverall) {
  const EvalReport r = Evaluate(
      {TruthLine("R1", "exact", true, true, kKeyA),
       TruthLine("R2", "fusho", true, true, kKeyB),
       TruthLine("R3", "fusho", true, true, kKeyB),
       TruthLine("R4", "not_in_roster", false, false, kKeyA)},
      {ResultLine("R1", kAuto, {{kKeyA}}), ResultLine("R2", kReview, {{kKeyB}}),
       ResultLine("R3", kReview, {{kKeyC}}), ResultLine("R4", kNoMatch, {})});
  ASSERT_EQ(r.by_category.size(), 3u);
  const Tally& fusho = r.by_category.at("fusho");
  EXPECT_EQ(fusho.receipts, 2);
  EXPECT_THAT(fusho.Top1(), Optional(0.5));
  EXPECT_THAT(fusho.ReviewRate(), Optional(1.0));
  EXPECT_THAT(r.by_category.at("exact").AutoPrecision(), Optional(1.0));
  EXPECT_EQ(r.by_category.at("not_in_roster").Top1(), std::nullopt);
  EXPECT_EQ(r.overall.receipts, 4);
  EXPECT_EQ(r.overall.top1, 2);
}

// A truth line with a detail and a life event (what `kuromaru gen` writes).
std::string EventLine(const std::string& id, const std::string& category,
                      const std::string& detail, const std::string& event,
                      bool valid, const EnrollmentKey& key,
                      const std::string& expected_insurer) {
  std::string line =
      TruthLine(id, category, true, valid, key, expected_insurer);
  const std::string plain = R"("detail":"")";
  line.replace(
      line.find(plain), plain.size(),
      absl::StrCat(R"("detail":")", detail, R"(","event":")", event, R"(")"));
  return line;
}

TEST(EvaluatorTest, TalliesByDetailAndLifeEvent) {
  const EvalReport r =
      Evaluate({EventLine("R1", "marriage", "same_key+old_card", "marriage",
                          true, kKeyA, "01130012"),
                EventLine("R2", "marriage", "spouse_kokuho+current_card",
                          "marriage", true, kKeyC, "138016"),
                EventLine("R3", "late_life_event", "turned_75+old_card",
                          "turned_75", false, kKeyB, "39131015"),
                TruthLine("R4", "exact", true, true, kKeyA)},
               {ResultLine("R1", kReview, {{kKeyB}, {kKeyA}}, "01130012"),
                ResultLine("R2", kAuto, {{kKeyC}}, "138016"),
                ResultLine("R3", kReview, {{kKeyB}}, "39131015"),
                ResultLine("R4", kAuto, {{kKeyA}}, "01130012")});
  ASSERT_EQ(r.by_event.size(), 3u);
  EXPECT_THAT(r.by_event.at("marriage").Top1(), Optional(0.5));
  EXPECT_THAT(r.by_event.at("marriage").RecallAtK(), Optional(1.0));
  EXPECT_EQ(r.by_event.at("turned_75").receipts, 1);
  EXPECT_EQ(r.by_event.at("none").receipts, 1);  // no event in the truth
  EXPECT_THAT(r.by_detail.at("marriage/same_key+old_card").Top1(),
              Optional(0.0));
  EXPECT_THAT(r.by_detail.at("marriage/spouse_kokuho+current_card").Top1(),
              Optional(1.0));
  EXPECT_EQ(r.by_detail.at("exact").receipts, 1);  // no detail: the category
  // The late registration: the person is found (their ended enrollment),
  // and routed to the insurer the roster does not list them in yet.
  EXPECT_EQ(r.overall.not_held, 1);
  EXPECT_THAT(r.overall.NotHeldInsurerTop1(), Optional(1.0));
  EXPECT_THAT(r.by_category.at("late_life_event").Top1(), Optional(1.0));
  const std::string text = FormatText(r);
  EXPECT_THAT(text,
              HasSubstr("insurer top-1 (not held yet)     1.0000   1 / 1"));
  EXPECT_THAT(text, HasSubstr("by life event"));
  EXPECT_THAT(text, HasSubstr("  marriage/same_key+old_card"));
  google::protobuf::Struct s;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(FormatJson(r), &s).ok());
  EXPECT_TRUE(
      s.fields().at("by_event").struct_value().fields().contains("turned_75"));
  EXPECT_TRUE(s.fields()
                  .at("by_detail")
                  .struct_value()
                  .fields()
                  .contains("marriage/spouse_kokuho+current_card"));
}

TEST(EvaluatorTest, InsurerTopOneOverallAndNotInRoster) {
  const std::vector<std::string> truth = {
      TruthLine("R1", "exact", true, true, kKeyA, "01130012"),
      TruthLine("R2", "stale_insurer", true, true, kKeyB, "06131016"),
      TruthLine("R3", "not_in_roster", false, false, kKeyA, "138016"),
      TruthLine("R4", "not_in_roster", false, false, kKeyA, "138016")};
  const EvalReport none = Evaluate(
      truth,
      {ResultLine("R1", kAuto, {{kKeyA}}), ResultLine("R2", kReview, {{kKeyB}}),
       ResultLine("R3", kNoMatch, {}), ResultLine("R4", kNoMatch, {})});
  EXPECT_EQ(none.overall.InsurerTop1(), std::nullopt);
  EXPECT_EQ(none.overall.AbsentInsurerTop1(), std::nullopt);

  const EvalReport r =
      Evaluate(truth, {ResultLine("R1", kAuto, {{kKeyA}}, "01130012"),
                       ResultLine("R2", kReview, {{kKeyB}}, "01130012"),
                       ResultLine("R3", kNoMatch, {}, "138016"),
                       ResultLine("R4", kNoMatch, {})});  // none: wrong
  EXPECT_THAT(r.overall.InsurerTop1(), Optional(0.5));
  EXPECT_THAT(r.overall.AbsentInsurerTop1(), Optional(0.5));
  EXPECT_EQ(r.overall.suggested, 3);
}

TEST(EvaluatorTest, UnpairedIdsAreCountedWithTheirLines) {
  const EvalReport r = Evaluate(
      {TruthLine("R1", "exact", true, true, kKeyA),
       TruthLine("R2", "exact", true, true, kKeyA)},
      {ResultLine("R1", kAuto, {{kKeyA}}), ResultLine("R9", kAuto, {{kKeyA}})});
  EXPECT_EQ(r.overall.receipts, 1);
  EXPECT_EQ(r.input.truth_without_result, 1);
  EXPECT_EQ(r.input.results_without_truth, 1);
  ASSERT_EQ(r.issues.size(), 2u);
  EXPECT_EQ(r.issues[0].file, InputIssue::File::kTruth);
  EXPECT_EQ(r.issues[0].line, 2);
  EXPECT_THAT(r.issues[0].message, HasSubstr("R2"));
  EXPECT_EQ(r.issues[1].file, InputIssue::File::kResults);
  EXPECT_EQ(r.issues[1].line, 2);
  EXPECT_THAT(r.issues[1].message, HasSubstr("R9"));
  EXPECT_EQ(FormatIssue(r.issues[1], "t.jsonl", "o.jsonl").substr(0, 10),
            "o.jsonl:2:");
}

TEST(EvaluatorTest, BadAndDuplicateLinesAreCountedWithTheirNumbers) {
  const EvalReport r = Evaluate(
      {TruthLine("R1", "exact", true, true, kKeyA), "", "{not json",
       R"({"receipt_id":"R2"})", TruthLine("R1", "exact", true, true, kKeyB),
       TruthLine("R3", "exact", true, true, kKeyA)},
      {ResultLine("R1", kAuto, {{kKeyA}}), R"({"decision":"DECISION_REVIEW"})",
       R"({"receipt_id":"R3","candidates":"many"})",
       ResultLine("R1", kNoMatch, {}), "   ",
       ResultLine("R3", kReview, {{kKeyA}})});
  EXPECT_EQ(r.input.truth_lines, 5);  // the blank line is not counted
  EXPECT_EQ(r.input.result_lines, 5);
  EXPECT_EQ(r.input.bad_truth_lines, 2);
  EXPECT_EQ(r.input.duplicate_truth, 1);
  EXPECT_EQ(r.input.bad_result_lines, 2);
  EXPECT_EQ(r.input.duplicate_results, 1);
  EXPECT_EQ(r.input.Problems(), 6);
  std::vector<std::string> where;
  for (const InputIssue& i : r.issues) {
    where.push_back(FormatIssue(i, "T", "O").substr(0, 3));
  }
  EXPECT_THAT(where, ElementsAre("T:3", "T:4", "T:5", "O:2", "O:3", "O:4"));
  // The first line of a duplicated id is the one evaluated.
  EXPECT_EQ(r.overall.receipts, 2);
  EXPECT_EQ(r.overall.auto_correct, 1);
}

TEST(EvaluatorTest, KeepsAtMostMaxIssuesButCountsAll) {
  EvalOptions options;
  options.max_issues = 2;
  const EvalReport r = Evaluate({"x", "y", "z"}, {"{}", "[]"}, options);
  EXPECT_EQ(r.input.Problems(), 5);
  EXPECT_EQ(r.issues.size(), 2u);
  EXPECT_THAT(FormatText(r), HasSubstr("(2 listed)"));
}

TEST(EvalReportTest, TextShowsFiguresAndNotApplicable) {
  const EvalReport r =
      Evaluate({TruthLine("R1", "exact", true, true, kKeyA),
                TruthLine("R2", "stale_insurer", true, true, kKeyA)},
               {ResultLine("R1", kAuto, {{kKeyA, 0.9999}}),
                ResultLine("R2", kReview, {{kKeyB, 0.3}})});
  const std::string text = FormatText(r);
  EXPECT_THAT(text,
              HasSubstr("top-1 accuracy                   0.5000   1 / 2"));
  EXPECT_THAT(text, HasSubstr("recall@5"));
  EXPECT_THAT(text, HasSubstr("false AUTO (not in roster)          n/a"));
  EXPECT_THAT(text, HasSubstr("insurer top-1                       n/a"));
  EXPECT_THAT(text, HasSubstr("[0.999, 1.000]          1    0.9999    1.0000"));
  EXPECT_THAT(text, HasSubstr("stale_insurer"));
  // A threshold at 0.999 keeps the right one; lowering it to 0.2 adds the wrong
  // one.
  EXPECT_THAT(text, HasSubstr("  0.999             1     0.5000     1.0000"));
  EXPECT_THAT(text, HasSubstr("  0.200             2     1.0000     0.5000"));
}

TEST(EvalReportTest, JsonCarriesTheSameFigures) {
  const EvalReport r =
      Evaluate({TruthLine("R1", "exact", true, true, kKeyA),
                TruthLine("R2", R"(name \"q\")", true, true, kKeyA)},
               {ResultLine("R1", kAuto, {{kKeyA, 0.9999}}),
                ResultLine("R2", kReview, {{kKeyB, 0.3}})});
  const std::string json = FormatJson(r);
  ASSERT_EQ(json.back(), '\n');
  google::protobuf::Struct s;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &s).ok())
      << json;
  const auto& overall = s.fields().at("overall").struct_value();
  const auto& figures = overall.fields().at("figures").struct_value().fields();
  EXPECT_DOUBLE_EQ(figures.at("top1_accuracy").number_value(), 0.5);
  EXPECT_DOUBLE_EQ(figures.at("auto_precision").number_value(), 1.0);
  EXPECT_EQ(figures.at("false_auto_not_in_roster").kind_case(),
            google::protobuf::Value::kNullValue);
  EXPECT_DOUBLE_EQ(overall.fields()
                       .at("counts")
                       .struct_value()
                       .fields()
                       .at("review")
                       .number_value(),
                   1);
  EXPECT_TRUE(s.fields()
                  .at("by_category")
                  .struct_value()
                  .fields()
                  .contains("name \"q\""));
  EXPECT_EQ(s.fields().at("calibration").list_value().values_size(), 12);
}

TEST(GatesTest, PassFailAndNotApplicable) {
  const EvalReport r = Evaluate({TruthLine("R1", "exact", true, true, kKeyA),
                                 TruthLine("R2", "exact", true, true, kKeyA)},
                                {ResultLine("R1", kAuto, {{kKeyA}}),
                                 ResultLine("R2", kReview, {{kKeyB}})});
  Gates pass;
  pass.min_top1 = 0.5;
  pass.min_auto_precision = 1.0;
  pass.max_review_rate = 0.5;
  EXPECT_TRUE(CheckGates(r, pass).empty());
  EXPECT_TRUE(CheckGates(r, Gates()).empty());

  Gates fail;
  fail.min_top1 = 0.6;
  fail.max_review_rate = 0.4;
  fail.max_false_auto = 0.1;  // no receipt is out of the roster: n/a
  const std::vector<std::string> failures = CheckGates(r, fail);
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_THAT(failures[0], HasSubstr("--min-top1"));
  EXPECT_THAT(failures[0], HasSubstr("0.5000 is below 0.6000"));
  EXPECT_THAT(failures[1], HasSubstr("n/a"));
  EXPECT_THAT(failures[2], HasSubstr("0.5000 is above 0.4000"));
}

class EvaluateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrCat("kuromaru_eval_test_", ::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(EvaluateFilesTest, ReadsCrLfFilesAndReportsMissingOnes) {
  const std::string truth = Write(
      "truth.jsonl", absl::StrCat(TruthLine("R1", "exact", true, true, kKeyA),
                                  "\r\n\r\n{bad\r\n"));
  const std::string results =
      Write("results.jsonl", ResultLine("R1", kAuto, {{kKeyA}}) + "\r\n");
  const auto r = EvaluateFiles(truth, results);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->overall.auto_correct, 1);
  ASSERT_EQ(r->issues.size(), 1u);
  EXPECT_EQ(r->issues[0].line, 3);

  const auto missing = EvaluateFiles(truth, (dir_ / "none.jsonl").string());
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_TRUE(absl::IsNotFound(EvaluateFiles(dir_.string(), results).status()));
}

}  // namespace
}  // namespace kuromaru::eval
