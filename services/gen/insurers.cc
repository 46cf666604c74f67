#include "services/gen/insurers.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "normalizer/address.h"
#include "normalizer/insurer.h"

namespace kuromaru::gen {
namespace {

constexpr const char* kIndustries[] = {
    "電機", "製作所", "商事", "建設",   "運輸",   "化学", "物産", "工業",
    "食品", "精機",   "産業", "興業",   "薬品",   "印刷", "電子", "製薬",
    "物流", "通信",   "鉄工", "不動産", "自動車", "電力", "ガス", "百貨店"};
constexpr const char* kAffiliates[] = {"サービス",       "システムズ",
                                       "ロジスティクス", "エンジニアリング",
                                       "販売",           "テクノ"};
constexpr const char* kMinistries[] = {
    "財務省共済組合",     "文部科学省共済組合", "厚生労働省共済組合",
    "防衛省共済組合",     "法務省共済組合",     "国土交通省共済組合",
    "農林水産省共済組合", "総務省共済組合"};

template <size_t N>
const char* PickOf(const char* const (&items)[N], Rng& rng) {
  return items[rng.Below(N)];
}

std::string PrefectureCode(int code) { return absl::StrFormat("%02d", code); }

// Weights of the prefectures where 組合健保 are registered (head offices).
std::string KumiaiPrefecture(Rng& rng) {
  const double x = rng.Unit();
  if (x < 0.45) return "13";
  if (x < 0.60) return "27";
  if (x < 0.68) return "23";
  if (x < 0.73) return "14";
  return PrefectureCode(static_cast<int>(rng.Between(1, 47)));
}

}  // namespace

std::string Company::Official() const {
  return form_first ? absl::StrCat(form, core) : absl::StrCat(core, form);
}

std::string MakeInsurerNumber(std::string_view houbetsu,
                              std::string_view prefecture_code, int serial) {
  std::string digits =
      absl::StrCat(std::string(houbetsu), std::string(prefecture_code),
                   absl::StrFormat("%03d", serial));
  digits.push_back(static_cast<char>('0' + normalizer::CheckDigit(digits)));
  return digits;
}

std::string ShortPrefecture(std::string_view prefecture) {
  std::string p(prefecture);
  if (p == "北海道") return p;
  for (const char* suffix : {"都", "府", "県"}) {
    if (absl::EndsWith(p, suffix)) return p.substr(0, p.size() - 3);
  }
  return p;
}

Company RandomCompany(const Sources& sources, Rng& rng) {
  Company c;
  const std::string& stem =
      rng.Chance(0.5)
          ? sources.places[rng.Below(sources.places.size())]
          : sources.surnames[rng.Pick(sources.surname_cumulative)].kanji;
  c.core = absl::StrCat(stem, PickOf(kIndustries, rng));
  if (rng.Chance(0.15)) c.form = "有限会社";
  c.form_first = rng.Chance(0.6);
  return c;
}

int InsurerCatalog::Add(Insurer insurer, Rng& rng) {
  insurer.policy = DrawPolicy(insurer.kind, policies_, rng);
  insurer.has_branch = rng.Chance(0.9);
  insurers_.push_back(std::move(insurer));
  return static_cast<int>(insurers_.size()) - 1;
}

void InsurerCatalog::AddPrefectural(const std::string& code, Rng& rng) {
  const std::string pref(normalizer::PrefectureName(code));
  const std::string short_pref = ShortPrefecture(pref);
  auto make = [&](InsurerKind kind, std::string_view houbetsu, int serial,
                  std::string name, std::vector<std::string> aliases) {
    Insurer in;
    in.number = MakeInsurerNumber(houbetsu, code, serial);
    in.kind = kind;
    in.name = std::move(name);
    in.aliases = std::move(aliases);
    in.prefecture_code = code;
    in.prefecture = pref;
    in.address = pref;
    return Add(std::move(in), rng);
  };
  kyokai_[code] = make(InsurerKind::kKyokai, "01", 1,
                       absl::StrCat("全国健康保険協会", short_pref, "支部"),
                       {absl::StrCat("協会けんぽ", short_pref, "支部"),
                        absl::StrCat("協会けんぽ", short_pref)});
  kouki_[code] = make(InsurerKind::kKouki, "39", 101,
                      absl::StrCat(pref, "後期高齢者医療広域連合"),
                      {absl::StrCat(pref, "後期高齢者医療"),
                       absl::StrCat(short_pref, "後期高齢者医療広域連合")});
  auto& kyosai = kyosai_[code];
  kyosai.push_back(make(InsurerKind::kKyosai, "32", 1,
                        absl::StrCat("地方職員共済組合", short_pref, "支部"),
                        {"地共済", absl::StrCat(short_pref, "地方職員共済")}));
  kyosai.push_back(make(InsurerKind::kKyosai, "33", 1,
                        absl::StrCat("警察共済組合", short_pref, "支部"),
                        {"警察共済"}));
  kyosai.push_back(
      make(InsurerKind::kKyosai, "34", 1,
           absl::StrCat("公立学校共済組合", short_pref, "支部"),
           {"公立学校共済", absl::StrCat("公立共済", short_pref)}));
  if (code == "13") {
    int serial = 10;
    for (const char* m : kMinistries) {
      kyosai.push_back(make(InsurerKind::kKyosai, "31", serial++, m, {}));
    }
  }
}

void InsurerCatalog::AddKokuho(const Sources& sources, Rng& rng) {
  for (const AddressEntry& a : sources.addresses) {
    const std::string key =
        absl::StrCat(a.prefecture_code, "|", a.kokuho_municipality);
    if (kokuho_.contains(key)) continue;
    int& serial = serials_[a.prefecture_code];
    if (serial == 0) serial = 101;
    if (serial > 999) continue;
    const std::string& m = a.kokuho_municipality;
    Insurer in;
    in.number = MakeInsurerNumber("", a.prefecture_code, serial++);
    in.kind = InsurerKind::kKokuho;
    in.name = m;
    in.aliases = {absl::StrCat(m, "国保"), absl::StrCat(m, "国民健康保険")};
    in.prefecture_code = a.prefecture_code;
    in.prefecture = a.prefecture;
    in.address = absl::StrCat(a.prefecture, m);
    // 横浜市 → symbol 横浜 for about half the municipalities.
    if (rng.Chance(0.5) && m.size() > 3) {
      in.kanji_symbol = m.substr(0, m.size() - 3);
    }
    kokuho_[key] = Add(std::move(in), rng);
  }
}

void InsurerCatalog::AddKumiai(const Sources& sources, int64_t count,
                               Rng& rng) {
  std::set<std::string> used;
  for (int64_t i = 0; i < count; ++i) {
    Company c = RandomCompany(sources, rng);
    c.form = "株式会社";
    if (!used.insert(c.core).second) continue;
    const std::string code = KumiaiPrefecture(rng);
    int& serial = serials_[absl::StrCat("06", code)];
    if (serial == 0) serial = 1;
    if (serial > 999) continue;
    Insurer in;
    in.number = MakeInsurerNumber("06", code, serial++);
    in.kind = InsurerKind::kKumiai;
    in.name = absl::StrCat(c.core, "健康保険組合");
    in.aliases = {absl::StrCat(c.core, "健保"),
                  absl::StrCat(c.core, "健保組合")};
    in.prefecture_code = code;
    in.prefecture = std::string(normalizer::PrefectureName(code));
    in.employers.push_back(c);
    const int affiliates = static_cast<int>(rng.Between(0, 3));
    for (int a = 0; a < affiliates; ++a) {
      Company sub = c;
      sub.core = absl::StrCat(c.core, PickOf(kAffiliates, rng));
      if (std::none_of(in.employers.begin(), in.employers.end(),
                       [&](const Company& e) { return e.core == sub.core; })) {
        in.employers.push_back(std::move(sub));
      }
    }
    const int index = Add(std::move(in), rng);
    kumiai_.push_back(index);
    kumiai_by_prefecture_[code].push_back(index);
  }
}

std::unique_ptr<const InsurerCatalog> InsurerCatalog::Build(
    const Sources& sources, uint64_t seed, int64_t persons,
    const PolicyMix& policies) {
  std::unique_ptr<InsurerCatalog> c(new InsurerCatalog(policies));
  Rng rng(Mix(seed, 0x1A5));
  for (int code = 1; code <= 47; ++code) {
    c->AddPrefectural(PrefectureCode(code), rng);
  }
  c->AddKokuho(sources, rng);
  c->AddKumiai(sources, std::clamp<int64_t>(persons / 1500, 30, 1200), rng);
  return c;
}

int InsurerCatalog::Kyokai(const std::string& code) const {
  return kyokai_.at(code);
}

int InsurerCatalog::Kouki(const std::string& code) const {
  return kouki_.at(code);
}

int InsurerCatalog::Kokuho(const AddressEntry& a) const {
  auto it =
      kokuho_.find(absl::StrCat(a.prefecture_code, "|", a.kokuho_municipality));
  return it != kokuho_.end() ? it->second : Kyokai(a.prefecture_code);
}

int InsurerCatalog::RandomKumiai(Rng& rng, const std::string& code) const {
  auto it = kumiai_by_prefecture_.find(code);
  if (it != kumiai_by_prefecture_.end() && rng.Chance(0.6)) {
    return it->second[rng.Below(it->second.size())];
  }
  return kumiai_[rng.Below(kumiai_.size())];
}

int InsurerCatalog::RandomKyosai(Rng& rng, const std::string& code) const {
  const std::vector<int>& local = kyosai_.at(code);
  if (rng.Chance(0.15)) {
    const std::vector<int>& national = kyosai_.at("13");
    return national[rng.Below(national.size())];
  }
  return local[rng.Below(3)];
}

namespace {

// The scheme words a patient may set apart from the place with a space.
constexpr const char* kSchemeWords[] = {
    "全国健康保険協会", "協会けんぽ", "国民健康保険", "国保", "後期高齢者医療",
    "健康保険組合",     "健保",       "共済組合",     "支部"};

// As written on a claim: now and then a space before the scheme word, 協会健保
// or half-width ｹﾝﾎﾟ for 協会けんぽ.
std::string Respell(std::string name, Rng& rng) {
  if (rng.Chance(0.1) && absl::StrContains(name, "協会けんぽ")) {
    name = absl::StrReplaceAll(
        name, {{"協会けんぽ", rng.Chance(0.5) ? "協会健保" : "協会ｹﾝﾎﾟ"}});
  }
  if (rng.Chance(0.2)) {
    for (const char* word : kSchemeWords) {
      const size_t at = name.find(word);
      if (at == std::string::npos || at == 0) continue;
      name.insert(at, rng.Chance(0.5) ? "\u3000" : " ");
      break;
    }
  }
  return name;
}

std::string SpokenName(const Insurer& in, Rng& rng) {
  const uint64_t k = rng.Below(4);
  switch (in.kind) {
    case InsurerKind::kKyokai:
      if (k == 3) return rng.Chance(0.5) ? "協会けんぽ" : "社保";
      return k == 0 ? in.name : in.aliases[k - 1];
    case InsurerKind::kKumiai:
      if (k == 3) return in.employers[0].core;
      if (k == 0 && rng.Chance(0.2)) {  // the company's legal form kept
        return absl::StrCat(in.employers[0].Official(), "健康保険組合");
      }
      return k == 0 ? in.name : in.aliases[k - 1];
    case InsurerKind::kKokuho:
      if (k == 3) return rng.Chance(0.5) ? "国保" : "国民健康保険";
      return k == 0 ? in.name : in.aliases[k - 1];
    case InsurerKind::kKouki:
      if (k == 3) return rng.Chance(0.5) ? "後期高齢者医療" : "後期高齢";
      return k == 0 ? in.name : in.aliases[k - 1];
    case InsurerKind::kKyosai:
      if (k == 3 || in.aliases.empty()) return in.name;
      return k == 0 ? in.name : in.aliases[(k - 1) % in.aliases.size()];
  }
  return in.name;
}

}  // namespace

std::string SpokenInsurerName(const Insurer& in, Rng& rng) {
  return Respell(SpokenName(in, rng), rng);
}

std::string SpokenEmployer(const Company& c, Rng& rng) {
  if (rng.Chance(0.15)) return c.core;
  const bool kabu = c.form == "株式会社";
  const char* forms[] = {kabu ? "株式会社" : "有限会社", kabu ? "㈱" : "㈲",
                         kabu ? "（株）" : "（有）", kabu ? "(株)" : "(有)"};
  const char* form = forms[rng.Below(4)];
  const bool first = rng.Chance(0.8) ? c.form_first : !c.form_first;
  const char* space =
      rng.Chance(0.15) ? (rng.Chance(0.5) ? "\u3000" : " ") : "";
  return first ? absl::StrCat(form, space, c.core)
               : absl::StrCat(c.core, space, form);
}

}  // namespace kuromaru::gen
