// The synthetic population: households of insured persons and their
// enrollment (資格) histories, each derived from (seed, household id) alone so
// that any household can be rebuilt on demand instead of kept in memory.
//
// A household shares an address, an employer and a sequence of insurance
// segments (job changes; 1–3 in the roster's time span). Each member is
// enrolled in each segment under the segment's member key with their own 枝番
// (employee schemes: 00 the insured, 01… dependents; 国保: 01…), from birth
// if later, until their 75th birthday, from which they are in their
// prefecture's 後期高齢者医療 (symbol empty, 8-digit number, no 枝番).
//
// Real categories the data contains, each at a documented rate (WorldOptions):
// variant-kanji surnames (髙橋, 﨑, 邊 …, some written as an insurer's 外字),
// twins (same surname, birth date, address and member number, different 枝番
// and given name), namesakes (an unrelated person with the same name, birth
// date and sex), late rosters (the newest segment not yet reported) and, for
// receipts, households absent from the roster altogether (enrollments begun in
// the last months). Thread-compatible: Make is const and deterministic.
#ifndef KUROMARU_SERVICES_GEN_WORLD_H_
#define KUROMARU_SERVICES_GEN_WORLD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "normalizer/date.h"
#include "services/gen/insurers.h"
#include "services/gen/random.h"
#include "services/gen/sources.h"
#include "services/gen/variants.h"

namespace kuromaru::gen {

using normalizer::Date;

struct WorldOptions {
  // Insurer changes fall in [history_start, as_of); as_of is the first day the
  // roster snapshot does not cover. Default: fiscal years 2019–2024.
  Date history_start{2019, 4, 1};
  Date as_of{2025, 4, 1};
  // Share of households whose surname has a variant kanji. Default: 4%.
  double variant_rate = 0.04;
  // Share of those whose insurer stores the variant as its own 外字. Default:
  // 25%.
  double gaiji_rate = 0.25;
  // Share of households that are one person sharing name, birth date and sex
  // with a member of an earlier household. Default: 0.4%.
  double namesake_rate = 0.004;
  // Share of families with children that have twins. Default: 3%.
  double twin_rate = 0.03;
  // Share of households whose newest segment is missing from the roster.
  // Default: 3%.
  double late_rate = 0.03;
};

struct Enrollment {
  int insurer = -1;
  std::string symbol;
  std::string number;
  std::string branch;
  Date from;
  Date until;  // first day without coverage; year 0 while current
  bool rostered = true;
  Company employer;  // core empty when none

  bool Covers(const Date& d) const;
};

struct Person {
  std::string id;       // P00000001 (in the roster's households), X… (absent)
  std::string surname;  // the registered kanji, variant included
  std::string given;
  std::string surname_kana;
  std::string given_kana;
  Date birth;
  int sex = 1;  // 1 male, 2 female
  // The variant character of the name, if any: its code-point index in
  // surname + given, the variant and its canonical form.
  int variant_index = -1;
  char32_t variant = 0;
  char32_t canonical = 0;
  bool roster_gaiji = false;  // the roster writes the variant as 外字
  std::vector<Enrollment> enrollments;  // in date order
};

struct Household {
  int64_t id = 0;
  bool rostered = true;
  bool late = false;
  bool namesake = false;  // its one member copies an earlier person
  bool twins = false;
  int address = 0;     // index into Sources::addresses
  std::string blocks;  // 2-14-3
  std::vector<Person> members;
};

class World {
 public:
  // All references must outlive the World.
  World(const Sources& sources, const InsurerCatalog& insurers,
        const VariantTable& variants, const WorldOptions& options,
        uint64_t seed);

  // Household `id` of the roster (rostered) or of the absent population. Keeps
  // the first `max_members` members; person ids count from `first_person`.
  Household Make(int64_t id, bool rostered, int max_members = 99,
                 int64_t first_person = 0) const;

  const WorldOptions& options() const { return options_; }
  const Sources& sources() const { return sources_; }
  const InsurerCatalog& insurers() const { return insurers_; }
  const VariantTable& variants() const { return variants_; }

 private:
  struct Segment;
  void AddMembers(Rng& rng, Household& h) const;
  Person NewPerson(Rng& rng, const NameEntry& surname, int sex, Date birth,
                   const std::vector<Person>& siblings) const;
  void ApplySurnameVariant(Rng& rng, Household& h) const;
  std::vector<Segment> Segments(Rng& rng, const Household& h) const;
  int SegmentInsurer(Rng& rng, const Household& h, const Date& from) const;
  void SetMemberKey(Rng& rng, const Household& h, size_t segment,
                    Segment& s) const;
  void Enroll(const Household& h, const std::vector<Segment>& segments,
              Person& p, int member_index) const;
  Date RandomDate(Rng& rng, const Date& lo, const Date& hi) const;

  const Sources& sources_;
  const InsurerCatalog& insurers_;
  const VariantTable& variants_;
  WorldOptions options_;
  uint64_t seed_;
  // Surnames with a character that has a variant, for ApplySurnameVariant.
  std::vector<int> variant_surnames_;
  std::vector<double> variant_surname_cumulative_;
};

// Surname and given name joined by `separator`.
std::string JoinName(const std::string& surname, const std::string& given,
                     const std::string& separator);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_WORLD_H_
