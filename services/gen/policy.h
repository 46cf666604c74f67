// How each insurer's roster export writes a person's name: the storage
// policy, drawn once per insurer, and the rendering of one roster row by it.
//
// Real exports differ by insurer, and some differ row by row (records
// migrated from an older system, entered by hand at a counter):
//   - kana: never kept (many 後期高齢者医療広域連合, some 国保), blank for a
//     share of rows, full- or half-width, with U+3000, U+0020 or no space;
//     and spelled by the insurer's convention: small kana written large
//     (キョウコ → キヨウコ), ヂ/ヅ as ジ/ズ, long vowels as ー (ユウコ →
//     ユーコ) or spelled out (ユーコ → ユウコ);
//   - kanji: U+3000, U+0020 or no space between surname and given name; a
//     variant or old-form kanji (髙, 﨑, 澤, 德 …) kept, replaced by its
//     common form, relayed as ● when outside JIS X 0208 (what the national
//     system passes on), or written as the insurer's own 外字 (a private-use
//     code point of its own table); an ideographic variation sequence (辻󠄀,
//     葛󠄀) kept or reduced to its base character; katakana in the kanji
//     column for a share of rows.
// Thread-compatible: the functions taking an Rng draw from it.
#ifndef KUROMARU_SERVICES_GEN_POLICY_H_
#define KUROMARU_SERVICES_GEN_POLICY_H_

#include <cstdint>
#include <string>

#include "services/gen/random.h"
#include "services/gen/variants.h"

namespace kuromaru::gen {

enum class NameSpace { kIdeographic, kAscii, kNone };
enum class VariantForm { kKeep, kSubstitute, kWildcard, kGaiji };
enum class LongVowel { kAsRead, kBar, kSpelled };

// One way of writing names; an insurer has one, or two that it mixes.
struct NameStyle {
  bool half_width_kana = false;
  NameSpace kana_space = NameSpace::kIdeographic;
  NameSpace kanji_space = NameSpace::kIdeographic;
  VariantForm variant = VariantForm::kKeep;
  bool keep_ivs = false;  // keeps ideographic variation sequences
  bool small_as_large = false;
  bool ji_for_dji = false;  // ヂ, ヅ written ジ, ズ
  LongVowel long_vowel = LongVowel::kAsRead;
};

struct StoragePolicy {
  NameStyle style;
  // Rows written in `alt` instead (0: the insurer is consistent).
  NameStyle alt;
  double alt_share = 0;
  // Rows whose kana is blank (1: the insurer keeps no kana).
  double kana_blank = 0;
  // Rows whose kanji column holds the katakana name.
  double katakana_kanji = 0;
  // Offset of this insurer's 外字 table (VariantTable::Gaiji).
  int gaiji_offset = 0;
};

// What the insurers' policies are drawn from. The defaults are the default
// profile's (profile.h); every share is of the insurers of the kind named.
struct PolicyMix {
  // Insurers that keep no kana at all. Default: 後期高齢者 60%, 国保 15%,
  // employee schemes 2%.
  double kouki_no_kana = 0.60;
  double kokuho_no_kana = 0.15;
  double employee_no_kana = 0.02;
  // Of the others, insurers that blank the kana in some rows, and the most
  // rows they blank. Default: 25%, up to 15% of their rows.
  double partial_blank = 0.25;
  double partial_blank_max = 0.15;
  // Kana written half-width; with ASCII space; without space. Default: 20%,
  // 15%, 10%.
  double half_width = 0.20;
  double kana_ascii_space = 0.15;
  double kana_no_space = 0.10;
  // Kanji with ASCII space; without space. Default: 15%, 15%.
  double kanji_ascii_space = 0.15;
  double kanji_no_space = 0.15;
  // Variant kanji replaced by the common form; outside JIS X 0208 as ●; as
  // 外字. The rest keep them. Default: 30%, 15%, 15%.
  double substitute = 0.30;
  double wildcard = 0.15;
  double gaiji = 0.15;
  // Insurers whose system keeps variation sequences. Default: 20%.
  double keep_ivs = 0.20;
  // Kana conventions. Default: small kana large 15%, ヂ as ジ 30%, long
  // vowels as ー 10%, spelled out 10%.
  double small_as_large = 0.15;
  double ji_for_dji = 0.30;
  double long_vowel_bar = 0.10;
  double long_vowel_spelled = 0.10;
  // Insurers mixing a second style row by row, and its most rows. Default:
  // 20%, up to 50%.
  double mixed = 0.20;
  double mixed_max = 0.50;
  // Insurers writing katakana in the kanji column for some rows, and the
  // most rows. Default: 10%, up to 5%.
  double katakana_kanji = 0.10;
  double katakana_kanji_max = 0.05;
};

enum class InsurerKind { kKyokai, kKumiai, kKyosai, kKouki, kKokuho };

// Draws the policy of an insurer of `kind`.
StoragePolicy DrawPolicy(InsurerKind kind, const PolicyMix& mix, Rng& rng);

// The registered name of a person at one time. The kanji are as in the
// family register: variant or old forms, variation sequences included.
struct NameForm {
  std::string surname;
  std::string given;
  std::string surname_kana;  // full-width katakana
  std::string given_kana;
  // The code-point index in surname + given of the variant character a
  // receipt may substitute (name_substitute), -1 if none; and its common form.
  int variant_index = -1;
  char32_t canonical = 0;
};

// The name columns of one roster row written by `policy`; `row_seed` draws
// the row's style, blank kana and katakana column.
struct RosterName {
  std::string kanji;
  std::string kana;
};
RosterName WriteRosterName(const NameForm& name, const StoragePolicy& policy,
                           const VariantTable& variants, uint64_t row_seed);

// The kana as `style` spells it (conventions, width and space).
std::string StyledKana(const NameForm& name, const NameStyle& style);

// True for U+FE00–U+FE0F and U+E0100–U+E01EF.
bool IsVariationSelector(char32_t c);

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_POLICY_H_
