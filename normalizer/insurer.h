// 保険者番号 (insurer numbers): structure, 検証番号 and repair candidates.
//
//   absl::StatusOr<InsurerNumber> n = ParseInsurerNumber("３３１２００１６");
//   // n->check_digit_valid == false; n->repairs[...] contains "33120015".
//
// An 8-digit number is 法別番号 (2) + 都道府県番号 (2) + 保険者別番号
// (3) + 検証番号 (1); a 6-digit number (国民健康保険, 国保組合 included)
// is 都道府県番号 (2) + 保険者別番号 (3) + 検証番号 (1). 77777777 and
// 77777779 are the 不詳 sentinels a claim carries when the insurer is
// unknown; 77777779 is the one with a valid 検証番号.
//
// All functions are pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_INSURER_H_
#define KUROMARU_NORMALIZER_INSURER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

struct InsurerNumber {
  std::string digits;     // 8 or 6 ASCII digits
  bool kokuho = false;    // 6 digits: 国民健康保険
  bool sentinel = false;  // 不詳 (77777777 / 77777779): unknown, not a typo
  bool check_digit_valid = false;
  // 法別番号; empty for 6 digits.
  std::string houbetsu;
  // Its scheme (全国健康保険協会管掌健康保険…), 国民健康保険 for 6 digits;
  // empty if unknown.
  std::string houbetsu_name;
  // The two digits of 都道府県番号, and the prefecture's name when they are
  // 01–47 (empty otherwise).
  std::string prefecture_code;
  std::string prefecture;
  // For a number whose 検証番号 fails (sentinels excepted): the valid numbers
  // one digit away or two adjacent digits swapped, most plausible first (known
  // 法別番号 and prefecture first, then swaps, then single digits from the
  // right), unique, at most 30.
  std::vector<std::string> repairs;
};

// Parses an insurer number; full-width digits and surrounding spaces are
// accepted. Returns InvalidArgument for empty text ("empty"), invalid UTF-8,
// characters other than digits, or a length other than 6 or 8. A failing
// 検証番号 is not an error: see check_digit_valid and repairs.
absl::StatusOr<InsurerNumber> ParseInsurerNumber(std::string_view text);

// 検証番号 of `digits_without_check` (ASCII digits): Luhn mod 10, weights
// 2,1,2,… from the rightmost digit, the digits of each product summed, check =
// (10 - sum % 10) % 10. Returns -1 if `digits_without_check` holds anything but
// ASCII digits.
int CheckDigit(std::string_view digits_without_check);

// True if `digits` (ASCII digits, last one the 検証番号) is non-empty and its
// last digit is the CheckDigit of the others.
bool HasValidCheckDigit(std::string_view digits);

// Name of a 法別番号 ("01" → "全国健康保険協会管掌健康保険"); empty if unknown.
std::string_view HoubetsuName(std::string_view houbetsu);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_INSURER_H_
