// The real `kuromaru gen`: flags, exit codes and the files it writes.
#include <stdlib.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::CommandResult;
using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;

int CountLines(const std::string& path) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

// The number after `label` in the summary on stdout; -1 if absent.
int SummaryCount(const std::string& out, const std::string& label) {
  const size_t at = out.find(label + " ");
  if (at == std::string::npos) return -1;
  return std::atoi(out.c_str() + at + label.size());
}

TEST(GenE2eTest, WritesTheFourFiles) {
  std::string dir = ::testing::TempDir() + "/kuromaru_gen_e2e_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const CommandResult r = RunKuromaru({"gen", "--persons", "2000", "--receipts",
                                       "1000", "--seed", "7", "--out", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("not_in_roster"));
  EXPECT_EQ(SummaryCount(r.out, "persons"), 2000);
  EXPECT_EQ(CountLines(dir + "/receipts.jsonl"), 1000);
  EXPECT_EQ(CountLines(dir + "/truth.jsonl"), 1000);
  const int rows = SummaryCount(r.out, "roster_rows");
  EXPECT_GE(rows, 2000);
  EXPECT_EQ(CountLines(dir + "/roster.csv"), rows + 1);
  const int insurers = SummaryCount(r.out, "insurers");
  EXPECT_GT(insurers, 47 * 5);
  EXPECT_EQ(CountLines(dir + "/directory.csv"), insurers + 1);
  // Logs carry counts only.
  EXPECT_THAT(r.err, HasSubstr("\"roster_rows\""));
}

TEST(GenE2eTest, HelpAndBadFlags) {
  const CommandResult help = RunKuromaru({"gen", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--persons"));
  EXPECT_THAT(help.out, HasSubstr("--cp932"));
  EXPECT_EQ(RunKuromaru({"gen", "--bogus", "1"}).exit_code, 2);
  EXPECT_EQ(
      RunKuromaru({"gen", "--persons", "many", "--out", "/tmp"}).exit_code, 2);
  EXPECT_EQ(RunKuromaru({"gen", "--persons", "10"}).exit_code, 2);  // no --out
  const CommandResult missing = RunKuromaru(
      {"gen", "--out", ::testing::TempDir(), "--names", "/nonexistent.csv"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("mecab-ipadic"));
}

}  // namespace
}  // namespace kuromaru
