// String similarity by code point, for comparing normalized name keys.
//
// Pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_SIMILARITY_H_
#define KUROMARU_NORMALIZER_SIMILARITY_H_

#include <string_view>

namespace kuromaru::normalizer {

// Jaro–Winkler similarity in [0, 1] (prefix scale 0.1 over at most 4 code
// points, applied when the Jaro similarity exceeds 0.7, as Winkler did). Two
// empty strings are identical (1); an empty and a non-empty string share
// nothing (0).
double JaroWinkler(std::u32string_view a, std::u32string_view b);

// Levenshtein distance (insertions, deletions and substitutions cost 1).
int EditDistance(std::u32string_view a, std::u32string_view b);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_SIMILARITY_H_
