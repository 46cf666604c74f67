#include "normalizer/variant_kanji.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "name_tables.h"
#include "normalizer/utf8.h"
#include "unicode/utf8.h"

namespace kuromaru::normalizer {
namespace {

using name_tables::kJisX0208Bits;
using name_tables::kVariantPairs;
using name_tables::VariantPair;

constexpr bool PairsSorted() {
  for (size_t i = 1; i < std::size(kVariantPairs); ++i) {
    if (kVariantPairs[i - 1].variant >= kVariantPairs[i].variant) return false;
  }
  return true;
}
static_assert(PairsSorted(), "kVariantPairs must be sorted by variant");

// Every variant is a CJK radical or ideograph; nothing below this has a fold.
constexpr char32_t kFirstVariant = kVariantPairs[0].variant;

}  // namespace

char32_t FoldVariant(char32_t c) {
  if (c < kFirstVariant) return c;
  const VariantPair* end = std::end(kVariantPairs);
  const VariantPair* it = std::lower_bound(
      std::begin(kVariantPairs), end, c,
      [](const VariantPair& p, char32_t key) { return p.variant < key; });
  return (it != end && it->variant == c) ? it->canonical : c;
}

std::string FoldVariants(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    // Invalid UTF-8 is copied through untouched rather than dropped, and so is
    // everything below the first character that has a variant.
    if (c < 0 || static_cast<char32_t>(c) < kFirstVariant) {
      out.append(text.substr(start, i - start));
    } else {
      AppendUtf8(FoldVariant(static_cast<char32_t>(c)), &out);
    }
  }
  return out;
}

bool IsJisX0208(char32_t c) {
  if (c >= 0x10000) return false;
  return (kJisX0208Bits[c >> 6] >> (c & 63)) & 1;
}

}  // namespace kuromaru::normalizer
