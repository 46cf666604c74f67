// Fitting the matching model (`kuromaru model fit`): by EM on the candidate
// pairs of unlabelled receipts, or on the reviewers' decisions in a case
// store, against an engine's roster.
//
//   ASSIGN_OR_RETURN(auto engine, LoadEngine(source, LoadOptions(), nullptr));
//   ASSIGN_OR_RETURN(EmFit fit, FitEmOnReceipts(*engine, in, 20000));
//   ASSIGN_OR_RETURN(DecisionFit refit, FitOnDecisions(*engine, store));
//
// Thread-safe as the engine and the store are.
#ifndef KUROMARU_SERVICES_RECONCILE_MODEL_FIT_H_
#define KUROMARU_SERVICES_RECONCILE_MODEL_FIT_H_

#include <cstdint>
#include <istream>

#include "absl/status/statusor.h"
#include "matcher/model.h"
#include "services/reconcile/engine.h"
#include "services/store/case_store.h"
#include "services/store/labels.h"

namespace kuromaru::reconcile {

struct EmFit {
  matcher::EmResult em;
  int64_t receipts_used = 0;
};

// Fits m, u and λ by EM on the candidate pairs of up to `sample` receipts
// of the JSON Lines stream `receipts`, starting from the engine's model.
// Lines that are not valid receipts are skipped. DATA_LOSS when the stream
// fails.
absl::StatusOr<EmFit> FitEmOnReceipts(const Engine& engine,
                                      std::istream& receipts, int64_t sample);

struct DecisionFit {
  matcher::Model model;
  store::LabelCounts counts;
};

// Refits m and u on the labelled pairs of the store's decided cases (each
// receipt matched again with `engine`, whose matcher should return enough
// candidates to find the decided one), starting from the engine's model,
// and calibrates the refitted model's probabilities on the same pairs.
// FAILED_PRECONDITION with the counts when there are fewer than
// `min_positives` matches or `min_negatives` non-matches.
absl::StatusOr<DecisionFit> FitOnDecisions(const Engine& engine,
                                           store::CaseRepository& cases,
                                           int64_t min_positives,
                                           int64_t min_negatives);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_MODEL_FIT_H_
