#include "services/reconcile/roster_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/memory.h"
#include "base/status_macros.h"
#include "matcher/roster_index.h"
#include "services/io/directory_csv.h"
#include "services/io/roster_csv.h"

namespace kuromaru::reconcile {
namespace {

io::RosterLoadOptions RosterOptions(base::TextEncoding encoding,
                                    std::optional<int64_t> max_errors,
                                    const LoadOptions& options) {
  io::RosterLoadOptions out;
  out.encoding = encoding;
  if (max_errors) out.max_errors = *max_errors;
  out.max_reported_errors = options.max_reported_errors;
  return out;
}

// A file's failure, naming the file unless the reader already did.
absl::Status InFile(const absl::Status& status, const std::string& path) {
  if (status.ok() || absl::IsNotFound(status)) return status;
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> LoadDirectory(
    const RosterSource& source, const LoadOptions& options,
    LoadReport* report) {
  if (source.directory_path.empty()) return nullptr;
  io::DirectoryLoadOptions directory_options;
  directory_options.encoding = source.encoding;
  directory_options.max_reported_errors = options.max_reported_errors;
  io::DirectoryLoadReport read;
  auto directory =
      io::LoadDirectoryCsv(source.directory_path, directory_options, &read);
  FileReport& file = report->files.emplace_back();
  file.kind = FileReport::Kind::kDirectory;
  file.path = source.directory_path;
  file.rows = read;
  RETURN_IF_ERROR(InFile(directory.status(), source.directory_path));
  report->directory_version = read.version;
  report->directory_counts = read.counts;
  base::Log(base::LogLevel::kInfo, "insurer directory loaded",
            {{"version", read.version},
             {"rows", read.rows_read},
             {"rejected", read.rows_rejected},
             {"insurers", read.counts.insurers},
             {"names", read.counts.names},
             {"employers", read.counts.employers}});
  return directory;
}

// Reads the snapshot and applies the deltas.
absl::StatusOr<std::shared_ptr<const matcher::Roster>> LoadRoster(
    const RosterSource& source, const LoadOptions& options,
    LoadReport* report) {
  const io::RosterLoadOptions roster_options =
      RosterOptions(source.encoding, source.max_errors, options);
  io::RosterLoadReport read;
  auto roster = io::LoadRosterCsv(source.snapshot_path, roster_options, &read);
  FileReport& file = report->files.emplace_back();
  file.path = source.snapshot_path;
  file.rows = read;
  RETURN_IF_ERROR(roster.status());
  for (const std::string& path : source.delta_paths) {
    io::RosterLoadReport delta_read;
    auto next =
        io::ApplyRosterDeltaCsv(**roster, path, roster_options, &delta_read);
    FileReport& delta = report->files.emplace_back();
    delta.kind = FileReport::Kind::kDelta;
    delta.path = path;
    delta.rows = delta_read;
    delta.delta = delta_read.delta;
    RETURN_IF_ERROR(InFile(next.status(), path));
    roster = std::move(next);
    base::Log(base::LogLevel::kInfo, "roster delta applied",
              {{"inserted", delta_read.delta.inserted},
               {"updated", delta_read.delta.updated},
               {"deleted", delta_read.delta.deleted},
               {"delete_not_found", delta_read.delta.delete_not_found},
               {"rejected", delta_read.rows_rejected}});
  }
  return roster;
}

absl::StatusOr<std::shared_ptr<const Engine>> MakeEngine(
    std::shared_ptr<const matcher::RosterIndex> index, matcher::Model model,
    std::shared_ptr<const matcher::InsurerDirectory> directory,
    RosterSource source, const LoadOptions& options) {
  auto engine = std::make_shared<Engine>();
  engine->model_version = matcher::ModelVersion(model);
  engine->roster_version = index->roster().version();
  engine->counts = index->roster().counts();
  engine->loaded_at = absl::Now();
  engine->directory = directory;
  ASSIGN_OR_RETURN(
      std::unique_ptr<matcher::Matcher> m,
      matcher::Matcher::Create(std::move(index), std::move(model),
                               options.matcher, std::move(directory)));
  engine->matcher = std::move(m);
  engine->source = std::move(source);
  return engine;
}

void LogLoaded(const LoadReport& report) {
  const matcher::RosterCounts& c = report.roster_counts;
  base::Log(base::LogLevel::kInfo, "roster loaded",
            {{"version", report.roster_version},
             {"rows", c.rows},
             {"rejected", report.roster_rows_rejected()},
             {"persons", c.persons},
             {"insurers", c.insurers},
             {"rows_with_wildcards", c.rows_with_wildcards},
             {"load_seconds", report.load_seconds},
             {"index_seconds", report.index_seconds}});
}

}  // namespace

int64_t LoadReport::roster_rows_read() const {
  int64_t n = 0;
  for (const FileReport& f : files) {
    if (f.kind != FileReport::Kind::kDirectory) n += f.rows.rows_read;
  }
  return n;
}

int64_t LoadReport::roster_rows_rejected() const {
  int64_t n = 0;
  for (const FileReport& f : files) {
    if (f.kind != FileReport::Kind::kDirectory) n += f.rows.rows_rejected;
  }
  return n;
}

absl::StatusOr<matcher::Model> ReadModel(const std::string& path) {
  return matcher::ReadModelFile(path);
}

absl::StatusOr<std::shared_ptr<const Engine>> LoadEngine(
    const RosterSource& source, const LoadOptions& options,
    LoadReport* report) {
  LoadReport local;
  if (report == nullptr) report = &local;
  *report = LoadReport();
  absl::StatusOr<std::shared_ptr<const Engine>> engine =
      [&]() -> absl::StatusOr<std::shared_ptr<const Engine>> {
    ASSIGN_OR_RETURN(matcher::Model model, ReadModel(source.model_path));
    ASSIGN_OR_RETURN(auto directory, LoadDirectory(source, options, report));
    absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(auto roster, LoadRoster(source, options, report));
    report->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    report->roster_version = roster->version();
    report->roster_counts = roster->counts();
    start = absl::Now();
    ASSIGN_OR_RETURN(auto index,
                     matcher::RosterIndex::Build(std::move(roster)));
    auto made = MakeEngine(std::move(index), std::move(model),
                           std::move(directory), source, options);
    report->index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    return made;
  }();
  base::ReleaseFreeMemory();
  if (engine.ok()) LogLoaded(*report);
  return engine;
}

absl::StatusOr<std::shared_ptr<const Engine>> ApplyDelta(
    const Engine& current, const std::string& path, base::TextEncoding encoding,
    std::optional<int64_t> max_errors, const LoadOptions& options,
    LoadReport* report) {
  LoadReport local;
  if (report == nullptr) report = &local;
  *report = LoadReport();
  absl::StatusOr<std::shared_ptr<const Engine>> engine =
      [&]() -> absl::StatusOr<std::shared_ptr<const Engine>> {
    io::RosterLoadReport read;
    absl::Time start = absl::Now();
    auto roster = io::ApplyRosterDeltaCsv(
        current.matcher->roster(), path,
        RosterOptions(encoding, max_errors, options), &read);
    FileReport& file = report->files.emplace_back();
    file.kind = FileReport::Kind::kDelta;
    file.path = path;
    file.rows = read;
    file.delta = read.delta;
    RETURN_IF_ERROR(roster.status());
    report->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    report->roster_version = (*roster)->version();
    report->roster_counts = (*roster)->counts();
    start = absl::Now();
    ASSIGN_OR_RETURN(auto index,
                     matcher::RosterIndex::Build(*std::move(roster)));
    RosterSource source = current.source;
    source.delta_paths.push_back(path);
    source.encoding = encoding;
    auto made = MakeEngine(std::move(index), current.matcher->model(),
                           current.directory, std::move(source), options);
    report->index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    return made;
  }();
  base::ReleaseFreeMemory();
  if (engine.ok()) LogLoaded(*report);
  return engine;
}

absl::StatusOr<std::shared_ptr<const Engine>> WithModel(
    const Engine& current, const std::string& model_path,
    const LoadOptions& options) {
  ASSIGN_OR_RETURN(matcher::Model model, ReadModel(model_path));
  RosterSource source = current.source;
  source.model_path = model_path;
  return MakeEngine(current.matcher->index(), std::move(model),
                    current.directory, std::move(source), options);
}

}  // namespace kuromaru::reconcile
