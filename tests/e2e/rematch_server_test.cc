// `kuromaru rematch --server`: the nightly job run inside the real server,
// which owns the store, after a late roster arrives.
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_env.h"

namespace kuromaru::testing {
namespace {

using ::testing::HasSubstr;

// The first `keep` lines (header included) of a CSV file.
std::string Head(const std::string& path, int keep, const std::string& out) {
  std::ifstream in(path);
  std::ofstream o(out);
  std::string line;
  for (int i = 0; i < keep && std::getline(in, line); ++i) o << line << "\n";
  return out;
}

std::string WriteToken(const std::string& dir, const std::string& name,
                       const std::string& token) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << token << "\n";
  return path;
}

TEST(RematchServerTest, ALateRosterResolvesOpenCasesInsideTheServer) {
  const ServiceData& data = ServiceData::Get();
  auto env = ServiceEnv::Create();
  ASSERT_TRUE(env.ok()) << env.status();
  // The roster the cases are first matched against lacks most persons.
  const std::string early =
      Head(data.roster_path, 400, (*env)->dir() + "/early.csv");
  ASSERT_TRUE((*env)
                  ->Start(ServeOptions{.with_roster = false,
                                       .extra_args = {"--roster", early}})
                  .ok());
  ASSERT_TRUE((*env)->WaitServing().ok());
  auto reconcile = (*env)->reconcile();
  int open = 0;
  for (int i = 0; i < 150; ++i) {
    v1::ReconcileResponse response;
    auto context = ContextWith(data.tokens.claims);
    ASSERT_TRUE(
        reconcile
            ->Reconcile(context.get(), RequestFor(data.receipts[i]), &response)
            .ok());
    open += response.state() != v1::CASE_STATE_AUTO_RESOLVED;
  }
  ASSERT_GT(open, 50);

  // The full roster arrives.
  {
    auto roster = (*env)->roster();
    v1::LoadSnapshotRequest request;
    request.set_path(data.roster_path);
    v1::RosterOperation op;
    auto context = ContextWith(data.tokens.admin);
    ASSERT_TRUE(roster->LoadSnapshot(context.get(), request, &op).ok());
    auto done = WaitForOperation(*roster, op.operation_id());
    ASSERT_TRUE(done.ok()) << done.status();
    ASSERT_EQ(done->state(), v1::RosterOperation::STATE_SUCCEEDED);
  }

  const std::string admin =
      WriteToken((*env)->dir(), "admin.token", data.tokens.admin);
  const std::string report = (*env)->dir() + "/report.json";
  auto first = RunKuromaru({"rematch", "--server", (*env)->server().address(),
                            "--token-file", admin, "--report", report});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("resolved"));
  std::ifstream json(report);
  std::string text((std::istreambuf_iterator<char>(json)),
                   std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr(absl::StrCat("\"examined\":", open)));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("\"resolved\":0,")));

  // The job's resolutions reach the claims system's feed, by the job.
  {
    auto review = (*env)->review();
    v1::ListChangesRequest request;
    request.set_page_size(1000);
    v1::ListChangesResponse response;
    auto context = ContextWith(data.tokens.claims);
    ASSERT_TRUE(review->ListChanges(context.get(), request, &response).ok());
    int by_job = 0;
    for (const v1::Change& c : response.changes()) {
      by_job += c.actor_kind() == v1::ACTOR_KIND_NIGHTLY_JOB;
    }
    EXPECT_GT(by_job, 0);
  }

  // The next night, nothing new: nothing resolved.
  auto second = RunKuromaru({"rematch", "--server", (*env)->server().address(),
                             "--token-file", admin});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("resolved     0"));

  // Only an admin may run the job: a claims token cannot start it.
  const std::string claims =
      WriteToken((*env)->dir(), "claims.token", data.tokens.claims);
  auto denied = RunKuromaru({"rematch", "--server", (*env)->server().address(),
                             "--token-file", claims});
  EXPECT_EQ(denied.exit_code, 3);
  EXPECT_THAT(denied.err, HasSubstr("admin"));
}

// Standalone (the server stopped), `rematch --store` without --roster takes
// the roster, its encoding and the insurer directory the server recorded.
TEST(RematchServerTest, AStandaloneRunUsesWhatTheServerRecorded) {
  const ServiceData& data = ServiceData::Get();
  auto env = ServiceEnv::Create();
  ASSERT_TRUE(env.ok()) << env.status();
  const std::string directory = data.dir + "/directory.csv";
  ASSERT_TRUE((*env)
                  ->Start(ServeOptions{.extra_args = {"--directory", directory,
                                                      "--encoding", "utf-8"}})
                  .ok());
  ASSERT_TRUE((*env)->WaitServing().ok());
  auto reconcile = (*env)->reconcile();
  for (int i = 0; i < 40; ++i) {
    v1::ReconcileResponse response;
    auto context = ContextWith(data.tokens.claims);
    ASSERT_TRUE(
        reconcile
            ->Reconcile(context.get(), RequestFor(data.receipts[i]), &response)
            .ok());
  }
  ASSERT_TRUE((*env)->Kill().ok());

  auto result = RunKuromaru({"rematch", "--store", (*env)->store_path()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("insurer directory loaded"));
  EXPECT_THAT(result.out, HasSubstr("examined"));
}

TEST(RematchServerTest, AServerWithoutARosterCannotRunTheJob) {
  const ServiceData& data = ServiceData::Get();
  auto env = ServiceEnv::Create();
  ASSERT_TRUE(env.ok());
  ASSERT_TRUE((*env)->Start(ServeOptions{.with_roster = false}).ok());
  ASSERT_TRUE((*env)->WaitServing("").ok());
  const std::string admin =
      WriteToken((*env)->dir(), "admin.token", data.tokens.admin);
  auto result = RunKuromaru({"rematch", "--server", (*env)->server().address(),
                             "--token-file", admin});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_THAT(result.err, HasSubstr("roster"));
}

}  // namespace
}  // namespace kuromaru::testing
