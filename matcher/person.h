// The comparable form of one side of a comparison: a receipt, or one enrollment
// of the roster. Both sides are normalized by the same functions (normalizer/),
// so that equal keys mean equal values.
//
// PersonView holds views only: the roster index keeps its strings in compact
// arenas and hands out views into them; a receipt keeps them in a
// NormalizedPerson.
#ifndef KUROMARU_MATCHER_PERSON_H_
#define KUROMARU_MATCHER_PERSON_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kuromaru::matcher {

// A date as YYYYMMDD in one integer (19750123); 0 when missing.
using PackedDate = uint32_t;
// A month as YYYYMM (202404); 0 when missing.
using PackedMonth = uint32_t;

enum class Sex : uint8_t { kUnknown = 0, kMale = 1, kFemale = 2 };

struct PersonView {
  // Kanji name: exact key (wildcards as ●) and loose key (variant kanji
  // folded), with the surname part of each where a separator existed (empty
  // otherwise).
  std::string_view kanji_key;
  std::string_view kanji_loose_key;
  std::string_view kanji_surname;
  int wildcard_count = 0;
  // Kana name: fully folded key, loose key (no voicing marks), surname part.
  std::string_view kana_key;
  std::string_view kana_loose_key;
  std::string_view kana_surname;
  PackedDate birth_date = 0;
  Sex sex = Sex::kUnknown;
  // Insurer number (digits) and member key (記号|番号|枝番 folded).
  std::string_view insurer_number;
  std::string_view member_key;
  // Number alone (番号 folded), for the member-number-across-insurers pass.
  std::string_view member_number;
  std::string_view postal_code;  // 7 digits
  std::string_view address_key;  // prefecture + municipality + town + N-N-N
  std::string_view
      municipality;  // prefecture + municipality, for a coarser level
};

// 記号|番号 of a member key (記号|番号|枝番) without the branch: a household's
// members share it, and receipts often omit or mistype the branch.
inline std::string_view WithoutBranch(std::string_view member_key) {
  const size_t bar = member_key.rfind('|');
  return bar == std::string_view::npos ? member_key : member_key.substr(0, bar);
}

// A PersonView with storage of its own, for a receipt.
struct NormalizedPerson {
  std::string kanji_key, kanji_loose_key, kanji_surname;
  int wildcard_count = 0;
  std::string kana_key, kana_loose_key, kana_surname;
  PackedDate birth_date = 0;
  Sex sex = Sex::kUnknown;
  std::string insurer_number, member_key, member_number;
  std::string postal_code, address_key, municipality;

  PersonView View() const {
    return {kanji_key,   kanji_loose_key, kanji_surname, wildcard_count,
            kana_key,    kana_loose_key,  kana_surname,  birth_date,
            sex,         insurer_number,  member_key,    member_number,
            postal_code, address_key,     municipality};
  }
};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_PERSON_H_
