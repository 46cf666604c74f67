#include "normalizer/insurer_name.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "normalizer/address.h"
#include "normalizer/similarity.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"

namespace kuromaru::normalizer {
namespace {

// Removed by step 3. ー (U+30FC) is not here: it spells kana words.
bool IsDropped(char32_t c) {
  switch (c) {
    case U' ':
    case U'\t':
    case U'\u3000':
    case U'\u30FB':  // ・
    case U'.':
    case U',':
    case U'\u3001':  // 、
    case U'\u3002':  // 。
    case U'\'':
    case U'"':
    case U'`':
    case U'-':
    case U'\u2010':  // ‐
    case U'\u2212':  // −
    case U'\u2014':  // —
    case U'\u300C':  // 「
    case U'\u300D':  // 」
    case U'\u300E':  // 『
    case U'\u300F':  // 』
    case U'\u201C':  // “
    case U'\u201D':  // ”
    case U'\u2018':  // ‘
    case U'\u2019':  // ’
      return true;
    default:
      return false;
  }
}

// Longest first where one contains another.
constexpr std::array<std::string_view, 30> kLegalForms = {
    "株式会社",     "有限会社",     "合同会社",     "合資会社",
    "合名会社",     "一般社団法人", "一般財団法人", "公益社団法人",
    "公益財団法人", "社団法人",     "財団法人",     "医療法人社団",
    "医療法人財団", "医療法人",     "社会福祉法人", "学校法人",
    "独立行政法人", "(株)",         "(有)",         "(同)",
    "(資)",         "(名)",         "(合)",         "(医)",
    "(社)",         "(財)",         "(学)",         "(福)",
    "(独)",         "(一社)"};

// Step 6, applied in this order (longer spellings before the shorter ones
// they contain).
constexpr std::array<std::pair<std::string_view, std::string_view>, 14>
    kVocabulary = {{
        {"全国健康保険協会", "協会けんぽ"},
        {"協会健保", "協会けんぽ"},
        {"協会ケンポ", "協会けんぽ"},
        {"後期高齢者医療広域連合", "後期高齢"},
        {"後期高齢者医療", "後期高齢"},
        {"後期高齢者", "後期高齢"},
        {"広域連合", "後期高齢"},
        {"国民健康保険", "国保"},
        {"健康保険組合", "健保"},
        {"健保組合", "健保"},
        {"健康保険", "健保"},
        {"共済組合", "共済"},
        {"社会保険", "社保"},
        {"支部", ""},
    }};

// The canonical scheme words, and the scheme each names. 国保組合 before 国保.
constexpr std::array<std::pair<std::string_view, InsurerScheme>, 6> kSchemes = {
    {{"協会けんぽ", InsurerScheme::kKyokai},
     {"後期高齢", InsurerScheme::kKouki},
     {"国保組合", InsurerScheme::kKokuho},
     {"国保", InsurerScheme::kKokuho},
     {"健保", InsurerScheme::kKumiai},
     {"共済", InsurerScheme::kKyosai}}};

// Steps 1–4.
absl::StatusOr<std::string> FoldCommon(std::string_view text) {
  ASSIGN_OR_RETURN(std::string nfkc, Nfkc(text));
  const std::string folded = FoldVariants(nfkc);
  std::string out;
  out.reserve(folded.size());
  RETURN_IF_ERROR(ForEachCodePoint(
      folded, [&out](char32_t c, size_t, size_t) -> absl::Status {
        if (IsDropped(c)) return absl::OkStatus();
        if (c >= U'a' && c <= U'z') c = c - U'a' + U'A';
        AppendUtf8(c, &out);
        return absl::OkStatus();
      }));
  for (std::string_view form : kLegalForms) {
    if (absl::StrContains(out, absl::string_view(form.data(), form.size()))) {
      out = absl::StrReplaceAll(
          out, {{absl::string_view(form.data(), form.size()), ""}});
    }
  }
  out = absl::StrReplaceAll(out, {{"(", ""}, {")", ""}});
  if (out.empty()) return absl::InvalidArgumentError("no name characters");
  return out;
}

// 東京都 → 東京 for the 47 names (北海道 stays).
const std::vector<std::pair<std::string, std::string>>& PrefectureFolds() {
  static const auto* const folds = [] {
    auto* v = new std::vector<std::pair<std::string, std::string>>();
    for (int code = 1; code <= 47; ++code) {
      const std::string c = absl::StrCat(code < 10 ? "0" : "", code);
      const std::string full(PrefectureName(c));
      if (full == "北海道") continue;
      v->emplace_back(full, full.substr(0, full.size() - 3));  // one kanji
    }
    return v;
  }();
  return *folds;
}

void StripMunicipalitySuffix(std::string* core) {
  // At least two characters must remain (市 alone is no place).
  if (CodePointCount(*core) < 3) return;
  // Each suffix is one 3-byte kanji.
  const std::string_view last =
      std::string_view(*core).substr(core->size() - 3);
  if (last == "市" || last == "町" || last == "村" || last == "区") {
    *core = core->substr(0, core->size() - 3);
  }
}

}  // namespace

std::string_view InsurerSchemeName(InsurerScheme scheme) {
  switch (scheme) {
    case InsurerScheme::kKyokai:
      return "KYOKAI";
    case InsurerScheme::kKumiai:
      return "KUMIAI";
    case InsurerScheme::kKyosai:
      return "KYOSAI";
    case InsurerScheme::kKouki:
      return "KOUKI";
    case InsurerScheme::kKokuho:
      return "KOKUHO";
    case InsurerScheme::kUnknown:
      break;
  }
  return "UNKNOWN";
}

absl::StatusOr<FoldedInsurerName> FoldInsurerName(std::string_view text) {
  ASSIGN_OR_RETURN(std::string key, FoldCommon(text));
  for (const auto& [full, short_name] : PrefectureFolds()) {
    if (absl::StrContains(key, full)) {
      key = absl::StrReplaceAll(key, {{full, short_name}});
    }
  }
  for (const auto& [from, to] : kVocabulary) {
    const absl::string_view f(from.data(), from.size());
    if (absl::StrContains(key, f)) {
      key = absl::StrReplaceAll(key,
                                {{f, absl::string_view(to.data(), to.size())}});
    }
  }
  if (key.empty()) return absl::InvalidArgumentError("no name characters");
  FoldedInsurerName out;
  out.core = key;
  for (const auto& [word, scheme] : kSchemes) {
    const absl::string_view w(word.data(), word.size());
    const size_t at = key.find(word);
    if (at == std::string::npos) continue;
    out.scheme = scheme;
    out.core = absl::StrCat(absl::string_view(key).substr(0, at),
                            absl::string_view(key).substr(at + w.size()));
    break;
  }
  if (out.scheme == InsurerScheme::kKokuho) StripMunicipalitySuffix(&out.core);
  out.key = std::move(key);
  return out;
}

absl::StatusOr<std::string> FoldEmployerName(std::string_view text) {
  return FoldCommon(text);
}

InsurerScheme SchemeOfInsurerNumber(std::string_view digits) {
  for (char c : digits) {
    if (c < '0' || c > '9') return InsurerScheme::kUnknown;
  }
  if (digits.size() == 6) return InsurerScheme::kKokuho;
  if (digits.size() != 8) return InsurerScheme::kUnknown;
  const std::string_view h = digits.substr(0, 2);
  if (h == "01") return InsurerScheme::kKyokai;
  if (h == "06") return InsurerScheme::kKumiai;
  if (h == "31" || h == "32" || h == "33" || h == "34") {
    return InsurerScheme::kKyosai;
  }
  if (h == "39") return InsurerScheme::kKouki;
  return InsurerScheme::kUnknown;
}

double NameKeySimilarity(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1;
  auto da = DecodeUtf8(a);
  auto db = DecodeUtf8(b);
  if (!da.ok() || !db.ok()) return 0;
  return JaroWinkler(*da, *db);
}

}  // namespace kuromaru::normalizer
