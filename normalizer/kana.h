// Kana name normalization (カナ氏名).
//
// Receipts and rosters write the same reading in different ways: half-width or
// full-width, hiragana or katakana, small kana stored as large (キヨウコ for
// キョウコ), ヴ or バ, long-vowel marks or vowels. NormalizeKanaName folds
// these so that equal readings compare equal:
//
//   ASSIGN_OR_RETURN(KanaName name, NormalizeKanaName("ﾀｶﾊｼ ｲﾁﾛｰ"));
//   // name.key == "タカハシイチロウ", name.display == "タカハシ　イチロー"
//
// Folding rules for `key`, in order:
//   1. Half-width katakana become full-width; voicing marks (ﾞ ﾟ, U+3099/U+309A
//   and
//      the spacing ゛゜) are composed onto the preceding kana; hiragana become
//      katakana; the iteration marks ヽヾゝゞ repeat the preceding kana. These
//      are also the rules of `display`.
//   2. Small kana become large (ァィゥェォッャュョヮヵヶ →
//   アイウエオツヤユヨワカケ).
//   3. ヴ followed by ア/イ/エ/オ becomes バ/ビ/ベ/ボ (so ヴァ, written ヴア by
//   old
//      systems, is バ); any other ヴ becomes ブ. ヂ/ヅ → ジ/ズ; ヲ/ヰ/ヱ →
//      オ/イ/エ; ヷヸヹヺ → バビベボ.
//   4. A long-vowel mark (ー and its lookalikes ｰ － - ‐ ‑ ‒ – — ― ─ − ~ 〜 ～)
//      becomes a vowel: after an o-row kana ウ (ソー ≡ ソウ), after an e-row
//      kana イ (ケー ≡ ケイ), otherwise the vowel of the preceding kana (ユー ≡
//      ユウ, アー ≡ アア). A mark with no preceding vowel (at the start, after
//      ン) is dropped. Hence オーノ ≡ オウノ but ≠ オオノ in `key`.
// `loose_key` additionally removes voicing (ガ→カ, パ→ハ) and writes an o-row
// kana followed by オ or ウ as kana+ウ and an e-row kana followed by イ or エ
// as kana+イ, so オーノ ≡ オオノ ≡ オウノ and ケーコ ≡ ケイコ ≡ ケエコ there.
//
// Separators: ASCII and ideographic spaces (any run counts once), ・ and ＝.
// All functions are pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_KANA_H_
#define KUROMARU_NORMALIZER_KANA_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

struct KanaName {
  // Fully folded full-width katakana, no separators.
  std::string key;
  // `key` without voicing and with the loose long-vowel rule.
  std::string loose_key;
  // `key` split at the first separator; `given` is empty when there is none.
  std::string surname;
  std::string given;
  // Full-width katakana after rule 1 only, with one U+3000 for each separator
  // run.
  std::string display;
};

// Returns InvalidArgument for invalid UTF-8, for text without any kana, and for
// a character that is neither kana nor a separator (the message names its code
// point).
absl::StatusOr<KanaName> NormalizeKanaName(std::string_view text);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_KANA_H_
