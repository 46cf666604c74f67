#include "base/hash.h"

#include "gtest/gtest.h"

namespace kuromaru::base {
namespace {

// The values are stored (model files, shard assignment, roster versions):
// they must never change.
TEST(HashTest, ValuesAreFixedAcrossReleases) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(HashBytes("foobar"), HashMix(Fnv1a64("foobar"), 6));
  EXPECT_NE(HashBytes("foobar", 1), HashBytes("foobar", 0));
  EXPECT_EQ(HashMix(0, 0), 0xe220a8397b1dcdafull);
}

}  // namespace
}  // namespace kuromaru::base
