// Rejected rows of a roster or directory file, and the error budget that
// decides when there are too many to load the file at all.
#ifndef KUROMARU_SERVICES_IO_ROW_ERRORS_H_
#define KUROMARU_SERVICES_IO_ROW_ERRORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace kuromaru::io {

struct RowError {
  int64_t line = 0;
  std::string reason;  // no field values: they may be personal data
};

// The rows of one file that were rejected, and how many were read.
struct RowErrors {
  int64_t rows_read = 0;  // data records, rejected ones included
  int64_t rows_rejected = 0;
  std::vector<RowError> errors;  // the first `keep` given to Reject

  // Counts a rejected row, keeping its reason while fewer than `keep` are.
  void Reject(int64_t line, std::string reason, size_t keep);
};

// OK while rejected rows are at most the larger of `max_errors` and
// `max_error_ratio` × rows read; else InvalidArgument with the counts and the
// first five reasons.
absl::Status CheckErrorBudget(const RowErrors& rows, int64_t max_errors,
                              double max_error_ratio);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_ROW_ERRORS_H_
