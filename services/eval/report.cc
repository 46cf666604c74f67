#include "services/eval/report.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json.h"

namespace kuromaru::eval {
namespace {

using Figure = std::optional<double>;

std::string Text(Figure f) {
  return f ? absl::StrFormat("%.4f", *f) : std::string("n/a");
}

// A figure to six significant digits (what the text report shows and more),
// or null when it is n/a.
base::Json Json(Figure f) {
  if (!f) return nullptr;
  double rounded = 0;
  (void)absl::SimpleAtod(absl::StrFormat("%.6g", *f), &rounded);
  return rounded;
}

// One line of the summary: label, figure, and the counts behind it.
void AppendFigure(std::string_view label, Figure f, int64_t numerator,
                  int64_t denominator, std::string* out) {
  absl::StrAppendFormat(out, "%-30s %8s", std::string(label), Text(f));
  if (f) absl::StrAppendFormat(out, "   %d / %d", numerator, denominator);
  out->push_back('\n');
}

void AppendSummary(const EvalReport& r, std::string* out) {
  const Tally& t = r.overall;
  absl::StrAppendFormat(out,
                        "receipts evaluated %d: in roster %d (valid in month "
                        "%d), not in roster %d\n\n",
                        t.receipts, t.in_roster, t.auto_expected, t.absent);
  AppendFigure("top-1 accuracy", t.Top1(), t.top1, t.in_roster, out);
  AppendFigure(absl::StrCat("recall@", r.recall_at), t.RecallAtK(), t.top_k,
               t.in_roster, out);
  AppendFigure("AUTO precision", t.AutoPrecision(), t.auto_correct,
               t.auto_match, out);
  AppendFigure("AUTO coverage", t.AutoCoverage(), t.auto_correct,
               t.auto_expected, out);
  AppendFigure("false AUTO (not in roster)", t.FalseAuto(), t.auto_absent,
               t.absent, out);
  AppendFigure("review rate", t.ReviewRate(), t.review, t.receipts, out);
  AppendFigure("no-match rate", t.NoMatchRate(), t.no_match, t.receipts, out);
  AppendFigure("insurer top-1", t.InsurerTop1(), t.insurer_top1, t.receipts,
               out);
  AppendFigure("insurer top-1 (not in roster)", t.AbsentInsurerTop1(),
               t.absent_insurer_top1, t.absent, out);
  AppendFigure("insurer top-1 (not held yet)", t.NotHeldInsurerTop1(),
               t.not_held_insurer_top1, t.not_held, out);
  absl::StrAppendFormat(out,
                        "AUTO on enrollments not valid in month: %d; "
                        "undecided: %d; results with an error: %d\n",
                        t.auto_not_valid, t.unspecified, t.errors);
}

void AppendCalibration(const EvalReport& r, std::string* out) {
  absl::StrAppend(out,
                  "\ncalibration (first candidate's probability)\n"
                  "  bin                     n    mean p  observed\n");
  for (size_t i = 0; i < r.calibration.size(); ++i) {
    const CalibrationBin& b = r.calibration[i];
    const char close = i + 1 == r.calibration.size() ? ']' : ')';
    absl::StrAppendFormat(out, "  [%.3f, %.3f%c %10d  %8s  %8s\n", b.low,
                          b.high, close, b.count, Text(b.MeanProbability()),
                          Text(b.ObservedCorrect()));
  }
}

// What a probability threshold on the first candidate buys: from the
// calibration bins, the receipts at or above each bin's lower edge and the
// share of them whose first candidate is right. The AUTO threshold is one of
// these rows.
void AppendThresholds(const EvalReport& r, std::string* out) {
  absl::StrAppend(out,
                  "\nthresholds (first candidate's probability >= t)\n"
                  "  t                  n   coverage  precision\n");
  const int64_t all = r.overall.receipts;
  int64_t n = 0, correct = 0;
  for (size_t i = r.calibration.size();
       i-- > 1;) {  // [0, …) would be everything
    n += r.calibration[i].count;
    correct += r.calibration[i].correct;
    const std::optional<double> coverage =
        all > 0 ? std::optional<double>(static_cast<double>(n) / all)
                : std::nullopt;
    const std::optional<double> precision =
        n > 0 ? std::optional<double>(static_cast<double>(correct) / n)
              : std::nullopt;
    absl::StrAppendFormat(out, "  %-8.3f %10d  %9s  %9s\n",
                          r.calibration[i].low, n, Text(coverage),
                          Text(precision));
  }
}

void AppendRow(std::string_view name, const Tally& t, std::string* out) {
  absl::StrAppendFormat(
      out, "  %-42s %7d  %7s  %7s  %7s  %7s  %7s  %7s  %7s  %7s\n",
      std::string(name), t.receipts, Text(t.Top1()), Text(t.RecallAtK()),
      Text(t.AutoRate()), Text(t.AutoPrecision()), Text(t.ReviewRate()),
      Text(t.NoMatchRate()), Text(t.InsurerTop1()),
      Text(t.NotHeldInsurerTop1()));
}

void AppendHeader(std::string_view title, const EvalReport& r,
                  std::string* out) {
  absl::StrAppendFormat(
      out, "\n%s\n  %-42s %7s  %7s  %7s  %7s  %7s  %7s  %7s  %7s  %7s\n",
      std::string(title), "", "n", "top-1", absl::StrCat("rec@", r.recall_at),
      "AUTO", "AUTO ok", "review", "no-match", "insurer", "ins new");
}

// Categories whose details tell life events and card forms apart; the
// others' details (kana_noise/small_as_large …) are in the JSON.
bool ShowDetails(std::string_view key) {
  for (const char* category :
       {"stale_insurer/", "marriage/", "moved/", "turned_75/", "retired/",
        "household_member/", "late_life_event/"}) {
    if (key.substr(0, std::string_view(category).size()) == category) {
      return true;
    }
  }
  return false;
}

void AppendCategories(const EvalReport& r, std::string* out) {
  AppendHeader(
      "by category (AUTO: share AUTO; AUTO ok: its precision; ins "
      "new: insurer top-1 not held yet)",
      r, out);
  for (const auto& [name, tally] : r.by_category) AppendRow(name, tally, out);
  AppendRow("all", r.overall, out);
  AppendHeader("by life event beginning the valid enrollment", r, out);
  for (const auto& [name, tally] : r.by_event) AppendRow(name, tally, out);
  AppendHeader("by category and detail (life events)", r, out);
  for (const auto& [name, tally] : r.by_detail) {
    if (ShowDetails(name)) AppendRow(name, tally, out);
  }
}

void AppendInput(const InputCounts& c, size_t listed, std::string* out) {
  absl::StrAppendFormat(
      out,
      "\ninput: truth lines %d, result lines %d; bad truth lines %d, bad "
      "result lines %d, duplicate truth %d, duplicate results %d, results "
      "without truth %d, truth without result %d",
      c.truth_lines, c.result_lines, c.bad_truth_lines, c.bad_result_lines,
      c.duplicate_truth, c.duplicate_results, c.results_without_truth,
      c.truth_without_result);
  if (static_cast<int64_t>(listed) < c.Problems()) {
    absl::StrAppendFormat(out, " (%d listed)", listed);
  }
  out->push_back('\n');
}

base::Json TallyJson(const Tally& t) {
  const std::pair<const char*, int64_t> counts[] = {
      {"receipts", t.receipts},
      {"in_roster", t.in_roster},
      {"auto_expected", t.auto_expected},
      {"not_in_roster", t.absent},
      {"not_held", t.not_held},
      {"top1_correct", t.top1},
      {"top_k_correct", t.top_k},
      {"auto_match", t.auto_match},
      {"auto_correct", t.auto_correct},
      {"auto_not_in_roster", t.auto_absent},
      {"auto_not_valid_in_month", t.auto_not_valid},
      {"review", t.review},
      {"no_match", t.no_match},
      {"unspecified", t.unspecified},
      {"errors", t.errors},
      {"with_insurer_suggestion", t.suggested},
      {"insurer_top1_correct", t.insurer_top1},
      {"not_in_roster_insurer_top1_correct", t.absent_insurer_top1},
      {"not_held_insurer_top1_correct", t.not_held_insurer_top1},
  };
  const std::pair<const char*, Figure> figures[] = {
      {"top1_accuracy", t.Top1()},
      {"recall_at_k", t.RecallAtK()},
      {"auto_precision", t.AutoPrecision()},
      {"auto_coverage", t.AutoCoverage()},
      {"auto_rate", t.AutoRate()},
      {"false_auto_not_in_roster", t.FalseAuto()},
      {"review_rate", t.ReviewRate()},
      {"no_match_rate", t.NoMatchRate()},
      {"insurer_top1_accuracy", t.InsurerTop1()},
      {"not_in_roster_insurer_top1_accuracy", t.AbsentInsurerTop1()},
      {"not_held_insurer_top1_accuracy", t.NotHeldInsurerTop1()},
  };
  base::Json out;
  base::Json& c = out["counts"];
  for (const auto& [name, value] : counts) c[name] = value;
  base::Json& g = out["figures"];
  for (const auto& [name, value] : figures) g[name] = Json(value);
  return out;
}

base::Json CalibrationJson(const std::vector<CalibrationBin>& bins) {
  base::Json out = base::Json::array();
  for (const CalibrationBin& b : bins) {
    out.push_back({{"low", Json(b.low)},
                   {"high", Json(b.high)},
                   {"count", b.count},
                   {"mean_probability", Json(b.MeanProbability())},
                   {"observed_correct", Json(b.ObservedCorrect())}});
  }
  return out;
}

base::Json InputJson(const InputCounts& c) {
  return {{"truth_lines", c.truth_lines},
          {"result_lines", c.result_lines},
          {"bad_truth_lines", c.bad_truth_lines},
          {"bad_result_lines", c.bad_result_lines},
          {"duplicate_truth", c.duplicate_truth},
          {"duplicate_results", c.duplicate_results},
          {"results_without_truth", c.results_without_truth},
          {"truth_without_result", c.truth_without_result}};
}

// A message when `value` misses the threshold (`at_least`: value >= limit).
void Check(const char* flag, const char* name, Figure value,
           std::optional<double> limit, bool at_least,
           std::vector<std::string>* failures) {
  if (!limit) return;
  if (!value) {
    failures->push_back(absl::StrFormat("%s: %s is n/a", flag, name));
    return;
  }
  if (at_least ? *value >= *limit : *value <= *limit) return;
  failures->push_back(absl::StrFormat("%s: %s %.4f is %s %.4f", flag, name,
                                      *value, at_least ? "below" : "above",
                                      *limit));
}

}  // namespace

std::string FormatText(const EvalReport& report) {
  std::string out;
  AppendSummary(report, &out);
  AppendCalibration(report, &out);
  AppendThresholds(report, &out);
  AppendCategories(report, &out);
  AppendInput(report.input, report.issues.size(), &out);
  return out;
}

// The tallies of one breakdown as "NAME":{…} with one tally per line, so that
// two runs diff line by line.
void AppendTallies(const char* name, const std::map<std::string, Tally>& map,
                   std::string* out) {
  absl::StrAppend(out, ",\n", base::ToJsonText(name), ":{");
  bool first = true;
  for (const auto& [key, tally] : map) {
    absl::StrAppend(out, first ? "\n" : ",\n", base::ToJsonText(key), ":",
                    base::ToJsonText(TallyJson(tally)));
    first = false;
  }
  out->append("}");
}

// Every value is written by nlohmann-json; only the layout (a key per line,
// a tally per line) is laid out here.
std::string FormatJson(const EvalReport& report) {
  std::string out = absl::StrCat(
      "{\"recall_at\":", report.recall_at,
      ",\n\"overall\":", base::ToJsonText(TallyJson(report.overall)));
  AppendTallies("by_category", report.by_category, &out);
  AppendTallies("by_event", report.by_event, &out);
  AppendTallies("by_detail", report.by_detail, &out);
  absl::StrAppend(&out, ",\n\"calibration\":",
                  base::ToJsonText(CalibrationJson(report.calibration)),
                  ",\n\"input\":", base::ToJsonText(InputJson(report.input)),
                  "}\n");
  return out;
}

std::string FormatIssue(const InputIssue& issue, std::string_view truth_path,
                        std::string_view results_path) {
  const std::string_view path =
      issue.file == InputIssue::File::kTruth ? truth_path : results_path;
  return absl::StrCat(std::string(path), ":", issue.line, ": ", issue.message);
}

std::vector<std::string> CheckGates(const EvalReport& report,
                                    const Gates& gates) {
  std::vector<std::string> failures;
  const Tally& t = report.overall;
  Check("--min-top1", "top-1 accuracy", t.Top1(), gates.min_top1, true,
        &failures);
  Check("--min-auto-precision", "AUTO precision", t.AutoPrecision(),
        gates.min_auto_precision, true, &failures);
  Check("--max-false-auto", "false AUTO (not in roster)", t.FalseAuto(),
        gates.max_false_auto, false, &failures);
  Check("--max-review-rate", "review rate", t.ReviewRate(),
        gates.max_review_rate, false, &failures);
  return failures;
}

}  // namespace kuromaru::eval
