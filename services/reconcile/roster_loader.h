// Loading the engine in service from files: the one roster-loading pipeline,
// used by the server (at start and by RosterService) and by every command
// that matches.
//
//   LoadReport report;
//   absl::StatusOr<std::shared_ptr<const Engine>> engine =
//       LoadEngine(source, LoadOptions(), &report);
//   for (const FileReport& file : report.files)
//     for (const io::RowError& e : file.rows.errors) ... e.line, e.reason
//
// A load reads the model (ReadModel), the insurer directory, the roster
// snapshot and its deltas in order, then indexes the roster. The snapshot is
// a CSV, loaded on every core, or a roster file (`kuromaru roster build`,
// matcher/roster_file.h), recognised by its first bytes and opened by
// mapping it, index included: a truncated, corrupted, foreign or
// other-version file is refused (FAILED_PRECONDITION), never served. A roster
// file records the deltas it includes with a digest of each: a delta named
// again is skipped when its content is the one included, refused when it
// changed; other deltas are applied in memory and the roster indexed again
// (the file is not rewritten). Without a directory of its own, the source
// uses the one a roster file carries. A roster file written by another
// kuromaru version is refused, unless the CSV and deltas it records are still
// there unchanged: they are loaded instead (a warning says to rebuild the
// file), so that a server upgraded before its roster file keeps serving.
// Rejected rows are kept per file with their line numbers and reasons (never
// their contents); a file that rejects more rows than its error budget fails
// the load, and so does a file that cannot be read (NOT_FOUND naming it). Every
// load is logged (counts and durations, no personal data), and the memory
// it freed is handed back to the system.
//
// Thread-safe: loads share nothing; the engine a load returns is immutable.
#ifndef KUROMARU_SERVICES_RECONCILE_ROSTER_LOADER_H_
#define KUROMARU_SERVICES_RECONCILE_ROSTER_LOADER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/matcher.h"
#include "matcher/model.h"
#include "matcher/roster_file.h"
#include "matcher/roster_index.h"
#include "services/io/row_errors.h"
#include "services/reconcile/engine.h"

namespace kuromaru::reconcile {

struct LoadOptions {
  matcher::MatcherOptions matcher;
  // Rejected rows kept per file (all are counted). Default: 100.
  size_t max_reported_errors = 100;
  // Threads that normalize, link and index a CSV, or verify a roster file;
  // 0: one per core.
  int threads = 0;
};

// One file a load read.
struct FileReport {
  enum class Kind { kSnapshot, kDelta, kDirectory };
  Kind kind = Kind::kSnapshot;
  std::string path;
  io::RowErrors rows;
  matcher::DeltaStats delta;  // kDelta only
};

struct LoadReport {
  std::vector<FileReport> files;  // in the order read; filled on failure too
  std::string roster_version;
  matcher::RosterCounts roster_counts;
  std::string directory_version;  // empty without a directory
  matcher::DirectoryCounts directory_counts;
  double load_seconds = 0;   // reading and normalizing, or opening, the roster
  double index_seconds = 0;  // indexing the roster (0 for a roster file alone)
  // The snapshot was a roster file, of this many bytes.
  bool roster_file = false;
  uint64_t roster_file_bytes = 0;
  // A roster file another kuromaru version wrote, whose source CSV and
  // deltas were loaded instead (empty otherwise).
  std::string rebuilt_from;

  // Over the roster snapshot and its deltas (the directory apart).
  int64_t roster_rows_read() const;
  int64_t roster_rows_rejected() const;
};

// The model file at `path`, or the built-in model for "". NOT_FOUND when the
// file cannot be read; INVALID_ARGUMENT (naming the file) when it does not
// parse.
absl::StatusOr<matcher::Model> ReadModel(const std::string& path);

// A roster with its index, and what a roster file would record of it: the
// file's own record with the deltas applied here added, or for a CSV its
// path, encoding and deltas.
struct IndexedRoster {
  std::shared_ptr<const matcher::RosterIndex> index;
  matcher::RosterFileInfo info;
};

// The roster of `source` (snapshot and deltas; not the model), indexed.
// `report` may be null.
absl::StatusOr<IndexedRoster> LoadIndexedRoster(const RosterSource& source,
                                                const LoadOptions& options,
                                                LoadReport* report);

// "<16 hex digits of XXH64>-<bytes>" of the file at `path`: how a roster
// file tells a delta it includes from a changed one.
absl::StatusOr<std::string> FileDigest(const std::string& path);

// Loads `source` whole. `report` may be null.
absl::StatusOr<std::shared_ptr<const Engine>> LoadEngine(
    const RosterSource& source, const LoadOptions& options, LoadReport* report);

// `current` with the delta file at `path` applied (its source then lists the
// delta, and `encoding` and `max_errors` as given); the model and directory
// stay. `report` may be null.
absl::StatusOr<std::shared_ptr<const Engine>> ApplyDelta(
    const Engine& current, const std::string& path, base::TextEncoding encoding,
    std::optional<int64_t> max_errors, const LoadOptions& options,
    LoadReport* report);

// `current` with the model file at `model_path` (the roster's index and the
// directory are shared, not rebuilt).
absl::StatusOr<std::shared_ptr<const Engine>> WithModel(
    const Engine& current, const std::string& model_path,
    const LoadOptions& options);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_ROSTER_LOADER_H_
