// The real `kuromaru` on PostgreSQL: import into a store named by a DSN (on
// the command line or in a file), replays answered from it, and purge
// refusing a store that does not exist.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/support/files.h"
#include "tests/support/postgres_cluster.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;

TEST(PostgresCliE2eTest, ImportAndPurgeOnADsn) {
  auto* cluster = ::kuromaru::testing::PostgresCluster::Shared();
  ASSERT_NE(cluster, nullptr);
  static int serial = 0;  // a fresh schema each run (--gtest_repeat)
  const int run = ++serial;
  absl::StatusOr<std::string> dsn =
      cluster->CreateSchema(absl::StrCat("e2e_cli_", run));
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  const ::kuromaru::testing::TempDir temp;
  const std::string& dir = temp.path();
  const auto gen = RunKuromaru({"gen", "--persons", "2000", "--receipts", "300",
                                "--seed", "5", "--out", dir});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const auto first =
      RunKuromaru({"import", "--store", *dsn, "--receipts",
                   dir + "/receipts.jsonl", "--roster", dir + "/roster.csv"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("stored           300"));

  // The same store through a DSN file: every receipt is already there.
  const std::string dsn_file = temp.Write("dsn", *dsn + "\n");
  const auto again = RunKuromaru({"import", "--store-dsn-file", dsn_file,
                                  "--receipts", dir + "/receipts.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("already_present  300"));

  const auto dry = RunKuromaru({"purge", "--store-dsn-file", dsn_file,
                                "--older-than", "1d", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;

  // purge never creates a store: an empty schema is refused.
  absl::StatusOr<std::string> empty =
      cluster->CreateSchema(absl::StrCat("e2e_empty_", run));
  ASSERT_TRUE(empty.ok()) << empty.status();
  const auto refused =
      RunKuromaru({"purge", "--store", *empty, "--older-than", "1d"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, HasSubstr("schema is version 0"));
  // Both --store and --store-dsn-file: a usage error.
  const auto both = RunKuromaru({"purge", "--store", *dsn, "--store-dsn-file",
                                 dsn_file, "--older-than", "1d"});
  EXPECT_EQ(both.exit_code, 2);
}

}  // namespace
}  // namespace kuromaru
