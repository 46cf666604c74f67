// The real `kuromaru import`: receipts from JSON Lines and from their UKE
// twin stored as cases, replays, bad lines, files it does not understand.
#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/support/files.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;
using ::testing::Not;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The summary line of `name` from the command's stdout.
std::string Line(const std::string& out, const std::string& name) {
  const size_t at = out.find(name);
  if (at == std::string::npos) return "";
  return out.substr(at, out.find('\n', at) - at);
}

TEST(ImportE2eTest, JsonLinesAndTheirUkeTwinGiveTheSameCases) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  const auto gen =
      RunKuromaru({"gen", "--persons", "3000", "--receipts", "600", "--seed",
                   "21", "--out", dir, "--uke", dir + "/RECEIPTC.UKE"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const auto jsonl =
      RunKuromaru({"import", "--store", dir + "/a.db", "--receipts",
                   dir + "/receipts.jsonl", "--roster", dir + "/roster.csv"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  const auto uke =
      RunKuromaru({"import", "--store", dir + "/b.db", "--uke",
                   dir + "/RECEIPTC.UKE", "--roster", dir + "/roster.csv"});
  ASSERT_EQ(uke.exit_code, 0) << uke.err;
  EXPECT_THAT(Line(jsonl.out, "stored"), HasSubstr("stored           600"));
  EXPECT_EQ(Line(jsonl.out, "stored"), Line(uke.out, "stored"));

  // Idempotent on receipt_id: a replay stores nothing new.
  const auto again =
      RunKuromaru({"import", "--store", dir + "/a.db", "--receipts",
                   dir + "/receipts.jsonl", "--roster", dir + "/roster.csv"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already_present  600"));
  EXPECT_THAT(again.out, HasSubstr("stored           0"));
}

TEST(ImportE2eTest, BadLinesAreReportedByNumberWithoutPersonalData) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  ASSERT_EQ(RunKuromaru({"gen", "--persons", "500", "--receipts", "0", "--seed",
                         "3", "--out", dir})
                .exit_code,
            0);
  const std::string good =
      R"({"receipt_id":"X1","service_month":"202404","name_kanji":"沢渡　)"
      R"(清美","name_kana":"サワタリ　キヨミ","birth_date":"19610203",)"
      R"("sex":"2"})";
  WriteFile(dir + "/bad.jsonl",
            good + "\n" + "not json\n" +
                R"({"receipt_id":"X2","name_kanji":"沢渡　清美"})" + "\n" +
                R"({"receipt_id":"X1","service_month":"202405",)"
                R"("name_kanji":"沢渡　清美","birth_date":"19610203"})" +
                "\n");
  const auto r =
      RunKuromaru({"import", "--store", dir + "/c.db", "--receipts",
                   dir + "/bad.jsonl", "--roster", dir + "/roster.csv"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:2:"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:3:"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:4: receipt_id X1 is stored"));
  EXPECT_THAT(r.err, Not(HasSubstr("沢渡")));
  EXPECT_THAT(r.err, Not(HasSubstr("19610203")));
  EXPECT_THAT(r.out, HasSubstr("stored           1"));
  EXPECT_THAT(r.out, HasSubstr("conflicts        1"));
  EXPECT_THAT(r.out, HasSubstr("invalid          2"));
}

TEST(ImportE2eTest, AUkeFileOfAnotherLayoutIsRejected) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  ASSERT_EQ(RunKuromaru({"gen", "--persons", "500", "--receipts", "0", "--seed",
                         "3", "--out", dir})
                .exit_code,
            0);
  std::string re = "RE,1,1112,202504,A,1,19700101";
  for (int i = 8; i <= 40; ++i) re += ",";  // 40 fields
  WriteFile(dir + "/x.UKE",
            "IR,1,13,1,1234567,,A,202505,00,\r\n" + re + "\r\nGO,1,100,99\r\n");
  const auto r = RunKuromaru({"import", "--store", dir + "/d.db", "--uke",
                              dir + "/x.UKE", "--roster", dir + "/roster.csv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("line 2: RE record of 40 fields"));
}

TEST(ImportE2eTest, WithoutARosterItCannotRun) {
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  WriteFile(dir + "/one.jsonl", "{}\n");
  const auto r = RunKuromaru(
      {"import", "--store", dir + "/e.db", "--receipts", dir + "/one.jsonl"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no active roster"));
}

}  // namespace
}  // namespace kuromaru
