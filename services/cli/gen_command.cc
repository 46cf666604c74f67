// `kuromaru gen`: writes a synthetic roster, receipts, ground truth and insurer
// directory for demos and measurements.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/log.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/gen/generator.h"
#include "services/gen/profile.h"
#include "services/gen/uke_writer.h"
#include "services/io/receipts.h"

namespace kuromaru::cli {
namespace {

// The receipts of `jsonl` again as a レセ電 file: its JSON twin is `jsonl`.
absl::Status WriteUkeTwin(const std::string& jsonl, const std::string& path) {
  std::ifstream in(jsonl, std::ios::binary);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!in || !out) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  gen::UkeWriter writer(&out, gen::UkeWriterOptions());
  absl::Status written;
  absl::Status read = io::ReadReceiptsJsonl(
      in,
      [&](int64_t, v1::Receipt& r) {
        written = writer.Add(r);
        return written.ok();
      },
      [&](int64_t line, const std::string& reason) {
        written =
            absl::DataLossError(absl::StrCat(jsonl, ":", line, ": ", reason));
        return false;
      });
  if (!read.ok()) return read;
  if (!written.ok()) return written;
  return writer.Finish();
}

}  // namespace

// Long (about 90 lines): half is the flag declarations and their help.
int RunGen(const std::vector<std::string>& args) {
  gen::GenOptions options;
  int64_t seed = -1;
  std::string out_dir, profile_name = "default";
  Flags flags(
      "kuromaru gen --out DIR [--profile default|heldout] [--persons N] "
      "[--receipts M] [--seed S] [--cp932] [--uke FILE]",
      "Writes a synthetic roster (roster.csv), receipts (receipts.jsonl), "
      "their ground truth\n(truth.jsonl) and insurer directory "
      "(directory.csv) into DIR, which must exist.\nThe same flags give "
      "the same files. Prints counts by receipt category.\n"
      "--profile heldout: another seed and other rates, which nothing in "
      "kuromaru is tuned on\n(docs/MATCHING.md).");
  flags.String("profile", &profile_name,
               "the rates and default seed: default or heldout");
  flags.Int("persons", &options.persons, "persons in the roster");
  flags.Int("receipts", &options.receipts, "receipts to write");
  flags.Int("seed", &seed,
            "random seed (-1: the profile's, 1 for default, 4242 for "
            "heldout)");
  flags.String("out", &out_dir, "output directory");
  flags.Bool("cp932", &options.cp932,
             "also write roster-cp932.csv (Windows Shift_JIS, 外字 in "
             "F040-F9FC)");
  std::string uke_path;
  flags.String("uke", &uke_path,
               "also write the receipts as a レセ電 (UKE) file, CP932; its "
               "JSON twin is receipts.jsonl");
  flags.String("names", &options.sources.names,
               "mecab-ipadic Noun.name.csv (EUC-JP)");
  flags.String("places", &options.sources.places,
               "mecab-ipadic Noun.place.csv (EUC-JP)");
  flags.String("zipcode", &options.sources.zipcode,
               "skkdic-extra SKK-JISYO.zipcode (EUC-JP)");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  const absl::StatusOr<gen::Profile> profile = gen::ParseProfile(profile_name);
  if (!profile.ok()) {
    std::fprintf(stderr, "kuromaru gen: --profile: %s\n",
                 std::string(profile.status().message()).c_str());
    return kExitUsage;
  }
  {
    // The profile's seed and rates; the other flags as given.
    gen::GenOptions base = gen::ProfileOptions(*profile);
    base.persons = options.persons;
    base.receipts = options.receipts;
    base.cp932 = options.cp932;
    base.sources = options.sources;
    options = std::move(base);
  }
  if (out_dir.empty() || options.persons < 1 || options.receipts < 0 ||
      seed < -1) {
    std::fprintf(stderr,
                 "kuromaru gen: --out is required, --persons must be >= 1, "
                 "--receipts >= 0 and --seed >= 0\n\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  options.out_dir = out_dir;
  if (seed >= 0) options.seed = static_cast<uint64_t>(seed);

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
  if (!uke_path.empty()) {
    absl::Status uke = WriteUkeTwin(out_dir + "/receipts.jsonl", uke_path);
    if (!uke.ok()) {
      std::fprintf(stderr, "kuromaru gen: %s\n",
                   std::string(uke.message()).c_str());
      return kExitFailure;
    }
  }
  std::fputs(gen::FormatSummary(*summary).c_str(), stdout);
  base::Log(base::LogLevel::kInfo, "generated",
            {{"profile", gen::ProfileName(*profile)},
             {"seed", static_cast<int64_t>(options.seed)},
             {"persons", summary->persons},
             {"roster_rows", summary->roster_rows},
             {"receipts", summary->receipts},
             {"seconds", seconds}});
  return kExitOk;
}

}  // namespace kuromaru::cli
