// The synthetic population: households of insured persons and their
// enrollment (資格) histories, each derived from (seed, household id) alone so
// that any household can be rebuilt on demand instead of kept in memory.
//
// A household shares a home (which may change: moves) and the insurance of
// its insured person, the head: a sequence of segments (job changes;
// retirement at 60 or 65 to 国保 or to 任意継続 for up to two years; a move
// to another municipality ends one 国保 and begins the next). Dependents are
// enrolled in each segment under its member key with their own 枝番
// (employee schemes: 00 the insured, 01… dependents; 国保: 01…); when the
// head turns 75 in an employee scheme, they move to the 国保 of their
// municipality. Persons also move on their own: a working spouse or a grown
// child has an employee insurance of their own (one to three insurers),
// a child leaves the parents' insurance at a first job, and a spouse who
// married in the window had an enrollment under their former surname, ended
// at the marriage, followed by one in their own insurer (same or re-issued
// member key), as a dependent in the head's employee insurance, or in the
// household's 国保. At 75 everyone enters the 後期高齢者医療広域連合 of the
// prefecture they live in, on the birthday. Transitions between insurers
// abut, or leave a gap of days, or overlap by a day or two (never over the
// first of a month, so one enrollment covers each month's first day).
//
// Also, each at a documented rate (WorldOptions): variant-kanji surnames
// (髙橋, 﨑, 邊 …), variation sequences (辻󠄀), old-form given names
// (德, 澤), twins, namesakes (an unrelated person with the same name, birth
// date and sex), late rosters (a household's newest segment or a recent life
// event's enrollment not reported yet, sometimes for one member only) and,
// for receipts, households absent from the roster altogether (enrollments
// begun in the last months). Thread-compatible: Make is const and
// deterministic.
#ifndef KUROMARU_SERVICES_GEN_WORLD_H_
#define KUROMARU_SERVICES_GEN_WORLD_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "normalizer/date.h"
#include "services/gen/insurers.h"
#include "services/gen/policy.h"
#include "services/gen/random.h"
#include "services/gen/sources.h"
#include "services/gen/variants.h"

namespace kuromaru::gen {

using normalizer::Date;

// The rates of the population. The defaults are the default profile's
// (profile.h).
struct WorldOptions {
  // Insurer changes fall in [history_start, as_of); as_of is the first day the
  // roster snapshot does not cover. Default: fiscal years 2019–2024.
  Date history_start{2019, 4, 1};
  Date as_of{2025, 4, 1};
  // Share of households whose surname has a variant kanji. Default: 4%.
  double variant_rate = 0.04;
  // Share of surnames with 辻 or 葛 registered with a variation sequence.
  // Default: 50%.
  double ivs_rate = 0.50;
  // Share of persons whose given name has an old form (德, 澤 …). Default:
  // 1.5%.
  double old_form_rate = 0.015;
  // Share of households that are one person sharing name, birth date and sex
  // with a member of an earlier household. Default: 0.4%.
  double namesake_rate = 0.004;
  // Share of families with children that have twins. Default: 3%.
  double twin_rate = 0.03;
  // Share of households whose newest segment is missing from the roster.
  // Default: 3%.
  double late_rate = 0.03;
  // Share of couples with a head under 50 who married in the window.
  // Default: 30%.
  double marriage_rate = 0.30;
  // Share of marriages in which the husband takes the wife's surname.
  // Default: 5%.
  double husband_renamed = 0.05;
  // Share of households that move once to another municipality in the
  // window, and of moves that stay in the prefecture. Default: 10%, 70%.
  double move_rate = 0.10;
  double move_in_prefecture = 0.70;
  // Share of spouses under 60 with an employee insurance of their own.
  // Default: 40%.
  double working_spouse_rate = 0.40;
  // Share of children of 18 or more with a job and insurance of their own.
  // Default: 70%.
  double first_job_rate = 0.70;
  // Share of employed insured persons retiring at 60; of the others, at 65.
  // Default: 40%, 70%.
  double retire_at_60 = 0.40;
  double retire_at_65 = 0.70;
  // Share of retirees continuing their insurance (任意継続, up to two
  // years). Default: 30%.
  double voluntary_rate = 0.30;
  // Share of transitions between insurers with a gap of 1–10 days, and with
  // an overlap of 1–2 days. Default: 20%, 5%.
  double gap_rate = 0.20;
  double overlap_rate = 0.05;
  // Share of enrollments begun by a life event in the last 150 days that the
  // roster does not hold yet, and of household members registered apart from
  // the rest. Default: 30%, 30%.
  double late_event_rate = 0.30;
  double late_member_split = 0.30;
};

// What began an enrollment.
enum class LifeEvent {
  kNone,            // the person's first enrollment in the data
  kJobChange,       // the insured changed employer or scheme
  kFirstJob,        // left the parents' insurance for their own
  kMarriage,        // married: a new surname, enrolled anew
  kMove,            // moved to another municipality or prefecture
  kRetirement,      // retired at 60 or 65: 国保 or 任意継続
  kVoluntaryEnded,  // 任意継続 ended: 国保
  kTurned75,  // 75th birthday: the prefecture's 後期高齢者医療広域連合
  kInsuredTurned75,  // the insured turned 75: their dependents to 国保
};
inline constexpr int kLifeEventCount = 9;

// "" for kNone, else job_change, first_job, marriage, moved, retired,
// voluntary_ended, turned_75, insured_turned_75.
std::string_view LifeEventName(LifeEvent event);

struct Enrollment {
  int insurer = -1;
  std::string symbol;
  std::string number;
  std::string branch;
  Date from;
  Date until;  // first day without coverage; year 0 while current
  bool rostered = true;
  Company employer;  // core empty when none
  int name = 0;      // index into Person::names
  int address = 0;   // index into Household::addresses
  LifeEvent event = LifeEvent::kNone;
  bool dependent = false;  // 被扶養者 or a 国保 household member

  bool Covers(const Date& d) const;
};

enum class Role { kHead, kSpouse, kChild };

struct Person {
  std::string id;  // P00000001 (in the roster's households), X… (absent)
  // The registered names: one, or the former and the married name.
  std::vector<NameForm> names;
  Date married;  // year 0 unless married in the window
  Date birth;
  int sex = 1;  // 1 male, 2 female
  Role role = Role::kHead;
  std::vector<Enrollment> enrollments;  // in date order

  const NameForm& name() const { return names.back(); }
};

struct Address {
  int entry = 0;       // index into Sources::addresses
  std::string blocks;  // 2-14-3
};

struct Household {
  int64_t id = 0;
  bool rostered = true;
  bool late = false;
  bool namesake = false;  // its one member copies an earlier person
  bool twins = false;
  // addresses[0] the first home, addresses[i] the home after moved[i - 1];
  // entries after those (a spouse's home before the marriage) are no home of
  // the household.
  std::vector<Address> addresses;
  std::vector<Date> moved;
  std::vector<Person> members;

  // The index of the home on day `d`.
  int HomeAt(const Date& d) const;
  const Address& home() const { return addresses[moved.size()]; }
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
  uint64_t seed() const { return seed_; }
  // Indexes into Sources::addresses of the prefecture's addresses.
  const std::vector<int>& AddressesIn(const std::string& prefecture_code) const;

 private:
  void AddMembers(Rng& rng, Household& h) const;
  NameForm RandomSurname(Rng& rng) const;
  // The head's spouse; when `married`, one who married in the window and had
  // a surname of their own before (when their ages allow it).
  void AddSpouse(Rng& rng, const NameForm& surname, int sex, Date birth,
                 bool married, Household& h) const;
  Person NewPerson(Rng& rng, const NameForm& surname, int sex, Date birth,
                   const std::vector<Person>& siblings) const;
  void ApplySurnameVariant(Rng& rng, Household& h) const;
  void ApplyVariationSequence(Rng& rng, Household& h) const;
  void ApplyOldForm(Rng& rng, Person& p) const;

  const Sources& sources_;
  const InsurerCatalog& insurers_;
  const VariantTable& variants_;
  WorldOptions options_;
  uint64_t seed_;
  // Surnames with a character that has a variant, for ApplySurnameVariant.
  std::vector<int> variant_surnames_;
  std::vector<double> variant_surname_cumulative_;
  absl::flat_hash_map<std::string, std::vector<int>> by_prefecture_;
};

// Surname and given name joined by `separator`.
std::string JoinName(const std::string& surname, const std::string& given,
                     const std::string& separator);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_WORLD_H_
