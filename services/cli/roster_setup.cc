#include "services/cli/roster_setup.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/memory.h"
#include "base/status_macros.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/grpc/roster_manager.h"
#include "services/io/match_result.h"
#include "services/io/receipts.h"

namespace kuromaru::cli {
namespace {

absl::StatusOr<matcher::Model> LoadModel(const std::string& path) {
  if (path.empty()) return matcher::Model::Default();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read model file ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto model = matcher::ParseModel(text.str());
  if (!model.ok()) {
    return absl::Status(model.status().code(),
                        absl::StrCat(path, ": ", model.status().message()));
  }
  return model;
}

// Every rejected row that the report kept, with its line number, and how many
// more.
template <typename Report>
void PrintRowErrors(const std::string& path, const Report& report) {
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

absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> LoadDirectory(
    const std::string& path, base::TextEncoding encoding,
    io::DirectoryLoadReport* report) {
  io::DirectoryLoadOptions options;
  options.encoding = encoding;
  auto directory = io::LoadDirectoryCsv(path, options, report);
  PrintRowErrors(path, *report);
  if (!directory.ok()) return directory.status();
  base::Log(base::LogLevel::kInfo, "insurer directory loaded",
            {{"version", report->version},
             {"rows", report->rows_read},
             {"rejected", report->rows_rejected},
             {"insurers", report->counts.insurers},
             {"names", report->counts.names},
             {"employers", report->counts.employers}});
  return directory;
}

absl::StatusOr<LoadedMatcher> LoadMatcher(
    const std::string& roster_path, const io::RosterLoadOptions& load_options,
    const std::string& model_path, const matcher::MatcherOptions& options,
    const std::vector<std::string>& delta_paths,
    const std::string& directory_path) {
  LoadedMatcher out;
  std::shared_ptr<const matcher::InsurerDirectory> directory;
  if (!directory_path.empty()) {
    ASSIGN_OR_RETURN(directory,
                     LoadDirectory(directory_path, load_options.encoding,
                                   &out.directory_report));
    out.has_directory = true;
  }
  ASSIGN_OR_RETURN(matcher::Model model, LoadModel(model_path));
  out.model_source = model_path.empty() ? "built-in default model" : model_path;
  out.model_version = matcher::ModelVersion(model);

  absl::Time start = absl::Now();
  auto roster = io::LoadRosterCsv(roster_path, load_options, &out.report);
  PrintRowErrors(roster_path, out.report);
  if (!roster.ok()) return roster.status();
  for (const std::string& delta_path : delta_paths) {
    io::RosterLoadReport delta_report;
    auto next = io::ApplyRosterDeltaCsv(**roster, delta_path, load_options,
                                        &delta_report);
    PrintRowErrors(delta_path, delta_report);
    if (!next.ok()) return next.status();
    roster = std::move(next);
    const matcher::DeltaStats& d = delta_report.delta;
    base::Log(base::LogLevel::kInfo, "roster delta applied",
              {{"inserted", d.inserted},
               {"updated", d.updated},
               {"deleted", d.deleted},
               {"delete_not_found", d.delete_not_found},
               {"rejected", delta_report.rows_rejected}});
    out.report.counts = delta_report.counts;
    out.report.version = delta_report.version;
  }
  out.load_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  start = absl::Now();
  ASSIGN_OR_RETURN(auto index, matcher::RosterIndex::Build(*std::move(roster)));
  ASSIGN_OR_RETURN(out.matcher,
                   matcher::Matcher::Create(std::move(index), std::move(model),
                                            options, std::move(directory)));
  out.index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  base::ReleaseFreeMemory();
  const matcher::RosterCounts& c = out.report.counts;
  base::Log(base::LogLevel::kInfo, "roster loaded",
            {{"version", out.report.version},
             {"rows", c.rows},
             {"rejected", out.report.rows_rejected},
             {"persons", c.persons},
             {"insurers", c.insurers},
             {"rows_with_wildcards", c.rows_with_wildcards},
             {"load_seconds", out.load_seconds},
             {"index_seconds", out.index_seconds}});
  return out;
}

absl::StatusOr<matcher::EmResult> FitEmOnReceipts(
    const matcher::Matcher& matcher, const std::string& receipts_path,
    int64_t sample, int64_t* receipts_used) {
  std::ifstream in(receipts_path, std::ios::binary);
  if (!in)
    return absl::NotFoundError(absl::StrCat("cannot read ", receipts_path));
  std::vector<matcher::ComparisonVector> vectors;
  int64_t used = 0;
  RETURN_IF_ERROR(io::ReadReceiptsJsonl(
      in,
      [&](int64_t, v1::Receipt& receipt) {
        if (!io::ValidateReceipt(receipt).empty()) return true;
        matcher.AppendComparisonVectors(io::TextOf(receipt), &vectors);
        return ++used < sample;
      },
      [](int64_t, const std::string&) { return true; }));
  *receipts_used = used;
  return matcher::FitEm(matcher.model(), vectors, matcher::EmOptions());
}

void StoreRosterFlags::Register(Flags& flags) {
  flags.String("roster", &roster,
               "roster snapshot CSV (default: the store's active roster)");
  flags.String("deltas", &deltas,
               "roster delta CSVs applied in order, comma-separated");
  flags.String("model", &model, "model file (with --roster)");
  flags.String("encoding", &encoding, "roster encoding: utf-8 or cp932");
  flags.String("directory", &directory,
               "insurer directory CSV (FORMATS.md §4) for insurer suggestions");
}

int LoadStoreRoster(const char* command, const StoreRosterFlags& flags,
                    store::CaseStore& store, LoadedMatcher* out) {
  std::string roster = flags.roster, model = flags.model;
  std::string encoding = flags.encoding, directory = flags.directory;
  std::vector<std::string> deltas =
      absl::StrSplit(flags.deltas, ',', absl::SkipEmpty());
  if (roster.empty()) {
    absl::StatusOr<store::RosterState> active = store.GetActiveRoster();
    if (!active.ok()) {
      std::fprintf(stderr,
                   "kuromaru %s: no active roster in the store (%s); give "
                   "--roster\n",
                   command, active.status().ToString().c_str());
      return kExitCannotRun;
    }
    roster = active->snapshot_path;
    deltas = active->delta_paths;
    model = active->model_path;
    // The encoding and directory the server recorded beside the roster.
    auto saved = store.LoadCheckpoint(grpc_service::SourceKey(active->version));
    if (saved.ok() && saved->has_value()) {
      grpc_service::RosterSource source;
      grpc_service::DecodeSourceExtras(**saved, &source);
      if (encoding.empty()) encoding = source.encoding;
      if (directory.empty()) directory = source.directory_path;
    }
  }
  io::RosterLoadOptions load_options;
  auto parsed = base::ParseTextEncoding(encoding.empty() ? "utf-8" : encoding);
  if (!parsed.ok()) {
    std::fprintf(stderr, "kuromaru %s: %s\n", command,
                 std::string(parsed.status().message()).c_str());
    return kExitUsage;
  }
  load_options.encoding = *parsed;
  auto loaded = LoadMatcher(roster, load_options, model,
                            matcher::MatcherOptions(), deltas, directory);
  if (!loaded.ok()) {
    std::fprintf(stderr, "kuromaru %s: %s\n", command,
                 loaded.status().ToString().c_str());
    return kExitCannotRun;
  }
  *out = *std::move(loaded);
  return kExitOk;
}

}  // namespace kuromaru::cli
