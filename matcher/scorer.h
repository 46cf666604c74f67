// Scoring candidates and deciding: the Fellegi–Sunter match weight of each
// candidate enrollment, its per-field evidence, a calibrated probability, and
// the decision for the receipt.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Scorer> scorer,
//                    Scorer::Create(model, &roster_frequencies, {}));
//   MatchOutcome outcome = scorer->Match(receipt, candidates);
//   // outcome.decision == Decision::kAutoMatch;
//   // outcome.candidates[0].evidence: the waterfall a reviewer reads.
//
// The match weight of a candidate is the model's prior weight plus the weight
// of every field's evidence (log2 Bayes factors), as in Splink's waterfall
// chart. Decision (DecisionOptions):
//   - NO_MATCH when there is no candidate or the best is below
//     review_min_probability;
//   - AUTO_MATCH when the best candidate's probability is at least
//     auto_min_probability, its weight leads the best candidate of any other
//     person by auto_min_margin bits, its enrollment is valid in the service
//     month, and it is identified: an identifying field agrees (member EXACT or
//     SAME_NUMBER; insurer EXACT or REPAIRED unless the member is DIFFERENT;
//     PREVIOUS_INSURER unless the person has another enrollment valid in the
//     month; address EXACT or POSTAL_CODE), or it is the only person in the
//     roster with that kana name and birth date, its kanji name agrees too
//     (EXACT or EXACT_AFTER_FOLDING) and no member, insurer or address is
//     DIFFERENT (the patient may be a namesake absent from the roster). Name
//     and birth date alone never suffice: two different people can share both;
//   - REVIEW otherwise.
//
// A Scorer is immutable after Create; Score and Match are thread-safe.
#ifndef KUROMARU_MATCHER_SCORER_H_
#define KUROMARU_MATCHER_SCORER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/comparison.h"
#include "matcher/model.h"
#include "matcher/person.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

struct DecisionOptions {
  // Calibrated probability the best candidate needs for AUTO_MATCH.
  // Default: 0.995.
  double auto_min_probability = 0.995;
  // Lead in match weight (log2) over the best candidate of another person.
  // Default: 6 bits (a Bayes factor of 64).
  double auto_min_margin = 6.0;
  // Below this probability the best candidate is not worth a reviewer's time:
  // NO_MATCH. Default: 0.05.
  double review_min_probability = 0.05;
  // Require the enrollment to be valid in the service month for AUTO_MATCH;
  // a best candidate that would be AUTO_MATCH but for that is NO_MATCH (its
  // person holds no enrollment valid in the month). Default: true.
  bool auto_requires_valid_enrollment = true;
};

// The key of an enrollment as in its roster row (views into the roster).
struct EnrollmentKeyView {
  std::string_view insurer_number, symbol, number, branch;
  PackedDate qualified_from = 0;
};

// One field's contribution to a candidate's match weight.
struct Evidence {
  std::string field;  // FieldName: name_kanji, name_kana, …
  std::string level;  // LevelName: EXACT, EXACT_AFTER_FOLDING, …
  double weight = 0;  // log2 Bayes factor, term frequency included
  std::string receipt_value;
  std::string roster_value;
  // The roster value came from another enrollment of the person: its index in
  // the candidate's EnrollmentContext::others; -1 for the candidate
  // enrollment itself.
  int source = -1;
  // That enrollment's key, filled in by the Matcher when source >= 0.
  EnrollmentKeyView source_key;
};

// The receipt side of a comparison.
struct ReceiptInput {
  PersonView person;
  // ParseInsurerNumber of the billed number; nullptr when none was billed or
  // it did not parse. Must outlive the call.
  const normalizer::InsurerNumber* billed_insurer = nullptr;
  PackedMonth service_month = 0;
};

// One candidate enrollment. Views must outlive the call.
struct CandidateInput {
  // Identifies the person: enrollments of one person share it, and the margin
  // is taken over other persons only.
  uint64_t person_id = 0;
  PersonView person;
  EnrollmentContext enrollment;
};

struct ScoredCandidate {
  size_t input_index = 0;  // position in the candidates passed to Match
  uint64_t person_id = 0;
  double match_weight = 0;  // prior + Σ evidence weights
  // Model::Probability(match_weight) alone from Score(); from Match(), shared
  // with the receipt's other candidates (they cannot all be the patient).
  double probability = 0;
  ComparisonVector levels{};
  // Per field, as Evidence::source.
  std::array<int8_t, kFieldCount> sources{};
  std::vector<Evidence> evidence;  // one per field, in Field order
  // An identifying field agrees (see the overview).
  bool identified = false;
};

enum class Decision { kAutoMatch, kReview, kNoMatch };

// "DECISION_AUTO_MATCH", "DECISION_REVIEW", "DECISION_NO_MATCH".
std::string_view DecisionName(Decision decision);

struct MatchOutcome {
  Decision decision = Decision::kNoMatch;
  std::vector<ScoredCandidate> candidates;  // best first
  // Best weight minus the best weight of another person; +inf when there is
  // no other person, 0 when there is no candidate.
  double margin = 0;
  // Why the decision is not AUTO_MATCH, for logs and reviewers ("margin",
  // "probability", "not identified", "enrollment", "no candidate"); empty for
  // AUTO_MATCH. Holds no personal data.
  std::string reason;
};

class Scorer {
 public:
  // `frequencies` may be nullptr (no term-frequency adjustment); otherwise it
  // must outlive the Scorer. Returns InvalidArgument when the model fails
  // Model::Validate or the options are out of range.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(
      Model model, const TermFrequency* frequencies,
      const DecisionOptions& options);

  // Compares every field and sums the evidence. The names and the address
  // are compared with every enrollment of the person and the best level
  // counts; the billed key against the person's earlier enrollments gives
  // PREVIOUS_MEMBER (and the billed insurer PREVIOUS_INSURER): a person is
  // ranked by the evidence of all its enrollments, and the candidate stays
  // the enrollment valid in the service month.
  // With `explain` false the evidence is left empty (nothing is allocated); the
  // levels and weights are the same.
  ScoredCandidate Score(const ReceiptInput& receipt,
                        const CandidateInput& candidate,
                        bool explain = true) const;

  // Scores, ranks (by weight, then person_id, then input order) and decides.
  // Only the first `explain_top` ranked candidates carry evidence.
  MatchOutcome Match(const ReceiptInput& receipt,
                     std::span<const CandidateInput> candidates,
                     size_t explain_top = SIZE_MAX) const;

  const Model& model() const { return model_; }
  const DecisionOptions& options() const { return options_; }

 private:
  Scorer(Model model, const TermFrequency* frequencies,
         const DecisionOptions& options)
      : model_(std::move(model)),
        frequencies_(frequencies),
        options_(options) {}

  double FieldWeight(Field field, const FieldComparison& comparison,
                     const PersonView& roster) const;
  // Replaces comparisons[field] by a better one against the person's other
  // enrollments, recording where it came from in sources[field].
  void UseHistory(const ReceiptInput& receipt, const CandidateInput& candidate,
                  bool explain, FieldComparison* comparisons,
                  int8_t* sources) const;

  const Model model_;
  const TermFrequency* const frequencies_;
  const DecisionOptions options_;
};

// The decision rule of the overview, for candidates already scored and ranked
// best first; sets `margin` and `reason` as in MatchOutcome. Separate from the
// Scorer so that thresholds can be swept over stored outcomes.
Decision Decide(std::span<const ScoredCandidate> ranked,
                const DecisionOptions& options, double* margin,
                std::string* reason);

// How a set of thresholds performs on labelled outcomes: what a reviewer
// reads next to DecisionOptions. `is_correct` says whether the top candidate
// of each outcome is the receipt's person (false when the person is not in
// the roster).
struct DecisionStats {
  int receipts = 0;
  int auto_matches = 0;
  int auto_correct = 0;
  int reviews = 0;
  int no_matches = 0;
  double auto_precision() const {
    return auto_matches == 0 ? 1.0
                             : static_cast<double>(auto_correct) / auto_matches;
  }
  double review_rate() const {
    return receipts == 0 ? 0.0 : static_cast<double>(reviews) / receipts;
  }
};
void AddToStats(const MatchOutcome& outcome, bool is_correct,
                DecisionStats* stats);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_SCORER_H_
