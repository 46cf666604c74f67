#include "services/gen/noise.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "normalizer/utf8.h"

namespace kuromaru::gen {
namespace {

using normalizer::AppendUtf8;

struct Era {
  int code;
  Date start;
};
// Boundaries as in normalizer/date.h.
constexpr Era kEras[] = {{1, {1868, 1, 25}},
                         {2, {1912, 7, 30}},
                         {3, {1926, 12, 25}},
                         {4, {1989, 1, 8}},
                         {5, {2019, 5, 1}}};
constexpr int kEraCount = 5;

// Index into kEras of the era `d` falls in; -1 before 明治.
int EraOf(const Date& d) {
  for (int i = kEraCount - 1; i >= 0; --i) {
    if (!Before(d, kEras[i].start)) return i;
  }
  return -1;
}

bool InEra(const Date& d, int era) {
  return normalizer::IsValidDate(d) && EraOf(d) == era;
}

std::u32string Decode(std::string_view text) {
  auto decoded = normalizer::DecodeUtf8(text);
  return decoded.ok() ? *std::move(decoded) : std::u32string();
}

const absl::flat_hash_map<char32_t, std::string>& HalfWidthTable() {
  static const auto* const table = [] {
    auto* t = new absl::flat_hash_map<char32_t, std::string>();
    auto add = [&](std::u32string_view full, std::u32string_view half,
                   char32_t mark) {
      for (size_t i = 0; i < full.size(); ++i) {
        std::string s;
        AppendUtf8(half[i], &s);
        if (mark != 0) AppendUtf8(mark, &s);
        (*t)[full[i]] = std::move(s);
      }
    };
    add(U"アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメ"
        U"モ"
        U"ヤユヨラリルレロワヲンァィゥェォャュョッーヮヵヶヰヱ\u3000",
        U"ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓ"
        U"ﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰﾜｶｹｲｴ ",
        0);
    add(U"ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ", U"ｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎｳ",
        U'\uFF9E');
    add(U"パピプペポ", U"ﾊﾋﾌﾍﾎ", U'\uFF9F');
    return t;
  }();
  return *table;
}

// Replaces code points of `from` by those at the same index in `to`.
std::string MapCodePoints(std::string_view text, std::u32string_view from,
                          std::u32string_view to) {
  std::u32string s = Decode(text);
  for (char32_t& c : s) {
    const size_t i = from.find(c);
    if (i == std::u32string_view::npos) continue;
    c = to[i];
  }
  return normalizer::EncodeUtf8(s);
}

constexpr std::u32string_view kORow = U"オコソトノホモヨロゴゾドボポョォ";
constexpr std::u32string_view kURow = U"ウクスツヌフムユルグズヅブプュゥ";
constexpr std::u32string_view kERow = U"エケセテネヘメレゲゼデベペェ";

}  // namespace

int DaysFromCivil(const Date& d) {
  // Howard Hinnant's days_from_civil.
  const int y = d.year - (d.month <= 2);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

Date CivilFromDays(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return Date{y + (m <= 2), m, d};
}

Date AddDays(const Date& d, int days) {
  return CivilFromDays(DaysFromCivil(d) + days);
}

Date AddYears(const Date& d, int years) {
  Date out{d.year + years, d.month, d.day};
  if (!normalizer::IsValidDate(out)) out = Date{out.year, 3, 1};
  return out;
}

bool Before(const Date& a, const Date& b) {
  if (a.year != b.year) return a.year < b.year;
  if (a.month != b.month) return a.month < b.month;
  return a.day < b.day;
}

std::string WarekiDate(const Date& d) {
  const int era = EraOf(d);
  if (era < 0) return "";
  return absl::StrFormat("%d%02d%02d%02d", kEras[era].code,
                         d.year - kEras[era].start.year + 1, d.month, d.day);
}

std::string WarekiMonth(int year, int month) {
  const int era = EraOf(Date{year, month, 1});
  if (era < 0) return "";
  return absl::StrFormat("%d%02d%02d", kEras[era].code,
                         year - kEras[era].start.year + 1, month);
}

std::string WrongEraDate(const Date& d, const Date& latest, Rng& rng) {
  const int era = EraOf(d);
  if (era < 0) return "";
  const int era_year = d.year - kEras[era].start.year + 1;
  std::vector<int> options;
  for (int e = std::max(0, era - 1); e <= std::min(kEraCount - 1, era + 1);
       ++e) {
    const Date moved{kEras[e].start.year + era_year - 1, d.month, d.day};
    if (e != era && InEra(moved, e) && Before(moved, latest)) {
      options.push_back(e);
    }
  }
  if (options.empty()) return "";
  const int e = options[rng.Below(options.size())];
  return absl::StrFormat("%d%02d%02d%02d", kEras[e].code, era_year, d.month,
                         d.day);
}

std::string ToHalfWidthKana(std::string_view text) {
  const auto& table = HalfWidthTable();
  std::string out;
  for (char32_t c : Decode(text)) {
    auto it = table.find(c);
    if (it != table.end()) {
      out += it->second;
    } else {
      AppendUtf8(c, &out);
    }
  }
  return out;
}

std::string SmallAsLarge(std::string_view text) {
  return MapCodePoints(text, U"ァィゥェォッャュョヮ", U"アイウエオツヤユヨワ");
}

std::string SwapLongVowel(std::string_view text) {
  std::u32string s = Decode(text);
  for (size_t i = 1; i < s.size(); ++i) {
    const char32_t prev = s[i - 1];
    if (s[i] == U'ー') {
      s[i] = kERow.find(prev) != std::u32string_view::npos ? U'イ' : U'ウ';
      return normalizer::EncodeUtf8(s);
    }
    const bool ou =
        s[i] == U'ウ' && (kORow.find(prev) != std::u32string_view::npos ||
                          kURow.find(prev) != std::u32string_view::npos);
    const bool ei =
        s[i] == U'イ' && kERow.find(prev) != std::u32string_view::npos;
    if (ou || ei) {
      s[i] = U'ー';
      return normalizer::EncodeUtf8(s);
    }
  }
  return std::string(text);
}

std::string LongVowelsAsBar(std::string_view text) {
  std::u32string s = Decode(text);
  for (size_t i = 1; i < s.size(); ++i) {
    const char32_t prev = s[i - 1];
    const bool ou =
        s[i] == U'ウ' && (kORow.find(prev) != std::u32string_view::npos ||
                          kURow.find(prev) != std::u32string_view::npos);
    const bool ei =
        s[i] == U'イ' && kERow.find(prev) != std::u32string_view::npos;
    if (ou || ei) s[i] = U'ー';
  }
  return normalizer::EncodeUtf8(s);
}

std::string BarsAsVowels(std::string_view text) {
  std::u32string s = Decode(text);
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] != U'ー') continue;
    s[i] = kERow.find(s[i - 1]) != std::u32string_view::npos ? U'イ' : U'ウ';
  }
  return normalizer::EncodeUtf8(s);
}

std::string JiForDji(std::string_view text) {
  return MapCodePoints(text, U"ヂヅ", U"ジズ");
}

std::string DropVoicing(std::string_view text, Rng& rng) {
  constexpr std::u32string_view kVoiced =
      U"ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ";
  constexpr std::u32string_view kPlain =
      U"カキクケコサシスセソタチツテトハヒフヘホハヒフヘホ";
  std::u32string s = Decode(text);
  std::vector<size_t> positions;
  for (size_t i = 0; i < s.size(); ++i) {
    if (kVoiced.find(s[i]) != std::u32string_view::npos) positions.push_back(i);
  }
  if (positions.empty()) return std::string(text);
  const size_t i = positions[rng.Below(positions.size())];
  s[i] = kPlain[kVoiced.find(s[i])];
  return normalizer::EncodeUtf8(s);
}

std::string ChangeOneDigit(std::string_view digits, size_t from, Rng& rng) {
  std::string out(digits);
  if (from >= out.size()) return out;
  const size_t i = from + rng.Below(out.size() - from);
  out[i] = static_cast<char>('0' + (out[i] - '0' + 1 + rng.Below(9)) % 10);
  return out;
}

std::string SwapAdjacentDigits(std::string_view digits, Rng& rng) {
  std::vector<size_t> positions;
  for (size_t i = 0; i + 1 < digits.size(); ++i) {
    if (digits[i] != digits[i + 1]) positions.push_back(i);
  }
  if (positions.empty()) return "";
  std::string out(digits);
  const size_t i = positions[rng.Below(positions.size())];
  std::swap(out[i], out[i + 1]);
  return out;
}

}  // namespace kuromaru::gen
