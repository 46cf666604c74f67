// Synthetic receipts (FORMATS.md §2) and their ground truth.
//
// Each receipt belongs to one category, the difficulty it was made to show,
// recorded in its truth line with a `detail`:
//   exact            billed correctly (unrouted for some other reason)
//   stale_insurer    billed the person's previous enrollment (after a job
//                    change or turning 75); the answer is the enrollment valid
//                    in the service month
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
// Every receipt also carries the ordinary variation: 和暦 dates, spacing,
// the national system's ● for characters outside JIS X 0208.
#ifndef KUROMARU_SERVICES_GEN_RECEIPTS_H_
#define KUROMARU_SERVICES_GEN_RECEIPTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
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
};
inline constexpr int kCategoryCount = 14;

std::string_view CategoryName(Category category);

// Shares of the categories, in Category order (normalized; zero disables one).
struct ReceiptMix {
  std::array<double, kCategoryCount> shares = {0.20, 0.12, 0.08, 0.07, 0.12,
                                               0.03, 0.03, 0.02, 0.08, 0.08,
                                               0.04, 0.02, 0.04, 0.07};
};

// The answer for one receipt.
struct Truth {
  std::string receipt_id;
  std::string category;
  std::string detail;
  std::string person_id;
  bool in_roster = false;
  // False only for late_roster: the key is then the person's newest roster
  // enrollment, which no longer covers the service month.
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
  std::vector<int64_t> multi_enrollment;  // households with an insurer change
  std::vector<int64_t> late;
  std::vector<int64_t> namesake;
  std::vector<int64_t> variant;  // households with a variant-kanji surname
  int64_t absent_households = 1;
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
    Date month;  // first day
  };
  bool TryMake(Category category, Rng& rng, v1::Receipt* receipt,
               Truth* truth) const;
  Household PickHousehold(Category category, Rng& rng) const;
  void Render(const Draw& d, Rng& rng, v1::Receipt* r) const;
  void ApplyCategory(Category category, const Draw& d, Rng& rng, v1::Receipt* r,
                     Truth* t) const;
  void ApplyFusho(const Draw& d, Rng& rng, v1::Receipt* r,
                  std::string* detail) const;
  void ApplyKanaNoise(const Person& p, Rng& rng, v1::Receipt* r,
                      std::string* detail) const;
  void ApplyBirthNoise(const Person& p, Rng& rng, v1::Receipt* r,
                       std::string* detail) const;

  const World& world_;
  const Population& population_;
  std::vector<double> cumulative_;
  uint64_t seed_;
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_RECEIPTS_H_
