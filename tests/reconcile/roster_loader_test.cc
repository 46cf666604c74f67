// Loading the engine in service: the files read, what they rejected by
// line, failures naming their file, deltas and models over a loaded engine.
#include "services/reconcile/roster_loader.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/files.h"
#include "tests/support/roster.h"

namespace kuromaru::reconcile {
namespace {

using ::kuromaru::testing::RosterCsv;
using ::kuromaru::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kDirectory[] =
    "insurer_number,name,name_kana,aliases,prefecture,address,employers\n"
    "01130012,全国健康保険協会東京支部,,協会けんぽ東京,東京都,東京都,\n"
    "not-a-number,壊れた行,,,,,\n";

TEST(RosterLoaderTest, ReportsEachFilesRejectedRowsByLine) {
  TempDir dir;
  RosterSource source;
  source.snapshot_path = dir.Write(
      "r.csv", RosterCsv({::kuromaru::testing::kTakahashiTaro,
                          "01130012,1,2,,山田　一,,19600230,1,20000101,,,\n"}));
  source.delta_paths = {dir.Write(
      "d.csv", std::string("op,") + ::kuromaru::testing::kRosterHeader +
                   "upsert," + ::kuromaru::testing::kSatoHanako)};
  source.directory_path = dir.Write("dir.csv", kDirectory);
  LoadReport report;
  auto engine = LoadEngine(source, LoadOptions(), &report);
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_EQ(report.files.size(), 3u);
  EXPECT_EQ(report.files[0].kind, FileReport::Kind::kDirectory);
  EXPECT_EQ(report.files[0].rows.rows_rejected, 1);
  EXPECT_EQ(report.files[0].rows.errors[0].line, 3);
  EXPECT_EQ(report.files[1].path, source.snapshot_path);
  ASSERT_EQ(report.files[1].rows.errors.size(), 1u);
  EXPECT_EQ(report.files[1].rows.errors[0].line, 3);
  EXPECT_EQ(report.files[1].rows.errors[0].reason,
            "birth_date: not a valid date");
  EXPECT_EQ(report.files[2].kind, FileReport::Kind::kDelta);
  EXPECT_EQ(report.files[2].delta.inserted, 1);
  EXPECT_EQ(report.roster_rows_read(), 3);
  EXPECT_EQ(report.roster_rows_rejected(), 1);

  const Engine& e = **engine;
  EXPECT_EQ(e.counts.rows, 2);
  EXPECT_EQ(e.roster_version, report.roster_version);
  EXPECT_EQ(e.roster_version, e.matcher->roster().version());
  EXPECT_NE(e.directory, nullptr);
  EXPECT_EQ(e.model_source(), "built-in");
}

TEST(RosterLoaderTest, AFileThatCannotBeReadFailsTheLoadNamingIt) {
  TempDir dir;
  RosterSource source;
  source.snapshot_path = dir.File("missing.csv");
  auto engine = LoadEngine(source, LoadOptions(), nullptr);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(engine.status().message(), HasSubstr("missing.csv"));

  source.snapshot_path =
      dir.Write("r.csv", RosterCsv({::kuromaru::testing::kSatoHanako}));
  source.directory_path = dir.Write("bad-dir.csv", "insurer_number\n1\n");
  engine = LoadEngine(source, LoadOptions(), nullptr);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(engine.status().message(), HasSubstr("bad-dir.csv: "));
  EXPECT_THAT(engine.status().message(), HasSubstr("name"));
}

TEST(RosterLoaderTest, DeltasAndModelsMakeNewEnginesOverTheOld) {
  TempDir dir;
  RosterSource source;
  source.snapshot_path =
      dir.Write("r.csv", RosterCsv({::kuromaru::testing::kTakahashiTaro}));
  source.directory_path = dir.Write("dir.csv", kDirectory);
  auto first = LoadEngine(source, LoadOptions(), nullptr);
  ASSERT_TRUE(first.ok()) << first.status();

  const std::string delta = dir.Write(
      "d.csv", std::string("op,") + ::kuromaru::testing::kRosterHeader +
                   "upsert," + ::kuromaru::testing::kSatoHanako);
  auto second = ApplyDelta(**first, delta, base::TextEncoding::kUtf8,
                           std::nullopt, LoadOptions(), nullptr);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->counts.rows, 2);
  EXPECT_EQ((*first)->counts.rows, 1);  // the old engine is untouched
  EXPECT_THAT((*second)->source.delta_paths, ElementsAre(delta));
  EXPECT_EQ((*second)->directory, (*first)->directory);

  matcher::Model model = matcher::Model::Default();
  model.label = "refit";
  const std::string model_path =
      dir.Write("m.model", matcher::SerializeModel(model));
  auto third = WithModel(**second, model_path, LoadOptions());
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ((*third)->matcher->index(), (*second)->matcher->index());
  EXPECT_EQ((*third)->roster_version, (*second)->roster_version);
  EXPECT_THAT((*third)->model_version, HasSubstr("refit"));
  EXPECT_EQ((*third)->model_source(), model_path);

  EXPECT_FALSE(
      WithModel(**second, dir.Write("bad.model", "x\n"), LoadOptions()).ok());
}

}  // namespace
}  // namespace kuromaru::reconcile
