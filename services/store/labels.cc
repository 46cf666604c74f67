#include "services/store/labels.h"

#include <string>

#include "base/status_macros.h"

namespace kuromaru::store {
namespace {

constexpr int kPageSize = 500;

const v1::Candidate* FindByKey(const v1::MatchResult& result,
                               const v1::EnrollmentKey& key) {
  for (const v1::Candidate& c : result.candidates()) {
    if (cases::SameKey(cases::KeyOf(c), key)) return &c;
  }
  return nullptr;
}

absl::Status LabelCase(const v1::Case& decided, const Rematcher& rematch,
                       const std::function<void(const DecisionLabel&)>& sink,
                       LabelCounts* counts) {
  ASSIGN_OR_RETURN(v1::MatchResult again, rematch(decided.receipt()));
  const bool confirmed = decided.state() == v1::CASE_STATE_CONFIRMED;
  for (const v1::Candidate& stored : decided.result().candidates()) {
    const v1::EnrollmentKey key = cases::KeyOf(stored);
    const v1::Candidate* current = FindByKey(again, key);
    if (current == nullptr) {
      ++counts->skipped;
      continue;
    }
    const bool is_match = confirmed && cases::SameKey(key, decided.resolved());
    ++(is_match ? counts->positives : counts->negatives);
    sink(DecisionLabel{decided.receipt_id(), *current, is_match});
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ForEachDecisionLabel(
    CaseRepository& store, const Rematcher& rematch,
    const std::function<void(const DecisionLabel&)>& sink,
    LabelCounts* counts) {
  CaseFilter filter;
  filter.states = {v1::CASE_STATE_CONFIRMED, v1::CASE_STATE_REJECTED};
  filter.page_size = kPageSize;
  const Actor reader{"model-fit", "admin", "", "local"};
  while (true) {
    ASSIGN_OR_RETURN(CasePage page, store.ListCases(filter));
    for (const v1::CaseSummary& summary : page.cases) {
      absl::StatusOr<v1::Case> decided =
          store.GetCase(summary.receipt_id(), reader, /*audit_open=*/false);
      if (absl::IsNotFound(decided.status())) continue;  // purged meanwhile
      if (!decided.ok()) return decided.status();
      // Reopened since it was listed: no longer a decision.
      if (decided->state() != v1::CASE_STATE_CONFIRMED &&
          decided->state() != v1::CASE_STATE_REJECTED) {
        continue;
      }
      ++counts->cases;
      RETURN_IF_ERROR(LabelCase(*decided, rematch, sink, counts));
    }
    if (page.next_page_token.empty()) return absl::OkStatus();
    filter.page_token = page.next_page_token;
  }
}

}  // namespace kuromaru::store
