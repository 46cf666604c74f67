// The real `kuromaru reconcile`: a receipts file over ReconcileStream, the
// answers written as JSON Lines in input order.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/io/proto_json.h"
#include "tests/e2e/process.h"
#include "tests/e2e/service_fixture.h"
#include "tests/support/files.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::ServiceTest;
using ::kuromaru::testing::TempDir;
using ::testing::HasSubstr;

class ReconcileCliTest : public ServiceTest {};

TEST_F(ReconcileCliTest, OutIsOneJsonAnswerPerLineInInputOrder) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  TempDir dir;
  std::string receipts;
  constexpr int kReceipts = 50;
  for (int i = 0; i < kReceipts; ++i) {
    v1::Receipt r = data().receipts[i];
    r.set_receipt_id(absl::StrCat("CLI-", i));
    if (i == 7) r.clear_birth_date();  // refused, answered in its place
    receipts += io::ToJsonLine(r) + "\n";
  }
  const std::string token = dir.Write("claims.token", tokens().claims + "\n");
  const std::string out = dir.File("answers.jsonl");
  auto run = RunKuromaru({"reconcile", "--server", env_->server().address(),
                          "--token-file", token, "--receipts",
                          dir.Write("receipts.jsonl", receipts), "--out", out});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // one receipt was refused
  EXPECT_THAT(run.err, HasSubstr("refused"));

  std::ifstream in(out);
  std::vector<v1::ReconcileResponse> answers;
  for (std::string line; std::getline(in, line);) {
    v1::ReconcileResponse answer;
    google::protobuf::util::JsonParseOptions options;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(line, &answer, options)
            .ok())
        << "not one JSON answer: " << line.substr(0, 200);
    answers.push_back(answer);
  }
  ASSERT_EQ(answers.size(), static_cast<size_t>(kReceipts));
  for (int i = 0; i < kReceipts; ++i) {
    EXPECT_EQ(answers[i].result().receipt_id(), absl::StrCat("CLI-", i));
    EXPECT_EQ(answers[i].status().code() != 0, i == 7) << i;
  }
}

}  // namespace
}  // namespace kuromaru
