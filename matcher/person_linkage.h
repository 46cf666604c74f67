// Person identity across the enrollment history: which enrollments of a roster
// are one insured person.
//
//   PersonLinks links = LinkPersons(roster);   // at roster build
//   PersonId p = links.person_of[enrollment];
//
// A person's enrollments form a chain: one ends (資格喪失日) about the day the
// next begins (資格取得日), under the same birth date and sex, with a name
// that agrees in whichever script each insurer kept, often the same address
// or household (記号・番号 with another 枝番). Insurers write names their own
// way — kana blank, katakana in the kanji column, no space, a variant kanji or
// the national system's ● — and a marriage changes the surname at a link. So
// enrollments are not grouped by one key: pairs are found through several
// blocking keys (each with the birth date and sex), each pair is weighed by
// its evidence (LinkScore), and pairs are merged strongest first into
// persons, never merging two enrollments that overlap in time (a person holds
// one enrollment at a time; overlapping ones are namesakes or twins).
//
// The weights are approximate log2 likelihood ratios among enrollment pairs
// that already share birth date and sex (see LinkScore in the .cc for each
// one's reason); a pair is linked from kLinkThreshold up.
//
// Pure: reads the roster's records and views only. Deterministic: the same
// records in any order give the same grouping (persons are numbered by their
// lowest enrollment id). Enrollments of one birth date and sex are linked
// apart from the others, in parallel.
#ifndef KUROMARU_MATCHER_PERSON_LINKAGE_H_
#define KUROMARU_MATCHER_PERSON_LINKAGE_H_

#include <cstdint>
#include <vector>

#include "matcher/person.h"

namespace kuromaru::matcher {

class Roster;

// Days of overlap two enrollments of one person may show (a 喪失日 recorded a
// few days late): more than this and they are two persons.
inline constexpr int kLinkOverlapDays = 7;
inline constexpr int kLinkThreshold = 12;

struct PersonLinks {
  std::vector<uint32_t> person_of;  // by enrollment id
  uint32_t persons = 0;
  int64_t links = 0;  // pairs merged
};

struct LinkOptions {
  // Threads; 0: one per core.
  int threads = 0;
  // Enrollments per partition, about (partitions are cut by birth date and
  // sex, so any size gives the same links). Default: 32,768.
  size_t rows_per_partition = size_t{1} << 15;
};

// Groups every enrollment of `roster` (its records and View(); person fields
// are not read) into persons.
PersonLinks LinkPersons(const Roster& roster,
                        const LinkOptions& options = LinkOptions());

// The evidence that two enrollments of the same birth date and sex are one
// person, in approximate bits; INT32_MIN when they cannot be (a name that
// disagrees in a script both kept, or periods that overlap). `a` and `b` are
// the enrollments' views and periods ([from, until), until 0 while current).
struct LinkSide {
  PersonView view;
  PackedDate from = 0;
  PackedDate until = 0;
};
int LinkScore(const LinkSide& a, const LinkSide& b);

// Days of [from, until) shared by two periods (until 0: open); negative for
// the gap between them.
int OverlapDays(PackedDate a_from, PackedDate a_until, PackedDate b_from,
                PackedDate b_until);

// Day number of a packed date (days since 1970-01-01, proleptic Gregorian).
int64_t DayNumber(PackedDate date);

// Whether `date` is within a week of the 75th birthday of a person born on
// `birth`, when everyone born that day moves to the 後期高齢者医療 insurer: an
// enrollment that begins then continues one of them, not one in particular.
bool AtSeventyFifthBirthday(PackedDate birth, PackedDate date);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_PERSON_LINKAGE_H_
