// `kuromaru eval --truth T --results O.jsonl`: accuracy figures of match
// results against the ground truth that `kuromaru gen` writes.
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/eval/evaluator.h"
#include "services/eval/report.h"

namespace kuromaru::cli {
namespace {

constexpr char kSummary[] =
    "Compares match results (FORMATS.md §3) with ground truth (truth.jsonl of "
    "`kuromaru gen`),\npairing them by receipt_id, and prints:\n"
    "  top-1 accuracy   in-roster receipts whose first candidate is correct "
    "/ in-roster receipts;\n"
    "                   a candidate is correct when (insurer_number, symbol, "
    "number, branch,\n"
    "                   qualified_from) equals the truth key exactly. "
    "late_roster receipts count:\n"
    "                   their key is the person's newest roster enrollment.\n"
    "  recall@5         a correct candidate among the first 5 / in-roster "
    "receipts\n"
    "  AUTO precision   correct AUTO_MATCH / AUTO_MATCH; an AUTO is correct "
    "when its first\n"
    "                   candidate is correct and valid in the service month "
    "(never for persons\n"
    "                   not in the roster, nor for late_roster receipts)\n"
    "  AUTO coverage    correct AUTO / in-roster receipts valid in the "
    "service month\n"
    "  false AUTO       AUTO on persons not in the roster / such receipts\n"
    "  review, no-match REVIEW, NO_MATCH decisions / receipts\n"
    "  insurer top-1    first insurer suggestion = expected insurer / "
    "receipts, overall, for\n"
    "                   persons not in the roster, and for receipts whose "
    "valid enrollment the\n"
    "                   roster does not hold yet (n/a without suggestions)\n"
    "  calibration      receipts by the first candidate's probability: "
    "count, mean, share correct\n"
    "each overall, per truth category, per life event (truth \"event\") "
    "and per category\nand detail (where \"AUTO\" is AUTO decisions / "
    "receipts); --json writes every table,\none tally per line, for diffing "
    "two runs.\nOnly receipts with both a truth line and a "
    "result are evaluated; bad lines, duplicates\nand unpaired receipt ids "
    "are listed on stderr with their line numbers and counted.\nGates take "
    "a fraction in [0, 1]; a gate on a figure that is n/a fails.\n"
    "Exit 0 when the evaluation ran, 1 when a gate fails (or --json cannot "
    "be written),\n2 for usage errors, 3 when an input file cannot be "
    "read.";

// Parses a gate value in [0, 1]; "" leaves it unset.
bool ParseGate(const std::string& flag, const std::string& text,
               std::optional<double>* out) {
  if (text.empty()) return true;
  double value = 0;
  if (!absl::SimpleAtod(text, &value) || !(value >= 0 && value <= 1)) {
    std::fprintf(stderr,
                 "kuromaru eval: --%s must be a number in [0, 1], not '%s'\n",
                 flag.c_str(), text.c_str());
    return false;
  }
  *out = value;
  return true;
}

void PrintIssues(const eval::EvalReport& report, const std::string& truth,
                 const std::string& results) {
  for (const eval::InputIssue& issue : report.issues) {
    std::fprintf(stderr, "kuromaru eval: %s\n",
                 eval::FormatIssue(issue, truth, results).c_str());
  }
  const int64_t problems = report.input.Problems();
  if (problems > static_cast<int64_t>(report.issues.size())) {
    std::fprintf(stderr, "kuromaru eval: … and %lld more input problems\n",
                 static_cast<long long>(
                     problems - static_cast<int64_t>(report.issues.size())));
  }
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return !out.fail();
}

}  // namespace

int RunEval(const std::vector<std::string>& args) {
  std::string truth_path, results_path, json_path;
  std::string min_top1, min_auto_precision, max_false_auto, max_review_rate;
  Flags flags(
      "kuromaru eval --truth truth.jsonl --results results.jsonl [--json FILE] "
      "[gates]",
      kSummary);
  flags.String("truth", &truth_path, "ground truth JSONL (kuromaru gen)");
  flags.String("results", &results_path, "match results JSONL");
  flags.String("json", &json_path, "also write the figures as JSON to FILE");
  flags.String("min-top1", &min_top1, "gate: fail below this top-1 accuracy");
  flags.String("min-auto-precision", &min_auto_precision,
               "gate: fail below this AUTO precision");
  flags.String("max-false-auto", &max_false_auto,
               "gate: fail above this false AUTO share (not in roster)");
  flags.String("max-review-rate", &max_review_rate,
               "gate: fail above this review rate");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  eval::Gates gates;
  if (truth_path.empty() || results_path.empty() ||
      !flags.positional().empty()) {
    std::fprintf(stderr,
                 "kuromaru eval: --truth and --results are required and "
                 "nothing else\n\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  if (!ParseGate("min-top1", min_top1, &gates.min_top1) ||
      !ParseGate("min-auto-precision", min_auto_precision,
                 &gates.min_auto_precision) ||
      !ParseGate("max-false-auto", max_false_auto, &gates.max_false_auto) ||
      !ParseGate("max-review-rate", max_review_rate, &gates.max_review_rate)) {
    return kExitUsage;
  }
  absl::StatusOr<eval::EvalReport> report =
      eval::EvaluateFiles(truth_path, results_path);
  if (!report.ok()) {
    std::fprintf(stderr, "kuromaru eval: %s\n",
                 std::string(report.status().message()).c_str());
    return kExitCannotRun;
  }
  PrintIssues(*report, truth_path, results_path);
  std::fputs(eval::FormatText(*report).c_str(), stdout);
  std::fflush(stdout);
  if (!json_path.empty() && !WriteFile(json_path, eval::FormatJson(*report))) {
    std::fprintf(stderr, "kuromaru eval: cannot write %s\n", json_path.c_str());
    return kExitFailure;
  }
  base::Log(base::LogLevel::kInfo, "evaluated",
            {{"receipts", report->overall.receipts},
             {"input_problems", report->input.Problems()}});
  const std::vector<std::string> failures = eval::CheckGates(*report, gates);
  for (const std::string& failure : failures) {
    std::fprintf(stderr, "kuromaru eval: gate failed: %s\n", failure.c_str());
  }
  return failures.empty() ? kExitOk : kExitFailure;
}

}  // namespace kuromaru::cli
