// A reviewer's search of the roster when no candidate fits: persons whose
// enrollments agree with every field given, and all of each person's
// enrollments (the chain), so that the one valid in the service month can be
// confirmed.
//
//   RosterQuery q{.name_kana = "ﾀｶﾊｼ ｲﾁﾛｳ", .birth_date = "S24.5.1"};
//   ASSIGN_OR_RETURN(RosterSearch found, SearchRoster(*index, q));
//
// Fields are normalized as a receipt's are; a name agrees when it is the same
// after folding in its script (a ● in the roster fits any character); the
// birth date, 番号 and insurer number must be equal. Persons are found
// through the roster index's blocking passes, so a search needs a name or a
// 番号: a birth date or an insurer alone would list a city.
//
// Pure and thread-safe.
#ifndef KUROMARU_MATCHER_ROSTER_SEARCH_H_
#define KUROMARU_MATCHER_ROSTER_SEARCH_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/roster_index.h"

namespace kuromaru::matcher {

struct RosterQuery {
  std::string_view name_kana, name_kanji, birth_date, number, insurer_number;
  // YYYYMM; 0: none. Used to prefer persons insured in that month.
  PackedMonth service_month = 0;
  // Most persons returned. Default: 20.
  int limit = 20;
};

struct RosterSearch {
  // Each found person's enrollments, oldest first, persons one after the
  // other (the ones with an enrollment valid in the month first).
  std::vector<EnrollmentId> enrollments;
  bool truncated = false;  // more persons agreed than `limit`
};

// INVALID_ARGUMENT, naming the field, when no name or 番号 is given, a field
// cannot be normalized, or the limit is not 1..100.
absl::StatusOr<RosterSearch> SearchRoster(const RosterIndex& index,
                                          const RosterQuery& query);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_ROSTER_SEARCH_H_
