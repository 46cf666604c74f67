#include "base/csv.h"

#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::base {
namespace {

using ::testing::ElementsAre;

struct Read {
  int64_t line;
  std::vector<std::string> fields;
  std::string error;
};

// Every record of `csv`, read `block` bytes at a time.
std::vector<Read> ReadAll(const std::string& csv, size_t block = 3) {
  std::istringstream in(csv);
  CsvReader reader(in, block);
  std::vector<Read> out;
  CsvRecord record;
  while (reader.Next(&record)) {
    Read& r = out.emplace_back();
    r.line = record.line;
    r.error = record.error;
    for (std::string_view f : record.fields) r.fields.emplace_back(f);
  }
  return out;
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const std::vector<Read> records = ReadAll(
      "a,\"b,c\",\"d \"\"e\"\"\"\r\n"
      "\"f\ng\",h\n"
      "\n"
      "i,,\n"
      "j");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b,c", "d \"e\""));
  EXPECT_EQ(records[1].line, 2);
  EXPECT_THAT(records[1].fields, ElementsAre("f\ng", "h"));
  EXPECT_EQ(records[2].line, 5);  // the blank line 4 is skipped
  EXPECT_THAT(records[2].fields, ElementsAre("i", "", ""));
  EXPECT_EQ(records[3].line, 6);
  EXPECT_THAT(records[3].fields, ElementsAre("j"));
}

TEST(CsvReaderTest, AMalformedRecordIsReportedAndReadingGoesOn) {
  const std::vector<Read> records = ReadAll(
      "\"a\"x,b\n"
      "c,d\r"
      "\"e,f\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].error, "text after a closing quote");
  EXPECT_EQ(records[1].line, 2);
  EXPECT_THAT(records[1].fields, ElementsAre("c", "d"));
  EXPECT_TRUE(records[1].error.empty());
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[2].error,
            "quoted field not closed before the end of the file");
}

TEST(CsvReaderTest, AnEmptyInputHasNoRecords) {
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\n\r\n").empty());
}

TEST(FindColumnsTest, MatchesNamesIgnoringCaseSpacesAndABom) {
  const std::vector<std::string_view> header = {"\xEF\xBB\xBFName", " ID ",
                                                "extra", "id"};
  const std::vector<std::string_view> names = {"id", "name", "note"};
  const bool required[] = {true, true, false};
  auto columns = FindColumns(header, names, required);
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_THAT(*columns, ElementsAre(1, 0, -1));
}

TEST(FindColumnsTest, NamesEveryMissingRequiredColumn) {
  const std::vector<std::string_view> header = {"name"};
  const std::vector<std::string_view> names = {"id", "name", "sex"};
  const bool required[] = {true, true, true};
  auto columns = FindColumns(header, names, required);
  EXPECT_EQ(columns.status().message(), "missing required columns: id, sex");
}

TEST(CsvFieldDecoderTest, DecodesCp932AndChecksUtf8) {
  CsvFieldDecoder cp932(TextEncoding::kCp932);
  ASSERT_TRUE(cp932.ok());
  std::string out;
  ASSERT_TRUE(cp932.Decode("\x93\x63\x92\x86", &out));
  EXPECT_EQ(out, "田中");
  EXPECT_FALSE(cp932.Decode("\x82", &out));

  CsvFieldDecoder utf8(TextEncoding::kUtf8);
  out.clear();
  ASSERT_TRUE(utf8.Decode("田中", &out));
  EXPECT_EQ(out, "田中");
  EXPECT_FALSE(utf8.Decode("\xED\xA0\x80", &out));  // a surrogate
}

TEST(TextEncodingTest, ParsesTheNamesFilesUse) {
  EXPECT_EQ(*ParseTextEncoding("Shift_JIS"), TextEncoding::kCp932);
  EXPECT_EQ(*ParseTextEncoding(" utf8 "), TextEncoding::kUtf8);
  EXPECT_EQ(*ParseTextEncoding(""), TextEncoding::kUtf8);
  EXPECT_EQ(ParseTextEncoding("latin1").status().message(),
            "unknown encoding latin1 (utf-8 or cp932)");
  EXPECT_STREQ(TextEncodingName(TextEncoding::kCp932), "cp932");
}

}  // namespace
}  // namespace kuromaru::base
