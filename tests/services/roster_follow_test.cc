// Replicas on one store follow the roster in service: what one replica puts
// into service (a snapshot, a delta, a model) the other loads from the
// store's record, without recording it again, applying deltas and models on
// top rather than loading everything again, and refusing files that changed
// after they were recorded.
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/model.h"
#include "services/grpc/roster_manager.h"
#include "services/store/sqlite_store.h"
#include "tests/support/files.h"
#include "tests/support/roster.h"

namespace kuromaru::grpc_service {
namespace {

using reconcile::RosterSource;
using ::testing::HasSubstr;

constexpr const char* kHeader = ::kuromaru::testing::kRosterHeader;
constexpr const char* kRow1 = ::kuromaru::testing::kTakahashiTaro;
constexpr const char* kRow2 = ::kuromaru::testing::kSatoHanako;

class RosterFollowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        store::SqliteStore::Open(dir_.File("cases.db"), store::SqliteOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    leader_ = std::make_unique<RosterManager>(
        store_.get(), matcher::MatcherOptions(), nullptr);
    follower_ = std::make_unique<RosterManager>(
        store_.get(), matcher::MatcherOptions(), nullptr);
  }

  // Waits for `started` on `manager` and returns how it ended.
  static v1::RosterOperation Done(RosterManager& manager,
                                  const v1::RosterOperation& started) {
    manager.WaitIdle();
    auto done = manager.GetOperation(started.operation_id());
    EXPECT_TRUE(done.ok()) << done.status();
    return done.ok() ? *done : v1::RosterOperation();
  }

  v1::RosterOperation Lead(absl::StatusOr<v1::RosterOperation> started) {
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return {};
    return Done(*leader_, *started);
  }

  // The follower's follow operation, run to its end; nullopt when it started
  // none.
  std::optional<v1::RosterOperation> Follow() {
    auto started = follower_->StartFollow();
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok() || !started->has_value()) return std::nullopt;
    EXPECT_EQ((*started)->kind(), v1::RosterOperation::KIND_FOLLOW);
    return Done(*follower_, **started);
  }

  ::kuromaru::testing::TempDir dir_;
  std::unique_ptr<store::CaseStore> store_;
  std::unique_ptr<RosterManager> leader_;
  std::unique_ptr<RosterManager> follower_;
};

TEST_F(RosterFollowTest, FollowsASnapshotPutIntoServiceElsewhere) {
  EXPECT_FALSE(Follow().has_value()) << "nothing is recorded yet";
  RosterSource source;
  source.snapshot_path =
      dir_.Write("r.csv", std::string(kHeader) + kRow1 + kRow2);
  Lead(leader_->StartSnapshot(source));
  const auto recorded = store_->GetActiveRoster();
  ASSERT_TRUE(recorded.ok()) << recorded.status();

  const std::optional<v1::RosterOperation> op = Follow();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->state(), v1::RosterOperation::STATE_SUCCEEDED) << op->message();
  ASSERT_NE(follower_->Current(), nullptr);
  EXPECT_EQ(follower_->Current()->roster_version,
            leader_->Current()->roster_version);
  EXPECT_EQ(op->resulting_version(), leader_->Current()->roster_version);
  // The follower did not record it again.
  EXPECT_EQ(store_->GetActiveRoster()->updated_at, recorded->updated_at);
  // In step: nothing more to follow, on either side.
  EXPECT_FALSE(Follow().has_value());
  auto again = leader_->StartFollow();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->has_value());
}

TEST_F(RosterFollowTest, AppliesDeltasAndModelsOnTopOfWhatItServes) {
  RosterSource source;
  source.snapshot_path = dir_.Write("r.csv", std::string(kHeader) + kRow1);
  Lead(leader_->StartSnapshot(source));
  ASSERT_TRUE(Follow().has_value());
  const auto index = follower_->Current()->matcher->index();

  const std::string delta =
      dir_.Write("d.csv", std::string("op,") + kHeader + "upsert," + kRow2);
  Lead(leader_->StartDelta(delta, std::nullopt, 0));
  const std::optional<v1::RosterOperation> op = Follow();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->state(), v1::RosterOperation::STATE_SUCCEEDED) << op->message();
  // Only the delta's row was read: the snapshot was not loaded again.
  EXPECT_EQ(op->rows_read(), 1);
  EXPECT_EQ(follower_->Current()->counts.rows, 2);
  EXPECT_EQ(follower_->Current()->roster_version,
            leader_->Current()->roster_version);
  EXPECT_THAT(follower_->Current()->source.delta_paths,
              ::testing::ElementsAre(delta));

  matcher::Model model = matcher::Model::Default();
  model.label = "followed-model";
  const std::string model_path =
      dir_.Write("m.model", matcher::SerializeModel(model));
  ASSERT_TRUE(leader_->LoadModel(model_path).ok());
  const auto indexed = follower_->Current()->matcher->index();
  const std::optional<v1::RosterOperation> model_op = Follow();
  ASSERT_TRUE(model_op.has_value());
  EXPECT_EQ(model_op->state(), v1::RosterOperation::STATE_SUCCEEDED)
      << model_op->message();
  EXPECT_THAT(follower_->Current()->model_version, HasSubstr("followed-model"));
  // A new model alone keeps the index.
  EXPECT_EQ(follower_->Current()->matcher->index(), indexed);
  EXPECT_NE(indexed, index);
}

TEST_F(RosterFollowTest, RefusesFilesChangedSinceTheyWereRecorded) {
  RosterSource source;
  source.snapshot_path =
      dir_.Write("r.csv", std::string(kHeader) + kRow1 + kRow2);
  Lead(leader_->StartSnapshot(source));
  // The file is replaced in place after it was put into service.
  dir_.Write("r.csv", std::string(kHeader) + kRow1);

  const std::optional<v1::RosterOperation> op = Follow();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->state(), v1::RosterOperation::STATE_FAILED);
  EXPECT_THAT(op->message(), HasSubstr("changed after"));
  EXPECT_EQ(follower_->Current(), nullptr);
  // The same record is not loaded again and again.
  EXPECT_FALSE(Follow().has_value());

  // Put into service again, the new record is followed.
  Lead(leader_->StartSnapshot(source));
  const std::optional<v1::RosterOperation> after = Follow();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->state(), v1::RosterOperation::STATE_SUCCEEDED)
      << after->message();
  EXPECT_EQ(follower_->Current()->counts.rows, 1);
}

}  // namespace
}  // namespace kuromaru::grpc_service
