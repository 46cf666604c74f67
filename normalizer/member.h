// 被保険者証記号・番号・枝番 (member keys).
//
//   absl::StatusOr<MemberKey> k =
//       NormalizeMember("ＡＢ－１２", "０１２３", "1");
//   // k->key == "AB12|0123|01"
//
// Pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_MEMBER_H_
#define KUROMARU_NORMALIZER_MEMBER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

struct MemberKey {
  // Each field folded: NFKC (full-width → ASCII, half-width kana → full-width),
  // ASCII letters upper-cased, spaces and hyphen/dash lookalikes (- ‐ ‑ ‒ – — ―
  // − ー ｰ －) removed, variant kanji folded (髙 → 高) as for names. Leading
  // zeros of the number are kept: insurers print them and they are part of the
  // key. A branch of one or two digits is zero-padded to two ("1" ≡ "01").
  std::string symbol;
  std::string number;
  std::string branch;
  std::string key;  // symbol + "|" + number + "|" + branch
  // 不詳: number 777777777 (or 77777777, 後期高齢者), billed with an unknown
  // insurer.
  bool sentinel = false;
};

// Folds the three fields. Returns InvalidArgument for invalid UTF-8 or a field
// containing '|' (the key's separator). Empty fields are allowed.
absl::StatusOr<MemberKey> NormalizeMember(std::string_view symbol,
                                          std::string_view number,
                                          std::string_view branch);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_MEMBER_H_
