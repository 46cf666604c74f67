#include "services/gen/life.h"

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/gen/life_internal.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// Member-key slots of a household: its segments, its dependents' 国保 after
// the insured's 75th birthday, and four of each member's own insurances.
constexpr int kSlots = 48;

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

Date FirstOfNextMonth(const Date& d) {
  return d.month == 12 ? Date{d.year + 1, 1, 1} : Date{d.year, d.month + 1, 1};
}

bool EndsAfter(const Segment& s, const Date& d) {
  return IsOpen(s.until) || Before(d, s.until);
}

}  // namespace

int AgeAt(const Date& birth, const Date& day) {
  int age = day.year - birth.year;
  if (day.month < birth.month ||
      (day.month == birth.month && day.day < birth.day)) {
    --age;
  }
  return age;
}

bool IsEmployeeScheme(InsurerKind kind) {
  return kind == InsurerKind::kKyokai || kind == InsurerKind::kKumiai ||
         kind == InsurerKind::kKyosai;
}

Date RandomDate(Rng& rng, const Date& lo, const Date& hi) {
  const int a = DaysFromCivil(lo);
  const int b = std::max(a, DaysFromCivil(hi));
  Date d = CivilFromDays(static_cast<int>(rng.Between(a, b)));
  if (rng.Chance(0.4)) {
    const Date first{d.year, d.month, 1};
    if (!Before(first, lo)) d = first;
  }
  return d;
}

std::string RandomBlocks(Rng& rng) {
  return absl::StrCat(rng.Between(1, 5), "-", rng.Between(1, 30), "-",
                      rng.Between(1, 25));
}

LifeBuilder::LifeBuilder(const World& world, Rng& rng, Household& h)
    : world_(world),
      insurers_(world.insurers()),
      o_(world.options()),
      rng_(rng),
      h_(h) {}

const AddressEntry& LifeBuilder::Entry(int address) const {
  return world_.sources().addresses[h_.addresses[address].entry];
}

int LifeBuilder::KokuhoAt(const Date& d) const {
  return insurers_.Kokuho(Entry(h_.HomeAt(d)));
}

void LifeBuilder::DrawMoves() {
  if (!h_.rostered || !rng_.Chance(o_.move_rate)) return;
  const Date day =
      RandomDate(rng_, AddDays(o_.history_start, 60), AddDays(o_.as_of, -30));
  const AddressEntry& from = Entry(0);
  const int old_kokuho = insurers_.Kokuho(from);
  Address to;
  const bool nearby = rng_.Chance(o_.move_in_prefecture);
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (nearby) {
      const auto& same = world_.AddressesIn(from.prefecture_code);
      to.entry = same[rng_.Below(same.size())];
    } else {
      to.entry =
          static_cast<int>(rng_.Below(world_.sources().addresses.size()));
    }
    if (insurers_.Kokuho(world_.sources().addresses[to.entry]) != old_kokuho) {
      break;
    }
  }
  to.blocks = RandomBlocks(rng_);
  h_.addresses.push_back(std::move(to));
  h_.moved.push_back(day);
}

int LifeBuilder::EmployeeInsurer(const AddressEntry& home) {
  const std::string& code = home.prefecture_code;
  const double x = rng_.Unit();
  if (x < 0.52) return insurers_.Kyokai(code);
  if (x < 0.85) return insurers_.RandomKumiai(rng_, code);
  return insurers_.RandomKyosai(rng_, code);
}

int LifeBuilder::HeadInsurer(const Date& from) {
  const AddressEntry& a = Entry(h_.HomeAt(from));
  const int age = AgeAt(h_.members[0].birth, from);
  const double x = rng_.Unit();
  if (age >= 70) return insurers_.Kokuho(a);
  if (age >= 65) {
    if (x < 0.75) return insurers_.Kokuho(a);
    if (x < 0.90) return insurers_.Kyokai(a.prefecture_code);
    return insurers_.RandomKumiai(rng_, a.prefecture_code);
  }
  if (x < 0.42) return insurers_.Kyokai(a.prefecture_code);
  if (x < 0.67) return insurers_.RandomKumiai(rng_, a.prefecture_code);
  if (x < 0.75) return insurers_.RandomKyosai(rng_, a.prefecture_code);
  return insurers_.Kokuho(a);
}

// Member keys by scheme: 協会けんぽ a 7–8 digit office symbol and a short
// number, 組合健保 short symbol and number, 国保 often a kanji symbol. Distinct
// (household, slot) pairs get distinct keys through Scramble.
void LifeBuilder::SetKey(Segment& s, int slot) {
  const Insurer& in = insurers_.at(s.insurer);
  const uint64_t key =
      (static_cast<uint64_t>(h_.id) * kSlots + static_cast<uint64_t>(slot)) *
          2 +
      (h_.rostered ? 0 : 1);
  switch (in.kind) {
    case InsurerKind::kKyokai: {
      const uint64_t x = Scramble(key, 11);
      s.symbol = absl::StrCat(x / 10000 + 1);
      s.number = absl::StrCat(x % 10000 + 1);
      s.employer = RandomCompany(world_.sources(), rng_);
      break;
    }
    case InsurerKind::kKumiai: {
      const uint64_t x = Scramble(key, 10);
      s.symbol = absl::StrCat(x / 1000000 + 1);
      s.number = absl::StrCat(x % 1000000 + 1);
      s.employer = in.employers[rng_.Below(in.employers.size())];
      break;
    }
    case InsurerKind::kKokuho:
      if (!in.kanji_symbol.empty()) {
        s.symbol = in.kanji_symbol;
        s.number = absl::StrCat(Scramble(key, 9) + 1);
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

Segment LifeBuilder::NewSegment(int insurer, const Date& from, LifeEvent event,
                                int slot) {
  Segment s;
  s.insurer = insurer;
  s.from = from;
  s.event = event;
  SetKey(s, slot);
  return s;
}

std::vector<Date> LifeBuilder::HeadStarts() {
  const Date& as_of = o_.as_of;
  if (!h_.rostered) {
    // Enrolled in the last months, not yet reported to the roster.
    return {RandomDate(rng_, AddDays(as_of, -150), AddDays(as_of, -20))};
  }
  const int n = h_.late ? static_cast<int>(rng_.Between(2, 3))
                        : static_cast<int>(rng_.Pick({0.62, 0.90, 1.0})) + 1;
  std::vector<Date> changes;
  for (int i = 1; i < n; ++i) {
    changes.push_back(RandomDate(rng_, o_.history_start, AddDays(as_of, -60)));
  }
  if (h_.late) {
    changes.back() =
        RandomDate(rng_, AddDays(as_of, -120), AddDays(as_of, -35));
  }
  std::sort(changes.begin(), changes.end(), Before);
  Date lo =
      std::max(AddYears(h_.members[0].birth, 20), AddYears(as_of, -30), Before);
  Date hi = AddDays(changes.empty() ? as_of : changes[0], -60);
  for (const Person& p : h_.members) {  // insured before the spouse joined
    if (!IsOpen(p.married)) hi = std::min(hi, AddDays(p.married, -60), Before);
  }
  if (!Before(lo, hi)) lo = AddDays(hi, -365);
  std::vector<Date> starts = {RandomDate(rng_, lo, hi)};
  for (const Date& c : changes) {
    if (DaysFromCivil(c) - DaysFromCivil(starts.back()) >= 60) {
      starts.push_back(c);
    }
  }
  return starts;
}

std::vector<Segment> LifeBuilder::HeadSegments() {
  const std::vector<Date> starts = HeadStarts();
  std::vector<Segment> out;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int insurer = HeadInsurer(starts[i]);
    if (!out.empty() && out.back().insurer == insurer &&
        insurers_.at(insurer).kind == InsurerKind::kKokuho) {
      continue;  // a change of job within one 国保 is no change of insurer
    }
    if (!out.empty()) out.back().until = starts[i];
    Segment s = NewSegment(
        insurer, starts[i],
        out.empty() ? LifeEvent::kNone : LifeEvent::kJobChange, next_slot_++);
    s.late = h_.late && i + 1 == starts.size();
    s.member_split = s.late;  // dependents are often registered apart
    out.push_back(std::move(s));
  }
  Retire(h_.members[0].birth, &out, &next_slot_);
  SplitAtMoves(&out, &next_slot_);
  AddGaps(&out);
  return out;
}

void LifeBuilder::Retire(const Date& birth, std::vector<Segment>* segments,
                         int* slot) {
  for (const int age : {60, 65}) {
    const Date day = FirstOfNextMonth(AddYears(birth, age));
    if (Before(day, AddDays(o_.history_start, 1)) ||
        !Before(day, AddDays(o_.as_of, -20))) {
      continue;
    }
    auto it =
        std::find_if(segments->begin(), segments->end(), [&](const Segment& s) {
          return !Before(day, s.from) && EndsAfter(s, day) &&
                 Before(s.from, day);
        });
    if (it == segments->end() ||
        !IsEmployeeScheme(insurers_.at(it->insurer).kind) ||
        !rng_.Chance(age == 60 ? o_.retire_at_60 : o_.retire_at_65)) {
      continue;
    }
    const Segment job = *it;
    segments->erase(it + 1, segments->end());
    segments->back().until = day;
    Date kokuho_from = day;
    if (rng_.Chance(o_.voluntary_rate)) {
      // 任意継続: the same insurer for up to two years; 協会けんぽ issues a
      // new member key, a 健保組合 or 共済 keeps it.
      Segment v = job;
      v.from = day;
      v.event = LifeEvent::kRetirement;
      v.late = false;
      if (insurers_.at(v.insurer).kind == InsurerKind::kKyokai) {
        SetKey(v, (*slot)++);
        v.employer = Company();  // no employer any more
      }
      v.until = rng_.Chance(0.6)
                    ? AddYears(day, 2)
                    : AddDays(day, static_cast<int>(rng_.Between(90, 700)));
      kokuho_from = v.until;
      if (!Before(v.until, o_.as_of)) v.until = Date();
      segments->push_back(std::move(v));
      if (!Before(kokuho_from, o_.as_of)) return;
    }
    segments->push_back(NewSegment(KokuhoAt(kokuho_from), kokuho_from,
                                   kokuho_from == day
                                       ? LifeEvent::kRetirement
                                       : LifeEvent::kVoluntaryEnded,
                                   (*slot)++));
    return;
  }
}

void LifeBuilder::SplitAtMoves(std::vector<Segment>* segments, int* slot) {
  for (const Date& day : h_.moved) {
    for (size_t i = 0; i < segments->size(); ++i) {
      Segment& s = (*segments)[i];
      if (!Before(s.from, day) || !EndsAfter(s, day) ||
          insurers_.at(s.insurer).kind != InsurerKind::kKokuho) {
        continue;
      }
      const int kokuho = KokuhoAt(day);
      if (kokuho == s.insurer) break;
      Segment next = NewSegment(kokuho, day, LifeEvent::kMove, (*slot)++);
      next.until = s.until;
      s.until = day;
      segments->insert(segments->begin() + static_cast<std::ptrdiff_t>(i) + 1,
                       std::move(next));
      break;
    }
  }
}

void LifeBuilder::Junction(Date* end, Date* start, bool overlap_allowed) {
  const double x = rng_.Unit();
  if (x < o_.gap_rate) {
    *start = AddDays(*start, static_cast<int>(rng_.Between(1, 10)));
  } else if (x < o_.gap_rate + o_.overlap_rate && overlap_allowed &&
             !IsOpen(*end) && start->day >= 2 && start->day <= 26) {
    // Never over a month's first day: one enrollment covers it.
    *end = AddDays(*end, static_cast<int>(rng_.Between(1, 2)));
  }
}

void LifeBuilder::AddGaps(std::vector<Segment>* segments) {
  for (size_t i = 1; i < segments->size(); ++i) {
    Segment& a = (*segments)[i - 1];
    Segment& b = (*segments)[i];
    if (IsOpen(a.until) || a.until != b.from) continue;
    Date end = a.until, start = b.from;
    Junction(&end, &start, a.insurer != b.insurer);
    if (!IsOpen(b.until) && !Before(start, b.until)) continue;
    a.until = end;
    b.from = start;
  }
}

std::vector<Segment> LifeBuilder::DependentSegments(
    const std::vector<Segment>& head) {
  const Date day = AddYears(h_.members[0].birth, 75);
  if (!Before(day, o_.as_of) || h_.members.size() < 2) return head;
  auto it = std::find_if(head.begin(), head.end(), [&](const Segment& s) {
    return !Before(day, s.from) && EndsAfter(s, day);
  });
  if (it == head.end() || !IsEmployeeScheme(insurers_.at(it->insurer).kind)) {
    return head;
  }
  // The insured's 75th birthday ends the dependents' employee insurance:
  // they join the 国保 of their municipality the same day.
  std::vector<Segment> out(head.begin(), it + 1);
  int slot = kHouseholdSlots - 4;  // the dependents' own 国保 household
  Segment kokuho =
      NewSegment(KokuhoAt(day), day, LifeEvent::kInsuredTurned75, slot++);
  out.back().until = day;
  kokuho.late = rng_.Chance(LateChance(day));
  kokuho.member_split = LateChance(day) > 0;
  out.push_back(std::move(kokuho));
  SplitAtMoves(&out, &slot);
  return out;
}

double LifeBuilder::LateChance(const Date& from) const {
  return Before(from, AddDays(o_.as_of, -150)) ? 0 : o_.late_event_rate;
}

void LifeBuilder::DecideLateEvents(std::vector<Segment>* segments) {
  for (Segment& s : *segments) {
    if (s.late || s.event == LifeEvent::kNone ||
        s.event == LifeEvent::kJobChange) {
      continue;
    }
    s.late = rng_.Chance(LateChance(s.from));
    s.member_split = LateChance(s.from) > 0;
  }
}

void BuildLives(const World& world, Rng& rng, Household& h) {
  LifeBuilder builder(world, rng, h);
  builder.Build();
}

}  // namespace kuromaru::gen
