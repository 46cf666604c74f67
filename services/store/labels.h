// Reviewers' decisions as labelled candidate pairs, to refit the matching
// model on. A CONFIRMED case says its confirmed candidate is the patient and
// its other candidates are not; a REJECTED case says none of its candidates
// is. Cases resolved automatically are no labels (they are the model's own
// output), nor are open cases.
//
//   LabelCounts counts;
//   RETURN_IF_ERROR(ForEachDecisionLabel(*store, rematch,
//       [&](const DecisionLabel& label) { pairs.push_back(...); },
//       &counts));
//
// The store knows nothing of matching: the caller's Rematcher matches each
// decided receipt again against the current roster, and a decided candidate
// is labelled with the re-match's candidate of the same enrollment key, whose
// evidence holds the comparison levels under today's roster. A decided
// candidate the re-match does not find (no longer in the roster, or no
// longer a candidate) is skipped and counted.
#ifndef KUROMARU_SERVICES_STORE_LABELS_H_
#define KUROMARU_SERVICES_STORE_LABELS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/receipt.pb.h"
#include "services/store/case_store.h"

namespace kuromaru::store {

// One labelled pair. The references live for the duration of the call.
struct DecisionLabel {
  const std::string& receipt_id;
  const v1::Candidate& candidate;  // the re-match's, with its evidence
  bool is_match;
};

struct LabelCounts {
  int64_t cases = 0;      // CONFIRMED and REJECTED cases read
  int64_t positives = 0;  // labelled matches
  int64_t negatives = 0;  // labelled non-matches
  int64_t skipped = 0;    // decided candidates the re-match did not find
};

// Matches a stored receipt against the current roster; candidates carry
// their keys exactly as in the roster, and evidence one per field.
using Rematcher =
    std::function<absl::StatusOr<v1::MatchResult>(const v1::Receipt&)>;

// Calls `sink` for every labelled pair of every decided case, reading the
// cases a page at a time (oldest first). Cases purged while reading are
// passed over. Returns the first error of the store or of `rematch`; `counts`
// (required) holds what was done until then.
absl::Status ForEachDecisionLabel(
    CaseRepository& store, const Rematcher& rematch,
    const std::function<void(const DecisionLabel&)>& sink, LabelCounts* counts);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_LABELS_H_
