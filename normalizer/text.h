// Unicode helpers shared by the field normalizers.
//
// Thread-safe: ICU's Normalizer2 instances are immutable singletons.
#ifndef KUROMARU_NORMALIZER_TEXT_H_
#define KUROMARU_NORMALIZER_TEXT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

// NFKC of valid UTF-8 `text` (full-width ASCII and digits become ASCII,
// half-width kana become full-width, compatibility ideographs become their
// unified forms). Returns InvalidArgument for invalid UTF-8.
absl::StatusOr<std::string> Nfkc(std::string_view text);

// `text` with ASCII whitespace and U+3000 trimmed from both ends.
std::string_view TrimSpaces(std::string_view text);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_TEXT_H_
