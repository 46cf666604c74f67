// `kuromaru normalize`: one JSON object per input line, for every field.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  return lines;
}

TEST(NormalizeCommandTest, OneJsonObjectPerLineWithEveryKey) {
  const auto r = RunKuromaru({"normalize", "--field", "name_kanji"},
                             "髙橋　一郎\n●橋 花子\r\n\xff\xfe\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) {
    EXPECT_THAT(line, StartsWith("{\"input\":"));
    for (const char* key :
         {"\"key\":", "\"loose_key\":", "\"parts\":{", "\"error\":"}) {
      EXPECT_THAT(line, HasSubstr(key)) << line;
    }
  }
  EXPECT_THAT(lines[0],
              HasSubstr("\"key\":\"髙橋一郎\",\"loose_key\":\"高橋一郎\""));
  EXPECT_THAT(lines[1], HasSubstr("\"wildcard_positions\":[0]"));
  EXPECT_THAT(lines[1], HasSubstr("\"input\":\"●橋 花子\""));  // CR stripped
  EXPECT_THAT(lines[2], HasSubstr("\"error\":\"invalid UTF-8"));
}

TEST(NormalizeCommandTest, AnswersForEveryField) {
  struct Case {
    const char* field;
    const char* input;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"name_kanji", "渡邉 〓子", "\"loose_key\":\"渡辺●子\""},
      {"name_kana", "ｷﾖｳｺ", "\"key\":\"キヨウコ\""},
      {"birth_date", "昭和50年1月23日", "\"key\":\"19750123\""},
      {"service_month", "R6.4", "\"key\":\"202404\""},
      {"insurer_number", "33120016", "\"repairs\":["},
      {"member", "1234\t5678\t1", "\"key\":\"1234|5678|01\""},
      {"address", "大阪府高槻市奈佐原２丁目１－２",
       "\"municipality\":\"高槻市\""},
      {"postal_code", "〒530-0001", "\"key\":\"5300001\""},
      {"sex", "男", "\"key\":\"1\""},
  };
  for (const Case& c : cases) {
    const auto r = RunKuromaru({"normalize", "--field", c.field},
                               std::string(c.input) + "\n");
    ASSERT_EQ(r.exit_code, 0) << c.field << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr(c.expect)) << c.field;
  }
}

TEST(NormalizeCommandTest, UnknownFieldIsAUsageError) {
  const auto r = RunKuromaru({"normalize", "--field", "nickname"}, "x\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("name_kanji"));
  EXPECT_EQ(RunKuromaru({"normalize", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace kuromaru
