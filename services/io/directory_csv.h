// The insurer directory from CSV (FORMATS.md §4), UTF-8 or CP932.
//
//   DirectoryLoadReport report;
//   absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> d =
//       LoadDirectoryCsv("/data/directory.csv", DirectoryLoadOptions(),
//                        &report);
//
// As for the roster (roster_csv.h, both read by base/csv.h): RFC 4180,
// columns matched by header name (unknown ones ignored, missing required
// ones — insurer_number, name — fail the load naming them), a UTF-8 BOM
// tolerated, CP932 decoded with ICU's windows-31j converter. A malformed row
// (bad CSV, undecodable bytes, an insurer number that does not parse or fails
// its 検証番号, a missing name, a number listed twice) is rejected with its
// 1-based line number and a reason that quotes no value; the load fails with
// InvalidArgument once rejected rows exceed the error budget.
#ifndef KUROMARU_SERVICES_IO_DIRECTORY_CSV_H_
#define KUROMARU_SERVICES_IO_DIRECTORY_CSV_H_

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/csv.h"
#include "matcher/insurer_directory.h"
#include "services/io/row_errors.h"

namespace kuromaru::io {

struct DirectoryLoadOptions {
  base::TextEncoding encoding = base::TextEncoding::kUtf8;
  // The load fails when rejected rows exceed the larger of max_errors and
  // max_error_ratio × rows read. Defaults: 100 and 0.01.
  int64_t max_errors = 100;
  double max_error_ratio = 0.01;
  // Errors kept in the report (all are counted). Default: 100.
  size_t max_reported_errors = 100;
};

// Rejected rows with their lines (errors: the first max_reported_errors).
struct DirectoryLoadReport : RowErrors {
  matcher::DirectoryCounts counts;
  std::string version;  // of the resulting directory
};

// Loads a directory file. `report` may be null; it is filled on failure too.
// Returns NotFound when the file cannot be opened.
absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>>
LoadDirectoryCsv(const std::string& path, const DirectoryLoadOptions& options,
                 DirectoryLoadReport* report);
absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>>
ReadDirectoryCsv(std::istream& in, const DirectoryLoadOptions& options,
                 DirectoryLoadReport* report);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_DIRECTORY_CSV_H_
