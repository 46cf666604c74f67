// The real `kuromaru model` and `kuromaru bench` on small generated data.
#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Generated() {
  std::string dir = ::testing::TempDir() + "/kuromaru_model_e2e_XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  EXPECT_EQ(RunKuromaru({"gen", "--persons", "3000", "--receipts", "800",
                         "--seed", "3", "--out", dir})
                .exit_code,
            0);
  return dir;
}

TEST(ModelE2eTest, FitWritesAModelThatMatchLoadsAndShowPrints) {
  const std::string dir = Generated();
  const auto fit = RunKuromaru({"model", "fit", "--roster", dir + "/roster.csv",
                                "--receipts", dir + "/receipts.jsonl", "--out",
                                dir + "/em.model", "--label", "test-em"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_THAT(fit.out, HasSubstr("converged"));
  EXPECT_THAT(fit.out, HasSubstr("test-em@"));
  std::ifstream model(dir + "/em.model");
  std::string first;
  std::getline(model, first);
  EXPECT_THAT(first, StartsWith("kuromaru-model 2"));

  const auto show =
      RunKuromaru({"model", "show", "--model", dir + "/em.model"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("birth_date"));

  const auto match =
      RunKuromaru({"match", "--roster", dir + "/roster.csv", "--receipts",
                   dir + "/receipts.jsonl", "--out", dir + "/out.jsonl",
                   "--model", dir + "/em.model"});
  ASSERT_EQ(match.exit_code, 0) << match.err;
  EXPECT_THAT(match.out, HasSubstr("test-em@"));
}

TEST(ModelE2eTest, ACorruptModelIsRefusedWithItsReason) {
  const std::string dir = Generated();
  ASSERT_EQ(RunKuromaru({"model", "fit", "--roster", dir + "/roster.csv",
                         "--receipts", dir + "/receipts.jsonl", "--out",
                         dir + "/em.model"})
                .exit_code,
            0);
  std::stringstream text;
  text << std::ifstream(dir + "/em.model").rdbuf();
  std::string edited = text.str();
  edited[edited.find("lambda=") + 8] ^=
      1;  // one digit changed: the hash no longer fits
  std::ofstream(dir + "/bad.model") << edited;
  const auto show =
      RunKuromaru({"model", "show", "--model", dir + "/bad.model"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr("bad.model"));
  const auto match =
      RunKuromaru({"match", "--roster", dir + "/roster.csv", "--receipts",
                   dir + "/receipts.jsonl", "--out", dir + "/o.jsonl",
                   "--model", dir + "/bad.model"});
  EXPECT_EQ(match.exit_code, 3);
  EXPECT_EQ(RunKuromaru({"model", "nonsense"}).exit_code, 2);
}

TEST(BenchE2eTest, ReportsEachSize) {
  std::string dir = ::testing::TempDir() + "/kuromaru_bench_e2e_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const auto r =
      RunKuromaru({"bench", "--persons", "500,2000", "--receipts", "300",
                   "--work", dir, "--json", dir + "/bench.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("receipts/s"));
  std::stringstream json;
  json << std::ifstream(dir + "/bench.json").rdbuf();
  EXPECT_THAT(json.str(), HasSubstr("\"persons\":500"));
  EXPECT_THAT(json.str(), HasSubstr("\"persons\":2000"));
  EXPECT_THAT(json.str(), HasSubstr("\"peak_rss_mb\""));
  EXPECT_THAT(json.str(), HasSubstr("\"recall_at_5\""));
  EXPECT_THAT(json.str(), HasSubstr("\"open_seconds\""));
  EXPECT_THAT(json.str(), HasSubstr("\"file_bytes_per_row\""));
  EXPECT_EQ(RunKuromaru({"bench", "--persons", "x"}).exit_code, 2);
}

}  // namespace
}  // namespace kuromaru
