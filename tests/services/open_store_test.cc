// Opening the store a command names: a SQLite file unless the locator is a
// PostgreSQL URI or keyword/value string; a DSN read from a file; passwords
// kept out of messages.
#include "services/store/open_store.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "tests/support/files.h"

namespace kuromaru::store {
namespace {

TEST(OpenStoreTest, APathIsASqliteFileCreatedOnDemand) {
  testing::TempDir dir;
  const std::string path = dir.File("cases=1.db");  // an '=' in a path
  auto store = OpenStore(path, StoreOpenOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
}

TEST(OpenStoreTest, WithoutCreateAMissingFileIsNotFound) {
  testing::TempDir dir;
  StoreOpenOptions options;
  options.create = false;
  EXPECT_EQ(OpenStore(dir.File("typo.db"), options).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(OpenStore("", options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(OpenStoreTest, ADsnFileHoldsItsFirstLineTrimmed) {
  testing::TempDir dir;
  auto dsn = ReadDsnFile(dir.Write("dsn", "  postgresql://k@db/k \nrest\n"));
  ASSERT_TRUE(dsn.ok()) << dsn.status();
  EXPECT_EQ(*dsn, "postgresql://k@db/k");
  EXPECT_EQ(ReadDsnFile(dir.Write("empty", "\n")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadDsnFile(dir.File("absent")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(OpenStoreTest, DescriptionsHidePasswords) {
  EXPECT_EQ(DescribeLocator("/var/lib/kuromaru/cases.db"),
            "/var/lib/kuromaru/cases.db");
  EXPECT_EQ(DescribeLocator("postgresql://kuromaru:s3cret@db:5432/kuromaru"),
            "postgresql://kuromaru:***@db:5432/kuromaru");
  EXPECT_EQ(DescribeLocator("postgresql://db/k?user=k&password=s3cret&x=1"),
            "postgresql://db/k?user=k&password=***&x=1");
  EXPECT_EQ(DescribeLocator("host=db password=s3cret dbname=k"),
            "host=db password=*** dbname=k");
}

}  // namespace
}  // namespace kuromaru::store
