// Roster snapshots and deltas from CSV (FORMATS.md §1), UTF-8 or CP932.
//
//   RosterLoadOptions options;
//   options.encoding = base::TextEncoding::kCp932;
//   RosterLoadReport report;
//   absl::StatusOr<std::shared_ptr<const matcher::Roster>> roster =
//       LoadRosterCsv("/data/roster.csv", options, &report);
//
// RFC 4180, read by base/csv.h: quoted fields may hold commas, doubled
// quotes and line breaks; records end in CRLF or LF. Columns are matched by
// header name; unknown ones are ignored, missing required ones fail the load
// naming them. A UTF-8 BOM is tolerated. CP932 is decoded with ICU's
// windows-31j converter: the user-defined area F040–F9FC becomes
// U+E000–U+E757, which name normalization turns into wildcards.
//
// A malformed row (bad CSV, undecodable bytes, a field that fails
// validation) is rejected with its 1-based line number (the line its record
// starts on; the header is line 1) and counted. The load fails with
// InvalidArgument, carrying the first errors, once rejected rows exceed the
// error budget; nothing is dropped silently. The file is read in large
// blocks; no copy of it is kept. Rows are decoded and normalized on every
// core, a few thousand at a time, and added in file order: the roster, its
// version and the report are those of a one-thread load.
#ifndef KUROMARU_SERVICES_IO_ROSTER_CSV_H_
#define KUROMARU_SERVICES_IO_ROSTER_CSV_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/csv.h"
#include "matcher/roster.h"
#include "services/io/row_errors.h"

namespace kuromaru::io {

struct RosterLoadOptions {
  base::TextEncoding encoding = base::TextEncoding::kUtf8;
  // The load fails when rejected rows exceed the larger of max_errors and
  // max_error_ratio × rows read. Defaults: 1000 and 0.001.
  int64_t max_errors = 1000;
  double max_error_ratio = 0.001;
  // Errors kept in the report (all are counted). Default: 100.
  size_t max_reported_errors = 100;
  // Bytes read at a time. Default: 1 MiB.
  size_t block_size = 1 << 20;
  // Threads that decode and normalize rows (the file is read, and rows are
  // added in file order, by the calling thread); 0: one per core.
  int threads = 0;
};

// Rejected rows with their lines (errors: the first max_reported_errors).
struct RosterLoadReport : RowErrors {
  matcher::DeltaStats delta;     // for deltas
  matcher::RosterCounts counts;  // of the resulting roster
  std::string version;           // of the resulting roster
};

// Loads a snapshot. `report` may be null; it is filled on failure too.
absl::StatusOr<std::shared_ptr<const matcher::Roster>> LoadRosterCsv(
    const std::string& path, const RosterLoadOptions& options,
    RosterLoadReport* report);
absl::StatusOr<std::shared_ptr<const matcher::Roster>> ReadRosterCsv(
    std::istream& in, const RosterLoadOptions& options,
    RosterLoadReport* report);

// Applies a delta file (leading `op` column: upsert or delete) to `base`,
// producing a new roster; `base_roster` is unchanged.
absl::StatusOr<std::shared_ptr<const matcher::Roster>> ApplyRosterDeltaCsv(
    const matcher::Roster& base_roster, const std::string& path,
    const RosterLoadOptions& options, RosterLoadReport* report);
absl::StatusOr<std::shared_ptr<const matcher::Roster>> ReadRosterDeltaCsv(
    const matcher::Roster& base_roster, std::istream& in,
    const RosterLoadOptions& options, RosterLoadReport* report);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_ROSTER_CSV_H_
