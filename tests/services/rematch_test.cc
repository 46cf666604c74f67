// The nightly re-match as a library, against an in-memory store and a small
// roster: what it does to each kind of case, shards, the lease, resuming.
#include "services/rematch/rematch.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "matcher/roster.h"
#include "services/store/sqlite_store.h"
#include "tests/support/seed.h"

namespace kuromaru::rematch {
namespace {

using ::testing::HasSubstr;

// 佐藤花子 is unique; two different 鈴木一郎 share kana, birth date and sex.
std::shared_ptr<const matcher::Matcher> MakeMatcher() {
  matcher::RosterBuilder b;
  auto add = [&](matcher::RosterRow r) { EXPECT_TRUE(b.Add(r).ok()); };
  add({.insurer_number = "01130012",
       .symbol = "1234",
       .number = "9999",
       .name_kanji = "佐藤　花子",
       .name_kana = "サトウ　ハナコ",
       .birth_date = "19800229",
       .sex = "2",
       .qualified_from = "20000101"});
  add({.insurer_number = "06130012",
       .symbol = "11",
       .number = "100",
       .name_kanji = "鈴木　一郎",
       .name_kana = "スズキ　イチロウ",
       .birth_date = "19700505",
       .sex = "1",
       .qualified_from = "20000101"});
  add({.insurer_number = "06130020",
       .symbol = "22",
       .number = "200",
       .name_kanji = "鈴木　一郎",
       .name_kana = "スズキ　イチロウ",
       .birth_date = "19700505",
       .sex = "1",
       .qualified_from = "20050101"});
  auto roster = b.Build();
  EXPECT_TRUE(roster.ok());
  auto index = matcher::RosterIndex::Build(*roster);
  EXPECT_TRUE(index.ok());
  auto m = matcher::Matcher::Create(*index, matcher::Model::Default(), {});
  EXPECT_TRUE(m.ok()) << m.status();
  return *std::move(m);
}

// An engine over `m` whose results carry the given versions.
reconcile::Engine EngineFor(std::shared_ptr<const matcher::Matcher> m,
                            const std::string& roster,
                            const std::string& model) {
  reconcile::Engine engine;
  engine.matcher = std::move(m);
  engine.roster_version = roster;
  engine.model_version = model;
  return engine;
}

v1::Receipt Hanako(const std::string& id) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_insurer_number("01130012");
  r.set_symbol("1234");
  r.set_number("9999");
  r.set_name_kanji("佐藤　花子");
  r.set_name_kana("サトウ　ハナコ");
  r.set_birth_date("19800229");
  r.set_sex("2");
  return r;
}

// A 不詳 receipt of either 鈴木一郎: two candidates, for a person to decide.
v1::Receipt Ichiro(const std::string& id) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_insurer_number("77777777");
  r.set_number("777777777");
  r.set_name_kanji("鈴木　一郎");
  r.set_name_kana("スズキ　イチロウ");
  r.set_birth_date("19700505");
  r.set_sex("1");
  return r;
}

// Nobody in the roster.
v1::Receipt Stranger(const std::string& id) {
  v1::Receipt r;
  r.set_receipt_id(id);
  r.set_service_month("202404");
  r.set_name_kanji("山田　太郎");
  r.set_name_kana("ヤマダ　タロウ");
  r.set_birth_date("19610101");
  r.set_sex("1");
  return r;
}

v1::MatchResult Unmatched() {
  v1::MatchResult m;
  m.set_decision(v1::DECISION_NO_MATCH);
  m.set_roster_version("r0");
  m.set_model_version("m0");
  return m;
}

v1::MatchResult InReview() {
  v1::MatchResult m;
  m.set_decision(v1::DECISION_REVIEW);
  v1::Candidate* c = m.add_candidates();
  c->set_insurer_number("27130015");
  c->set_number("1");
  c->set_qualified_from("20000101");
  c->set_probability(0.5);
  m.set_roster_version("r0");
  m.set_model_version("m0");
  return m;
}

class RematchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteStore::Open(":memory:", store::SqliteOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    matcher_ = MakeMatcher();
    options_.owner = "test";
    options_.threads = 2;
    options_.write_concurrency = 8;
  }

  void Create(const v1::Receipt& receipt, const v1::MatchResult& result) {
    v1::MatchResult r = result;
    r.set_receipt_id(receipt.receipt_id());
    auto w = store_->CreateCase({receipt, r, {"claims", "claims", "", ""}});
    ASSERT_TRUE(w.ok()) << w.status();
  }

  v1::Case Get(const std::string& id) {
    auto c = store_->GetCase(id, {"t", "admin", "", ""}, false);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Case();
  }

  int Rematches(const std::string& id) {
    int n = 0;
    const v1::Case c = Get(id);
    for (const v1::CaseEvent& e : c.history()) {
      n += e.action() == "REMATCHED";
    }
    return n;
  }

  absl::StatusOr<RematchReport> Run(const std::string& roster = "r1") {
    return RunRematch(*store_, EngineFor(matcher_, roster, "m1"), options_);
  }

  void Decide(const std::string& id, bool confirm) {
    const v1::Case c = Get(id);
    store::ReviewerDecision d;
    d.receipt_id = id;
    d.expected_version = c.version();
    d.idempotency_key = "k-" + id;
    d.actor = {"alice", "reviewer", "", ""};
    if (confirm) {
      d.candidate = cases::KeyOf(c.result().candidates(0));
      ASSERT_TRUE(store_->Confirm(d).ok());
    } else {
      ASSERT_TRUE(store_->MarkNoMatch(d).ok());
    }
  }

  std::unique_ptr<store::CaseStore> store_;
  std::shared_ptr<const matcher::Matcher> matcher_;
  RematchOptions options_;
};

TEST_F(RematchTest, ResolvesChangesAndLeavesAlone) {
  Create(Hanako("R1"), Unmatched());
  Create(Ichiro("R2"), Unmatched());
  Create(Stranger("R3"), Unmatched());
  Create(Hanako("R4"), InReview());
  Create(Hanako("R5"), InReview());
  Decide("R4", /*confirm=*/true);
  Decide("R5", /*confirm=*/false);
  const int64_t r4_version = Get("R4").version();

  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->total, 3);
  EXPECT_EQ(report->examined, 3);
  EXPECT_EQ(report->resolved, 1);
  EXPECT_EQ(report->changed, 1);
  EXPECT_EQ(report->unchanged, 1);
  EXPECT_EQ(report->errors, 0);
  EXPECT_EQ(report->roster_version, "r1");

  const v1::Case r1 = Get("R1");
  EXPECT_EQ(r1.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(r1.resolved_by(), v1::ACTOR_KIND_NIGHTLY_JOB);
  EXPECT_EQ(r1.resolved().number(), "9999");
  EXPECT_EQ(r1.roster_version(), "r1");
  EXPECT_EQ(r1.model_version(), "m1");
  const v1::Case r2 = Get("R2");
  EXPECT_EQ(r2.state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(r2.result().candidates_size(), 2);
  EXPECT_EQ(Get("R3").state(), v1::CASE_STATE_UNMATCHED);
  EXPECT_EQ(Rematches("R3"), 0);
  // Human decisions are never touched.
  EXPECT_EQ(Get("R4").state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(Get("R4").version(), r4_version);
  EXPECT_EQ(Get("R5").state(), v1::CASE_STATE_REJECTED);
  EXPECT_EQ(Rematches("R5"), 0);
}

TEST_F(RematchTest, ARunAgainWritesNothing) {
  Create(Hanako("R1"), Unmatched());
  Create(Ichiro("R2"), InReview());
  ASSERT_TRUE(Run().ok());
  auto again = Run();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->examined, 1);  // R1 is resolved, R2 still in review
  EXPECT_EQ(again->unchanged, 1);
  EXPECT_EQ(again->changed + again->resolved, 0);
  EXPECT_EQ(Rematches("R1"), 1);
  EXPECT_EQ(Rematches("R2"), 1);
  EXPECT_EQ(Get("R2").previous_candidates_size(), 1);
}

TEST_F(RematchTest, MonthRangeLimitsTheCases) {
  v1::Receipt old = Hanako("R1");
  old.set_service_month("202301");
  Create(old, Unmatched());
  Create(Hanako("R2"), Unmatched());
  options_.month_from = "202401";
  options_.month_to = "202412";
  auto report = Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->examined, 1);
  EXPECT_EQ(Get("R1").state(), v1::CASE_STATE_UNMATCHED);
  EXPECT_EQ(Get("R2").state(), v1::CASE_STATE_AUTO_RESOLVED);
}

TEST_F(RematchTest, ShardsPartitionTheCases) {
  for (int i = 0; i < 120; ++i) {
    Create(Stranger(absl::StrCat("S", 1000 + i)), Unmatched());
  }
  options_.shard_count = 3;
  int64_t examined = 0;
  for (int shard = 0; shard < 3; ++shard) {
    options_.shard_index = shard;
    auto report = Run();
    ASSERT_TRUE(report.ok()) << report.status();
    int64_t expected = 0;
    for (int i = 0; i < 120; ++i) {
      expected += store::ShardOf(absl::StrCat("S", 1000 + i), 3) == shard;
    }
    EXPECT_EQ(report->examined, expected) << shard;
    examined += report->examined;
  }
  EXPECT_EQ(examined, 120);
}

TEST_F(RematchTest, ASecondJobOnTheShardIsRefused) {
  Create(Hanako("R1"), Unmatched());
  ASSERT_TRUE(
      store_->AcquireLease(ShardName(options_), "other", absl::Minutes(1))
          .ok());
  auto refused = Run();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Get("R1").state(), v1::CASE_STATE_UNMATCHED);
  // Another shard of the same job is free.
  options_.shard_count = 2;
  EXPECT_TRUE(Run().ok());
  // The lease is released at the end: the other owner's lease was not.
  EXPECT_FALSE(
      store_->AcquireLease(ShardName({}), "third", absl::Minutes(1)).ok());
  EXPECT_TRUE(
      store_->AcquireLease(ShardName(options_), "third", absl::Minutes(1))
          .ok());
}

TEST_F(RematchTest, ResumesAfterTheCheckpoint) {
  for (int i = 0; i < 100; ++i) {
    Create(Hanako(absl::StrCat("H", 1000 + i)), Unmatched());
  }
  options_.page_size = 10;
  options_.scan_size = 25;  // pages of 10, 10, 5, 10, …
  std::atomic<bool> cancel{false};
  options_.cancel = &cancel;
  options_.on_progress = [&](const RematchProgress& p) {
    if (p.examined >= 10) cancel = true;
  };
  auto first = Run();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kCancelled);
  auto saved = store_->LoadCheckpoint(ShardName(options_));
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_THAT(**saved, HasSubstr("H1019"));

  cancel = false;
  options_.on_progress = nullptr;
  auto second = Run();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->resumed_after, "H1019");
  EXPECT_EQ(second->total, 80);
  EXPECT_EQ(second->resolved, 80);
  for (int i = 0; i < 100; ++i) {
    const std::string id = absl::StrCat("H", 1000 + i);
    EXPECT_EQ(Get(id).state(), v1::CASE_STATE_AUTO_RESOLVED) << id;
    EXPECT_EQ(Rematches(id), 1) << id;
  }
  // Finished: the next night starts from the first case.
  saved = store_->LoadCheckpoint(ShardName(options_));
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ(**saved, "");
}

// A case that fails in a run that is then interrupted lies behind the
// checkpoint: the run that resumes reports it, so the night is not "done".
TEST_F(RematchTest, AResumedRunReportsTheErrorsOfTheRunItResumes) {
  for (int i = 0; i < 30; ++i) {
    v1::Receipt r = Hanako(absl::StrCat("H", 1000 + i));
    if (i == 3) r.clear_birth_date();  // stored, but cannot be matched
    Create(r, Unmatched());
  }
  options_.page_size = 10;
  std::atomic<bool> cancel{false};
  options_.cancel = &cancel;
  options_.on_progress = [&](const RematchProgress& p) {
    if (p.examined >= 10) cancel = true;
  };
  auto first = Run();
  EXPECT_EQ(first.status().code(), absl::StatusCode::kCancelled);
  cancel = false;
  options_.on_progress = nullptr;
  auto second = Run();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->resumed_after, "H1019");  // pages of 10 overlap by one
  EXPECT_EQ(second->resolved, 10);
  EXPECT_EQ(second->errors, 1);
  // The next night tries it again, on its own.
  auto third = Run();
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->resumed_after, "");
  EXPECT_EQ(third->examined, 1);
  EXPECT_EQ(third->errors, 1);
}

TEST_F(RematchTest, ACheckpointOfAnotherRosterIsNotResumed) {
  for (int i = 0; i < 30; ++i) {
    Create(Stranger(absl::StrCat("S", 1000 + i)), Unmatched());
  }
  options_.page_size = 10;
  std::atomic<bool> cancel{false};
  options_.cancel = &cancel;
  options_.on_progress = [&](const RematchProgress& p) {
    if (p.examined >= 10) cancel = true;
  };
  EXPECT_EQ(Run("r1").status().code(), absl::StatusCode::kCancelled);
  auto saved = store_->LoadCheckpoint(ShardName(options_));
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_THAT(**saved, HasSubstr("S1019"));
  cancel = false;
  options_.on_progress = nullptr;
  auto other = Run("r2");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->resumed_after, "");
  EXPECT_EQ(other->examined, 30);
}

TEST_F(RematchTest, BadOptionsAreRefused) {
  options_.shard_index = 2;
  options_.shard_count = 2;
  EXPECT_EQ(Run().status().code(), absl::StatusCode::kInvalidArgument);
  options_.shard_index = 0;
  options_.owner.clear();
  EXPECT_EQ(Run().status().code(), absl::StatusCode::kInvalidArgument);
}

// A job killed with SIGKILL at a random moment and started again finishes
// the work: every case re-matched, none twice, none half-written.
class RematchCrashTest : public ::testing::Test {
 protected:
  static constexpr int kCases = 3000;

  static std::string Id(int i) { return absl::StrCat("C", 100000 + i); }

  // A third resolve, a third change, a third stay as they are.
  static v1::Receipt ReceiptOf(int i) {
    switch (i % 3) {
      case 0:
        return Hanako(Id(i));
      case 1:
        return Ichiro(Id(i));
      default:
        return Stranger(Id(i));
    }
  }

  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/kuromaru_rematch_XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    path_ = dir + "/cases.db";
    store::SqliteOptions fast;
    fast.synchronous_full = false;  // only to fill the file quickly
    auto store = store::SqliteStore::Open(path_, fast);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kCases; i += 8) {
          v1::MatchResult r = Unmatched();
          r.set_receipt_id(Id(i));
          EXPECT_TRUE((*store)->CreateCase({ReceiptOf(i), r, {}}).ok());
        }
      });
    }
    for (std::thread& t : threads) t.join();
  }

  static RematchOptions Options(const std::string& owner) {
    RematchOptions o;
    o.owner = owner;
    o.page_size = 50;
    o.threads = 2;
    o.write_concurrency = 16;
    o.lease_ttl = absl::Seconds(1);
    return o;
  }

  // The child: re-matches slowly until it is killed. Uses only the store,
  // the matcher and _exit.
  [[noreturn]] void RunChild() {
    auto store = store::SqliteStore::Open(path_, store::SqliteOptions());
    if (!store.ok()) _exit(2);
    auto matcher = MakeMatcher();
    RematchOptions o = Options("child");
    o.on_progress = [](const RematchProgress&) {
      absl::SleepFor(absl::Milliseconds(10));
    };
    auto report = RunRematch(**store, EngineFor(matcher, "r1", "m1"), o);
    _exit(report.ok() ? 0 : 4);
  }

  std::string path_;
};

TEST_F(RematchCrashTest, KilledAndRestartedProcessesEveryCaseOnce) {
  SCOPED_TRACE(::kuromaru::testing::SeedNote());
  std::mt19937 rng(::kuromaru::testing::TestSeed());
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) RunChild();
  auto store = store::SqliteStore::Open(path_, store::SqliteOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string name = ShardName(Options("parent"));
  // Kill it at a random moment after its first checkpoint.
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    auto saved = (*store)->LoadCheckpoint(name);
    if (saved.ok() && saved->has_value() && !(*saved)->empty()) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  absl::SleepFor(
      absl::Milliseconds(std::uniform_int_distribution<int>(0, 400)(rng)));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before the kill";

  // The dead job's lease holds the shard until it expires.
  auto matcher = MakeMatcher();
  absl::StatusOr<RematchReport> report =
      RunRematch(**store, EngineFor(matcher, "r1", "m1"), Options("parent"));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  while (absl::IsFailedPrecondition(report.status())) {
    absl::SleepFor(absl::Milliseconds(100));
    report =
        RunRematch(**store, EngineFor(matcher, "r1", "m1"), Options("parent"));
  }
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_NE(report->resumed_after, "");
  EXPECT_EQ(report->errors, 0);

  for (int i = 0; i < kCases; ++i) {
    auto c = (*store)->GetCase(Id(i), {"t", "admin", "", ""}, false);
    ASSERT_TRUE(c.ok()) << c.status();
    int rematched = 0;
    for (const v1::CaseEvent& e : c->history()) {
      rematched += e.action() == "REMATCHED";
    }
    const v1::CaseState want[] = {v1::CASE_STATE_AUTO_RESOLVED,
                                  v1::CASE_STATE_PENDING_REVIEW,
                                  v1::CASE_STATE_UNMATCHED};
    ASSERT_EQ(c->state(), want[i % 3]) << Id(i);
    ASSERT_EQ(rematched, i % 3 == 2 ? 0 : 1) << Id(i);
  }
}

}  // namespace
}  // namespace kuromaru::rematch
