// The review side of the gRPC service end to end: the review queue, decisions
// by version and idempotency key, the changes feed and the audit trail, on the
// real `kuromaru serve`.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/service_env.h"
#include "tests/e2e/service_fixture.h"

namespace kuromaru {
namespace {

using ::kuromaru::testing::BadRequestFields;
using ::kuromaru::testing::ContextWith;
using ::kuromaru::testing::RequestFor;
using ::kuromaru::testing::ServiceTest;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST_F(ServiceTest, ListCasesFiltersByStateAndPages) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::set<std::string> pending;
  for (const v1::ReconcileResponse& r : ReconcileAll()) {
    if (r.state() == v1::CASE_STATE_PENDING_REVIEW) {
      pending.insert(r.result().receipt_id());
    }
  }
  ASSERT_GT(pending.size(), 5u) << "too few cases in review to page";
  std::set<std::string> listed;
  v1::ListCasesRequest request;
  request.add_states(v1::CASE_STATE_PENDING_REVIEW);
  request.set_page_size(4);
  int pages = 0;
  do {
    v1::ListCasesResponse page;
    auto context = ContextWith(tokens().reviewer);
    ASSERT_TRUE(review_->ListCases(context.get(), request, &page).ok());
    EXPECT_LE(page.cases_size(), 4);
    for (const v1::CaseSummary& c : page.cases()) {
      EXPECT_EQ(c.state(), v1::CASE_STATE_PENDING_REVIEW);
      EXPECT_TRUE(listed.insert(c.receipt_id()).second) << c.receipt_id();
    }
    request.set_page_token(page.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 100);
  EXPECT_EQ(listed, pending);
  EXPECT_GE(pages, 2);
}

TEST_F(ServiceTest, ListFiltersAndCursorsNameTheirBadField) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  {
    v1::ListCasesRequest request;
    request.set_service_month_from("2024-4");
    request.set_service_month_to("202413");
    request.set_page_size(5000);
    v1::ListCasesResponse response;
    auto context = ContextWith(tokens().reviewer);
    const grpc::Status status =
        review_->ListCases(context.get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(
        BadRequestFields(status),
        ElementsAre("service_month_from", "service_month_to", "page_size"));
  }
  {
    v1::ListCasesRequest request;
    request.set_page_token("not a token");
    v1::ListCasesResponse response;
    auto context = ContextWith(tokens().reviewer);
    const grpc::Status status =
        review_->ListCases(context.get(), request, &response);
    EXPECT_THAT(BadRequestFields(status), ElementsAre("page_token"));
  }
  {
    v1::ListChangesRequest request;
    request.set_since_cursor("yesterday");
    v1::ListChangesResponse response;
    auto context = ContextWith(tokens().claims);
    const grpc::Status status =
        review_->ListChanges(context.get(), request, &response);
    EXPECT_THAT(BadRequestFields(status), ElementsAre("since_cursor"));
  }
  {
    auto jobs = env_->jobs();
    v1::StartRematchRequest request;
    request.set_shard_index(4);
    request.set_shard_count(4);
    request.set_threads(1000000);
    request.set_service_month_to("april");
    v1::RematchJob job;
    auto context = ContextWith(tokens().admin);
    const grpc::Status status =
        jobs->StartRematch(context.get(), request, &job);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(BadRequestFields(status),
                ElementsAre("service_month_to", "shard_index", "threads"));
  }
}

TEST_F(ServiceTest, ReviewFlowConfirmsRejectsAndReopensByVersion) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileResponse c = PendingCase();
  const std::string& id = c.result().receipt_id();
  ASSERT_FALSE(id.empty());

  v1::Case opened;
  ASSERT_TRUE(GetCase(id, &opened).ok());
  EXPECT_EQ(opened.version(), 1);
  EXPECT_EQ(opened.state(), v1::CASE_STATE_PENDING_REVIEW);
  v1::DecisionResponse confirmed;
  ASSERT_TRUE(Confirm(c, 1, "confirm-1", &confirmed).ok());
  EXPECT_FALSE(confirmed.replayed());
  EXPECT_EQ(confirmed.case_().state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(confirmed.case_().version(), 2);
  EXPECT_EQ(confirmed.case_().resolved().number(),
            c.result().candidates(0).number());
  EXPECT_EQ(confirmed.case_().resolved_by(), v1::ACTOR_KIND_REVIEWER);

  // A retry of the same request is answered, not applied again.
  v1::DecisionResponse retried;
  ASSERT_TRUE(Confirm(c, 1, "confirm-1", &retried).ok());
  EXPECT_TRUE(retried.replayed());
  EXPECT_EQ(retried.case_().version(), 2);

  // A decision on a version the case has left changes nothing.
  v1::DecisionResponse stale;
  EXPECT_EQ(MarkNoMatch(id, 1, "reject-stale", &stale).error_code(),
            grpc::StatusCode::ABORTED);
  v1::Case after;
  ASSERT_TRUE(GetCase(id, &after).ok());
  EXPECT_EQ(after.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(after.version(), 2);

  std::vector<std::string> actions;
  for (const v1::CaseEvent& e : after.history()) {
    actions.push_back(e.action());
    if (e.action() == "OPENED" || e.action() == "CONFIRMED") {
      EXPECT_EQ(e.actor(), testing::kReviewerSubject);
    }
  }
  EXPECT_THAT(actions,
              ElementsAre("RECONCILED", "OPENED", "CONFIRMED", "OPENED"));

  v1::ReopenCaseRequest reopen;
  reopen.set_receipt_id(id);
  reopen.set_expected_version(2);
  reopen.set_idempotency_key("reopen-1");
  reopen.set_comment("wrong person");
  v1::DecisionResponse reopened;
  auto context = ContextWith(tokens().reviewer);
  ASSERT_TRUE(review_->ReopenCase(context.get(), reopen, &reopened).ok());
  EXPECT_EQ(reopened.case_().state(), v1::CASE_STATE_PENDING_REVIEW);
  EXPECT_EQ(reopened.case_().version(), 3);

  v1::DecisionResponse rejected;
  ASSERT_TRUE(MarkNoMatch(id, 3, "reject-1", &rejected).ok());
  EXPECT_EQ(rejected.case_().state(), v1::CASE_STATE_REJECTED);
  EXPECT_EQ(rejected.case_().version(), 4);
}

TEST_F(ServiceTest, DecisionsNeedVersionAndKey) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileResponse c = PendingCase();
  v1::DecisionResponse out;
  const grpc::Status no_key = MarkNoMatch(c.result().receipt_id(), 0, "", &out);
  EXPECT_EQ(no_key.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(BadRequestFields(no_key),
              UnorderedElementsAre("idempotency_key", "expected_version"));
  EXPECT_EQ(MarkNoMatch("NO-SUCH-RECEIPT", 1, "k-none", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServiceTest, ConcurrentConfirmsOfOneVersionHaveOneWinner) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileResponse c = PendingCase();
  constexpr int kThreads = 8;
  std::vector<grpc::StatusCode> codes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      v1::DecisionResponse out;
      codes[i] = Confirm(c, 1, absl::StrCat("race-", i), &out).error_code();
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0, aborted = 0;
  for (grpc::StatusCode code : codes) {
    ok += code == grpc::StatusCode::OK;
    aborted += code == grpc::StatusCode::ABORTED;
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(aborted, kThreads - 1);
  v1::Case stored;
  ASSERT_TRUE(GetCase(c.result().receipt_id(), &stored).ok());
  EXPECT_EQ(stored.version(), 2);
  int confirmations = 0;
  for (const v1::CaseEvent& e : stored.history()) {
    confirmations += e.action() == "CONFIRMED";
  }
  EXPECT_EQ(confirmations, 1);
}

TEST_F(ServiceTest, ChangesFeedSeesIntakeAndReviewersWithCursors) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileResponse c = PendingCase();
  v1::ListChangesRequest request;
  request.set_page_size(15);
  std::vector<v1::Change> changes;
  for (int pages = 0; pages < 30; ++pages) {
    v1::ListChangesResponse page;
    auto context = ContextWith(tokens().claims);
    ASSERT_TRUE(review_->ListChanges(context.get(), request, &page).ok());
    for (const v1::Change& change : page.changes()) changes.push_back(change);
    if (page.changes_size() == 0) break;
    EXPECT_EQ(page.next_cursor(), page.changes().rbegin()->cursor());
    request.set_since_cursor(page.next_cursor());
  }
  ASSERT_EQ(changes.size(), size_t{kReconciledForPending});
  for (size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].receipt_id(), data().receipts[i].receipt_id());
    EXPECT_EQ(changes[i].actor_kind(), v1::ACTOR_KIND_INTAKE);
    EXPECT_EQ(changes[i].version(), 1);
  }

  v1::DecisionResponse out;
  ASSERT_TRUE(Confirm(c, 1, "feed-confirm", &out).ok());
  v1::ListChangesResponse page;
  auto context = ContextWith(tokens().claims);
  ASSERT_TRUE(review_->ListChanges(context.get(), request, &page).ok());
  ASSERT_EQ(page.changes_size(), 1);
  EXPECT_EQ(page.changes(0).receipt_id(), c.result().receipt_id());
  EXPECT_EQ(page.changes(0).actor_kind(), v1::ACTOR_KIND_REVIEWER);
  EXPECT_EQ(page.changes(0).state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(page.changes(0).version(), 2);
}

TEST_F(ServiceTest, WatchChangesStreamsAChangeMadeAfterItStarted) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  ReconcileFirst(2);
  v1::ListChangesResponse before;
  {
    auto context = ContextWith(tokens().claims);
    ASSERT_TRUE(review_->ListChanges(context.get(), {}, &before).ok());
  }
  v1::WatchChangesRequest request;
  request.set_since_cursor(before.next_cursor());
  auto context = ContextWith(tokens().claims, absl::Seconds(30));
  auto reader = review_->WatchChanges(context.get(), request);
  std::atomic<bool> read{false};
  v1::Change change;
  std::thread watcher([&] { read = reader->Read(&change); });
  absl::SleepFor(absl::Milliseconds(500));
  v1::ReconcileResponse response;
  ASSERT_TRUE(Reconcile(RequestFor(data().receipts[10]), &response).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!read && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  context->TryCancel();
  watcher.join();
  ASSERT_TRUE(read);
  EXPECT_EQ(change.receipt_id(), data().receipts[10].receipt_id());
  EXPECT_EQ(change.actor_kind(), v1::ACTOR_KIND_INTAKE);
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(ServiceTest, AuditHasDecisionsAndOpeningsWithTheReviewer) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const v1::ReconcileResponse c = PendingCase();
  const std::string& id = c.result().receipt_id();
  v1::Case opened;
  ASSERT_TRUE(GetCase(id, &opened).ok());
  v1::DecisionResponse out;
  ASSERT_TRUE(Confirm(c, 1, "audit-confirm", &out).ok());

  auto records = testing::ExportAudit(*review_, id);
  ASSERT_TRUE(records.ok()) << records.status();
  std::vector<std::string> actions;
  for (const v1::AuditRecord& r : *records) {
    EXPECT_EQ(r.receipt_id(), id);
    actions.push_back(r.action());
    if (r.action() == "OPENED" || r.action() == "CONFIRMED") {
      EXPECT_EQ(r.actor(), testing::kReviewerSubject);
      EXPECT_EQ(r.role(), "reviewer");
      EXPECT_FALSE(r.request_id().empty());
    }
    if (r.action() == "CONFIRMED") {
      EXPECT_EQ(r.version_before(), 1);
      EXPECT_EQ(r.version_after(), 2);
    }
  }
  EXPECT_THAT(actions, ElementsAre("RECONCILED", "OPENED", "CONFIRMED"));

  // Only admins read the audit trail.
  v1::ExportAuditRequest request;
  auto context = ContextWith(tokens().reviewer);
  auto reader = review_->ExportAudit(context.get(), request);
  v1::AuditRecord record;
  EXPECT_FALSE(reader->Read(&record));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace kuromaru
