// The real `kuromaru match` on a generated roster and receipts.
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kuromaru/v1/match.pb.h"
#include "services/io/proto_json.h"
#include "tests/e2e/process.h"
#include "tests/support/files.h"
#include "tests/support/roster.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;

std::vector<v1::MatchResult> ReadResults(const std::string& path) {
  std::vector<v1::MatchResult> results;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    v1::MatchResult r;
    EXPECT_TRUE(io::FromJson(line, &r).ok()) << line;
    results.push_back(r);
  }
  return results;
}

TEST(MatchE2eTest, OneResultPerReceiptInOrder) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  ASSERT_EQ(RunKuromaru({"gen", "--persons", "3000", "--receipts", "500",
                         "--seed", "11", "--out", dir})
                .exit_code,
            0);
  const auto r = RunKuromaru({"match", "--roster", dir + "/roster.csv",
                              "--receipts", dir + "/receipts.jsonl", "--out",
                              dir + "/results.jsonl", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("built-in default model"));
  const std::vector<v1::MatchResult> results =
      ReadResults(dir + "/results.jsonl");
  ASSERT_EQ(results.size(), 500u);
  int auto_matched = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    char id[16];
    std::snprintf(id, sizeof(id), "R%08zu", i + 1);
    EXPECT_EQ(results[i].receipt_id(), id);
    EXPECT_FALSE(results[i].roster_version().empty());
    EXPECT_TRUE(results[i].error().empty()) << results[i].error();
    auto_matched += results[i].decision() == v1::DECISION_AUTO_MATCH;
  }
  EXPECT_GT(auto_matched, 250);  // most receipts of a clean roster resolve
}

// Two runs — two processes, so two hash seeds — on 1 and 2 threads write the
// same bytes: nothing in a result depends on the order of a hash table.
TEST(MatchE2eTest, TheSameInputGivesTheSameBytes) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  ASSERT_EQ(RunKuromaru({"gen", "--persons", "4000", "--receipts", "800",
                         "--seed", "3", "--out", dir})
                .exit_code,
            0);
  std::vector<std::string> outputs;
  for (const char* threads : {"1", "2", "2"}) {
    const std::string out = dir + "/results-" +
                            std::to_string(outputs.size()) + ".jsonl";
    const auto r = RunKuromaru(
        {"match", "--roster", dir + "/roster.csv", "--directory",
         dir + "/directory.csv", "--receipts", dir + "/receipts.jsonl", "--out",
         out, "--threads", threads});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(out, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    outputs.push_back(bytes.str());
  }
  ASSERT_FALSE(outputs[0].empty());
  EXPECT_TRUE(outputs[0] == outputs[1]) << "1 thread and 2 threads differ";
  EXPECT_TRUE(outputs[1] == outputs[2]) << "two runs on 2 threads differ";
}

TEST(MatchE2eTest, BadReceiptLinesGetAnErrorResultAndBadRosterRowsTheirLine) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  {
    std::ofstream roster(dir + "/roster.csv");
    roster << ::kuromaru::testing::kRosterHeader
           << "01130012,1234,5678,01,高橋　太郎,タカハシ　タロウ,19750123,1,"
              "20150401,,,\n"
              "01130012,1234,5679,01,高橋　花子,タカハシ　ハナコ,19750123,3,"
              "20150401,,,\n";
    std::ofstream receipts(dir + "/receipts.jsonl");
    receipts
        << R"({"receipt_id":"A","service_month":"202404","name_kana":"タカハシ タロウ","birth_date":"19750123"})"
        << "\n{not json\n"
        << R"({"receipt_id":"C","name_kanji":"高橋"})"
        << "\n";
  }
  const auto r =
      RunKuromaru({"match", "--roster", dir + "/roster.csv", "--receipts",
                   dir + "/receipts.jsonl", "--out", dir + "/out.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("roster.csv:3:"));  // sex 3, with its line number
  const std::vector<v1::MatchResult> results = ReadResults(dir + "/out.jsonl");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].receipt_id(), "A");
  EXPECT_THAT(results[1].error(), HasSubstr("line 2"));
  EXPECT_EQ(results[1].decision(), v1::DECISION_NO_MATCH);
  EXPECT_THAT(results[2].error(), HasSubstr("birth_date"));
}

TEST(MatchE2eTest, DeltasApplyOnTopOfTheSnapshot) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  const std::string header = ::kuromaru::testing::kRosterHeader;
  {
    std::ofstream roster(dir + "/roster.csv");
    roster << header
           << "01130012,1234,5678,01,高橋　太郎,タカハシ　タロウ,19750123,1,"
              "20150401,,,\n";
    // A late registration: 佐藤花子 joins; 高橋's enrollment is withdrawn.
    std::ofstream delta(dir + "/delta.csv");
    delta << "op," << header
          << "upsert,01130012,1234,9999,,佐藤　花子,サトウ　ハナコ,19800229,2,"
             "20200101,,,\n"
          << "delete,01130012,1234,5678,01,,,,,20150401,,,\n";
    std::ofstream receipts(dir + "/receipts.jsonl");
    receipts
        << R"({"receipt_id":"H","service_month":"202404","insurer_number":"01130012","symbol":"1234","number":"9999","name_kanji":"佐藤 花子","name_kana":"サトウ ハナコ","birth_date":"19800229","sex":"2"})"
        << "\n";
  }
  const auto without =
      RunKuromaru({"match", "--roster", dir + "/roster.csv", "--receipts",
                   dir + "/receipts.jsonl", "--out", dir + "/without.jsonl"});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_NE(ReadResults(dir + "/without.jsonl")[0].decision(),
            v1::DECISION_AUTO_MATCH);
  const auto with = RunKuromaru(
      {"match", "--roster", dir + "/roster.csv", "--deltas", dir + "/delta.csv",
       "--receipts", dir + "/receipts.jsonl", "--out", dir + "/with.jsonl"});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_THAT(with.out, HasSubstr(": 1 rows"));  // one inserted, one deleted
  const std::vector<v1::MatchResult> results = ReadResults(dir + "/with.jsonl");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].decision(), v1::DECISION_AUTO_MATCH);
  EXPECT_EQ(results[0].candidates(0).number(), "9999");
}

TEST(MatchE2eTest, DirectoryRoutesEveryReceiptToAnInsurer) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  ASSERT_EQ(RunKuromaru({"gen", "--persons", "3000", "--receipts", "500",
                         "--seed", "12", "--out", dir})
                .exit_code,
            0);
  // A malformed row is reported with its line number and skipped.
  {
    std::ofstream directory(dir + "/directory.csv", std::ios::app);
    directory << "01130019,check digit wrong,,,,,\n";
  }
  std::ifstream counted(dir + "/directory.csv");
  int lines = 0;
  for (std::string line; std::getline(counted, line);) ++lines;
  const auto r = RunKuromaru({"match", "--roster", dir + "/roster.csv",
                              "--directory", dir + "/directory.csv",
                              "--receipts", dir + "/receipts.jsonl", "--out",
                              dir + "/results.jsonl", "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("directory.csv:" + std::to_string(lines) +
                               ": insurer_number"));
  EXPECT_THAT(r.out, HasSubstr("(1 rejected rows)"));
  const std::vector<v1::MatchResult> results =
      ReadResults(dir + "/results.jsonl");
  ASSERT_EQ(results.size(), 500u);
  int named = 0;
  for (const v1::MatchResult& m : results) {
    ASSERT_GT(m.insurer_suggestions_size(), 0) << m.receipt_id();
    double sum = 0;
    for (const v1::InsurerSuggestion& g : m.insurer_suggestions()) {
      sum += g.probability();
      EXPECT_FALSE(g.insurer_number().empty());
      EXPECT_GT(g.evidence_size(), 0);
    }
    EXPECT_LE(sum, 1.0 + 1e-9);
    named += !m.insurer_suggestions(0).name().empty();
  }
  EXPECT_GT(named, 450);  // the generated insurers are all listed

  const auto e = RunKuromaru({"eval", "--truth", dir + "/truth.jsonl",
                              "--results", dir + "/results.jsonl"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  std::istringstream report(e.out);
  int figures = 0;
  for (std::string line; std::getline(report, line);) {
    if (line.rfind("insurer top-1", 0) != 0) continue;
    ++figures;
    EXPECT_THAT(line, ::testing::Not(HasSubstr("n/a"))) << line;
  }
  // Overall, persons not in the roster, enrollments not in the roster yet.
  EXPECT_EQ(figures, 3);
}

TEST(MatchE2eTest, MissingDirectoryFileFails) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  {
    std::ofstream roster(dir + "/roster.csv");
    roster << "insurer_number,symbol,number,branch,name_kanji,name_kana,"
              "birth_date,sex,qualified_from,qualified_until,postal_code,"
              "address\n";
    std::ofstream receipts(dir + "/receipts.jsonl");
  }
  const auto r =
      RunKuromaru({"match", "--roster", dir + "/roster.csv", "--directory",
                   dir + "/none.csv", "--receipts", dir + "/receipts.jsonl",
                   "--out", dir + "/out.jsonl"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("directory"));
}

TEST(MatchE2eTest, MissingFilesAndFlags) {
  EXPECT_EQ(RunKuromaru({"match", "--roster", "x.csv"}).exit_code, 2);
  EXPECT_EQ(RunKuromaru({"match", "--roster", "/nonexistent.csv", "--receipts",
                         "/nonexistent.jsonl", "--out", "/tmp/x.jsonl"})
                .exit_code,
            3);
}

}  // namespace
}  // namespace kuromaru
