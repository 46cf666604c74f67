#include "services/gen/policy.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

using normalizer::AppendUtf8;

const char* Separator(NameSpace s) {
  switch (s) {
    case NameSpace::kIdeographic:
      return "\u3000";
    case NameSpace::kAscii:
      return " ";
    case NameSpace::kNone:
      return "";
  }
  return "\u3000";
}

NameSpace DrawSpace(double ascii, double none, Rng& rng) {
  const double x = rng.Unit();
  return x < ascii          ? NameSpace::kAscii
         : x < ascii + none ? NameSpace::kNone
                            : NameSpace::kIdeographic;
}

NameStyle DrawStyle(const PolicyMix& m, Rng& rng) {
  NameStyle s;
  s.half_width_kana = rng.Chance(m.half_width);
  s.kana_space = DrawSpace(m.kana_ascii_space, m.kana_no_space, rng);
  s.kanji_space = DrawSpace(m.kanji_ascii_space, m.kanji_no_space, rng);
  const double v = rng.Unit();
  s.variant = v < m.substitute                ? VariantForm::kSubstitute
              : v < m.substitute + m.wildcard ? VariantForm::kWildcard
              : v < m.substitute + m.wildcard + m.gaiji ? VariantForm::kGaiji
                                                        : VariantForm::kKeep;
  s.keep_ivs = rng.Chance(m.keep_ivs);
  s.small_as_large = rng.Chance(m.small_as_large);
  s.ji_for_dji = rng.Chance(m.ji_for_dji);
  const double l = rng.Unit();
  s.long_vowel = l < m.long_vowel_bar ? LongVowel::kBar
                 : l < m.long_vowel_bar + m.long_vowel_spelled
                     ? LongVowel::kSpelled
                     : LongVowel::kAsRead;
  return s;
}

// The kanji of `text` as `style` keeps them.
void AppendKanji(std::string_view text, const NameStyle& style, int offset,
                 const VariantTable& variants, std::string* out) {
  auto decoded = normalizer::DecodeUtf8(text);
  if (!decoded.ok()) return;
  const std::u32string& s = *decoded;
  for (size_t i = 0; i < s.size(); ++i) {
    const char32_t c = s[i];
    if (IsVariationSelector(c)) {
      if (style.keep_ivs) AppendUtf8(c, out);
      continue;
    }
    const bool jis = normalizer::IsJisX0208(c);
    const char32_t common = normalizer::FoldVariant(c);
    char32_t written = c;
    switch (style.variant) {
      case VariantForm::kKeep:
        break;
      case VariantForm::kSubstitute:
        written = common;
        break;
      case VariantForm::kWildcard:
        if (!jis) written = U'●';
        break;
      case VariantForm::kGaiji:
        if (!jis) written = variants.Gaiji(c, offset);
        break;
    }
    AppendUtf8(written, out);
  }
}

}  // namespace

bool IsVariationSelector(char32_t c) {
  return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

StoragePolicy DrawPolicy(InsurerKind kind, const PolicyMix& m, Rng& rng) {
  StoragePolicy p;
  p.style = DrawStyle(m, rng);
  p.alt = DrawStyle(m, rng);
  if (rng.Chance(m.mixed)) p.alt_share = rng.Unit() * m.mixed_max;
  const double no_kana = kind == InsurerKind::kKouki    ? m.kouki_no_kana
                         : kind == InsurerKind::kKokuho ? m.kokuho_no_kana
                                                        : m.employee_no_kana;
  if (rng.Chance(no_kana)) {
    p.kana_blank = 1;
  } else if (rng.Chance(m.partial_blank)) {
    p.kana_blank = rng.Unit() * m.partial_blank_max;
  }
  if (rng.Chance(m.katakana_kanji)) {
    p.katakana_kanji = rng.Unit() * m.katakana_kanji_max;
  }
  p.gaiji_offset = static_cast<int>(rng.Below(1880));
  return p;
}

std::string StyledKana(const NameForm& name, const NameStyle& style) {
  std::string kana = absl::StrCat(name.surname_kana,
                                  Separator(style.kana_space), name.given_kana);
  if (style.small_as_large) kana = SmallAsLarge(kana);
  if (style.ji_for_dji) kana = JiForDji(kana);
  if (style.long_vowel == LongVowel::kBar) kana = LongVowelsAsBar(kana);
  if (style.long_vowel == LongVowel::kSpelled) kana = BarsAsVowels(kana);
  if (style.half_width_kana) kana = ToHalfWidthKana(kana);
  return kana;
}

RosterName WriteRosterName(const NameForm& name, const StoragePolicy& policy,
                           const VariantTable& variants, uint64_t row_seed) {
  const NameStyle& style =
      UnitOf(row_seed, 0) < policy.alt_share ? policy.alt : policy.style;
  RosterName out;
  if (UnitOf(row_seed, 1) >= policy.kana_blank) {
    out.kana = StyledKana(name, style);
  }
  const char* sep = Separator(style.kanji_space);
  if (UnitOf(row_seed, 2) < policy.katakana_kanji) {
    out.kanji = absl::StrCat(name.surname_kana, sep, name.given_kana);
    return out;
  }
  AppendKanji(name.surname, style, policy.gaiji_offset, variants, &out.kanji);
  out.kanji += sep;
  AppendKanji(name.given, style, policy.gaiji_offset, variants, &out.kanji);
  return out;
}

}  // namespace kuromaru::gen
