// `kuromaru bench`: loading, the roster file, and matching at several roster
// sizes. Each size runs in two child processes of their own, so that each
// one's peak memory is its own: one loads the CSV (read, normalize, link,
// index), writes the roster file and matches; the other opens the roster
// file and matches, as a restarted server would. The synthetic data comes
// from `kuromaru gen` and is generated before timing.
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/json.h"
#include "matcher/roster_file.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"
#include "services/eval/evaluator.h"
#include "services/gen/generator.h"
#include "services/reconcile/batch_match.h"

namespace kuromaru::cli {
namespace {

// One size's figures by name, as the JSON report gives them.
using Figures = std::map<std::string, double>;

// A /proc/self/status field in MiB (VmRSS, VmHWM).
double ProcStatusMb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    int64_t kb = 0;
    if (line.rfind(field + ":", 0) == 0 &&
        std::sscanf(line.c_str() + field.size() + 1, "%" SCNd64, &kb) == 1) {
      return kb / 1024.0;
    }
  }
  return 0;
}

// Matches the receipts of `dir` into `out_path`; adds receipts/s (under
// `prefix`) and candidates per receipt.
bool MatchReceipts(const reconcile::Engine& engine, const std::string& dir,
                   const std::string& out_path, int threads,
                   const std::string& prefix, Figures* f, std::string* error) {
  std::ifstream receipts(dir + "/receipts.jsonl", std::ios::binary);
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  reconcile::BatchOptions options;
  options.threads = threads;
  auto summary = reconcile::MatchJsonl(engine, receipts, out, options);
  if (!summary.ok()) {
    *error = summary.status().ToString();
    return false;
  }
  const double seconds = absl::ToDoubleSeconds(summary->elapsed);
  const auto n = static_cast<double>(summary->receipts);
  (*f)["receipts"] = n;
  (*f)[prefix + "match_seconds"] = seconds;
  (*f)[prefix + "receipts_per_second"] = seconds > 0 ? n / seconds : 0;
  (*f)["candidates_per_receipt"] =
      n > 0 ? static_cast<double>(summary->candidates) / n : 0;
  return true;
}

absl::StatusOr<std::shared_ptr<const reconcile::Engine>> Load(
    const std::string& path, reconcile::LoadReport* report) {
  reconcile::RosterSource source;
  source.snapshot_path = path;
  return LoadEngineReporting(source, reconcile::LoadOptions(), report);
}

// Child: load the CSV, write the roster file, match.
bool MeasureCsv(const std::string& dir, int threads, Figures* f,
                std::string* error) {
  reconcile::LoadReport report;
  auto engine = Load(dir + "/roster.csv", &report);
  if (!engine.ok()) {
    *error = engine.status().ToString();
    return false;
  }
  const matcher::RosterIndex& index = *(*engine)->matcher->index();
  const auto rows = static_cast<double>((*engine)->counts.rows);
  (*f)["rows"] = rows;
  (*f)["load_seconds"] = report.load_seconds;
  (*f)["index_seconds"] = report.index_seconds;
  (*f)["roster_bytes_per_row"] =
      static_cast<double>(index.roster().MemoryBytes()) / rows;
  (*f)["index_bytes_per_row"] = static_cast<double>(index.MemoryBytes()) / rows;
  (*f)["csv_rss_mb"] = ProcStatusMb("VmRSS");
  (*f)["csv_load_peak_mb"] = ProcStatusMb("VmHWM");
  const absl::Time start = absl::Now();
  matcher::RosterFileInfo info;
  info.source_path = dir + "/roster.csv";
  info.encoding = "utf-8";
  auto bytes = matcher::WriteRosterFile(index, info, dir + "/roster.snap");
  if (!bytes.ok()) {
    *error = bytes.status().ToString();
    return false;
  }
  (*f)["write_seconds"] = absl::ToDoubleSeconds(absl::Now() - start);
  (*f)["file_bytes_per_row"] = static_cast<double>(*bytes) / rows;
  if (!MatchReceipts(**engine, dir, dir + "/results.jsonl", threads, "csv_", f,
                     error)) {
    return false;
  }
  (*f)["csv_peak_mb"] = ProcStatusMb("VmHWM");
  return true;
}

// Child: open the roster file, match.
bool MeasureFile(const std::string& dir, int threads, Figures* f,
                 std::string* error) {
  const absl::Time start = absl::Now();
  reconcile::LoadReport report;
  auto engine = Load(dir + "/roster.snap", &report);
  if (!engine.ok()) {
    *error = engine.status().ToString();
    return false;
  }
  (*f)["open_seconds"] = absl::ToDoubleSeconds(absl::Now() - start);
  (*f)["open_rss_mb"] = ProcStatusMb("VmRSS");
  if (!MatchReceipts(**engine, dir, "/dev/null", threads, "", f, error)) {
    return false;
  }
  (*f)["rss_mb"] = ProcStatusMb("VmRSS");
  (*f)["peak_rss_mb"] = ProcStatusMb("VmHWM");
  return true;
}

// Forks; the child measures and writes "name value" lines (or "error: …")
// to a pipe, which are added to `f`.
bool InChild(const std::function<bool(Figures*, std::string*)>& measure,
             Figures* f, std::string* error) {
  int fds[2];
  if (pipe(fds) != 0) {
    *error = "pipe failed";
    return false;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Figures mine;
    std::string text;
    if (measure(&mine, error)) {
      for (const auto& [name, value] : mine) {
        absl::StrAppendFormat(&text, "%s %.6f\n", name, value);
      }
    } else {
      text = "error: " + *error;
    }
    (void)!write(fds[1], text.data(), text.size());
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) {
    text.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (text.rfind("error: ", 0) == 0 || text.empty()) {
    *error = text.empty() ? "the measuring process died" : text.substr(7);
    return false;
  }
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
    double value = 0;
    if (parts.size() == 2 && absl::SimpleAtod(parts[1], &value)) {
      (*f)[std::string(parts[0])] = value;
    }
  }
  return true;
}

// Top-1 and recall@5 of the CSV child's results against the ground truth.
void Evaluate(const std::string& dir, Figures* f) {
  eval::Evaluator evaluator;
  int64_t line = 0;
  std::ifstream truth(dir + "/truth.jsonl");
  for (std::string text; std::getline(truth, text);) {
    evaluator.AddTruthLine(++line, text);
  }
  line = 0;
  std::ifstream results(dir + "/results.jsonl");
  for (std::string text; std::getline(results, text);) {
    evaluator.AddResultLine(++line, text);
  }
  const eval::EvalReport report = evaluator.Finish();
  (*f)["recall_at_5"] = report.overall.RecallAtK().value_or(0);
  (*f)["top1"] = report.overall.Top1().value_or(0);
}

// `value` rounded to `decimals` places, as the report shows it.
double Rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

std::string JsonFigures(const std::vector<Figures>& all, int threads) {
  base::Json out;
  out["threads"] = threads;
  base::Json& sizes = out["sizes"] = base::Json::array();
  for (const Figures& f : all) {
    base::Json& size = sizes.emplace_back();
    for (const auto& [name, value] : f) {
      // Counts whole, rates and sizes to a tenth, seconds and ratios finer.
      const bool fine = name.find("seconds") != std::string::npos ||
                        name == "recall_at_5" || name == "top1";
      size[name] = Rounded(value, fine ? 4 : 1);
    }
  }
  return base::ToJsonText(out) + "\n";
}

}  // namespace

int RunBench(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "grpc") {
    return RunBenchGrpc(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  std::string sizes_text = "100000,1000000", work_dir = "/tmp/kuromaru-bench",
              json_path;
  int64_t receipts = 50000, threads = 2, seed = 1;
  Flags flags(
      "kuromaru bench [--persons N,N,…] [--receipts M] [--threads T] [--json "
      "FILE]\n       kuromaru bench grpc --server HOST:PORT … (see bench grpc "
      "--help)",
      "Measures, for each roster size: loading the roster CSV (read,\n"
      "normalize, link persons, index), writing its roster file, opening the\n"
      "roster file as a restarted server does, batch matching of synthetic\n"
      "receipts (JSON in, JSON out), top-1 and recall@5 against the ground\n"
      "truth, and memory: bytes per enrollment of the roster and index,\n"
      "resident and peak. Data is generated by `kuromaru gen` into --work\n"
      "(about 1.5 roster rows per person) before any timing.");
  flags.String("persons", &sizes_text,
               "roster sizes in persons, comma-separated");
  flags.Int("receipts", &receipts, "receipts matched at each size");
  flags.Int("threads", &threads, "matching threads");
  flags.Int("seed", &seed, "generator seed");
  flags.String("work", &work_dir,
               "where the generated data goes (reused if present)");
  flags.String("json", &json_path, "also write the figures as JSON here");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  std::vector<int64_t> sizes;
  for (absl::string_view part :
       absl::StrSplit(sizes_text, ',', absl::SkipEmpty())) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(part, &n) || n < 1) {
      std::fprintf(stderr, "kuromaru bench: --persons takes whole numbers\n");
      return kExitUsage;
    }
    sizes.push_back(n);
  }

  std::printf("%10s %10s %8s %7s %7s %7s %7s %6s %6s %10s %8s %8s %8s\n",
              "persons", "rows", "load_s", "open_s", "B/row", "file_B", "cand",
              "rec@5", "top1", "receipts/s", "rss_MiB", "peak_MiB", "load_pk");
  std::vector<Figures> all;
  const int t = static_cast<int>(threads);
  for (int64_t persons : sizes) {
    const std::string dir =
        absl::StrCat(work_dir, "/p", persons, "-r", receipts, "-s", seed);
    if (!std::ifstream(dir + "/receipts.jsonl")) {
      gen::GenOptions gen_options;
      gen_options.persons = persons;
      gen_options.receipts = receipts;
      gen_options.seed = static_cast<uint64_t>(seed);
      gen_options.out_dir = dir;
      auto generated = gen::Generate(gen_options);
      if (!generated.ok()) {
        std::fprintf(stderr, "kuromaru bench: %s\n",
                     generated.status().ToString().c_str());
        return kExitCannotRun;
      }
    }
    Figures f;
    f["persons"] = static_cast<double>(persons);
    std::string error;
    if (!InChild([&](Figures* out,
                     std::string* e) { return MeasureCsv(dir, t, out, e); },
                 &f, &error) ||
        !InChild([&](Figures* out,
                     std::string* e) { return MeasureFile(dir, t, out, e); },
                 &f, &error)) {
      std::fprintf(stderr, "kuromaru bench: %lld persons: %s\n",
                   static_cast<long long>(persons), error.c_str());
      return kExitFailure;
    }
    Evaluate(dir, &f);
    std::printf(
        "%10.0f %10.0f %8.2f %7.2f %7.1f %7.1f %7.1f %6.4f %6.4f %10.0f %8.0f "
        "%8.0f %8.0f\n",
        f["persons"], f["rows"], f["load_seconds"] + f["index_seconds"],
        f["open_seconds"], f["roster_bytes_per_row"] + f["index_bytes_per_row"],
        f["file_bytes_per_row"], f["candidates_per_receipt"], f["recall_at_5"],
        f["top1"], f["receipts_per_second"], f["rss_mb"], f["peak_rss_mb"],
        f["csv_peak_mb"]);
    std::fflush(stdout);
    all.push_back(f);
  }
  if (!json_path.empty()) {
    std::ofstream(json_path) << JsonFigures(all, t);
  }
  return kExitOk;
}

}  // namespace kuromaru::cli
