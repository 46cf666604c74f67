// Loading the engine in service: the files read, what they rejected by
// line, failures naming their file, deltas and models over a loaded engine.
#include "services/reconcile/roster_loader.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/roster_file.h"
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

// A roster file is the roster of one kuromaru version. One written by another
// version is not served as it is; while the CSV and deltas it records are
// there unchanged, they are loaded instead, so that an upgraded server keeps
// serving the same roster until the file is built again.
TEST(RosterLoaderTest, ARosterFileOfAnotherVersionIsLoadedFromItsSources) {
  TempDir dir;
  RosterSource csv;
  csv.snapshot_path =
      dir.Write("r.csv", RosterCsv({::kuromaru::testing::kTakahashiTaro}));
  csv.delta_paths = {dir.Write(
      "d.csv", std::string("op,") + ::kuromaru::testing::kRosterHeader +
                   "upsert," + ::kuromaru::testing::kSatoHanako)};
  LoadReport built_report;
  absl::StatusOr<IndexedRoster> built =
      LoadIndexedRoster(csv, LoadOptions(), &built_report);
  ASSERT_TRUE(built.ok()) << built.status();
  const std::string old_file = dir.path() + "/old.snap";
  ASSERT_TRUE(matcher::WriteRosterFile(*built->index, built->info, old_file,
                                       "kuromaru 0.0.1")
                  .ok());

  RosterSource source;
  source.snapshot_path = old_file;
  LoadReport report;
  auto engine = LoadEngine(source, LoadOptions(), &report);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_EQ(report.rebuilt_from, old_file);
  EXPECT_FALSE(report.roster_file);
  EXPECT_EQ((*engine)->roster_version, built->index->roster().version());
  EXPECT_EQ((*engine)->counts.rows, 2);

  // The file as this version writes it is served as it is.
  const std::string new_file = dir.path() + "/new.snap";
  ASSERT_TRUE(
      matcher::WriteRosterFile(*built->index, built->info, new_file).ok());
  source.snapshot_path = new_file;
  engine = LoadEngine(source, LoadOptions(), &report);
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_TRUE(report.roster_file);
  EXPECT_EQ(report.rebuilt_from, "");

  // A recorded delta that changed since: the file stays refused.
  source.snapshot_path = old_file;
  dir.Write("d.csv", std::string("op,") + ::kuromaru::testing::kRosterHeader);
  engine = LoadEngine(source, LoadOptions(), &report);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("written by kuromaru 0.0.1"));
  // So is one whose CSV is gone.
  ASSERT_EQ(std::remove(csv.snapshot_path.c_str()), 0);
  engine = LoadEngine(source, LoadOptions(), &report);
  EXPECT_EQ(engine.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(engine.status().message()),
              HasSubstr("rebuild it with `kuromaru roster build`"));
}

}  // namespace
}  // namespace kuromaru::reconcile
