#include "services/gen/world.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "normalizer/utf8.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// A bijection of [0, 10^digits): distinct households get distinct member
// numbers without any bookkeeping.
uint64_t Scramble(uint64_t key, int digits) {
  uint64_t range = 1;
  for (int i = 0; i < digits; ++i) range *= 10;
  constexpr uint64_t kMultiplier = 2862933555777941757ULL;  // odd, not 5k
  const Uint128 x = static_cast<Uint128>(key % range) * (kMultiplier % range) +
                    0x5DEECE66DULL;
  return static_cast<uint64_t>(x % range);
}

bool IsOpen(const Date& d) { return d.year == 0; }

bool IsEmployeeScheme(InsurerKind kind) {
  return kind == InsurerKind::kKyokai || kind == InsurerKind::kKumiai ||
         kind == InsurerKind::kKyosai;
}

int AgeAt(const Date& birth, const Date& day) {
  int age = day.year - birth.year;
  if (day.month < birth.month ||
      (day.month == birth.month && day.day < birth.day)) {
    --age;
  }
  return age;
}

}  // namespace

struct World::Segment {
  Date from;
  Date until;
  int insurer = -1;
  std::string symbol;
  std::string number;
  bool rostered = true;
  Company employer;
};

bool Enrollment::Covers(const Date& d) const {
  return !Before(d, from) && (IsOpen(until) || Before(d, until));
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
}

Date World::RandomDate(Rng& rng, const Date& lo, const Date& hi) const {
  const int a = DaysFromCivil(lo);
  const int b = std::max(a, DaysFromCivil(hi));
  Date d = CivilFromDays(static_cast<int>(rng.Between(a, b)));
  if (rng.Chance(0.4)) {
    const Date first{d.year, d.month, 1};
    if (!Before(first, lo)) d = first;
  }
  return d;
}

Person World::NewPerson(Rng& rng, const NameEntry& surname, int sex, Date birth,
                        const std::vector<Person>& family) const {
  const auto& names = sex == 1 ? sources_.male_given : sources_.female_given;
  const auto& cumulative =
      sex == 1 ? sources_.male_cumulative : sources_.female_cumulative;
  Person p;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const NameEntry& given = names[rng.Pick(cumulative)];
    p.given = given.kanji;
    p.given_kana = given.kana;
    if (std::none_of(family.begin(), family.end(), [&](const Person& q) {
          return q.given_kana == p.given_kana || q.given == p.given;
        })) {
      break;
    }
  }
  p.surname = surname.kanji;
  p.surname_kana = surname.kana;
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
  const NameEntry& surname =
      sources_.surnames[rng.Pick(sources_.surname_cumulative)];
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
  h.members.push_back(
      NewPerson(rng, surname, head_sex, birth_at_age(head_age), h.members));
  if (spouse) {
    const int age =
        std::max(20, head_age + static_cast<int>(rng.Between(-6, 3)));
    h.members.push_back(
        NewPerson(rng, surname, 3 - head_sex, birth_at_age(age), h.members));
  }
  const Date parent = h.members.back().birth;
  const Date latest = AddDays(as_of, -30);
  for (int k = 0; k < kids; ++k) {
    const Date birth =
        AddDays(AddYears(parent, static_cast<int>(rng.Between(22, 40))),
                static_cast<int>(rng.Between(0, 364)));
    if (!Before(birth, latest)) continue;
    const int sex = rng.Chance(0.51) ? 1 : 2;
    h.members.push_back(NewPerson(rng, surname, sex, birth, h.members));
    if (k == 0 && rng.Chance(options_.twin_rate)) {
      h.twins = true;
      const int twin_sex = rng.Chance(0.5) ? sex : 3 - sex;
      h.members.push_back(NewPerson(rng, surname, twin_sex, birth, h.members));
    }
  }
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
  auto chars = normalizer::DecodeUtf8(h.members[0].surname);
  if (!chars.ok()) return;
  std::vector<int> positions = variant_positions(*chars);
  if (positions.empty()) {
    if (variant_surnames_.empty()) return;
    const NameEntry& s =
        sources_
            .surnames[variant_surnames_[rng.Pick(variant_surname_cumulative_)]];
    for (Person& p : h.members) {
      p.surname = s.kanji;
      p.surname_kana = s.kana;
    }
    chars = normalizer::DecodeUtf8(s.kanji);
    positions = variant_positions(*chars);
  }
  const int pos = positions[rng.Below(positions.size())];
  const auto& options = variants_.VariantsOf((*chars)[pos]);
  const char32_t canonical = (*chars)[pos];
  const char32_t variant = options[rng.Below(options.size())];
  (*chars)[pos] = variant;
  const std::string surname = normalizer::EncodeUtf8(*chars);
  const bool gaiji = rng.Chance(options_.gaiji_rate);
  for (Person& p : h.members) {
    p.surname = surname;
    p.variant_index = pos;
    p.variant = variant;
    p.canonical = canonical;
    p.roster_gaiji = gaiji;
  }
}

int World::SegmentInsurer(Rng& rng, const Household& h,
                          const Date& from) const {
  const AddressEntry& a = sources_.addresses[h.address];
  const double x = rng.Unit();
  if (AgeAt(h.members[0].birth, from) >= 65) {
    if (x < 0.75) return insurers_.Kokuho(a);
    if (x < 0.90) return insurers_.Kyokai(a.prefecture_code);
    return insurers_.RandomKumiai(rng, a.prefecture_code);
  }
  if (x < 0.42) return insurers_.Kyokai(a.prefecture_code);
  if (x < 0.67) return insurers_.RandomKumiai(rng, a.prefecture_code);
  if (x < 0.75) return insurers_.RandomKyosai(rng, a.prefecture_code);
  return insurers_.Kokuho(a);
}

std::vector<World::Segment> World::Segments(Rng& rng,
                                            const Household& h) const {
  const Date& start = options_.history_start;
  const Date& as_of = options_.as_of;
  std::vector<Date> starts;
  if (!h.rostered) {
    // Enrolled in the last months, not yet reported to the roster.
    starts.push_back(
        RandomDate(rng, AddDays(as_of, -150), AddDays(as_of, -20)));
  } else {
    const int n = h.late ? static_cast<int>(rng.Between(2, 3))
                         : static_cast<int>(rng.Pick({0.62, 0.90, 1.0})) + 1;
    std::vector<Date> changes;
    for (int i = 1; i < n; ++i) {
      changes.push_back(RandomDate(rng, start, AddDays(as_of, -60)));
    }
    if (h.late) {
      changes.back() =
          RandomDate(rng, AddDays(as_of, -120), AddDays(as_of, -35));
    }
    std::sort(changes.begin(), changes.end(), Before);
    Date lo = std::max(AddYears(h.members[0].birth, 20), AddYears(as_of, -30),
                       Before);
    Date hi = AddDays(changes.empty() ? as_of : changes[0], -60);
    if (!Before(lo, hi)) lo = AddDays(hi, -365);
    starts.push_back(RandomDate(rng, lo, hi));
    for (const Date& c : changes) {
      if (DaysFromCivil(c) - DaysFromCivil(starts.back()) >= 60)
        starts.push_back(c);
    }
  }
  std::vector<Segment> out;
  for (size_t i = 0; i < starts.size(); ++i) {
    Segment s;
    s.from = starts[i];
    if (i + 1 < starts.size()) s.until = starts[i + 1];
    s.insurer = SegmentInsurer(rng, h, s.from);
    s.rostered = h.rostered && !(h.late && i + 1 == starts.size());
    SetMemberKey(rng, h, i, s);
    out.push_back(std::move(s));
  }
  return out;
}

// Member keys by scheme: 協会けんぽ a 7–8 digit office symbol and a short
// number, 組合健保 short symbol and number, 国保 often a kanji symbol. Distinct
// (household, segment) pairs get distinct keys through Scramble.
void World::SetMemberKey(Rng& rng, const Household& h, size_t i,
                         Segment& s) const {
  const Insurer& in = insurers_.at(s.insurer);
  const uint64_t key =
      (static_cast<uint64_t>(h.id) * 4 + i) * 2 + (h.rostered ? 0 : 1);
  switch (in.kind) {
    case InsurerKind::kKyokai: {
      const uint64_t x = Scramble(key, 11);
      s.symbol = absl::StrCat(x / 10000 + 1);
      s.number = absl::StrCat(x % 10000 + 1);
      s.employer = RandomCompany(sources_, rng);
      break;
    }
    case InsurerKind::kKumiai: {
      const uint64_t x = Scramble(key, 10);
      s.symbol = absl::StrCat(x / 1000000 + 1);
      s.number = absl::StrCat(x % 1000000 + 1);
      s.employer = in.employers[rng.Below(in.employers.size())];
      break;
    }
    case InsurerKind::kKokuho:
      if (!in.kanji_symbol.empty()) {
        s.symbol = in.kanji_symbol;
        s.number = absl::StrCat(Scramble(key, 8) + 1);
        break;
      }
      [[fallthrough]];
    default: {
      const uint64_t x = Scramble(key, 9);
      s.symbol = absl::StrCat(x / 10000000 + 1);
      s.number = absl::StrFormat("%07d", x % 10000000);
    }
  }
}

void World::Enroll(const Household& h, const std::vector<Segment>& segments,
                   Person& p, int member_index) const {
  const Date bday75 = AddYears(p.birth, 75);
  const bool turns75 = Before(bday75, options_.as_of);
  for (const Segment& s : segments) {
    Enrollment e;
    e.from = Before(s.from, p.birth) ? p.birth : s.from;
    e.until = s.until;
    if (turns75) {
      if (!Before(e.from, bday75)) continue;
      if (IsOpen(e.until) || Before(bday75, e.until)) e.until = bday75;
    }
    if (!IsOpen(e.until) && !Before(e.from, e.until)) continue;
    const Insurer& in = insurers_.at(s.insurer);
    e.insurer = s.insurer;
    e.symbol = s.symbol;
    e.number = s.number;
    if (in.has_branch) {
      const int b = IsEmployeeScheme(in.kind) ? member_index : member_index + 1;
      e.branch = absl::StrFormat("%02d", b);
    } else {
      // Without 枝番 each member needs a number of their own.
      absl::StrAppend(&e.number, member_index);
    }
    e.rostered = s.rostered;
    e.employer = s.employer;
    p.enrollments.push_back(std::move(e));
  }
  if (turns75) {
    Enrollment e;
    e.insurer = insurers_.Kouki(sources_.addresses[h.address].prefecture_code);
    const uint64_t key = (static_cast<uint64_t>(h.id) * 8 + member_index) * 2 +
                         (h.rostered ? 0 : 1);
    e.number = absl::StrFormat("%08d", Scramble(key, 8));
    e.from = bday75;
    e.rostered = h.rostered;
    p.enrollments.push_back(std::move(e));
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
  h.address = static_cast<int>(rng.Below(sources_.addresses.size()));
  h.blocks = absl::StrCat(rng.Between(1, 5), "-", rng.Between(1, 30), "-",
                          rng.Between(1, 25));
  if (h.namesake) {
    const Household source = Make(static_cast<int64_t>(rng.Below(id)), true);
    Person p = source.members[rng.Below(source.members.size())];
    p.enrollments.clear();
    h.members.push_back(std::move(p));
  } else {
    AddMembers(rng, h);
    if (rng.Chance(options_.variant_rate)) ApplySurnameVariant(rng, h);
  }
  const std::vector<Segment> segments = Segments(rng, h);
  if (static_cast<int>(h.members.size()) > max_members) {
    h.members.resize(max_members);
  }
  for (size_t i = 0; i < h.members.size(); ++i) {
    Person& p = h.members[i];
    Enroll(h, segments, p, static_cast<int>(i));
    p.id = absl::StrFormat("%s%08d", rostered ? "P" : "X",
                           first_person + static_cast<int64_t>(i));
  }
  return h;
}

}  // namespace kuromaru::gen
