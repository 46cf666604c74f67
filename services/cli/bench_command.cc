// `kuromaru bench`: load, index and match throughput and memory at several
// roster sizes. Each size runs in a child process of its own, so that its peak
// memory is its own; the synthetic data comes from `kuromaru gen` and is
// generated before timing.
#include <sys/wait.h>
#include <unistd.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/json.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"
#include "services/gen/generator.h"
#include "services/reconcile/batch_match.h"

namespace kuromaru::cli {
namespace {

struct Figures {
  int64_t persons = 0, rows = 0, receipts = 0;
  double load_seconds = 0, index_seconds = 0, match_seconds = 0;
  double rss_after_index_mb = 0, peak_rss_mb = 0;
  double receipts_per_second = 0, candidates_per_receipt = 0;
};

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

// Runs in the child: load, index, match. Returns false with a message on
// failure.
bool Measure(const std::string& dir, int threads, Figures* f,
             std::string* error) {
  reconcile::RosterSource source;
  source.snapshot_path = dir + "/roster.csv";
  reconcile::LoadReport report;
  auto engine = LoadEngineReporting(source, reconcile::LoadOptions(), &report);
  if (!engine.ok()) {
    *error = engine.status().ToString();
    return false;
  }
  f->rows = (*engine)->counts.rows;
  f->load_seconds = report.load_seconds;
  f->index_seconds = report.index_seconds;
  f->rss_after_index_mb = ProcStatusMb("VmRSS");
  std::ifstream receipts(dir + "/receipts.jsonl", std::ios::binary);
  std::ofstream out("/dev/null");
  reconcile::BatchOptions options;
  options.threads = threads;
  auto summary = reconcile::MatchJsonl(**engine, receipts, out, options);
  if (!summary.ok()) {
    *error = summary.status().ToString();
    return false;
  }
  f->receipts = summary->receipts;
  f->match_seconds = absl::ToDoubleSeconds(summary->elapsed);
  f->receipts_per_second =
      f->match_seconds > 0 ? f->receipts / f->match_seconds : 0;
  f->candidates_per_receipt =
      f->receipts > 0 ? static_cast<double>(summary->candidates) / f->receipts
                      : 0;
  f->peak_rss_mb = ProcStatusMb("VmHWM");
  return true;
}

// Forks; the child measures and writes its figures (or "error: …") to a pipe.
bool MeasureInChild(const std::string& dir, int threads, Figures* f,
                    std::string* error) {
  int fds[2];
  if (pipe(fds) != 0) {
    *error = "pipe failed";
    return false;
  }
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string line;
    if (Measure(dir, threads, f, error)) {
      line = absl::StrFormat(
          "%d %.6f %.6f %.6f %.3f %.3f %.3f %d", f->rows, f->load_seconds,
          f->index_seconds, f->match_seconds, f->rss_after_index_mb,
          f->peak_rss_mb, f->candidates_per_receipt, f->receipts);
    } else {
      line = "error: " + *error;
    }
    (void)!write(fds[1], line.data(), line.size());
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;)
    text.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (text.rfind("error: ", 0) == 0 || text.empty()) {
    *error = text.empty() ? "the measuring process died" : text.substr(7);
    return false;
  }
  int64_t rows = 0, receipts = 0;
  std::sscanf(text.c_str(), "%" SCNd64 " %lf %lf %lf %lf %lf %lf %" SCNd64,
              &rows, &f->load_seconds, &f->index_seconds, &f->match_seconds,
              &f->rss_after_index_mb, &f->peak_rss_mb,
              &f->candidates_per_receipt, &receipts);
  f->rows = rows;
  f->receipts = receipts;
  f->receipts_per_second =
      f->match_seconds > 0 ? receipts / f->match_seconds : 0;
  return true;
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
    size["persons"] = f.persons;
    size["rows"] = f.rows;
    size["receipts"] = f.receipts;
    size["load_seconds"] = Rounded(f.load_seconds, 3);
    size["index_seconds"] = Rounded(f.index_seconds, 3);
    size["match_seconds"] = Rounded(f.match_seconds, 3);
    size["receipts_per_second"] = Rounded(f.receipts_per_second, 0);
    size["candidates_per_receipt"] = Rounded(f.candidates_per_receipt, 1);
    size["rss_after_index_mb"] = Rounded(f.rss_after_index_mb, 1);
    size["peak_rss_mb"] = Rounded(f.peak_rss_mb, 1);
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
      "Measures, for each roster size, loading the roster CSV (read, "
      "normalize,\n"
      "build), indexing, and batch matching of synthetic receipts (JSON in, "
      "JSON out),\n"
      "with resident and peak memory. Data is generated by `kuromaru gen` "
      "into\n"
      "--work (about 1.5 roster rows per person) before any timing.");
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

  std::printf("%10s %10s %9s %9s %10s %12s %8s %10s %10s\n", "persons", "rows",
              "load_s", "index_s", "receipts", "receipts/s", "cand", "rss_MiB",
              "peak_MiB");
  std::vector<Figures> all;
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
    f.persons = persons;
    std::string error;
    std::fflush(stdout);
    if (!MeasureInChild(dir, static_cast<int>(threads), &f, &error)) {
      std::fprintf(stderr, "kuromaru bench: %lld persons: %s\n",
                   static_cast<long long>(persons), error.c_str());
      return kExitFailure;
    }
    std::printf("%10lld %10lld %9.2f %9.2f %10lld %12.0f %8.1f %10.0f %10.0f\n",
                static_cast<long long>(f.persons),
                static_cast<long long>(f.rows), f.load_seconds, f.index_seconds,
                static_cast<long long>(f.receipts), f.receipts_per_second,
                f.candidates_per_receipt, f.rss_after_index_mb, f.peak_rss_mb);
    std::fflush(stdout);
    all.push_back(f);
  }
  if (!json_path.empty()) {
    std::ofstream(json_path) << JsonFigures(all, static_cast<int>(threads));
  }
  return kExitOk;
}

}  // namespace kuromaru::cli
