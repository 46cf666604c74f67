// How people and systems write the same facts differently: kana widths and
// spellings, 和暦, digits off by one keystroke. Used to render receipts (and
// some roster exports) from the true values. All functions are pure except
// those taking an Rng; thread-compatible.
#ifndef KUROMARU_SERVICES_GEN_NOISE_H_
#define KUROMARU_SERVICES_GEN_NOISE_H_

#include <string>
#include <string_view>

#include "normalizer/date.h"
#include "services/gen/random.h"

namespace kuromaru::gen {

using normalizer::Date;

// Days since 1970-01-01 (proleptic Gregorian) and back.
int DaysFromCivil(const Date& d);
Date CivilFromDays(int days);
Date AddDays(const Date& d, int days);
// The same month and day `years` later; 2月29日 becomes 3月1日 in a common
// year.
Date AddYears(const Date& d, int years);
bool Before(const Date& a, const Date& b);

// 和暦 as on receipts: GYYMMDD and GYYMM (G: 1 明治 … 5 令和). Empty before
// 明治.
std::string WarekiDate(const Date& d);
std::string WarekiMonth(int year, int month);
// GYYMMDD with the right era-year, month and day under an adjacent era in
// which that date exists and is before `latest` (平成5年 for 昭和5年, the
// usual slip); empty when there is none.
std::string WrongEraDate(const Date& d, const Date& latest, Rng& rng);

// Full-width katakana (and U+3000) to half-width (ﾀｶﾊｼ ｲﾁﾛｳ); other text is
// kept.
std::string ToHalfWidthKana(std::string_view text);
// Small kana written large (キョウコ → キヨウコ); `text` when it has none.
std::string SmallAsLarge(std::string_view text);
// The first long vowel spelled the other way: サトウ → サトー, ケイコ →
// ケーコ, ユーコ → ユウコ; `text` when there is none.
std::string SwapLongVowel(std::string_view text);
// Every long vowel written with ー (サトウ → サトー, ユウコ → ユーコ,
// ケイコ → ケーコ), as some insurers spell them.
std::string LongVowelsAsBar(std::string_view text);
// Every ー spelled out (ユーコ → ユウコ, ケーコ → ケイコ).
std::string BarsAsVowels(std::string_view text);
// ヂ, ヅ written ジ, ズ.
std::string JiForDji(std::string_view text);
// One voiced or semi-voiced kana without its mark (ワタナベ → ワタナヘ);
// `text` when there is none.
std::string DropVoicing(std::string_view text, Rng& rng);

// `digits` with one ASCII digit at index >= `from` replaced by another.
std::string ChangeOneDigit(std::string_view digits, size_t from, Rng& rng);
// `digits` with two different adjacent digits exchanged; empty when all
// neighbours are equal.
std::string SwapAdjacentDigits(std::string_view digits, Rng& rng);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_NOISE_H_
