#include "matcher/person_linkage.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>

#include "base/parallel.h"
#include "matcher/name_relation.h"
#include "matcher/roster.h"
#include "normalizer/utf8.h"

namespace kuromaru::matcher {
namespace {

constexpr int kNoLink = INT_MIN;

// A bucket larger than this (a very common name on one birth date, an address
// shared by a whole facility) is not paired: it says too little, and would
// cost a quadratic number of comparisons.
constexpr size_t kMaxBucket = 48;

// Bits for one script's name relation among pairs of the same birth date and
// sex. kSame: two different persons who share birth date and sex share a full
// name about once in 10^4 (more in kana, less in kanji); nearly every pair of
// one person's enrollments does. kWildcard: a ● fits any character, so it is
// weaker. kNear: a typo or a substitution the variant table lacks, but far
// more often two persons (siblings, 一郎 / 一男), so it counts only beside a
// script that agrees. kSurnameChanged: given name kept, surname changed
// (marriage): a few percent of one person's links, and about one pair in 500
// of two persons of the same birth date and sex (a popular given name), a
// ratio near 2^4 that the two scripts share (they record one event), so 3
// each; the link still needs the chain's adjacency or household. kDifferent:
// an insurer rarely miswrites a whole name.
int NameBits(NameRelation relation) {
  switch (relation) {
    case NameRelation::kSame:
      return 12;
    case NameRelation::kWildcard:
      return 8;
    case NameRelation::kNear:
      return 2;
    case NameRelation::kSurnameChanged:
      return 3;
    case NameRelation::kDifferent:
      return -12;
    case NameRelation::kMaybeSurnameChanged:
    case NameRelation::kUnknown:
      return 0;
  }
  return 0;
}

// One key kind per blocking pass; each key also holds the birth date and sex.
enum KeyKind : uint64_t {
  kKana = 1,
  kKanji,
  kKanaGiven,
  kKanjiGiven,
  kKanjiSurname,
  kHousehold,
  kAddressKey,
  kWeek,
};

uint64_t PersonKey(KeyKind kind, std::string_view text, const PersonView& v) {
  return HashMix(HashMix(HashBytes(text, kind), v.birth_date),
                 static_cast<uint64_t>(v.sex));
}

size_t Letters(std::string_view text) {
  return normalizer::CodePointCount(text);
}

// Appends the keys of one enrollment for `kind`.
template <typename Add>
void KeysOf(KeyKind kind, const PersonView& v, PackedDate from,
            PackedDate until, Add add) {
  const bool kanji = !v.kanji_key.empty() && !KanjiKeyIsKana(v.kanji_key);
  switch (kind) {
    case kKana:
      if (!v.kana_loose_key.empty()) add(PersonKey(kind, v.kana_loose_key, v));
      break;
    case kKanji:
      if (kanji) add(PersonKey(kind, v.kanji_loose_key, v));
      break;
    case kKanaGiven: {
      const std::string_view given = GivenPart(v.kana_key, v.kana_surname);
      if (Letters(given) >= 2) add(PersonKey(kind, given, v));
      break;
    }
    case kKanjiGiven: {
      const std::string_view given = GivenPart(v.kanji_key, v.kanji_surname);
      if (kanji && !given.empty()) add(PersonKey(kind, given, v));
      break;
    }
    case kKanjiSurname:
      if (kanji && !v.kanji_surname.empty()) {
        add(PersonKey(kind, v.kanji_surname, v));
      }
      break;
    case kHousehold:
      if (!v.member_key.empty()) {
        add(HashMix(PersonKey(kind, WithoutBranch(v.member_key), v),
                    HashBytes(v.insurer_number)));
      }
      break;
    case kAddressKey:
      if (!v.address_key.empty()) add(PersonKey(kind, v.address_key, v));
      break;
    case kWeek: {
      // An enrollment's end meets its successor's start: both fall in the
      // same week, or the start's ±3 days do.
      auto week = [&](int64_t day) {
        add(HashMix(PersonKey(kind, {}, v), static_cast<uint64_t>(day / 7)));
      };
      if (until != 0) week(DayNumber(until));
      const int64_t start = DayNumber(from);
      week(start - 3);
      if ((start + 3) / 7 != (start - 3) / 7) week(start + 3);
      break;
    }
  }
}

constexpr KeyKind kKinds[] = {kKana,       kKanji,        kKanaGiven,
                              kKanjiGiven, kKanjiSurname, kHousehold,
                              kAddressKey, kWeek};

// Candidate pairs among `sides` (one partition), as (lower index << 32 |
// higher index), sorted and unique.
std::vector<uint64_t> CandidatePairs(std::span<const LinkSide> sides) {
  std::vector<uint64_t> pairs;
  std::vector<std::pair<uint64_t, uint32_t>> keys;
  for (KeyKind kind : kKinds) {
    keys.clear();
    for (uint32_t i = 0; i < sides.size(); ++i) {
      KeysOf(kind, sides[i].view, sides[i].from, sides[i].until,
             [&](uint64_t key) { keys.emplace_back(key, i); });
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (size_t i = 0; i < keys.size();) {
      size_t j = i + 1;
      while (j < keys.size() && keys[j].first == keys[i].first) ++j;
      if (j - i <= kMaxBucket) {
        for (size_t a = i; a < j; ++a) {
          for (size_t b = a + 1; b < j; ++b) {
            pairs.push_back(uint64_t{keys[a].second} << 32 | keys[b].second);
          }
        }
      }
      i = j;
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

LinkSide SideOf(const Roster& roster, EnrollmentId id) {
  const EnrollmentRecord& r = roster.record(id);
  return {roster.View(id), r.qualified_from, r.qualified_until};
}

// Union–find over enrollments; each root keeps its members as a linked list
// so that a merge can be checked against every pair it would join.
class Groups {
 public:
  explicit Groups(size_t n) : parent_(n), next_(n, kEnd), tail_(n) {
    for (uint32_t i = 0; i < n; ++i) parent_[i] = tail_[i] = i;
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  template <typename F>
  bool AllPairs(uint32_t ra, uint32_t rb, F ok) const {
    for (uint32_t x = ra; x != kEnd; x = next_[x]) {
      for (uint32_t y = rb; y != kEnd; y = next_[y]) {
        if (!ok(x, y)) return false;
      }
    }
    return true;
  }
  void Union(uint32_t ra, uint32_t rb) {
    if (rb < ra) std::swap(ra, rb);  // the lower id stays the root
    parent_[rb] = ra;
    next_[tail_[ra]] = rb;
    tail_[ra] = tail_[rb];
  }

 private:
  static constexpr uint32_t kEnd = 0xFFFFFFFFu;
  std::vector<uint32_t> parent_, next_, tail_;
};

}  // namespace

int64_t DayNumber(PackedDate date) {
  // days_from_civil (H. Hinnant), valid for the proleptic Gregorian calendar.
  int64_t y = date / 10000;
  const int64_t m = date / 100 % 100;
  const int64_t d = date % 100;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int OverlapDays(PackedDate a_from, PackedDate a_until, PackedDate b_from,
                PackedDate b_until) {
  constexpr int64_t kOpen = INT32_MAX;
  const int64_t a_end = a_until == 0 ? kOpen : DayNumber(a_until);
  const int64_t b_end = b_until == 0 ? kOpen : DayNumber(b_until);
  const int64_t start = std::max(DayNumber(a_from), DayNumber(b_from));
  const int64_t end = std::min(a_end, b_end);
  return static_cast<int>(std::clamp<int64_t>(end - start, -kOpen, kOpen));
}

bool AtSeventyFifthBirthday(PackedDate birth, PackedDate date) {
  if (birth == 0 || date == 0) return false;
  // Born on 29 February: DayNumber reads 29 February of a common year as
  // 1 March, the day the age is reached.
  return std::abs(DayNumber(date) - DayNumber(birth + 750000)) <= 7;
}

int LinkScore(const LinkSide& a, const LinkSide& b) {
  if (a.view.birth_date != b.view.birth_date || a.view.sex != b.view.sex) {
    return kNoLink;
  }
  const int overlap = OverlapDays(a.from, a.until, b.from, b.until);
  if (overlap > kLinkOverlapDays) return kNoLink;
  const NameRelation kana_alone = KanaRelation(a.view, b.view);
  const NameRelation kanji_alone = KanjiRelation(a.view, b.view);
  const NameRelation kana = Confirm(kana_alone, kanji_alone);
  const NameRelation kanji = Confirm(kanji_alone, kana_alone);
  const bool agrees = kana == NameRelation::kSame ||
                      kanji == NameRelation::kSame ||
                      kanji == NameRelation::kWildcard;
  auto disagrees = [](NameRelation r) {
    return r == NameRelation::kDifferent || r == NameRelation::kNear;
  };
  if (!agrees && (disagrees(kana) || disagrees(kanji))) return kNoLink;
  int score = NameBits(kana) + NameBits(kanji);
  // One enrollment ends the day (or within days of when) the other begins:
  // for one person's chain the rule, between two persons of the same birth
  // date and sex a coincidence of a few in a thousand (a week in ten years).
  // Gaps of weeks or months happen to one person too, but then say little.
  // (Overlaps beyond kLinkOverlapDays were refused above.) Not on the 75th
  // birthday: every person of that birth date leaves their insurer for the
  // 後期高齢者医療 one that day, so two of them meeting then is no sign.
  const int gap = -overlap;
  if (AtSeventyFifthBirthday(a.view.birth_date, std::max(a.from, b.from))) {
    // no evidence from the timing
  } else if (gap <= 7) {
    score += 7;
  } else if (gap <= 31) {
    score += 3;
  } else if (gap <= 92) {
    score += 1;
  }
  // The same address (house number included) with the same birth date and sex
  // is one person or a twin; a twin's given name differs (a name veto above).
  // Two persons of one birth date and sex share a postal code about once in
  // 10^4 and a municipality about once in 10^2; one person keeps them at most
  // links. People move, so a different address weighs nothing.
  const PersonView& x = a.view;
  const PersonView& y = b.view;
  if (!x.address_key.empty() && x.address_key == y.address_key) {
    score += 10;
  } else if (!x.postal_code.empty() && x.postal_code == y.postal_code) {
    score += 7;
  } else if (!x.municipality.empty() && x.municipality == y.municipality) {
    score += 4;
  }
  // The same insurer and 記号・番号: the same card family (the insured person
  // or a dependant), re-issued at a change of name or 枝番.
  if (!x.member_key.empty() && x.insurer_number == y.insurer_number &&
      WithoutBranch(x.member_key) == WithoutBranch(y.member_key)) {
    score += 6;
  }
  return score;
}

namespace {

// Rows of one birth date and sex never link to another's (every blocking key
// and LinkScore require both equal), so the roster is cut into partitions by
// them, linked independently and in parallel: the same links as one pass over
// the whole roster, in the same order within each partition.
uint64_t PartitionOf(const EnrollmentRecord& r, uint64_t partitions) {
  return HashMix(r.birth_date, static_cast<uint64_t>(r.sex)) % partitions;
}

// Links the rows of one partition (ascending ids); writes each row's root —
// the lowest id of its person — to `root`. Returns the links made. Works on
// indices into `rows`, which keep the order of ids: pairs sort, and roots
// fall, as they would over the whole roster.
int64_t LinkPartition(const Roster& roster, std::span<const uint32_t> rows,
                      std::vector<uint32_t>& root) {
  std::vector<LinkSide> sides;
  sides.reserve(rows.size());
  for (uint32_t id : rows) sides.push_back(SideOf(roster, EnrollmentId(id)));
  const std::vector<uint64_t> pairs = CandidatePairs(sides);
  auto first = [](uint64_t pair) { return static_cast<uint32_t>(pair >> 32); };
  auto second = [](uint64_t pair) {
    return static_cast<uint32_t>(pair & 0xFFFFFFFFu);
  };
  std::vector<std::pair<int, uint64_t>> scored;
  for (uint64_t pair : pairs) {
    const int score = LinkScore(sides[first(pair)], sides[second(pair)]);
    if (score >= kLinkThreshold) scored.emplace_back(-score, pair);
  }
  std::sort(scored.begin(), scored.end());  // strongest first, then by id

  int64_t links = 0;
  Groups groups(rows.size());
  for (const auto& [negative_score, pair] : scored) {
    const uint32_t ra = groups.Find(first(pair));
    const uint32_t rb = groups.Find(second(pair));
    if (ra == rb) continue;
    // Every enrollment of the merged person must be compatible with every
    // other: no overlap, no name that disagrees.
    const bool compatible =
        groups.AllPairs(ra, rb, [&](uint32_t x, uint32_t y) {
          return LinkScore(sides[x], sides[y]) != kNoLink;
        });
    if (!compatible) continue;
    groups.Union(ra, rb);
    ++links;
  }
  for (uint32_t i = 0; i < rows.size(); ++i) {
    root[rows[i]] = rows[groups.Find(i)];
  }
  return links;
}

}  // namespace

PersonLinks LinkPersons(const Roster& roster, const LinkOptions& options) {
  const size_t n = roster.size();
  const uint64_t partitions = std::max<uint64_t>(
      1, n / std::max<size_t>(1, options.rows_per_partition));
  // Rows by partition, in id order within each.
  std::vector<uint32_t> start(partitions + 1, 0);
  for (uint32_t id = 0; id < n; ++id) {
    ++start[PartitionOf(roster.record(EnrollmentId(id)), partitions) + 1];
  }
  for (uint64_t q = 0; q < partitions; ++q) start[q + 1] += start[q];
  std::vector<uint32_t> rows(n);
  {
    std::vector<uint32_t> fill(start.begin(), start.end() - 1);
    for (uint32_t id = 0; id < n; ++id) {
      rows[fill[PartitionOf(roster.record(EnrollmentId(id)), partitions)]++] =
          id;
    }
  }
  PersonLinks links;
  links.person_of.assign(n, 0);
  std::atomic<int64_t> made{0};
  base::ParallelFor(partitions, options.threads, [&](size_t q) {
    made += LinkPartition(roster,
                          std::span<const uint32_t>(rows).subspan(
                              start[q], start[q + 1] - start[q]),
                          links.person_of);
  });
  links.links = made.load();
  // Persons numbered by their lowest enrollment id: a root comes before the
  // rest of its person.
  std::vector<uint32_t>& person = links.person_of;
  for (uint32_t id = 0; id < n; ++id) {
    person[id] = person[id] == id ? links.persons++ : person[person[id]];
  }
  return links;
}

}  // namespace kuromaru::matcher
