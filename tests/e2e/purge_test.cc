// The real `kuromaru purge`: a new store, usage errors, a missing store.
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::CommandResult;
using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;

class PurgeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/kuromaru_purge_e2e_XXXXXX";
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
  }

  // An empty file is an empty SQLite database: the store migrates it.
  std::string NewStoreFile() {
    const std::string path = dir_ + "/cases.db";
    std::ofstream(path, std::ios::binary).flush();
    return path;
  }

  static off_t SizeOf(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
  }

  std::string dir_;
};

TEST_F(PurgeE2eTest, EmptyStorePurgesNothing) {
  const std::string store = NewStoreFile();
  CommandResult r =
      RunKuromaru({"purge", "--store", store, "--older-than", "30d"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n");
  EXPECT_THAT(r.err, HasSubstr("\"cases\":0"));
  EXPECT_GT(SizeOf(store), 0);  // migrated: a store now

  CommandResult dry =
      RunKuromaru({"purge", "--store", store, "--older-than=26w", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, "0\n");
}

TEST_F(PurgeE2eTest, UsageErrorsExitTwo) {
  const std::string store = NewStoreFile();
  const std::vector<std::vector<std::string>> bad = {
      {"purge"},
      {"purge", "--store", store},
      {"purge", "--older-than", "30d"},
      {"purge", "--store", store, "--older-than", "23h"},
      {"purge", "--store", store, "--older-than", "0d"},
      {"purge", "--store", store, "--older-than", "30"},
      {"purge", "--store", store, "--older-than", "30 days"},
      {"purge", "--store", store, "--older-than", "30d", "--force"},
      {"purge", "--store", store, "--older-than", "30d", "extra"},
  };
  for (const auto& args : bad) {
    CommandResult r = RunKuromaru(args);
    EXPECT_EQ(r.exit_code, 2) << args.size() << " args: " << r.err;
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(SizeOf(store), 0);  // never opened
}

TEST_F(PurgeE2eTest, MissingStoreExitsThreeAndCreatesNothing) {
  const std::string missing = dir_ + "/no-such.db";
  CommandResult r =
      RunKuromaru({"purge", "--store", missing, "--older-than", "30d"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no store file"));
  EXPECT_EQ(SizeOf(missing), -1);
}

}  // namespace
}  // namespace kuromaru
