#include "matcher/comparison.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "matcher/name_relation.h"
#include "normalizer/date.h"
#include "normalizer/name_kanji.h"
#include "normalizer/similarity.h"
#include "normalizer/utf8.h"

namespace kuromaru::matcher {
namespace {

using L = Level;

constexpr std::string_view kFieldNames[kFieldCount] = {
    "name_kanji", "name_kana", "birth_date", "sex",
    "member",     "insurer",   "address",    "enrollment"};

constexpr std::string_view kLevelNames[kLevelCount] = {
    "EXACT",
    "EXACT_AFTER_FOLDING",
    "WILDCARD",
    "NEAR",
    "SIMILAR",
    "SURNAME_ONLY",
    "SURNAME_CHANGED",
    "ONE_DIGIT",
    "MONTH_DAY_SWAPPED",
    "WRONG_ERA",
    "SAME_NUMBER",
    "PREVIOUS_MEMBER",
    "REPAIRED",
    "SAME_HOUBETSU_PREFECTURE",
    "PREVIOUS_INSURER",
    "POSTAL_CODE",
    "MUNICIPALITY",
    "VALID",
    "ENDED_RECENTLY",
    "STARTS_AFTER",
    "INVALID",
    "DIFFERENT",
    "MISSING",
};

constexpr Level kKanjiLevels[] = {
    L::kExact,          L::kExactAfterFolding, L::kWildcard, L::kNear,
    L::kSurnameChanged, L::kDifferent,         L::kMissing};
constexpr Level kKanaLevels[] = {
    L::kExact,       L::kExactAfterFolding, L::kNear,      L::kSimilar,
    L::kSurnameOnly, L::kSurnameChanged,    L::kDifferent, L::kMissing};
constexpr Level kDateLevels[] = {L::kExact,           L::kOneDigit,
                                 L::kMonthDaySwapped, L::kWrongEra,
                                 L::kDifferent,       L::kMissing};
constexpr Level kSexLevels[] = {L::kExact, L::kDifferent, L::kMissing};
constexpr Level kMemberLevels[] = {L::kExact,     L::kSameNumber,
                                   L::kNear,      L::kPreviousMember,
                                   L::kDifferent, L::kMissing};
constexpr Level kInsurerLevels[] = {
    L::kExact,           L::kRepaired,
    L::kPreviousInsurer, L::kSameHoubetsuPrefecture,
    L::kDifferent,       L::kMissing};
constexpr Level kAddressLevels[] = {L::kExact, L::kPostalCode, L::kMunicipality,
                                    L::kDifferent, L::kMissing};
constexpr Level kEnrollmentLevels[] = {
    L::kValid, L::kEndedRecently, L::kStartsAfter, L::kInvalid, L::kMissing};

FieldComparison Make(Level level, std::string_view receipt,
                     std::string_view roster, bool with_values) {
  if (!with_values) return {level, {}, {}};
  return {level, std::string(receipt), std::string(roster)};
}

// Decodes valid UTF-8 into a per-thread buffer (slot 0 or 1), so that comparing
// allocates nothing once the buffers have grown. The view lives until the slot
// is used again on this thread.
std::u32string_view Decode(std::string_view text, int slot) {
  thread_local std::u32string buffers[2];
  std::u32string& out = buffers[slot];
  out.clear();
  // Keys are valid UTF-8 (they come out of the normalizer).
  (void)normalizer::ForEachCodePoint(text, [&out](char32_t c, size_t, size_t) {
    out.push_back(c);
    return absl::OkStatus();
  });
  return out;
}

// One edit, or two adjacent characters exchanged.
bool OneTypoApart(std::u32string_view a, std::u32string_view b) {
  if (normalizer::EditDistance(a, b) <= 1) return true;
  if (a.size() != b.size()) return false;
  size_t first = 0;
  while (first < a.size() && a[first] == b[first]) ++first;
  if (first + 1 >= a.size()) return false;
  return a[first] == b[first + 1] && a[first + 1] == b[first] &&
         a.substr(first + 2) == b.substr(first + 2);
}

normalizer::Date Unpack(PackedDate date) {
  return {static_cast<int>(date / 10000), static_cast<int>(date / 100 % 100),
          static_cast<int>(date % 100)};
}

// The first day of the month `months` after `month` (negative: before).
PackedDate FirstDay(PackedMonth month, int months) {
  int index = static_cast<int>(month / 100) * 12 +
              static_cast<int>(month % 100) - 1 + months;
  return static_cast<PackedDate>((index / 12) * 10000 + (index % 12 + 1) * 100 +
                                 1);
}

// 法別番号 + 都道府県番号 of an insurer number; "" + prefecture for 国保.
std::string SchemeAndPrefecture(std::string_view digits) {
  if (digits.size() == 8) return std::string(digits.substr(0, 4));
  if (digits.size() == 6)
    return absl::StrCat("KH", std::string(digits.substr(0, 2)));
  return "";
}

bool Contains(std::span<const std::string_view> list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::string_view FieldName(Field field) {
  return kFieldNames[static_cast<int>(field)];
}

std::optional<Field> FieldFromName(std::string_view name) {
  for (int i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == name) return static_cast<Field>(i);
  }
  return std::nullopt;
}

std::string_view LevelName(Level level) {
  return kLevelNames[static_cast<int>(level)];
}

std::optional<Level> LevelFromName(std::string_view name) {
  for (int i = 0; i < kLevelCount; ++i) {
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  }
  return std::nullopt;
}

std::span<const Level> LevelsOf(Field field) {
  switch (field) {
    case Field::kNameKanji:
      return kKanjiLevels;
    case Field::kNameKana:
      return kKanaLevels;
    case Field::kBirthDate:
      return kDateLevels;
    case Field::kSex:
      return kSexLevels;
    case Field::kMember:
      return kMemberLevels;
    case Field::kInsurer:
      return kInsurerLevels;
    case Field::kAddress:
      return kAddressLevels;
    case Field::kEnrollment:
      return kEnrollmentLevels;
  }
  return {};
}

bool FieldHasLevel(Field field, Level level) {
  std::span<const Level> levels = LevelsOf(field);
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::string PackedDateString(PackedDate date) {
  if (date == 0) return "";
  if (date > 99999999) return absl::StrCat(date);
  std::string out(8, '0');
  for (int i = 7; i >= 0 && date != 0; --i, date /= 10) {
    out[i] = static_cast<char>('0' + date % 10);
  }
  return out;
}

FieldComparison CompareNameKanji(const PersonView& receipt,
                                 const PersonView& roster, bool with_values) {
  const std::string_view a = receipt.kanji_key;
  const std::string_view b = roster.kanji_key;
  if (a.empty() || b.empty() || KanjiKeyIsKana(a) != KanjiKeyIsKana(b)) {
    return Make(L::kMissing, a, b, with_values);
  }
  switch (normalizer::CompareKanjiKeys(a, receipt.kanji_loose_key, b,
                                       roster.kanji_loose_key)) {
    case normalizer::NameMatch::kExact:
      return Make(L::kExact, a, b, with_values);
    case normalizer::NameMatch::kExactAfterFolding:
      return Make(L::kExactAfterFolding, a, b, with_values);
    case normalizer::NameMatch::kWildcardCompatible:
      return Make(L::kWildcard, a, b, with_values);
    case normalizer::NameMatch::kDifferent:
      break;
  }
  if (normalizer::EditDistance(Decode(receipt.kanji_loose_key, 0),
                               Decode(roster.kanji_loose_key, 1)) <= 1) {
    return Make(L::kNear, a, b, with_values);
  }
  if (KanjiSurnameChanged(receipt, roster)) {
    return Make(L::kSurnameChanged, a, b, with_values);
  }
  return Make(L::kDifferent, a, b, with_values);
}

FieldComparison CompareNameKana(const PersonView& receipt,
                                const PersonView& roster, bool with_values) {
  const std::string_view a = receipt.kana_key;
  const std::string_view b = roster.kana_key;
  if (a.empty() || b.empty()) return Make(L::kMissing, a, b, with_values);
  if (a == b) return Make(L::kExact, a, b, with_values);
  if (receipt.kana_loose_key == roster.kana_loose_key) {
    return Make(L::kExactAfterFolding, a, b, with_values);
  }
  const double similarity = normalizer::JaroWinkler(Decode(a, 0), Decode(b, 1));
  if (similarity >= kKanaNear) return Make(L::kNear, a, b, with_values);
  // A new surname before the same given name can look SIMILAR by letters
  // (セイカヒロミツ / イトカワヒロミツ): the split says what changed.
  if (KanaSurnameChanged(receipt, roster)) {
    return Make(L::kSurnameChanged, a, b, with_values);
  }
  if (similarity >= kKanaSimilar) return Make(L::kSimilar, a, b, with_values);
  if (!receipt.kana_surname.empty() &&
      receipt.kana_surname == roster.kana_surname) {
    return Make(L::kSurnameOnly, a, b, with_values);
  }
  return Make(L::kDifferent, a, b, with_values);
}

FieldComparison CompareBirthDate(PackedDate receipt, PackedDate roster,
                                 bool with_values) {
  std::string a = with_values ? PackedDateString(receipt) : std::string();
  std::string b = with_values ? PackedDateString(roster) : std::string();
  Level level = L::kMissing;
  if (receipt != 0 && roster != 0) {
    switch (normalizer::CompareDates(Unpack(receipt), Unpack(roster))) {
      case normalizer::DateRelation::kSame:
        level = L::kExact;
        break;
      case normalizer::DateRelation::kOneDigitDay:
      case normalizer::DateRelation::kOneDigitMonth:
      case normalizer::DateRelation::kOneDigitYear:
        level = L::kOneDigit;
        break;
      case normalizer::DateRelation::kMonthDaySwapped:
        level = L::kMonthDaySwapped;
        break;
      case normalizer::DateRelation::kWrongEra:
        level = L::kWrongEra;
        break;
      case normalizer::DateRelation::kDifferent:
        level = L::kDifferent;
        break;
    }
  }
  return {level, std::move(a), std::move(b)};
}

FieldComparison CompareSex(Sex receipt, Sex roster, bool with_values) {
  auto name = [](Sex sex) -> std::string_view {
    return sex == Sex::kMale ? "1" : sex == Sex::kFemale ? "2" : "";
  };
  Level level = L::kMissing;
  if (receipt != Sex::kUnknown && roster != Sex::kUnknown) {
    level = receipt == roster ? L::kExact : L::kDifferent;
  }
  return Make(level, name(receipt), name(roster), with_values);
}

FieldComparison CompareMember(const PersonView& receipt,
                              const PersonView& roster, bool with_values) {
  const std::string_view a = receipt.member_key;
  const std::string_view b = roster.member_key;
  const std::string_view na = receipt.member_number;
  const std::string_view nb = roster.member_number;
  if (na.empty() || nb.empty() || na == "777777777" || na == "77777777") {
    return Make(L::kMissing, a, b, with_values);
  }
  if (a == b) return Make(L::kExact, a, b, with_values);
  if (na == nb) return Make(L::kSameNumber, a, b, with_values);
  if (std::min(na.size(), nb.size()) >= 4 &&
      OneTypoApart(Decode(na, 0), Decode(nb, 1))) {
    return Make(L::kNear, a, b, with_values);
  }
  return Make(L::kDifferent, a, b, with_values);
}

FieldComparison CompareInsurer(const normalizer::InsurerNumber* billed,
                               std::string_view roster_insurer,
                               std::span<const std::string_view> other_insurers,
                               bool with_values) {
  const std::string_view a =
      billed != nullptr ? std::string_view(billed->digits) : std::string_view();
  const std::string_view b = roster_insurer;
  if (billed == nullptr || billed->sentinel || a.empty() || b.empty()) {
    return Make(L::kMissing, a, b, with_values);
  }
  if (a == b) return Make(L::kExact, a, b, with_values);
  if (!billed->check_digit_valid &&
      std::find(billed->repairs.begin(), billed->repairs.end(), b) !=
          billed->repairs.end()) {
    return Make(L::kRepaired, a, b, with_values);
  }
  if (Contains(other_insurers, a))
    return Make(L::kPreviousInsurer, a, b, with_values);
  if (!billed->check_digit_valid) {
    for (const std::string& repair : billed->repairs) {
      if (Contains(other_insurers, repair)) {
        return Make(L::kPreviousInsurer, a, b, with_values);
      }
    }
  }
  const std::string scheme = SchemeAndPrefecture(a);
  if (!scheme.empty() && scheme == SchemeAndPrefecture(b)) {
    return Make(L::kSameHoubetsuPrefecture, a, b, with_values);
  }
  return Make(L::kDifferent, a, b, with_values);
}

FieldComparison CompareAddress(const PersonView& receipt,
                               const PersonView& roster, bool with_values) {
  const bool keys = !receipt.address_key.empty() && !roster.address_key.empty();
  const bool postal =
      !receipt.postal_code.empty() && !roster.postal_code.empty();
  const bool towns =
      !receipt.municipality.empty() && !roster.municipality.empty();
  Level level = L::kMissing;
  if (keys && receipt.address_key == roster.address_key) {
    level = L::kExact;
  } else if (postal && receipt.postal_code == roster.postal_code) {
    level = L::kPostalCode;
  } else if (towns && receipt.municipality == roster.municipality) {
    level = L::kMunicipality;
  } else if (keys || postal || towns) {
    level = L::kDifferent;
  }
  // The postal codes are what agreed at that level; otherwise the address keys.
  const bool show_postal = level == L::kPostalCode;
  return Make(level,
              show_postal || receipt.address_key.empty() ? receipt.postal_code
                                                         : receipt.address_key,
              show_postal || roster.address_key.empty() ? roster.postal_code
                                                        : roster.address_key,
              with_values);
}

FieldComparison CompareEnrollment(PackedMonth service_month,
                                  const EnrollmentContext& enrollment,
                                  bool with_values) {
  std::string a, b;
  if (with_values) {
    a = service_month == 0 ? "" : absl::StrCat(service_month);
    b = absl::StrCat(PackedDateString(enrollment.qualified_from), "-",
                     PackedDateString(enrollment.qualified_until));
  }
  Level level = L::kInvalid;
  const PackedDate first_day =
      service_month == 0 ? 0 : FirstDay(service_month, 0);
  const PackedDate until = enrollment.qualified_until;
  if (service_month == 0) {
    level = L::kMissing;
  } else if (enrollment.valid_in_service_month) {
    level = L::kValid;
  } else if (until != 0 && until <= first_day &&
             until > FirstDay(service_month, -3) &&
             !enrollment.person_has_other_valid) {
    level = L::kEndedRecently;
  } else if (enrollment.qualified_from > first_day) {
    level = L::kStartsAfter;
  }
  return {level, std::move(a), std::move(b)};
}

}  // namespace kuromaru::matcher
