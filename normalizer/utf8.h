// UTF-8 decoding and encoding shared by the normalizers.
//
// All functions are pure and thread-safe. Invalid UTF-8 (overlong forms,
// surrogates, truncated sequences, code points above U+10FFFF) is an error,
// never replaced silently.
#ifndef KUROMARU_NORMALIZER_UTF8_H_
#define KUROMARU_NORMALIZER_UTF8_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "unicode/utf8.h"

namespace kuromaru::normalizer {

// Calls `f(c, begin, end)` for each code point `c` of `text`, which spans bytes
// [begin, end). Returns the first non-OK status `f` returns, or InvalidArgument
// naming the byte offset of the first malformed sequence; OK otherwise.
template <typename F>
absl::Status ForEachCodePoint(std::string_view text, F&& f) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t begin = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid UTF-8 at byte ", begin));
    }
    absl::Status status = f(static_cast<char32_t>(c),
                            static_cast<size_t>(begin), static_cast<size_t>(i));
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

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
