// Variant kanji (異体字) the other way round: for a canonical character, the
// variants that normalizer::FoldVariant folds onto it (高 → 髙; 崎 → 﨑, 嵜;
// 辺 → 邊, 邉 …), found by scanning U+3400–U+9FFF, U+F900–U+FAFF and
// U+20000–U+2FFFF once. Immutable after Build; thread-safe.
#ifndef KUROMARU_SERVICES_GEN_VARIANTS_H_
#define KUROMARU_SERVICES_GEN_VARIANTS_H_

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace kuromaru::gen {

class VariantTable {
 public:
  static std::unique_ptr<const VariantTable> Build();

  // The variants of `canonical`, in code-point order; empty if none.
  const std::vector<char32_t>& VariantsOf(char32_t canonical) const;

  // The private-use code point an insurer's system gives `c` as its own 外字:
  // U+E000 + k, within U+E000–U+E757 (CP932's user-defined area). Each
  // insurer numbers its 外字 table its own way: `offset` shifts k.
  char32_t Gaiji(char32_t c, int offset = 0) const;

 private:
  VariantTable() = default;
  absl::flat_hash_map<char32_t, std::vector<char32_t>> variants_;
  absl::flat_hash_map<char32_t, char32_t> gaiji_;
};

}  // namespace kuromaru::gen

#endif  // KUROMARU_SERVICES_GEN_VARIANTS_H_
