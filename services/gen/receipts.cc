#include "services/gen/receipts.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/json.h"
#include "normalizer/insurer.h"
#include "services/gen/noise.h"
#include "services/gen/render.h"

namespace kuromaru::gen {
namespace {

constexpr std::string_view kCategoryNames[kCategoryCount] = {
    "exact",       "stale_insurer",    "insurer_typo",     "member_typo",
    "fusho",       "name_wildcard",    "name_substitute",  "name_katakana",
    "kana_noise",  "birth_date_noise", "missing_sex",      "namesake",
    "late_roster", "not_in_roster",    "marriage",         "moved",
    "turned_75",   "retired",          "household_member", "late_life_event"};

bool IsLifeEvent(LifeEvent e) {
  return e != LifeEvent::kNone && e != LifeEvent::kJobChange;
}

// Another member of the household holds a roster enrollment in the same
// insurer, begun the same day as `e`.
bool MemberRegistered(const Household& h, const Person& p,
                      const Enrollment& e) {
  for (const Person& q : h.members) {
    if (&q == &p) continue;
    for (const Enrollment& f : q.enrollments) {
      if (f.rostered && f.insurer == e.insurer && f.from == e.from) {
        return true;
      }
    }
  }
  return false;
}

Date NextMonth(const Date& m) {
  return m.month == 12 ? Date{m.year + 1, 1, 1} : Date{m.year, m.month + 1, 1};
}

Date FirstOf(const Date& d) { return Date{d.year, d.month, 1}; }

Date AddMonths(const Date& m, int months) {
  const int index = m.year * 12 + (m.month - 1) + months;
  return Date{index / 12, index % 12 + 1, 1};
}

// How many months after the change a stale card or a former name is still
// billed (0: any month): cards are checked monthly, and a clinic keeps its
// patient's file under the former surname longer.
int MonthsAfterChange(Category c) {
  switch (c) {
    case Category::kStaleInsurer:
    case Category::kMoved:
    case Category::kTurned75:
    case Category::kRetired:
      return 6;
    case Category::kMarriage:
      return 24;
    default:
      return 0;
  }
}

bool HasFormerName(const Person& p) {
  for (const Enrollment& e : p.enrollments) {
    if (e.name == 0 && e.rostered) return p.names.size() > 1;
  }
  return false;
}

}  // namespace

std::string_view CategoryName(Category c) {
  return kCategoryNames[static_cast<int>(c)];
}

void EligibleMonths(Category c, const Household& h, const Person& p,
                    const WorldOptions& o,
                    std::vector<std::pair<Date, size_t>>* months) {
  const int window = MonthsAfterChange(c);
  for (Date m = FirstOf(o.history_start); Before(m, o.as_of);
       m = NextMonth(m)) {
    for (size_t i = 0; i < p.enrollments.size(); ++i) {
      const Enrollment& e = p.enrollments[i];
      if (!e.Covers(m)) continue;
      const bool recent =
          window == 0 || Before(m, AddMonths(FirstOf(e.from), window));
      if (recent && Eligible(c, h, p, i)) months->emplace_back(m, i);
      break;
    }
  }
}

bool Eligible(Category c, const Household& h, const Person& p, size_t i) {
  const Enrollment& e = p.enrollments[i];
  const Enrollment* prev = i > 0 ? &p.enrollments[i - 1] : nullptr;
  const bool after_rostered = prev != nullptr && prev->rostered;
  switch (c) {
    case Category::kNotInRoster:
      return !e.rostered;
    case Category::kLateRoster:
      return !e.rostered && after_rostered;
    case Category::kHouseholdMember:
      return !e.rostered && after_rostered && MemberRegistered(h, p, e);
    case Category::kLateLifeEvent:
      return !e.rostered && after_rostered && IsLifeEvent(e.event);
    case Category::kStaleInsurer:  // a card that differs from the valid one
      return e.rostered && after_rostered &&
             (prev->insurer != e.insurer || prev->symbol != e.symbol ||
              prev->number != e.number || prev->branch != e.branch);
    case Category::kMarriage:
      return e.rostered && e.name == 1 && HasFormerName(p);
    case Category::kMoved:
      return e.rostered && after_rostered && e.event == LifeEvent::kMove &&
             prev->insurer != e.insurer;
    case Category::kTurned75:
      return e.rostered && after_rostered && e.event == LifeEvent::kTurned75;
    case Category::kRetired:
      return e.rostered && after_rostered && e.event == LifeEvent::kRetirement;
    case Category::kNameWildcard:
      return e.rostered && HasNonJisChar(p.names[e.name]);
    case Category::kNameSubstitute:
      return e.rostered && p.names[e.name].variant_index >= 0;
    default:
      return e.rostered;
  }
}

void Population::Add(const Household& h, const WorldOptions& options) {
  for (int c = 0; c < kCategoryCount; ++c) {
    const auto category = static_cast<Category>(c);
    switch (category) {
      case Category::kNamesake:
        if (h.namesake) pools[c].push_back(h.id);
        continue;
      case Category::kStaleInsurer:
      case Category::kLateRoster:
      case Category::kHouseholdMember:
      case Category::kLateLifeEvent:
      case Category::kMarriage:
      case Category::kMoved:
      case Category::kTurned75:
      case Category::kRetired:
      case Category::kNameWildcard:
      case Category::kNameSubstitute:
        break;
      default:
        continue;
    }
    std::vector<std::pair<Date, size_t>> months;
    for (const Person& p : h.members) {
      bool any = false;  // cheaper than the months; most households fail it
      for (size_t i = 0; i < p.enrollments.size() && !any; ++i) {
        any = Eligible(category, h, p, i);
      }
      if (any) EligibleMonths(category, h, p, options, &months);
      if (!months.empty()) break;
    }
    if (!months.empty()) pools[c].push_back(h.id);
  }
}

std::string Truth::ToJsonLine() const {
  base::Json j;
  j["receipt_id"] = receipt_id;
  j["category"] = category;
  j["detail"] = detail;
  j["person_id"] = person_id;
  j["event"] = event;
  j["noise"] = noise;
  j["in_roster"] = in_roster;
  j["valid_in_month"] = valid_in_month;
  j["insurer_number"] = insurer_number;
  j["symbol"] = symbol;
  j["number"] = number;
  j["branch"] = branch;
  j["qualified_from"] = qualified_from;
  j["expected_insurer_number"] = expected_insurer_number;
  return base::ToJsonText(j);
}

ReceiptMaker::ReceiptMaker(const World& world, const Population& population,
                           const ReceiptMix& mix, uint64_t seed)
    : world_(world),
      population_(population),
      mix_(mix),
      cumulative_(Cumulative({mix.shares.begin(), mix.shares.end()})),
      seed_(seed) {}

void ReceiptMaker::Make(int64_t index, v1::Receipt* receipt,
                        Truth* truth) const {
  Rng rng(Mix(seed_, 0xEC, static_cast<uint64_t>(index)));
  const auto category = static_cast<Category>(rng.Pick(cumulative_));
  const std::string id = absl::StrFormat("R%08d", index + 1);
  for (int attempt = 0; attempt < 400; ++attempt) {
    receipt->Clear();
    *truth = Truth();
    const Category c = attempt < 300 ? category : Category::kExact;
    if (TryMake(c, rng, receipt, truth)) break;
  }
  receipt->set_receipt_id(id);
  truth->receipt_id = id;
}

Household ReceiptMaker::PickHousehold(Category c, Rng& rng) const {
  if (c == Category::kNotInRoster) {
    return world_.Make(
        static_cast<int64_t>(rng.Below(population_.absent_households)), false);
  }
  const std::vector<int64_t>& pool = population_.pools[static_cast<int>(c)];
  const auto& first = population_.first_person;
  int64_t h;
  if (!pool.empty()) {
    h = pool[rng.Below(pool.size())];
  } else if (c == Category::kExact || c == Category::kInsurerTypo ||
             c == Category::kMemberTypo || c == Category::kFusho ||
             c == Category::kNameKatakana || c == Category::kKanaNoise ||
             c == Category::kBirthDateNoise || c == Category::kMissingSex) {
    const auto p = static_cast<int64_t>(rng.Below(first.back()));
    h = std::upper_bound(first.begin(), first.end(), p) - first.begin() - 1;
  } else {
    return Household();
  }
  return world_.Make(h, true, static_cast<int>(first[h + 1] - first[h]),
                     first[h]);
}

bool ReceiptMaker::TryMake(Category c, Rng& rng, v1::Receipt* r,
                           Truth* t) const {
  Draw d;
  d.household = PickHousehold(c, rng);
  const auto& members = d.household.members;
  const WorldOptions& o = world_.options();
  // The months of each member whose covering enrollment suits the category.
  std::vector<std::vector<std::pair<Date, size_t>>> months(members.size());
  std::vector<size_t> eligible;
  for (size_t k = 0; k < members.size(); ++k) {
    EligibleMonths(c, d.household, members[k], o, &months[k]);
    if (!months[k].empty()) eligible.push_back(k);
  }
  if (eligible.empty()) return false;
  const size_t k = eligible[rng.Below(eligible.size())];
  d.person = &members[k];
  std::tie(d.month, d.enrollment) = months[k][rng.Below(months[k].size())];
  const Person& p = *d.person;
  const Enrollment& e = p.enrollments[d.enrollment];
  d.name = c == Category::kMarriage ? 0 : e.name;
  Render(d, rng, r);
  const InsurerCatalog& insurers = world_.insurers();
  t->category = std::string(CategoryName(c));
  t->person_id = p.id;
  t->event = std::string(LifeEventName(e.event));
  t->in_roster = e.rostered;
  t->valid_in_month = e.rostered;
  t->expected_insurer_number = insurers.at(e.insurer).number;
  const Enrollment* expected = &e;
  if (!e.rostered && c != Category::kNotInRoster) {
    // The person's newest roster enrollment: finding it finds the person.
    t->in_roster = true;
    expected = &p.enrollments[d.enrollment - 1];
  }
  if (t->in_roster) {
    t->insurer_number = insurers.at(expected->insurer).number;
    t->symbol = expected->symbol;
    t->number = expected->number;
    t->branch = expected->branch;
    t->qualified_from = expected->from.Key();
  }
  ApplyCategory(c, d, rng, r, t);
  ApplyOverlays(c, d, rng, r, t);
  return true;
}

void ReceiptMaker::Render(const Draw& d, Rng& rng, v1::Receipt* r) const {
  const Person& p = *d.person;
  const Enrollment& e = p.enrollments[d.enrollment];
  const NameForm& name = p.names[d.name];
  r->set_service_month(
      rng.Chance(0.75)
          ? absl::StrFormat("%04d%02d", d.month.year, d.month.month)
          : WarekiMonth(d.month.year, d.month.month));
  BillCard(e, r);
  r->set_name_kanji(ReceiptNameKanji(name, KanjiRendering::kAsBilled, rng));
  r->set_name_kana(ReceiptKana(name, rng));
  r->set_birth_date(rng.Chance(0.5) ? p.birth.Key() : WarekiDate(p.birth));
  r->set_sex(absl::StrCat(p.sex));
  const AddressEntry& a =
      world_.sources().addresses[d.household.addresses[e.address].entry];
  r->set_institution_code(
      absl::StrFormat("%s1%07d", a.prefecture_code, rng.Below(10000000)));
}

void ReceiptMaker::BillCard(const Enrollment& e, v1::Receipt* r) const {
  r->set_insurer_number(world_.insurers().at(e.insurer).number);
  r->set_symbol(e.symbol);
  r->set_number(e.number);
  r->set_branch(e.branch);
}

}  // namespace kuromaru::gen
