#include "services/io/directory_csv.h"

#include <unicode/ucnv.h>

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::io {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHeader[] =
    "insurer_number,name,name_kana,aliases,prefecture,address,employers,"
    "extra\n";

absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> Read(
    const std::string& csv, DirectoryLoadReport* report,
    const DirectoryLoadOptions& options = {}) {
  std::istringstream in(csv);
  return ReadDirectoryCsv(in, options, report);
}

TEST(DirectoryCsvTest, ReadsRowsAndReportsBadOnesByLine) {
  const std::string csv =
      std::string(kHeader) +
      // 2
      "01130012,全国健康保険協会東京支部,,協会けんぽ東京支部|協会けんぽ東京,"
      "東京都,東京都,,x\n"
      // 3-4: a line break inside quotes
      "06130017,東和電機健康保険組合,,\"東和電機健保|\n東和電機健保組合\","
      "東京都"
      ",,\"株式会社東和電機|東和電機サービス株式会社\",\n"
      "01130013,check digit wrong,,,,,,\n"                       // 5
      "\n"                                                       // 6
      "141002,横浜市,,横浜市国保,神奈川県,神奈川県横浜市,,\r\n"  // 7
      "141002,横浜市,,,,,,\n"                 // 8: listed twice
      "141309,,,,,,,\n"                       // 9: no name
      "141309,川崎市,,,\"神奈川県\"x,,,\n"    // 10
      "141309,川崎\xFF,,,,,,\n"               // 11
      "141309,川崎市,,,\n"                    // 12
      "141309,川崎市,,川崎市国保,神奈川,,,";  // 13
  DirectoryLoadReport report;
  auto directory = Read(csv, &report);
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(report.rows_read, 10);
  EXPECT_EQ(report.rows_rejected, 6);
  ASSERT_EQ(report.errors.size(), 6u);
  const int64_t lines[] = {5, 8, 9, 10, 11, 12};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(report.errors[i].line, lines[i]) << report.errors[i].reason;
  }
  EXPECT_THAT(report.errors[0].reason, HasSubstr("insurer_number"));
  EXPECT_THAT(report.errors[0].reason, Not(HasSubstr("01130013")));
  EXPECT_THAT(report.errors[1].reason, HasSubstr("twice"));
  EXPECT_THAT(report.errors[2].reason, HasSubstr("name"));
  EXPECT_THAT(report.errors[3].reason, HasSubstr("quote"));
  EXPECT_THAT(report.errors[4].reason, HasSubstr("UTF-8"));
  EXPECT_THAT(report.errors[5].reason, HasSubstr("fields"));

  const matcher::InsurerDirectory& d = **directory;
  EXPECT_EQ(d.size(), 4u);
  EXPECT_EQ(report.counts.insurers, 4);
  EXPECT_EQ(report.counts.employers, 2);
  EXPECT_EQ(report.version, d.version());
  const matcher::DirectoryEntry* kumiai = d.Find("06130017");
  ASSERT_NE(kumiai, nullptr);
  EXPECT_TRUE(kumiai->has_employers);
  // 東和電機健保 and 東和電機健保組合 fold alike: one name with the official.
  EXPECT_EQ(kumiai->names_end - kumiai->names_begin, 3u);
  EXPECT_EQ(d.Find("141309")->prefecture, "神奈川県");
  EXPECT_EQ(d.Find("141002")->municipality, "神奈川県横浜市");
}

TEST(DirectoryCsvTest, MissingColumnsFailNamingThem) {
  DirectoryLoadReport report;
  auto d = Read("insurer_number,aliases\n01130012,x\n", &report);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(d.status().message(), HasSubstr("name"));
  EXPECT_FALSE(Read("", &report).ok());
}

TEST(DirectoryCsvTest, BomAndColumnsInAnyOrder) {
  DirectoryLoadReport report;
  auto d = Read(
      "\xEF\xBB\xBF"
      "Name,Insurer_Number\n全国健康保険協会東京支部,01130012\n",
      &report);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_NE((*d)->Find("01130012"), nullptr);
  EXPECT_EQ((*d)->Find("01130012")->name, "全国健康保険協会東京支部");
}

TEST(DirectoryCsvTest, ErrorBudget) {
  std::string csv = kHeader;
  for (int i = 0; i < 5; ++i) csv += "1,x,,,,,,\n";
  csv += "01130012,全国健康保険協会東京支部,,,,,,\n";
  DirectoryLoadOptions options;
  options.max_errors = 4;
  DirectoryLoadReport report;
  auto d = Read(csv, &report, options);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("5 of 6 rows rejected"));
  EXPECT_THAT(d.status().message(), HasSubstr("line 2"));
  EXPECT_EQ(report.rows_rejected, 5);
  options.max_errors = 5;
  EXPECT_TRUE(Read(csv, &report, options).ok());
}

std::string ToCp932(const std::string& utf8) {
  UErrorCode status = U_ZERO_ERROR;
  std::string out(utf8.size() * 2 + 16, '\0');
  const int32_t n = ucnv_convert("windows-31j", "UTF-8", out.data(),
                                 static_cast<int32_t>(out.size()), utf8.data(),
                                 static_cast<int32_t>(utf8.size()), &status);
  EXPECT_TRUE(U_SUCCESS(status)) << u_errorName(status);
  out.resize(static_cast<size_t>(n));
  return out;
}

TEST(DirectoryCsvTest, Cp932) {
  const std::string csv = ToCp932(
      "insurer_number,name,aliases,employers\n"
      "06130017,髙橋電機健康保険組合,髙橋電機健保,㈱髙橋電機\n");
  ASSERT_NE(csv.find("\xFB\xFC"), std::string::npos);  // 髙, NEC extension
  DirectoryLoadOptions options;
  options.encoding = base::TextEncoding::kCp932;
  DirectoryLoadReport report;
  auto d = Read(csv, &report, options);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(report.rows_rejected, 0);
  ASSERT_NE((*d)->Find("06130017"), nullptr);
  EXPECT_EQ((*d)->Find("06130017")->name, "髙橋電機健康保険組合");
  auto hits = (*d)->FindNames("", "高橋電機", true, 0.99, 1);
  ASSERT_EQ(hits.size(), 1u);
  // Undecodable bytes are a rejected row, not a replacement character.
  d = Read(ToCp932("insurer_number,name\n") + "01130012,\x81\n", &report,
           options);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(report.rows_rejected, 1);
}

TEST(DirectoryCsvTest, MissingFileIsNotFound) {
  DirectoryLoadReport report;
  auto d = LoadDirectoryCsv("/nonexistent/directory.csv", {}, &report);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kuromaru::io
