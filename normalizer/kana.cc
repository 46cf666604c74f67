#include "normalizer/kana.h"

#include <array>
#include <cstdint>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "normalizer/utf8.h"

namespace kuromaru::normalizer {
namespace {

using CodePoints = absl::InlinedVector<char32_t, 32>;

// Stands for a run of separators inside the display and key sequences.
constexpr char32_t kSeparator = U'\u3000';
constexpr char32_t kLongVowel = U'ー';
constexpr char32_t kFirstKatakana = U'ァ';  // U+30A1
constexpr char32_t kLastKatakana = U'ヺ';   // U+30FA

// U+FF66..U+FF9D in order.
constexpr std::u32string_view kHalfWidth =
    U"ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノ"
    U"ハヒフヘホマミムメモヤユヨラリルレロワン";
static_assert(kHalfWidth.size() == 0xFF9D - 0xFF66 + 1);

// Katakana phonetic extensions U+31F0..U+31FF (small kana for Ainu) as large
// kana.
constexpr std::u32string_view kPhoneticExtensions =
    U"クシストヌハヒフヘホムラリルレロ";
static_assert(kPhoneticExtensions.size() == 16);

// Vowel rows, 'a' 'i' 'u' 'e' 'o'; ン and the marks have none.
constexpr std::array<std::u32string_view, 5> kRows = {
    U"アカガサザタダナハバパマヤラワァャヮヵヷ",
    U"イキギシジチヂニヒビピミリヰィヸ",
    U"ウクグスズツヅヌフブプムユルヴゥッュ",
    U"エケゲセゼテデネヘベペメレヱェヶヹ",
    U"オコゴソゾトドノホボポモヨロヲォョヺ"};
constexpr char kVowelNames[] = "aiueo";

constexpr std::array<char, kLastKatakana - kFirstKatakana + 1> MakeVowels() {
  std::array<char, kLastKatakana - kFirstKatakana + 1> vowels{};
  for (size_t row = 0; row < kRows.size(); ++row) {
    for (char32_t c : kRows[row]) vowels[c - kFirstKatakana] = kVowelNames[row];
  }
  return vowels;
}
constexpr auto kVowels = MakeVowels();

char VowelOf(char32_t c) {
  if (c < kFirstKatakana || c > kLastKatakana) return 0;
  return kVowels[c - kFirstKatakana];
}

// The voiced (゛) form of a katakana, or 0.
char32_t Voiced(char32_t c) {
  if ((c >= U'カ' && c <= U'チ' && (c - U'カ') % 2 == 0) ||
      (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0)) {
    return c + 1;
  }
  switch (c) {
    case U'ツ':
      return U'ヅ';
    case U'テ':
      return U'デ';
    case U'ト':
      return U'ド';
    case U'ウ':
      return U'ヴ';
    case U'ワ':
      return U'ヷ';
    case U'ヰ':
      return U'ヸ';
    case U'ヱ':
      return U'ヹ';
    case U'ヲ':
      return U'ヺ';
    default:
      return 0;
  }
}

// The semi-voiced (゜) form of a katakana, or 0.
char32_t SemiVoiced(char32_t c) {
  return (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0) ? c + 2 : 0;
}

// The katakana without voicing (ガ→カ, パ→ハ); `c` when it has none.
char32_t Unvoiced(char32_t c) {
  if (c >= U'ガ' && c <= U'ヂ') return (c - U'カ') % 2 == 1 ? c - 1 : c;
  if (c >= U'ヅ' && c <= U'ド') return (c - U'ツ') % 2 == 1 ? c - 1 : c;
  if (c >= U'バ' && c <= U'ポ') {
    const int offset = (c - U'ハ') % 3;
    return c - offset;
  }
  switch (c) {
    case U'ヴ':
      return U'ウ';
    case U'ヷ':
      return U'ワ';
    case U'ヸ':
      return U'ヰ';
    case U'ヹ':
      return U'ヱ';
    case U'ヺ':
      return U'ヲ';
    default:
      return c;
  }
}

bool IsSeparator(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\u00A0' || c == U'\u3000' ||
         (c >= U'\u2000' && c <= U'\u200A') || c == U'\u202F' ||
         c == U'\u205F' || c == U'・' || c == U'･' || c == U'＝' || c == U'=';
}

bool IsLongVowelMark(char32_t c) {
  switch (c) {
    case U'ー':
    case U'ｰ':
    case U'－':
    case U'-':
    case U'‐':
    case U'‑':
    case U'‒':
    case U'–':
    case U'—':
    case U'―':
    case U'─':
    case U'−':
    case U'~':
    case U'〜':
    case U'～':
      return true;
    default:
      return false;
  }
}

// Appends `c` to the display sequence, composing voicing marks and expanding
// iteration marks. Returns false for a character that is not kana.
bool AppendDisplay(char32_t c, CodePoints* out) {
  char32_t* last =
      out->empty() || out->back() == kSeparator ? nullptr : &out->back();
  if (c >= U'ぁ' && c <= U'ゖ') c += U'ァ' - U'ぁ';
  if (c == U'ゝ') c = U'ヽ';
  if (c == U'ゞ') c = U'ヾ';
  if (c >= 0xFF66 && c <= 0xFF9D) c = kHalfWidth[c - 0xFF66];
  if (c == U'\u3099' || c == U'\u309B' || c == U'\uFF9E') {
    if (last != nullptr && Voiced(*last) != 0) *last = Voiced(*last);
    return true;  // a mark with nothing to voice is dropped
  }
  if (c == U'\u309A' || c == U'\u309C' || c == U'\uFF9F') {
    if (last != nullptr && SemiVoiced(*last) != 0) *last = SemiVoiced(*last);
    return true;
  }
  if (c == U'ヽ' || c == U'ヾ') {
    if (last == nullptr || VowelOf(*last) == 0) return true;
    const char32_t base = Unvoiced(*last);
    out->push_back(c == U'ヾ' && Voiced(base) != 0 ? Voiced(base) : base);
    return true;
  }
  if (IsLongVowelMark(c)) c = kLongVowel;
  if ((c >= kFirstKatakana && c <= kLastKatakana) || c == kLongVowel ||
      (c >= 0x31F0 && c <= 0x31FF)) {
    out->push_back(c);
    return true;
  }
  return false;
}

// Rule 1: decodes `text` into display katakana with separator runs collapsed.
absl::Status ToDisplay(std::string_view text, CodePoints* out) {
  RETURN_IF_ERROR(ForEachCodePoint(text, [out](char32_t c, size_t, size_t) {
    if (IsSeparator(c)) {
      if (!out->empty() && out->back() != kSeparator)
        out->push_back(kSeparator);
    } else if (!AppendDisplay(c, out)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "not a kana character: U+%04X", static_cast<uint32_t>(c)));
    }
    return absl::OkStatus();
  }));
  if (!out->empty() && out->back() == kSeparator) out->pop_back();
  return absl::OkStatus();
}

char32_t LargeKana(char32_t c) {
  switch (c) {
    case U'ァ':
    case U'ィ':
    case U'ゥ':
    case U'ェ':
    case U'ォ':
    case U'ッ':
    case U'ャ':
    case U'ュ':
    case U'ョ':
    case U'ヮ':
      return c + 1;
    case U'ヵ':
      return U'カ';
    case U'ヶ':
      return U'ケ';
    default:
      return (c >= 0x31F0 && c <= 0x31FF) ? kPhoneticExtensions[c - 0x31F0] : c;
  }
}

// Rule 3 for one kana; `next` is the following kana (after rule 2) or 0.
// Returns true when `next` was absorbed.
bool FoldKana(char32_t c, char32_t next, CodePoints* out) {
  if (c == U'ヴ') {
    switch (next) {
      case U'ア':
        out->push_back(U'バ');
        return true;
      case U'イ':
        out->push_back(U'ビ');
        return true;
      case U'エ':
        out->push_back(U'ベ');
        return true;
      case U'オ':
        out->push_back(U'ボ');
        return true;
      default:
        out->push_back(U'ブ');
        return false;
    }
  }
  switch (c) {
    case U'ヂ':
      c = U'ジ';
      break;
    case U'ヅ':
      c = U'ズ';
      break;
    case U'ヲ':
      c = U'オ';
      break;
    case U'ヰ':
      c = U'イ';
      break;
    case U'ヱ':
      c = U'エ';
      break;
    case U'ヷ':
      c = U'バ';
      break;
    case U'ヸ':
      c = U'ビ';
      break;
    case U'ヹ':
      c = U'ベ';
      break;
    case U'ヺ':
      c = U'ボ';
      break;
    default:
      break;
  }
  out->push_back(c);
  return false;
}

// Rule 4: the vowel a long-vowel mark after `previous` stands for, or 0.
char32_t LongVowelFor(char32_t previous) {
  switch (VowelOf(previous)) {
    case 'a':
      return U'ア';
    case 'i':
    case 'e':
      return U'イ';
    case 'u':
    case 'o':
      return U'ウ';
    default:
      return 0;
  }
}

// Rules 2-4 over the display sequence; separators are kept.
CodePoints ToKey(const CodePoints& display) {
  CodePoints large;
  large.reserve(display.size());
  for (char32_t c : display) large.push_back(LargeKana(c));
  CodePoints key;
  key.reserve(large.size());
  for (size_t i = 0; i < large.size(); ++i) {
    const char32_t c = large[i];
    if (c == kSeparator) {
      key.push_back(c);
    } else if (c == kLongVowel) {
      const char32_t previous = key.empty() ? 0 : key.back();
      if (const char32_t vowel = LongVowelFor(previous); vowel != 0) {
        key.push_back(vowel);
      }
    } else {
      const char32_t next = i + 1 < large.size() ? large[i + 1] : 0;
      if (FoldKana(c, next, &key)) ++i;
    }
  }
  return key;
}

// The loose form of a key sequence (separators kept).
CodePoints ToLoose(const CodePoints& key) {
  CodePoints loose;
  loose.reserve(key.size());
  char previous_vowel = 0;
  for (char32_t c : key) {
    const char vowel = VowelOf(c);
    char32_t folded = Unvoiced(c);
    if (previous_vowel == 'o' && (c == U'オ' || c == U'ウ')) folded = U'ウ';
    if (previous_vowel == 'e' && (c == U'エ' || c == U'イ')) folded = U'イ';
    loose.push_back(folded);
    previous_vowel = vowel;
  }
  return loose;
}

// Encodes `cps` without separators into `all`, and split at the first separator
// into `first` and `rest` when they are given.
void Encode(const CodePoints& cps, std::string* all, std::string* first,
            std::string* rest) {
  std::string* part = first;
  for (char32_t c : cps) {
    if (c == kSeparator) {
      part = rest;
      continue;
    }
    AppendUtf8(c, all);
    if (part != nullptr) AppendUtf8(c, part);
  }
}

}  // namespace

absl::StatusOr<KanaName> NormalizeKanaName(std::string_view text) {
  CodePoints display;
  if (absl::Status status = ToDisplay(text, &display); !status.ok()) {
    return status;
  }
  const CodePoints key = ToKey(display);
  KanaName name;
  Encode(key, &name.key, &name.surname, &name.given);
  if (name.key.empty()) {
    return absl::InvalidArgumentError("no kana in name");
  }
  Encode(ToLoose(key), &name.loose_key, nullptr, nullptr);
  name.display.reserve(display.size() * 3);
  for (char32_t c : display) AppendUtf8(c, &name.display);
  return name;
}

}  // namespace kuromaru::normalizer
