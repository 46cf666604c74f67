// The case state machine on its own: every state against every action,
// what intake, a decision, a re-match and a reopen do, and what they refuse.
#include "services/cases/case_state_machine.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kuromaru::cases {
namespace {

using ::testing::HasSubstr;

v1::Candidate Candidate(const std::string& insurer, const std::string& number) {
  v1::Candidate c;
  c.set_insurer_number(insurer);
  c.set_symbol("12");
  c.set_number(number);
  c.set_qualified_from("20150401");
  return c;
}

v1::MatchResult Result(v1::Decision decision, std::vector<std::string> numbers,
                       const std::string& roster = "r1") {
  v1::MatchResult m;
  m.set_decision(decision);
  for (const std::string& n : numbers)
    *m.add_candidates() = Candidate("06130012", n);
  m.set_roster_version(roster);
  m.set_model_version("m1");
  return m;
}

v1::Case NewCase(const v1::MatchResult& result) {
  v1::Case c;
  c.set_receipt_id("R1");
  *c.mutable_result() = result;
  Intake(&c);
  return c;
}

const v1::CaseState kAllStates[] = {
    v1::CASE_STATE_AUTO_RESOLVED, v1::CASE_STATE_PENDING_REVIEW,
    v1::CASE_STATE_UNMATCHED, v1::CASE_STATE_CONFIRMED,
    v1::CASE_STATE_REJECTED};

TEST(IntakeTest, TheResultDecidesTheFirstState) {
  v1::Case automatic = NewCase(Result(v1::DECISION_AUTO_MATCH, {"1", "2"}));
  EXPECT_EQ(automatic.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(automatic.resolved().number(), "1");
  EXPECT_EQ(automatic.resolved_by(), v1::ACTOR_KIND_INTAKE);
  EXPECT_EQ(automatic.version(), 1);
  EXPECT_EQ(automatic.roster_version(), "r1");

  EXPECT_EQ(NewCase(Result(v1::DECISION_REVIEW, {"1"})).state(),
            v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(NewCase(Result(v1::DECISION_NO_MATCH, {"1"})).state(),
            v1::CASE_STATE_UNMATCHED);
  // Nothing to resolve to.
  v1::Case empty = NewCase(Result(v1::DECISION_AUTO_MATCH, {}));
  EXPECT_EQ(empty.state(), v1::CASE_STATE_UNMATCHED);
  EXPECT_FALSE(empty.has_resolved());
}

TEST(IntakeTest, DescribesTheChangeWithoutReceiptContents) {
  v1::Case c;
  c.set_receipt_id("R1");
  *c.mutable_result() = Result(v1::DECISION_REVIEW, {"1", "2"});
  const Change change = Intake(&c);
  EXPECT_EQ(change.action, "RECONCILED");
  EXPECT_EQ(change.actor_kind, v1::ACTOR_KIND_INTAKE);
  EXPECT_EQ(change.version_before, 0);
  EXPECT_EQ(change.detail, "state=PENDING_REVIEW candidates=2");
}

TEST(ReviewTest, WhichDecisionIsAllowedInWhichState) {
  for (v1::CaseState s : kAllStates) {
    const bool decided =
        s == v1::CASE_STATE_CONFIRMED || s == v1::CASE_STATE_REJECTED;
    EXPECT_EQ(ReviewAllowed(ReviewAction::kConfirm, s), !decided) << s;
    EXPECT_EQ(ReviewAllowed(ReviewAction::kMarkNoMatch, s), !decided) << s;
    EXPECT_EQ(ReviewAllowed(ReviewAction::kReopen, s), !IsOpen(s)) << s;
    EXPECT_NE(IsOpen(s), IsClosed(s)) << s;
  }
}

TEST(ReviewTest, ConfirmResolvesToTheNamedCandidate) {
  v1::Case c = NewCase(Result(v1::DECISION_REVIEW, {"1", "2"}));
  bool reopened = false;
  Change change;
  ASSERT_TRUE(Review(ReviewAction::kConfirm, 1, KeyOf(c.result().candidates(1)),
                     /*from_search=*/false, &c, &reopened, &change)
                  .ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(c.resolved().number(), "2");
  EXPECT_EQ(c.resolved_by(), v1::ACTOR_KIND_REVIEWER);
  EXPECT_EQ(c.version(), 2);
  EXPECT_FALSE(reopened);
  EXPECT_EQ(change.action, "CONFIRMED");
  EXPECT_EQ(change.from_state, v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(change.detail, "rank=2 insurer=06130012");
}

TEST(ReviewTest, ConfirmOfAnEnrollmentFoundByASearch) {
  v1::Case c = NewCase(Result(v1::DECISION_REVIEW, {"1"}));
  bool reopened = false;
  Change change;
  v1::EnrollmentKey found = KeyOf(Candidate("39131015", "777"));
  ASSERT_TRUE(Review(ReviewAction::kConfirm, 1, found, /*from_search=*/true,
                     &c, &reopened, &change)
                  .ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(c.resolved().number(), "777");
  EXPECT_EQ(change.detail, "rank=search insurer=39131015");
  // A search result without its whole key is refused.
  v1::Case d = NewCase(Result(v1::DECISION_REVIEW, {"1"}));
  v1::EnrollmentKey partial;
  partial.set_insurer_number("39131015");
  EXPECT_EQ(Review(ReviewAction::kConfirm, 1, partial, /*from_search=*/true,
                   &d, &reopened, &change)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReviewTest, RefusalsChangeNothing) {
  v1::Case c = NewCase(Result(v1::DECISION_REVIEW, {"1"}));
  const v1::Case before = c;
  bool reopened = false;
  Change change;
  // The version is checked first: a stale reviewer hears so whatever else.
  absl::Status stale = Review(ReviewAction::kReopen, 7, v1::EnrollmentKey(), /*from_search=*/false, &c,
                              &reopened, &change);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(stale.message(), HasSubstr("version 1, not 7"));
  absl::Status state = Review(ReviewAction::kReopen, 1, v1::EnrollmentKey(), /*from_search=*/false, &c,
                              &reopened, &change);
  EXPECT_EQ(state.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(state.message(), "REOPENED is not allowed in PENDING_REVIEW");
  v1::EnrollmentKey stranger = KeyOf(Candidate("27130015", "9"));
  EXPECT_EQ(Review(ReviewAction::kConfirm, 1, stranger, /*from_search=*/false, &c, &reopened, &change)
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(c.SerializeAsString(), before.SerializeAsString());
}

TEST(ReviewTest, AReviewerCorrectsAnAutomaticMatchAndReopens) {
  v1::Case c = NewCase(Result(v1::DECISION_AUTO_MATCH, {"1"}));
  bool reopened = false;
  Change change;
  ASSERT_TRUE(Review(ReviewAction::kMarkNoMatch, 1, v1::EnrollmentKey(), /*from_search=*/false, &c,
                     &reopened, &change)
                  .ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_REJECTED);
  EXPECT_FALSE(c.has_resolved());
  ASSERT_TRUE(Review(ReviewAction::kReopen, 2, v1::EnrollmentKey(), /*from_search=*/false, &c,
                     &reopened, &change)
                  .ok());
  EXPECT_EQ(c.state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(c.resolved_by(), v1::ACTOR_KIND_UNSPECIFIED);
  EXPECT_TRUE(reopened);
  EXPECT_EQ(c.version(), 3);
}

TEST(RematchTest, ResolvesChangesOrLeavesAnOpenCase) {
  Change change;
  v1::Case unmatched = NewCase(Result(v1::DECISION_NO_MATCH, {}));
  auto outcome = Rematch(Result(v1::DECISION_AUTO_MATCH, {"1"}, "r2"), 1, false,
                         &unmatched, &change);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(*outcome, RematchOutcome::kResolved);
  EXPECT_EQ(unmatched.state(), v1::CASE_STATE_AUTO_RESOLVED);
  EXPECT_EQ(unmatched.resolved_by(), v1::ACTOR_KIND_NIGHTLY_JOB);
  EXPECT_EQ(unmatched.roster_version(), "r2");
  EXPECT_EQ(unmatched.result().receipt_id(), "R1");
  EXPECT_EQ(unmatched.version(), 2);
  EXPECT_EQ(change.action, "REMATCHED");
  EXPECT_EQ(change.detail,
            "state=AUTO_RESOLVED candidates=1 roster=r2 model=m1");

  v1::Case review = NewCase(Result(v1::DECISION_REVIEW, {"1", "2"}));
  outcome = Rematch(Result(v1::DECISION_REVIEW, {"1", "3"}), 1, false, &review,
                    &change);
  EXPECT_EQ(*outcome, RematchOutcome::kChanged);
  EXPECT_EQ(review.state(), v1::CASE_STATE_PENDING_REVIEW);
  ASSERT_EQ(review.previous_candidates_size(), 2);
  EXPECT_EQ(review.previous_candidates(1).number(), "2");

  outcome = Rematch(Result(v1::DECISION_REVIEW, {"1", "3"}), 2, false, &review,
                    &change);
  EXPECT_EQ(*outcome, RematchOutcome::kUnchanged);
  EXPECT_EQ(review.version(), 2);

  outcome =
      Rematch(Result(v1::DECISION_AUTO_MATCH, {}), 2, false, &review, &change);
  EXPECT_EQ(*outcome, RematchOutcome::kChanged);
  EXPECT_EQ(review.state(), v1::CASE_STATE_UNMATCHED);
}

TEST(RematchTest, NeverReplacesAHumanDecision) {
  Change change;
  // Decided cases are skipped, however stale the job's read.
  v1::Case confirmed = NewCase(Result(v1::DECISION_AUTO_MATCH, {"1"}));
  bool reopened = false;
  ASSERT_TRUE(Review(ReviewAction::kReopen, 1, v1::EnrollmentKey(), /*from_search=*/false, &confirmed,
                     &reopened, &change)
                  .ok());
  // A reopened case may get new candidates but is not resolved by the job.
  auto outcome = Rematch(Result(v1::DECISION_AUTO_MATCH, {"1"}), 2, reopened,
                         &confirmed, &change);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(*outcome, RematchOutcome::kUnchanged);
  EXPECT_EQ(confirmed.state(), v1::CASE_STATE_PENDING_REVIEW);
  outcome = Rematch(Result(v1::DECISION_AUTO_MATCH, {"4"}), 2, reopened,
                    &confirmed, &change);
  EXPECT_EQ(*outcome, RematchOutcome::kChanged);
  EXPECT_EQ(confirmed.state(), v1::CASE_STATE_PENDING_REVIEW);

  ASSERT_TRUE(Review(ReviewAction::kConfirm, 3,
                     KeyOf(confirmed.result().candidates(0)), /*from_search=*/false, &confirmed,
                     &reopened, &change)
                  .ok());
  const v1::Case before = confirmed;
  outcome = Rematch(Result(v1::DECISION_REVIEW, {"5"}), 1, false, &confirmed,
                    &change);
  EXPECT_EQ(*outcome, RematchOutcome::kSkipped);
  EXPECT_EQ(confirmed.SerializeAsString(), before.SerializeAsString());

  // An open case the job read at an older version is refused.
  v1::Case open = NewCase(Result(v1::DECISION_REVIEW, {"1"}));
  EXPECT_EQ(
      Rematch(Result(v1::DECISION_REVIEW, {"2"}), 5, false, &open, &change)
          .status()
          .code(),
      absl::StatusCode::kAborted);
}

}  // namespace
}  // namespace kuromaru::cases
