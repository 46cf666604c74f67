#include "normalizer/member.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"

namespace kuromaru::normalizer {
namespace {

bool IsDash(char32_t c) {
  return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
         c == 0x30FC || c == 0xFF70 || c == 0xFF0D;
}
bool IsSpace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0x3000;
}

std::string FoldAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

absl::StatusOr<std::string> FoldField(std::string_view text, const char* what) {
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid UTF-8"));
  }
  if (text.find('|') != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": contains '|'"));
  }
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
  if (ascii) return FoldAscii(text);
  // Dashes go before NFKC, which would turn ｰ into ー and － into '-'.
  ASSIGN_OR_RETURN(const std::u32string cps, DecodeUtf8(text));
  std::string stripped;
  for (char32_t c : cps) {
    if (!IsDash(c) && !IsSpace(c)) AppendUtf8(c, &stripped);
  }
  ASSIGN_OR_RETURN(std::string nfkc, Nfkc(stripped));
  std::string folded = FoldVariants(nfkc);
  // NFKC may produce spaces or '|' from compatibility forms (U+2002, U+FF5C).
  if (folded.find('|') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": contains '|'"));
  }
  return FoldAscii(folded);
}

}  // namespace

absl::StatusOr<MemberKey> NormalizeMember(std::string_view symbol,
                                          std::string_view number,
                                          std::string_view branch) {
  MemberKey out;
  ASSIGN_OR_RETURN(out.symbol, FoldField(symbol, "symbol"));
  ASSIGN_OR_RETURN(out.number, FoldField(number, "number"));
  ASSIGN_OR_RETURN(out.branch, FoldField(branch, "branch"));
  if (out.branch.size() == 1 && out.branch[0] >= '0' && out.branch[0] <= '9') {
    out.branch = absl::StrCat("0", out.branch);
  }
  out.sentinel = out.number == "777777777" || out.number == "77777777";
  out.key = absl::StrCat(out.symbol, "|", out.number, "|", out.branch);
  return out;
}

}  // namespace kuromaru::normalizer
