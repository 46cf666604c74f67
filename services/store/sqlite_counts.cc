// Counts for metrics and operators, read from the indexes alone:
// cases_by_state covers the count by state and cases_by_closed the count of
// purgeable cases, so neither reads a case's stored receipt or result.
#include <cstdint>
#include <map>

#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {

absl::StatusOr<std::map<v1::CaseState, int64_t>> SqliteCaseStore::CountCases() {
  std::map<v1::CaseState, int64_t> counts;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    counts.clear();
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT state, COUNT(*) FROM cases "
                                        "GROUP BY state"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      counts[static_cast<v1::CaseState>(s->Int(0))] = s->Int(1);
    }
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return counts;
}

absl::StatusOr<int64_t> SqliteCaseStore::CountPurgeable(
    absl::Time closed_before) {
  int64_t count = 0;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT COUNT(*) FROM cases "
                                        "WHERE closed_us < ?"));
    s->Bind(1, ToMicros(closed_before));
    ASSIGN_OR_RETURN(bool row, s->Step());
    count = row ? s->Int(0) : 0;
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return count;
}

}  // namespace kuromaru::store
