#include "normalizer/name_kanji.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "normalizer/kana.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"
#include "unicode/normalizer2.h"
#include "unicode/stringpiece.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace kuromaru::normalizer {
namespace {

bool IsVariationSelector(char32_t c) {
  return (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

bool IsPrivateUse(char32_t c) {
  return (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0xFFFFD) ||
         (c >= 0x100000 && c <= 0x10FFFD);
}

bool IsPlaceholder(char32_t c) {
  return c == U'●' || c == U'〓' || c == U'■' || c == U'？' || c == U'?' ||
         c == 0xFFFD || IsPrivateUse(c);
}

bool IsSpace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || c == 0xA0 ||
         c == 0x3000 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F;
}

// Invisible characters that carry nothing of a name.
bool IsIgnorable(char32_t c) {
  return (c < 0x20 && !IsSpace(c)) || c == 0x7F ||
         (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF;
}

// Code points NFKC leaves alone in any context (no decomposition, no
// composition with a neighbour), or that are replaced afterwards anyway.
bool IsNfkcInert(char32_t c) {
  return (c >= 0x20 && c < 0x7F) || c == 0x3000 ||
         (c >= 0x3005 && c <= 0x3007) || (c >= 0x3041 && c <= 0x3096) ||
         c == 0x309D || c == 0x309E || (c >= 0x30A1 && c <= 0x30FE) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0x20000 && c <= 0x2F7FF) || (c >= 0x2FA20 && c <= 0x3FFFD) ||
         IsPlaceholder(c);
}

bool IsMark(UChar32 c) {
  const int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
         type == U_ENCLOSING_MARK;
}

bool IsKana(char32_t c) {
  return (c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E ||
         (c >= 0x30A1 && c <= 0x30FE);
}

// Removes variation selectors (noting them) and invisible characters. Sets
// `*needs_nfkc` when a code point outside the NFKC-inert set remains.
absl::StatusOr<std::string> StripSelectors(std::string_view text,
                                           std::vector<std::string>* notes,
                                           bool* needs_nfkc) {
  std::string out;
  out.reserve(text.size());
  UChar32 base = -1;
  RETURN_IF_ERROR(ForEachCodePoint(text, [&](char32_t cp, size_t begin,
                                             size_t end) {
    const auto c = static_cast<UChar32>(cp);
    if (IsVariationSelector(cp)) {
      notes->push_back(base < 0 ? absl::StrFormat("U+%04X", c)
                                : absl::StrFormat("U+%04X U+%04X", base, c));
      return absl::OkStatus();
    }
    if (IsIgnorable(cp)) return absl::OkStatus();
    base = c;
    if (cp == U'゛' || cp == U'゜') {
      // NFKC would turn the spacing marks into a space plus a combining mark,
      // which reads as a separator; the combining mark composes with the kana
      // instead.
      AppendUtf8(cp == U'゛' ? U'\u3099' : U'\u309A', &out);
      *needs_nfkc = true;
      return absl::OkStatus();
    }
    if (!IsNfkcInert(cp)) *needs_nfkc = true;
    out.append(text.substr(begin, end - begin));
    return absl::OkStatus();
  }));
  return out;
}

// Fills key, surname, given and the wildcards from NFKC text.
void BuildKey(std::string_view text, KanjiName* name) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  int position = 0;
  bool pending_separator = false;
  std::string* part = &name->surname;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;  // NFKC output is valid; defensive only
    auto cp = static_cast<char32_t>(c);
    if (IsSpace(cp)) {
      pending_separator = !name->key.empty();
      continue;
    }
    if (IsIgnorable(cp) || IsVariationSelector(cp)) continue;
    if ((name->key.empty() || pending_separator) && IsMark(c)) {
      continue;  // a mark with nothing to attach to in its part
    }
    if (pending_separator) {
      part = &name->given;
      pending_separator = false;
    }
    if (IsPlaceholder(cp)) {
      cp = kNameWildcard;
      name->wildcard_positions.push_back(position);
    }
    AppendUtf8(cp, &name->key);
    AppendUtf8(cp, part);
    ++position;
  }
  name->wildcard_count = static_cast<int>(name->wildcard_positions.size());
}

bool AllKana(std::string_view key) {
  const auto* s = reinterpret_cast<const uint8_t*>(key.data());
  const int32_t length = static_cast<int32_t>(key.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0 || !IsKana(static_cast<char32_t>(c))) return false;
  }
  return true;
}

// True if `key` reads back as itself under NFKC. Removing separators can
// put side by side two characters that compose (conjoining jamo, a base and
// a combining mark), between the surname and the given name or within either.
bool IsNfkcNormalized(std::string_view key) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  if (U_FAILURE(error)) return true;
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(key.data(), static_cast<int32_t>(key.size())));
  const bool normalized = nfkc->isNormalized(text, error);
  return U_FAILURE(error) || normalized;
}

// Normalizing a joined key again can join nothing new, so one more pass
// suffices; the bound only guards against a table that disagrees.
constexpr int kMaxPasses = 3;

absl::StatusOr<KanjiName> Normalize(std::string_view text, int pass) {
  KanjiName name;
  bool needs_nfkc = false;
  absl::StatusOr<std::string> stripped =
      StripSelectors(text, &name.variation_notes, &needs_nfkc);
  if (!stripped.ok()) return stripped.status();
  if (needs_nfkc) {
    stripped = Nfkc(*stripped);
    if (!stripped.ok()) return stripped.status();
  }
  BuildKey(*stripped, &name);
  if (name.key.empty()) return absl::InvalidArgumentError("empty name");
  if (needs_nfkc && pass < kMaxPasses && !IsNfkcNormalized(name.key)) {
    // Characters composed once the separators were gone: the joined key is
    // normalized again so that it reads back as itself, and the split is
    // given up.
    absl::StatusOr<std::string> joined_text = Nfkc(name.key);
    if (!joined_text.ok()) return joined_text.status();
    absl::StatusOr<KanjiName> joined = Normalize(*joined_text, pass + 1);
    if (!joined.ok()) return joined.status();
    joined->variation_notes = std::move(name.variation_notes);
    return joined;
  }
  name.loose_surname = FoldVariants(name.surname);
  name.loose_given = FoldVariants(name.given);
  name.loose_key = name.loose_surname + name.loose_given;
  if (AllKana(name.key)) {
    absl::StatusOr<KanaName> kana = NormalizeKanaName(
        name.given.empty() ? name.surname : name.surname + " " + name.given);
    if (kana.ok()) {
      name.is_kana = true;
      name.kana_key = std::move(kana->key);
    }
  }
  return name;
}

}  // namespace

NameCharClass ClassifyNameChar(char32_t c) {
  if (IsVariationSelector(c)) return NameCharClass::kVariationSelector;
  if (IsPrivateUse(c)) return NameCharClass::kPrivateUse;
  if (IsPlaceholder(c)) return NameCharClass::kPlaceholder;
  if (IsSpace(c)) return NameCharClass::kSpace;
  return NameCharClass::kOrdinary;
}

absl::StatusOr<KanjiName> NormalizeKanjiName(std::string_view text) {
  return Normalize(text, 1);
}

NameMatch CompareKanjiNames(const KanjiName& a, const KanjiName& b) {
  return CompareKanjiKeys(a.key, a.loose_key, b.key, b.loose_key);
}

NameMatch CompareKanjiKeys(std::string_view a_key, std::string_view a_loose,
                           std::string_view b_key, std::string_view b_loose) {
  static constexpr std::string_view kWildcardUtf8 = "\u25CF";
  const bool wildcards = a_key.find(kWildcardUtf8) != std::string_view::npos ||
                         b_key.find(kWildcardUtf8) != std::string_view::npos;
  if (!wildcards) {
    if (a_key == b_key) return NameMatch::kExact;
    if (a_loose == b_loose) return NameMatch::kExactAfterFolding;
    return NameMatch::kDifferent;
  }
  const auto* sa = reinterpret_cast<const uint8_t*>(a_loose.data());
  const auto* sb = reinterpret_cast<const uint8_t*>(b_loose.data());
  const auto la = static_cast<int32_t>(a_loose.size());
  const auto lb = static_cast<int32_t>(b_loose.size());
  int32_t i = 0;
  int32_t j = 0;
  while (i < la && j < lb) {
    UChar32 ca;
    UChar32 cb;
    U8_NEXT(sa, i, la, ca);
    U8_NEXT(sb, j, lb, cb);
    if (ca == static_cast<UChar32>(kNameWildcard) ||
        cb == static_cast<UChar32>(kNameWildcard)) {
      continue;
    }
    if (ca != cb) return NameMatch::kDifferent;
  }
  if (i < la || j < lb) return NameMatch::kDifferent;
  return NameMatch::kWildcardCompatible;
}

}  // namespace kuromaru::normalizer
