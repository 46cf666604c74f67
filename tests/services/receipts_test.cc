#include "services/io/receipts.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::io {
namespace {

using ::testing::ElementsAre;

TEST(ReadReceiptsJsonlTest, ReportsBadLinesByNumberAndGoesOn) {
  std::istringstream in(
      "{\"receipt_id\":\"R1\",\"birth_date\":\"19750123\"}\n"
      "\n"
      "{\"receipt_id\": \n"
      "{\"receiptId\":\"R3\",\"unknown\":1}\r\n"
      "\xff\n");
  std::vector<std::string> ids;
  std::vector<int64_t> ok_lines, bad_lines;
  ASSERT_TRUE(ReadReceiptsJsonl(
                  in,
                  [&](int64_t line, v1::Receipt& r) {
                    ok_lines.push_back(line);
                    ids.push_back(r.receipt_id());
                    return true;
                  },
                  [&](int64_t line, const std::string&) {
                    bad_lines.push_back(line);
                    return true;
                  })
                  .ok());
  EXPECT_THAT(ids, ElementsAre("R1", "R3"));
  EXPECT_THAT(ok_lines, ElementsAre(1, 4));
  EXPECT_THAT(bad_lines, ElementsAre(3, 5));
}

}  // namespace
}  // namespace kuromaru::io
