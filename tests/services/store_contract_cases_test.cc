// The case store contract: cases and decisions — intake, opening,
// decisions and their refusals, idempotency, audit, listing, counts.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/store_contract.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST_P(StoreContractTest, CreateIsIdempotentOnTheReceipt) {
  v1::Case c = Create("R1", v1::DECISION_REVIEW);
  EXPECT_EQ(c.state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(c.version(), 1);
  ASSERT_EQ(c.history_size(), 1);
  EXPECT_EQ(c.history(0).action(), "RECONCILED");
  EXPECT_EQ(c.history(0).actor_kind(), v1::ACTOR_KIND_INTAKE);

  Advance(absl::Seconds(5));
  auto again = store_->CreateCase(
      {MakeReceipt("R1"), MakeResult(v1::DECISION_AUTO_MATCH, 1), Actor{}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->stored.version(), 1);
  EXPECT_EQ(again->stored.state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(again->stored.history_size(), 1);

  v1::Receipt other = MakeReceipt("R1");
  other.set_birth_date("19750124");
  auto clash =
      store_->CreateCase({other, MakeResult(v1::DECISION_REVIEW, 1), Actor{}});
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists);
  auto stored = store_->GetCase("R1", Reviewer(), false);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->receipt().birth_date(), "19750123");
  EXPECT_THAT(AuditActions("R1"), ElementsAre("RECONCILED"));
}

TEST_P(StoreContractTest, InitialStateFollowsTheDecision) {
  v1::Case a = Create("A", v1::DECISION_AUTO_MATCH);
  EXPECT_EQ(a.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(a.resolved().insurer_number(), "06130011");
  EXPECT_EQ(a.resolved().qualified_from(), "20150401");
  EXPECT_EQ(a.resolved_by(), v1::ACTOR_KIND_INTAKE);
  EXPECT_EQ(a.roster_version(), "r1");
  EXPECT_EQ(Create("N", v1::DECISION_NO_MATCH, 0).state(),
            v1::CASE_STATE_UNMATCHED);
  EXPECT_EQ(Create("E", v1::DECISION_AUTO_MATCH, 0).state(),
            v1::CASE_STATE_UNMATCHED);

  auto no_id = store_->CreateCase(
      {MakeReceipt(""), MakeResult(v1::DECISION_REVIEW, 1), Actor{}});
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
  v1::MatchResult wrong = MakeResult(v1::DECISION_REVIEW, 1);
  wrong.set_receipt_id("OTHER");
  auto mismatch = store_->CreateCase({MakeReceipt("X"), wrong, Actor{}});
  EXPECT_EQ(mismatch.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, OpeningIsAuditedOnlyWhenAsked) {
  EXPECT_EQ(store_->GetCase("nope", Reviewer(), true).status().code(),
            absl::StatusCode::kNotFound);
  Create("R1", v1::DECISION_REVIEW);
  auto quiet = store_->GetCase("R1", Reviewer(), false);
  ASSERT_TRUE(quiet.ok());
  EXPECT_THAT(AuditActions("R1"), ElementsAre("RECONCILED"));

  auto opened = store_->GetCase("R1", Reviewer("open-1"), true);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->version(), 1);  // opening is not a change
  ASSERT_EQ(opened->history_size(), 2);
  EXPECT_EQ(opened->history(1).action(), "OPENED");
  std::vector<v1::AuditRecord> audit = Audit("R1");
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action(), "OPENED");
  EXPECT_EQ(audit[1].actor(), "alice");
  EXPECT_EQ(audit[1].role(), "reviewer");
  EXPECT_EQ(audit[1].request_id(), "open-1");
  EXPECT_EQ(audit[1].peer(), "10.0.0.1:5000");
  auto changes = store_->ListChanges("", 100);
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->changes.size(), 1u);  // the feed carries no openings
}

// Each state, and whether each decision is allowed in it.
TEST_P(StoreContractTest, TransitionsAreAllowedOrRefusedByState) {
  struct Row {
    const char* name;
    v1::CaseState state;
    bool confirm, no_match, reopen;
  };
  const Row rows[] = {
      {"pending", v1::CASE_STATE_PENDING_REVIEW, true, true, false},
      {"unmatched", v1::CASE_STATE_UNMATCHED, true, true, false},
      {"auto", v1::CASE_STATE_AUTO_RESOLVED, true, true, true},
      {"confirmed", v1::CASE_STATE_CONFIRMED, false, false, true},
      {"rejected", v1::CASE_STATE_REJECTED, false, false, true},
  };
  int serial = 0;
  // A fresh case in `state`, reached through the store's own transitions.
  auto make = [&](const Row& row) {
    std::string id = absl::StrCat(row.name, "-", ++serial);
    v1::Decision decision =
        row.state == v1::CASE_STATE_AUTO_RESOLVED ? v1::DECISION_AUTO_MATCH
        : row.state == v1::CASE_STATE_UNMATCHED   ? v1::DECISION_NO_MATCH
                                                  : v1::DECISION_REVIEW;
    v1::Case c = Create(id, decision, 2);
    if (row.state == v1::CASE_STATE_CONFIRMED) {
      c = store_->Confirm(MakeDecision(c, id + "-setup"))->stored;
    } else if (row.state == v1::CASE_STATE_REJECTED) {
      c = store_->MarkNoMatch(MakeDecision(c, id + "-setup"))->stored;
    }
    EXPECT_EQ(c.state(), row.state);
    return c;
  };
  auto check = [](const absl::StatusOr<CaseWrite>& r, bool allowed,
                  v1::CaseState to) {
    EXPECT_EQ(r.ok(), allowed) << r.status();
    if (r.ok()) {
      EXPECT_EQ(r->stored.state(), to);
    } else {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    }
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    v1::Case c = make(row);
    check(store_->Confirm(MakeDecision(c, c.receipt_id() + "-c")), row.confirm,
          v1::CASE_STATE_CONFIRMED);
    c = make(row);
    check(store_->MarkNoMatch(MakeDecision(c, c.receipt_id() + "-n")),
          row.no_match, v1::CASE_STATE_REJECTED);
    c = make(row);
    auto r = store_->Reopen(MakeDecision(c, c.receipt_id() + "-r"));
    check(r, row.reopen, v1::CASE_STATE_PENDING_REVIEW);
    if (r.ok()) {
      EXPECT_FALSE(r->stored.has_resolved());
    }
  }
}

TEST_P(StoreContractTest, SecondReviewerOnTheSameVersionIsAborted) {
  v1::Case c = Create("R1", v1::DECISION_REVIEW);
  auto first = store_->Confirm(MakeDecision(c, "k1"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->stored.version(), 2);
  EXPECT_EQ(first->stored.resolved_by(), v1::ACTOR_KIND_REVIEWER);

  auto second = store_->MarkNoMatch(MakeDecision(c, "k2"));  // saw version 1
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAborted);
  auto now = store_->GetCase("R1", Reviewer(), false);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(now->version(), 2);
  EXPECT_EQ(now->resolved().number(), "100");
  EXPECT_THAT(AuditActions("R1"), ElementsAre("RECONCILED", "CONFIRMED"));
}

TEST_P(StoreContractTest, RetriedDecisionIsAppliedOnce) {
  v1::Case c = Create("R1", v1::DECISION_REVIEW);
  ReviewerDecision d = MakeDecision(c, "confirm-once");
  auto first = store_->Confirm(d);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  auto retry = store_->Confirm(d);
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->stored.version(), 2);
  EXPECT_EQ(retry->stored.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_THAT(AuditActions("R1"), ElementsAre("RECONCILED", "CONFIRMED"));
  EXPECT_EQ(retry->stored.history_size(), 2);

  // After the case moved on, the retry still returns the first outcome.
  auto reopened = store_->Reopen(MakeDecision(first->stored, "reopen-1"));
  ASSERT_TRUE(reopened.ok());
  auto late = store_->Confirm(d);
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->replayed);
  EXPECT_EQ(late->stored.version(), 2);

  // A key names one decision on one case.
  ReviewerDecision misuse = MakeDecision(reopened->stored, "confirm-once");
  EXPECT_EQ(store_->MarkNoMatch(misuse).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::Case other = Create("R2", v1::DECISION_REVIEW);
  EXPECT_EQ(
      store_->Confirm(MakeDecision(other, "confirm-once")).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Confirm(MakeDecision(other, "")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, ConfirmNeedsOneOfTheCandidates) {
  v1::Case c = Create("R1", v1::DECISION_REVIEW);
  ReviewerDecision d = MakeDecision(c, "k");
  d.candidate.set_number("999");
  auto r = store_->Confirm(d);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  d.candidate = v1::EnrollmentKey();
  EXPECT_EQ(store_->Confirm(d).status().code(),
            absl::StatusCode::kInvalidArgument);
  d.candidate = cases::KeyOf(c.result().candidates(1));
  auto second = store_->Confirm(d);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->stored.resolved().insurer_number(), "27130015");
  EXPECT_EQ(store_->Confirm(MakeDecision(c, "x")).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(store_->Reopen(MakeDecision(v1::Case(), "y")).status().code(),
            absl::StatusCode::kInvalidArgument);
  ReviewerDecision ghost = MakeDecision(c, "z");
  ghost.receipt_id = "ghost";
  EXPECT_EQ(store_->Reopen(ghost).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(StoreContractTest, EveryDecisionHasItsAuditRowAndHistory) {
  v1::Case c = Create("R1", v1::DECISION_REVIEW);
  ASSERT_TRUE(store_->GetCase("R1", Reviewer("o"), true).ok());
  c = store_->Confirm(MakeDecision(c, "a"))->stored;
  c = store_->Reopen(MakeDecision(c, "b"))->stored;
  auto last = store_->MarkNoMatch(MakeDecision(c, "c"));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->stored.version(), 4);
  std::vector<v1::AuditRecord> audit = Audit("R1");
  std::vector<std::string> actions;
  actions.reserve(audit.size());
  for (const auto& r : audit) actions.push_back(r.action());
  EXPECT_THAT(actions, ElementsAre("RECONCILED", "OPENED", "CONFIRMED",
                                   "REOPENED", "MARKED_NO_MATCH"));
  EXPECT_EQ(audit[2].version_before(), 1);
  EXPECT_EQ(audit[2].version_after(), 2);
  EXPECT_EQ(audit[2].request_id(), "req-a");
  EXPECT_THAT(audit[2].detail(), HasSubstr("insurer=06130011"));
  EXPECT_EQ(audit[4].version_after(), 4);
  for (size_t i = 1; i < audit.size(); ++i) {
    EXPECT_GT(audit[i].sequence(), audit[i - 1].sequence());
  }
  const v1::Case& s = last->stored;
  ASSERT_EQ(s.history_size(), 5);
  EXPECT_EQ(s.history(4).action(), "MARKED_NO_MATCH");
  EXPECT_EQ(s.history(4).from_state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(s.history(4).to_state(), v1::CASE_STATE_REJECTED);
  EXPECT_EQ(s.history(4).comment(), "checked");
}

TEST_P(StoreContractTest, ListCasesFiltersAndPages) {
  Create("A", v1::DECISION_REVIEW, 2, "202403", "01130012");
  Advance(absl::Seconds(1));
  Create("B", v1::DECISION_NO_MATCH, 0, "202404", "06130011");
  Advance(absl::Seconds(1));
  const absl::Time middle = absl::FromUnixMicros(now_us_.load());
  Create("C", v1::DECISION_AUTO_MATCH, 1, "202405", "01130012");
  Create("D", v1::DECISION_REVIEW, 2, "202405", "39130018");  // same instant
  Advance(absl::Seconds(1));
  Create("E", v1::DECISION_REVIEW, 1, "202406", "01130012");

  auto ids = [&](const CaseFilter& f) {
    std::vector<std::string> out;
    auto page = store_->ListCases(f);
    EXPECT_TRUE(page.ok()) << page.status();
    if (page.ok()) {
      for (const auto& c : page->cases) out.push_back(c.receipt_id());
    }
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("A", "B", "C", "D", "E"));
  CaseFilter f;
  f.states = {v1::CASE_STATE_PENDING_REVIEW};
  EXPECT_THAT(ids(f), ElementsAre("A", "D", "E"));
  f = {};
  f.service_month_from = "202404";
  f.service_month_to = "202405";
  EXPECT_THAT(ids(f), ElementsAre("B", "C", "D"));
  f = {};
  f.insurer_number = "06130011";  // billed on B, top candidate of A, C, D, E
  EXPECT_THAT(ids(f), ElementsAre("A", "B", "C", "D", "E"));
  f.insurer_number = "39130018";
  EXPECT_THAT(ids(f), ElementsAre("D"));
  f = {};
  f.created_before = middle;
  EXPECT_THAT(ids(f), ElementsAre("A", "B"));
  f = {};
  f.created_after = middle - absl::Microseconds(1);
  EXPECT_THAT(ids(f), ElementsAre("C", "D", "E"));

  f = {};
  f.page_size = 2;
  std::vector<std::string> all;
  int pages = 0;
  do {
    auto page = store_->ListCases(f);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& c : page->cases) all.push_back(c.receipt_id());
    f.page_token = page->next_page_token;
    ++pages;
  } while (!f.page_token.empty());
  EXPECT_THAT(all, ElementsAre("A", "B", "C", "D", "E"));
  EXPECT_EQ(pages, 3);

  CaseFilter first;
  first.page_size = 2;
  auto page = store_->ListCases(first);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->cases[0].top_insurer_number(), "06130011");
  EXPECT_EQ(page->cases[0].candidate_count(), 2);
  EXPECT_EQ(page->cases[0].service_month(), "202403");
  CaseFilter other;
  other.states = {v1::CASE_STATE_UNMATCHED};
  other.page_token = page->next_page_token;
  EXPECT_EQ(store_->ListCases(other).status().code(),
            absl::StatusCode::kInvalidArgument);
  other = {};
  other.page_token = "garbage!";
  EXPECT_EQ(store_->ListCases(other).status().code(),
            absl::StatusCode::kInvalidArgument);
  other = {};
  other.page_size = 1001;
  EXPECT_EQ(store_->ListCases(other).status().code(),
            absl::StatusCode::kInvalidArgument);
  other = {};
  other.service_month_from = "2024-4";
  EXPECT_EQ(store_->ListCases(other).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, EmptyStoreHasNoStates) {
  EXPECT_THAT(Counts(), IsEmpty());
  auto purgeable = store_->CountPurgeable(absl::InfiniteFuture());
  ASSERT_TRUE(purgeable.ok()) << purgeable.status();
  EXPECT_EQ(*purgeable, 0);
}

TEST_P(StoreContractTest, CountsFollowIntakeAndDecisions) {
  Create("A1", v1::DECISION_AUTO_MATCH);
  Create("A2", v1::DECISION_AUTO_MATCH);
  v1::Case r1 = Create("R1", v1::DECISION_REVIEW);
  v1::Case r2 = Create("R2", v1::DECISION_REVIEW);
  Create("R3", v1::DECISION_REVIEW);
  Create("U1", v1::DECISION_NO_MATCH);
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 2),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 3),
                                    Pair(v1::CASE_STATE_UNMATCHED, 1)));

  ASSERT_TRUE(store_->Confirm(MakeDecision(r1, "k1")).ok());
  ASSERT_TRUE(store_->MarkNoMatch(MakeDecision(r2, "k2")).ok());
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 2),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 1),
                                    Pair(v1::CASE_STATE_UNMATCHED, 1),
                                    Pair(v1::CASE_STATE_CONFIRMED, 1),
                                    Pair(v1::CASE_STATE_REJECTED, 1)));
}

TEST_P(StoreContractTest, PurgeableCountIsWhatPurgeDeletes) {
  Create("OLD1", v1::DECISION_AUTO_MATCH);
  v1::Case old2 = Create("OLD2", v1::DECISION_REVIEW);
  ASSERT_TRUE(store_->MarkNoMatch(MakeDecision(old2, "k-old2")).ok());
  Create("OPEN", v1::DECISION_REVIEW);  // never purged, however old
  now_us_ += absl::ToInt64Microseconds(absl::Hours(48));
  Create("NEW", v1::DECISION_AUTO_MATCH);
  const absl::Time cutoff =
      absl::FromUnixMicros(now_us_.load()) - absl::Hours(24);

  auto purgeable = store_->CountPurgeable(cutoff);
  ASSERT_TRUE(purgeable.ok()) << purgeable.status();
  EXPECT_EQ(*purgeable, 2);
  auto purged = store_->Purge(cutoff, Actor{"purge", "admin", "p-1", "local"});
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, *purgeable);
  EXPECT_EQ(*store_->CountPurgeable(cutoff), 0);
  EXPECT_THAT(Counts(), ElementsAre(Pair(v1::CASE_STATE_AUTO_RESOLVED, 1),
                                    Pair(v1::CASE_STATE_PENDING_REVIEW, 1)));
}

// Counting from the read connections while the writer commits: each count
// is a snapshot, so the totals only grow, and they end exact.
// Versions and idempotency hold under concurrent callers (several server
// replicas on one database): of reviewers deciding on one version, one wins
// and the others are ABORTED; of retries of one decision, one is applied.
TEST_P(StoreContractTest, ConcurrentDecisionsApplyOnce) {
  const v1::Case racing = Create("RACE", v1::DECISION_REVIEW);
  const v1::Case retried = Create("RETRY", v1::DECISION_REVIEW);
  constexpr int kCallers = 8;
  std::atomic<int> won{0}, aborted{0}, applied{0}, replayed{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto w = store_->Confirm(MakeDecision(racing, absl::StrCat("race-", i)));
      if (w.ok()) ++won;
      if (absl::IsAborted(w.status())) ++aborted;
      auto r = store_->MarkNoMatch(MakeDecision(retried, "same-key"));
      if (r.ok()) ++(r->replayed ? replayed : applied);
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(aborted.load(), kCallers - 1);
  EXPECT_EQ(applied.load(), 1);
  EXPECT_EQ(replayed.load(), kCallers - 1);
  EXPECT_EQ(Get("RACE").version(), 2);
  EXPECT_EQ(Get("RETRY").version(), 2);
  EXPECT_THAT(AuditActions("RETRY"),
              ElementsAre("RECONCILED", "MARKED_NO_MATCH"));
}

}  // namespace
}  // namespace kuromaru::store
