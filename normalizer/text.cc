#include "normalizer/text.h"

#include "absl/status/status.h"
#include "normalizer/utf8.h"
#include "unicode/normalizer2.h"
#include "unicode/unistr.h"

namespace kuromaru::normalizer {

absl::StatusOr<std::string> Nfkc(std::string_view text) {
  if (!IsValidUtf8(text)) return absl::InvalidArgumentError("invalid UTF-8");
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  if (U_FAILURE(error)) return absl::InternalError(u_errorName(error));
  const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (nfkc->isNormalized(source, error) && U_SUCCESS(error)) {
    return std::string(text);
  }
  error = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfkc->normalize(source, error);
  if (U_FAILURE(error)) return absl::InternalError(u_errorName(error));
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

std::string_view TrimSpaces(std::string_view text) {
  constexpr std::string_view kIdeographicSpace = "\u3000";
  for (;;) {
    if (!text.empty() && (text.front() == ' ' || text.front() == '\t' ||
                          text.front() == '\r' || text.front() == '\n')) {
      text.remove_prefix(1);
    } else if (text.substr(0, 3) == kIdeographicSpace) {
      text.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                          text.back() == '\r' || text.back() == '\n')) {
      text.remove_suffix(1);
    } else if (text.size() >= 3 &&
               text.substr(text.size() - 3) == kIdeographicSpace) {
      text.remove_suffix(3);
    } else {
      break;
    }
  }
  return text;
}

}  // namespace kuromaru::normalizer
