// The roster in service: background loads, deltas, model swaps, refusals,
// and the record of the active roster in the store.
#include "services/grpc/roster_manager.h"

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/model.h"
#include "services/reconcile/recorded_source.h"
#include "services/store/sqlite_store.h"
#include "tests/support/files.h"
#include "tests/support/roster.h"

namespace kuromaru::grpc_service {
namespace {

using reconcile::Engine;
using reconcile::RosterSource;
using ::testing::HasSubstr;

constexpr const char* kHeader = ::kuromaru::testing::kRosterHeader;
constexpr const char* kRow1 = ::kuromaru::testing::kTakahashiTaro;
constexpr const char* kRow2 = ::kuromaru::testing::kSatoHanako;

class RosterManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::Open(":memory:", store::SqliteOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    manager_ =
        std::make_unique<RosterManager>(store_.get(), matcher::MatcherOptions(),
                                        [this](const Engine&) { ++swaps_; });
  }

  std::string Write(const std::string& name, const std::string& text) {
    return dir_.Write(name, text);
  }

  v1::RosterOperation Run(absl::StatusOr<v1::RosterOperation> started) {
    EXPECT_TRUE(started.ok()) << started.status();
    if (!started.ok()) return {};
    EXPECT_EQ(started->state(), v1::RosterOperation::STATE_RUNNING);
    manager_->WaitIdle();
    auto done = manager_->GetOperation(started->operation_id());
    EXPECT_TRUE(done.ok()) << done.status();
    return done.ok() ? *done : v1::RosterOperation();
  }

  ::kuromaru::testing::TempDir dir_;
  std::unique_ptr<store::CaseStore> store_;
  std::unique_ptr<RosterManager> manager_;
  std::atomic<int> swaps_{0};
};

TEST_F(RosterManagerTest, LoadsASnapshotAndRecordsItInTheStore) {
  EXPECT_EQ(manager_->Current(), nullptr);
  RosterSource source;
  source.snapshot_path = Write("r.csv", std::string(kHeader) + kRow1 + kRow2);
  const v1::RosterOperation op = Run(manager_->StartSnapshot(source));
  EXPECT_EQ(op.state(), v1::RosterOperation::STATE_SUCCEEDED) << op.message();
  EXPECT_EQ(op.rows_read(), 2);
  auto engine = manager_->Current();
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->counts.rows, 2);
  EXPECT_EQ(op.resulting_version(), engine->roster_version);
  EXPECT_EQ(swaps_.load(), 1);

  auto active = store_->GetActiveRoster();
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_EQ(active->version, engine->roster_version);
  EXPECT_EQ(active->snapshot_path, source.snapshot_path);
  auto restored = reconcile::ReadRecordedSource(*store_);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->source.encoding, base::TextEncoding::kUtf8);
  EXPECT_EQ(restored->source.directory_path, "");
}

TEST_F(RosterManagerTest, AppliesADeltaOnTopAndKeepsTheOldEngineForReaders) {
  RosterSource source;
  source.snapshot_path = Write("r.csv", std::string(kHeader) + kRow1);
  Run(manager_->StartSnapshot(source));
  std::shared_ptr<const Engine> before = manager_->Current();
  ASSERT_NE(before, nullptr);

  const std::string delta =
      Write("d.csv", std::string("op,") + kHeader + "upsert," + kRow2);
  const v1::RosterOperation op =
      Run(manager_->StartDelta(delta, std::nullopt, 0));
  EXPECT_EQ(op.state(), v1::RosterOperation::STATE_SUCCEEDED) << op.message();
  auto after = manager_->Current();
  EXPECT_EQ(after->counts.rows, 2);
  EXPECT_NE(after->roster_version, before->roster_version);
  EXPECT_THAT(after->source.delta_paths, ::testing::ElementsAre(delta));
  // A reader holding the old engine still has a whole, working roster.
  EXPECT_EQ(before->matcher->roster().counts().rows, 1);
  EXPECT_EQ(store_->GetActiveRoster()->delta_paths.size(), 1u);
}

TEST_F(RosterManagerTest, AFailedLoadReportsLinesAndKeepsTheRosterInService) {
  RosterSource source;
  source.snapshot_path = Write("r.csv", std::string(kHeader) + kRow1);
  Run(manager_->StartSnapshot(source));
  const std::string version = manager_->Current()->roster_version;

  RosterSource bad;
  bad.snapshot_path =
      Write("bad.csv", std::string(kHeader) + kRow1 +
                           "01130012,1234,9999,,山田　一,,19600230,1,"
                           "20000101,,,\n");
  const v1::RosterOperation accepted = Run(manager_->StartSnapshot(bad));
  EXPECT_EQ(accepted.state(), v1::RosterOperation::STATE_SUCCEEDED);
  ASSERT_EQ(accepted.errors_size(), 1);
  EXPECT_EQ(accepted.errors(0).line(), 3);
  EXPECT_EQ(accepted.rows_rejected(), 1);

  RosterSource missing;
  missing.snapshot_path = dir_.File("no-such.csv");
  const v1::RosterOperation failed = Run(manager_->StartSnapshot(missing));
  EXPECT_EQ(failed.state(), v1::RosterOperation::STATE_FAILED);
  EXPECT_FALSE(failed.message().empty());
  EXPECT_NE(manager_->Current(), nullptr);
  EXPECT_EQ(swaps_.load(), 2);  // the first load and the accepted one
}

TEST_F(RosterManagerTest, LoadsTheDirectoryBesideTheRosterAndKeepsItForDeltas) {
  RosterSource source;
  source.snapshot_path = Write("r.csv", std::string(kHeader) + kRow1);
  source.directory_path = Write(
      "dir.csv",
      "insurer_number,name,name_kana,aliases,prefecture,address,employers\n"
      "01130012,全国健康保険協会東京支部,,協会けんぽ東京,東京都,東京都,\n"
      "not-a-number,壊れた行,,,,,\n");
  const v1::RosterOperation op = Run(manager_->StartSnapshot(source));
  EXPECT_EQ(op.state(), v1::RosterOperation::STATE_SUCCEEDED) << op.message();
  ASSERT_EQ(op.errors_size(), 1);  // the directory's bad row, by line
  EXPECT_EQ(op.errors(0).line(), 3);
  EXPECT_THAT(op.errors(0).reason(), HasSubstr("dir.csv"));
  auto engine = manager_->Current();
  ASSERT_NE(engine->directory, nullptr);
  EXPECT_EQ(engine->directory->size(), 1u);

  // Recorded with the roster, for a restart.
  auto restored = reconcile::ReadRecordedSource(*store_);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->source.directory_path, source.directory_path);

  const std::string delta =
      Write("d.csv", std::string("op,") + kHeader + "upsert," + kRow2);
  Run(manager_->StartDelta(delta, std::nullopt, 0));
  EXPECT_EQ(manager_->Current()->directory, engine->directory);
}

TEST_F(RosterManagerTest, RefusesBadRequests) {
  RosterSource relative;
  relative.snapshot_path = "roster.csv";
  EXPECT_EQ(manager_->StartSnapshot(relative).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(manager_->StartDelta("/tmp/d.csv", std::nullopt, 0).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no roster yet
  EXPECT_EQ(manager_->LoadModel("/tmp/m.model").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->GetOperation("op-0").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(RosterManagerTest, LoadsAModelKeepingTheIndex) {
  RosterSource source;
  source.snapshot_path = Write("r.csv", std::string(kHeader) + kRow1 + kRow2);
  Run(manager_->StartSnapshot(source));
  auto before = manager_->Current();
  matcher::Model model = matcher::Model::Default();
  model.label = "test-model";
  const std::string path = Write("m.model", matcher::SerializeModel(model));
  auto engine = manager_->LoadModel(path);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_THAT((*engine)->model_version, HasSubstr("test-model"));
  EXPECT_EQ((*engine)->roster_version, before->roster_version);
  EXPECT_EQ((*engine)->matcher->index(), before->matcher->index());
  EXPECT_EQ(store_->GetActiveRoster()->model_path, path);

  const std::string broken = Write("broken.model", "not a model\n");
  EXPECT_FALSE(manager_->LoadModel(broken).ok());
  EXPECT_EQ(manager_->Current(), *engine);
}

}  // namespace
}  // namespace kuromaru::grpc_service
