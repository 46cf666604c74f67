#include "services/io/roster_csv.h"

#include <unicode/ucnv.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::io {
namespace {

using ::testing::HasSubstr;

constexpr char kHeader[] =
    "insurer_number,symbol,number,branch,name_kanji,name_kana,birth_date,sex,"
    "qualified_from,qualified_until,postal_code,address,extra\n";

absl::StatusOr<std::shared_ptr<const matcher::Roster>> Read(
    const std::string& csv, RosterLoadReport* report,
    RosterLoadOptions options = {}) {
  options.block_size = 5;  // records straddle blocks
  std::istringstream in(csv);
  return ReadRosterCsv(in, options, report);
}

TEST(RosterCsvTest, ReadsRecordsAndReportsBadRowsByLine) {
  const std::string csv =
      std::string(kHeader) +
      // 2: quoted comma and doubled quotes
      "01130012,1234,5678,01,髙橋　太郎,タカハシ　タロウ,19750123,1,20150401,,"
      "1000001,\"千代田1-1 \"\"メゾン\"\",101\",x\n"
      // 3-4: a line break inside quotes
      "01130012,1234,5679,,\"佐藤\n花子\",サトウ　ハナコ,19800229,2,20000101,"
      "20200101,,,\n"
      "01130012,1234,5680,,山田　一,,19600101,3,20000101,,,,\n"      // 5
      "\n"                                                           // 6
      "01130012,1234,5681,,山田　二,,19600101,1,20000101,,\n"        // 7
      "01130012,1234,5682,,山田　三,,19600230,1,20000101,,,,\n"      // 8
      "01130012,1234,5683,,\"山田\"x,,19600101,1,20000101,,,,\n"     // 9
      "01130012,1234,5684,,山田\xFF,,19600101,1,20000101,,,,\n"      // 10
      "06130012,,77,,鈴木　三郎,,19500505,1,20100101,,,,\r\n"        // 11
      "01130012,1234,5678,1,髙橋　太郎,,19750123,1,20150401,,,,\n"   // 12
      "138222,横浜,1,,木村　四郎,,19700707,2,20220101,20210101,,,";  // 13
  RosterLoadReport report;
  RosterLoadOptions options;
  options.max_reported_errors = 6;
  auto roster = Read(csv, &report, options);
  ASSERT_TRUE(roster.ok()) << roster.status();
  EXPECT_EQ(report.rows_read, 10);
  EXPECT_EQ(report.rows_rejected, 7);
  ASSERT_EQ(report.errors.size(), 6u);  // all counted, the first kept
  EXPECT_EQ(report.errors[0].line, 5);
  EXPECT_EQ(report.errors[0].reason, "sex: not 1 or 2");
  EXPECT_EQ(report.errors[1].line, 7);
  EXPECT_EQ(report.errors[1].reason, "11 fields where the header has 13");
  EXPECT_EQ(report.errors[2].line, 8);
  EXPECT_EQ(report.errors[2].reason, "birth_date: not a valid date");
  EXPECT_EQ(report.errors[3].line, 9);
  EXPECT_EQ(report.errors[3].reason, "text after a closing quote");
  EXPECT_EQ(report.errors[4].line, 10);
  EXPECT_EQ(report.errors[4].reason, "name_kanji: invalid UTF-8");
  EXPECT_EQ(report.errors[5].line, 12);
  EXPECT_EQ(report.errors[5].reason, "duplicate enrollment key");
  const matcher::Roster& r = **roster;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.View(matcher::EnrollmentId(0)).kanji_key, "髙橋太郎");
  EXPECT_EQ(r.Info(matcher::EnrollmentId(1)).name_kanji, "佐藤\n花子");
  EXPECT_EQ(r.Info(matcher::EnrollmentId(1)).qualified_until, 20200101u);
  EXPECT_EQ(r.View(matcher::EnrollmentId(2)).member_key, "|77|");
  EXPECT_EQ(report.counts.rows, 3);
  EXPECT_EQ(report.counts.insurers, 2);
  EXPECT_EQ(report.version, r.version());
}

TEST(RosterCsvTest, HeaderByNameWithBomAndUnknownColumns) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "sex,birth_date,note,Name_Kanji,number,insurer_number,"
      "qualified_from\r\n"
      "2,19800101,?,田中　花,12,06130012,20000101\r\n";
  RosterLoadReport report;
  auto roster = Read(csv, &report);
  ASSERT_TRUE(roster.ok()) << roster.status();
  EXPECT_EQ((*roster)->View(matcher::EnrollmentId(0)).sex,
            matcher::Sex::kFemale);
  EXPECT_EQ((*roster)->View(matcher::EnrollmentId(0)).kanji_key, "田中花");

  auto missing =
      Read("insurer_number,number,name_kanji,qualified_from\n", &report);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "missing required columns: birth_date, sex");
  EXPECT_FALSE(Read("", &report).ok());
}

TEST(RosterCsvTest, Cp932WithUserDefinedCharacters) {
  // ICU's windows-31j puts the user-defined area at U+E000.
  UErrorCode status = U_ZERO_ERROR;
  UConverter* conv = ucnv_open("windows-31j", &status);
  ASSERT_TRUE(U_SUCCESS(status));
  UChar out[4];
  const char sjis[] = "\xF0\x40\xF9\xFC";
  int32_t n = ucnv_toUChars(conv, out, 4, sjis, 4, &status);
  ucnv_close(conv);
  ASSERT_TRUE(U_SUCCESS(status));
  ASSERT_EQ(n, 2);
  EXPECT_EQ(out[0], 0xE000);
  EXPECT_EQ(out[1], 0xE757);

  const std::string csv =
      std::string(kHeader) +
      // 外字 + 橋 太郎, half-width kana, symbol 横浜
      "138222,\x89\xA1\x95\x6C,1,,\xF0\x40\x8B\xB4\x20\x91\xBE\x98\x59,"
      "\xC0\xB6\xCA\xBC\x20\xC0\xDB\xB3,19750123,1,20200101,20210101,,,\n"
      // 髙橋 (IBM extension) 太郎, the same person's next enrollment
      "138222,\x89\xA1\x95\x6C,2,,\xFB\xFC\x8B\xB4\x91\xBE\x98\x59,"
      "\xC0\xB6\xCA\xBC\xC0\xDB\xB3,19750123,1,20210101,,,,\n"
      // bytes CP932 cannot decode
      "138222,,3,,\x85\x40,,19750123,1,20200101,,,,\n";
  RosterLoadOptions options;
  options.encoding = base::TextEncoding::kCp932;
  RosterLoadReport report;
  auto roster = Read(csv, &report, options);
  ASSERT_TRUE(roster.ok()) << roster.status();
  const matcher::Roster& r = **roster;
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.Info(matcher::EnrollmentId(0)).symbol, "横浜");
  EXPECT_EQ(r.Info(matcher::EnrollmentId(0)).name_kanji, "\uE000橋 太郎");
  EXPECT_EQ(r.View(matcher::EnrollmentId(0)).kanji_key, "●橋太郎");
  EXPECT_EQ(r.View(matcher::EnrollmentId(0)).wildcard_count, 1);
  EXPECT_EQ(r.View(matcher::EnrollmentId(0)).kana_key, "タカハシタロウ");
  EXPECT_EQ(r.View(matcher::EnrollmentId(1)).kanji_key, "髙橋太郎");
  EXPECT_EQ(report.counts.rows_with_wildcards, 1);
  EXPECT_EQ(r.PersonOf(matcher::EnrollmentId(0)),
            r.PersonOf(matcher::EnrollmentId(1)));
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 4);
  EXPECT_EQ(report.errors[0].reason, "name_kanji: bytes not valid in CP932");
}

TEST(RosterCsvTest, FailsPastTheErrorBudget) {
  std::string csv = kHeader;
  for (int i = 0; i < 5; ++i) {
    csv += "01130012,1," + std::to_string(i) + ",,山田　一,,19600101," +
           (i < 3 ? "9" : "1") + ",20000101,,,,\n";
  }
  RosterLoadOptions options;
  options.max_errors = 2;
  options.max_error_ratio = 0;
  RosterLoadReport report;
  auto roster = Read(csv, &report, options);
  EXPECT_EQ(roster.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(roster.status().message()),
              HasSubstr("3 of 5 rows rejected"));
  EXPECT_THAT(std::string(roster.status().message()),
              HasSubstr("line 2: sex: not 1 or 2"));
  EXPECT_EQ(report.rows_rejected, 3);
  options.max_errors = 3;
  EXPECT_TRUE(Read(csv, &report, options).ok());
  options.max_errors = 0;
  options.max_error_ratio = 0.6;  // 0.6 x 5 rows = 3
  EXPECT_TRUE(Read(csv, &report, options).ok());
}

TEST(RosterCsvTest, DeltaFromAFile) {
  const std::string dir = ::testing::TempDir();
  const std::string base_path = dir + "/roster_csv_test_base.csv";
  const std::string delta_path = dir + "/roster_csv_test_delta.csv";
  std::ofstream(base_path)
      << kHeader
      << "01130012,1,1,,山田　一,,19600101,1,20000101,,,,\n"
         "01130012,1,2,,山田　二,,19600101,1,20000101,,,,\n";
  std::ofstream(delta_path)
      << "op," << kHeader
      << "upsert,01130012,1,1,,山田　一,,19600101,1,20000101,20240401,,,\n"
         "delete,01130012,1,2,,,,,,20000101,,,,\n"
         "upsert,06130012,7,7,,山田　一,,19600101,1,20240401,,,,\n"
         "rename,06130012,7,8,,山田　一,,19600101,1,20240401,,,,\n";
  RosterLoadReport report;
  auto base = LoadRosterCsv(base_path, {}, &report);
  ASSERT_TRUE(base.ok()) << base.status();
  auto next = ApplyRosterDeltaCsv(**base, delta_path, {}, &report);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(report.delta.updated, 1);
  EXPECT_EQ(report.delta.deleted, 1);
  EXPECT_EQ(report.delta.inserted, 1);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 5);
  EXPECT_EQ(report.errors[0].reason, "op: not upsert or delete");
  const matcher::Roster& r = **next;
  ASSERT_EQ(r.size(), 2u);
  const auto first = r.Find("01130012", "1", "1", "", 20000101);
  ASSERT_NE(first, matcher::kNoEnrollment);
  EXPECT_EQ(r.Info(first).qualified_until, 20240401u);
  EXPECT_EQ(r.Enrollments(r.PersonOf(first)).size(), 2u);
  EXPECT_EQ((*base)->size(), 2u);
  // A snapshot file is not a delta: its header has no op column.
  EXPECT_THAT(std::string(ApplyRosterDeltaCsv(**base, base_path, {}, &report)
                              .status()
                              .message()),
              HasSubstr("op"));
  EXPECT_EQ(
      LoadRosterCsv(dir + "/nonexistent.csv", {}, &report).status().code(),
      absl::StatusCode::kNotFound);
}

TEST(RosterCsvTest, ParsesEncodingNames) {
  EXPECT_EQ(*base::ParseTextEncoding("CP932"), base::TextEncoding::kCp932);
  EXPECT_EQ(*base::ParseTextEncoding(""), base::TextEncoding::kUtf8);
  EXPECT_FALSE(base::ParseTextEncoding("latin1").ok());
}

}  // namespace
}  // namespace kuromaru::io
