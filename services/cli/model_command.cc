// `kuromaru model`: fit a matching model by EM on a roster and receipts, or
// refit it on the reviewers' decisions in a case store, show a model file's
// weights, and put a model into service on a running server.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "kuromaru/v1/jobs.grpc.pb.h"
#include "matcher/comparison.h"
#include "matcher/model.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"
#include "services/cli/store_flags.h"
#include "services/reconcile/model_fit.h"
#include "services/reconcile/roster_loader.h"

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
  reconcile::RosterSource source;
  auto parsed = base::ParseTextEncoding(encoding);
  if (!parsed.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 parsed.status().ToString().c_str());
    return kExitUsage;
  }
  source.snapshot_path = roster_path;
  source.encoding = *parsed;
  source.model_path = start_path;
  auto engine = LoadEngineReporting(source, reconcile::LoadOptions(), nullptr);
  if (!engine.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 engine.status().ToString().c_str());
    return kExitCannotRun;
  }
  std::ifstream receipts(receipts_path, std::ios::binary);
  if (!receipts) {
    std::fprintf(stderr, "kuromaru model fit: NOT_FOUND: cannot read %s\n",
                 receipts_path.c_str());
    return kExitFailure;
  }
  auto fitted = reconcile::FitEmOnReceipts(**engine, receipts, sample);
  if (!fitted.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 fitted.status().ToString().c_str());
    return kExitFailure;
  }
  const int64_t used = fitted->receipts_used;
  matcher::EmResult* fit = &fitted->em;
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

// Written beside the target and renamed over it: a reader never sees half a
// model.
absl::Status WriteModelFile(const std::string& path,
                            const matcher::Model& model) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << matcher::SerializeModel(model);
    if (!out.flush()) return absl::UnavailableError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::UnavailableError("cannot write " + path);
  }
  return absl::OkStatus();
}

struct DecisionFitFlags {
  StoreFlags store;
  std::string roster_path, deltas, model_path, out_path;
  std::string encoding = "utf-8";
  std::string label = "decisions";
  int64_t min_positives = 20;
  int64_t min_negatives = 20;
};

// Parses the flags; nullopt to go on, or the exit code.
std::optional<int> ParseDecisionFitFlags(const std::vector<std::string>& args,
                                         DecisionFitFlags* f) {
  Flags flags(
      "kuromaru model fit --from-decisions STORE --roster R.csv --out MODEL "
      "[flags]",
      "Refits m and u on the reviewers' decisions in a case store (confirmed\n"
      "candidates are matches, the other candidates of decided cases are\n"
      "not), starting from --model, and calibrates the probabilities on\n"
      "them. Each decided receipt is matched again against the roster; a\n"
      "candidate no longer in it is skipped. Cases resolved automatically\n"
      "are not used. Writes a versioned model file.");
  f->store.Register(flags, "from-decisions");
  flags.String("roster", &f->roster_path, "roster snapshot CSV");
  flags.String("encoding", &f->encoding, "roster encoding: utf-8 or cp932");
  flags.String("deltas", &f->deltas,
               "roster delta CSVs applied in order, comma-separated");
  flags.String("model", &f->model_path,
               "model to start from (default: built-in)");
  flags.String("out", &f->out_path, "model file to write");
  flags.String("label", &f->label, "label recorded in the model (no spaces)");
  flags.Int("min-positives", &f->min_positives,
            "fewest confirmed matches to fit on");
  flags.Int("min-negatives", &f->min_negatives,
            "fewest labelled non-matches to fit on");
  if (auto exit = ParseFlagsOrExit(flags, args)) return exit;
  if (!f->store.given() || f->roster_path.empty() || f->out_path.empty()) {
    std::fprintf(stderr,
                 "kuromaru model fit: --from-decisions, --roster and --out "
                 "are required\n");
    return kExitUsage;
  }
  return std::nullopt;
}

// The roster and the store, or the exit code.
std::optional<int> OpenInputs(const DecisionFitFlags& f,
                              std::shared_ptr<const reconcile::Engine>* engine,
                              std::unique_ptr<store::CaseStore>* cases) {
  reconcile::RosterSource source;
  auto encoding = base::ParseTextEncoding(f.encoding);
  if (!encoding.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 encoding.status().ToString().c_str());
    return kExitUsage;
  }
  source.snapshot_path = f.roster_path;
  source.delta_paths = absl::StrSplit(f.deltas, ',', absl::SkipEmpty());
  source.encoding = *encoding;
  source.model_path = f.model_path;
  store::StoreOpenOptions open_options;
  open_options.create = false;  // a mistyped store is an error, not empty
  if (int exit = OpenStoreOrExit("model fit", f.store, open_options, cases)) {
    return exit;
  }
  reconcile::LoadOptions options;
  options.matcher.max_returned = 1000;  // a decided candidate may rank lower
  auto loaded = LoadEngineReporting(source, options, nullptr);
  if (!loaded.ok()) {
    std::fprintf(stderr, "kuromaru model fit: %s\n",
                 loaded.status().ToString().c_str());
    return kExitCannotRun;
  }
  *engine = *std::move(loaded);
  return std::nullopt;
}

int FitFromDecisions(const std::vector<std::string>& args) {
  DecisionFitFlags f;
  if (auto exit = ParseDecisionFitFlags(args, &f)) return *exit;
  std::shared_ptr<const reconcile::Engine> engine;
  std::unique_ptr<store::CaseStore> cases;
  if (auto exit = OpenInputs(f, &engine, &cases)) return *exit;
  absl::StatusOr<reconcile::DecisionFit> fit = reconcile::FitOnDecisions(
      *engine, *cases, f.min_positives, f.min_negatives);
  if (fit.ok()) fit->model.label = f.label;
  absl::Status written =
      fit.ok() ? WriteModelFile(f.out_path, fit->model) : fit.status();
  if (!written.ok()) {
    std::fprintf(
        stderr, "kuromaru model fit: %s%s\n", written.ToString().c_str(),
        absl::IsFailedPrecondition(written) ? "; no model written" : "");
    return kExitFailure;
  }
  const store::LabelCounts& counts = fit->counts;
  std::printf(
      "model %s from %lld decided cases: %lld labelled pairs (%lld matches, "
      "%lld non-matches), %lld skipped (not in the roster any more)\n",
      matcher::ModelVersion(fit->model).c_str(),
      static_cast<long long>(counts.cases),
      static_cast<long long>(counts.positives) + counts.negatives,
      static_cast<long long>(counts.positives),
      static_cast<long long>(counts.negatives),
      static_cast<long long>(counts.skipped));
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
  if (path.empty()) {
    std::fprintf(stderr, "kuromaru model show: --model is required\n");
    return kExitUsage;
  }
  auto model = reconcile::ReadModel(path);
  if (!model.ok()) {
    std::fprintf(stderr, "kuromaru model show: %s\n",
                 std::string(model.status().message()).c_str());
    return absl::IsNotFound(model.status()) ? kExitCannotRun : kExitFailure;
  }
  PrintWeights(*model);
  return kExitOk;
}

// `model load` and `model status`: the model in service on a running server
// (role admin). `load` names a model file on the server; the server swaps it
// in over the roster in service and records it, so that a restart keeps it.
int OnServer(const std::string& verb, const std::vector<std::string>& args) {
  grpc_service::ClientOptions client_options;
  std::string path;
  Flags flags(
      absl::StrCat("kuromaru model ", verb,
                   " --server HOST:PORT --token-file FILE",
                   verb == "load" ? " --path MODEL" : ""),
      verb == "load"
          ? "Puts a model file (a path on the server) into service over the\n"
            "roster in service; the store records it, so a restart keeps it.\n"
            "Prints the model in service."
          : "Prints the version and source of the model in service.");
  AddClientFlags(flags, &client_options);
  if (verb == "load") {
    flags.String("path", &path,
                 "absolute path of the model file on the server");
  }
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (verb == "load" && path.empty()) {
    std::fprintf(stderr, "kuromaru model load: --path is required\n");
    return kExitUsage;
  }
  auto client = grpc_service::Client::Connect(client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru model: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = v1::JobService::NewStub(client->channel());
  grpc::ClientContext context;
  client->Prepare(&context, std::chrono::seconds(120));
  v1::ModelInfo info;
  grpc::Status status;
  if (verb == "load") {
    v1::LoadModelRequest request;
    request.set_path(path);
    status = stub->LoadModel(&context, request, &info);
  } else {
    status = stub->GetModel(&context, v1::GetModelRequest(), &info);
  }
  if (!status.ok()) {
    return RpcFailed("model", verb == "load" ? "LoadModel" : "GetModel",
                     status);
  }
  PrintJson(info);
  return kExitOk;
}

}  // namespace

int RunModel(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: kuromaru model fit|show|load|status [flags]\n\n"
      "  fit     fit a model by EM on a roster and receipts, or with\n"
      "          --from-decisions on a case store's reviewed cases; write a\n"
      "          model file\n"
      "  show    print a model file's weights\n"
      "  load    put a model file into service on a running server (admin)\n"
      "  status  print the model in service on a running server\n";
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(usage.c_str(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "fit") {
    for (const std::string& arg : rest) {
      if (arg.rfind("--from-decisions", 0) == 0) {
        return FitFromDecisions(rest);
      }
    }
    return Fit(rest);
  }
  if (args[0] == "show") return Show(rest);
  if (args[0] == "load" || args[0] == "status") return OnServer(args[0], rest);
  std::fprintf(stderr, "kuromaru model: unknown subcommand '%s'\n\n%s",
               args[0].c_str(), usage.c_str());
  return kExitUsage;
}

}  // namespace kuromaru::cli
