// Retention: how long closed cases are kept, and deleting those past it.
//
//   ASSIGN_OR_RETURN(absl::Duration keep, ParseRetention("180d"));
//   ASSIGN_OR_RETURN(int64_t n, PurgeClosed(*store, keep, absl::Now(), actor,
//                                           /*dry_run=*/false));
//
// A retention is never shorter than kMinRetention, so that a slip of the
// unit (180h for 180d) cannot erase the cases closed today.
#ifndef KUROMARU_SERVICES_STORE_PURGE_H_
#define KUROMARU_SERVICES_STORE_PURGE_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/store/case_store.h"

namespace kuromaru::store {

inline constexpr absl::Duration kMinRetention = absl::Hours(24);

// A positive whole number and a unit: h (hours), d (days), w (weeks), e.g.
// "180d", "26w", "4320h". InvalidArgument for any other text, a number above
// 100000, or a period under kMinRetention.
absl::StatusOr<absl::Duration> ParseRetention(std::string_view text);

// Deletes the closed cases closed before now - older_than through
// CaseStore::Purge (which audits each one), or with dry_run only counts them.
// Returns the number deleted (or that would be). InvalidArgument when
// older_than is under kMinRetention; the store's errors otherwise.
// Thread-safe as the store is.
absl::StatusOr<int64_t> PurgeClosed(CaseRepository& store,
                                    absl::Duration older_than, absl::Time now,
                                    const Actor& actor, bool dry_run);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_PURGE_H_
