// Per-field comparison of a receipt with one roster enrollment.
//
// Each field of a pair falls into one comparison level: a small ordered set of
// outcomes, from the strongest agreement to disagreement, plus MISSING when one
// side has no value. The Fellegi–Sunter model (model.h) gives every level of
// every field its own m and u probability; the scorer (scorer.h) sums their
// log2 ratios into the match weight.
//
// clang-format off
//   FieldComparison c = CompareNameKana(receipt.View(), enrollment);
//   // c.level == Level::kExactAfterFolding, c.receipt_value == "タカハシイチロー"
// clang-format on
//
// Levels are checked strongest first; a pair gets the first that holds. All
// functions are pure and thread-safe.
#ifndef KUROMARU_MATCHER_COMPARISON_H_
#define KUROMARU_MATCHER_COMPARISON_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "matcher/person.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

// The compared fields, in evidence order. Names as in the wire contract.
enum class Field : uint8_t {
  kNameKanji,   // name_kanji
  kNameKana,    // name_kana
  kBirthDate,   // birth_date
  kSex,         // sex
  kMember,      // member: 記号・番号・枝番
  kInsurer,     // insurer: 保険者番号, billed against the enrollment's
  kAddress,     // address: postal code and address key
  kEnrollment,  // enrollment: validity in the service month
};
inline constexpr int kFieldCount = 8;

// Every field, in order.
inline constexpr Field kAllFields[kFieldCount] = {
    Field::kNameKanji, Field::kNameKana, Field::kBirthDate, Field::kSex,
    Field::kMember,    Field::kInsurer,  Field::kAddress,   Field::kEnrollment};

// Every level of every field. Which levels a field uses: LevelsOf().
enum class Level : uint8_t {
  kExact,              // EXACT: equal keys (sex, address: agree)
  kExactAfterFolding,  // EXACT_AFTER_FOLDING: equal loose keys
  kWildcard,           // WILDCARD: equal where no ● hides a character
  kNear,               // NEAR: one typo (or Jaro–Winkler >= 0.92)
  kSimilar,            // SIMILAR: kana Jaro–Winkler >= 0.85
  kSurnameOnly,        // SURNAME_ONLY: kana surname equal, given differs
  kSurnameChanged,     // SURNAME_CHANGED: given name equal, surname differs
                       // (marriage, adoption): name_relation.h
  kOneDigit,           // ONE_DIGIT: birth date one digit off
  kMonthDaySwapped,    // MONTH_DAY_SWAPPED
  kWrongEra,           // WRONG_ERA: same 和暦 year under another era
  kSameNumber,         // SAME_NUMBER: 番号 equal, 記号 or 枝番 differ
  kPreviousMember,     // PREVIOUS_MEMBER: the key (or 番号) of the person's
                       // earlier enrollment: a stale card
  kRepaired,           // REPAIRED: a 検証番号 repair of the billed number
  kSameHoubetsuPrefecture,  // SAME_HOUBETSU_PREFECTURE
  kPreviousInsurer,         // PREVIOUS_INSURER: the person's earlier insurer
  kPostalCode,              // POSTAL_CODE: postal codes equal
  kMunicipality,            // MUNICIPALITY: same 市区町村
  kValid,                   // VALID: covers the first day of the month
  kEndedRecently,           // ENDED_RECENTLY: ended within 3 months before
  kStartsAfter,             // STARTS_AFTER: begins after the month's first day
  kInvalid,                 // INVALID: none of the above
  kDifferent,               // DIFFERENT
  kMissing,                 // MISSING: a side has no value (or 不詳)
};
inline constexpr int kLevelCount = 23;

// "name_kanji", "name_kana", "birth_date", "sex", "member", "insurer",
// "address", "enrollment".
std::string_view FieldName(Field field);
std::optional<Field> FieldFromName(std::string_view name);

// UPPER_SNAKE names as above ("EXACT_AFTER_FOLDING").
std::string_view LevelName(Level level);
std::optional<Level> LevelFromName(std::string_view name);

// The levels `field` uses, strongest first; kMissing is always last.
std::span<const Level> LevelsOf(Field field);
bool FieldHasLevel(Field field, Level level);

// The outcome of one field's comparison, with the two values as compared
// (normalized keys; dates as YYYYMMDD) for the evidence a reviewer reads.
// With `with_values` false (the comparison functions' last argument), the
// values stay empty and nothing is allocated: ranking needs only levels, and
// only the candidates shown to a reader are explained.
struct FieldComparison {
  Level level = Level::kMissing;
  std::string receipt_value;
  std::string roster_value;
};

// One level per field, indexed by Field: what the model is fitted on.
using ComparisonVector = std::array<Level, kFieldCount>;

// Another enrollment of the candidate's person: evidence the candidate
// enrollment lacks may come from it (a stale card, the name from before a
// marriage, an old address).
struct OtherEnrollment {
  PersonView person;
  // Ended on or before the first day of the service month (or, without a
  // month, at all).
  bool ended_before_month = false;
};

// Facts about the enrollment beyond the person, from the roster.
struct EnrollmentContext {
  PackedDate qualified_from = 0;
  PackedDate qualified_until = 0;  // first day without coverage; 0: current
  // Covers the first day of the service month (FORMATS.md §3).
  bool valid_in_service_month = false;
  // The same person has another enrollment valid in the service month. A
  // lapsed enrollment is then superseded rather than possibly stale; for a
  // valid one it means concurrent enrollments, which may be two namesakes
  // grouped as one person.
  bool person_has_other_valid = false;
  // Insurer numbers (digits) of the person's earlier enrollments, those that
  // ended on or before the first day of the service month, for the
  // PREVIOUS_INSURER level: a clinic billing a patient's former insurer.
  std::span<const std::string_view> other_insurers;
  // Every other enrollment of the same person (see OtherEnrollment).
  std::span<const OtherEnrollment> others;
  // Other persons in the roster with the same kana key and birth date as this
  // one; -1 when unknown. Used by the decision rule (scorer.h).
  int kana_birth_date_namesakes = -1;
};

// Kanji name. Keys as in PersonView (● wildcards). EXACT, EXACT_AFTER_FOLDING,
// WILDCARD (normalizer::CompareKanjiKeys), NEAR (loose keys one edit apart),
// SURNAME_CHANGED (given names agree, surnames differ), DIFFERENT, MISSING. A
// name written in kana on one side only is MISSING: the kana comparison already
// weighs the reading, and kana cannot disagree with kanji.
FieldComparison CompareNameKanji(const PersonView& receipt,
                                 const PersonView& roster,
                                 bool with_values = true);

// Kana name. EXACT (keys), EXACT_AFTER_FOLDING (loose keys), NEAR (Jaro–Winkler
// of the keys >= kKanaNear), SIMILAR (>= kKanaSimilar), SURNAME_ONLY (surname
// parts equal and non-empty), SURNAME_CHANGED (given names agree, surnames
// differ), DIFFERENT, MISSING.
inline constexpr double kKanaNear = 0.92;
inline constexpr double kKanaSimilar = 0.85;
FieldComparison CompareNameKana(const PersonView& receipt,
                                const PersonView& roster,
                                bool with_values = true);

// Birth date, via normalizer::CompareDates: EXACT, ONE_DIGIT (day, month or
// year), MONTH_DAY_SWAPPED, WRONG_ERA, DIFFERENT, MISSING (either is 0).
FieldComparison CompareBirthDate(PackedDate receipt, PackedDate roster,
                                 bool with_values = true);

// Sex: EXACT, DIFFERENT, MISSING (either unknown).
FieldComparison CompareSex(Sex receipt, Sex roster, bool with_values = true);

// Member key: EXACT (keys equal), SAME_NUMBER (番号 equal, 記号/枝番 not),
// NEAR (番号 one edit or one adjacent transposition apart, at least 4
// characters), DIFFERENT, MISSING (either number empty, or the receipt's is
// the 不詳 sentinel 777777777 / 77777777). PREVIOUS_MEMBER is never returned
// here: the scorer gives it when the receipt's key is EXACT or SAME_NUMBER
// against an earlier enrollment of the candidate's person.
FieldComparison CompareMember(const PersonView& receipt,
                              const PersonView& roster,
                              bool with_values = true);

// Billed insurer number against the enrollment's. `billed` is
// ParseInsurerNumber of the billed text, or nullptr when the receipt had none
// or it did not parse. EXACT, REPAIRED (the billed number fails its 検証番号
// and the enrollment's is one of its repairs), PREVIOUS_INSURER (the billed
// number, or one of its repairs, is one of `other_insurers`),
// SAME_HOUBETSU_PREFECTURE (same 法別番号 and 都道府県番号; two 国保 numbers of
// the same prefecture), DIFFERENT, MISSING (no number, or a 不詳 sentinel).
FieldComparison CompareInsurer(const normalizer::InsurerNumber* billed,
                               std::string_view roster_insurer,
                               std::span<const std::string_view> other_insurers,
                               bool with_values = true);

// Address: EXACT (address keys equal), POSTAL_CODE, MUNICIPALITY, DIFFERENT,
// MISSING (the receipt has neither postal code nor address, or the roster
// lacks what the receipt has).
FieldComparison CompareAddress(const PersonView& receipt,
                               const PersonView& roster,
                               bool with_values = true);

// The enrollment in the service month (YYYYMM): VALID; ENDED_RECENTLY (ended
// on or before the month's first day, within the 3 months before it, and the
// person has no other valid enrollment); STARTS_AFTER (begins after the
// month's first day); INVALID; MISSING when `service_month` is 0.
FieldComparison CompareEnrollment(PackedMonth service_month,
                                  const EnrollmentContext& enrollment,
                                  bool with_values = true);

// "YYYYMMDD" of a packed date; "" for 0.
std::string PackedDateString(PackedDate date);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_COMPARISON_H_
