#include "normalizer/address.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "address_municipalities.h"
#include "base/status_macros.h"
#include "normalizer/text.h"
#include "normalizer/utf8.h"
#include "normalizer/variant_kanji.h"
#include "unicode/uchar.h"

namespace kuromaru::normalizer {
namespace {

namespace table = address_table;

// One-for-one folding of the key: ヶ/ヵ/が → ケ, の/之 → ノ, 巿 → 市.
char32_t FoldChar(char32_t c) {
  switch (c) {
    case U'ヶ':
    case U'ヵ':
    case U'が':
      return U'ケ';
    case U'の':
    case U'之':
      return U'ノ';
    case U'巿':
      return U'市';
    default:
      return c;
  }
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsSpace(char32_t c) { return c == ' ' || c == '\t' || c == 0x3000; }
bool IsDash(char32_t c) {
  return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 ||
         c == 0x30FC || c == 0xFF70 || c == 0xFF0D;
}

// Value of a kanji numeral digit, or -1.
int KanjiDigit(char32_t c) {
  static constexpr char32_t kDigits[] = U"〇一二三四五六七八九";
  for (int i = 0; i < 10; ++i) {
    if (kDigits[i] == c) return i;
  }
  return -1;
}
int KanjiUnit(char32_t c) {
  return c == U'十' ? 10 : c == U'百' ? 100 : c == U'千' ? 1000 : 0;
}
bool IsKanjiNumeral(char32_t c) {
  return KanjiDigit(c) >= 0 || KanjiUnit(c) > 0;
}

// Value of a kanji numeral run: 二十三 = 23, 百五 = 105, 一〇五 = 105.
int64_t KanjiValue(std::u32string_view run) {
  int64_t total = 0, current = 0;
  bool positional = true;
  for (char32_t c : run) positional = positional && KanjiUnit(c) == 0;
  for (char32_t c : run) {
    if (positional) {
      total = total * 10 + KanjiDigit(c);
    } else if (const int unit = KanjiUnit(c); unit > 0) {
      total += (current == 0 ? 1 : current) * unit;
      current = 0;
    } else {
      current = current * 10 + KanjiDigit(c);
    }
    // Saturate: garbage runs must not overflow (callers clamp further).
    if (total > 1000000000000 || current > 1000000000000) return 1000000000000;
  }
  return total + current;
}

// The address as written (NFKC, variants folded) and folded for the key:
// leading postal code, 〒, 大字 and 字 dropped, characters folded. origin[i] is
// the position of folded[i] in written.
struct Text {
  std::u32string written;
  std::u32string folded;
  std::vector<size_t> origin;
};

size_t SkipSpaces(std::u32string_view s, size_t pos) {
  while (pos < s.size() && IsSpace(s[pos])) ++pos;
  return pos;
}

bool StartsWith(std::u32string_view s, size_t pos, std::u32string_view prefix) {
  return s.substr(pos, prefix.size()) == prefix;
}

// Length of a leading postal code ("〒100-0001 "), or 0.
size_t SkipPostalCode(std::u32string_view s) {
  if (s.empty() || (s[0] != U'〒' && s[0] != U'〶')) return 0;
  size_t pos = SkipSpaces(s, 1);
  if (pos == s.size() || !IsDigit(s[pos])) return 0;
  while (pos < s.size() && (IsDigit(s[pos]) || IsDash(s[pos]))) ++pos;
  return SkipSpaces(s, pos);
}

absl::Status Prepare(std::string_view raw, Text& text) {
  // Control characters are transmission debris, not separators (東\0京都 is
  // 東京都). They go before NFKC, which must see the marks they separated side
  // by side.
  std::string clean(TrimSpaces(raw));
  std::erase_if(clean,
                [](char c) { return (c >= 0 && c < 0x20) || c == 0x7F; });
  ASSIGN_OR_RETURN(const std::string nfkc, Nfkc(clean));
  ASSIGN_OR_RETURN(text.written, DecodeUtf8(FoldVariants(nfkc)));
  std::u32string& written = text.written;
  for (size_t i = 0; i < written.size(); ++i) {  // dashes between digits
    if (IsDash(written[i]) && i > 0 && IsDigit(written[i - 1]) &&
        i + 1 < written.size() &&
        (IsDigit(written[i + 1]) || IsKanjiNumeral(written[i + 1]))) {
      written[i] = '-';
    }
  }
  bool orphan = true;  // a combining mark here has lost its base
  for (size_t i = SkipPostalCode(written); i < written.size(); ++i) {
    const char32_t c = written[i];
    const bool mark = u_getCombiningClass(static_cast<UChar32>(c)) != 0;
    if (mark && orphan) continue;
    orphan = IsSpace(c);
    if (c == U'〒' || c == U'〶' || c == U'字') {
      orphan = true;
      continue;
    }
    if (c == U'大' && i + 1 < written.size() && written[i + 1] == U'字') {
      orphan = true;
      ++i;
      continue;
    }
    text.folded.push_back(FoldChar(c));
    text.origin.push_back(i);
  }
  return absl::OkStatus();
}

std::u32string Decode(std::string_view utf8) {
  return DecodeUtf8(utf8).value_or(std::u32string());
}

// Folded municipality names (and their 郡-less forms) → table rows; built once.
class MunicipalityIndex {
 public:
  static const MunicipalityIndex& Get() {
    static const MunicipalityIndex* const index = new MunicipalityIndex();
    return *index;
  }

  // The longest municipality at folded[pos...] in `prefecture` (1..47, 0 for
  // any), the heaviest on ties. Returns the row and the length matched in code
  // points.
  std::optional<std::pair<int, size_t>> Find(std::u32string_view folded,
                                             size_t pos, int prefecture) const {
    // Spaces inside the name are skipped (京都市 下京区).
    std::string utf8;
    std::vector<std::pair<size_t, size_t>> ends;  // bytes, code points consumed
    for (size_t i = pos; i < folded.size() && ends.size() < max_length_; ++i) {
      if (IsSpace(folded[i])) continue;
      AppendUtf8(folded[i], &utf8);
      ends.emplace_back(utf8.size(), i + 1 - pos);
    }
    for (size_t n = ends.size(); n > 0; --n) {
      auto it = rows_.find(absl::string_view(utf8.data(), ends[n - 1].first));
      if (it == rows_.end()) continue;
      int best = -1;
      for (uint16_t row : it->second) {
        const table::Municipality& m = table::kMunicipalities[row];
        if (prefecture != 0 && m.prefecture != prefecture) continue;
        if (best < 0 || m.weight > table::kMunicipalities[best].weight)
          best = row;
      }
      if (best >= 0) return std::make_pair(best, ends[n - 1].second);
    }
    return std::nullopt;
  }

 private:
  MunicipalityIndex() {
    for (size_t row = 0; row < table::kMunicipalityCount; ++row) {
      std::u32string name =
          Decode(FoldVariants(table::kMunicipalities[row].name));
      for (char32_t& c : name) c = FoldChar(c);
      Add(name, row);
      // 虻田郡倶知安町 is also written 倶知安町; 蒲郡市 and 郡山市 are not
      // districts.
      const size_t gun = name.find(U'郡');
      if (gun != std::u32string::npos && name.size() >= gun + 3 &&
          (name.back() == U'町' || name.back() == U'村')) {
        Add(name.substr(gun + 1), row);
      }
    }
  }

  void Add(std::u32string_view name, size_t row) {
    if (name.empty()) return;
    max_length_ = std::max(max_length_, name.size());
    auto& rows = rows_[EncodeUtf8(name)];
    for (uint16_t seen : rows) {
      if (seen == row) return;
    }
    rows.push_back(static_cast<uint16_t>(row));
  }

  absl::flat_hash_map<std::string, absl::InlinedVector<uint16_t, 2>> rows_;
  size_t max_length_ = 0;
};

// If `name` is written at s[pos], with spaces allowed inside it (北海 道, as
// between the parts of a municipality), the position after it; else npos.
size_t MatchSpaced(std::u32string_view s, size_t pos,
                   std::u32string_view name) {
  for (size_t i = 0; i < name.size(); ++i, ++pos) {
    if (i > 0) pos = SkipSpaces(s, pos);
    if (pos == s.size() || s[pos] != name[i]) return std::u32string_view::npos;
  }
  return pos;
}

// Prefecture (1..47) written in full at folded[pos], or 0; advances pos.
int ReadPrefecture(std::u32string_view folded, size_t& pos, bool short_form) {
  for (int p = 1; p <= 47; ++p) {
    std::u32string name = Decode(table::kPrefectures[p - 1]);
    if (short_form && p != 1) name.pop_back();  // 東京, 大阪, 神奈川
    const size_t end = MatchSpaced(folded, pos, name);
    if (end != std::u32string_view::npos) {
      pos = end;
      return p;
    }
  }
  return 0;
}

// Prefecture and municipality; leaves pos after them.
void ReadRegion(std::u32string_view folded, size_t& pos, Address& out) {
  const MunicipalityIndex& index = MunicipalityIndex::Get();
  const size_t start = pos;
  int prefecture = ReadPrefecture(folded, pos, /*short_form=*/false);
  std::optional<std::pair<int, size_t>> found;
  if (prefecture != 0) {
    pos = SkipSpaces(folded, pos);
    found = index.Find(folded, pos, prefecture);
  } else {
    // Without a full prefecture name, the longer reading wins: 千葉市川市 is
    // 千葉(県) 市川市, not 千葉市 川市.
    found = index.Find(folded, pos, 0);
    size_t after = pos;
    const int p = ReadPrefecture(folded, after, /*short_form=*/true);
    if (p != 0) {
      after = SkipSpaces(folded, after);
      auto in_prefecture = index.Find(folded, after, p);
      if (in_prefecture &&
          (!found || after - pos + in_prefecture->second > found->second)) {
        found = in_prefecture;
        pos = after;
      }
    }
  }
  if (found) {
    const table::Municipality& m = table::kMunicipalities[found->first];
    prefecture = m.prefecture;
    out.municipality = m.name;
    pos = SkipSpaces(folded, pos + found->second);
  } else if (prefecture == 0) {
    pos = start;
  }
  if (prefecture != 0) out.prefecture = table::kPrefectures[prefecture - 1];
}

// Length of the word at s[pos] that makes a preceding number part of the town:
// 北3条, 東2線, 第2地割, 三番町, 十二番丁.
size_t TownCounter(std::u32string_view s, size_t pos) {
  if (pos < s.size() && (s[pos] == U'条' || s[pos] == U'線')) return 1;
  if (StartsWith(s, pos, U"地割") || StartsWith(s, pos, U"番町") ||
      StartsWith(s, pos, U"番丁")) {
    return 2;
  }
  return 0;
}

// True if a number and 丁目 follow at s[pos]: the 番 before is part of the
// town's name (麻布十番2丁目).
bool ChomeFollows(std::u32string_view s, size_t pos) {
  size_t end = pos;
  const bool ascii = pos < s.size() && IsDigit(s[pos]);
  while (end < s.size() && (ascii ? IsDigit(s[end]) : IsKanjiNumeral(s[end]))) {
    ++end;
  }
  return end > pos && StartsWith(s, end, U"丁目");
}

// Where the block numbers start in folded[pos...], or npos; `digits_at`
// collects the kanji numeral runs of the town that are to be written in digits.
size_t FindBlocks(std::u32string_view s, size_t pos,
                  std::vector<std::pair<size_t, size_t>>& digits_at) {
  for (size_t i = pos; i < s.size();) {
    if (!IsDigit(s[i]) && !IsKanjiNumeral(s[i])) {
      ++i;
      continue;
    }
    const bool ascii = IsDigit(s[i]);
    size_t end = i;
    while (end < s.size() && (ascii ? IsDigit(s[end]) : IsKanjiNumeral(s[end])))
      ++end;
    if (TownCounter(s, end) > 0) {
      if (!ascii) digits_at.emplace_back(i, end);
      i = end;
      continue;
    }
    // 串本千二百三十四, 霞が関一 ビル
    if (ascii || end == s.size() || s[end] == '-' || IsSpace(s[end])) return i;
    const char32_t next = end < s.size() ? s[end] : 0;
    const char32_t after = end + 1 < s.size() ? s[end + 1] : 0;
    if (StartsWith(s, end, U"丁目") || StartsWith(s, end, U"番地") ||
        (next == U'番' && after != U'通' && !IsDigit(after) &&
         !ChomeFollows(s, end + 1)) ||
        (next == U'号' && after != U'線' && after != U'地')) {
      return i;
    }
    i = end;
  }
  return std::u32string_view::npos;
}

// No real block number comes near this; larger ones (garbage) saturate to it,
// the same way whether written in digits or kanji, so that a key reads back as
// itself.
constexpr int64_t kMaxNumber = 9999999999;

// Reads a number (ASCII digits or kanji numerals) at s[pos]; advances pos.
std::optional<int64_t> ReadNumber(std::u32string_view s, size_t& pos) {
  size_t end = pos;
  if (end < s.size() && IsDigit(s[end])) {
    int64_t value = 0;
    while (end < s.size() && IsDigit(s[end])) {
      value = std::min(kMaxNumber, value * 10 + (s[end] - '0'));
      ++end;
    }
    pos = end;
    return value;
  }
  while (end < s.size() && IsKanjiNumeral(s[end])) ++end;
  if (end == pos) return std::nullopt;
  const int64_t value =
      std::min(kMaxNumber, KanjiValue(s.substr(pos, end - pos)));
  pos = end;
  return value;
}

bool NumberAt(std::u32string_view s, size_t pos) {
  return pos < s.size() && (IsDigit(s[pos]) || IsKanjiNumeral(s[pos]));
}

// Length of the separator word after the count-th number (丁目 only first), or
// 0.
size_t SeparatorWord(std::u32string_view s, size_t pos, int count) {
  if (count == 0 && StartsWith(s, pos, U"丁目")) return 2;
  if (count == 0 && StartsWith(s, pos, U"丁")) return 1;
  if (StartsWith(s, pos, U"番地")) return 2;
  if (StartsWith(s, pos, U"番")) return 1;
  return 0;
}

// Reads the block numbers at folded[pos]; returns "N-N-N" and leaves pos after
// them (and after a closing 丁目, 番地, 番 or 号).
std::string ReadBlocks(std::u32string_view s, size_t& pos) {
  std::string blocks;
  for (int count = 0;; ++count) {
    const std::optional<int64_t> n = ReadNumber(s, pos);
    if (!n) break;
    absl::StrAppend(&blocks, blocks.empty() ? "" : "-", *n);
    if (StartsWith(s, pos, U"号")) {
      ++pos;
      break;
    }
    const size_t word = SeparatorWord(s, pos, count);
    pos += word;
    size_t next = pos;
    if (count == 0 && word == 2) {  // 2丁目 25-18
      next = SkipSpaces(s, next);
    }
    if (next < s.size() && (s[next] == '-' || s[next] == U'ノ') &&
        NumberAt(s, next + 1)) {
      ++next;
    } else if (word == 0) {
      break;
    }
    if (!NumberAt(s, next)) break;
    pos = next;
  }
  return blocks;
}

// The town from folded[begin, end): spaces dropped, counted numbers in digits.
std::string TownKey(std::u32string_view s, size_t begin, size_t end,
                    const std::vector<std::pair<size_t, size_t>>& digits_at) {
  std::string town;
  size_t run = 0;
  for (size_t i = begin; i < end;) {
    if (run < digits_at.size() && digits_at[run].first == i) {
      absl::StrAppend(&town,
                      KanjiValue(s.substr(i, digits_at[run].second - i)));
      i = digits_at[run++].second;
    } else if (IsSpace(s[i])) {
      ++i;
    } else {
      AppendUtf8(s[i++], &town);
    }
  }
  return town;
}

std::string Building(std::u32string_view written, size_t pos) {
  size_t end = written.size();
  while (pos < end && (IsSpace(written[pos]) || IsDash(written[pos]) ||
                       written[pos] == ',' || written[pos] == U'、')) {
    ++pos;
  }
  while (end > pos && IsSpace(written[end - 1])) --end;
  return EncodeUtf8(written.substr(pos, end - pos));
}

}  // namespace

std::string_view PrefectureName(std::string_view code) {
  if (code.size() != 2 || code[0] < '0' || code[0] > '4' || code[1] < '0' ||
      code[1] > '9') {
    return {};
  }
  const int n = (code[0] - '0') * 10 + (code[1] - '0');
  return n >= 1 && n <= 47 ? table::kPrefectures[n - 1] : std::string_view();
}

namespace {

// A key is parsed again when spaces were dropped from its town (千丁 目 keys
// as 千丁目, where 千 reads as a number): one more pass reads a space-free key
// as itself; the bound only guards against a table that disagrees. Spaces
// around and inside the prefecture and municipality are read through.
constexpr int kMaxPasses = 3;

absl::StatusOr<Address> Normalize(std::string_view raw, int pass) {
  if (!IsValidUtf8(raw)) return absl::InvalidArgumentError("invalid UTF-8");
  Text text;
  RETURN_IF_ERROR(Prepare(raw, text));
  const std::u32string_view folded = text.folded;
  size_t pos = SkipSpaces(folded, 0);
  if (pos == folded.size()) return absl::InvalidArgumentError("empty");
  Address out;
  ReadRegion(folded, pos, out);
  std::vector<std::pair<size_t, size_t>> digits_at;
  const size_t blocks = FindBlocks(folded, pos, digits_at);
  size_t town_end = blocks, rest = blocks;
  if (blocks == std::u32string_view::npos) {
    town_end = folded.find_first_of(U" \t\u3000", pos);
    if (town_end == std::u32string_view::npos) town_end = folded.size();
    rest = town_end;
  } else {
    out.blocks = ReadBlocks(folded, rest);
  }
  out.town = TownKey(folded, pos, town_end, digits_at);
  out.building =
      Building(text.written,
               rest < folded.size() ? text.origin[rest] : text.written.size());
  out.key =
      absl::StrCat(out.prefecture, out.municipality, out.town, out.blocks);
  const bool spaced =
      std::any_of(folded.begin() + pos, folded.begin() + town_end, IsSpace);
  if (spaced && pass < kMaxPasses) {
    absl::StatusOr<Address> joined = Normalize(out.key, pass + 1);
    if (joined.ok() && joined->key != out.key) {
      joined->building = std::move(out.building);
      return joined;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<Address> NormalizeAddress(std::string_view raw) {
  return Normalize(raw, 1);
}

absl::StatusOr<std::string> NormalizePostalCode(std::string_view text) {
  ASSIGN_OR_RETURN(const std::u32string cps, DecodeUtf8(TrimSpaces(text)));
  std::string digits;
  bool dash = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    if (c >= 0xFF10 && c <= 0xFF19) c -= 0xFEE0;
    if (IsDigit(c)) {
      if (digits.size() == 7)
        return absl::InvalidArgumentError("more than 7 digits");
      digits.push_back(static_cast<char>(c));
    } else if ((c == U'〒' || c == U'〶') && digits.empty()) {
      continue;
    } else if (IsDash(c) && digits.size() == 3 && !dash) {
      dash = true;
    } else if (!IsSpace(c)) {
      return absl::InvalidArgumentError("not a postal code character");
    }
  }
  if (digits.size() != 7) {
    return absl::InvalidArgumentError(
        absl::StrCat(digits.size(), " digits, expected 7"));
  }
  return digits;
}

}  // namespace kuromaru::normalizer
