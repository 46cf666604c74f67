#include "normalizer/member.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

std::string KeyOf(std::string_view symbol, std::string_view number,
                  std::string_view branch) {
  absl::StatusOr<MemberKey> k = NormalizeMember(symbol, number, branch);
  return k.ok() ? k->key : "error: " + std::string(k.status().message());
}

TEST(NormalizeMemberTest, AsciiKeys) {
  EXPECT_EQ(KeyOf("1234", "5678", "01"), "1234|5678|01");
  EXPECT_EQ(KeyOf("12-34", "0056 78", "1"), "1234|005678|01");
  EXPECT_EQ(KeyOf("ab", "1", ""), "AB|1|");
  EXPECT_EQ(KeyOf("", "123", "001"), "|123|001");
}

TEST(NormalizeMemberTest, WidthAndDashes) {
  EXPECT_EQ(KeyOf("ＡＢ－１２", "０１２３", "１"), "AB12|0123|01");
  for (std::string_view dash :
       {"-", "‐", "‑", "–", "—", "−", "ー", "ｰ", "－"}) {
    const std::string symbol = "12" + std::string(dash) + "34";
    EXPECT_EQ(KeyOf(symbol, "5", "01"), "1234|5|01") << dash;
  }
  EXPECT_EQ(KeyOf("１２　３４", "５", ""), "1234|5|");
}

TEST(NormalizeMemberTest, KanjiSymbolsFolded) {
  EXPECT_EQ(KeyOf("横浜", "1", ""), "横浜|1|");
  EXPECT_EQ(KeyOf("髙崎", "1", ""), KeyOf("高崎", "1", ""));
  EXPECT_EQ(KeyOf("ｶﾅ", "1", ""), "カナ|1|");
}

TEST(NormalizeMemberTest, LeadingZerosKept) {
  EXPECT_NE(KeyOf("1", "0123", ""), KeyOf("1", "123", ""));
  EXPECT_EQ(KeyOf("1", "2", "1"), KeyOf("1", "2", "01"));
}

TEST(NormalizeMemberTest, Sentinel) {
  EXPECT_TRUE(NormalizeMember("", "777777777", "")->sentinel);
  EXPECT_TRUE(NormalizeMember("", "７７７７７７７７", "")->sentinel);
  EXPECT_FALSE(NormalizeMember("", "7777777", "")->sentinel);
  EXPECT_FALSE(NormalizeMember("", "12345678", "")->sentinel);
}

TEST(NormalizeMemberTest, Errors) {
  EXPECT_EQ(NormalizeMember("\xff", "1", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(NormalizeMember("1", "\xc3", "").ok());
  EXPECT_FALSE(NormalizeMember("1", "2", "\xed\xa0\x80").ok());
  EXPECT_FALSE(NormalizeMember("1|2", "3", "").ok());
  EXPECT_FALSE(NormalizeMember("1", "｜2", "").ok());
}

TEST(NormalizeMemberTest, Idempotent) {
  absl::StatusOr<MemberKey> k = NormalizeMember("ＡＢ－髙", "０１２", "３");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_TRUE(IsValidUtf8(k->key));
  absl::StatusOr<MemberKey> again =
      NormalizeMember(k->symbol, k->number, k->branch);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->key, k->key);
}

}  // namespace
}  // namespace kuromaru::normalizer
