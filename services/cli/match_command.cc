// `kuromaru match`: batch matching of a receipts file against a roster file.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/progress.h"
#include "services/cli/roster_setup.h"
#include "services/reconcile/batch_match.h"

namespace kuromaru::cli {
namespace {

int64_t CountLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  int64_t n = 0;
  char buf[1 << 16];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) n += buf[i] == '\n';
  }
  return n;
}

void PrintSummary(const reconcile::Engine& engine,
                  const reconcile::LoadReport& loaded,
                  const reconcile::BatchSummary& s) {
  const double seconds = absl::ToDoubleSeconds(s.elapsed);
  const auto share = [&](int64_t n) {
    return s.receipts ? 100.0 * n / s.receipts : 0.0;
  };
  std::printf(
      "roster       %s: %lld rows (%lld rejected), %lld persons, %lld "
      "insurers\n",
      engine.roster_version.c_str(), static_cast<long long>(engine.counts.rows),
      static_cast<long long>(loaded.roster_rows_rejected()),
      static_cast<long long>(engine.counts.persons),
      static_cast<long long>(engine.counts.insurers));
  for (const reconcile::FileReport& f : loaded.files) {
    if (f.kind != reconcile::FileReport::Kind::kDirectory) continue;
    std::printf("directory    %s: %lld insurers (%lld rejected rows)\n",
                loaded.directory_version.c_str(),
                static_cast<long long>(loaded.directory_counts.insurers),
                static_cast<long long>(f.rows.rows_rejected));
  }
  std::printf("model        %s (%s)\n", engine.model_version.c_str(),
              engine.source.model_path.empty()
                  ? "built-in default model"
                  : engine.source.model_path.c_str());
  std::printf(
      "receipts     %lld in %.2f s (%.0f/s), %.1f candidates scored each\n",
      static_cast<long long>(s.receipts), seconds,
      seconds > 0 ? s.receipts / seconds : 0.0,
      s.receipts ? static_cast<double>(s.candidates) / s.receipts : 0.0);
  std::printf("auto_match   %lld (%.1f%%)\n",
              static_cast<long long>(s.auto_match), share(s.auto_match));
  std::printf("review       %lld (%.1f%%)\n", static_cast<long long>(s.review),
              share(s.review));
  std::printf("no_match     %lld (%.1f%%)\n",
              static_cast<long long>(s.no_match), share(s.no_match));
  std::printf("errors       %lld (receipts that could not be matched at all)\n",
              static_cast<long long>(s.errors));
}

}  // namespace

// Long (about 100 lines): a third is the flag declarations and their help;
// the rest is load, match, write and summary in order.
int RunMatch(const std::vector<std::string>& args) {
  std::string roster_path, receipts_path, out_path, model_path, directory_path,
      encoding = "utf-8";
  int64_t threads = 0, max_errors = 1000;
  Flags flags(
      "kuromaru match --roster R.csv --receipts Q.jsonl --out O.jsonl [flags]",
      "Matches every receipt (FORMATS.md §2) against the roster (§1) and "
      "writes one\n"
      "result per receipt (§3), in input order. Without --model the built-in "
      "default\n"
      "model is used. With --directory (§4) every result also ranks the "
      "insurers\n"
      "to route the receipt to by the named insurer, employer and address. "
      "Rejected\n"
      "roster and directory rows are listed with their line numbers.");
  flags.String("roster", &roster_path, "roster snapshot CSV");
  flags.String("directory", &directory_path, "insurer directory CSV");
  flags.String("encoding", &encoding,
               "roster and directory encoding: utf-8 or cp932");
  std::string deltas;
  flags.String("deltas", &deltas,
               "roster delta CSVs applied in order, comma-separated");
  flags.String("receipts", &receipts_path, "receipts, JSON Lines");
  flags.String("out", &out_path, "results, JSON Lines");
  flags.String("model", &model_path, "model file (kuromaru model)");
  flags.Int("threads", &threads, "worker threads (0: one per core)");
  flags.Int("max-errors", &max_errors,
            "rejected roster rows allowed before the load fails");
  matcher::MatcherOptions matcher_options;
  matcher::DecisionOptions& decision = matcher_options.decision;
  std::string auto_p = absl::StrCat(decision.auto_min_probability),
              margin = absl::StrCat(decision.auto_min_margin),
              review_p = absl::StrCat(decision.review_min_probability);
  flags.String("auto-min-probability", &auto_p,
               "AUTO_MATCH needs the best candidate at least this likely");
  flags.String(
      "auto-min-margin", &margin,
      "AUTO_MATCH needs this lead (log2 weight) over any other person");
  flags.String("review-min-probability", &review_p,
               "below this the best candidate is NO_MATCH rather than REVIEW");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (!absl::SimpleAtod(auto_p, &decision.auto_min_probability) ||
      !absl::SimpleAtod(margin, &decision.auto_min_margin) ||
      !absl::SimpleAtod(review_p, &decision.review_min_probability)) {
    std::fprintf(stderr, "kuromaru match: thresholds are numbers\n");
    return kExitUsage;
  }
  if (roster_path.empty() || receipts_path.empty() || out_path.empty()) {
    std::fprintf(
        stderr,
        "kuromaru match: --roster, --receipts and --out are required\n");
    return kExitUsage;
  }
  reconcile::RosterSource source;
  auto parsed_encoding = base::ParseTextEncoding(encoding);
  if (!parsed_encoding.ok()) {
    std::fprintf(stderr, "kuromaru match: %s\n",
                 std::string(parsed_encoding.status().message()).c_str());
    return kExitUsage;
  }
  source.snapshot_path = roster_path;
  source.delta_paths = absl::StrSplit(deltas, ',', absl::SkipEmpty());
  source.encoding = *parsed_encoding;
  source.max_errors = max_errors;
  source.model_path = model_path;
  source.directory_path = directory_path;

  std::ifstream receipts(receipts_path, std::ios::binary);
  if (!receipts) {
    std::fprintf(stderr, "kuromaru match: cannot read %s\n",
                 receipts_path.c_str());
    return kExitCannotRun;
  }
  reconcile::LoadOptions load_options;
  load_options.matcher = matcher_options;
  reconcile::LoadReport report;
  auto engine = LoadEngineReporting(source, load_options, &report);
  if (!engine.ok()) {
    std::fprintf(stderr, "kuromaru match: %s\n",
                 engine.status().ToString().c_str());
    return kExitCannotRun;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::fprintf(stderr, "kuromaru match: cannot write %s\n", out_path.c_str());
    return kExitCannotRun;
  }
  Progress progress("matching", CountLines(receipts_path));
  reconcile::BatchOptions options;
  options.threads = static_cast<int>(threads);
  options.progress = [&progress](int64_t done) { progress.Update(done); };
  auto summary = reconcile::MatchJsonl(**engine, receipts, out, options);
  if (!summary.ok()) {
    std::fprintf(stderr, "kuromaru match: %s\n",
                 summary.status().ToString().c_str());
    return kExitFailure;
  }
  PrintSummary(**engine, report, *summary);
  return kExitOk;
}

}  // namespace kuromaru::cli
