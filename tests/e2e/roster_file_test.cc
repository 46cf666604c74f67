// Roster files with the real binary: `kuromaru roster build`, a server that
// serves one and comes back with it (and the deltas applied since) after a
// restart, `match` over one, and the refusal of files that cannot be trusted.
#include <fstream>
#include <sstream>
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
using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::RequestFor;
using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::ServiceTest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RosterFileE2eTest : public ServiceTest {
 protected:
  // Builds a roster file of the generated roster; returns its path.
  std::string Build(const std::string& name) {
    const std::string path = env_->dir() + "/" + name;
    const CommandResult r = RunKuromaru(
        {"roster", "build", "--roster", data().roster_path, "--out", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("rows"));
    return path;
  }

  v1::RosterStatus Status() {
    v1::RosterStatus status;
    auto context = ContextWith(tokens().admin);
    EXPECT_TRUE(roster_->GetRosterStatus(context.get(), {}, &status).ok());
    return status;
  }
};

TEST_F(RosterFileE2eTest, ServesARosterFileAndItsDeltasAcrossRestarts) {
  // The CSV's version, for comparison.
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string csv_version = RosterVersion();
  const std::string file = Build("roster.snap");

  // `roster load` of the file: the same roster, served.
  const std::string token = env_->dir() + "/admin.token";
  std::ofstream(token) << tokens().admin << "\n";
  const CommandResult load =
      RunKuromaru({"roster", "load", "--server", env_->server().address(),
                   "--token-file", token, "--path", file});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  ASSERT_TRUE(env_->WaitServing().ok());
  EXPECT_EQ(RosterVersion(), csv_version);
  v1::ReconcileResponse answer;
  ASSERT_TRUE(Reconcile(RequestFor(data().receipts[0]), &answer).ok());
  EXPECT_EQ(answer.result().roster_version(), csv_version);

  // A delta on top of the file, then a restart: the file and the delta.
  std::ifstream roster(data().roster_path);
  std::string header, row;
  ASSERT_TRUE(std::getline(roster, header) && std::getline(roster, row));
  const std::string delta = env_->dir() + "/delta.csv";
  std::ofstream(delta) << "op," << header << "\ndelete," << row << "\n";
  const CommandResult applied =
      RunKuromaru({"roster", "delta", "--server", env_->server().address(),
                   "--token-file", token, "--path", delta});
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  const v1::RosterStatus with_delta = Status();
  EXPECT_NE(with_delta.version(), csv_version);
  ASSERT_TRUE(env_->Restart().ok());
  ASSERT_TRUE(env_->WaitServing().ok());
  const v1::RosterStatus restored = Status();
  EXPECT_EQ(restored.version(), with_delta.version());
  EXPECT_EQ(restored.snapshot_path(), file);
  EXPECT_THAT(restored.delta_paths(), ElementsAre(delta));

  // A file that includes the delta: named again, the delta is not applied
  // twice.
  const std::string folded = env_->dir() + "/folded.snap";
  const CommandResult build = RunKuromaru({"roster", "build", "--roster", file,
                                           "--deltas", delta, "--out", folded});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  const CommandResult match = RunKuromaru(
      {"match", "--roster", folded, "--deltas", delta, "--receipts",
       data().dir + "/receipts.jsonl", "--out", env_->dir() + "/out.jsonl"});
  ASSERT_EQ(match.exit_code, 0) << match.err;
  EXPECT_THAT(match.out, HasSubstr(with_delta.version()));
}

TEST_F(RosterFileE2eTest, RefusesATruncatedOrCorruptedFile) {
  ASSERT_NO_FATAL_FAILURE(StartServer({.with_roster = false}));
  const std::string good = ReadAll(Build("good.snap"));
  auto refused = [&](const std::string& bytes, const char* why) {
    const std::string path = env_->dir() + "/bad.snap";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    const CommandResult r = RunKuromaru(
        {"match", "--roster", path, "--receipts",
         data().dir + "/receipts.jsonl", "--out", env_->dir() + "/o.jsonl"});
    EXPECT_EQ(r.exit_code, 3) << why;
    EXPECT_THAT(r.err, HasSubstr("refused")) << why;
    EXPECT_THAT(r.err, HasSubstr(why));
  };
  refused(good.substr(0, good.size() - 4096), "truncated");
  std::string corrupted = good;
  corrupted[corrupted.size() / 2] ^= 0x20;
  refused(corrupted, "corrupted (checksum)");

  // The server does not serve it: the load fails and says why.
  const std::string path = env_->dir() + "/served.snap";
  std::ofstream(path, std::ios::binary) << corrupted;
  v1::LoadSnapshotRequest request;
  request.set_path(path);
  v1::RosterOperation op;
  {
    auto context = ContextWith(tokens().admin);
    ASSERT_TRUE(roster_->LoadSnapshot(context.get(), request, &op).ok());
  }
  auto done = testing::WaitForOperation(*roster_, op.operation_id());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->state(), v1::RosterOperation::STATE_FAILED);
  EXPECT_THAT(done->message(), HasSubstr("corrupted (checksum)"));
  v1::ReconcileResponse answer;
  EXPECT_EQ(Reconcile(RequestFor(data().receipts[0]), &answer).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace kuromaru
