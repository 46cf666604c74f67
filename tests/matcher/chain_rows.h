// Roster rows of one person's chain of enrollments, shared by the person
// linkage and life-event tests: a 横浜市国保 enrollment with kana, ended at
// the 75th birthday, and the 後期高齢者 enrollment that follows, written
// without kana or space.
#ifndef KUROMARU_TESTS_MATCHER_CHAIN_ROWS_H_
#define KUROMARU_TESTS_MATCHER_CHAIN_ROWS_H_

#include "matcher/roster.h"

namespace kuromaru::matcher::testing {

// A 横浜市国保 member born 1949-05-01: 75 on 2024-05-01.
RosterRow Kokuho();

// The next 後期高齢者 enrollment, from the birthday: the same kanji without
// space, no kana.
RosterRow Kouki();

}  // namespace kuromaru::matcher::testing

#endif  // KUROMARU_TESTS_MATCHER_CHAIN_ROWS_H_
