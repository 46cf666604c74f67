// A receipt's way to a result: refusals name fields, results carry the
// engine's versions, and a batch on many threads answers as one by one.
#include "services/reconcile/match.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/support/roster.h"

namespace kuromaru::reconcile {
namespace {

using ::kuromaru::testing::MatcherOver;
using ::kuromaru::testing::RosterCsv;
using ::kuromaru::testing::TakahashiReceipt;
using ::testing::ElementsAre;
using ::testing::Field;

std::shared_ptr<const Engine> TestEngine() {
  return EngineOf(MatcherOver(RosterCsv(
      {::kuromaru::testing::kTakahashiTaro, ::kuromaru::testing::kSatoHanako,
       ::kuromaru::testing::kSuzukiIchiroA,
       ::kuromaru::testing::kSuzukiIchiroB})));
}

TEST(MatchReceiptTest, MatchesAndRecordsTheEnginesVersions) {
  auto engine = TestEngine();
  ReceiptOutcome o = MatchReceipt(*engine, TakahashiReceipt("R1"));
  ASSERT_TRUE(o.matched());
  EXPECT_EQ(o.result.receipt_id(), "R1");
  EXPECT_EQ(o.result.decision(), v1::DECISION_AUTO_MATCH);
  EXPECT_EQ(o.result.roster_version(), engine->roster_version);
  EXPECT_EQ(o.result.model_version(), engine->model_version);
  ASSERT_GE(o.result.candidates_size(), 1);
  EXPECT_EQ(o.result.candidates(0).number(), "5678");
  EXPECT_GE(o.candidates_considered, 1);
}

TEST(MatchReceiptTest, RefusesWhatCannotBeMatchedNamingTheFields) {
  auto engine = TestEngine();
  v1::Receipt r = TakahashiReceipt("");
  r.clear_birth_date();
  ReceiptOutcome o = MatchReceipt(*engine, r, "receipt.");
  EXPECT_FALSE(o.matched());
  EXPECT_THAT(o.violations,
              ElementsAre(Field(&FieldViolation::field, "receipt.receipt_id"),
                          Field(&FieldViolation::field, "receipt.birth_date")));
}

TEST(MatchBatchTest, ManyThreadsAnswerAsOneByOne) {
  auto engine = TestEngine();
  std::vector<v1::Receipt> receipts;
  for (int i = 0; i < 40; ++i) {
    v1::Receipt r = TakahashiReceipt("R" + std::to_string(i));
    if (i % 3 == 1) r.clear_insurer_number();
    if (i % 7 == 2) r.clear_name_kana(), r.clear_name_kanji();
    receipts.push_back(r);
  }
  std::vector<const v1::Receipt*> pointers;
  for (const v1::Receipt& r : receipts) pointers.push_back(&r);
  std::vector<ReceiptOutcome> outcomes;
  MatchBatch(*engine, pointers, {.threads = 4}, &outcomes);
  ASSERT_EQ(outcomes.size(), receipts.size());
  for (size_t i = 0; i < receipts.size(); ++i) {
    const ReceiptOutcome one = MatchReceipt(*engine, receipts[i]);
    EXPECT_EQ(outcomes[i].matched(), one.matched()) << i;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
        outcomes[i].result, one.result))
        << i;
  }
}

}  // namespace
}  // namespace kuromaru::reconcile
