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
    "exact",       "stale_insurer",    "insurer_typo",    "member_typo",
    "fusho",       "name_wildcard",    "name_substitute", "name_katakana",
    "kana_noise",  "birth_date_noise", "missing_sex",     "namesake",
    "late_roster", "not_in_roster"};

// Which enrollment may be the one covering the service month.
bool Eligible(Category c, const Person& p, size_t i) {
  const Enrollment& e = p.enrollments[i];
  switch (c) {
    case Category::kNotInRoster:
      return !e.rostered;
    case Category::kLateRoster:
      return !e.rostered && i > 0 && p.enrollments[i - 1].rostered;
    case Category::kStaleInsurer:
      return e.rostered && i > 0 && p.enrollments[i - 1].rostered;
    default:
      return e.rostered;
  }
}

void AppendField(std::string_view name, std::string_view value,
                 std::string* out) {
  absl::StrAppend(out, out->size() > 1 ? "," : "", "\"", std::string(name),
                  "\":", base::JsonString(value));
}

}  // namespace

std::string_view CategoryName(Category c) {
  return kCategoryNames[static_cast<int>(c)];
}

std::string Truth::ToJsonLine() const {
  std::string out = "{";
  AppendField("receipt_id", receipt_id, &out);
  AppendField("category", category, &out);
  AppendField("detail", detail, &out);
  AppendField("person_id", person_id, &out);
  absl::StrAppend(&out, ",\"in_roster\":", in_roster ? "true" : "false");
  absl::StrAppend(&out,
                  ",\"valid_in_month\":", valid_in_month ? "true" : "false");
  AppendField("insurer_number", insurer_number, &out);
  AppendField("symbol", symbol, &out);
  AppendField("number", number, &out);
  AppendField("branch", branch, &out);
  AppendField("qualified_from", qualified_from, &out);
  AppendField("expected_insurer_number", expected_insurer_number, &out);
  out += "}";
  return out;
}

ReceiptMaker::ReceiptMaker(const World& world, const Population& population,
                           const ReceiptMix& mix, uint64_t seed)
    : world_(world),
      population_(population),
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
  const std::vector<int64_t>* pool = nullptr;
  switch (c) {
    case Category::kNotInRoster:
      return world_.Make(
          static_cast<int64_t>(rng.Below(population_.absent_households)),
          false);
    case Category::kStaleInsurer:
      pool = &population_.multi_enrollment;
      break;
    case Category::kLateRoster:
      pool = &population_.late;
      break;
    case Category::kNamesake:
      pool = &population_.namesake;
      break;
    case Category::kNameWildcard:
    case Category::kNameSubstitute:
      pool = &population_.variant;
      break;
    default:
      break;
  }
  const auto& first = population_.first_person;
  int64_t h;
  if (pool != nullptr) {
    if (pool->empty()) return Household();
    h = (*pool)[rng.Below(pool->size())];
  } else {
    const auto p = static_cast<int64_t>(rng.Below(first.back()));
    h = std::upper_bound(first.begin(), first.end(), p) - first.begin() - 1;
  }
  return world_.Make(h, true, static_cast<int>(first[h + 1] - first[h]),
                     first[h]);
}

bool ReceiptMaker::TryMake(Category c, Rng& rng, v1::Receipt* r,
                           Truth* t) const {
  Draw d;
  d.household = PickHousehold(c, rng);
  if (d.household.members.empty()) return false;
  const auto& members = d.household.members;
  d.person = &members[rng.Below(members.size())];
  const Person& p = *d.person;
  if (c == Category::kNameWildcard && !HasNonJisChar(p)) return false;
  if (c == Category::kNameSubstitute && p.variant_index < 0) return false;
  const WorldOptions& o = world_.options();
  std::vector<std::pair<Date, size_t>> months;
  for (Date m{o.history_start.year, o.history_start.month, 1};
       Before(m, o.as_of); m = m.month == 12 ? Date{m.year + 1, 1, 1}
                                             : Date{m.year, m.month + 1, 1}) {
    for (size_t i = 0; i < p.enrollments.size(); ++i) {
      if (p.enrollments[i].Covers(m)) {
        if (Eligible(c, p, i)) months.emplace_back(m, i);
        break;
      }
    }
  }
  if (months.empty()) return false;
  std::tie(d.month, d.enrollment) = months[rng.Below(months.size())];
  Render(d, rng, r);
  const Enrollment& e = p.enrollments[d.enrollment];
  const InsurerCatalog& insurers = world_.insurers();
  t->category = std::string(CategoryName(c));
  t->person_id = p.id;
  t->in_roster = e.rostered;
  t->valid_in_month = e.rostered;
  t->expected_insurer_number = insurers.at(e.insurer).number;
  const Enrollment* expected = &e;
  if (c == Category::kLateRoster) {
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
  return true;
}

void ReceiptMaker::Render(const Draw& d, Rng& rng, v1::Receipt* r) const {
  const Person& p = *d.person;
  const Enrollment& e = p.enrollments[d.enrollment];
  r->set_service_month(
      rng.Chance(0.75)
          ? absl::StrFormat("%04d%02d", d.month.year, d.month.month)
          : WarekiMonth(d.month.year, d.month.month));
  r->set_insurer_number(world_.insurers().at(e.insurer).number);
  r->set_symbol(e.symbol);
  r->set_number(e.number);
  r->set_branch(e.branch);
  r->set_name_kanji(ReceiptNameKanji(p, KanjiRendering::kAsBilled, rng));
  const double k = rng.Unit();
  r->set_name_kana(k < 0.85   ? FullKana(p)
                   : k < 0.93 ? absl::StrCat(p.surname_kana, p.given_kana)
                              : ToHalfWidthKana(FullKana(p)));
  r->set_birth_date(rng.Chance(0.5) ? p.birth.Key() : WarekiDate(p.birth));
  r->set_sex(absl::StrCat(p.sex));
  const AddressEntry& a = world_.sources().addresses[d.household.address];
  r->set_institution_code(
      absl::StrFormat("%s1%07d", a.prefecture_code, rng.Below(10000000)));
}

}  // namespace kuromaru::gen
