#include "services/io/row_errors.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kuromaru::io {

void RowErrors::Reject(int64_t line, std::string reason, size_t keep) {
  ++rows_rejected;
  if (errors.size() < keep) errors.push_back({line, std::move(reason)});
}

absl::Status CheckErrorBudget(const RowErrors& rows, int64_t max_errors,
                              double max_error_ratio) {
  const auto by_ratio = static_cast<int64_t>(
      max_error_ratio * static_cast<double>(rows.rows_read));
  const int64_t budget = std::max(max_errors, by_ratio);
  if (rows.rows_rejected <= budget) return absl::OkStatus();
  std::vector<std::string> first;
  for (size_t i = 0; i < rows.errors.size() && i < 5; ++i) {
    first.push_back(absl::StrCat("line ", rows.errors[i].line, ": ",
                                 rows.errors[i].reason));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(rows.rows_rejected, " of ", rows.rows_read,
                   " rows rejected, more than the error budget of ", budget,
                   "; first: ", absl::StrJoin(first, "; ")));
}

}  // namespace kuromaru::io
