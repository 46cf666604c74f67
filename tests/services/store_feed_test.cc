// The case store's results feed, the nightly job's writes (re-match, open
// case scan, leases, checkpoints), retention and the active roster.
#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/store/case_store.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;

v1::MatchResult Result(v1::Decision decision,
                       const std::vector<std::string>& numbers,
                       const std::string& versions = "1") {
  v1::MatchResult m;
  m.set_decision(decision);
  for (const std::string& n : numbers) {
    v1::Candidate* c = m.add_candidates();
    c->set_insurer_number("01130012");
    c->set_number(n);
    c->set_qualified_from("20200401");
    c->set_probability(0.5);
  }
  m.set_roster_version("roster-" + versions);
  m.set_model_version("model-" + versions);
  return m;
}

class StoreFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions options;
    options.clock = [this] { return absl::FromUnixMicros(now_us_.load()); };
    auto store = SqliteStore::Open(":memory:", options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  absl::Time Now() const { return absl::FromUnixMicros(now_us_.load()); }
  void Advance(absl::Duration d) { now_us_ += absl::ToInt64Microseconds(d); }

  v1::Case Create(const std::string& id, const v1::MatchResult& result,
                  const std::string& month = "202404") {
    v1::Receipt r;
    r.set_receipt_id(id);
    r.set_service_month(month);
    auto w = store_->CreateCase({r, result, job_});
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? w->stored : v1::Case();
  }

  Decision Decide(const v1::Case& c, const std::string& key) {
    Decision d;
    d.receipt_id = c.receipt_id();
    d.expected_version = c.version();
    d.idempotency_key = key;
    if (c.result().candidates_size() > 0) {
      d.candidate = KeyOf(c.result().candidates(0));
    }
    d.actor = {"bob", "reviewer", "req", ""};
    return d;
  }

  absl::StatusOr<RematchWrite> Rematch(const v1::Case& c,
                                       const v1::MatchResult& result) {
    store::Rematch r;
    r.receipt_id = c.receipt_id();
    r.expected_version = c.version();
    r.result = result;
    r.actor = job_;
    return store_->ApplyRematch(r);
  }

  v1::Case Get(const std::string& id) {
    auto c = store_->GetCase(id, job_, false);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Case();
  }

  std::atomic<int64_t> now_us_{1700000000000000};
  Actor job_{"rematch", "job", "job-1", ""};
  std::unique_ptr<CaseStore> store_;
};

TEST_F(StoreFeedTest, ChangesComeInCommitOrderWithCursors) {
  v1::Case a = Create("A", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case b = Create("B", Result(v1::DECISION_NO_MATCH, {}));
  ASSERT_TRUE(store_->Confirm(Decide(a, "k")).ok());
  auto rematched = Rematch(b, Result(v1::DECISION_AUTO_MATCH, {"7"}, "2"));
  ASSERT_TRUE(rematched.ok()) << rematched.status();
  ASSERT_TRUE(store_->GetCase("A", job_, true).ok());  // not a change

  auto all = store_->ListChanges("", 0);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> seen;
  for (const v1::Change& c : all->changes) {
    seen.push_back(absl::StrCat(c.receipt_id(), "@", c.version(), ":",
                                v1::ActorKind_Name(c.actor_kind())));
  }
  EXPECT_THAT(
      seen,
      ElementsAre("A@1:ACTOR_KIND_INTAKE", "B@1:ACTOR_KIND_INTAKE",
                  "A@2:ACTOR_KIND_REVIEWER", "B@2:ACTOR_KIND_NIGHTLY_JOB"));
  EXPECT_EQ(all->changes[2].state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(all->changes[2].resolved().number(), "1");
  EXPECT_EQ(all->changes[3].state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(all->changes[3].result().roster_version(), "roster-2");
  // Superseded changes keep state and version; the latest carries the result.
  EXPECT_FALSE(all->changes[0].has_result());
  EXPECT_FALSE(all->changes[1].has_result());
  EXPECT_EQ(all->changes[1].state(), v1::CASE_STATE_UNMATCHED);
  EXPECT_EQ(all->changes[2].result().candidates_size(), 1);
  EXPECT_EQ(all->next_cursor, all->changes[3].cursor());

  auto first = store_->ListChanges("", 3);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->changes.size(), 3u);
  auto rest = store_->ListChanges(first->next_cursor, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->changes.size(), 1u);
  EXPECT_EQ(rest->changes[0].receipt_id(), "B");
  auto none = store_->ListChanges(rest->next_cursor, 3);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->changes.empty());
  EXPECT_EQ(none->next_cursor, rest->next_cursor);
  EXPECT_EQ(store_->ListChanges("x", 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListChanges("", 5000).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreFeedTest, TheLatestChangeOfACaseCarriesItsResult) {
  Create("A", Result(v1::DECISION_REVIEW, {"1", "2"}));
  auto page = store_->ListChanges("", 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->changes.size(), 1u);
  EXPECT_EQ(page->changes[0].result().receipt_id(), "A");
  EXPECT_EQ(page->changes[0].result().candidates_size(), 2);
}

TEST_F(StoreFeedTest, WaitForChangesWakesOnCommit) {
  Create("A", Result(v1::DECISION_REVIEW, {"1"}));
  auto page = store_->ListChanges("", 10);
  ASSERT_TRUE(page.ok());
  const std::string cursor = page->next_cursor;
  EXPECT_TRUE(store_->WaitForChanges("", absl::Now()));
  EXPECT_FALSE(
      store_->WaitForChanges(cursor, absl::Now() + absl::Milliseconds(20)));
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    Create("B", Result(v1::DECISION_REVIEW, {"1"}));
  });
  EXPECT_TRUE(store_->WaitForChanges(cursor, absl::Now() + absl::Seconds(30)));
  writer.join();
}

TEST_F(StoreFeedTest, RematchResolvesChangesOrLeavesAlone) {
  v1::Case same = Create("S", Result(v1::DECISION_REVIEW, {"1", "2"}));
  auto r = Rematch(same, Result(v1::DECISION_REVIEW, {"1", "2"}, "2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kUnchanged);
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(Get("S").roster_version(), "roster-1");

  v1::Case moved = Create("M", Result(v1::DECISION_REVIEW, {"1", "2"}));
  r = Rematch(moved, Result(v1::DECISION_REVIEW, {"3", "1"}, "2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kChanged);
  v1::Case m = Get("M");
  EXPECT_EQ(m.state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(m.version(), 2);
  ASSERT_EQ(m.previous_candidates_size(), 2);
  EXPECT_EQ(m.previous_candidates(0).number(), "1");
  EXPECT_EQ(m.result().candidates(0).number(), "3");
  EXPECT_EQ(m.history(1).action(), "REMATCHED");
  EXPECT_EQ(m.history(1).roster_version(), "roster-2");

  v1::Case open = Create("U", Result(v1::DECISION_NO_MATCH, {}));
  r = Rematch(open, Result(v1::DECISION_AUTO_MATCH, {"9"}, "3"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kResolved);
  v1::Case u = Get("U");
  EXPECT_EQ(u.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(u.resolved().number(), "9");
  EXPECT_EQ(u.resolved_by(), v1::ACTOR_KIND_NIGHTLY_JOB);
  EXPECT_EQ(u.model_version(), "model-3");

  // Stale reads are refused; unknown cases are NOT_FOUND.
  EXPECT_EQ(Rematch(moved, Result(v1::DECISION_REVIEW, {"5"})).status().code(),
            absl::StatusCode::kAborted);
  v1::Case ghost;
  ghost.set_receipt_id("ghost");
  EXPECT_EQ(Rematch(ghost, Result(v1::DECISION_REVIEW, {"5"})).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(StoreFeedTest, RematchNeverTouchesHumanDecisions) {
  v1::Case c = Create("C", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case confirmed = store_->Confirm(Decide(c, "c"))->stored;
  v1::Case n = Create("N", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case rejected = store_->MarkNoMatch(Decide(n, "n"))->stored;
  for (const v1::Case& human : {confirmed, rejected}) {
    auto r = Rematch(human, Result(v1::DECISION_AUTO_MATCH, {"8"}, "2"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->outcome, RematchOutcome::kSkipped);
    v1::Case after = Get(human.receipt_id());
    EXPECT_EQ(after.state(), human.state());
    EXPECT_EQ(after.version(), human.version());
    EXPECT_EQ(after.result().candidates(0).number(), "1");
  }
  // A reopened case stays with the reviewers even when the job is sure.
  v1::Case reopened = store_->Reopen(Decide(confirmed, "r"))->stored;
  auto r = Rematch(reopened, Result(v1::DECISION_AUTO_MATCH, {"8"}, "2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kChanged);
  EXPECT_EQ(Get("C").state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_FALSE(Get("C").has_resolved());
}

TEST_F(StoreFeedTest, OpenCasesPartitionIntoShards) {
  std::set<std::string> open;
  for (int i = 0; i < 40; ++i) {
    std::string id = absl::StrCat("R", 100 + i);
    v1::Decision d = i % 3 == 0   ? v1::DECISION_AUTO_MATCH
                     : i % 3 == 1 ? v1::DECISION_REVIEW
                                  : v1::DECISION_NO_MATCH;
    Create(id, Result(d, {"1"}), i < 20 ? "202403" : "202404");
    if (i % 3 != 0) open.insert(id);
  }
  std::set<std::string> seen;
  for (int shard = 0; shard < 3; ++shard) {
    OpenCaseScan scan;
    scan.shard_index = shard;
    scan.shard_count = 3;
    scan.limit = 4;
    while (true) {
      auto page = store_->ListOpenCases(scan);
      ASSERT_TRUE(page.ok()) << page.status();
      if (page->empty()) break;
      for (const OpenCase& c : *page) {
        EXPECT_EQ(ShardOf(c.receipt_id, 3), shard);
        EXPECT_TRUE(seen.insert(c.receipt_id).second) << c.receipt_id;
        EXPECT_EQ(c.receipt.receipt_id(), c.receipt_id);
        EXPECT_EQ(c.version, 1);
      }
      scan.after_receipt_id = page->back().receipt_id;
    }
  }
  EXPECT_EQ(seen, open);
  OpenCaseScan march;
  march.service_month_to = "202403";
  march.limit = 100;
  auto page = store_->ListOpenCases(march);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size(), 13u);  // i < 20 and i % 3 != 0
  march.shard_index = 2;
  EXPECT_EQ(store_->ListOpenCases(march).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StoreFeedTest, CheckpointIsSavedWithTheRematch) {
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

TEST_F(StoreFeedTest, LeaseRefusesASecondOwnerUntilItExpires) {
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

TEST_F(StoreFeedTest, PurgeDeletesClosedCasesAndKeepsTheAudit) {
  v1::Case auto_case = Create("AUTO", Result(v1::DECISION_AUTO_MATCH, {"1"}));
  v1::Case c = Create("CONF", Result(v1::DECISION_REVIEW, {"1"}));
  ASSERT_TRUE(store_->Confirm(Decide(c, "conf-key")).ok());
  Create("OPEN", Result(v1::DECISION_REVIEW, {"1"}));
  Advance(absl::Hours(24 * 40));
  Create("LATE", Result(v1::DECISION_AUTO_MATCH, {"1"}));
  const absl::Time cutoff = Now() - absl::Hours(24 * 30);

  auto purged = store_->Purge(cutoff, {"admin", "admin", "purge-1", ""});
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(store_->GetCase("AUTO", job_, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetCase("CONF", job_, false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->GetCase("OPEN", job_, false).ok());
  EXPECT_TRUE(store_->GetCase("LATE", job_, false).ok());

  std::vector<std::string> conf_audit;
  AuditFilter f;
  f.receipt_id = "CONF";
  ASSERT_TRUE(store_
                  ->ExportAudit(f,
                                [&](const v1::AuditRecord& r) {
                                  conf_audit.push_back(r.action());
                                  return absl::OkStatus();
                                })
                  .ok());
  EXPECT_THAT(conf_audit, ElementsAre("RECONCILED", "CONFIRMED", "PURGED"));
  auto changes = store_->ListChanges("", 100);
  ASSERT_TRUE(changes.ok());
  for (const v1::Change& ch : changes->changes) {
    EXPECT_NE(ch.receipt_id(), "AUTO");
    EXPECT_NE(ch.receipt_id(), "CONF");
  }
  // The key went with the case: the receipt may be reconciled afresh.
  v1::Case again = Create("CONF", Result(v1::DECISION_REVIEW, {"1"}));
  EXPECT_EQ(again.version(), 1);
  EXPECT_EQ(*store_->Purge(cutoff, job_), 0);
}

TEST_F(StoreFeedTest, AuditExportFiltersByTime) {
  Create("A", Result(v1::DECISION_REVIEW, {"1"}));
  Advance(absl::Seconds(10));
  const absl::Time t = Now();
  Create("B", Result(v1::DECISION_REVIEW, {"1"}));
  Advance(absl::Seconds(10));
  Create("C", Result(v1::DECISION_REVIEW, {"1"}));
  AuditFilter f;
  f.from = t;
  f.to = t + absl::Seconds(10);
  std::vector<std::string> ids;
  ASSERT_TRUE(store_
                  ->ExportAudit(f,
                                [&](const v1::AuditRecord& r) {
                                  ids.push_back(r.receipt_id());
                                  return absl::OkStatus();
                                })
                  .ok());
  EXPECT_THAT(ids, ElementsAre("B"));
  absl::Status stop = store_->ExportAudit({}, [](const v1::AuditRecord&) {
    return absl::CancelledError("client went away");
  });
  EXPECT_EQ(stop.code(), absl::StatusCode::kCancelled);
}

TEST_F(StoreFeedTest, ActiveRosterRoundTrips) {
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

}  // namespace
}  // namespace kuromaru::store
