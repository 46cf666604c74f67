// Free-text insurer names (保険者等名称) and employer names (事業所名) folded
// into comparison keys.
//
//   ASSIGN_OR_RETURN(FoldedInsurerName a, FoldInsurerName("協会けんぽ東京"));
//   ASSIGN_OR_RETURN(FoldedInsurerName b,
//                    FoldInsurerName("全国健康保険協会東京支部"));
//   // a.key == b.key == "協会けんぽ東京", kind kKyokai, core "東京"
//   ASSIGN_OR_RETURN(std::string e, FoldEmployerName("㈱ 東和電機"));
//   // e == "東和電機", as for "東和電機株式会社" and "（株）東和電機"
//
// A patient names the insurer as they know it: the official name, an alias,
// the scheme alone (国保, 協会けんぽ) or the employer. Folding, in order:
//  1. NFKC: full-width letters and digits to ASCII, half-width kana to
//     full-width, ㈱ and （株） to (株); ASCII letters upper-cased.
//  2. Variant kanji folded (normalizer/variant_kanji.h).
//  3. Spaces, 中黒 and punctuation removed (ー stays: it spells kana words).
//  4. Corporate and legal forms removed wherever they stand: 株式会社,
//  有限会社,
//     合同会社, 合資会社, 合名会社, (株), (有), (同), (資), (名), 一般社団法人,
//     医療法人 … ; then any parenthesis left.
//  Insurer names only (not employers):
//  5. A prefecture's full name loses 都/府/県 (東京都 → 東京; 北海道 stays), as
//     the branch names of 協会けんぽ and 共済 spell them.
//  6. The scheme vocabulary in one spelling each: 全国健康保険協会 / 協会健保 →
//     協会けんぽ; 国民健康保険 → 国保; 健康保険組合 / 健保組合 / 健康保険 →
//     健保; 共済組合 → 共済; 後期高齢者医療広域連合 / 後期高齢者医療 / 広域連合
//     → 後期高齢; 社会保険 → 社保; 支部 dropped.
// The core is the key without its scheme word; for 国保 a trailing 市, 町, 村
// or 区 also goes (横浜市国保 and 横浜国保 share the core 横浜).
//
// All functions are pure and thread-safe.
#ifndef KUROMARU_NORMALIZER_INSURER_NAME_H_
#define KUROMARU_NORMALIZER_INSURER_NAME_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::normalizer {

// The scheme an insurer belongs to, as a name or a number says it.
enum class InsurerScheme {
  kUnknown,
  kKyokai,  // 全国健康保険協会 (協会けんぽ), 法別 01
  kKumiai,  // 健康保険組合, 法別 06
  kKyosai,  // 共済組合, 法別 31–34
  kKouki,   // 後期高齢者医療広域連合, 法別 39
  kKokuho,  // 国民健康保険 and 国保組合: 6-digit numbers
};

// "KYOKAI", "KUMIAI", "KYOSAI", "KOUKI", "KOKUHO" or "UNKNOWN".
std::string_view InsurerSchemeName(InsurerScheme scheme);

struct FoldedInsurerName {
  std::string key;   // the whole name folded: "協会けんぽ東京"
  std::string core;  // the key without its scheme word: "東京"; may be empty
  InsurerScheme scheme = InsurerScheme::kUnknown;  // from the scheme word
};

// Folds an insurer name (steps 1–6). Returns InvalidArgument for invalid UTF-8
// and for text that folds to nothing.
absl::StatusOr<FoldedInsurerName> FoldInsurerName(std::string_view text);

// Folds an employer name (steps 1–4). Returns InvalidArgument for invalid
// UTF-8 and for text that folds to nothing (a legal form alone).
absl::StatusOr<std::string> FoldEmployerName(std::string_view text);

// The scheme of an insurer number's digits (8 digits: by 法別番号; 6 digits:
// 国保); kUnknown for anything else.
InsurerScheme SchemeOfInsurerNumber(std::string_view digits);

// Similarity of two folded keys in [0, 1]: 1 when equal, else Jaro–Winkler on
// code points (similarity.h); 0 when either is empty. Requires valid UTF-8.
double NameKeySimilarity(std::string_view a, std::string_view b);

}  // namespace kuromaru::normalizer

#endif  // KUROMARU_NORMALIZER_INSURER_NAME_H_
