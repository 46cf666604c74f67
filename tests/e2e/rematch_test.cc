// The real `kuromaru rematch`: cases imported against a roster missing a
// fifth of its rows, re-matched against the whole roster; shards; a job
// killed with SIGKILL and started again; a second job refused; on
// PostgreSQL, two shards at once, one killed and started again.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/support/postgres_cluster.h"
#include "tests/support/seed.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::JsonNumber;
using ::kuromaru::testing::ReadFileOrEmpty;
using ::kuromaru::testing::RunKuromaru;
using ::kuromaru::testing::SpawnKuromaru;
using ::testing::HasSubstr;

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "/kuromaru_rematch_e2e_XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

// gen's receipts, imported against the roster without every fifth row,
// into `store` (default: a SQLite file in the fixture's folder).
struct Fixture {
  std::string dir, roster, store;
};

Fixture Imported(int persons, int receipts, int seed,
                 const std::string& store = "") {
  Fixture f;
  f.dir = TempDir();
  f.roster = f.dir + "/roster.csv";
  f.store = store.empty() ? f.dir + "/cases.db" : store;
  const auto gen =
      RunKuromaru({"gen", "--persons", std::to_string(persons), "--receipts",
                   std::to_string(receipts), "--seed", std::to_string(seed),
                   "--out", f.dir});
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  std::ifstream in(f.roster);
  std::ofstream partial(f.dir + "/partial.csv");
  int n = 0;
  for (std::string line; std::getline(in, line); ++n) {
    if (n == 0 || n % 5 != 0) partial << line << "\n";
  }
  partial.close();
  const auto imported = RunKuromaru({"import", "--store", f.store, "--receipts",
                                     f.dir + "/receipts.jsonl", "--roster",
                                     f.dir + "/partial.csv"});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  return f;
}

// Runs rematch; returns its --report JSON (empty when it wrote none).
std::string Rematch(const Fixture& f, const std::string& store,
                    std::vector<std::string> extra = {}, int* exit = nullptr) {
  const std::string report = f.dir + "/report.json";
  std::filesystem::remove(report);
  std::vector<std::string> args = {"rematch", "--store",  store, "--roster",
                                   f.roster,  "--report", report};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = RunKuromaru(args);
  if (exit != nullptr) {
    *exit = r.exit_code;
  } else {
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  return ReadFileOrEmpty(report);
}

TEST(RematchE2eTest, ResolvesWhatTheWholeRosterFindsOnce) {
  const Fixture f = Imported(3000, 2000, 31);
  const std::string first = Rematch(f, f.store);
  EXPECT_GT(JsonNumber(first, "examined"), 0) << first;
  EXPECT_GT(JsonNumber(first, "resolved"), 0) << first;
  EXPECT_EQ(JsonNumber(first, "errors"), 0) << first;
  EXPECT_EQ(JsonNumber(first, "examined"),
            JsonNumber(first, "resolved") + JsonNumber(first, "changed") +
                JsonNumber(first, "unchanged") + JsonNumber(first, "skipped"));
  // Nothing is left to do: the open cases are the ones still open.
  const std::string second = Rematch(f, f.store);
  EXPECT_EQ(JsonNumber(second, "resolved"), 0) << second;
  EXPECT_EQ(JsonNumber(second, "changed"), 0) << second;
  EXPECT_EQ(JsonNumber(second, "examined"),
            JsonNumber(first, "changed") + JsonNumber(first, "unchanged"));
  // With the insurer directory: the same cases, the same candidates.
  const std::string routed =
      Rematch(f, f.store, {"--directory", f.dir + "/directory.csv"});
  EXPECT_EQ(JsonNumber(routed, "examined"), JsonNumber(second, "examined"))
      << routed;
  EXPECT_EQ(JsonNumber(routed, "changed") + JsonNumber(routed, "resolved"), 0)
      << routed;
  // Two shards cover the cases once.
  const std::string a = Rematch(f, f.store, {"--shard", "0/2"});
  const std::string b = Rematch(f, f.store, {"--shard", "1/2"});
  EXPECT_GT(JsonNumber(a, "examined"), 0);
  EXPECT_GT(JsonNumber(b, "examined"), 0);
  EXPECT_EQ(JsonNumber(a, "examined") + JsonNumber(b, "examined"),
            JsonNumber(second, "examined"));
}

TEST(RematchE2eTest, BadFlagsAreNamedAndNoRosterCannotRun) {
  const std::string dir = TempDir();
  const auto shard =
      RunKuromaru({"rematch", "--store", dir + "/x.db", "--shard", "2/2"});
  EXPECT_EQ(shard.exit_code, 2);
  EXPECT_THAT(shard.err, HasSubstr("--shard: i/n"));
  EXPECT_THAT(shard.err, HasSubstr("not \"2/2\""));
  const auto months =
      RunKuromaru({"rematch", "--store", dir + "/x.db", "--months", "2024"});
  EXPECT_EQ(months.exit_code, 2);
  EXPECT_THAT(months.err, HasSubstr("--months: a range YYYYMM-YYYYMM"));
  const auto both = RunKuromaru(
      {"rematch", "--store", dir + "/x.db", "--server", "127.0.0.1:1"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("one of --store"));
  const auto r = RunKuromaru({"rematch", "--store", dir + "/x.db"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no active roster"));
}

// `import --roster` records the roster it matched with, so that the next
// re-match needs no --roster; a short run still logs its progress.
TEST(RematchE2eTest, ImportRecordsItsRosterForTheNextRematch) {
  const Fixture f = Imported(1000, 300, 33);
  const auto r = RunKuromaru({"rematch", "--store", f.store});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("examined"));
  EXPECT_THAT(r.err, HasSubstr("\"msg\":\"progress\""));
}

void CopyStore(const std::string& from, const std::string& to) {
  for (const char* suffix : {"", "-wal"}) {
    std::filesystem::remove(to + suffix);
    if (std::filesystem::exists(from + suffix)) {
      std::filesystem::copy_file(from + suffix, to + suffix);
    }
  }
}

// SIGTERM stops the job after the page in flight; it still prints its
// summary and writes its --report, marked stopped, and the next run resumes.
TEST(RematchE2eTest, StoppedBySigtermReportsWhatItDid) {
  const Fixture f = Imported(6000, 12000, 43);
  const std::string pristine = f.dir + "/pristine.db";
  CopyStore(f.store, pristine);
  const std::string report = f.dir + "/stopped.json";
  bool stopped = false;
  for (int attempt = 0; attempt < 3 && !stopped; ++attempt) {
    CopyStore(pristine, f.store);
    std::filesystem::remove(report);
    const pid_t pid =
        SpawnKuromaru({"rematch", "--store", f.store, "--roster", f.roster,
                       "--threads", "1", "--report", report},
                      f.dir + "/stopped");
    ASSERT_GT(pid, 0);
    // Once the job has started (it logs so), stop it.
    for (int i = 0; i < 600; ++i) {
      if (ReadFileOrEmpty(f.dir + "/stopped.err").find("rematch started") !=
          std::string::npos) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    stopped = WEXITSTATUS(status) == 1;
  }
  ASSERT_TRUE(stopped) << "every run finished before SIGTERM";
  EXPECT_THAT(ReadFileOrEmpty(f.dir + "/stopped.out"), HasSubstr("stopped"));
  const std::string json = ReadFileOrEmpty(report);
  EXPECT_THAT(json, HasSubstr("\"state\":\"stopped\""));
  EXPECT_GE(JsonNumber(json, "examined"), 0) << json;
  const std::string resumed = Rematch(f, f.store);
  EXPECT_THAT(resumed, HasSubstr("\"state\":\"finished\""));
  EXPECT_EQ(JsonNumber(resumed, "errors"), 0) << resumed;
}

TEST(RematchE2eTest, KilledMidRunAndRestartedFinishesTheWork) {
  const Fixture f = Imported(8000, 20000, 41);
  const std::string pristine = f.dir + "/pristine.db";
  const std::string reference = f.dir + "/reference.db";
  CopyStore(f.store, pristine);
  CopyStore(f.store, reference);
  // How long a whole run takes, and how much of it is the job itself.
  const absl::Time start = absl::Now();
  const std::string ref = Rematch(f, reference);
  const double wall = absl::ToDoubleSeconds(absl::Now() - start);
  const double job = JsonNumber(ref, "duration_seconds");
  ASSERT_GT(job, 0) << ref;

  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 rng(::kuromaru::testing::TestSeed());
  bool killed = false;
  for (int attempt = 0; attempt < 3 && !killed; ++attempt) {
    CopyStore(pristine, f.store);
    const std::vector<std::string> args = {
        "rematch",         "--store", f.store,     "--roster", f.roster,
        "--lease-seconds", "4",       "--threads", "1"};
    const pid_t pid = SpawnKuromaru(args, f.dir + "/killed");
    ASSERT_GT(pid, 0);
    const double at =
        (wall - job) + job * std::uniform_real_distribution<>(0.2, 0.7)(rng);
    absl::SleepFor(absl::Seconds(at));
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    killed = WIFSIGNALED(status);
  }
  ASSERT_TRUE(killed) << "every run finished before it could be killed";

  // The dead job's lease still holds the shard: a second job refuses,
  // saying who holds it and until when.
  const auto refused =
      RunKuromaru({"rematch", "--store", f.store, "--roster", f.roster});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, HasSubstr("is held by "));
  EXPECT_THAT(refused.err, HasSubstr(" until "));
  absl::SleepFor(absl::Seconds(4.5));
  const std::string resumed = Rematch(f, f.store);
  EXPECT_EQ(JsonNumber(resumed, "errors"), 0) << resumed;
  EXPECT_LE(JsonNumber(resumed, "resolved"), JsonNumber(ref, "resolved"));

  // Both stores end in the same state: nothing left to resolve or change,
  // the same cases open.
  const std::string after_crash = Rematch(f, f.store);
  const std::string after_ref = Rematch(f, reference);
  for (const char* name : {"examined", "unchanged"}) {
    EXPECT_EQ(JsonNumber(after_crash, name), JsonNumber(after_ref, name))
        << name;
  }
  EXPECT_EQ(
      JsonNumber(after_crash, "resolved") + JsonNumber(after_crash, "changed"),
      0);
  EXPECT_EQ(
      JsonNumber(after_ref, "resolved") + JsonNumber(after_ref, "changed"), 0);
}

// The nightly job as deploy/ runs it on PostgreSQL: two shards at once, one
// killed mid-run. Its restart is refused while the dead shard's lease
// lives, then takes the shard over from its checkpoint; no case is
// re-matched twice, and the store ends as an uninterrupted run leaves one.
TEST(RematchE2eTest, PostgresShardsRunAtOnceAndAKilledShardIsTakenOver) {
  ::kuromaru::testing::PostgresCluster* cluster =
      ::kuromaru::testing::PostgresCluster::Shared();
  ASSERT_NE(cluster, nullptr);
  auto dsn = cluster->CreateSchema("e2e_rematch_shards");
  auto reference_dsn = cluster->CreateSchema("e2e_rematch_reference");
  ASSERT_TRUE(dsn.ok() && reference_dsn.ok());
  const Fixture f = Imported(8000, 16000, 47, *dsn);
  const Fixture ref = Imported(8000, 16000, 47, *reference_dsn);
  const std::string uninterrupted = Rematch(ref, ref.store, {"--threads", "1"});
  ASSERT_GT(JsonNumber(uninterrupted, "resolved"), 0) << uninterrupted;

  auto shard = [&](int i, const std::string& log) {
    return SpawnKuromaru(
        {"rematch", "--store", f.store, "--roster", f.roster, "--shard",
         absl::StrCat(i, "/2"), "--lease-seconds", "4", "--threads", "1",
         "--report", absl::StrCat(f.dir, "/", log, ".json")},
        f.dir + "/" + log);
  };
  auto wait = [](pid_t pid) {
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    return status;
  };
  const pid_t zero = shard(0, "shard0");
  const pid_t one = shard(1, "shard1");
  ASSERT_GT(zero, 0);
  ASSERT_GT(one, 0);
  // Shard 1 is killed early in its run: it does half the work of the
  // uninterrupted run, beside shard 0.
  for (int i = 0; i < 600; ++i) {
    if (ReadFileOrEmpty(f.dir + "/shard1.err").find("rematch started") !=
        std::string::npos) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 rng(::kuromaru::testing::TestSeed());
  absl::SleepFor(
      absl::Seconds(JsonNumber(uninterrupted, "duration_seconds") *
                    std::uniform_real_distribution<>(0.1, 0.3)(rng)));
  ASSERT_EQ(kill(one, SIGKILL), 0);
  const int killed = wait(one);
  const int finished = wait(zero);
  ASSERT_TRUE(WIFEXITED(finished) && WEXITSTATUS(finished) == 0)
      << ReadFileOrEmpty(f.dir + "/shard0.err");
  if (!WIFSIGNALED(killed)) {
    GTEST_SKIP() << "shard 1 finished before it could be killed";
  }
  // As the Indexed Job's retry would: refused while the lease lives.
  const auto refused = RunKuromaru(
      {"rematch", "--store", f.store, "--roster", f.roster, "--shard", "1/2"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, HasSubstr("is held by "));
  absl::SleepFor(absl::Seconds(4.5));
  const std::string resumed = Rematch(f, f.store, {"--shard", "1/2"});
  EXPECT_EQ(JsonNumber(resumed, "errors"), 0) << resumed;

  // Cases were re-matched, and none twice under one roster and model.
  EXPECT_TRUE(
      cluster
          ->RunAsSuperuser("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM "
                           "e2e_rematch_shards.case_events WHERE action = "
                           "'REMATCHED') THEN RAISE EXCEPTION 'no re-match "
                           "events'; END IF; END $$")
          .ok());
  EXPECT_TRUE(
      cluster
          ->RunAsSuperuser(
              "DO $$ BEGIN IF EXISTS (SELECT 1 FROM "
              "e2e_rematch_shards.case_events WHERE action = 'REMATCHED' "
              "GROUP BY receipt_id, roster_version, model_version "
              "HAVING count(*) > 1) THEN RAISE EXCEPTION 'a case was "
              "re-matched twice'; END IF; END $$")
          .ok());
  // Both stores end alike: nothing left to do, the same cases open.
  const std::string after_kill = Rematch(f, f.store);
  const std::string after_ref = Rematch(ref, ref.store);
  for (const char* name : {"examined", "unchanged"}) {
    EXPECT_EQ(JsonNumber(after_kill, name), JsonNumber(after_ref, name))
        << name;
  }
  EXPECT_EQ(
      JsonNumber(after_kill, "resolved") + JsonNumber(after_kill, "changed"),
      0);
}

}  // namespace
}  // namespace kuromaru
