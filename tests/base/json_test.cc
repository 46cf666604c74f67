#include "base/json.h"

#include <string>

#include "gtest/gtest.h"

namespace kuromaru::base {
namespace {

TEST(JsonTest, KeysKeepTheirOrderAndBadUtf8IsReplaced) {
  Json j;
  j["z"] = 1;
  j["a"] = "x\xFFy";
  j["list"] = Json::array({true, 2.5});
  EXPECT_EQ(ToJsonText(j),
            "{\"z\":1,\"a\":\"x\xEF\xBF\xBDy\",\"list\":[true,2.5]}");
}

TEST(JsonTest, AppendJsonStringEscapesControlsAndQuotes) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonString("\xC3"), "\"\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace kuromaru::base
