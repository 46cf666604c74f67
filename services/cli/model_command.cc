// `kuromaru model`: fit a matching model by EM on a roster and receipts, and
// show a model file's weights.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "matcher/comparison.h"
#include "matcher/model.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"

namespace kuromaru::cli {
namespace {

void PrintWeights(const matcher::Model& model) {
  std::printf("model %s  lambda %.6f  prior weight %.3f\n",
              matcher::ModelVersion(model).c_str(), model.lambda,
              model.prior_weight());
  std::printf("%-15s %-26s %10s %10s %8s\n", "field", "level", "m", "u",
              "weight");
  for (int f = 0; f < matcher::kFieldCount; ++f) {
    const auto field = static_cast<matcher::Field>(f);
    for (matcher::Level level : matcher::LevelsOf(field)) {
      const matcher::LevelParams& p = model.params(field, level);
      std::printf("%-15s %-26s %10.6f %10.6f %8.2f\n",
                  std::string(matcher::FieldName(field)).c_str(),
                  std::string(matcher::LevelName(level)).c_str(), p.m, p.u,
                  model.Weight(field, level));
    }
  }
}

int Fit(const std::vector<std::string>& args) {
  std::string roster_path, receipts_path, out_path, label = "em", start_path;
  std::string encoding = "utf-8";
  int64_t sample = 20000;
  Flags flags(
      "kuromaru model fit --roster R.csv --receipts Q.jsonl --out MODEL "
      "[flags]",
      "Fits m, u and λ by EM (unsupervised) on the candidate pairs of the\n"
      "receipts, starting from the built-in model (or --start), and writes a\n"
      "versioned model file that `match --model` and `serve` load.");
  flags.String("roster", &roster_path, "roster snapshot CSV");
  flags.String("encoding", &encoding, "roster encoding: utf-8 or cp932");
  flags.String("receipts", &receipts_path, "receipts, JSON Lines");
  flags.String("out", &out_path, "model file to write");
  flags.String("label", &label, "label recorded in the model (no spaces)");
  flags.String("start", &start_path, "model to start from (default: built-in)");
  flags.Int("sample", &sample, "receipts used at most");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (roster_path.empty() || receipts_path.empty() || out_path.empty()) {
    std::fprintf(
        stderr,
        "kuromaru model fit: --roster, --receipts and --out are required\n");
    return kExitUsage;
  }
  io::RosterLoadOptions load_options;
  auto parsed = io::ParseCsvEncoding(encoding);
  if (!parsed.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 parsed.status().ToString().c_str());
    return kExitUsage;
  }
  load_options.encoding = *parsed;
  auto loaded = LoadMatcher(roster_path, load_options, start_path, {});
  if (!loaded.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 loaded.status().ToString().c_str());
    return kExitCannotRun;
  }
  int64_t used = 0;
  auto fit = FitEmOnReceipts(*loaded->matcher, receipts_path, sample, &used);
  if (!fit.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 fit.status().ToString().c_str());
    return kExitFailure;
  }
  fit->model.label = label;
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << matcher::SerializeModel(fit->model);
  if (!out.flush()) {
    std::fprintf(stderr, "kuromaru model fit: cannot write %s\n",
                 out_path.c_str());
    return kExitCannotRun;
  }
  std::printf("EM on %lld receipts: %d iterations, %s, log-likelihood %.1f\n",
              static_cast<long long>(used), fit->iterations,
              fit->converged ? "converged" : "NOT converged",
              fit->log_likelihood);
  PrintWeights(fit->model);
  return kExitOk;
}

int Show(const std::vector<std::string>& args) {
  std::string path;
  Flags flags(
      "kuromaru model show --model MODEL",
      "Prints a model file's m, u and weight for every field and level.");
  flags.String("model", &path, "model file");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "kuromaru model show: cannot read %s\n", path.c_str());
    return kExitCannotRun;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto model = matcher::ParseModel(text.str());
  if (!model.ok()) {
    std::fprintf(stderr, "kuromaru model show: %s: %s\n", path.c_str(),
                 model.status().ToString().c_str());
    return kExitFailure;
  }
  PrintWeights(*model);
  return kExitOk;
}

}  // namespace

int RunModel(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: kuromaru model fit|show [flags]\n\n"
      "  fit    fit a model by EM on a roster and receipts, write a model "
      "file\n"
      "  show   print a model file's weights\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "fit") return Fit(rest);
  if (args[0] == "show") return Show(rest);
  std::fprintf(stderr, "kuromaru model: unknown subcommand '%s'\n\n%s",
               args[0].c_str(), usage.c_str());
  return kExitUsage;
}

}  // namespace kuromaru::cli
