// The real `kuromaru rematch`: cases imported against a roster missing a
// fifth of its rows, re-matched against the whole roster; shards; a job
// killed with SIGKILL and started again; a second job refused.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/support/seed.h"

extern char** environ;

namespace kuromaru {
namespace {

using ::kuromaru::testing::RunKuromaru;
using ::testing::HasSubstr;

std::string TempDir() {
  std::string dir = ::testing::TempDir() + "/kuromaru_rematch_e2e_XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A number from the --report JSON; -1 when missing.
double Field(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const size_t at = json.find(key);
  if (at == std::string::npos) return -1;
  const size_t end = json.find_first_of(",}", at);
  double value = -1;
  if (!absl::SimpleAtod(json.substr(at + key.size(), end - at - key.size()),
                        &value)) {
    return -1;
  }
  return value;
}

// gen's receipts, imported against the roster without every fifth row.
struct Fixture {
  std::string dir, roster, store;
};

Fixture Imported(int persons, int receipts, int seed) {
  Fixture f;
  f.dir = TempDir();
  f.roster = f.dir + "/roster.csv";
  f.store = f.dir + "/cases.db";
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
  const std::string report = store + ".report.json";
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
  return ReadFile(report);
}

TEST(RematchE2eTest, ResolvesWhatTheWholeRosterFindsOnce) {
  const Fixture f = Imported(3000, 2000, 31);
  const std::string first = Rematch(f, f.store);
  EXPECT_GT(Field(first, "examined"), 0) << first;
  EXPECT_GT(Field(first, "resolved"), 0) << first;
  EXPECT_EQ(Field(first, "errors"), 0) << first;
  EXPECT_EQ(Field(first, "examined"),
            Field(first, "resolved") + Field(first, "changed") +
                Field(first, "unchanged") + Field(first, "skipped"));
  // Nothing is left to do: the open cases are the ones still open.
  const std::string second = Rematch(f, f.store);
  EXPECT_EQ(Field(second, "resolved"), 0) << second;
  EXPECT_EQ(Field(second, "changed"), 0) << second;
  EXPECT_EQ(Field(second, "examined"),
            Field(first, "changed") + Field(first, "unchanged"));
  // With the insurer directory: the same cases, the same candidates.
  const std::string routed =
      Rematch(f, f.store, {"--directory", f.dir + "/directory.csv"});
  EXPECT_EQ(Field(routed, "examined"), Field(second, "examined")) << routed;
  EXPECT_EQ(Field(routed, "changed") + Field(routed, "resolved"), 0) << routed;
  // Two shards cover the cases once.
  const std::string a = Rematch(f, f.store, {"--shard", "0/2"});
  const std::string b = Rematch(f, f.store, {"--shard", "1/2"});
  EXPECT_GT(Field(a, "examined"), 0);
  EXPECT_GT(Field(b, "examined"), 0);
  EXPECT_EQ(Field(a, "examined") + Field(b, "examined"),
            Field(second, "examined"));
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

// Starts `kuromaru args…` with stdout and stderr to files.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, (log + ".out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (log + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> words = {KUROMARU_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
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
    const pid_t pid = Spawn({"rematch", "--store", f.store, "--roster",
                             f.roster, "--threads", "1", "--report", report},
                            f.dir + "/stopped");
    ASSERT_GT(pid, 0);
    // Once the job has started (it logs so), stop it.
    for (int i = 0; i < 600; ++i) {
      if (ReadFile(f.dir + "/stopped.err").find("rematch started") !=
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
  EXPECT_THAT(ReadFile(f.dir + "/stopped.out"), HasSubstr("stopped"));
  const std::string json = ReadFile(report);
  EXPECT_THAT(json, HasSubstr("\"state\":\"stopped\""));
  EXPECT_GE(Field(json, "examined"), 0) << json;
  const std::string resumed = Rematch(f, f.store);
  EXPECT_THAT(resumed, HasSubstr("\"state\":\"finished\""));
  EXPECT_EQ(Field(resumed, "errors"), 0) << resumed;
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
  const double job = Field(ref, "duration_seconds");
  ASSERT_GT(job, 0) << ref;

  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 rng(::kuromaru::testing::TestSeed());
  bool killed = false;
  for (int attempt = 0; attempt < 3 && !killed; ++attempt) {
    CopyStore(pristine, f.store);
    const std::vector<std::string> args = {
        "rematch",         "--store", f.store,     "--roster", f.roster,
        "--lease-seconds", "4",       "--threads", "1"};
    const pid_t pid = Spawn(args, f.dir + "/killed");
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
  EXPECT_EQ(Field(resumed, "errors"), 0) << resumed;
  EXPECT_LE(Field(resumed, "resolved"), Field(ref, "resolved"));

  // Both stores end in the same state: nothing left to resolve or change,
  // the same cases open.
  const std::string after_crash = Rematch(f, f.store);
  const std::string after_ref = Rematch(f, reference);
  for (const char* name : {"examined", "unchanged"}) {
    EXPECT_EQ(Field(after_crash, name), Field(after_ref, name)) << name;
  }
  EXPECT_EQ(Field(after_crash, "resolved") + Field(after_crash, "changed"), 0);
  EXPECT_EQ(Field(after_ref, "resolved") + Field(after_ref, "changed"), 0);
}

}  // namespace
}  // namespace kuromaru
