// UTF-8 decoding and encoding shared by the normalizers.
//
// All functions are pure and thread-safe. Invalid UTF-8 (overlong forms,
// surrogates, truncated sequences, code points above U+10FFFF) is an error,
// never replaced silently.
#ifndef KUROMARU_NORMALIZER_UTF8_H_
#define KUROMARU_NORMALIZER_UTF8_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

// True if `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// Decodes `text` into code points. Returns InvalidArgument naming the byte
// offset of the first malformed sequence.
absl::StatusOr<std::u32string> DecodeUtf8(std::string_view text);

// Appends the UTF-8 form of `c` to `out`. Requires a valid scalar value.
void AppendUtf8(char32_t c, std::string* out);

// Encodes code points as UTF-8. Requires valid scalar values.
std::string EncodeUtf8(std::u32string_view text);

// Number of code points in valid UTF-8 `text`.
size_t CodePointCount(std::string_view text);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_UTF8_H_
