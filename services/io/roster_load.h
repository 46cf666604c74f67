// A roster ready to serve — its index — from a roster file (`kuromaru roster
// build`) or a snapshot CSV, with delta CSVs on top: what every command and
// the server load.
//
//   RosterLoadOptions options;
//   LoadedRoster r;
//   RETURN_IF_ERROR(LoadRoster("/data/roster.snap", {"/data/d1.csv"},
//                              options, &r));
//   r.index->Candidates(…);
//
// A roster file is recognised by its first bytes, whatever its name, and
// opened by mapping it (matcher/roster_file.h; a truncated, corrupted, foreign
// or other-version file is refused). It records the deltas it includes, with
// a digest of each: a delta named again is skipped when its content is the
// one included, refused when it changed. Other deltas are applied in order, in
// memory; the file is not rewritten (`kuromaru roster build --roster FILE
// --deltas …` writes a new one). A CSV is loaded, linked and indexed on every
// core.
#ifndef KUROMARU_SERVICES_IO_ROSTER_LOAD_H_
#define KUROMARU_SERVICES_IO_ROSTER_LOAD_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/roster_file.h"
#include "matcher/roster_index.h"
#include "services/io/roster_csv.h"

namespace kuromaru::io {

struct LoadedRoster {
  std::shared_ptr<const matcher::RosterIndex> index;
  // The snapshot CSV's report (empty for a roster file), then each delta's.
  RosterLoadReport report;
  std::vector<std::pair<std::string, RosterLoadReport>> delta_reports;
  // What a roster file records (the deltas it includes, its insurer
  // directory), updated with the deltas applied here; for a CSV, its path,
  // encoding and the deltas.
  matcher::RosterFileInfo info;
  bool from_file = false;
  uint64_t file_bytes = 0;
  double load_seconds = 0;   // reading, or opening the file, and deltas
  double index_seconds = 0;  // indexing (0 for a roster file)
};

// "<16 hex digits of XXH64>-<bytes>" of the file at `path`.
absl::StatusOr<std::string> FileDigest(const std::string& path);

// Loads `path` (a roster file or a snapshot CSV in options.encoding) and
// applies `delta_paths` into `out`. Rejected rows are in out's reports, also
// when the load fails: past a file's error budget, or when a delta fails.
absl::Status LoadRoster(const std::string& path,
                        const std::vector<std::string>& delta_paths,
                        const RosterLoadOptions& options, LoadedRoster* out);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_ROSTER_LOAD_H_
