#include "services/gen/variants.h"

#include <cstdint>

#include "normalizer/variant_kanji.h"

namespace kuromaru::gen {

std::unique_ptr<const VariantTable> VariantTable::Build() {
  std::unique_ptr<VariantTable> t(new VariantTable());
  constexpr char32_t kRanges[][2] = {
      {0x3400, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FFFF}};
  char32_t next_gaiji = 0xE000;
  for (const auto& range : kRanges) {
    for (char32_t c = range[0]; c <= range[1]; ++c) {
      const char32_t canonical = normalizer::FoldVariant(c);
      if (canonical == c) continue;
      t->variants_[canonical].push_back(c);
      t->gaiji_[c] = next_gaiji;
      next_gaiji = next_gaiji == 0xE757 ? 0xE000 : next_gaiji + 1;
    }
  }
  return t;
}

const std::vector<char32_t>& VariantTable::VariantsOf(
    char32_t canonical) const {
  static const auto* const kNone = new std::vector<char32_t>();
  auto it = variants_.find(canonical);
  return it != variants_.end() ? it->second : *kNone;
}

char32_t VariantTable::Gaiji(char32_t c, int offset) const {
  constexpr char32_t kFirst = 0xE000;
  constexpr uint32_t kSize = 0xE758 - 0xE000;
  auto it = gaiji_.find(c);
  const uint32_t k = it != gaiji_.end() ? it->second - kFirst : c % kSize;
  return kFirst + (k + static_cast<uint32_t>(offset)) % kSize;
}

}  // namespace kuromaru::gen
