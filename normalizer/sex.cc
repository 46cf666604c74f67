#include "normalizer/sex.h"

#include "absl/strings/ascii.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {

std::string NormalizeSex(std::string_view text) {
  if (!IsValidUtf8(text)) return "";
  text = TrimSpaces(text);
  if (text.size() > 24) return "";
  // Fold full-width ASCII (U+FF01..U+FF5E: EF BC 81..EF BD 9E) to ASCII, lower
  // case.
  std::string folded;
  for (size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    if (b == 0xEF && i + 2 < text.size() &&
        (text[i + 1] == '\xBC' || text[i + 1] == '\xBD')) {
      const int cp = 0xFF00 + ((text[i + 1] == '\xBD') ? 0x40 : 0) +
                     (static_cast<unsigned char>(text[i + 2]) - 0x80);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        folded.push_back(static_cast<char>(cp - 0xFEE0));
        i += 3;
        continue;
      }
    }
    folded.push_back(static_cast<char>(b));
    ++i;
  }
  absl::AsciiStrToLower(&folded);
  if (folded == "1" || folded == "男" || folded == "男性" || folded == "m" ||
      folded == "male") {
    return "1";
  }
  if (folded == "2" || folded == "女" || folded == "女性" || folded == "f" ||
      folded == "female") {
    return "2";
  }
  return "";
}

}  // namespace kuromaru::normalizer
