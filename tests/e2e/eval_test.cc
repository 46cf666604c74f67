// The real `kuromaru eval`: the report, the JSON file, input problems on
// stderr, gates and exit codes.
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::CommandResult;
using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTruth[] =
    R"({"receipt_id":"R1","category":"exact","in_roster":true,"valid_in_month":true,"insurer_number":"01130012","symbol":"1234","number":"5678","branch":"01","qualified_from":"20200401","expected_insurer_number":"01130012"}
{"receipt_id":"R2","category":"exact","in_roster":true,"valid_in_month":true,"insurer_number":"01130012","symbol":"1234","number":"5679","branch":"","qualified_from":"20200401","expected_insurer_number":"01130012"}
{"receipt_id":"R3","category":"not_in_roster","in_roster":false,"valid_in_month":false,"expected_insurer_number":"138016"}
{"receipt_id":"R4","category":"late_roster","in_roster":true,"valid_in_month":false,"insurer_number":"06131016","symbol":"","number":"9001","branch":"","qualified_from":"20190101","expected_insurer_number":"01130012"}
)";

constexpr char kResults[] =
    R"({"receipt_id":"R1","decision":"DECISION_AUTO_MATCH","candidates":[{"insurer_number":"01130012","symbol":"1234","number":"5678","branch":"01","qualified_from":"20200401","probability":0.9995}],"insurer_suggestions":[{"insurer_number":"01130012","probability":0.99}],"error":""}
{"receipt_id":"R2","decision":"DECISION_REVIEW","candidates":[{"insurer_number":"01130012","symbol":"1234","number":"5678","branch":"01","qualified_from":"20200401","probability":0.4},{"insurer_number":"01130012","symbol":"1234","number":"5679","branch":"","qualified_from":"20200401","probability":0.3}]}
{"receipt_id":"R3","decision":"DECISION_NO_MATCH","candidates":[],"insurer_suggestions":[{"insurer_number":"138016","probability":0.6}]}
{"receipt_id":"R4","decision":"DECISION_REVIEW","candidates":[{"insurer_number":"06131016","symbol":"","number":"9001","branch":"","qualified_from":"20190101","probability":0.7}]}
)";

class EvalE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/kuromaru_eval_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    truth_ = Write("truth.jsonl", kTruth);
    results_ = Write("results.jsonl", kResults);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::string dir_, truth_, results_;
};

TEST_F(EvalE2eTest, PrintsTheReportAndWritesJson) {
  const std::string json = dir_ + "/figures.json";
  const CommandResult r = RunKuromaru(
      {"eval", "--truth", truth_, "--results", results_, "--json", json});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // R1 and R4 first, R2 second: top-1 2/3, recall 3/3.
  EXPECT_THAT(r.out,
              HasSubstr("top-1 accuracy                   0.6667   2 / 3"));
  EXPECT_THAT(r.out,
              HasSubstr("recall@5                         1.0000   3 / 3"));
  EXPECT_THAT(r.out,
              HasSubstr("AUTO precision                   1.0000   1 / 1"));
  EXPECT_THAT(r.out,
              HasSubstr("AUTO coverage                    0.5000   1 / 2"));
  EXPECT_THAT(r.out,
              HasSubstr("false AUTO (not in roster)       0.0000   0 / 1"));
  EXPECT_THAT(r.out,
              HasSubstr("review rate                      0.5000   2 / 4"));
  EXPECT_THAT(r.out,
              HasSubstr("insurer top-1                    0.5000   2 / 4"));
  EXPECT_THAT(r.out, HasSubstr("late_roster"));
  EXPECT_THAT(r.out, HasSubstr("[0.999, 1.000]"));
  const std::string figures = Read(json);
  EXPECT_THAT(figures, HasSubstr("\"top1_accuracy\":0.666667"));
  EXPECT_THAT(figures, HasSubstr("\"auto_coverage\":0.5"));
  EXPECT_THAT(figures, HasSubstr("\"late_roster\":{\"counts\""));
  // Logs carry counts only: no member numbers.
  EXPECT_THAT(r.err, Not(HasSubstr("5678")));
}

TEST_F(EvalE2eTest, ListsInputProblemsWithLineNumbers) {
  const std::string results =
      Write("bad.jsonl", std::string(kResults) +
                             "{\"receipt_id\":\"R9\",\"decision\":"
                             "\"DECISION_REVIEW\"}\nnot json\n");
  const std::string truth =
      Write("bad-truth.jsonl", std::string(kTruth) +
                                   "{\"receipt_id\":\"R5\",\"in_roster\":false}"
                                   "\n{\"receipt_id\":\"R6\"}\n");
  const CommandResult r =
      RunKuromaru({"eval", "--truth", truth, "--results", results});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(truth + ":5: no result for receipt R5"));
  EXPECT_THAT(r.err, HasSubstr(truth + ":6: no in_roster"));
  EXPECT_THAT(r.err, HasSubstr(results + ":5: receipt R9 is not in the truth"));
  EXPECT_THAT(r.err, HasSubstr(results + ":6: invalid JSON"));
  EXPECT_THAT(r.out, HasSubstr("bad truth lines 1, bad result lines 1"));
  EXPECT_THAT(r.out,
              HasSubstr("results without truth 1, truth without result 1"));
}

TEST_F(EvalE2eTest, GatesDecideTheExitCode) {
  const std::vector<std::string> base = {"eval", "--truth", truth_, "--results",
                                         results_};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return RunKuromaru(args);
  };
  EXPECT_EQ(with({"--min-top1", "0.6", "--min-auto-precision", "1",
                  "--max-false-auto", "0", "--max-review-rate", "0.5"})
                .exit_code,
            0);
  const CommandResult top1 = with({"--min-top1", "0.7"});
  EXPECT_EQ(top1.exit_code, 1);
  EXPECT_THAT(top1.err, HasSubstr("gate failed: --min-top1"));
  EXPECT_THAT(top1.out, HasSubstr("top-1 accuracy"));  // report still printed
  EXPECT_EQ(with({"--max-review-rate", "0.49"}).exit_code, 1);
  EXPECT_EQ(with({"--min-top1", "high"}).exit_code, 2);
  EXPECT_EQ(with({"--max-false-auto", "1.5"}).exit_code, 2);
}

TEST_F(EvalE2eTest, UsageAndUnreadableFiles) {
  const CommandResult help = RunKuromaru({"eval", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("late_roster"));
  EXPECT_THAT(help.out, HasSubstr("--min-auto-precision"));
  EXPECT_THAT(RunKuromaru({"--help"}).out, HasSubstr("eval"));
  EXPECT_EQ(RunKuromaru({"eval", "--truth", truth_}).exit_code, 2);
  EXPECT_EQ(
      RunKuromaru({"eval", "--truth", truth_, "--results", results_, "extra"})
          .exit_code,
      2);
  const CommandResult missing = RunKuromaru(
      {"eval", "--truth", dir_ + "/none.jsonl", "--results", results_});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
  EXPECT_EQ(RunKuromaru({"eval", "--truth", truth_, "--results", results_,
                         "--json", dir_ + "/no/such/dir/f.json"})
                .exit_code,
            1);
}

}  // namespace
}  // namespace kuromaru
