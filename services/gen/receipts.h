// Synthetic receipts (FORMATS.md §2) and their ground truth.
//
// Each receipt belongs to one category, the difficulty it was made to show,
// recorded in its truth line with a `detail`:
//   exact            billed correctly (unrouted for some other reason)
//   stale_insurer    billed the person's previous enrollment, in the months
//                    after any change of card (job change, life event); the
//                    answer is the enrollment valid in the service month
//   insurer_typo     保険者番号 with one digit changed or two adjacent swapped
//   member_typo      被保険者証番号 likewise
//   fusho            不詳: insurer 77777777/77777779, number 777777777
//                    (77777777 for 後期高齢者), symbol and 枝番 empty; name,
//                    kana, birth date, sex, and often postal code, address,
//                    insurer_name and employer from the 摘要
//   name_wildcard    characters outside JIS X 0208 shown as ●
//   name_substitute  the variant kanji replaced by its common form (髙 → 高)
//   name_katakana    the kanji field holds the katakana name
//   kana_noise       small kana large, long vowel spelled ー/ウ, a voicing
//                    mark dropped, half-width, no space
//   birth_date_noise one digit off, month and day swapped, or the wrong era
//   missing_sex      sex empty, 0 or 9
//   namesake         a 不詳 receipt of a person who shares name, birth date and
//                    sex with another roster person
//   late_roster      the person is in the roster, but the receipt bills a
//                    newer enrollment the roster does not have yet
//   not_in_roster    a person whose enrollments were not reported yet
// and the life events of world.h:
//   marriage         a service month after a marriage; the receipt carries
//                    the surname (kanji and kana) from before it, and the
//                    insurer and member key of the valid enrollment
//                    (current_card) or of the one ended at the marriage
//                    (old_card); detail: how the spouse was enrolled anew
//                    (same_key, reissued_key, spouse_dependent,
//                    spouse_kokuho, other) + the card
//   moved            the 国保 (or 後期高齢者) card of the municipality
//                    (prefecture) the person left
//   turned_75        the card held before the 75th birthday
//   retired          the employee insurance card held before retiring at 60
//                    or 65; the valid enrollment is 国保 or 任意継続
//   household_member the person's new enrollment is not in the roster yet,
//                    another member's, begun the same day, is; the receipt
//                    carries the old card; detail: the event
//   late_life_event  the enrollment begun by a life event (detail: which)
//                    is not in the roster yet; the receipt carries the old
//                    card and the address, or is 不詳, or bills the new
//                    insurer (detail + old_card, fusho, new_card)
// Every receipt also carries the ordinary variation: 和暦 dates, spacing,
// the national system's ● for characters outside JIS X 0208; and, at the
// mix's overlay rates, kana and birth-date noise on top of its category
// (Truth::noise).
#ifndef KUROMARU_SERVICES_GEN_RECEIPTS_H_
#define KUROMARU_SERVICES_GEN_RECEIPTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kuromaru/v1/receipt.pb.h"
#include "services/gen/world.h"

namespace kuromaru::gen {

enum class Category {
  kExact,
  kStaleInsurer,
  kInsurerTypo,
  kMemberTypo,
  kFusho,
  kNameWildcard,
  kNameSubstitute,
  kNameKatakana,
  kKanaNoise,
  kBirthDateNoise,
  kMissingSex,
  kNamesake,
  kLateRoster,
  kNotInRoster,
  kMarriage,
  kMoved,
  kTurned75,
  kRetired,
  kHouseholdMember,
  kLateLifeEvent,
};
inline constexpr int kCategoryCount = 20;

std::string_view CategoryName(Category category);

// Shares of the categories, in Category order (normalized; zero disables
// one), and the noise laid over receipts of the other categories. The
// defaults are the default profile's (profile.h).
struct ReceiptMix {
  std::array<double, kCategoryCount> shares = {
      0.17, 0.08, 0.06, 0.05, 0.10, 0.03, 0.03, 0.02, 0.06, 0.06,
      0.03, 0.02, 0.03, 0.07, 0.05, 0.03, 0.03, 0.03, 0.02, 0.03};
  // Share of the other receipts also given kana noise, birth-date noise.
  // Default: 2%, 1%.
  double kana_noise_overlay = 0.02;
  double birth_date_noise_overlay = 0.01;
};

// Whether enrollment `i` of `p` (of household `h`) can be the one valid in
// the service month of a receipt of `category`.
bool Eligible(Category category, const Household& h, const Person& p, size_t i);

// The service months (first days, in the roster's window) in which a receipt
// of `category` can be drawn for `p`, each with the index of its enrollment
// valid then: a stale card only in the months after the change.
void EligibleMonths(Category category, const Household& h, const Person& p,
                    const WorldOptions& options,
                    std::vector<std::pair<Date, size_t>>* months);

// The answer for one receipt.
struct Truth {
  std::string receipt_id;
  std::string category;
  std::string detail;
  std::string person_id;
  // What began the enrollment valid in the service month (LifeEventName;
  // empty for the person's first).
  std::string event;
  // Noise laid over the category: kana:<kind>, birth_date:<kind>, joined
  // by "+"; empty when none.
  std::string noise;
  bool in_roster = false;
  // False when the enrollment valid in the service month is not in the
  // roster yet (late_roster, household_member, late_life_event): the key is
  // then the person's newest roster enrollment, which no longer covers it.
  bool valid_in_month = false;
  // The roster enrollment to find; empty when not in the roster.
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string qualified_from;
  // The insurer the receipt should be routed to.
  std::string expected_insurer_number;

  // One JSON object, no newline.
  std::string ToJsonLine() const;
};

// What the roster pass learned about the population, to draw receipts from.
struct Population {
  // first_person[h] is the id of household h's first member; the last entry
  // is the number of persons.
  std::vector<int64_t> first_person{0};
  // Households holding someone a category needs, by Category (empty for
  // the categories any household serves).
  std::array<std::vector<int64_t>, kCategoryCount> pools;
  int64_t absent_households = 1;

  // Adds household `h` to the pools it can serve.
  void Add(const Household& h, const WorldOptions& options);
};

class ReceiptMaker {
 public:
  // All references must outlive the maker.
  ReceiptMaker(const World& world, const Population& population,
               const ReceiptMix& mix, uint64_t seed);

  // Receipt `index` (0-based; receipt_id R%08d of index + 1) and its truth.
  // Deterministic for (seed, index). A category that the population cannot
  // provide (no insurer changes among few persons …) falls back to exact.
  void Make(int64_t index, v1::Receipt* receipt, Truth* truth) const;

 private:
  // The person, the enrollment covering the service month, and the month.
  struct Draw {
    Household household;
    const Person* person = nullptr;
    size_t enrollment = 0;
    Date month;    // first day
    int name = 0;  // the name the receipt carries (Person::names)
  };
  bool TryMake(Category category, Rng& rng, v1::Receipt* receipt,
               Truth* truth) const;
  Household PickHousehold(Category category, Rng& rng) const;
  void Render(const Draw& d, Rng& rng, v1::Receipt* r) const;
  void ApplyCategory(Category category, const Draw& d, Rng& rng, v1::Receipt* r,
                     Truth* t) const;
  void ApplyLifeEvent(Category category, const Draw& d, Rng& rng,
                      v1::Receipt* r, Truth* t) const;
  void ApplyOverlays(Category category, const Draw& d, Rng& rng, v1::Receipt* r,
                     Truth* t) const;
  void BillCard(const Enrollment& e, v1::Receipt* r) const;
  // The home of the valid enrollment in the 摘要: postal code and address,
  // each at its chance.
  void ApplyAddress(const Draw& d, double postal_code, double address, Rng& rng,
                    v1::Receipt* r) const;
  void ApplyFusho(const Draw& d, Rng& rng, v1::Receipt* r,
                  std::string* detail) const;
  void ApplyKanaNoise(const NameForm& n, Rng& rng, v1::Receipt* r,
                      std::string* detail) const;
  void ApplyBirthNoise(const Person& p, Rng& rng, v1::Receipt* r,
                       std::string* detail) const;

  const World& world_;
  const Population& population_;
  ReceiptMix mix_;
  std::vector<double> cumulative_;
  uint64_t seed_;
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_RECEIPTS_H_
