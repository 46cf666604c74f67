#include "services/gen/sources.h"

#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "normalizer/address.h"
#include "normalizer/utf8.h"
#include "services/gen/random.h"

namespace kuromaru::gen {
namespace {

struct HeadSurname {
  const char* kanji;
  const char* kana;
  double percent;
};

// Approximate national shares of the most common surnames.
constexpr HeadSurname kHeadSurnames[] = {
    {"佐藤", "サトウ", 1.90},   {"鈴木", "スズキ", 1.80},
    {"高橋", "タカハシ", 1.45}, {"田中", "タナカ", 1.35},
    {"伊藤", "イトウ", 1.10},   {"渡辺", "ワタナベ", 1.10},
    {"山本", "ヤマモト", 1.08}, {"中村", "ナカムラ", 1.06},
    {"小林", "コバヤシ", 1.03}, {"加藤", "カトウ", 0.90},
    {"吉田", "ヨシダ", 0.85},   {"山田", "ヤマダ", 0.83},
    {"佐々木", "ササキ", 0.69}, {"山口", "ヤマグチ", 0.65},
    {"松本", "マツモト", 0.64}, {"井上", "イノウエ", 0.61},
    {"木村", "キムラ", 0.58},   {"林", "ハヤシ", 0.54},
    {"斎藤", "サイトウ", 0.53}, {"清水", "シミズ", 0.52},
    {"山崎", "ヤマザキ", 0.49}, {"森", "モリ", 0.48},
    {"池田", "イケダ", 0.45},   {"橋本", "ハシモト", 0.45},
    {"阿部", "アベ", 0.45},     {"石川", "イシカワ", 0.43},
    {"山下", "ヤマシタ", 0.43}, {"中島", "ナカジマ", 0.42},
    {"石井", "イシイ", 0.41},   {"小川", "オガワ", 0.41},
};

using ConverterPtr = std::unique_ptr<UConverter, void (*)(UConverter*)>;

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     const char* package) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, " (Debian package ", package, ")"));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Calls `fn(utf8_line)` for each line of EUC-JP `data` that decodes without
// substitution.
template <typename Fn>
void ForEachEucJpLine(const std::string& data, Fn fn) {
  UErrorCode status = U_ZERO_ERROR;
  ConverterPtr conv(ucnv_open("EUC-JP", &status), ucnv_close);
  if (U_FAILURE(status)) return;
  std::string utf8;
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    if (line.empty() || line[0] == ';') continue;
    status = U_ZERO_ERROR;
    icu::UnicodeString u(line.data(), static_cast<int32_t>(line.size()),
                         conv.get(), status);
    if (U_FAILURE(status) || u.indexOf(char16_t{0xFFFD}) >= 0 ||
        u.indexOf(char16_t{0x1A}) >= 0) {
      continue;
    }
    utf8.clear();
    u.toUTF8String(utf8);
    fn(utf8);
  }
}

bool IsNameKanji(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF) ||
         c == 0x3005;
}

bool AllOf(std::string_view text, size_t min_len, size_t max_len,
           bool (*pred)(char32_t)) {
  auto decoded = normalizer::DecodeUtf8(text);
  if (!decoded.ok() || decoded->size() < min_len || decoded->size() > max_len) {
    return false;
  }
  return std::all_of(decoded->begin(), decoded->end(), pred);
}

bool IsKatakana(char32_t c) {
  return (c >= 0x30A1 && c <= 0x30F6) || c == 0x30FC;
}

struct RankedName {
  int cost;
  NameEntry entry;
};

// Zipf weights 1/(rank+offset) over names sorted by cost, scaled to `mass`.
void AppendZipf(std::vector<RankedName> names, double offset, double mass,
                std::vector<NameEntry>* out, std::vector<double>* weights) {
  std::stable_sort(
      names.begin(), names.end(),
      [](const RankedName& a, const RankedName& b) { return a.cost < b.cost; });
  double total = 0;
  for (size_t r = 0; r < names.size(); ++r) total += 1.0 / (r + offset);
  for (size_t r = 0; r < names.size(); ++r) {
    out->push_back(std::move(names[r].entry));
    weights->push_back(mass / total / (r + offset));
  }
}

absl::Status LoadNames(const std::string& data, Sources* s) {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<double> surname_w;
  double head_mass = 0;
  for (const HeadSurname& h : kHeadSurnames) {
    s->surnames.push_back({h.kanji, h.kana});
    surname_w.push_back(h.percent / 100);
    head_mass += h.percent / 100;
    seen.insert({h.kanji, h.kana});
  }
  std::vector<RankedName> tail, male, female;
  ForEachEucJpLine(data, [&](const std::string& line) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() < 12 || f[6] != "人名") return;
    const bool surname = f[7] == "姓";
    if (!surname && f[7] != "名") return;
    if (!AllOf(f[0], 1, surname ? 4 : 3, IsNameKanji) ||
        !AllOf(f[11], 2, 8, IsKatakana) || !seen.insert({f[0], f[11]}).second) {
      return;
    }
    RankedName n{std::atoi(f[3].c_str()), {f[0], f[11]}};
    if (surname) {
      tail.push_back(std::move(n));
      return;
    }
    NameSex sex = GuessGivenNameSex(n.entry.kana);
    if (sex == NameSex::kEither) {
      sex = Mix(0, std::hash<std::string>{}(n.entry.kanji + n.entry.kana)) & 1
                ? NameSex::kMale
                : NameSex::kFemale;
    }
    (sex == NameSex::kMale ? male : female).push_back(std::move(n));
  });
  if (tail.empty() || male.empty() || female.empty()) {
    return absl::DataLossError("no usable names in the mecab name dictionary");
  }
  AppendZipf(std::move(tail), 20, 1 - head_mass, &s->surnames, &surname_w);
  s->surname_cumulative = Cumulative(surname_w);
  std::vector<double> w;
  AppendZipf(std::move(male), 50, 1, &s->male_given, &w);
  s->male_cumulative = Cumulative(w);
  w.clear();
  AppendZipf(std::move(female), 50, 1, &s->female_given, &w);
  s->female_cumulative = Cumulative(w);
  return absl::OkStatus();
}

void LoadPlaces(const std::string& data, Sources* s) {
  std::vector<RankedName> places;
  ForEachEucJpLine(data, [&](const std::string& line) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() < 12 || f[6] != "地域" || f[7] != "一般") return;
    if (!AllOf(f[0], 2, 2, IsNameKanji)) return;
    places.push_back({std::atoi(f[3].c_str()), {f[0], ""}});
  });
  std::stable_sort(
      places.begin(), places.end(),
      [](const RankedName& a, const RankedName& b) { return a.cost < b.cost; });
  std::set<std::string> seen;
  for (auto& p : places) {
    if (seen.size() >= 3000) break;
    if (seen.insert(p.entry.kanji).second) s->places.push_back(p.entry.kanji);
  }
}

// 横浜市中区 → 横浜市; 虻田郡倶知安町 → 倶知安町; 千代田区 stays.
std::string KokuhoMunicipality(std::string m) {
  if (size_t gun = m.find("郡"); gun != std::string::npos) {
    m = m.substr(gun + std::string_view("郡").size());
  }
  if (absl::EndsWith(m, "区")) {
    if (size_t shi = m.rfind("市"); shi != std::string::npos) {
      m = m.substr(0, shi + std::string_view("市").size());
    }
  }
  return m;
}

bool PlausibleTown(absl::string_view text) {
  for (const char* bad : {"（", "）", "(", ")", "、", "・", "階", "以下",
                          "番地", "地割", "〜", "１", "２", "３"}) {
    if (absl::StrContains(text, bad)) return false;
  }
  return true;
}

void LoadAddresses(const std::string& data, Sources* s) {
  ForEachEucJpLine(data, [&](const std::string& line) {
    const size_t slash = line.find(" /");
    if (slash != 7) return;
    const size_t end = line.find('/', slash + 2);
    if (end == std::string::npos) return;
    AddressEntry a;
    a.postal_code = line.substr(0, 7);
    a.text = line.substr(slash + 2, end - slash - 2);
    if (!PlausibleTown(a.text)) return;
    for (int code = 1; code <= 47; ++code) {
      const std::string c = absl::StrCat(code < 10 ? "0" : "", code);
      const std::string_view name = normalizer::PrefectureName(c);
      if (absl::StartsWith(a.text, std::string(name))) {
        a.prefecture_code = c;
        a.prefecture = std::string(name);
        break;
      }
    }
    if (a.prefecture.empty()) return;
    auto normalized = normalizer::NormalizeAddress(a.text);
    if (!normalized.ok() || normalized->municipality.empty()) return;
    a.kokuho_municipality = KokuhoMunicipality(normalized->municipality);
    s->addresses.push_back(std::move(a));
  });
}

}  // namespace

NameSex GuessGivenNameSex(std::string_view kana_text) {
  const absl::string_view kana(kana_text.data(), kana_text.size());
  for (const char* e :
       {"ロウ", "スケ", "ヒロ", "ヒコ", "ヘイ", "ゾウ", "イチ"}) {
    if (absl::EndsWith(kana, e)) return NameSex::kMale;
  }
  for (const char* e : {"コ", "ミ", "エ", "ナ", "カ", "リ", "ヨ", "ネ", "ホ",
                        "ハ", "ノ", "サ"}) {
    if (absl::EndsWith(kana, e)) return NameSex::kFemale;
  }
  for (const char* e :
       {"タ", "ヤ", "キ", "オ", "ジ", "ト", "ゴ", "シ", "ム", "ン", "ル"}) {
    if (absl::EndsWith(kana, e)) return NameSex::kMale;
  }
  return NameSex::kEither;
}

absl::StatusOr<std::unique_ptr<const Sources>> LoadSources(
    const SourcePaths& paths) {
  ASSIGN_OR_RETURN(std::string names, ReadFile(paths.names, "mecab-ipadic"));
  ASSIGN_OR_RETURN(std::string places, ReadFile(paths.places, "mecab-ipadic"));
  ASSIGN_OR_RETURN(std::string zipcode,
                   ReadFile(paths.zipcode, "skkdic-extra"));
  auto s = std::make_unique<Sources>();
  RETURN_IF_ERROR(LoadNames(names, s.get()));
  LoadPlaces(places, s.get());
  LoadAddresses(zipcode, s.get());
  if (s->places.empty()) {
    return absl::DataLossError(
        absl::StrCat("no usable place names in ", paths.places));
  }
  if (s->addresses.empty()) {
    return absl::DataLossError(
        absl::StrCat("no usable addresses in ", paths.zipcode));
  }
  return std::unique_ptr<const Sources>(std::move(s));
}

}  // namespace kuromaru::gen
