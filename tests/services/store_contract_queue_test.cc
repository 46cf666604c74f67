// The contract of the review queue: priority order with stable pages, the
// counts of the filter chips, one person's other open cases, and a
// confirmation of an enrollment found by a roster search.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/cases/queue_traits.h"
#include "tests/services/store_contract.h"

namespace kuromaru::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A result in review whose top candidate leads the next by `lead` bits, for
// a person with kana `kana` born on `birth`.
v1::MatchResult InReview(double lead, const std::string& kana = "ヤマダタロウ",
                         const std::string& birth = "19750123") {
  v1::MatchResult m = MakeResult(v1::DECISION_REVIEW, 2);
  m.mutable_candidates(0)->set_match_weight(10);
  m.mutable_candidates(1)->set_match_weight(10 - lead);
  m.mutable_normalized()->set_name_kana_key(kana);
  m.mutable_normalized()->set_birth_date(birth);
  return m;
}

std::vector<std::string> Ids(const CasePage& page) {
  std::vector<std::string> out;
  for (const v1::CaseSummary& c : page.cases) out.push_back(c.receipt_id());
  return out;
}

TEST_P(StoreContractTest, QueueIsInPriorityOrderAcrossPages) {
  Create("late-month", InReview(1), "202405");
  Create("close-call", InReview(1), "202404");
  Create("clear-lead", InReview(9), "202404");
  Create("unmatched", v1::DECISION_NO_MATCH, 0, "202401");
  v1::MatchResult one = MakeResult(v1::DECISION_REVIEW, 1);
  Create("no-rival", one, "202404");

  CaseFilter f;
  f.order = CaseFilter::Order::kPriority;
  f.states = {v1::CASE_STATE_PENDING_REVIEW, v1::CASE_STATE_UNMATCHED};
  f.page_size = 2;
  std::vector<std::string> all;
  for (int pages = 0; pages < 5; ++pages) {
    absl::StatusOr<CasePage> page = store_->ListCases(f);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& id : Ids(*page)) all.push_back(id);
    if (page->next_page_token.empty()) break;
    f.page_token = page->next_page_token;
  }
  // In review first, oldest month first, smallest lead first (none last);
  // the unmatched case after all of them.
  EXPECT_THAT(all, ElementsAre("close-call", "clear-lead", "no-rival",
                               "late-month", "unmatched"));
}

TEST_P(StoreContractTest, QueueFiltersByReasonAndSummariesCarryThem) {
  v1::MatchResult fusho = InReview(1);
  fusho.mutable_normalized()->set_insurer_sentinel(true);
  Create("fusho", fusho);
  Create("plain", InReview(9));
  CaseFilter f;
  f.order = CaseFilter::Order::kPriority;
  f.reasons = cases::kFusho;
  absl::StatusOr<CasePage> page = store_->ListCases(f);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(Ids(*page), ElementsAre("fusho"));
  EXPECT_THAT(page->cases[0].reasons(), ::testing::Contains("fusho"));
  EXPECT_TRUE(page->cases[0].has_lead());
  EXPECT_DOUBLE_EQ(page->cases[0].lead(), 1);
  // Created order filters by reason too.
  f.order = CaseFilter::Order::kCreated;
  page = store_->ListCases(f);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(*page), ElementsAre("fusho"));
  // A token is bound to its filter.
  f.page_token = "bm90LWEtdG9rZW4";
  EXPECT_EQ(store_->ListCases(f).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, QueueCountsIgnoreTheirOwnChoice) {
  v1::MatchResult fusho = InReview(1);
  fusho.mutable_normalized()->set_insurer_sentinel(true);
  Create("a", fusho);
  Create("b", InReview(1));  // namesakes: a lead of 1 with a rival at 0.8
  Create("c", v1::DECISION_NO_MATCH, 0);
  CaseFilter f;
  f.states = {v1::CASE_STATE_PENDING_REVIEW};
  f.reasons = cases::kFusho;
  absl::StatusOr<QueueCounts> counts = store_->CountQueue(f);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->total, 1);
  // By state: the fusho cases of every state.
  EXPECT_EQ(counts->by_state[v1::CASE_STATE_PENDING_REVIEW], 1);
  EXPECT_EQ(counts->by_state.count(v1::CASE_STATE_UNMATCHED), 0u);
  // By reason: the cases in review, whatever their reasons.
  EXPECT_EQ(counts->by_reason[cases::kFusho], 1);
  EXPECT_EQ(counts->by_reason[cases::kNamesakes], 2);
  EXPECT_EQ(store_->CountQueue(CaseFilter{.service_month_from = "2024"})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(StoreContractTest, SameSignatureFindsThePersonsOtherOpenCases) {
  Create("mine-1", InReview(1, "サトウハナコ", "19800229"));
  v1::Case second = Create("mine-2", InReview(2, "サトウハナコ", "19800229"));
  Create("mine-3", InReview(2, "サトウハナコ", "19800229"));
  Create("other", InReview(1, "サトウハナコ", "19800301"));
  // A decided case is not offered.
  ASSERT_TRUE(store_->MarkNoMatch(MakeDecision(second, "k-2")).ok());
  absl::StatusOr<std::vector<v1::CaseSummary>> same =
      store_->ListSameSignature("mine-1", 10);
  ASSERT_TRUE(same.ok()) << same.status();
  ASSERT_EQ(same->size(), 1u);
  EXPECT_EQ((*same)[0].receipt_id(), "mine-3");
  EXPECT_EQ(store_->ListSameSignature("nobody", 10).status().code(),
            absl::StatusCode::kNotFound);
  Create("no-name", MakeResult(v1::DECISION_REVIEW, 1));
  same = store_->ListSameSignature("no-name", 10);
  ASSERT_TRUE(same.ok());
  EXPECT_THAT(*same, IsEmpty());
}

TEST_P(StoreContractTest, ConfirmsAnEnrollmentFoundByASearch) {
  v1::Case c = Create("searched", v1::DECISION_REVIEW, 2);
  ReviewerDecision d = MakeDecision(c, "k-search");
  v1::EnrollmentKey found;
  found.set_insurer_number("39131015");
  found.set_number("87654321");
  found.set_qualified_from("20240501");
  d.candidate = found;
  // Not one of the case's candidates: refused unless it came from a search.
  EXPECT_EQ(store_->Confirm(d).status().code(),
            absl::StatusCode::kFailedPrecondition);
  d.from_search = true;
  absl::StatusOr<CaseWrite> w = store_->Confirm(d);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->stored.state(), v1::CASE_STATE_CONFIRMED);
  EXPECT_EQ(w->stored.resolved().number(), "87654321");
  bool searched = false;
  for (const v1::AuditRecord& r : Audit("searched")) {
    searched |= r.action() == "CONFIRMED" &&
                r.detail().find("rank=search") != std::string::npos;
  }
  EXPECT_TRUE(searched);
}

}  // namespace
}  // namespace kuromaru::store
