// Accuracy figures of match results (FORMATS.md §3) against ground truth
// (services/eval/truth.h).
//
//   Evaluator evaluator;
//   evaluator.AddTruthLine(1, truth_line);     // any order, any interleaving
//   evaluator.AddResultLine(1, result_line);
//   EvalReport report = evaluator.Finish();
//   std::optional<double> top1 = report.overall.Top1();  // nullopt: n/a
//
// A receipt below is a truth line that has a result; truth lines without a
// result, results without a truth line, duplicates and unparsable lines are
// counted and listed with their line numbers, never evaluated.
//
// Definitions:
//   correct candidate  its (insurer_number, symbol, number, branch,
//                      qualified_from) equals the truth key exactly. Nothing
//                      is correct for a receipt whose person is not in the
//                      roster.
//   top-1 accuracy     in-roster receipts whose first candidate is correct /
//                      in-roster receipts. late_roster receipts (in the
//                      roster, valid_in_month false) count: their key is the
//                      person's newest roster enrollment, and finding it
//                      finds the person.
//   recall@k           in-roster receipts with a correct candidate among the
//                      first k (default 5) / in-roster receipts.
//   AUTO precision     correct AUTO_MATCH decisions / AUTO_MATCH decisions. An
//                      AUTO is correct when its first candidate is correct and
//                      the truth enrollment is valid in the service month: an
//                      AUTO for a person not in the roster, or for a
//                      late_roster receipt (whose roster enrollment no longer
//                      covers the month), is wrong.
//   AUTO coverage      correct AUTOs / receipts where an AUTO is expected (in
//                      the roster and valid in the service month).
//   false AUTO         AUTO decisions on receipts whose person is not in the
//                      roster / such receipts.
//   review, no-match   REVIEW (NO_MATCH) decisions / receipts.
//   insurer top-1      receipts whose first insurer suggestion is the expected
//                      insurer / receipts, overall, for persons not in the
//                      roster, and for receipts whose valid enrollment the
//                      roster does not hold yet (valid_in_month false: persons
//                      not in the roster, late registrations); n/a when no
//                      result has a suggestion.
//   calibration        receipts with a candidate, binned by the first
//                      candidate's probability: count, mean probability, and
//                      the share whose first candidate is correct.
// Each figure overall, per truth category, per category and detail
// ("marriage/same_key+old_card"), and per life event ("marriage", "moved" …;
// "none" for a person's first enrollment or truth without events).
// A ratio whose denominator is zero is nullopt (printed "n/a").
#ifndef KUROMARU_SERVICES_EVAL_EVALUATOR_H_
#define KUROMARU_SERVICES_EVAL_EVALUATOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "services/eval/truth.h"

namespace kuromaru::eval {

struct EvalOptions {
  // Candidates searched for recall@k. Default: 5.
  int recall_at = 5;
  // Upper edges of the calibration bins, ascending; the first bin starts at 0,
  // the last one includes its edge. Probabilities are clamped to [0, 1].
  // Default: 0.1, 0.2, …, 0.9, 0.99, 0.999, 1.
  std::vector<double> calibration_edges = {0.1, 0.2, 0.3, 0.4,  0.5,   0.6,
                                           0.7, 0.8, 0.9, 0.99, 0.999, 1.0};
  // Input problems kept with their line numbers; all are counted.
  // Default: 100.
  int max_issues = 100;
};

// Counts over a group of receipts (all, or one truth category).
struct Tally {
  int64_t receipts = 0;
  int64_t in_roster = 0;
  int64_t auto_expected = 0;  // in the roster and valid in the service month
  int64_t absent = 0;         // person not in the roster
  int64_t not_held = 0;       // its valid enrollment not in the roster yet
  int64_t top1 = 0;           // first candidate correct
  int64_t top_k = 0;          // a correct candidate among the first k
  int64_t auto_match = 0;
  int64_t auto_correct = 0;
  int64_t auto_absent = 0;     // AUTO for a person not in the roster
  int64_t auto_not_valid = 0;  // AUTO on an in-roster key not valid in month
  int64_t review = 0;
  int64_t no_match = 0;
  int64_t unspecified = 0;  // DECISION_UNSPECIFIED
  int64_t errors = 0;       // results with a non-empty error
  int64_t suggested = 0;    // results with at least one insurer suggestion
  int64_t insurer_top1 = 0;
  int64_t absent_insurer_top1 = 0;
  int64_t not_held_insurer_top1 = 0;

  std::optional<double> Top1() const;           // top1 / in_roster
  std::optional<double> RecallAtK() const;      // top_k / in_roster
  std::optional<double> AutoPrecision() const;  // auto_correct / auto_match
  std::optional<double> AutoCoverage() const;   // auto_correct/auto_expected
  std::optional<double> AutoRate() const;       // auto_match / receipts
  std::optional<double> FalseAuto() const;      // auto_absent / absent
  std::optional<double> ReviewRate() const;     // review / receipts
  std::optional<double> NoMatchRate() const;    // no_match / receipts
  std::optional<double> InsurerTop1() const;    // n/a when suggested == 0
  std::optional<double> AbsentInsurerTop1() const;
  std::optional<double> NotHeldInsurerTop1() const;

  void Add(const Tally& other);
};

struct CalibrationBin {
  double low = 0;
  double high = 0;  // exclusive, except for the last bin
  int64_t count = 0;
  double probability_sum = 0;
  int64_t correct = 0;

  std::optional<double> MeanProbability() const;
  std::optional<double> ObservedCorrect() const;
};

struct InputIssue {
  enum class File { kTruth, kResults };
  File file = File::kTruth;
  int64_t line = 0;     // 1-based
  std::string message;  // names receipt ids, never personal data
};

struct InputCounts {
  int64_t truth_lines = 0;  // non-blank lines read
  int64_t result_lines = 0;
  int64_t bad_truth_lines = 0;
  int64_t bad_result_lines = 0;
  int64_t duplicate_truth = 0;  // later lines of a receipt id seen before
  int64_t duplicate_results = 0;
  int64_t results_without_truth = 0;
  int64_t truth_without_result = 0;

  int64_t Problems() const;
};

struct EvalReport {
  int recall_at = 5;
  Tally overall;
  std::map<std::string, Tally> by_category;
  std::map<std::string, Tally> by_detail;  // "category/detail"
  std::map<std::string, Tally> by_event;
  std::vector<CalibrationBin> calibration;
  InputCounts input;
  std::vector<InputIssue> issues;  // the first EvalOptions::max_issues
};

// Collects truth and result lines and pairs them by receipt id. Not
// thread-safe.
class Evaluator {
 public:
  explicit Evaluator(const EvalOptions& options = EvalOptions());

  // `line_number` is 1-based and only used in issues. Blank lines are skipped.
  void AddTruthLine(int64_t line_number, std::string_view line);
  void AddResultLine(int64_t line_number, std::string_view line);

  // The figures over everything added so far.
  EvalReport Finish() const;

 private:
  // What the figures need of one result.
  struct ResultSummary {
    int64_t line = 0;
    int decision = 0;                             // v1::Decision
    std::vector<EnrollmentKey> first_candidates;  // at most recall_at
    bool has_candidate = false;
    double top_probability = 0;
    bool has_error = false;
    bool suggested = false;
    std::string top_insurer;
  };
  struct TruthEntry {
    int64_t line = 0;
    TruthRecord record;
  };

  void AddIssue(InputIssue::File file, int64_t line, std::string message);
  void Score(const TruthRecord& truth, const ResultSummary& result,
             Tally* tally, EvalReport* report) const;

  EvalOptions options_;
  std::vector<TruthEntry> truth_;
  std::unordered_map<std::string, size_t> truth_index_;
  std::vector<std::pair<std::string, ResultSummary>> results_;
  std::unordered_map<std::string, size_t> result_index_;
  InputCounts input_;
  std::vector<InputIssue> issues_;
};

// Reads both files whole. Returns NotFound when a file cannot be opened and
// DataLoss when reading fails midway; problems inside the files are in the
// report's issues.
absl::StatusOr<EvalReport> EvaluateFiles(
    const std::string& truth_path, const std::string& results_path,
    const EvalOptions& options = EvalOptions());

}  // namespace kuromaru::eval

#endif  // KUROMARU_SERVICES_EVAL_EVALUATOR_H_
