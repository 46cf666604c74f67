#include "matcher/roster_index.h"

#include <algorithm>
#include <bit>
#include <string>
#include <utility>

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

// The key with each code point in turn replaced by ●; names of at least three
// code points only (shorter ones would match half the roster).
template <typename F>
void ForEachMasked(std::string_view key, F f) {
  absl::StatusOr<std::u32string> cps = nz::DecodeUtf8(key);
  if (!cps.ok() || cps->size() < 3) return;
  for (size_t i = 0; i < cps->size(); ++i) {
    if ((*cps)[i] == nz::kNameWildcard) continue;
    std::u32string masked = *cps;
    masked[i] = nz::kNameWildcard;
    f(nz::EncodeUtf8(masked));
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

void RosterIndex::AddRow(EnrollmentId id) {
  const PersonView v = roster_->View(id);
  auto add = [&](uint64_t key) { entries_.push_back({key, id.value()}); };
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
      ForEachMasked(v.kanji_loose_key, [&](const std::string& masked) {
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

absl::StatusOr<std::shared_ptr<const RosterIndex>> RosterIndex::Build(
    std::shared_ptr<const Roster> roster) {
  if (roster == nullptr) return absl::InvalidArgumentError("null roster");
  std::shared_ptr<RosterIndex> index(new RosterIndex(std::move(roster)));
  const size_t n = index->roster_->size();
  index->entries_.reserve(n * 14);
  for (uint32_t id = 0; id < n; ++id) index->AddRow(EnrollmentId(id));
  std::sort(index->entries_.begin(), index->entries_.end(),
            [](const Entry& a, const Entry& b) {
              const uint64_t ka = a.key, kb = b.key;
              return ka != kb ? ka < kb : a.id < b.id;
            });
  index->entries_.shrink_to_fit();
  index->BuildDirectory();
  return std::shared_ptr<const RosterIndex>(std::move(index));
}

// The directory maps the top bits of a key to where its entries start, so that
// a lookup searches a few entries instead of the whole array (a cache miss per
// level).
void RosterIndex::BuildDirectory() {
  int bits = 1;
  while (bits < 24 && (size_t{1} << bits) < entries_.size() / 4) ++bits;
  directory_shift_ = 64 - bits;
  directory_.assign((size_t{1} << bits) + 1, 0);
  size_t at = 0;
  for (size_t b = 0; b < (size_t{1} << bits); ++b) {
    directory_[b] = static_cast<uint32_t>(at);
    while (at < entries_.size() && (entries_[at].key >> directory_shift_) == b)
      ++at;
  }
  directory_.back() = static_cast<uint32_t>(entries_.size());
}

size_t RosterIndex::MemoryBytes() const {
  return entries_.capacity() * sizeof(Entry) +
         directory_.capacity() * sizeof(uint32_t);
}

void RosterIndex::Lookup(uint64_t key, uint32_t pass, int max_per_key,
                         int* budget, Hits* hits) const {
  if (*budget <= 0) return;
  const size_t bucket = key >> directory_shift_;
  const auto first = entries_.begin() + directory_[bucket];
  const auto last = entries_.begin() + directory_[bucket + 1];
  auto lo = std::lower_bound(
      first, last, key, [](const Entry& e, uint64_t k) { return e.key < k; });
  auto hi = lo;
  while (hi != last && hi->key == key) ++hi;
  // A key shared by more ids than allowed, or than the pass has left, is
  // skipped whole: a partial bucket would be an arbitrary choice.
  if (hi - lo > max_per_key || hi - lo > *budget) return;
  for (auto it = lo; it != hi && *budget > 0; ++it, --*budget) {
    hits->emplace_back(EnrollmentId(it->id), pass);
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
        ForEachMasked(r.kanji_loose_key, [&](const std::string& masked) {
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

std::vector<Candidate> RosterIndex::Candidates(
    const PersonView& receipt, PackedMonth service_month,
    const CandidateOptions& options,
    const normalizer::InsurerNumber* billed) const {
  thread_local Hits hits;  // reused: a query allocates only its result
  hits.clear();
  Query(receipt, options, billed, &hits);
  const Roster& roster = *roster_;
  // One candidate per person: sort hits by person, merge their passes.
  std::sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
    const PersonId pa = roster.PersonOf(a.first), pb = roster.PersonOf(b.first);
    return pa != pb ? pa < pb : a.first < b.first;
  });
  std::vector<Candidate> out;
  for (size_t i = 0; i < hits.size();) {
    Candidate c;
    c.person = roster.PersonOf(hits[i].first);
    c.matched = hits[i].first;
    for (; i < hits.size() && roster.PersonOf(hits[i].first) == c.person; ++i) {
      c.passes |= hits[i].second;
    }
    std::span<const EnrollmentId> list = roster.Enrollments(c.person);
    if (service_month == 0) {
      c.enrollment = list.back();
      c.valid_in_month = roster.record(c.enrollment).qualified_until == 0;
    } else {
      c.enrollment = roster.ValidIn(c.person, service_month);
      c.valid_in_month = c.enrollment != kNoEnrollment;
      if (!c.valid_in_month) {
        if (!options.include_not_valid) continue;
        // The last enrollment that began before the month, else the first.
        const PackedDate first_day = service_month * 100 + 1;
        c.enrollment = list.front();
        for (EnrollmentId id : list) {
          if (roster.record(id).qualified_from <= first_day) c.enrollment = id;
        }
      }
    }
    out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Candidate& a, const Candidate& b) {
                     const int na = std::popcount(a.passes);
                     const int nb = std::popcount(b.passes);
                     if (na != nb) return na > nb;
                     return a.enrollment < b.enrollment;
                   });
  if (out.size() > static_cast<size_t>(std::max(0, options.max_total))) {
    out.resize(static_cast<size_t>(std::max(0, options.max_total)));
  }
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
  std::vector<EnrollmentId> out;
  for (const auto& [other, pass] : hits) {
    if (other == id) continue;
    const PersonView o = roster_->View(other);
    if (o.insurer_number == v.insurer_number &&
        WithoutBranch(o.member_key) == member) {
      out.push_back(other);
    }
  }
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
