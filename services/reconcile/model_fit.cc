#include "services/reconcile/model_fit.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "matcher/comparison.h"
#include "services/io/receipts.h"
#include "services/reconcile/match.h"
#include "services/reconcile/proto_conversion.h"

namespace kuromaru::reconcile {
namespace {

// The comparison levels of a re-matched candidate, from its evidence.
absl::StatusOr<matcher::ComparisonVector> ComparisonLevels(
    const v1::Candidate& c) {
  matcher::ComparisonVector levels;
  levels.fill(matcher::Level::kMissing);
  for (const v1::Evidence& e : c.evidence()) {
    auto field = matcher::FieldFromName(e.field());
    auto level = matcher::LevelFromName(e.level());
    if (!field || !level || !matcher::FieldHasLevel(*field, *level)) {
      return absl::InternalError(
          absl::StrCat("unknown evidence ", e.field(), "/", e.level()));
    }
    levels[static_cast<int>(*field)] = *level;
  }
  return levels;
}

store::Rematcher RematchWith(const Engine& engine) {
  return [&engine](const v1::Receipt& r) -> absl::StatusOr<v1::MatchResult> {
    return ToMatchResult(r.receipt_id(), engine.matcher->Match(TextOf(r)),
                         engine.roster_version, engine.model_version);
  };
}

// The decisions as labelled comparison vectors under `engine`'s roster.
absl::Status GatherLabels(store::CaseRepository& cases, const Engine& engine,
                          std::vector<matcher::LabelledVector>* out,
                          store::LabelCounts* counts) {
  absl::Status bad;
  RETURN_IF_ERROR(store::ForEachDecisionLabel(
      cases, RematchWith(engine),
      [&](const store::DecisionLabel& label) {
        absl::StatusOr<matcher::ComparisonVector> levels =
            ComparisonLevels(label.candidate);
        if (!levels.ok()) {
          bad.Update(levels.status());
          return;
        }
        out->push_back({*levels, label.is_match});
      },
      counts));
  return bad;
}

// The match weights of the decided pairs under `engine`'s model, to
// calibrate it.
absl::StatusOr<std::vector<matcher::LabelledWeight>> GatherWeights(
    store::CaseRepository& cases, const Engine& engine) {
  std::vector<matcher::LabelledWeight> weights;
  store::LabelCounts counts;
  RETURN_IF_ERROR(store::ForEachDecisionLabel(
      cases, RematchWith(engine),
      [&](const store::DecisionLabel& label) {
        weights.push_back({label.candidate.match_weight(), label.is_match});
      },
      &counts));
  return weights;
}

}  // namespace

absl::StatusOr<EmFit> FitEmOnReceipts(const Engine& engine,
                                      std::istream& receipts, int64_t sample) {
  std::vector<matcher::ComparisonVector> vectors;
  EmFit fit;
  RETURN_IF_ERROR(io::ReadReceiptsJsonl(
      receipts,
      [&](int64_t, v1::Receipt& receipt) {
        if (!ValidateReceipt(receipt).empty()) return true;
        engine.matcher->AppendComparisonVectors(TextOf(receipt), &vectors);
        return ++fit.receipts_used < sample;
      },
      [](int64_t, const std::string&) { return true; }));
  ASSIGN_OR_RETURN(fit.em, matcher::FitEm(engine.matcher->model(), vectors,
                                          matcher::EmOptions()));
  return fit;
}

absl::StatusOr<DecisionFit> FitOnDecisions(const Engine& engine,
                                           store::CaseRepository& cases,
                                           int64_t min_positives,
                                           int64_t min_negatives) {
  DecisionFit fit;
  std::vector<matcher::LabelledVector> labelled;
  RETURN_IF_ERROR(GatherLabels(cases, engine, &labelled, &fit.counts));
  const store::LabelCounts& c = fit.counts;
  base::Log(base::LogLevel::kInfo, "decision labels",
            {{"cases", c.cases},
             {"positives", c.positives},
             {"negatives", c.negatives},
             {"skipped", c.skipped}});
  if (c.positives < min_positives || c.negatives < min_negatives) {
    return absl::FailedPreconditionError(absl::StrCat(
        "too few decisions to fit on: ", c.positives, " matches (need ",
        min_positives, ") and ", c.negatives, " non-matches (need ",
        min_negatives, ") from ", c.cases, " decided cases"));
  }
  ASSIGN_OR_RETURN(fit.model,
                   matcher::RefitFromLabels(engine.matcher->model(), labelled,
                                            matcher::RefitOptions()));
  fit.model.calibration = matcher::Calibration();
  ASSIGN_OR_RETURN(std::shared_ptr<const matcher::Matcher> refitted,
                   matcher::Matcher::Create(engine.matcher->index(), fit.model,
                                            engine.matcher->options()));
  const std::shared_ptr<const Engine> calibrating = EngineOf(refitted);
  ASSIGN_OR_RETURN(std::vector<matcher::LabelledWeight> weights,
                   GatherWeights(cases, *calibrating));
  ASSIGN_OR_RETURN(fit.model.calibration, matcher::FitCalibration(weights));
  RETURN_IF_ERROR(fit.model.Validate());
  return fit;
}

}  // namespace kuromaru::reconcile
