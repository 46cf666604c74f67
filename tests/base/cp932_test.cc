#include "base/cp932.h"

#include <string>

#include "gtest/gtest.h"

namespace kuromaru::base {
namespace {

TEST(Cp932Test, DecodesAppendingToWhatIsThere) {
  Cp932 cp932;
  ASSERT_TRUE(cp932.ok());
  std::string out = "氏名:";
  // 髙 (FB FC, an IBM extension), 橋, half-width ｶ, ASCII.
  ASSERT_TRUE(
      cp932.Decode("\xFB\xFC\x8B\xB4\xB6"
                   "a",
                   &out));
  EXPECT_EQ(out, "氏名:髙橋ｶa");
  ASSERT_TRUE(cp932.Decode("", &out));
  EXPECT_EQ(out, "氏名:髙橋ｶa");
}

TEST(Cp932Test, BytesCp932DoesNotDefineAreAnErrorNotAReplacement) {
  Cp932 cp932;
  std::string out;
  EXPECT_FALSE(cp932.Decode("\x82", &out));      // a lead byte alone
  EXPECT_FALSE(cp932.Decode("\x82\x20", &out));  // a lead byte, no trail
  EXPECT_FALSE(cp932.Decode("\xA0", &out));      // undefined single byte
  // The converter recovers: the next text decodes cleanly.
  out.clear();
  ASSERT_TRUE(cp932.Decode("\x93\x63\x92\x86", &out));
  EXPECT_EQ(out, "田中");
}

TEST(Cp932Test, EncodesOneCodePointOrNothing) {
  Cp932 cp932;
  EXPECT_EQ(cp932.EncodeOne(U'田'), "\x93\x63");
  EXPECT_EQ(cp932.EncodeOne(U'ｶ'), "\xB6");
  EXPECT_EQ(cp932.EncodeOne(U'A'), "A");
  EXPECT_EQ(cp932.EncodeOne(U'𠮷'), "");  // outside the BMP, not in CP932
  EXPECT_EQ(cp932.EncodeOne(U'한'), "");
  EXPECT_EQ(cp932.EncodeOne(0xD800), "");  // a lone surrogate
}

}  // namespace
}  // namespace kuromaru::base
