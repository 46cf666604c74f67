// The case store contract: the results feed and the audit trail, the
// nightly job's writes (re-match, open case scan) and retention.
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/store_contract.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;

TEST_P(StoreContractTest, ChangesComeInCommitOrderWithCursors) {
  v1::Case a = Create("A", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case b = Create("B", Result(v1::DECISION_NO_MATCH, {}));
  ASSERT_TRUE(store_->Confirm(MakeDecision(a, "k")).ok());
  auto rematched = ApplyRematch(b, Result(v1::DECISION_AUTO_MATCH, {"7"}, "2"));
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

TEST_P(StoreContractTest, TheLatestChangeOfACaseCarriesItsResult) {
  Create("A", Result(v1::DECISION_REVIEW, {"1", "2"}));
  auto page = store_->ListChanges("", 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->changes.size(), 1u);
  EXPECT_EQ(page->changes[0].result().receipt_id(), "A");
  EXPECT_EQ(page->changes[0].result().candidates_size(), 2);
}

TEST_P(StoreContractTest, WaitForChangesWakesOnCommit) {
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

TEST_P(StoreContractTest, RematchResolvesChangesOrLeavesAlone) {
  v1::Case same = Create("S", Result(v1::DECISION_REVIEW, {"1", "2"}));
  auto r = ApplyRematch(same, Result(v1::DECISION_REVIEW, {"1", "2"}, "2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kUnchanged);
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(Get("S").roster_version(), "roster-1");

  v1::Case moved = Create("M", Result(v1::DECISION_REVIEW, {"1", "2"}));
  r = ApplyRematch(moved, Result(v1::DECISION_REVIEW, {"3", "1"}, "2"));
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
  r = ApplyRematch(open, Result(v1::DECISION_AUTO_MATCH, {"9"}, "3"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kResolved);
  v1::Case u = Get("U");
  EXPECT_EQ(u.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(u.resolved().number(), "9");
  EXPECT_EQ(u.resolved_by(), v1::ACTOR_KIND_NIGHTLY_JOB);
  EXPECT_EQ(u.model_version(), "model-3");

  // Stale reads are refused; unknown cases are NOT_FOUND.
  EXPECT_EQ(
      ApplyRematch(moved, Result(v1::DECISION_REVIEW, {"5"})).status().code(),
      absl::StatusCode::kAborted);
  v1::Case ghost;
  ghost.set_receipt_id("ghost");
  EXPECT_EQ(
      ApplyRematch(ghost, Result(v1::DECISION_REVIEW, {"5"})).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, RematchNeverTouchesHumanDecisions) {
  v1::Case c = Create("C", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case confirmed = store_->Confirm(MakeDecision(c, "c"))->stored;
  v1::Case n = Create("N", Result(v1::DECISION_REVIEW, {"1"}));
  v1::Case rejected = store_->MarkNoMatch(MakeDecision(n, "n"))->stored;
  for (const v1::Case& human : {confirmed, rejected}) {
    auto r = ApplyRematch(human, Result(v1::DECISION_AUTO_MATCH, {"8"}, "2"));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->outcome, RematchOutcome::kSkipped);
    v1::Case after = Get(human.receipt_id());
    EXPECT_EQ(after.state(), human.state());
    EXPECT_EQ(after.version(), human.version());
    EXPECT_EQ(after.result().candidates(0).number(), "1");
  }
  // A reopened case stays with the reviewers even when the job is sure.
  v1::Case reopened = store_->Reopen(MakeDecision(confirmed, "r"))->stored;
  auto r = ApplyRematch(reopened, Result(v1::DECISION_AUTO_MATCH, {"8"}, "2"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, RematchOutcome::kChanged);
  EXPECT_EQ(Get("C").state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_FALSE(Get("C").has_resolved());
}

TEST_P(StoreContractTest, OpenCasesPartitionIntoShards) {
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

TEST_P(StoreContractTest, PurgeDeletesClosedCasesAndKeepsTheAudit) {
  v1::Case auto_case = Create("AUTO", Result(v1::DECISION_AUTO_MATCH, {"1"}));
  v1::Case c = Create("CONF", Result(v1::DECISION_REVIEW, {"1"}));
  ASSERT_TRUE(store_->Confirm(MakeDecision(c, "conf-key")).ok());
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

TEST_P(StoreContractTest, AuditExportFiltersByTime) {
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

// A follower reading the feed while several writers commit sees every
// change exactly once, in an order that keeps each case's versions rising.
TEST_P(StoreContractTest, AFollowerSeesEveryChangeOnceWhileWritersCommit) {
  constexpr int kWriters = 4, kCasesEach = 25;
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kCasesEach; ++i) {
        const v1::Case c =
            Create(absl::StrCat("W", w, "-", i), v1::DECISION_REVIEW);
        auto d = store_->Confirm(MakeDecision(c, absl::StrCat("k", w, "-", i)));
        EXPECT_TRUE(d.ok()) << d.status();
      }
    });
  }
  std::set<std::string> seen;
  std::map<std::string, int64_t> last_version;
  std::string cursor;
  // Reads one page; false when it held nothing new.
  auto follow = [&]() -> bool {
    auto page = store_->ListChanges(cursor, 7);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return false;
    for (const v1::Change& c : page->changes) {
      EXPECT_TRUE(seen.insert(c.cursor()).second)
          << "seen twice: " << c.cursor();
      EXPECT_GT(c.version(), last_version[c.receipt_id()]) << c.receipt_id();
      last_version[c.receipt_id()] = c.version();
    }
    cursor = page->next_cursor;
    return !page->changes.empty();
  };
  std::thread follower([&] {
    while (!done.load()) follow();
  });
  for (std::thread& t : writers) t.join();
  done = true;
  follower.join();
  while (follow()) {
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(2 * kWriters * kCasesEach));
  for (const auto& [id, version] : last_version) EXPECT_EQ(version, 2) << id;
}

}  // namespace
}  // namespace kuromaru::store
