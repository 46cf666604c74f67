// The case store contract: the roster in service, leases (the nightly job's
// and reviewers') and checkpoints.
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/store_contract.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_P(StoreContractTest, CheckpointIsSavedWithTheRematch) {
  auto missing = store_->LoadCheckpoint("rematch/0-of-2");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(store_->SaveCheckpoint("rematch/0-of-2", "R050").ok());
  EXPECT_EQ(**store_->LoadCheckpoint("rematch/0-of-2"), "R050");

  v1::Case c = Create("R060", Result(v1::DECISION_REVIEW, {"1"}));
  store::Rematch r;
  r.receipt_id = "R060";
  r.expected_version = c.version();
  r.result = Result(v1::DECISION_REVIEW, {"1"});
  r.checkpoint_name = "rematch/0-of-2";
  r.checkpoint_value = "R060";
  auto w = store_->ApplyRematch(r);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->outcome, RematchOutcome::kUnchanged);
  EXPECT_EQ(**store_->LoadCheckpoint("rematch/0-of-2"), "R060");
  // A refused re-match saves no checkpoint.
  r.expected_version = 7;
  r.result = Result(v1::DECISION_REVIEW, {"2"});
  r.checkpoint_value = "R061";
  EXPECT_FALSE(store_->ApplyRematch(r).ok());
  EXPECT_EQ(**store_->LoadCheckpoint("rematch/0-of-2"), "R060");
}

TEST_P(StoreContractTest, LeaseRefusesASecondOwnerUntilItExpires) {
  auto a = store_->AcquireLease("rematch/0-of-1", "host-a", absl::Minutes(5));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->expires_at, Now() + absl::Minutes(5));
  EXPECT_EQ(store_->AcquireLease("rematch/0-of-1", "host-b", absl::Minutes(5))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      store_->AcquireLease("rematch/1-of-2", "host-b", absl::Minutes(5)).ok());
  Advance(absl::Minutes(4));
  EXPECT_TRUE(
      store_->AcquireLease("rematch/0-of-1", "host-a", absl::Minutes(5)).ok());
  Advance(absl::Minutes(4));  // renewed: still held
  EXPECT_FALSE(
      store_->AcquireLease("rematch/0-of-1", "host-b", absl::Minutes(5)).ok());
  ASSERT_TRUE(store_->ReleaseLease("rematch/0-of-1", "host-b").ok());  // no-op
  EXPECT_FALSE(
      store_->AcquireLease("rematch/0-of-1", "host-b", absl::Minutes(5)).ok());
  Advance(absl::Minutes(2));  // expired
  EXPECT_TRUE(
      store_->AcquireLease("rematch/0-of-1", "host-b", absl::Minutes(5)).ok());
  ASSERT_TRUE(store_->ReleaseLease("rematch/0-of-1", "host-b").ok());
  EXPECT_TRUE(
      store_->AcquireLease("rematch/0-of-1", "host-a", absl::Minutes(5)).ok());
}

TEST_P(StoreContractTest, ExpiredLeasesAreDeletedAndLiveOnesKept) {
  ASSERT_TRUE(
      store_->AcquireLease("review/R1", "alice", absl::Minutes(1)).ok());
  ASSERT_TRUE(store_->AcquireLease("review/R2", "bob", absl::Minutes(5)).ok());
  EXPECT_EQ(store_->DeleteExpiredLeases().value_or(-1), 0);
  Advance(absl::Minutes(2));
  EXPECT_EQ(store_->DeleteExpiredLeases().value_or(-1), 1);
  EXPECT_EQ(store_->GetLease("review/R2")->owner, "bob");
  EXPECT_EQ(store_->ListLeases("review/")->size(), 1u);
  EXPECT_EQ(store_->DeleteExpiredLeases().value_or(-1), 0);
}

TEST_P(StoreContractTest, ActiveRosterRoundTrips) {
  EXPECT_EQ(store_->GetActiveRoster().status().code(),
            absl::StatusCode::kNotFound);
  RosterState s;
  s.version = "20240401-3";
  s.snapshot_path = "/data/roster/20240401.csv";
  s.delta_paths = {"/data/roster/d1.csv", "/data/roster/d2.csv"};
  s.model_path = "/data/model.json";
  s.model_version = "m-7";
  ASSERT_TRUE(store_->PutActiveRoster(s).ok());
  auto got = store_->GetActiveRoster();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, s.version);
  EXPECT_EQ(got->snapshot_path, s.snapshot_path);
  EXPECT_EQ(got->delta_paths, s.delta_paths);
  EXPECT_EQ(got->model_path, s.model_path);
  EXPECT_EQ(got->model_version, s.model_version);
  EXPECT_EQ(got->updated_at, Now());
  s.delta_paths.clear();
  ASSERT_TRUE(store_->PutActiveRoster(s).ok());
  EXPECT_TRUE(store_->GetActiveRoster()->delta_paths.empty());
  s.delta_paths = {"bad\npath"};
  EXPECT_EQ(store_->PutActiveRoster(s).code(),
            absl::StatusCode::kInvalidArgument);
}

// A reviewer claims a case in the console for a few minutes; the others see
// who holds it and until when; the claim lapses unless renewed.
TEST_P(StoreContractTest, ReviewLeasesShowWhoHoldsACase) {
  const std::string r1 = ReviewLeaseName("R1");
  auto alice = store_->AcquireLease(r1, "alice", absl::Minutes(5));
  ASSERT_TRUE(alice.ok()) << alice.status();
  ASSERT_TRUE(
      store_->AcquireLease(ReviewLeaseName("R2"), "bob", absl::Minutes(5))
          .ok());
  ASSERT_TRUE(
      store_->AcquireLease("rematch/0-of-1", "job", absl::Minutes(5)).ok());

  auto refused = store_->AcquireLease(r1, "bob", absl::Minutes(5));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("held by alice until"));
  EXPECT_THAT(refused.status().message(), HasSubstr("2023-11-14T22:"));

  auto holder = store_->GetLease(r1);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(holder->owner, "alice");
  EXPECT_EQ(holder->expires_at, Now() + absl::Minutes(5));
  auto taken = store_->ListLeases("review/");
  ASSERT_TRUE(taken.ok()) << taken.status();
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_EQ((*taken)[0].name, r1);
  EXPECT_EQ((*taken)[1].owner, "bob");

  Advance(absl::Minutes(6));  // both claims lapse
  EXPECT_EQ(store_->GetLease(r1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListLeases("review/")->empty());
  EXPECT_TRUE(store_->AcquireLease(r1, "bob", absl::Minutes(5)).ok());
  ASSERT_TRUE(store_->ReleaseLease(r1, "bob").ok());
  EXPECT_EQ(store_->GetLease(r1).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, ActiveRosterKeepsItsEncodingAndDirectory) {
  RosterState s;
  s.version = "v1";
  s.snapshot_path = "/data/roster.csv";
  s.encoding = "cp932";
  s.directory_path = "/data/directory.csv";
  ASSERT_TRUE(store_->PutActiveRoster(s).ok());
  auto got = store_->GetActiveRoster();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->encoding, "cp932");
  EXPECT_EQ(got->directory_path, "/data/directory.csv");
  EXPECT_FALSE(store_->LoadCheckpoint("roster.source.v1")->has_value());
}

}  // namespace
}  // namespace kuromaru::store
