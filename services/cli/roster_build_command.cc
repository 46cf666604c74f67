// `kuromaru roster build`: a roster file from a snapshot CSV (or an earlier
// roster file) and deltas, for `serve`, `match`, `rematch` and `bench` to open
// in seconds.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"
#include "services/io/log.h"
#include "services/io/roster_load.h"

namespace kuromaru::cli {
namespace {

// Every rejected row the report kept, with its line number.
void PrintErrors(const std::string& path, const io::RosterLoadReport& report) {
  for (const io::RowError& e : report.errors) {
    std::fprintf(stderr, "%s:%lld: %s\n", path.c_str(),
                 static_cast<long long>(e.line), e.reason.c_str());
  }
  const int64_t unlisted =
      report.rows_rejected - static_cast<int64_t>(report.errors.size());
  if (unlisted > 0) {
    std::fprintf(stderr, "%s: %lld more rejected rows not listed\n",
                 path.c_str(), static_cast<long long>(unlisted));
  }
}

}  // namespace

int RunRosterBuild(const std::vector<std::string>& args) {
  std::string roster, deltas, directory, out, encoding = "utf-8";
  int64_t max_errors = 0, threads = 0;
  Flags flags(
      "kuromaru roster build --roster R.csv [--deltas D1,D2] [--directory "
      "D.csv] --out R.snap",
      "Builds a roster file: the roster (FORMATS.md §1) read, normalized,\n"
      "linked into persons and indexed, with its name counts, in one\n"
      "checksummed file that `serve`, `match`, `rematch` and `bench` open by\n"
      "mapping it (give its path wherever a roster CSV goes). --roster may be\n"
      "an earlier roster file: its deltas stay, the new ones are added. The\n"
      "insurer directory, if given, goes into the file. Rejected rows are\n"
      "listed with their line numbers; the file is written only when every\n"
      "input loads. A roster file is tied to the kuromaru version that built\n"
      "it: another version refuses it, and it is built again.");
  flags.String("roster", &roster, "snapshot CSV, or a roster file");
  flags.String("deltas", &deltas,
               "delta CSVs applied in order, comma-separated");
  flags.String("encoding", &encoding,
               "CSV encoding: utf-8 or cp932 (a roster file keeps its own)");
  flags.String("directory", &directory,
               "insurer directory CSV (FORMATS.md §4) to keep in the file");
  flags.String("out", &out, "the roster file to write");
  flags.Int("max-errors", &max_errors,
            "rejected rows allowed per file (0: the loader's default)");
  flags.Int("threads", &threads, "threads (0: one per core)");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (roster.empty() || out.empty()) {
    std::fprintf(stderr,
                 "kuromaru roster build: --roster and --out are "
                 "required\n%s",
                 flags.Usage().c_str());
    return kExitUsage;
  }
  io::RosterLoadOptions options;
  auto parsed = io::ParseCsvEncoding(encoding);
  if (!parsed.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 std::string(parsed.status().message()).c_str());
    return kExitUsage;
  }
  options.encoding = *parsed;
  options.threads = static_cast<int>(threads);
  if (max_errors > 0) options.max_errors = max_errors;
  const absl::Time start = absl::Now();
  io::LoadedRoster loaded;
  const absl::Status status = io::LoadRoster(
      roster, absl::StrSplit(deltas, ',', absl::SkipEmpty()), options, &loaded);
  PrintErrors(roster, loaded.report);
  for (const auto& [path, report] : loaded.delta_reports) {
    PrintErrors(path, report);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 status.ToString().c_str());
    return kExitFailure;
  }
  matcher::RosterFileInfo info = loaded.info;
  if (!directory.empty()) {
    io::DirectoryLoadReport report;
    auto checked = LoadDirectory(directory, options.encoding, &report);
    if (!checked.ok()) {
      std::fprintf(stderr, "kuromaru roster build: %s\n",
                   checked.status().ToString().c_str());
      return kExitFailure;
    }
    std::ifstream in(directory, std::ios::binary);
    info.directory_path = directory;
    info.directory_bytes.assign(std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>());
    if (info.encoding.empty()) info.encoding = encoding;
  }
  info.built_at =
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  auto bytes = matcher::WriteRosterFile(*loaded.index, info, out);
  if (!bytes.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 bytes.status().ToString().c_str());
    return kExitCannotRun;
  }
  const matcher::RosterCounts& c = loaded.index->roster().counts();
  io::Log(io::LogLevel::kInfo, "roster file written",
          {{"path", out},
           {"roster_version", loaded.index->roster().version()},
           {"rows", c.rows},
           {"persons", c.persons},
           {"deltas", static_cast<int64_t>(info.deltas.size())},
           {"bytes", static_cast<int64_t>(*bytes)},
           {"seconds", absl::ToDoubleSeconds(absl::Now() - start)}});
  std::printf("%s: roster %s, %lld rows, %lld persons, %llu bytes\n",
              out.c_str(), loaded.index->roster().version().c_str(),
              static_cast<long long>(c.rows), static_cast<long long>(c.persons),
              static_cast<unsigned long long>(*bytes));
  return kExitOk;
}

}  // namespace kuromaru::cli
