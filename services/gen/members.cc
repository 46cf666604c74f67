// Each member's enrollments: which insurance covers them when (the
// household's, their own, their parents' before a marriage), cut into
// enrollments, then the 後期高齢者医療 from the 75th birthday, then what the
// roster does not hold yet.
#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/gen/life_internal.h"
#include "services/gen/noise.h"

namespace kuromaru::gen {
namespace {

__extension__ typedef unsigned __int128 Uint128;

// As in life.cc, for the 8-digit 後期高齢者 numbers.
uint64_t Scramble8(uint64_t key) {
  constexpr uint64_t kRange = 100000000;
  constexpr uint64_t kMultiplier = 2862933555777941757ULL % kRange;
  const Uint128 x =
      static_cast<Uint128>(key % kRange) * kMultiplier + 0x5DEECE66DULL;
  return static_cast<uint64_t>(x % kRange);
}

Date Earlier(const Date& a, const Date& b) {
  if (IsOpen(a)) return b;
  if (IsOpen(b)) return a;
  return Before(a, b) ? a : b;
}

bool IsLifeEvent(LifeEvent e) {
  return e != LifeEvent::kNone && e != LifeEvent::kJobChange;
}

}  // namespace

void LifeBuilder::Build() {
  DrawMoves();
  head_ = HeadSegments();
  DecideLateEvents(&head_);
  dependents_ = DependentSegments(head_);
  for (size_t m = 0; m < h_.members.size(); ++m) {
    Person& p = h_.members[m];
    const int member = static_cast<int>(m);
    own_slot_ =
        kHouseholdSlots + std::min(member, kMaxOwnMember) * kOwnSlotsPerMember;
    own_slot_end_ = own_slot_ + kOwnSlotsPerMember;
    Enroll(p, member, PiecesOf(p, member));
    AddKouki(p, member);
    MarkLate(p);
  }
}

int LifeBuilder::OwnSlot() {
  // Past its four slots a member reuses the last: the same person's keys.
  return own_slot_ < own_slot_end_ ? own_slot_++ : own_slot_end_ - 1;
}

LifeBuilder::Piece LifeBuilder::HouseholdPiece(int member, const Date& lo,
                                               LifeEvent event, int name) {
  Piece piece;
  piece.segments = member == 0 ? head_ : dependents_;
  piece.lo = lo;
  piece.event = event;
  piece.name = name;
  return piece;
}

// The person's own employee insurance from `from` (one to three insurers)
// until `limit` (year 0: open) or an earlier retirement, which `end` returns
// (year 0: none). `first`, when set, is the insurer the chain begins in, and
// its key is kept half of the time.
LifeBuilder::Piece LifeBuilder::OwnPiece(const Person& p, const Date& from,
                                         LifeEvent event, const Date& limit,
                                         const AddressEntry& home,
                                         const Segment* first, Date* end) {
  const Date last = IsOpen(limit) ? o_.as_of : limit;
  std::vector<Date> starts = {from};
  const int n = static_cast<int>(rng_.Pick({0.55, 0.85, 1.0}));
  for (int i = 0; i < n; ++i) {
    const Date c = RandomDate(rng_, AddDays(from, 60), AddDays(last, -60));
    if (Before(c, AddDays(last, -59))) starts.push_back(c);
  }
  std::sort(starts.begin() + 1, starts.end(), Before);
  Piece piece;
  piece.lo = from;
  piece.event = event;
  piece.household = false;
  *end = Date();
  for (size_t i = 0; i < starts.size(); ++i) {
    if (i > 0 && DaysFromCivil(starts[i]) - DaysFromCivil(starts[i - 1]) < 60) {
      continue;
    }
    const int insurer =
        i == 0 && first != nullptr ? first->insurer : EmployeeInsurer(home);
    Segment s = NewSegment(insurer, starts[i],
                           i == 0 ? event : LifeEvent::kJobChange, OwnSlot());
    if (i == 0 && first != nullptr && rng_.Chance(0.5)) {
      s.symbol = first->symbol;
      s.number = first->number;
      s.employer = first->employer;
    }
    s.branch = "00";
    if (!piece.segments.empty()) piece.segments.back().until = s.from;
    piece.segments.push_back(std::move(s));
  }
  piece.segments.back().until = limit;
  // Retirement ends the own insurance; the household's covers the rest.
  for (const int age : {60, 65}) {
    const Date day = AddYears(p.birth, age);
    const Date retired{day.month == 12 ? day.year + 1 : day.year,
                       day.month == 12 ? 1 : day.month + 1, 1};
    if (!Before(from, retired) || !Before(retired, Earlier(limit, o_.as_of)) ||
        !rng_.Chance(age == 60 ? o_.retire_at_60 : o_.retire_at_65)) {
      continue;
    }
    while (!Before(piece.segments.back().from, retired)) {
      piece.segments.pop_back();
    }
    piece.segments.back().until = retired;
    *end = retired;
    break;
  }
  AddGaps(&piece.segments);
  piece.hi = IsOpen(*end) ? limit : *end;
  return piece;
}

std::vector<LifeBuilder::Piece> LifeBuilder::PiecesOf(const Person& p,
                                                      int member) {
  std::vector<Piece> pieces;
  if (member == 0 || !h_.rostered || member > kMaxOwnMember) {
    pieces.push_back(HouseholdPiece(member, Date(), LifeEvent::kNone, 0));
    return pieces;
  }
  const AddressEntry& home = Entry(0);
  Date own_from, end;
  LifeEvent event = LifeEvent::kNone;
  if (!IsOpen(p.married)) {
    AddMarriage(p, member, &pieces);
    return pieces;
  }
  if (p.role == Role::kSpouse && AgeAt(p.birth, o_.history_start) < 60 &&
      rng_.Chance(o_.working_spouse_rate)) {
    own_from = std::max(head_[0].from, AddYears(p.birth, 20), Before);
  } else if (p.role == Role::kChild &&
             AgeAt(p.birth, AddDays(o_.as_of, -30)) >= 18 &&
             rng_.Chance(o_.first_job_rate)) {
    const Date job =
        AddDays(AddYears(p.birth, static_cast<int>(rng_.Between(18, 23))),
                static_cast<int>(rng_.Between(0, 364)));
    if (Before(job, AddDays(o_.as_of, -30))) {
      own_from = job;
      event = LifeEvent::kFirstJob;
      Piece before = HouseholdPiece(member, Date(), LifeEvent::kNone, 0);
      before.hi = job;
      pieces.push_back(std::move(before));
    }
  }
  if (IsOpen(own_from)) {
    pieces.push_back(HouseholdPiece(member, Date(), LifeEvent::kNone, 0));
    return pieces;
  }
  pieces.push_back(OwnPiece(p, own_from, event, Date(), home, nullptr, &end));
  if (!IsOpen(end)) {
    pieces.push_back(HouseholdPiece(member, end, LifeEvent::kRetirement, 0));
  }
  return pieces;
}

// A spouse who married in the window: an enrollment of their own under the
// former surname (own employee insurance, their parents' household's 国保,
// or as their parents' dependent), ended at the marriage; then their own
// insurer again (same or re-issued key) or the household's.
void LifeBuilder::AddMarriage(const Person& p, int member,
                              std::vector<Piece>* pieces) {
  const Date& wedding = p.married;
  Address former;
  former.entry = h_.addresses[0].entry;
  if (rng_.Chance(0.6)) {
    const auto& near = world_.AddressesIn(Entry(0).prefecture_code);
    former.entry =
        rng_.Chance(0.5)
            ? near[rng_.Below(near.size())]
            : static_cast<int>(rng_.Below(world_.sources().addresses.size()));
  }
  former.blocks = RandomBlocks(rng_);
  h_.addresses.push_back(std::move(former));
  const int address = static_cast<int>(h_.addresses.size()) - 1;
  const AddressEntry& home = Entry(address);
  const Date start = RandomDate(
      rng_, std::max(AddYears(p.birth, 18), AddYears(wedding, -8), Before),
      AddDays(wedding, -90));
  const double x = rng_.Unit();
  Date end;
  Piece before;
  if (x < 0.55) {
    before = OwnPiece(p, start, LifeEvent::kNone, wedding, home, nullptr, &end);
  } else {
    const int insurer =
        x < 0.80 ? insurers_.Kokuho(home) : EmployeeInsurer(home);
    Segment s = NewSegment(insurer, start, LifeEvent::kNone, OwnSlot());
    s.until = wedding;
    s.branch = absl::StrFormat("%02d", rng_.Between(1, 3));
    s.dependent = true;
    before.segments.push_back(std::move(s));
    before.lo = start;
    before.hi = wedding;
    before.household = false;
  }
  before.name = 0;
  before.address = address;
  const bool own = x < 0.55 && IsOpen(end);
  const Segment last = before.segments.back();
  pieces->push_back(std::move(before));
  if (own && rng_.Chance(0.6)) {  // keeps the job, and the insurer
    Piece after = OwnPiece(p, wedding, LifeEvent::kMarriage, Date(), Entry(0),
                           &last, &end);
    after.name = 1;
    pieces->push_back(std::move(after));
    if (!IsOpen(end)) {
      pieces->push_back(HouseholdPiece(member, end, LifeEvent::kRetirement, 1));
    }
    return;
  }
  pieces->push_back(HouseholdPiece(member, wedding, LifeEvent::kMarriage, 1));
}

void LifeBuilder::Enroll(Person& p, int member, std::vector<Piece> pieces) {
  for (size_t k = 1; k < pieces.size(); ++k) {
    const bool marriage = pieces[k].event == LifeEvent::kMarriage;
    Junction(&pieces[k - 1].hi, &pieces[k].lo, !marriage);
  }
  for (size_t k = 0; k < pieces.size(); ++k) {
    const Piece& piece = pieces[k];
    const Date lo =
        IsOpen(piece.lo) || Before(piece.lo, p.birth) ? p.birth : piece.lo;
    bool first_in_piece = true;
    for (const Segment& s : piece.segments) {
      const Date from = Before(s.from, lo) ? lo : s.from;
      const Date until = Earlier(s.until, piece.hi);
      if (!IsOpen(until) && !Before(from, until)) continue;
      const Insurer& in = insurers_.at(s.insurer);
      Enrollment e;
      e.insurer = s.insurer;
      e.symbol = s.symbol;
      e.number = s.number;
      e.from = from;
      e.until = until;
      e.employer = s.employer;
      e.name = piece.name;
      // A 国保 is its municipality's (split at moves); an employee scheme
      // has the newest home.
      e.address =
          piece.address >= 0 ? piece.address
          : in.kind == InsurerKind::kKokuho
              ? h_.HomeAt(from)
              : h_.HomeAt(IsOpen(until) ? o_.as_of : AddDays(until, -1));
      if (piece.household) {
        const bool employee = IsEmployeeScheme(in.kind);
        e.branch = absl::StrFormat("%02d", employee ? member : member + 1);
        e.dependent = member > 0;
      } else {
        e.branch = s.branch;
        e.dependent = s.dependent;
      }
      if (!in.has_branch) {
        // Without 枝番 each member of a household needs a number of its own.
        if (piece.household) absl::StrAppend(&e.number, member);
        e.branch.clear();
      }
      bool late = s.late;
      if (s.member_split && rng_.Chance(o_.late_member_split)) late = !late;
      if (p.enrollments.empty()) {
        e.event = LifeEvent::kNone;
      } else if (first_in_piece && k > 0) {
        e.event = piece.event;
        if (IsLifeEvent(e.event) && !s.late) {
          late = rng_.Chance(LateChance(from));
        }
      } else {
        e.event = from == s.from ? s.event : LifeEvent::kNone;
      }
      e.rostered = !late;
      first_in_piece = false;
      p.enrollments.push_back(std::move(e));
    }
  }
}

void LifeBuilder::AddKouki(Person& p, int member) {
  const Date day = AddYears(p.birth, 75);
  if (!Before(day, o_.as_of)) return;
  auto& list = p.enrollments;
  list.erase(
      std::remove_if(list.begin(), list.end(),
                     [&](const Enrollment& e) { return !Before(e.from, day); }),
      list.end());
  for (Enrollment& e : list) {
    if (IsOpen(e.until) || Before(day, e.until)) e.until = day;
  }
  const uint64_t key = (static_cast<uint64_t>(h_.id) * 8 +
                        static_cast<uint64_t>(std::min(member, 7))) *
                           2 +
                       (h_.rostered ? 0 : 1);
  Enrollment e;
  e.from = day;
  e.event = LifeEvent::kTurned75;
  e.name = static_cast<int>(p.names.size()) - 1;
  e.address = h_.HomeAt(day);
  e.insurer = insurers_.Kouki(Entry(e.address).prefecture_code);
  e.number = absl::StrFormat("%08d", Scramble8(key));
  e.rostered = !rng_.Chance(LateChance(day));
  e.dependent = false;
  list.push_back(e);
  // A move to another prefecture: that prefecture's 広域連合, a new number.
  for (size_t i = 0; i < h_.moved.size(); ++i) {
    const Date& moved = h_.moved[i];
    if (!Before(day, moved)) continue;
    const int kouki =
        insurers_.Kouki(Entry(static_cast<int>(i) + 1).prefecture_code);
    if (kouki == list.back().insurer) continue;
    list.back().until = moved;
    list.back().address = static_cast<int>(i);
    Enrollment next = list.back();
    next.from = moved;
    next.until = Date();
    next.insurer = kouki;
    next.event = LifeEvent::kMove;
    next.address = static_cast<int>(i) + 1;
    next.number = absl::StrFormat("%08d", Scramble8(key ^ (1ULL << 26)));
    next.rostered = !rng_.Chance(LateChance(moved));
    list.push_back(std::move(next));
  }
}

void LifeBuilder::MarkLate(Person& p) const {
  bool late = !h_.rostered;
  for (Enrollment& e : p.enrollments) {
    late = late || !e.rostered;  // registered in order, never out of it
    e.rostered = !late;
  }
}

}  // namespace kuromaru::gen
