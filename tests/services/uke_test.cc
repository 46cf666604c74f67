// レセ電 files: the reader (services/io/uke.h) on hand-made records and on the
// writer's output for generated receipts (services/gen/uke_writer.h).
#include "services/io/uke.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gen/generator.h"
#include "services/gen/uke_writer.h"
#include "services/io/receipts.h"

namespace kuromaru::io {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One record: each field in CP932, joined with commas.
std::string Rec(const std::vector<std::string>& fields) {
  UkeTextEncoder encoder;
  std::vector<std::string> encoded;
  for (const std::string& f : fields) encoded.push_back(encoder.Encode(f));
  return absl::StrJoin(encoded, ",") + "\r\n";
}

std::string Ir(const std::string& month = "202505") {
  return Rec(
      {"IR", "1", "13", "1", "1234567", "", "テスト医院", month, "00", ""});
}

// An RE of the 38-field layout; `name` is raw CP932 when `raw_name`.
std::string Re(const std::string& number, const std::string& month,
               const std::string& name, const std::string& sex,
               const std::string& birth, const std::string& kana,
               int fields = 38) {
  std::vector<std::string> f(fields);
  f[0] = "RE";
  f[1] = number;
  f[2] = "1112";
  f[3] = month;
  f[4] = name;
  f[5] = sex;
  f[6] = birth;
  if (fields >= 37) f[36] = kana;
  return Rec(f);
}

std::string Go() { return "GO,1,100,99\r\n"; }

// The record with its 外 (8A4F) made a user-defined-area character (F040).
std::string Gaiji(std::string record) {
  const size_t at = record.find("\x8A\x4F");
  if (at != std::string::npos) record.replace(at, 2, "\xF0\x40");
  return record;
}

TEST(UkeTextTest, KeepsJisX0208AndWildcardsTheRest) {
  EXPECT_EQ(UkeTextOf("高橋　太郎"), "高橋　太郎");
  EXPECT_EQ(UkeTextOf("ﾀｶﾊｼ ﾀﾛｳ"), "ﾀｶﾊｼ ﾀﾛｳ");  // JIS X 0201 kana
  EXPECT_EQ(UkeTextOf("髙橋"), "●橋");           // IBM extension
  EXPECT_EQ(UkeTextOf("㈱瑞穂"), "●瑞穂");       // NEC row 13
  EXPECT_EQ(UkeTextOf("𠮷田"), "●田");           // not in CP932 at all
  EXPECT_EQ(UkeTextOf("\uE000子"), "●子");       // 外字
  EXPECT_EQ(UkeTextOf("a,b"), "a，b");
  UkeTextEncoder encoder;
  EXPECT_EQ(encoder.Encode("\uE000"), "\xF0\x40");
  EXPECT_EQ(encoder.Encode("\uE0BC"), "\xF1\x40");  // 188 per lead byte
  EXPECT_EQ(encoder.Encode("髙"), "\x81\x9C");
}

TEST(UkeTextTest, DecodesWildcardsFromRawBytes) {
  // 髙 as CP932 writes it (FBFC), ㈱ (878A), user-defined F040, then 橋.
  auto text = DecodeUkeText("\xFB\xFC\x87\x8A\xF0\x40\x8B\xB4");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, "●●●橋");
  EXPECT_FALSE(DecodeUkeText("\x81").ok());  // a lead byte alone
}

TEST(UkeReaderTest, ReadsAReceiptWithEveryRecordKind) {
  const std::string file =
      Ir("50705") +
      Re("7", "50704", "山田　花子", "2", "3500123", "ヤマダ　ハナコ") +
      Rec({"HO", "  138222", "横浜", "0042", "1", "100", ""}) +
      Rec({"KO", "12136010", "1234567", "", "1"}) +
      Rec({"SN", "1", "01", "138222", "横浜", "0042", "03", "", ""}) +
      Rec({"SY", "8842248", "20250401", "1", "", "", "", ""}) +
      Rec({"JD", "1", "1", "", ""}) + Go();
  auto parsed = ParseUke(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->errors, IsEmpty());
  ASSERT_EQ(parsed->receipts.size(), 1u);
  const v1::Receipt& r = parsed->receipts[0].receipt;
  EXPECT_EQ(parsed->receipts[0].line, 2);
  // 令和7年5月 billed: the id carries the month as YYYYMM.
  EXPECT_EQ(r.receipt_id(), "1311234567-202505-000007");
  EXPECT_EQ(r.institution_code(), "1311234567");
  EXPECT_EQ(r.service_month(), "50704");  // 和暦, as §2 allows
  EXPECT_EQ(r.birth_date(), "3500123");   // 昭和50年1月23日
  EXPECT_EQ(r.name_kanji(), "山田　花子");
  EXPECT_EQ(r.name_kana(), "ヤマダ　ハナコ");
  EXPECT_EQ(r.sex(), "2");
  EXPECT_EQ(r.insurer_number(), "138222");  // space-padded 国保 number
  EXPECT_EQ(r.symbol(), "横浜");
  EXPECT_EQ(r.number(), "0042");
  EXPECT_EQ(r.branch(), "03");
}

TEST(UkeReaderTest, ReadsTheMemoOfAFushoReceipt) {
  const std::string file =
      Ir() + Re("1", "202504", "鈴木　一郎", "1", "19700505", "") +
      Rec({"HO", "77777777", "", "777777777", "1", "100", ""}) +
      Rec({"CO", "80", "1", "810000001",
           "不詳　カナ氏名：スズキ　イチロウ　保険種別：協会　"
           "保険者等名称：協会けんぽ東京　事業所名：山田商事"}) +
      Rec({"CO", "80", "1", "810000001",
           "郵便番号：1000001　住所：東京都千代田区千代田１－１　"
           "連絡先：本人　確認日：20250410"}) +
      Go();
  auto parsed = ParseUke(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->receipts.size(), 1u);
  const v1::Receipt& r = parsed->receipts[0].receipt;
  EXPECT_EQ(r.insurer_number(), "77777777");
  EXPECT_EQ(r.number(), "777777777");
  EXPECT_EQ(r.name_kana(), "スズキ　イチロウ");  // from the 摘要
  EXPECT_EQ(r.insurer_name(), "協会けんぽ東京");
  EXPECT_EQ(r.employer(), "山田商事");
  EXPECT_EQ(r.postal_code(), "1000001");
  EXPECT_EQ(r.address(), "東京都千代田区千代田１－１");
}

TEST(UkeReaderTest, AMemoWithoutFushoIsNotRead) {
  const std::string file =
      Ir() + Re("1", "202504", "鈴木　一郎", "1", "19700505", "") +
      Rec({"CO", "80", "1", "810000001", "住所：東京都"}) + Go();
  auto parsed = ParseUke(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->receipts.size(), 1u);
  EXPECT_EQ(parsed->receipts[0].receipt.address(), "");
}

TEST(UkeReaderTest, MalformedRecordsAreReportedWithTheirLine) {
  const std::string file =
      Ir() + Re("1x", "202504", "甲", "1", "19700101", "") +   // line 2
      Re("2", "202504", "乙", "1", "19700101", "") +           // line 3
      Rec({"HO", "12345", "", "1", "1", "100", ""}) +          // line 4
      Re("3", "202504", "丙", "2", "19700101", "") +           // line 5
      Rec({"SN", "1", "01", "", "", "", "ab", "", ""}) +       // line 6
      Re("4", "202504", "丁", "2", "19700101", "") +           // line 7
      Rec({"HO", "06130012", "1", "2"}) +                      // line 8
      Gaiji(Re("5", "202504", "外子", "2", "19700101", "")) +  // line 9
      Re("5", "202504", "戊", "2", "19700101", "") +           // line 10
      Go();
  auto parsed = ParseUke(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->errors.size(), 5u);
  EXPECT_EQ(parsed->errors[0].line, 2);
  EXPECT_THAT(parsed->errors[0].reason, HasSubstr("レセプト番号"));
  EXPECT_EQ(parsed->errors[1].line, 4);
  EXPECT_THAT(parsed->errors[1].reason, HasSubstr("保険者番号"));
  EXPECT_EQ(parsed->errors[2].line, 6);
  EXPECT_THAT(parsed->errors[2].reason, HasSubstr("枝番"));
  EXPECT_EQ(parsed->errors[3].line, 8);
  EXPECT_THAT(parsed->errors[3].reason, HasSubstr("fields"));
  EXPECT_EQ(parsed->errors[4].line, 10);  // the repeated レセプト番号
  ASSERT_EQ(parsed->receipts.size(), 1u);
  EXPECT_EQ(parsed->receipts[0].line, 9);
  EXPECT_EQ(parsed->receipts[0].receipt.name_kanji(), "●子");
}

TEST(UkeReaderTest, AFileOfAnotherLayoutIsRejected) {
  const std::string re = Re("1", "202504", "甲", "1", "19700101", "");
  auto code_and_message = [](const std::string& file) {
    auto parsed = ParseUke(file);
    EXPECT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(parsed.status().message());
  };
  EXPECT_THAT(
      code_and_message(Ir() + Re("1", "202504", "甲", "1", "19700101", "", 41) +
                       Go()),
      HasSubstr("line 2: RE record of 41 fields"));
  EXPECT_THAT(code_and_message(Rec({"IR", "1", "13", "1", "1234567", "", "医院",
                                    "202505", "00"}) +
                               re + Go()),
              HasSubstr("line 1: IR record of 9 fields"));
  EXPECT_THAT(code_and_message(Ir() + re + "ZZ,1,2\r\n" + Go()),
              HasSubstr("line 3: unknown record type"));
  EXPECT_THAT(code_and_message(Ir() + re),
              HasSubstr("line 2: the file looks truncated: it ends before "
                        "the GO record"));
  // Cut inside its last record: whatever that record looks like, the file
  // says it was cut rather than blaming the layout.
  const std::string whole = Ir() + re + Go();
  EXPECT_THAT(code_and_message(whole.substr(0, Ir().size() + 25)),
              HasSubstr("line 2: the file looks truncated: its last record "
                        "ends without a line break"));
  ASSERT_TRUE(ParseUke(whole.substr(0, whole.size() - 2)).ok())
      << "a last GO without its line break is whole";
  EXPECT_THAT(code_and_message(re + Go()), HasSubstr("line 1"));
  EXPECT_THAT(code_and_message(Ir() + re + Go() + re),
              HasSubstr("line 4: RE record outside"));
  EXPECT_THAT(code_and_message(""), HasSubstr("no IR record"));
}

// Bytes CP932 does not define cost only the receipt whose used field holds
// them; elsewhere (a skipped field, a clinical record, the clinic's name)
// they are not read.
TEST(UkeReaderTest, BytesOutsideCp932LeaveOnlyTheirReceiptOut) {
  std::string bad_name = Re("1", "202504", "甲", "1", "19700101", "");
  bad_name.replace(bad_name.find("\x8D\x62"), 2, "\xFD\xFD");  // 甲
  std::string bad_unused = Re("2", "202504", "乙", "1", "19700101", "");
  bad_unused.replace(bad_unused.find(",,"), 2, ",\xFF,");  // field 8
  const std::string file = "IR,1,13,1,1234567,,\xFF\xFE,202505,00,\r\n" +
                           bad_name + "SY,1,\xFD\xFD\r\n" + bad_unused + Go();
  auto parsed = ParseUke(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->errors.size(), 1u);
  EXPECT_EQ(parsed->errors[0].line, 2);
  EXPECT_EQ(parsed->errors[0].reason,
            "RE: 氏名 holds bytes that are not CP932");
  ASSERT_EQ(parsed->receipts.size(), 1u);
  EXPECT_EQ(parsed->receipts[0].receipt.name_kanji(), "乙");
}

std::string MakeTempDir() {
  std::string dir = ::testing::TempDir() + "/kuromaru_uke_XXXXXX";
  return mkdtemp(dir.data()) != nullptr ? dir : "";
}

// The fields of a receipt as a UKE file carries them.
v1::Receipt AsCarried(v1::Receipt r) {
  for (std::string* f :
       {r.mutable_service_month(), r.mutable_symbol(), r.mutable_number(),
        r.mutable_branch(), r.mutable_name_kanji(), r.mutable_name_kana(),
        r.mutable_birth_date(), r.mutable_sex(), r.mutable_postal_code(),
        r.mutable_address(), r.mutable_insurer_name(), r.mutable_employer()}) {
    *f = UkeTextOf(*f);
  }
  return r;
}

TEST(UkeRoundTripTest, GeneratedUkeReadsBackAsItsJsonTwin) {
  auto sources = gen::LoadSources(gen::SourcePaths());
  ASSERT_TRUE(sources.ok()) << sources.status();
  gen::GenOptions options;
  options.persons = 800;
  options.receipts = 1500;
  options.seed = 6;
  options.out_dir = MakeTempDir();
  ASSERT_TRUE(gen::Generate(options, **sources).ok());
  std::vector<v1::Receipt> twin;
  std::ifstream jsonl(options.out_dir + "/receipts.jsonl");
  ASSERT_TRUE(ReadReceiptsJsonl(
                  jsonl,
                  [&](int64_t, v1::Receipt& r) {
                    twin.push_back(r);
                    return true;
                  },
                  [](int64_t, const std::string&) { return false; })
                  .ok());
  ASSERT_EQ(twin.size(), 1500u);
  std::ostringstream uke;
  gen::UkeWriter writer(&uke, gen::UkeWriterOptions());
  for (const v1::Receipt& r : twin) ASSERT_TRUE(writer.Add(r).ok());
  ASSERT_TRUE(writer.Finish().ok());

  auto parsed = ParseUke(uke.str());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->errors, IsEmpty());
  ASSERT_EQ(parsed->receipts.size(), twin.size());
  int wildcarded = 0, fusho = 0, kokuho = 0;
  for (size_t i = 0; i < twin.size(); ++i) {
    v1::Receipt got = parsed->receipts[i].receipt;
    EXPECT_THAT(got.receipt_id(),
                ::testing::StartsWith(twin[i].institution_code() + "-202505-"));
    got.set_receipt_id(twin[i].receipt_id());
    const v1::Receipt want = AsCarried(twin[i]);
    EXPECT_EQ(got.SerializeAsString(), want.SerializeAsString())
        << "receipt " << twin[i].receipt_id();
    wildcarded += want.name_kanji() != twin[i].name_kanji() ||
                  want.employer() != twin[i].employer();
    fusho += !twin[i].address().empty();
    kokuho += twin[i].insurer_number().size() == 6;
  }
  // The sample exercises what the format makes hard.
  EXPECT_GT(wildcarded, 0);
  EXPECT_GT(fusho, 0);
  EXPECT_GT(kokuho, 0);
}

}  // namespace
}  // namespace kuromaru::io
