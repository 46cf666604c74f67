// Reviewers' decisions as labelled data, end to end: reviewers decide cases
// on the real `kuromaru serve`, `kuromaru model fit --from-decisions` refits
// the model on the store they left, and a server started with that model
// stamps its version on every answer.
#include <filesystem>
#include <fstream>
#include <map>
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
using ::kuromaru::testing::ServeOptions;
using ::kuromaru::testing::ServiceTest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The value of `"key":"…"` in one line of the generator's truth file.
std::string Field(const std::string& line, const std::string& key) {
  const std::string open = absl::StrCat("\"", key, "\":\"");
  size_t at = line.find(open);
  // "number" is also the end of "insurer_number": take the standalone key.
  while (at != std::string::npos && at > 0 && line[at - 1] != ',' &&
         line[at - 1] != '{') {
    at = line.find(open, at + 1);
  }
  if (at == std::string::npos) return "";
  const size_t from = at + open.size();
  return line.substr(from, line.find('"', from) - from);
}

// The enrollment each generated receipt truly belongs to, by receipt id,
// for receipts whose person is in the roster.
std::map<std::string, v1::EnrollmentKey> TrueEnrollments(
    const std::string& dir) {
  std::map<std::string, v1::EnrollmentKey> out;
  std::ifstream in(dir + "/truth.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"in_roster\":true") == std::string::npos) continue;
    v1::EnrollmentKey key;
    key.set_insurer_number(Field(line, "insurer_number"));
    key.set_number(Field(line, "number"));
    key.set_qualified_from(Field(line, "qualified_from"));
    out[Field(line, "receipt_id")] = key;
  }
  return out;
}

// The rank of the candidate that is the true enrollment, or -1.
int TrueRank(const v1::MatchResult& result, const v1::EnrollmentKey& truth) {
  for (int i = 0; i < result.candidates_size(); ++i) {
    const v1::Candidate& c = result.candidates(i);
    if (c.insurer_number() == truth.insurer_number() &&
        c.number() == truth.number() &&
        c.qualified_from() == truth.qualified_from()) {
      return i;
    }
  }
  return -1;
}

class ModelFitTest : public ServiceTest {
 protected:
  // Reviewers work the whole review queue: the true candidate is confirmed,
  // a case without it is marked no-match. Returns the number of decisions.
  int ReviewEveryPendingCase(int* confirmed) {
    const auto truth = TrueEnrollments(data().dir);
    EXPECT_GT(truth.size(), 100u) << "no truth file in " << data().dir;
    int decided = 0;
    for (const v1::ReconcileResponse& r : ReconcileAll()) {
      if (r.state() != v1::CASE_STATE_PENDING_REVIEW) continue;
      const std::string& id = r.result().receipt_id();
      auto it = truth.find(id);
      const int rank =
          it == truth.end() ? -1 : TrueRank(r.result(), it->second);
      v1::DecisionResponse out;
      grpc::Status status;
      if (rank >= 0) {
        v1::ConfirmCandidateRequest request;
        request.set_receipt_id(id);
        request.set_expected_version(r.case_version());
        request.set_idempotency_key(absl::StrCat("fit-", id));
        *request.mutable_candidate() =
            testing::KeyOf(r.result().candidates(rank));
        auto context = ContextWith(tokens().reviewer);
        status = review_->ConfirmCandidate(context.get(), request, &out);
        ++*confirmed;
      } else {
        status =
            MarkNoMatch(id, r.case_version(), absl::StrCat("fit-", id), &out);
      }
      EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
      ++decided;
    }
    return decided;
  }
};

TEST_F(ModelFitTest, ReviewersDecisionsRefitAVersionedModelTheServerUses) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int confirmed = 0;
  const int decided = ReviewEveryPendingCase(&confirmed);
  ASSERT_GE(confirmed, 5) << "too few reviewable cases in the generated data";
  ASSERT_TRUE(env_->Kill().ok());  // the store is left as a crash leaves it

  const std::string model = env_->dir() + "/reviewed.model";
  CommandResult fit =
      RunKuromaru({"model", "fit", "--from-decisions", env_->store_path(),
                   "--roster", data().roster_path, "--out", model, "--label",
                   "reviewed", "--min-positives", "5", "--min-negatives", "5"});
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_THAT(fit.out, StartsWith("model reviewed@"));
  EXPECT_THAT(fit.out,
              HasSubstr(absl::StrCat("from ", decided, " decided cases")));
  EXPECT_THAT(fit.out, HasSubstr(absl::StrCat("(", confirmed, " matches")));
  const std::string version =
      fit.out.substr(6, fit.out.find(' ', 6) - 6);  // "reviewed@<hash>"

  CommandResult show = RunKuromaru({"model", "show", "--model", model});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, StartsWith(absl::StrCat("model ", version, "  ")));

  // Refitting on the same decisions gives the same model, the same version.
  const std::string again = env_->dir() + "/again.model";
  CommandResult refit =
      RunKuromaru({"model", "fit", "--from-decisions", env_->store_path(),
                   "--roster", data().roster_path, "--out", again, "--label",
                   "reviewed", "--min-positives", "5", "--min-negatives", "5"});
  ASSERT_EQ(refit.exit_code, 0) << refit.err;
  EXPECT_THAT(refit.out, StartsWith(absl::StrCat("model ", version, " ")));

  // `kuromaru model load` puts it into service on the running server, which
  // answers under its version from then on, and after a crash too.
  ASSERT_TRUE(env_->Start(ServeOptions{.with_roster = false}).ok());
  ASSERT_TRUE(env_->WaitServing().ok());
  const std::string admin_token = env_->dir() + "/admin.token";
  std::ofstream(admin_token) << tokens().admin << "\n";
  const std::string address = env_->server().address();
  const std::string reviewer_token = env_->dir() + "/reviewer.token";
  std::ofstream(reviewer_token) << tokens().reviewer << "\n";
  CommandResult reviewer =
      RunKuromaru({"model", "load", "--server", address, "--token-file",
                   reviewer_token, "--path", model});
  EXPECT_EQ(reviewer.exit_code, 1);
  EXPECT_THAT(reviewer.err, HasSubstr("(PERMISSION_DENIED)"));
  CommandResult load =
      RunKuromaru({"model", "load", "--server", address, "--token-file",
                   admin_token, "--path", model});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_THAT(load.out, HasSubstr(absl::StrCat("\"version\": \"", version)));
  CommandResult bad =
      RunKuromaru({"model", "load", "--server", address, "--token-file",
                   admin_token, "--path", env_->dir() + "/no-such.model"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("LoadModel"));

  v1::ReconcileResponse answer;
  grpc::Status status =
      Reconcile(RequestFor(data().receipts[0], "after-refit-1"), &answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answer.result().model_version(), version);

  ASSERT_TRUE(env_->Restart().ok());
  ASSERT_TRUE(env_->WaitServing().ok());
  status = Reconcile(RequestFor(data().receipts[1], "after-refit-2"), &answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answer.result().model_version(), version);
  CommandResult in_service = RunKuromaru(
      {"model", "status", "--server", address, "--token-file", admin_token});
  EXPECT_EQ(in_service.exit_code, 0) << in_service.err;
  EXPECT_THAT(in_service.out, HasSubstr(version));
}

TEST_F(ModelFitTest, TooFewDecisionsWriteNoModel) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  int confirmed = 0;
  ReviewEveryPendingCase(&confirmed);
  ASSERT_TRUE(env_->Kill().ok());
  const std::string model = env_->dir() + "/refused.model";
  CommandResult fit =
      RunKuromaru({"model", "fit", "--from-decisions", env_->store_path(),
                   "--roster", data().roster_path, "--out", model,
                   "--min-positives", absl::StrCat(confirmed + 1)});
  EXPECT_EQ(fit.exit_code, 1);
  EXPECT_THAT(fit.err, HasSubstr("too few decisions"));
  EXPECT_FALSE(std::filesystem::exists(model));

  CommandResult missing = RunKuromaru({"model", "fit", "--from-decisions",
                                       env_->dir() + "/no-such.db", "--roster",
                                       data().roster_path, "--out", model});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("no store file"));
  EXPECT_FALSE(std::filesystem::exists(model));
}

}  // namespace
}  // namespace kuromaru
