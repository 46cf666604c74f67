// Variant kanji (異体字) folding and JIS X 0208 membership.
//
// The folding table is built at build time from Unihan (kJinmeiyoKanji old→new
// forms, selected kSemanticVariant / kZVariant pairs) plus a curated list of
// name variants (normalizer/tables/name_variants.txt, each pair with its
// source). Chinese simplification (kSimplifiedVariant) is never used. All
// functions are pure, table-driven and thread-safe.
#ifndef KUROMARU_NORMALIZER_VARIANT_KANJI_H_
#define KUROMARU_NORMALIZER_VARIANT_KANJI_H_

#include <string>
#include <string_view>

namespace kuromaru::normalizer {

// The canonical form of one code point for the loose key (髙→高, 﨑→崎, 邉→辺
// …); `c` itself when it has none.
char32_t FoldVariant(char32_t c);

// FoldVariant applied to every code point of valid UTF-8 `text`.
std::string FoldVariants(std::string_view text);

// True if `c` is in JIS X 0208 (the characters a claim may carry; anything else
// is shown as ● by the national system).
bool IsJisX0208(char32_t c);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_VARIANT_KANJI_H_
