#include "matcher/scorer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "matcher/name_relation.h"

namespace kuromaru::matcher {
namespace {

bool Agrees(Level level, std::initializer_list<Level> agreeing) {
  return std::find(agreeing.begin(), agreeing.end(), level) != agreeing.end();
}

Level At(const ComparisonVector& levels, Field field) {
  return levels[static_cast<int>(field)];
}

// See the overview in scorer.h: name and birth date never identify alone.
bool Identified(const ComparisonVector& v, const EnrollmentContext& e) {
  // With two enrollments valid at once, the person's history may mix two
  // people (namesakes grouped as one), so an earlier insurer proves little.
  const bool previous_counts = !e.person_has_other_valid;
  // A large insurer holds namesakes too: its number identifies only when the
  // billed member key does not point elsewhere.
  const bool insurer_counts = At(v, Field::kMember) != Level::kDifferent;
  if (Agrees(At(v, Field::kMember), {Level::kExact, Level::kSameNumber}) ||
      (previous_counts && At(v, Field::kMember) == Level::kPreviousMember) ||
      (insurer_counts &&
       Agrees(At(v, Field::kInsurer), {Level::kExact, Level::kRepaired})) ||
      (previous_counts && At(v, Field::kInsurer) == Level::kPreviousInsurer) ||
      Agrees(At(v, Field::kAddress), {Level::kExact, Level::kPostalCode})) {
    return true;
  }
  const std::initializer_list<Level> names = {Level::kExact,
                                              Level::kExactAfterFolding};
  const bool contradicted = At(v, Field::kMember) == Level::kDifferent ||
                            At(v, Field::kInsurer) == Level::kDifferent ||
                            At(v, Field::kAddress) == Level::kDifferent;
  return e.kana_birth_date_namesakes == 0 && !contradicted &&
         Agrees(At(v, Field::kNameKana), names) &&
         Agrees(At(v, Field::kNameKanji), names) &&
         At(v, Field::kBirthDate) == Level::kExact;
}

}  // namespace

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAutoMatch:
      return "DECISION_AUTO_MATCH";
    case Decision::kReview:
      return "DECISION_REVIEW";
    case Decision::kNoMatch:
      return "DECISION_NO_MATCH";
  }
  return "DECISION_UNSPECIFIED";
}

absl::StatusOr<std::unique_ptr<Scorer>> Scorer::Create(
    Model model, const TermFrequency* frequencies,
    const DecisionOptions& options) {
  if (absl::Status status = model.Validate(); !status.ok()) return status;
  const bool probabilities_ok =
      options.review_min_probability >= 0 &&
      options.review_min_probability <= options.auto_min_probability &&
      options.auto_min_probability <= 1;
  if (!probabilities_ok || options.auto_min_margin < 0) {
    return absl::InvalidArgumentError(
        "decision options: need 0 <= review_min_probability <= "
        "auto_min_probability <= 1 and auto_min_margin >= 0");
  }
  return std::unique_ptr<Scorer>(
      new Scorer(std::move(model), frequencies, options));
}

double Scorer::FieldWeight(Field field, const FieldComparison& comparison,
                           const PersonView& roster) const {
  // Only agreeing names are adjusted for their frequency: look nothing up
  // otherwise.
  const bool agrees = comparison.level == Level::kExact ||
                      comparison.level == Level::kExactAfterFolding;
  if (frequencies_ == nullptr || !agrees)
    return model_.Weight(field, comparison.level);
  if (field == Field::kNameKana) {
    return model_.TfWeight(field, comparison.level,
                           frequencies_->KanaNameFrequency(roster.kana_key),
                           frequencies_->KanaNameCollision());
  }
  if (field == Field::kNameKanji) {
    return model_.TfWeight(
        field, comparison.level,
        frequencies_->KanjiNameFrequency(roster.kanji_loose_key),
        frequencies_->KanjiNameCollision());
  }
  return model_.Weight(field, comparison.level);
}

namespace {

// 記号|番号| with an empty 枝番.
bool BranchOmitted(std::string_view member_key) {
  return !member_key.empty() && member_key.back() == '|';
}

FieldComparison CompareField(Field field, const PersonView& receipt,
                             const PersonView& roster, bool explain) {
  switch (field) {
    case Field::kNameKanji:
      return CompareNameKanji(receipt, roster, explain);
    case Field::kNameKana:
      return CompareNameKana(receipt, roster, explain);
    case Field::kAddress:
      return CompareAddress(receipt, roster, explain);
    case Field::kMember:
      return CompareMember(receipt, roster, explain);
    default:
      return {};
  }
}

bool SameValues(Field field, const PersonView& a, const PersonView& b) {
  switch (field) {
    case Field::kNameKanji:
      return a.kanji_key == b.kanji_key;
    case Field::kNameKana:
      return a.kana_key == b.kana_key && a.kana_surname == b.kana_surname;
    case Field::kAddress:
      return a.address_key == b.address_key && a.postal_code == b.postal_code &&
             a.municipality == b.municipality;
    case Field::kMember:
      return a.member_key == b.member_key;
    default:
      return true;
  }
}

}  // namespace

void Scorer::UseHistory(const ReceiptInput& receipt,
                        const CandidateInput& candidate, bool explain,
                        FieldComparison* comparisons, int8_t* sources) const {
  const PersonView& a = receipt.person;
  const std::span<const OtherEnrollment> others = candidate.enrollment.others;
  const size_t n = std::min<size_t>(others.size(), INT8_MAX);
  for (Field field : {Field::kNameKanji, Field::kNameKana, Field::kAddress}) {
    FieldComparison& current = comparisons[static_cast<int>(field)];
    if (current.level == Level::kExact) continue;
    double best = FieldWeight(field, current, candidate.person);
    int8_t source = -1;
    for (size_t i = 0; i < n; ++i) {
      const PersonView& o = others[i].person;
      if (SameValues(field, o, candidate.person)) continue;
      const FieldComparison c = CompareField(field, a, o, /*explain=*/false);
      const double w = FieldWeight(field, c, o);
      if (w > best) {
        best = w;
        source = static_cast<int8_t>(i);
        current.level = c.level;
      }
    }
    if (source < 0) continue;
    sources[static_cast<int>(field)] = source;
    if (explain) current = CompareField(field, a, others[source].person, true);
  }
  // A stale card: the billed key is that of an earlier enrollment.
  FieldComparison& member = comparisons[static_cast<int>(Field::kMember)];
  const double member_weight = model_.Weight(Field::kMember, member.level);
  if (member.level == Level::kExact || member.level == Level::kMissing ||
      model_.Weight(Field::kMember, Level::kPreviousMember) <= member_weight) {
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (!others[i].ended_before_month) continue;
    const FieldComparison c =
        CompareMember(a, others[i].person, /*with_values=*/explain);
    // The earlier card itself: the whole key, or 記号・番号 with no 枝番
    // billed. Another 枝番 is another member of the household.
    const bool same_card =
        c.level == Level::kExact ||
        (c.level == Level::kSameNumber && BranchOmitted(a.member_key) &&
         WithoutBranch(a.member_key) ==
             WithoutBranch(others[i].person.member_key));
    if (!same_card) continue;
    member = c;
    member.level = Level::kPreviousMember;
    sources[static_cast<int>(Field::kMember)] = static_cast<int8_t>(i);
    return;
  }
}

namespace {

// Which earlier enrollment the billed insurer named, for the evidence.
int8_t PreviousInsurerSource(const ReceiptInput& receipt,
                             std::span<const OtherEnrollment> others) {
  if (receipt.billed_insurer == nullptr) return -1;
  const normalizer::InsurerNumber& billed = *receipt.billed_insurer;
  for (size_t i = 0; i < std::min<size_t>(others.size(), INT8_MAX); ++i) {
    if (!others[i].ended_before_month) continue;
    const std::string_view number = others[i].person.insurer_number;
    if (number == billed.digits ||
        (!billed.check_digit_valid &&
         std::find(billed.repairs.begin(), billed.repairs.end(), number) !=
             billed.repairs.end())) {
      return static_cast<int8_t>(i);
    }
  }
  return -1;
}

}  // namespace

ScoredCandidate Scorer::Score(const ReceiptInput& receipt,
                              const CandidateInput& candidate,
                              bool explain) const {
  const PersonView& a = receipt.person;
  const PersonView& b = candidate.person;
  const EnrollmentContext& e = candidate.enrollment;
  FieldComparison comparisons[kFieldCount] = {
      CompareNameKanji(a, b, explain),
      CompareNameKana(a, b, explain),
      CompareBirthDate(a.birth_date, b.birth_date, explain),
      CompareSex(a.sex, b.sex, explain),
      CompareMember(a, b, explain),
      CompareInsurer(receipt.billed_insurer, b.insurer_number, e.other_insurers,
                     explain),
      CompareAddress(a, b, explain),
      CompareEnrollment(receipt.service_month, e, explain),
  };
  // A marriage one script shows (given name kept) where the other cannot: no
  // space on one side and a one-kanji given name, or none on either.
  FieldComparison& kanji = comparisons[static_cast<int>(Field::kNameKanji)];
  FieldComparison& kana = comparisons[static_cast<int>(Field::kNameKana)];
  if (kanji.level == Level::kDifferent &&
      kana.level == Level::kSurnameChanged &&
      KanjiRelation(a, b) == NameRelation::kMaybeSurnameChanged) {
    kanji.level = Level::kSurnameChanged;
  } else if (kana.level == Level::kDifferent &&
             kanji.level == Level::kSurnameChanged &&
             KanaRelation(a, b) == NameRelation::kMaybeSurnameChanged) {
    kana.level = Level::kSurnameChanged;
  }
  ScoredCandidate scored;
  scored.sources.fill(-1);
  if (!e.others.empty()) {
    UseHistory(receipt, candidate, explain, comparisons, scored.sources.data());
    if (comparisons[static_cast<int>(Field::kInsurer)].level ==
        Level::kPreviousInsurer) {
      scored.sources[static_cast<int>(Field::kInsurer)] =
          PreviousInsurerSource(receipt, e.others);
    }
  }
  scored.person_id = candidate.person_id;
  scored.match_weight = model_.prior_weight();
  if (explain) scored.evidence.reserve(kFieldCount);
  for (int i = 0; i < kFieldCount; ++i) {
    const Field field = static_cast<Field>(i);
    FieldComparison& c = comparisons[i];
    const int8_t source = scored.sources[i];
    const PersonView& roster_side = source >= 0 ? e.others[source].person : b;
    const double weight = FieldWeight(field, c, roster_side);
    scored.levels[i] = c.level;
    scored.match_weight += weight;
    if (!explain) continue;
    scored.evidence.push_back(
        {std::string(FieldName(field)), std::string(LevelName(c.level)), weight,
         std::move(c.receipt_value), std::move(c.roster_value), source});
  }
  scored.probability = model_.Probability(scored.match_weight);
  scored.identified = Identified(scored.levels, e);
  return scored;
}

// A receipt is one person: different persons compete for the same probability
// mass. Each candidate's odds (from its calibrated probability) are shared with
// the other persons and with "none of them": p_i = o_i / (1 + Σ_persons
// o_best). One person alone keeps the probability; two equally good namesakes
// get at most one half each. A person's several enrollments do not compete with
// each other.
void ShareAmongCandidates(std::vector<ScoredCandidate>* candidates) {
  constexpr double kEdge = 1e-15;
  double max_log_odds = 0;  // the "none" term has log-odds 0
  std::vector<double> log_odds(candidates->size());
  // Each person's best log-odds, in the order persons first appear: the sum
  // below is then the same from run to run (a hash map's order is not).
  absl::flat_hash_map<uint64_t, size_t> slot_of_person;
  std::vector<double> best_of_person;
  for (size_t i = 0; i < candidates->size(); ++i) {
    const double p = std::clamp((*candidates)[i].probability, kEdge, 1 - kEdge);
    log_odds[i] = std::log2(p / (1 - p));
    max_log_odds = std::max(max_log_odds, log_odds[i]);
    auto [it, inserted] = slot_of_person.try_emplace((*candidates)[i].person_id,
                                                     best_of_person.size());
    if (inserted) {
      best_of_person.push_back(log_odds[i]);
    } else {
      best_of_person[it->second] =
          std::max(best_of_person[it->second], log_odds[i]);
    }
  }
  double total = std::exp2(-max_log_odds);  // "none"
  for (const double l : best_of_person) total += std::exp2(l - max_log_odds);
  for (size_t i = 0; i < candidates->size(); ++i) {
    (*candidates)[i].probability =
        std::exp2(log_odds[i] - max_log_odds) / total;
  }
}

MatchOutcome Scorer::Match(const ReceiptInput& receipt,
                           std::span<const CandidateInput> candidates,
                           size_t explain_top) const {
  MatchOutcome outcome;
  outcome.candidates.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    outcome.candidates.push_back(
        Score(receipt, candidates[i], /*explain=*/false));
    outcome.candidates.back().input_index = i;
  }
  ShareAmongCandidates(&outcome.candidates);
  std::sort(outcome.candidates.begin(), outcome.candidates.end(),
            [](const ScoredCandidate& x, const ScoredCandidate& y) {
              if (x.match_weight != y.match_weight) {
                return x.match_weight > y.match_weight;
              }
              if (x.person_id != y.person_id) return x.person_id < y.person_id;
              return x.input_index < y.input_index;
            });
  outcome.decision =
      Decide(outcome.candidates, options_, &outcome.margin, &outcome.reason);
  // Evidence for those a reader sees; the weights come out the same.
  const size_t explained = std::min(explain_top, outcome.candidates.size());
  for (size_t k = 0; k < explained; ++k) {
    ScoredCandidate& c = outcome.candidates[k];
    c.evidence =
        Score(receipt, candidates[c.input_index], /*explain=*/true).evidence;
  }
  return outcome;
}

Decision Decide(std::span<const ScoredCandidate> ranked,
                const DecisionOptions& options, double* margin,
                std::string* reason) {
  reason->clear();
  *margin = 0;
  if (ranked.empty()) {
    *reason = "no candidate";
    return Decision::kNoMatch;
  }
  const ScoredCandidate& best = ranked.front();
  *margin = std::numeric_limits<double>::infinity();
  for (const ScoredCandidate& other : ranked) {
    if (other.person_id != best.person_id) {
      *margin = best.match_weight - other.match_weight;
      break;
    }
  }
  if (best.probability < options.review_min_probability) {
    *reason = "probability";
    return Decision::kNoMatch;
  }
  if (best.probability < options.auto_min_probability) {
    *reason = "probability";
  } else if (*margin < options.auto_min_margin) {
    *reason = "margin";
  } else if (!best.identified) {
    *reason = "not identified";
  } else if (options.auto_requires_valid_enrollment &&
             At(best.levels, Field::kEnrollment) != Level::kValid) {
    // The person is identified, and the best of its enrollments is not valid
    // in the month. When no candidate that could be the receipt's person (no
    // name, birth date or sex DIFFERENT) is valid either, the roster holds no
    // enrollment to confirm (it is not registered yet, or the person had no
    // insurance then): no match, routed by the insurer suggestions and
    // resolved by the nightly re-match once the roster holds it. Otherwise a
    // reviewer may see that the valid one is the same person (a marriage the
    // linkage did not see); a household member's valid enrollment, with
    // another birth date, or another person's, does not count.
    const bool any_valid =
        std::any_of(ranked.begin(), ranked.end(), [](const ScoredCandidate& c) {
          return At(c.levels, Field::kEnrollment) == Level::kValid &&
                 At(c.levels, Field::kBirthDate) != Level::kDifferent &&
                 At(c.levels, Field::kSex) != Level::kDifferent &&
                 At(c.levels, Field::kNameKanji) != Level::kDifferent &&
                 At(c.levels, Field::kNameKana) != Level::kDifferent;
        });
    *reason = any_valid ? "enrollment" : "no enrollment valid in the month";
    if (!any_valid) return Decision::kNoMatch;
  } else {
    return Decision::kAutoMatch;
  }
  return Decision::kReview;
}

void AddToStats(const MatchOutcome& outcome, bool is_correct,
                DecisionStats* stats) {
  ++stats->receipts;
  switch (outcome.decision) {
    case Decision::kAutoMatch:
      ++stats->auto_matches;
      if (is_correct) ++stats->auto_correct;
      break;
    case Decision::kReview:
      ++stats->reviews;
      break;
    case Decision::kNoMatch:
      ++stats->no_matches;
      break;
  }
}

}  // namespace kuromaru::matcher
