// `kuromaru roster build`: a roster file from a snapshot CSV (or an earlier
// roster file) and deltas, for `serve`, `match`, `rematch` and `bench` to open
// in seconds.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/roster_setup.h"
#include "services/io/directory_csv.h"
#include "services/reconcile/roster_loader.h"

namespace kuromaru::cli {

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
      "it: another version does not serve it as it is, but loads the CSV and\n"
      "deltas it records while they are there unchanged; build it again.");
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
  reconcile::RosterSource source;
  source.snapshot_path = roster;
  source.delta_paths = absl::StrSplit(deltas, ',', absl::SkipEmpty());
  source.directory_path = directory;
  auto parsed = base::ParseTextEncoding(encoding);
  if (!parsed.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 std::string(parsed.status().message()).c_str());
    return kExitUsage;
  }
  source.encoding = *parsed;
  if (max_errors > 0) source.max_errors = max_errors;
  reconcile::LoadOptions options;
  options.threads = static_cast<int>(threads);
  const absl::Time start = absl::Now();
  reconcile::LoadReport report;
  absl::StatusOr<reconcile::IndexedRoster> loaded =
      reconcile::LoadIndexedRoster(source, options, &report);
  // The directory goes into the file as read here, once those bytes load.
  std::string directory_bytes;
  if (loaded.ok() && !directory.empty()) {
    std::ifstream in(directory, std::ios::binary);
    const bool readable = static_cast<bool>(in);
    directory_bytes.assign(std::istreambuf_iterator<char>(in),
                           std::istreambuf_iterator<char>());
    io::DirectoryLoadOptions directory_options;
    directory_options.encoding = source.encoding;
    io::DirectoryLoadReport read;
    std::istringstream bytes(directory_bytes);
    auto checked = readable
                       ? io::ReadDirectoryCsv(bytes, directory_options, &read)
                       : absl::NotFoundError(absl::StrCat(
                             "cannot read insurer directory ", directory));
    reconcile::FileReport& file = report.files.emplace_back();
    file.kind = reconcile::FileReport::Kind::kDirectory;
    file.path = directory;
    file.rows = read;
    if (!checked.ok()) loaded = checked.status();
  }
  PrintRejectedRows(report);
  if (!loaded.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 loaded.status().ToString().c_str());
    return kExitFailure;
  }
  matcher::RosterFileInfo info = loaded->info;
  if (!directory.empty()) {
    info.directory_path = directory;
    info.directory_bytes = std::move(directory_bytes);
    info.encoding = base::TextEncodingName(source.encoding);
  }
  info.built_at =
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone());
  auto bytes = matcher::WriteRosterFile(*loaded->index, info, out);
  if (!bytes.ok()) {
    std::fprintf(stderr, "kuromaru roster build: %s\n",
                 bytes.status().ToString().c_str());
    return kExitCannotRun;
  }
  const matcher::RosterCounts& c = loaded->index->roster().counts();
  base::Log(base::LogLevel::kInfo, "roster file written",
            {{"path", out},
             {"roster_version", loaded->index->roster().version()},
             {"rows", c.rows},
             {"persons", c.persons},
             {"deltas", static_cast<int64_t>(info.deltas.size())},
             {"bytes", static_cast<int64_t>(*bytes)},
             {"seconds", absl::ToDoubleSeconds(absl::Now() - start)}});
  std::printf("%s: roster %s, %lld rows, %lld persons, %llu bytes\n",
              out.c_str(), loaded->index->roster().version().c_str(),
              static_cast<long long>(c.rows), static_cast<long long>(c.persons),
              static_cast<unsigned long long>(*bytes));
  return kExitOk;
}

}  // namespace kuromaru::cli
