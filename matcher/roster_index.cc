#include "matcher/roster_index.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

#include "base/parallel.h"
#include "base/status_macros.h"
#include "matcher/person_linkage.h"
#include "normalizer/date.h"
#include "normalizer/insurer.h"
#include "normalizer/name_kanji.h"
#include "normalizer/utf8.h"

namespace kuromaru::matcher {
namespace {

namespace nz = ::kuromaru::normalizer;

// One seed per kind of key, so that equal text under two passes differs.
enum KeySeed : uint64_t {
  kSeedKana = 11,
  kSeedKanaSurname,
  kSeedKanjiMasked,
  kSeedKanaInitial,
  kSeedKanjiInitial,
  kSeedKanji,
  kSeedMemberNumber,
  kSeedInsurerMember,
  kSeedPostal,
  kSeedMunicipality,
  kSeedKanjiFinal,
};

uint64_t TextKey(KeySeed seed, std::string_view text) {
  return HashBytes(text, seed);
}
uint64_t TextDateKey(KeySeed seed, std::string_view text, PackedDate date) {
  return HashMix(HashBytes(text, seed), date);
}

// The bytes of the first code point of valid UTF-8 `text`.
std::string_view FirstLetter(std::string_view text) {
  if (text.empty()) return text;
  const auto lead = static_cast<unsigned char>(text[0]);
  size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return text.substr(0, std::min(n, text.size()));
}

// The bytes of the last code point of valid UTF-8 `text`.
std::string_view LastLetter(std::string_view text) {
  size_t i = text.size();
  while (i > 0 && (static_cast<unsigned char>(text[i - 1]) & 0xC0) == 0x80) --i;
  return i == 0 ? text : text.substr(i - 1);
}

bool IsSentinelNumber(std::string_view number) {
  return number == "777777777" || number == "77777777";
}

// Bytes of the UTF-8 sequence led by `lead`.
size_t SequenceBytes(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// The key with each code point in turn replaced by ●; names of at least three
// code points only (shorter ones would match half the roster). `f` gets a view
// valid for the call.
template <typename F>
void ForEachMasked(std::string_view key, F f) {
  constexpr std::string_view kWildcard = "●";
  size_t letters = 0;
  for (size_t i = 0; i < key.size();
       i += SequenceBytes(static_cast<unsigned char>(key[i]))) {
    ++letters;
  }
  if (letters < 3) return;
  std::string masked;
  masked.reserve(key.size() + kWildcard.size());
  for (size_t i = 0; i < key.size();) {
    const size_t n = std::min(SequenceBytes(static_cast<unsigned char>(key[i])),
                              key.size() - i);
    if (key.substr(i, n) != kWildcard) {
      masked.assign(key.substr(0, i));
      masked.append(kWildcard);
      masked.append(key.substr(i + n));
      f(std::string_view(masked));
    }
    i += n;
  }
}

PackedDate Pack(const nz::Date& d) {
  return static_cast<PackedDate>(d.year * 10000 + d.month * 100 + d.day);
}

}  // namespace

const char* BlockingPassName(uint32_t pass) {
  switch (pass) {
    case kKanaName:
      return "kana_name";
    case kKanaSurnameBirth:
      return "kana_surname_birth";
    case kBirthInitial:
      return "birth_initial";
    case kKanjiName:
      return "kanji_name";
    case kMemberNumber:
      return "member_number";
    case kInsurerMember:
      return "insurer_member";
    case kAddress:
      return "address";
    default:
      return "unknown";
  }
}

RosterIndex::RosterIndex(std::shared_ptr<const Roster> roster)
    : roster_(std::move(roster)) {}

namespace {

// The index keys of one enrollment; `add` may see a key twice.
template <typename Add>
void KeysOf(const PersonView& v, Add add) {
  if (!v.kana_loose_key.empty()) {
    add(TextKey(kSeedKana, v.kana_loose_key));
    add(TextDateKey(kSeedKanaInitial, FirstLetter(v.kana_loose_key),
                    v.birth_date));
  }
  if (!v.kana_surname.empty()) {
    add(TextDateKey(kSeedKanaSurname, v.kana_surname, v.birth_date));
  }
  if (!v.kanji_loose_key.empty()) {
    add(TextKey(kSeedKanji, v.kanji_loose_key));
    add(TextDateKey(kSeedKanjiInitial, FirstLetter(v.kanji_loose_key),
                    v.birth_date));
    add(TextDateKey(kSeedKanjiFinal, LastLetter(v.kanji_loose_key),
                    v.birth_date));
    // One character masked, with the birth date: a name differing in one place
    // (a ● on the receipt, a variant the table lacks) is found, without every
    // 佐藤●郎 of the roster.
    if (v.wildcard_count == 0) {
      ForEachMasked(v.kanji_loose_key, [&](std::string_view masked) {
        add(TextDateKey(kSeedKanjiMasked, masked, v.birth_date));
      });
    }
  }
  // 番号 are short and repeat across insurers; with the birth date they
  // identify.
  if (!v.member_number.empty()) {
    add(TextDateKey(kSeedMemberNumber, v.member_number, v.birth_date));
  }
  add(HashBytes(WithoutBranch(v.member_key),
                TextKey(kSeedInsurerMember, v.insurer_number)));
  if (!v.postal_code.empty()) {
    add(TextDateKey(kSeedPostal, v.postal_code, v.birth_date));
  }
  if (!v.municipality.empty()) {
    add(TextDateKey(kSeedMunicipality, v.municipality, v.birth_date));
  }
}

// The keys of one person, each once with the person's lowest enrollment under
// it, in `out` (reused).
void PersonKeys(const Roster& roster, PersonId person,
                std::vector<std::pair<uint64_t, EnrollmentId>>* out) {
  out->clear();
  for (EnrollmentId id : roster.Enrollments(person)) {
    KeysOf(roster.View(id), [&](uint64_t key) { out->emplace_back(key, id); });
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end(),
                         [](const auto& a, const auto& b) {
                           return a.first == b.first;
                         }),
             out->end());
}

constexpr uint64_t kEntryBits = 40;
// Persons per build task, and buckets per sorting task.
constexpr uint32_t kPersonsPerTask = 1 << 13;
constexpr size_t kBucketsPerTask = 1 << 16;
// The directory aims at 16 to 32 entries a bucket (a few cache lines), against
// an estimate of 10 keys per enrollment.
constexpr size_t kEntriesPerBucket = 16;
constexpr size_t kKeysPerEnrollment = 10;

}  // namespace

absl::StatusOr<std::shared_ptr<const RosterIndex>> RosterIndex::Build(
    std::shared_ptr<const Roster> roster, const IndexOptions& options) {
  if (roster == nullptr) return absl::InvalidArgumentError("null roster");
  std::shared_ptr<RosterIndex> index(new RosterIndex(std::move(roster)));
  const size_t n = index->roster_->size();
  index->id_bits_ = std::max(1, static_cast<int>(std::bit_width(n)));
  const size_t estimate = std::max<size_t>(n * kKeysPerEnrollment, 1);
  index->directory_bits_ = std::clamp(
      static_cast<int>(std::bit_width(estimate / kEntriesPerBucket)) - 1, 1,
      31);
  RETURN_IF_ERROR(index->Fill(options.threads));
  return std::shared_ptr<const RosterIndex>(std::move(index));
}

// Counts the entries of each bucket, lays the buckets out, writes every entry
// into its bucket, then sorts each bucket: the entries array is allocated once,
// at its final size.
absl::Status RosterIndex::Fill(int threads) {
  const Roster& roster = *roster_;
  const size_t buckets = size_t{1} << directory_bits_;
  const uint32_t persons = static_cast<uint32_t>(roster.person_count());
  const size_t tasks = (persons + kPersonsPerTask - 1) / kPersonsPerTask;
  const int shift = 64 - directory_bits_;
  const int fp_bits = static_cast<int>(kEntryBits) - id_bits_;
  std::unique_ptr<std::atomic<uint32_t>[]> cursor(
      new std::atomic<uint32_t>[buckets]());
  auto each_key = [&](size_t task, auto&& f) {
    std::vector<std::pair<uint64_t, EnrollmentId>> keys;
    const uint32_t end = static_cast<uint32_t>(
        std::min<size_t>(persons, (task + 1) * kPersonsPerTask));
    for (uint32_t p = static_cast<uint32_t>(task * kPersonsPerTask); p < end;
         ++p) {
      PersonKeys(roster, PersonId(p), &keys);
      for (const auto& [key, id] : keys) f(key, id);
    }
  };
  base::ParallelFor(tasks, threads, [&](size_t task) {
    each_key(task, [&](uint64_t key, EnrollmentId) {
      cursor[key >> shift].fetch_add(1, std::memory_order_relaxed);
    });
  });
  std::vector<uint32_t> directory(buckets + 1);
  uint64_t total = 0;
  for (size_t b = 0; b < buckets; ++b) {
    directory[b] = static_cast<uint32_t>(total);
    total += cursor[b].load(std::memory_order_relaxed);
    if (total > 0xFFFFFFFFu) {
      return absl::ResourceExhaustedError("more than 2^32 index entries");
    }
    cursor[b].store(directory[b], std::memory_order_relaxed);
  }
  directory[buckets] = static_cast<uint32_t>(total);
  // Three bytes of padding: an entry is read as 8 bytes.
  std::vector<uint8_t> entries(total * 5 + 3, 0);
  base::ParallelFor(tasks, threads, [&](size_t task) {
    each_key(task, [&](uint64_t key, EnrollmentId id) {
      const uint64_t fp = (key << directory_bits_) >> (64 - fp_bits);
      const uint64_t value = fp << id_bits_ | id.value();
      const uint32_t at =
          cursor[key >> shift].fetch_add(1, std::memory_order_relaxed);
      std::memcpy(entries.data() + size_t{at} * 5, &value, 5);
    });
  });
  cursor.reset();
  base::ParallelFor(
      (buckets + kBucketsPerTask - 1) / kBucketsPerTask, threads,
      [&](size_t task) {
        std::vector<uint64_t> bucket;
        const size_t end = std::min(buckets, (task + 1) * kBucketsPerTask);
        for (size_t b = task * kBucketsPerTask; b < end; ++b) {
          bucket.clear();
          for (uint32_t i = directory[b]; i < directory[b + 1]; ++i) {
            uint64_t v = 0;
            std::memcpy(&v, entries.data() + size_t{i} * 5, 5);
            bucket.push_back(v);
          }
          std::sort(bucket.begin(), bucket.end());
          for (size_t i = 0; i < bucket.size(); ++i) {
            std::memcpy(entries.data() + (directory[b] + i) * 5, &bucket[i], 5);
          }
        }
      });
  entry_count_ = total;
  entries_ = Column<uint8_t>(std::move(entries));
  directory_ = Column<uint32_t>(std::move(directory));
  return absl::OkStatus();
}

size_t RosterIndex::MemoryBytes() const {
  return entries_.bytes() + directory_.bytes();
}

void RosterIndex::Lookup(uint64_t key, uint32_t pass, int max_per_key,
                         int* budget, Hits* hits) const {
  if (*budget <= 0) return;
  const size_t bucket = key >> (64 - directory_bits_);
  const int fp_bits = static_cast<int>(kEntryBits) - id_bits_;
  const uint64_t fp = (key << directory_bits_) >> (64 - fp_bits);
  const uint32_t last = directory_[bucket + 1];
  uint32_t lo = directory_[bucket];
  while (lo < last && (Entry(lo) >> id_bits_) < fp) ++lo;
  uint32_t hi = lo;
  while (hi < last && (Entry(hi) >> id_bits_) == fp) ++hi;
  const auto shared = static_cast<int>(hi - lo);
  // A key shared by more persons than allowed, or than the pass has left, is
  // skipped whole: a partial bucket would be an arbitrary choice.
  if (shared > max_per_key || shared > *budget) return;
  const uint64_t id_mask = (uint64_t{1} << id_bits_) - 1;
  for (uint32_t i = lo; i<hi&& * budget> 0; ++i, --*budget) {
    hits->push_back({EnrollmentId(static_cast<uint32_t>(Entry(i) & id_mask)),
                     pass, static_cast<uint32_t>(shared), PersonId()});
  }
}

// Long (about 100 lines) on purpose: every blocking pass in the order that
// shares one candidate budget, on the hot path of every receipt, read top to
// bottom as the list of passes in docs/MATCHING.md §2.
void RosterIndex::Query(const PersonView& r, const CandidateOptions& options,
                        const nz::InsurerNumber* insurer, Hits* hits) const {
  const int undated =
      std::min(options.max_per_key, options.max_per_undated_key);
  auto pass = [&](uint32_t bit, auto&& body) {
    int budget = options.max_per_pass;
    // max_per_key 0: options.max_per_key.
    body([&](uint64_t key, int max_per_key = 0) {
      Lookup(key, bit, max_per_key > 0 ? max_per_key : options.max_per_key,
             &budget, hits);
    });
  };
  if (!r.kana_loose_key.empty()) {
    pass(kKanaName, [&](auto lookup) {
      lookup(TextKey(kSeedKana, r.kana_loose_key), undated);
    });
  }
  if (!r.kana_surname.empty() && r.birth_date != 0) {
    pass(kKanaSurnameBirth, [&](auto lookup) {
      lookup(TextDateKey(kSeedKanaSurname, r.kana_surname, r.birth_date));
    });
  }
  const std::string_view kanji_initial = FirstLetter(r.kanji_loose_key);
  const bool kanji_initial_known =
      !kanji_initial.empty() && r.kanji_loose_key.rfind("●", 0) != 0;
  if (r.birth_date != 0 &&
      (!r.kana_loose_key.empty() || !r.kanji_loose_key.empty())) {
    pass(kBirthInitial, [&](auto lookup) {
      const nz::Date birth{static_cast<int>(r.birth_date / 10000),
                           static_cast<int>(r.birth_date / 100 % 100),
                           static_cast<int>(r.birth_date % 100)};
      std::vector<nz::Date> dates = nz::DateNearMisses(birth);
      dates.insert(dates.begin(), birth);
      // A receipt whose first character is ● still has its last one.
      const std::string_view last = LastLetter(r.kanji_loose_key);
      if (!last.empty() && last != "●") {
        lookup(TextDateKey(kSeedKanjiFinal, last, r.birth_date));
      }
      // On the birth date itself the initial is enough. On its near misses, the
      // kana surname where there is one: an initial alone would bring ~20
      // persons per date per million enrollments, for every near miss.
      for (const nz::Date& d : dates) {
        const bool exact = Pack(d) == r.birth_date;
        if (!exact && !r.kana_surname.empty()) {
          lookup(TextDateKey(kSeedKanaSurname, r.kana_surname, Pack(d)));
        } else if (!r.kana_loose_key.empty()) {
          lookup(TextDateKey(kSeedKanaInitial, FirstLetter(r.kana_loose_key),
                             Pack(d)));
        } else if (kanji_initial_known) {
          lookup(TextDateKey(kSeedKanjiInitial, kanji_initial, Pack(d)));
        }
      }
    });
  }
  if (!r.kanji_loose_key.empty() && r.wildcard_count <= 1) {
    pass(kKanjiName, [&](auto lookup) {
      lookup(TextKey(kSeedKanji, r.kanji_loose_key), undated);
      if (r.birth_date == 0) return;
      if (r.wildcard_count == 1) {
        // A ● name is often the only kanji clue: its birth date's near misses
        // too.
        lookup(TextDateKey(kSeedKanjiMasked, r.kanji_loose_key, r.birth_date));
        const nz::Date birth{static_cast<int>(r.birth_date / 10000),
                             static_cast<int>(r.birth_date / 100 % 100),
                             static_cast<int>(r.birth_date % 100)};
        for (const nz::Date& d : nz::DateNearMisses(birth)) {
          lookup(TextDateKey(kSeedKanjiMasked, r.kanji_loose_key, Pack(d)));
        }
      } else {
        ForEachMasked(r.kanji_loose_key, [&](std::string_view masked) {
          lookup(TextDateKey(kSeedKanjiMasked, masked, r.birth_date));
        });
      }
    });
  }
  const bool sentinel = (insurer != nullptr && insurer->sentinel) ||
                        IsSentinelNumber(r.member_number);
  if (!sentinel && !r.member_number.empty() && r.birth_date != 0) {
    pass(kMemberNumber, [&](auto lookup) {
      lookup(TextDateKey(kSeedMemberNumber, r.member_number, r.birth_date));
    });
  }
  if (!sentinel && insurer != nullptr && !r.member_key.empty()) {
    pass(kInsurerMember, [&](auto lookup) {
      const std::string_view member = WithoutBranch(r.member_key);
      lookup(HashBytes(member, TextKey(kSeedInsurerMember, insurer->digits)));
      for (const std::string& repair : insurer->repairs) {
        lookup(HashBytes(member, TextKey(kSeedInsurerMember, repair)));
      }
    });
  }
  if (r.birth_date != 0 &&
      (!r.postal_code.empty() || !r.municipality.empty())) {
    pass(kAddress, [&](auto lookup) {
      if (!r.postal_code.empty()) {
        lookup(TextDateKey(kSeedPostal, r.postal_code, r.birth_date));
      }
      if (!r.municipality.empty()) {
        lookup(TextDateKey(kSeedMunicipality, r.municipality, r.birth_date));
      }
    });
  }
}

namespace {

// Whether two names, each given whole and by its surname, have the same given
// name after different surnames: a name before and after a marriage or an
// adoption. False when a side's surname is unknown (no space).
bool SameGivenName(std::string_view a, std::string_view a_surname,
                   std::string_view b, std::string_view b_surname) {
  if (a_surname.empty() || b_surname.empty() || a_surname == b_surname ||
      a.size() <= a_surname.size() || b.size() <= b_surname.size() ||
      a.substr(0, a_surname.size()) != a_surname ||
      b.substr(0, b_surname.size()) != b_surname) {
    return false;
  }
  return a.substr(a_surname.size()) == b.substr(b_surname.size());
}

// How much an enrollment agrees with a receipt, in rough points, for choosing
// which candidates to keep when there are too many: a cheap stand-in for the
// scorer, so that a receipt found only through weak keys (a mistyped birth
// date, a kana name without its space) keeps its person among hundreds found
// the same way.
int Agreement(const PersonView& r, const PersonView& e) {
  int points = 0;
  if (!r.kana_loose_key.empty() && r.kana_loose_key == e.kana_loose_key) {
    points += 4;
  } else if (!r.kana_surname.empty() && r.kana_surname == e.kana_surname) {
    points += 1;
  } else if (SameGivenName(r.kana_key, r.kana_surname, e.kana_key,
                           e.kana_surname)) {
    points += 3;
  }
  if (!r.kanji_loose_key.empty() && r.kanji_loose_key == e.kanji_loose_key) {
    points += 4;
  } else if (SameGivenName(r.kanji_key, r.kanji_surname, e.kanji_key,
                           e.kanji_surname)) {
    points += 3;
  }
  if (r.birth_date != 0 && r.birth_date == e.birth_date) points += 4;
  if (!r.member_number.empty() && r.member_number == e.member_number) {
    points +=
        WithoutBranch(r.member_key) == WithoutBranch(e.member_key) ? 4 : 2;
  }
  if (!r.postal_code.empty() && r.postal_code == e.postal_code) {
    points += 2;
  } else if (!r.municipality.empty() && r.municipality == e.municipality) {
    points += 1;
  }
  if (r.sex != Sex::kUnknown && r.sex == e.sex) points += 1;
  return points;
}

// A candidate ranked for the cut.
struct Ranked {
  PersonId person;
  uint32_t passes = 0;
  int pass_count = 0;
  uint32_t shared = UINT32_MAX;  // fewest persons sharing a key that found it
  uint32_t first_hit = 0, end_hit = 0;  // its hits: [first_hit, end_hit)
  int agreement = 0;
};

// Days within which an enrollment that begins where an ended one stopped may
// continue it (a 取得日 recorded late, a month between two cards).
constexpr int64_t kSuccessorDays = 31;

// A person whose enrollments all ended before the month goes on under another
// enrollment, which the receipt's own fields may not find again: a new
// surname, a new card. A candidate with the same birth date and sex whose
// enrollment begins within kSuccessorDays of where an ended candidate stops
// (not on the 75th birthday, when all of that birth date move) is ranked as
// if it agreed as much, so that the cut keeps it for the matcher to link
// (matcher.cc, MergeSuccessors).
void RankSuccessors(const Roster& roster, PackedMonth service_month,
                    std::vector<Ranked>* ranked) {
  if (service_month == 0) return;
  const PackedDate first_day = service_month * 100 + 1;
  struct Ended {
    const EnrollmentRecord* last;
    int agreement;
  };
  std::vector<Ended> ended;
  for (const Ranked& r : *ranked) {
    const EnrollmentRecord& last =
        roster.record(roster.Enrollments(r.person).back());
    if (last.qualified_until != 0 && last.qualified_until <= first_day) {
      ended.push_back({&last, r.agreement});
    }
  }
  if (ended.empty()) return;
  for (Ranked& r : *ranked) {
    for (const Ended& x : ended) {
      if (x.agreement <= r.agreement) continue;
      for (EnrollmentId id : roster.Enrollments(r.person)) {
        const EnrollmentRecord& e = roster.record(id);
        if (e.qualified_from <= x.last->qualified_from) continue;
        if (e.birth_date == x.last->birth_date && e.sex == x.last->sex &&
            std::abs(DayNumber(e.qualified_from) -
                     DayNumber(x.last->qualified_until)) <= kSuccessorDays &&
            !AtSeventyFifthBirthday(e.birth_date, e.qualified_from) &&
            roster.ValidIn(r.person, service_month) != kNoEnrollment) {
          r.agreement = x.agreement;
        }
        break;
      }
    }
  }
}

// The candidate for `person`: its enrollment valid in the month, or else its
// nearest; nullopt when it has none valid and `include_not_valid` is false.
std::optional<Candidate> CandidateOf(const Roster& roster, const Ranked& r,
                                     EnrollmentId matched,
                                     PackedMonth service_month,
                                     bool include_not_valid) {
  Candidate c;
  c.person = r.person;
  c.matched = matched;
  c.passes = r.passes;
  std::span<const EnrollmentId> list = roster.Enrollments(c.person);
  if (service_month == 0) {
    c.enrollment = list.back();
    c.valid_in_month = roster.record(c.enrollment).qualified_until == 0;
    return c;
  }
  c.enrollment = roster.ValidIn(c.person, service_month);
  c.valid_in_month = c.enrollment != kNoEnrollment;
  if (c.valid_in_month) return c;
  if (!include_not_valid) return std::nullopt;
  // The last enrollment that began before the month, else the first.
  const PackedDate first_day = service_month * 100 + 1;
  c.enrollment = list.front();
  for (EnrollmentId id : list) {
    if (roster.record(id).qualified_from <= first_day) c.enrollment = id;
  }
  return c;
}

}  // namespace

std::vector<Candidate> RosterIndex::Candidates(
    const PersonView& receipt, PackedMonth service_month,
    const CandidateOptions& options,
    const normalizer::InsurerNumber* billed) const {
  thread_local Hits hits;  // reused: a query allocates only its result
  hits.clear();
  Query(receipt, options, billed, &hits);
  const Roster& roster = *roster_;
  // One candidate per person: sort hits by person, merge their passes.
  for (Hit& hit : hits) hit.person = roster.PersonOf(hit.id);
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.person != b.person ? a.person < b.person : a.id < b.id;
  });
  std::vector<Ranked> ranked;
  for (size_t i = 0; i < hits.size();) {
    Ranked r;
    r.person = hits[i].person;
    r.first_hit = static_cast<uint32_t>(i);
    for (; i < hits.size() && hits[i].person == r.person; ++i) {
      r.passes |= hits[i].pass;
      r.shared = std::min(r.shared, hits[i].shared);
    }
    r.end_hit = static_cast<uint32_t>(i);
    r.pass_count = std::popcount(r.passes);
    ranked.push_back(r);
  }
  if (ranked.size() > 1) {
    // Keep those that agree most with the receipt (or continue one that
    // does), then those found by more passes, then by rarer keys; none that
    // agrees far less than the best. A person's enrollments found may differ
    // (a name before and after a marriage): the one that agrees most counts.
    const Roster::ViewParts parts{.member = !receipt.member_number.empty(),
                                  .address = !receipt.postal_code.empty() ||
                                             !receipt.municipality.empty()};
    for (Ranked& r : ranked) {
      for (uint32_t h = r.first_hit; h < r.end_hit; ++h) {
        if (h > r.first_hit && hits[h].id == hits[h - 1].id) continue;
        r.agreement = std::max(
            r.agreement, Agreement(receipt, roster.View(hits[h].id, parts)));
      }
    }
    RankSuccessors(roster, service_month, &ranked);
    std::sort(ranked.begin(), ranked.end(),
              [](const Ranked& a, const Ranked& b) {
                if (a.agreement != b.agreement) {
                  return a.agreement > b.agreement;
                }
                if (a.pass_count != b.pass_count) {
                  return a.pass_count > b.pass_count;
                }
                if (a.shared != b.shared) return a.shared < b.shared;
                return a.person < b.person;
              });
  }
  const auto limit = static_cast<size_t>(std::max(0, options.max_total));
  const int floor =
      ranked.empty() ? 0 : ranked.front().agreement - options.max_agreement_gap;
  std::vector<Candidate> out;
  for (const Ranked& r : ranked) {
    if (out.size() == limit || r.agreement < floor) break;
    std::optional<Candidate> c =
        CandidateOf(roster, r, hits[r.first_hit].id, service_month,
                    options.include_not_valid);
    if (c) out.push_back(*c);
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    const int na = std::popcount(a.passes);
    const int nb = std::popcount(b.passes);
    if (na != nb) return na > nb;
    return a.enrollment < b.enrollment;
  });
  return out;
}

std::vector<EnrollmentId> RosterIndex::Household(EnrollmentId id) const {
  const PersonView v = roster_->View(id);
  const std::string_view member = WithoutBranch(v.member_key);
  const uint64_t key =
      HashBytes(member, TextKey(kSeedInsurerMember, v.insurer_number));
  Hits hits;
  int budget = 64;
  Lookup(key, kInsurerMember, 64, &budget, &hits);
  // The index holds each person once under a key: its other enrollments
  // under the same 記号・番号 are found through the person.
  std::vector<EnrollmentId> out;
  for (const Hit& hit : hits) {
    for (EnrollmentId other : roster_->Enrollments(roster_->PersonOf(hit.id))) {
      if (other == id) continue;
      const PersonView o = roster_->View(other);
      if (o.insurer_number == v.insurer_number &&
          WithoutBranch(o.member_key) == member) {
        out.push_back(other);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::shared_ptr<const RosterIndex> RosterSnapshot::Get() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void RosterSnapshot::Set(std::shared_ptr<const RosterIndex> index) {
  std::shared_ptr<const RosterIndex> old;
  {
    absl::MutexLock lock(&mu_);
    old = std::move(current_);
    current_ = std::move(index);
  }
  // `old` is released here, outside the lock: freeing a roster takes time.
}

}  // namespace kuromaru::matcher
