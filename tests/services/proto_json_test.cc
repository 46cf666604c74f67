// FORMATS.md §2 and §3: the JSON forms are proto3 JSON with proto field names.
#include "services/io/proto_json.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/receipt.pb.h"

namespace kuromaru::io {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Receipt FullReceipt() {
  v1::Receipt r;
  r.set_receipt_id("R0000001");
  r.set_service_month("202404");
  r.set_insurer_number("01130012");
  r.set_symbol("1234");
  r.set_number("5678");
  r.set_branch("01");
  r.set_name_kanji("●橋　一郎");
  r.set_name_kana("ﾀｶﾊｼ ｲﾁﾛｳ");
  r.set_birth_date("3500123");
  r.set_sex("1");
  r.set_postal_code("100-0001");
  r.set_address("東京都千代田区千代田1-1");
  r.set_insurer_name("協会けんぽ東京支部");
  r.set_employer("株式会社テスト");
  r.set_institution_code("1312345678");
  return r;
}

TEST(ProtoJsonTest, ReceiptRoundTripsWithSnakeCaseNames) {
  const v1::Receipt receipt = FullReceipt();
  const std::string json = ToJsonLine(receipt);
  EXPECT_THAT(json, HasSubstr("\"receipt_id\":\"R0000001\""));
  EXPECT_THAT(json, HasSubstr("\"name_kanji\":\"●橋　一郎\""));
  EXPECT_THAT(json, HasSubstr("\"institution_code\""));
  EXPECT_THAT(json, Not(HasSubstr("receiptId")));
  EXPECT_EQ(json.find('\n'), std::string::npos);
  v1::Receipt back;
  ASSERT_TRUE(FromJson(json, &back).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(receipt, back));
}

TEST(ProtoJsonTest, EveryFieldIsPrintedEvenWhenEmpty) {
  const std::string json = ToJsonLine(v1::Receipt());
  for (const char* field :
       {"receipt_id", "service_month", "insurer_number", "symbol", "number",
        "branch", "name_kanji", "name_kana", "birth_date", "sex", "postal_code",
        "address", "insurer_name", "employer", "institution_code"}) {
    EXPECT_THAT(json, HasSubstr(std::string("\"") + field + "\":\"\""))
        << field;
  }
  v1::MatchResult result;
  result.set_receipt_id("R1");
  result.set_decision(v1::DECISION_NO_MATCH);
  const std::string result_json = ToJsonLine(result);
  EXPECT_THAT(result_json, HasSubstr("\"decision\":\"DECISION_NO_MATCH\""));
  EXPECT_THAT(result_json, HasSubstr("\"candidates\":[]"));
  EXPECT_THAT(result_json, HasSubstr("\"insurer_suggestions\":[]"));
  EXPECT_THAT(result_json, HasSubstr("\"error\":\"\""));
}

TEST(ProtoJsonTest, ReadersAcceptCamelCaseAndIgnoreUnknownFields) {
  v1::Receipt receipt;
  ASSERT_TRUE(
      FromJson(
          R"({"receiptId":"R9","birthDate":"19750123",)"
          R"("name_kana":"タカハシ","futureField":{"x":[1,2]},"extra":"y"})",
          &receipt)
          .ok());
  EXPECT_EQ(receipt.receipt_id(), "R9");
  EXPECT_EQ(receipt.birth_date(), "19750123");
  EXPECT_EQ(receipt.name_kana(), "タカハシ");
}

TEST(ProtoJsonTest, MalformedJsonIsAnError) {
  v1::Receipt receipt;
  EXPECT_EQ(FromJson("{\"receipt_id\": ", &receipt).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromJson(R"({"receipt_id": 12})", &receipt).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ProtoJsonTest, MatchResultMatchesTheFormatsExample) {
  v1::MatchResult result;
  ASSERT_TRUE(FromJson(R"({"receipt_id": "R0000001",
 "decision": "DECISION_AUTO_MATCH",
 "candidates": [
   {"insurer_number": "01130012", "symbol": "1234", "number": "5678", "branch": "01",
    "probability": 0.9987, "match_weight": 14.2,
    "evidence": [{"field": "name_kana", "level": "EXACT_AFTER_FOLDING", "weight": 7.1,
                  "receipt_value": "ﾀｶﾊｼ ｲﾁﾛｳ", "roster_value": "タカハシ　イチロウ"}]}],
 "insurer_suggestions": [
   {"insurer_number": "01130012", "name": "全国健康保険協会東京支部", "probability": 0.999,
    "evidence": [{"field": "person", "level": "MATCHED_ENROLLMENT", "weight": 12.0}]}],
 "error": ""})",
                       &result)
                  .ok());
  ASSERT_EQ(result.candidates_size(), 1);
  EXPECT_DOUBLE_EQ(result.candidates(0).probability(), 0.9987);
  EXPECT_EQ(result.candidates(0).evidence(0).level(), "EXACT_AFTER_FOLDING");
  EXPECT_EQ(result.insurer_suggestions(0).evidence(0).field(), "person");
  v1::MatchResult back;
  ASSERT_TRUE(FromJson(ToJsonLine(result), &back).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(result, back));
}

}  // namespace
}  // namespace kuromaru::io

namespace kuromaru::io {
namespace {

std::string Reference(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

TEST(ProtoJsonTest, WritesExactlyWhatProtobufsPrinterWrites) {
  v1::MatchResult r;
  r.set_receipt_id(
      "R\"1\\\n\t\x01\x7f<>&'/\u2028\u00ad\ufeff髙橋●葛\U000E0100");
  r.set_decision(v1::DECISION_REVIEW);
  for (double p :
       {0.9987, 14.2, 1e-7, 1.0 / 3, 123456789.125, -2.5, 0.0, 1e300}) {
    v1::Candidate* c = r.add_candidates();
    c->set_probability(p);
    c->set_match_weight(-p * 7);
    c->set_valid_in_service_month(p > 1);
    c->add_evidence()->set_level("EXACT");
  }
  r.mutable_normalized()->add_insurer_repairs("01130012");
  r.mutable_normalized()->set_wildcard_count(-3);
  EXPECT_EQ(ToJsonLine(r), Reference(r));
  EXPECT_EQ(ToJsonLine(v1::MatchResult()), Reference(v1::MatchResult()));
  EXPECT_EQ(ToJsonLine(FullReceipt()), Reference(FullReceipt()));
}

TEST(ProtoJsonTest, FlatAndGeneralParsingAgree) {
  for (
      const char* line :
      {R"({"receipt_id":"R1","name_kanji":"髙橋\t一郎","birth_date":"3500123"})",
       R"(  { "receiptId" : "R2" , "nameKana":"タカハシ" }  )",
       R"({"receipt_id":"R3","name_kana":"\u30BF\u30AB"})",
       R"({"receipt_id":"R4","extra":{"a":1},"sex":"1"})", R"({})"}) {
    v1::Receipt fast;
    ASSERT_TRUE(FromJson(line, &fast).ok()) << line;
    v1::Receipt reference;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(line, &reference, options)
            .ok());
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(fast, reference))
        << line;
  }
  v1::Receipt r;
  EXPECT_FALSE(FromJson(R"({"receipt_id":"R1"} x)", &r).ok());
}

}  // namespace
}  // namespace kuromaru::io
