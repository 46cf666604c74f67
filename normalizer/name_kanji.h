// Kanji name normalization (漢字氏名) and wildcard-aware comparison.
//
// A kanji name arrives with compatibility ideographs, ideographic variation
// sequences, full-width letters, insurer 外字 in the private-use area, and the
// placeholders a claims system writes for a character it cannot show. The
// national receipt system shows every character outside JIS X 0208 as ●, so a
// receipt's "●橋" may be the roster's "髙橋".
//
//   ASSIGN_OR_RETURN(KanjiName receipt, NormalizeKanjiName("●橋　太郎"));
//   ASSIGN_OR_RETURN(KanjiName roster, NormalizeKanjiName("髙橋 太郎"));
//   CompareKanjiNames(receipt, roster);  // NameMatch::kWildcardCompatible
//
// Normalization: variation selectors (U+FE00..U+FE0F, U+E0100..U+E01EF) are
// removed and recorded; the text is NFKC-normalized (compatibility ideographs
// such as 塚 U+FA10 become their unified form; 﨑 U+FA11 is a unified ideograph
// and stays, the loose key folds it to 崎); placeholders become one ● each; any
// run of spaces is one separator between surname and given name. ICU is only
// called when a code point outside the common ideograph, kana and ASCII ranges
// is present.
//
// Placeholders: ● U+25CF, 〓 U+3013, ■ U+25A0, ？ U+FF1F and ?, U+FFFD, and
// private-use code points (U+E000..U+F8FF, U+F0000..U+FFFFD,
// U+100000..U+10FFFD).
//
// All functions are pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_NAME_KANJI_H_
#define KUROMARU_NORMALIZER_NAME_KANJI_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

// The one-character wildcard in keys.
inline constexpr char32_t kNameWildcard = U'\u25CF';  // ●

struct KanjiName {
  // Exact comparison form: NFKC, each placeholder as one ●, no spaces.
  std::string key;
  // `key` with variant kanji folded (FoldVariants); wildcards stay ●.
  std::string loose_key;
  // `key` split at the first separator; `given` is empty when there is none.
  std::string surname;
  std::string given;
  std::string loose_surname;
  std::string loose_given;
  // Code-point indices of the wildcards in `key`.
  std::vector<int> wildcard_positions;
  int wildcard_count = 0;
  // One entry per removed variation selector: "U+845B U+E0100" (base,
  // selector), or the selector alone when nothing precedes it.
  std::vector<std::string> variation_notes;
  // True when the field holds only kana (clinics write katakana for a name that
  // has no JIS character); then `kana_key` is NormalizeKanaName's key.
  bool is_kana = false;
  std::string kana_key;
};

// Returns InvalidArgument for invalid UTF-8 and for text with no name
// characters.
absl::StatusOr<KanjiName> NormalizeKanjiName(std::string_view text);

// What a code point of a written name is, for showing it to a reviewer:
// a placeholder for a character the sending system could not encode (● 〓 ■
// ？ U+FFFD), an insurer's own 外字 (private use), a variation selector (it
// belongs to the character before it), a separator, or an ordinary character.
enum class NameCharClass {
  kOrdinary,
  kPlaceholder,
  kPrivateUse,
  kVariationSelector,
  kSpace,
};
NameCharClass ClassifyNameChar(char32_t c);

enum class NameMatch {
  kExact,               // equal keys, no wildcards
  kExactAfterFolding,   // equal loose keys, no wildcards
  kWildcardCompatible,  // equal after letting each ● stand for any one
                        // character
  kDifferent,
};

// Compares two normalized names. kWildcardCompatible requires equal lengths, at
// least one ● on either side, and agreement of every other position after
// variant folding. It says nothing about which character a ● hides: "●橋" is
// compatible with both "髙橋" and "石橋", and the matcher must let the kana
// name decide.
NameMatch CompareKanjiNames(const KanjiName& a, const KanjiName& b);

// CompareKanjiNames on the keys alone (`key` and `loose_key` of each side), for
// callers that keep names as views into their own storage. Wildcards are the ●
// in the keys.
NameMatch CompareKanjiKeys(std::string_view a_key, std::string_view a_loose,
                           std::string_view b_key, std::string_view b_loose);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_NAME_KANJI_H_
