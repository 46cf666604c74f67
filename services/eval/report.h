// The forms of an EvalReport: a text report for people, JSON for machines, and
// the pass/fail gates a CI job sets on its figures. Figures are fractions in
// [0, 1]; a figure without a denominator is "n/a" in text and null in JSON.
#ifndef KUROMARU_SERVICES_EVAL_REPORT_H_
#define KUROMARU_SERVICES_EVAL_REPORT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/eval/evaluator.h"

namespace kuromaru::eval {

// The figures, the calibration table, the tables by category, by life
// event and by category and detail (of the life-event categories), and the
// input counts, as aligned text ending in a newline.
std::string FormatText(const EvalReport& report);

// The same figures and counts as one JSON object, ending in a newline:
// {"recall_at", "overall", "by_category": {name: …}, "by_event": {…},
//  "by_detail": {"category/detail": …}, "calibration": […], "input": {…}},
// each tally with "counts" and "figures", one tally per line so that the
// reports of two runs diff line by line.
std::string FormatJson(const EvalReport& report);

// "PATH:LINE: message", naming the file the issue is in.
std::string FormatIssue(const InputIssue& issue, std::string_view truth_path,
                        std::string_view results_path);

// Thresholds on the overall figures; unset ones are not checked.
struct Gates {
  std::optional<double> min_top1;
  std::optional<double> min_auto_precision;
  std::optional<double> max_false_auto;
  std::optional<double> max_review_rate;
};

// One message per failed gate, empty when all pass. A gate on a figure that
// is n/a fails: it cannot be shown to hold.
std::vector<std::string> CheckGates(const EvalReport& report,
                                    const Gates& gates);

}  // namespace kuromaru::eval

#endif  // KUROMARU_SERVICES_EVAL_REPORT_H_
