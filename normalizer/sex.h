// 性別 as billed or on a roster row.
//
// Pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_SEX_H_
#define KUROMARU_NORMALIZER_SEX_H_

#include <string>
#include <string_view>

namespace kuromaru::normalizer {

// "1" for 1, １, 男, 男性, M, male; "2" for 2, ２, 女, 女性, F, female (letters
// in either case and width; surrounding spaces ignored). "" for anything else,
// invalid UTF-8 included: an unknown sex is not an error.
std::string NormalizeSex(std::string_view text);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_SEX_H_
