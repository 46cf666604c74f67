#include "services/gen/world.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "normalizer/utf8.h"
#include "services/gen/life.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

constexpr std::string_view kLifeEventNames[kLifeEventCount] = {
    "",        "job_change",      "first_job", "marriage",         "moved",
    "retired", "voluntary_ended", "turned_75", "insured_turned_75"};

// Surname characters registered with a variation sequence in the family
// register (Adobe-Japan1 IVD: 辻 with one dot, 葛 with 匕).
constexpr char32_t kIvsBases[] = {U'辻', U'葛'};
constexpr char32_t kIvsSelector = 0xE0100;

}  // namespace

std::string_view LifeEventName(LifeEvent e) {
  return kLifeEventNames[static_cast<int>(e)];
}

bool Enrollment::Covers(const Date& d) const {
  return !Before(d, from) && (IsOpen(until) || Before(d, until));
}

int Household::HomeAt(const Date& d) const {
  int i = 0;
  while (i < static_cast<int>(moved.size()) && !Before(d, moved[i])) ++i;
  return i;
}

std::string JoinName(const std::string& surname, const std::string& given,
                     const std::string& separator) {
  return absl::StrCat(surname, separator, given);
}

World::World(const Sources& sources, const InsurerCatalog& insurers,
             const VariantTable& variants, const WorldOptions& options,
             uint64_t seed)
    : sources_(sources),
      insurers_(insurers),
      variants_(variants),
      options_(options),
      seed_(seed) {
  std::vector<double> weights;
  for (size_t i = 0; i < sources_.surnames.size(); ++i) {
    auto chars = normalizer::DecodeUtf8(sources_.surnames[i].kanji);
    if (!chars.ok()) continue;
    if (std::any_of(chars->begin(), chars->end(), [&](char32_t c) {
          return !variants_.VariantsOf(c).empty();
        })) {
      variant_surnames_.push_back(static_cast<int>(i));
      const double prev = i == 0 ? 0 : sources_.surname_cumulative[i - 1];
      weights.push_back(sources_.surname_cumulative[i] - prev);
    }
  }
  variant_surname_cumulative_ = Cumulative(weights);
  for (size_t i = 0; i < sources_.addresses.size(); ++i) {
    by_prefecture_[sources_.addresses[i].prefecture_code].push_back(
        static_cast<int>(i));
  }
}

const std::vector<int>& World::AddressesIn(const std::string& code) const {
  return by_prefecture_.at(code);
}

NameForm World::RandomSurname(Rng& rng) const {
  const NameEntry& s = sources_.surnames[rng.Pick(sources_.surname_cumulative)];
  NameForm n;
  n.surname = s.kanji;
  n.surname_kana = s.kana;
  return n;
}

Person World::NewPerson(Rng& rng, const NameForm& surname, int sex, Date birth,
                        const std::vector<Person>& family) const {
  const auto& names = sex == 1 ? sources_.male_given : sources_.female_given;
  const auto& cumulative =
      sex == 1 ? sources_.male_cumulative : sources_.female_cumulative;
  NameForm n = surname;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const NameEntry& given = names[rng.Pick(cumulative)];
    n.given = given.kanji;
    n.given_kana = given.kana;
    if (std::none_of(family.begin(), family.end(), [&](const Person& q) {
          return q.name().given_kana == n.given_kana ||
                 q.name().given == n.given;
        })) {
      break;
    }
  }
  Person p;
  p.names.push_back(std::move(n));
  p.sex = sex;
  p.birth = birth;
  return p;
}

void World::AddMembers(Rng& rng, Household& h) const {
  const Date& as_of = options_.as_of;
  auto birth_at_age = [&](int age) {
    return AddDays(AddYears(as_of, -age),
                   -static_cast<int>(rng.Between(1, 365)));
  };
  const NameForm surname = RandomSurname(rng);
  const double type = rng.Unit();
  int head_age, kids = 0;
  bool spouse = false;
  int head_sex = rng.Chance(0.5) ? 1 : 2;
  if (type < 0.20) {  // single, working age
    head_age = static_cast<int>(rng.Between(20, 64));
  } else if (type < 0.34) {  // single, elderly
    head_age =
        65 + static_cast<int>(std::min(rng.Between(0, 32), rng.Between(0, 32)));
  } else if (type < 0.54) {  // couple
    head_age = static_cast<int>(rng.Between(25, 90));
    spouse = true;
  } else if (type < 0.90) {  // couple with children
    head_age = static_cast<int>(rng.Between(28, 56));
    spouse = true;
    kids = static_cast<int>(rng.Pick({0.35, 0.80, 1.0})) + 1;
  } else {  // single parent
    head_age = static_cast<int>(rng.Between(25, 55));
    head_sex = rng.Chance(0.85) ? 2 : 1;
    kids = static_cast<int>(rng.Between(1, 2));
  }
  if (spouse) head_sex = rng.Chance(0.85) ? 1 : 2;
  // A couple married in the window: the spouse who took the other's surname
  // (usually the wife) had one of their own before.
  bool married = spouse && head_age < 50 && h.rostered &&
                 rng.Chance(options_.marriage_rate);
  if (married) head_sex = rng.Chance(options_.husband_renamed) ? 2 : 1;
  h.members.push_back(
      NewPerson(rng, surname, head_sex, birth_at_age(head_age), h.members));
  Date wedding;
  if (spouse) {
    const int age =
        std::max(20, head_age + static_cast<int>(rng.Between(-6, 3)));
    AddSpouse(rng, surname, 3 - head_sex, birth_at_age(age), married, h);
    wedding = h.members.back().married;
    married = !IsOpen(wedding);
  }
  const Date parent = h.members.back().birth;
  const Date latest = AddDays(as_of, -30);
  for (int k = 0; k < kids; ++k) {
    Date birth =
        AddDays(AddYears(parent, static_cast<int>(rng.Between(22, 40))),
                static_cast<int>(rng.Between(0, 364)));
    if (married) birth = RandomDate(rng, AddDays(wedding, 300), latest);
    if (!Before(birth, latest)) continue;
    const int sex = rng.Chance(0.51) ? 1 : 2;
    Person child = NewPerson(rng, surname, sex, birth, h.members);
    child.role = Role::kChild;
    h.members.push_back(std::move(child));
    if (k == 0 && rng.Chance(options_.twin_rate)) {
      h.twins = true;
      const int twin_sex = rng.Chance(0.5) ? sex : 3 - sex;
      Person twin = NewPerson(rng, surname, twin_sex, birth, h.members);
      twin.role = Role::kChild;
      h.members.push_back(std::move(twin));
    }
  }
}

void World::AddSpouse(Rng& rng, const NameForm& surname, int sex, Date birth,
                      bool married, Household& h) const {
  Person p = NewPerson(rng, surname, sex, birth, h.members);
  p.role = Role::kSpouse;
  if (married) {
    const Date adult = std::max(AddYears(p.birth, 20),
                                AddYears(h.members[0].birth, 20), Before);
    const Date lo =
        std::max(AddDays(options_.history_start, 30), adult, Before);
    const Date hi = AddDays(options_.as_of, -45);
    if (Before(lo, hi)) {
      p.married = RandomDate(rng, lo, hi);
      NameForm former = RandomSurname(rng);
      while (former.surname == surname.surname ||
             former.surname_kana == surname.surname_kana) {
        former = RandomSurname(rng);
      }
      former.given = p.name().given;
      former.given_kana = p.name().given_kana;
      p.names.insert(p.names.begin(), std::move(former));
    }
  }
  h.members.push_back(std::move(p));
}

void World::ApplySurnameVariant(Rng& rng, Household& h) const {
  auto variant_positions = [&](const std::u32string& s) {
    std::vector<int> out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (!variants_.VariantsOf(s[i]).empty())
        out.push_back(static_cast<int>(i));
    }
    return out;
  };
  auto chars = normalizer::DecodeUtf8(h.members[0].name().surname);
  if (!chars.ok()) return;
  std::vector<int> positions = variant_positions(*chars);
  std::string kana = h.members[0].name().surname_kana;
  if (positions.empty()) {
    if (variant_surnames_.empty()) return;
    const NameEntry& s =
        sources_
            .surnames[variant_surnames_[rng.Pick(variant_surname_cumulative_)]];
    kana = s.kana;
    chars = normalizer::DecodeUtf8(s.kanji);
    positions = variant_positions(*chars);
  }
  const int pos = positions[rng.Below(positions.size())];
  const auto& options = variants_.VariantsOf((*chars)[pos]);
  const char32_t canonical = (*chars)[pos];
  (*chars)[pos] = options[rng.Below(options.size())];
  const std::string surname = normalizer::EncodeUtf8(*chars);
  // Everyone bearing the household's surname (not a spouse's former one).
  for (Person& p : h.members) {
    NameForm& n = p.names.back();
    n.surname = surname;
    n.surname_kana = kana;
    n.variant_index = pos;
    n.canonical = canonical;
  }
}

void World::ApplyVariationSequence(Rng& rng, Household& h) const {
  const NameForm& first = h.members[0].name();
  if (first.variant_index >= 0) return;
  auto chars = normalizer::DecodeUtf8(first.surname);
  if (!chars.ok()) return;
  const auto at = std::find_first_of(
      chars->begin(), chars->end(), std::begin(kIvsBases), std::end(kIvsBases));
  if (at == chars->end() || !rng.Chance(options_.ivs_rate)) return;
  chars->insert(at + 1, kIvsSelector);
  const std::string surname = normalizer::EncodeUtf8(*chars);
  for (Person& p : h.members) p.names.back().surname = surname;
}

void World::ApplyOldForm(Rng& rng, Person& p) const {
  if (!rng.Chance(options_.old_form_rate)) return;
  auto given = normalizer::DecodeUtf8(p.name().given);
  if (!given.ok()) return;
  for (size_t i = 0; i < given->size(); ++i) {
    const auto& options = variants_.VariantsOf((*given)[i]);
    if (options.empty()) continue;
    const char32_t canonical = (*given)[i];
    (*given)[i] = options[rng.Below(options.size())];
    const std::string old_form = normalizer::EncodeUtf8(*given);
    for (NameForm& n : p.names) {  // the given name outlives a marriage
      n.given = old_form;
      if (n.variant_index < 0) {
        n.variant_index =
            static_cast<int>(normalizer::CodePointCount(n.surname) + i);
        n.canonical = canonical;
      }
    }
    return;
  }
}

Household World::Make(int64_t id, bool rostered, int max_members,
                      int64_t first_person) const {
  Rng rng(Mix(seed_, rostered ? 0xA11 : 0xAB5, static_cast<uint64_t>(id)));
  Household h;
  h.id = id;
  h.rostered = rostered;
  h.namesake = rostered && id > 0 && rng.Chance(options_.namesake_rate);
  h.late = rostered && rng.Chance(options_.late_rate);
  Address home;
  home.entry = static_cast<int>(rng.Below(sources_.addresses.size()));
  home.blocks = RandomBlocks(rng);
  h.addresses.push_back(std::move(home));
  if (h.namesake) {
    const Household source = Make(static_cast<int64_t>(rng.Below(id)), true);
    const Person& copied = source.members[rng.Below(source.members.size())];
    Person p;
    p.names.push_back(copied.name());
    p.birth = copied.birth;
    p.sex = copied.sex;
    h.members.push_back(std::move(p));
  } else {
    AddMembers(rng, h);
    if (rng.Chance(options_.variant_rate)) ApplySurnameVariant(rng, h);
    ApplyVariationSequence(rng, h);
    for (Person& p : h.members) ApplyOldForm(rng, p);
  }
  BuildLives(*this, rng, h);
  if (static_cast<int>(h.members.size()) > max_members) {
    h.members.resize(max_members);
  }
  for (size_t i = 0; i < h.members.size(); ++i) {
    h.members[i].id = absl::StrFormat("%s%08d", rostered ? "P" : "X",
                                      first_person + static_cast<int64_t>(i));
  }
  return h;
}

}  // namespace kuromaru::gen
