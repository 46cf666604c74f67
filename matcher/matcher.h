// The matcher: one receipt in, ranked enrollments with evidence and a decision
// out.
//
// clang-format off
//   ASSIGN_OR_RETURN(auto index, RosterIndex::Build(roster));
//   ASSIGN_OR_RETURN(auto matcher, Matcher::Create(index, Model::Default(), {}));
//   ReceiptMatch m = matcher->Match(receipt);  // thread-safe, any number of threads
// clang-format on
//
// Match normalizes the receipt (NormalizePerson), generates candidates from the
// roster index (one per person: the enrollment valid in the service month, or
// the nearest), scores each with the Fellegi–Sunter model (scorer.h) and
// decides. It then ranks the insurers to route the receipt to
// (insurer_routing.h): from the billed number, its repairs and the
// candidates always, and from the named insurer, the employer, the address and
// the age when an insurer directory was given. A Matcher is immutable: a new
// roster or model means a new Matcher, swapped in atomically by the caller.
#ifndef KUROMARU_MATCHER_MATCHER_H_
#define KUROMARU_MATCHER_MATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/insurer_routing.h"
#include "matcher/model.h"
#include "matcher/normalize_person.h"
#include "matcher/person.h"
#include "matcher/roster.h"
#include "matcher/roster_index.h"
#include "matcher/scorer.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

struct MatcherOptions {
  CandidateOptions candidates;
  DecisionOptions decision;
  // Candidates returned per receipt, best first. Default: 5.
  int max_returned = 5;
  RoutingOptions routing;
};

// A receipt's fields as received (FORMATS.md §2). Views must outlive Match().
struct ReceiptText {
  std::string_view receipt_id, service_month, insurer_number, symbol, number,
      branch, name_kanji, name_kana, birth_date, sex, postal_code, address;
  // 保険者等名称 and 事業所名 from the 摘要, and 医療機関コード, for routing
  // only.
  std::string_view insurer_name, employer, institution_code;
};

// One ranked enrollment.
struct MatchedCandidate {
  EnrollmentId enrollment = kNoEnrollment;
  EnrollmentInfo info;  // the roster row's values; views into the roster
  bool valid_in_service_month = false;
  double probability = 0;
  double match_weight = 0;
  std::vector<Evidence> evidence;
};

struct ReceiptMatch {
  Decision decision = Decision::kNoMatch;
  std::vector<MatchedCandidate> candidates;  // best first, at most max_returned
  double prior_weight = 0;
  std::string reason;  // why not AUTO_MATCH (no personal data)
  // The receipt as understood.
  NormalizedPerson normalized;
  std::vector<FieldIssue> issues;  // fields treated as missing, and why
  PackedMonth service_month = 0;
  std::optional<normalizer::InsurerNumber> billed_insurer;
  int candidates_considered = 0;
  // Insurers to route to, best first (at most routing.max_suggestions), and
  // how the best candidate relates to them.
  std::vector<InsurerSuggestion> insurer_suggestions;
  PersonRouting person_routing = PersonRouting::kNoPerson;
  // The folded 保険者等名称 and 事業所名, and the address's prefecture.
  std::string insurer_name_key, employer_key, prefecture;
};

class Matcher {
 public:
  // Requires a non-null index; `directory` may be null. Returns
  // InvalidArgument for an invalid model or options.
  static absl::StatusOr<std::unique_ptr<Matcher>> Create(
      std::shared_ptr<const RosterIndex> index, Model model,
      const MatcherOptions& options,
      std::shared_ptr<const InsurerDirectory> directory = nullptr);

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Thread-safe. The returned views point into the roster, which lives as long
  // as this Matcher (or a copy of roster_ptr()).
  ReceiptMatch Match(const ReceiptText& receipt) const;

  // Appends the comparison vector of every candidate of `receipt` to `out`: the
  // unlabelled pairs EM fits a model on. Thread-safe.
  void AppendComparisonVectors(const ReceiptText& receipt,
                               std::vector<ComparisonVector>* out) const;

  const Roster& roster() const { return index_->roster(); }
  const std::shared_ptr<const RosterIndex>& index() const { return index_; }
  const Model& model() const { return scorer_->model(); }
  const MatcherOptions& options() const { return options_; }
  // Null when none was given.
  const std::shared_ptr<const InsurerDirectory>& directory() const {
    return directory_;
  }

 private:
  class Frequencies;
  Matcher(std::shared_ptr<const RosterIndex> index,
          const MatcherOptions& options);

  // Other persons with the same kana key and birth date as `person`.
  int Namesakes(PersonId person) const;

  // Normalizes the receipt and scores its candidates, ranked, without evidence.
  struct Scored;
  Scored ScoreAll(const ReceiptText& text, ReceiptMatch* out) const;
  // Fills out's insurer suggestions from its candidates and the receipt.
  void Route(const ReceiptText& text, ReceiptMatch* out) const;
  // When the best candidate's person has only enrollments that ended before
  // the service month, describes it (its household's new insurers go to
  // `household`, which `ended` views) and returns true.
  bool FindEndedPerson(const ReceiptMatch& match, EndedPerson* ended,
                       std::vector<std::string_view>* household) const;

  const std::shared_ptr<const RosterIndex> index_;
  const MatcherOptions options_;
  std::unique_ptr<const Frequencies> frequencies_;
  std::unique_ptr<const Scorer> scorer_;
  std::shared_ptr<const InsurerDirectory> directory_;
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_MATCHER_H_
