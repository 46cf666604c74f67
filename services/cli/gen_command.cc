// `kuromaru gen`: writes a synthetic roster, receipts, ground truth and insurer
// directory for demos and measurements.
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/gen/generator.h"
#include "services/io/log.h"

namespace kuromaru::cli {

int RunGen(const std::vector<std::string>& args) {
  gen::GenOptions options;
  int64_t seed = 1;
  std::string out_dir;
  Flags flags(
      "kuromaru gen --out DIR [--persons N] [--receipts M] [--seed S] "
      "[--cp932]",
      "Writes a synthetic roster (roster.csv), receipts (receipts.jsonl), "
      "their ground truth\n(truth.jsonl) and insurer directory "
      "(directory.csv) into DIR, which must exist.\nThe same flags give "
      "the same files. Prints counts by receipt category.");
  flags.Int("persons", &options.persons, "persons in the roster");
  flags.Int("receipts", &options.receipts, "receipts to write");
  flags.Int("seed", &seed, "random seed");
  flags.String("out", &out_dir, "output directory");
  flags.Bool("cp932", &options.cp932,
             "also write roster-cp932.csv (Windows Shift_JIS, 外字 in "
             "F040-F9FC)");
  flags.String("names", &options.sources.names,
               "mecab-ipadic Noun.name.csv (EUC-JP)");
  flags.String("places", &options.sources.places,
               "mecab-ipadic Noun.place.csv (EUC-JP)");
  flags.String("zipcode", &options.sources.zipcode,
               "skkdic-extra SKK-JISYO.zipcode (EUC-JP)");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (out_dir.empty() || options.persons < 1 || options.receipts < 0) {
    std::fprintf(stderr,
                 "kuromaru gen: --out is required, --persons must be >= 1 "
                 "and --receipts >= 0\n\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  options.out_dir = out_dir;
  options.seed = static_cast<uint64_t>(seed);

  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<gen::GenSummary> summary = gen::Generate(options);
  if (!summary.ok()) {
    std::fprintf(stderr, "kuromaru gen: %s\n",
                 std::string(summary.status().message()).c_str());
    return absl::IsNotFound(summary.status()) ? kExitCannotRun : kExitFailure;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::fputs(gen::FormatSummary(*summary).c_str(), stdout);
  io::Log(io::LogLevel::kInfo, "generated",
          {{"persons", summary->persons},
           {"roster_rows", summary->roster_rows},
           {"receipts", summary->receipts},
           {"seconds", seconds}});
  return kExitOk;
}

}  // namespace kuromaru::cli
