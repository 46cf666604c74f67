#include "services/eval/evaluator.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "kuromaru/v1/match.pb.h"
#include "services/io/proto_json.h"

namespace kuromaru::eval {
namespace {

std::optional<double> Ratio(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

bool IsBlank(std::string_view line) {
  return absl::StripAsciiWhitespace(absl::string_view(line.data(), line.size()))
      .empty();
}

EnrollmentKey KeyOf(const v1::Candidate& c) {
  return {c.insurer_number(), c.symbol(), c.number(), c.branch(),
          c.qualified_from()};
}

// The bin of probability `p`: the first whose upper edge is above it, the
// last for p at or above every edge.
size_t BinOf(const std::vector<CalibrationBin>& bins, double p) {
  if (std::isnan(p)) p = 0;
  p = std::clamp(p, 0.0, 1.0);
  for (size_t i = 0; i + 1 < bins.size(); ++i) {
    if (p < bins[i].high) return i;
  }
  return bins.size() - 1;
}

std::vector<CalibrationBin> MakeBins(const std::vector<double>& edges) {
  std::vector<CalibrationBin> bins;
  double low = 0;
  for (double high : edges) {
    CalibrationBin bin;
    bin.low = low;
    bin.high = high;
    bins.push_back(bin);
    low = high;
  }
  if (bins.empty()) bins.push_back(CalibrationBin{0, 1});
  return bins;
}

}  // namespace

std::optional<double> Tally::Top1() const { return Ratio(top1, in_roster); }
std::optional<double> Tally::RecallAtK() const {
  return Ratio(top_k, in_roster);
}
std::optional<double> Tally::AutoPrecision() const {
  return Ratio(auto_correct, auto_match);
}
std::optional<double> Tally::AutoCoverage() const {
  return Ratio(auto_correct, auto_expected);
}
std::optional<double> Tally::AutoRate() const {
  return Ratio(auto_match, receipts);
}
std::optional<double> Tally::FalseAuto() const {
  return Ratio(auto_absent, absent);
}
std::optional<double> Tally::ReviewRate() const {
  return Ratio(review, receipts);
}
std::optional<double> Tally::NoMatchRate() const {
  return Ratio(no_match, receipts);
}
std::optional<double> Tally::InsurerTop1() const {
  if (suggested == 0) return std::nullopt;
  return Ratio(insurer_top1, receipts);
}
std::optional<double> Tally::AbsentInsurerTop1() const {
  if (suggested == 0) return std::nullopt;
  return Ratio(absent_insurer_top1, absent);
}
std::optional<double> Tally::NotHeldInsurerTop1() const {
  if (suggested == 0) return std::nullopt;
  return Ratio(not_held_insurer_top1, not_held);
}

void Tally::Add(const Tally& o) {
  receipts += o.receipts;
  in_roster += o.in_roster;
  auto_expected += o.auto_expected;
  absent += o.absent;
  not_held += o.not_held;
  top1 += o.top1;
  top_k += o.top_k;
  auto_match += o.auto_match;
  auto_correct += o.auto_correct;
  auto_absent += o.auto_absent;
  auto_not_valid += o.auto_not_valid;
  review += o.review;
  no_match += o.no_match;
  unspecified += o.unspecified;
  errors += o.errors;
  suggested += o.suggested;
  insurer_top1 += o.insurer_top1;
  absent_insurer_top1 += o.absent_insurer_top1;
  not_held_insurer_top1 += o.not_held_insurer_top1;
}

std::optional<double> CalibrationBin::MeanProbability() const {
  if (count == 0) return std::nullopt;
  return probability_sum / static_cast<double>(count);
}
std::optional<double> CalibrationBin::ObservedCorrect() const {
  return Ratio(correct, count);
}

int64_t InputCounts::Problems() const {
  return bad_truth_lines + bad_result_lines + duplicate_truth +
         duplicate_results + results_without_truth + truth_without_result;
}

Evaluator::Evaluator(const EvalOptions& options) : options_(options) {
  options_.recall_at = std::max(1, options_.recall_at);
}

void Evaluator::AddIssue(InputIssue::File file, int64_t line,
                         std::string message) {
  if (static_cast<int64_t>(issues_.size()) >= options_.max_issues) return;
  issues_.push_back({file, line, std::move(message)});
}

void Evaluator::AddTruthLine(int64_t line_number, std::string_view line) {
  if (IsBlank(line)) return;
  ++input_.truth_lines;
  absl::StatusOr<TruthRecord> record = ParseTruthLine(line);
  if (!record.ok()) {
    ++input_.bad_truth_lines;
    AddIssue(InputIssue::File::kTruth, line_number,
             std::string(record.status().message()));
    return;
  }
  const auto [it, inserted] =
      truth_index_.emplace(record->receipt_id, truth_.size());
  if (!inserted) {
    ++input_.duplicate_truth;
    AddIssue(InputIssue::File::kTruth, line_number,
             absl::StrCat("duplicate receipt ", record->receipt_id,
                          " (first on line ", truth_[it->second].line, ")"));
    return;
  }
  truth_.push_back({line_number, *std::move(record)});
}

void Evaluator::AddResultLine(int64_t line_number, std::string_view line) {
  if (IsBlank(line)) return;
  ++input_.result_lines;
  v1::MatchResult result;
  absl::Status parsed = io::FromJson(line, &result);
  if (parsed.ok() && result.receipt_id().empty()) {
    parsed = absl::InvalidArgumentError("no receipt_id");
  }
  if (!parsed.ok()) {
    ++input_.bad_result_lines;
    AddIssue(InputIssue::File::kResults, line_number,
             std::string(parsed.message()));
    return;
  }
  const auto [it, inserted] =
      result_index_.emplace(result.receipt_id(), results_.size());
  if (!inserted) {
    ++input_.duplicate_results;
    AddIssue(InputIssue::File::kResults, line_number,
             absl::StrCat("duplicate result for receipt ", result.receipt_id(),
                          " (first on line ", results_[it->second].second.line,
                          ")"));
    return;
  }
  ResultSummary s;
  s.line = line_number;
  s.decision = result.decision();
  s.has_error = !result.error().empty();
  const int k = std::min(result.candidates_size(), options_.recall_at);
  for (int i = 0; i < k; ++i) {
    s.first_candidates.push_back(KeyOf(result.candidates(i)));
  }
  s.has_candidate = result.candidates_size() > 0;
  if (s.has_candidate) s.top_probability = result.candidates(0).probability();
  s.suggested = result.insurer_suggestions_size() > 0;
  if (s.suggested) {
    s.top_insurer = result.insurer_suggestions(0).insurer_number();
  }
  results_.emplace_back(result.receipt_id(), std::move(s));
}

void Evaluator::Score(const TruthRecord& t, const ResultSummary& r,
                      Tally* tally, EvalReport* report) const {
  ++tally->receipts;
  const auto& cands = r.first_candidates;
  const bool top_correct = t.in_roster && !cands.empty() && cands[0] == t.key;
  if (t.in_roster) {
    ++tally->in_roster;
    if (t.valid_in_month) ++tally->auto_expected;
    if (top_correct) ++tally->top1;
    if (std::find(cands.begin(), cands.end(), t.key) != cands.end()) {
      ++tally->top_k;
    }
  } else {
    ++tally->absent;
  }
  if (!t.valid_in_month) ++tally->not_held;
  switch (r.decision) {
    case v1::DECISION_AUTO_MATCH:
      ++tally->auto_match;
      if (top_correct && t.valid_in_month) ++tally->auto_correct;
      if (!t.in_roster) ++tally->auto_absent;
      if (t.in_roster && !t.valid_in_month) ++tally->auto_not_valid;
      break;
    case v1::DECISION_REVIEW:
      ++tally->review;
      break;
    case v1::DECISION_NO_MATCH:
      ++tally->no_match;
      break;
    default:
      ++tally->unspecified;
      break;
  }
  if (r.has_error) ++tally->errors;
  if (r.suggested) {
    ++tally->suggested;
    if (r.top_insurer == t.expected_insurer_number) {
      ++tally->insurer_top1;
      if (!t.in_roster) ++tally->absent_insurer_top1;
      if (!t.valid_in_month) ++tally->not_held_insurer_top1;
    }
  }
  if (r.has_candidate) {
    CalibrationBin& bin =
        report->calibration[BinOf(report->calibration, r.top_probability)];
    ++bin.count;
    bin.probability_sum += std::clamp(
        std::isnan(r.top_probability) ? 0.0 : r.top_probability, 0.0, 1.0);
    if (top_correct) ++bin.correct;
  }
}

EvalReport Evaluator::Finish() const {
  EvalReport report;
  report.recall_at = options_.recall_at;
  report.calibration = MakeBins(options_.calibration_edges);
  report.input = input_;
  report.issues = issues_;
  const auto issue = [&](InputIssue::File file, int64_t line,
                         std::string message) {
    if (static_cast<int64_t>(report.issues.size()) >= options_.max_issues) {
      return;
    }
    report.issues.push_back({file, line, std::move(message)});
  };
  std::vector<bool> used(results_.size(), false);
  for (const TruthEntry& entry : truth_) {
    const TruthRecord& t = entry.record;
    const auto it = result_index_.find(t.receipt_id);
    if (it == result_index_.end()) {
      ++report.input.truth_without_result;
      issue(InputIssue::File::kTruth, entry.line,
            absl::StrCat("no result for receipt ", t.receipt_id));
      continue;
    }
    used[it->second] = true;
    Tally one;
    Score(t, results_[it->second].second, &one, &report);
    report.by_category[t.category].Add(one);
    report
        .by_detail[t.detail.empty() ? t.category
                                    : absl::StrCat(t.category, "/", t.detail)]
        .Add(one);
    report.by_event[t.event.empty() ? "none" : t.event].Add(one);
  }
  for (size_t i = 0; i < results_.size(); ++i) {
    if (used[i]) continue;
    ++report.input.results_without_truth;
    issue(InputIssue::File::kResults, results_[i].second.line,
          absl::StrCat("receipt ", results_[i].first, " is not in the truth"));
  }
  for (const auto& [category, tally] : report.by_category) {
    report.overall.Add(tally);
  }
  return report;
}

absl::StatusOr<EvalReport> EvaluateFiles(const std::string& truth_path,
                                         const std::string& results_path,
                                         const EvalOptions& options) {
  Evaluator evaluator(options);
  const std::pair<const std::string*, bool> files[] = {{&truth_path, true},
                                                       {&results_path, false}};
  for (const auto& [path, is_truth] : files) {
    std::error_code error;
    std::ifstream in(*path, std::ios::binary);
    if (!in.is_open() || std::filesystem::is_directory(*path, error)) {
      return absl::NotFoundError(absl::StrCat("cannot open ", *path));
    }
    std::string line;
    int64_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (is_truth) {
        evaluator.AddTruthLine(number, line);
      } else {
        evaluator.AddResultLine(number, line);
      }
    }
    if (in.bad()) {
      return absl::DataLossError(absl::StrCat("cannot read ", *path));
    }
  }
  return evaluator.Finish();
}

}  // namespace kuromaru::eval
