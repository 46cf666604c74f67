// The operator's commands against the real `kuromaru serve`: a roster loaded
// with its insurer directory by `kuromaru roster load`, and what a restart
// with other flags does to the roster the store records.
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_env.h"
#include "tests/e2e/service_fixture.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::CommandResult;
using ::kuromaru::testing::RequestFor;
using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::ServeOptions;
using ::kuromaru::testing::ServiceTest;
using ::testing::HasSubstr;
using ::testing::Not;

class AdminCliTest : public ServiceTest {
 protected:
  std::string AdminTokenFile() {
    std::string path = env_->dir() + "/admin.token";
    std::ofstream(path) << tokens().admin << "\n";
    return path;
  }

  // The insurer names suggested for the first generated receipts.
  int NamedSuggestions(const std::string& id_prefix) {
    int named = 0;
    for (int i = 0; i < 20; ++i) {
      v1::ReconcileResponse answer;
      const grpc::Status status = Reconcile(
          RequestFor(data().receipts[i], absl::StrCat(id_prefix, i)), &answer);
      EXPECT_TRUE(status.ok()) << status.error_message();
      for (const v1::InsurerSuggestion& s :
           answer.result().insurer_suggestions()) {
        if (!s.name().empty()) ++named;
      }
    }
    return named;
  }
};

TEST_F(AdminCliTest, RosterLoadTakesTheDirectoryAndARestartKeepsIt) {
  ASSERT_NO_FATAL_FAILURE(StartServer({.with_roster = false}));
  const std::string token = AdminTokenFile();
  const std::string address = env_->server().address();
  const std::string directory = data().dir + "/directory.csv";

  CommandResult misuse = RunKuromaru(
      {"roster", "delta", "--server", address, "--token-file", token, "--path",
       data().roster_path, "--directory", directory});
  EXPECT_EQ(misuse.exit_code, 2);
  EXPECT_THAT(misuse.err, HasSubstr("--directory goes with load"));

  CommandResult load =
      RunKuromaru({"roster", "load", "--server", address, "--token-file", token,
                   "--path", data().roster_path, "--directory", directory});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_THAT(load.out, HasSubstr("STATE_SUCCEEDED"));
  ASSERT_TRUE(env_->WaitServing().ok());
  EXPECT_GT(NamedSuggestions("with-directory-"), 0);
  const std::string version = RosterVersion();
  CommandResult status = RunKuromaru(
      {"roster", "status", "--server", address, "--token-file", token});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out,
              HasSubstr(absl::StrCat("\"directory_path\": \"", directory)));
  EXPECT_THAT(status.out, HasSubstr("\"directory_version\": \"dir-"));

  // A restart with other roster flags restores what the store records, and
  // says so.
  ASSERT_TRUE(env_->Kill().ok());
  ASSERT_TRUE(env_->Start(ServeOptions{.with_roster = false,
                                       .extra_args =
                                           {
                                               "--roster",
                                               data().second_roster_path,
                                           }})
                  .ok());
  ASSERT_TRUE(env_->WaitServing().ok());
  EXPECT_EQ(RosterVersion(), version);
  EXPECT_GT(NamedSuggestions("after-restart-"), 0);
  CommandResult restored = RunKuromaru(
      {"roster", "status", "--server", address, "--token-file", token});
  EXPECT_THAT(restored.out,
              HasSubstr(absl::StrCat("\"directory_path\": \"", directory)));
  EXPECT_THAT(env_->server().Logs(),
              HasSubstr("the flags naming them apply only to a store without"));
}

TEST_F(AdminCliTest, AnUploadNeedsAServerWithAnUploadDirectory) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string token = AdminTokenFile();
  CommandResult both = RunKuromaru(
      {"roster", "load", "--server", env_->server().address(), "--token-file",
       token, "--path", data().roster_path, "--upload", data().roster_path});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("one of --path or --upload"));
  CommandResult refused = RunKuromaru(
      {"roster", "load", "--server", env_->server().address(), "--token-file",
       token, "--upload", data().second_roster_path});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(refused.err, HasSubstr("--upload-dir"));
}

TEST_F(AdminCliTest, AFirstStartWithRosterFlagsDoesNotWarn) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  EXPECT_THAT(env_->server().Logs(),
              Not(HasSubstr("apply only to a store without")));
  // The same flags again on a restart: nothing was ignored.
  ASSERT_TRUE(env_->Restart(ServeOptions{.with_roster = true}).ok());
  ASSERT_TRUE(env_->WaitServing().ok());
  EXPECT_THAT(env_->server().Logs(),
              Not(HasSubstr("apply only to a store without")));
}

}  // namespace
}  // namespace kuromaru
