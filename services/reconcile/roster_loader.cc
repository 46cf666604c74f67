#include "services/reconcile/roster_loader.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/memory.h"
#include "base/status_macros.h"
#include "matcher/roster_index.h"
#include "matcher/xxhash64.h"
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
  out.threads = options.threads;
  return out;
}

// A file's failure, naming the file unless the reader already did.
absl::Status InFile(const absl::Status& status, const std::string& path) {
  if (status.ok() || absl::IsNotFound(status)) return status;
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

// The directory of `source`, or else the one the roster file `info` carries
// (null when neither has one).
absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> LoadDirectory(
    const RosterSource& source, const matcher::RosterFileInfo& info,
    const LoadOptions& options, LoadReport* report) {
  const bool own = !source.directory_path.empty();
  if (!own && info.directory_bytes.empty()) return nullptr;
  io::DirectoryLoadOptions directory_options;
  directory_options.encoding = source.encoding;
  if (!own) {
    ASSIGN_OR_RETURN(directory_options.encoding,
                     base::ParseTextEncoding(info.encoding));
  }
  directory_options.max_reported_errors = options.max_reported_errors;
  io::DirectoryLoadReport read;
  const std::string path =
      own ? source.directory_path
          : absl::StrCat(source.snapshot_path, " (its insurer directory, ",
                         info.directory_path, ")");
  absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> directory;
  if (own) {
    directory = io::LoadDirectoryCsv(path, directory_options, &read);
  } else {
    std::istringstream in(info.directory_bytes);
    directory = io::ReadDirectoryCsv(in, directory_options, &read);
  }
  FileReport& file = report->files.emplace_back();
  file.kind = FileReport::Kind::kDirectory;
  file.path = path;
  file.rows = read;
  RETURN_IF_ERROR(InFile(directory.status(), path));
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

// A delta CSV applied to `roster`, its report added to `report`.
absl::StatusOr<std::shared_ptr<const matcher::Roster>> ApplyDeltaFile(
    const matcher::Roster& roster, const std::string& path,
    const io::RosterLoadOptions& roster_options, LoadReport* report) {
  io::RosterLoadReport read;
  auto next = io::ApplyRosterDeltaCsv(roster, path, roster_options, &read);
  FileReport& delta = report->files.emplace_back();
  delta.kind = FileReport::Kind::kDelta;
  delta.path = path;
  delta.rows = read;
  delta.delta = read.delta;
  RETURN_IF_ERROR(InFile(next.status(), path));
  base::Log(base::LogLevel::kInfo, "roster delta applied",
            {{"inserted", read.delta.inserted},
             {"updated", read.delta.updated},
             {"deleted", read.delta.deleted},
             {"delete_not_found", read.delta.delete_not_found},
             {"rejected", read.rows_rejected}});
  return next;
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
             {"roster_file", report.roster_file},
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

absl::StatusOr<std::string> FileDigest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const std::string bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return absl::StrFormat(
      "%016x-%d", matcher::XxHash64(bytes.data(), bytes.size()), bytes.size());
}

// A roster file another kuromaru version wrote is refused by OpenRosterFile
// (its keys are that version's); when it is intact and the CSV and deltas it
// records are still there with the content it included, they are loaded
// instead, so that an upgrade serves the same roster, slower, until the file
// is built again. Otherwise `refused` stands.
absl::StatusOr<IndexedRoster> FromSources(const RosterSource& source,
                                          const absl::Status& refused,
                                          const LoadOptions& options,
                                          LoadReport* report) {
  absl::StatusOr<matcher::ForeignRosterFile> foreign =
      matcher::ReadRosterFileInfo(source.snapshot_path);
  if (!foreign.ok() ||
      foreign->writer_version == matcher::RosterFileWriterVersion() ||
      foreign->info.source_path.empty() ||
      matcher::LooksLikeRosterFile(foreign->info.source_path)) {
    return refused;
  }
  const matcher::RosterFileInfo& info = foreign->info;
  RosterSource rebuilt = source;
  rebuilt.snapshot_path = info.source_path;
  absl::StatusOr<base::TextEncoding> encoding =
      base::ParseTextEncoding(info.encoding);
  if (!encoding.ok()) return refused;
  rebuilt.encoding = *encoding;
  rebuilt.delta_paths.clear();
  for (const matcher::RosterFileInfo::Delta& d : info.deltas) {
    absl::StatusOr<std::string> digest = FileDigest(d.path);
    if (!digest.ok() || *digest != d.digest) return refused;
    rebuilt.delta_paths.push_back(d.path);
  }
  for (const std::string& path : source.delta_paths) {
    if (std::find(rebuilt.delta_paths.begin(), rebuilt.delta_paths.end(),
                  path) == rebuilt.delta_paths.end()) {
      rebuilt.delta_paths.push_back(path);
    }
  }
  base::Log(base::LogLevel::kWarning,
            "roster file written by another kuromaru version: loading the "
            "files it was built from; rebuild it with `kuromaru roster build`",
            {{"path", source.snapshot_path},
             {"written_by", foreign->writer_version},
             {"source", info.source_path}});
  ASSIGN_OR_RETURN(IndexedRoster out,
                   LoadIndexedRoster(rebuilt, options, report));
  out.info.directory_path = info.directory_path;
  out.info.directory_bytes = info.directory_bytes;
  report->rebuilt_from = source.snapshot_path;
  return out;
}

// Long (about 70 lines): the two kinds of snapshot, then the deltas with
// what a roster file says of each, read top to bottom.
absl::StatusOr<IndexedRoster> LoadIndexedRoster(const RosterSource& source,
                                                const LoadOptions& options,
                                                LoadReport* report) {
  LoadReport local;
  if (report == nullptr) report = &local;
  const io::RosterLoadOptions roster_options =
      RosterOptions(source.encoding, source.max_errors, options);
  absl::Time start = absl::Now();
  IndexedRoster out;
  std::shared_ptr<const matcher::Roster> roster;
  report->files.emplace_back().path = source.snapshot_path;
  if (matcher::LooksLikeRosterFile(source.snapshot_path)) {
    matcher::RosterFileOptions file_options;
    file_options.threads = options.threads;
    absl::StatusOr<matcher::OpenedRosterFile> opened =
        matcher::OpenRosterFile(source.snapshot_path, file_options);
    if (!opened.ok()) {
      report->files.pop_back();
      return FromSources(source, opened.status(), options, report);
    }
    out.index = std::move(opened->index);
    out.info = std::move(opened->info);
    report->roster_file = true;
    report->roster_file_bytes = opened->file_bytes;
    roster = out.index->roster_ptr();
  } else {
    io::RosterLoadReport read;
    auto csv = io::LoadRosterCsv(source.snapshot_path, roster_options, &read);
    report->files.back().rows = read;
    RETURN_IF_ERROR(csv.status());
    roster = *std::move(csv);
    out.info.source_path = source.snapshot_path;
    out.info.encoding = base::TextEncodingName(source.encoding);
  }
  for (const std::string& path : source.delta_paths) {
    ASSIGN_OR_RETURN(std::string digest, FileDigest(path));
    const matcher::RosterFileInfo::Delta* included = nullptr;
    for (const auto& d : out.info.deltas) {
      if (d.path == path) included = &d;
    }
    if (included != nullptr) {
      if (included->digest == digest) continue;  // in the roster file
      return absl::FailedPreconditionError(absl::StrCat(
          "delta ", path, " changed since roster file ", source.snapshot_path,
          " included it (", included->digest, ", now ", digest, ")"));
    }
    ASSIGN_OR_RETURN(roster,
                     ApplyDeltaFile(*roster, path, roster_options, report));
    out.index = nullptr;  // the roster changed
    out.info.deltas.push_back({path, std::move(digest)});
  }
  report->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  report->roster_version = roster->version();
  report->roster_counts = roster->counts();
  if (out.index == nullptr) {
    start = absl::Now();
    matcher::IndexOptions index_options;
    index_options.threads = options.threads;
    ASSIGN_OR_RETURN(out.index, matcher::RosterIndex::Build(std::move(roster),
                                                            index_options));
    report->index_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  }
  base::ReleaseFreeMemory();
  return out;
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
    // The source's own directory is read first, so that one that does not
    // load fails before the roster is read.
    ASSIGN_OR_RETURN(auto directory,
                     LoadDirectory(source, {}, options, report));
    ASSIGN_OR_RETURN(IndexedRoster roster,
                     LoadIndexedRoster(source, options, report));
    if (directory == nullptr) {
      ASSIGN_OR_RETURN(directory,
                       LoadDirectory(source, roster.info, options, report));
    }
    const absl::Time start = absl::Now();
    auto made = MakeEngine(std::move(roster.index), std::move(model),
                           std::move(directory), source, options);
    report->index_seconds += absl::ToDoubleSeconds(absl::Now() - start);
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
    absl::Time start = absl::Now();
    auto roster =
        ApplyDeltaFile(current.matcher->roster(), path,
                       RosterOptions(encoding, max_errors, options), report);
    RETURN_IF_ERROR(roster.status());
    report->load_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    report->roster_version = (*roster)->version();
    report->roster_counts = (*roster)->counts();
    start = absl::Now();
    matcher::IndexOptions index_options;
    index_options.threads = options.threads;
    ASSIGN_OR_RETURN(auto index, matcher::RosterIndex::Build(*std::move(roster),
                                                             index_options));
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
