#include "matcher/routing_evidence.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "normalizer/address.h"

namespace kuromaru::matcher::routing {

using normalizer::FoldedInsurerName;
using normalizer::InsurerScheme;

// Life events are read from a person-level candidate only when it is more
// likely than not the receipt's person.
constexpr double kLifeEventMinProbability = 0.5;
namespace {
// The 47 prefecture names, built once.
const std::vector<std::string>& Prefectures() {
  static const auto* const names = [] {
    auto* v = new std::vector<std::string>();
    for (int code = 1; code <= 47; ++code) {
      v->emplace_back(
          normalizer::PrefectureName(absl::StrFormat("%02d", code)));
    }
    return v;
  }();
  return *names;
}

std::string PrefectureOfKey(std::string_view key) {
  for (const std::string& p : Prefectures()) {
    if (key.substr(0, p.size()) == p) return p;
  }
  return "";
}

int AgeAt(PackedDate birth, PackedMonth month) {
  if (birth == 0 || month == 0) return -1;
  int age = static_cast<int>(month / 100) - static_cast<int>(birth / 10000);
  if ((month % 100) * 100 + 1 < birth % 10000) --age;
  return age;
}
}  // namespace

Signals ReadSignals(const InsurerDirectory* directory, const RoutingInput& in) {
  Signals s;
  if (in.billed != nullptr && !in.billed->sentinel) {
    s.billed = in.billed;
    if (!in.billed->check_digit_valid) {
      for (const std::string& r : in.billed->repairs) {
        if (directory != nullptr ? directory->Find(r) != nullptr
                                 : s.listed_repairs.size() < 3) {
          s.listed_repairs.push_back(r);
        }
      }
    }
  }
  if (!in.insurer_name.empty()) {
    auto folded = normalizer::FoldInsurerName(in.insurer_name);
    if (folded.ok()) s.name = *std::move(folded);
  }
  if (!in.employer.empty()) {
    auto folded = normalizer::FoldEmployerName(in.employer);
    if (folded.ok()) s.employer = *std::move(folded);
  }
  s.prefecture = PrefectureOfKey(in.municipality);
  if (s.prefecture.empty()) s.prefecture = PrefectureOfKey(in.address_key);
  if (in.institution_code.size() == 10) {
    s.clinic_prefecture = std::string(
        normalizer::PrefectureName(in.institution_code.substr(0, 2)));
  }
  s.municipality = in.municipality;
  s.age = AgeAt(in.birth_date, in.service_month);
  if (in.ended != nullptr &&
      in.ended->probability >= kLifeEventMinProbability) {
    const EndedPerson& e = *in.ended;
    s.ended = &e;
    if (e.birth_date != 0) s.age = AgeAt(e.birth_date, in.service_month);
    s.age_at_end =
        AgeAt(e.birth_date != 0 ? e.birth_date : in.birth_date, e.ended / 100);
    // Without an address on the receipt, the person's last known one.
    if (s.municipality.empty() && !e.municipality.empty()) {
      s.municipality = e.municipality;
      s.prefecture = PrefectureOfKey(e.municipality);
      if (s.prefecture.empty()) s.prefecture = PrefectureOfKey(e.address_key);
      s.address_from_receipt = false;
    }
  }
  return s;
}
namespace {

void AddEvidence(Scored* c, std::string_view field, std::string_view level,
                 double weight, std::string receipt_value = "",
                 std::string roster_value = "") {
  c->evidence.push_back({std::string(field), std::string(level), weight,
                         std::move(receipt_value), std::move(roster_value)});
  c->base += weight;
}
}  // namespace

void BilledEvidence(const Signals& s, Scored* c) {
  if (s.billed == nullptr) return;
  const std::string& billed = s.billed->digits;
  if (s.billed->check_digit_valid) {
    if (billed == c->number) {
      AddEvidence(c, "insurer_number",
                  c->entry != nullptr ? "EXACT" : "EXACT_NOT_IN_DIRECTORY",
                  c->entry != nullptr ? 10 : 6, billed, c->number);
    } else {
      AddEvidence(c, "insurer_number", "DIFFERENT", -2, billed, c->number);
    }
    return;
  }
  const auto it =
      std::find(s.listed_repairs.begin(), s.listed_repairs.end(), c->number);
  if (it != s.listed_repairs.end()) {
    const auto rank = static_cast<double>(it - s.listed_repairs.begin());
    AddEvidence(c, "insurer_number", "REPAIRED", std::max(3.0, 7.0 - rank),
                billed, c->number);
  } else {
    AddEvidence(c, "insurer_number", "DIFFERENT", -1, billed, c->number);
  }
}

// The best agreement between the named insurer and the candidate's names.
void NameEvidence(const InsurerDirectory* directory, const Signals& s,
                  Scored* c) {
  if (!s.name) return;
  const FoldedInsurerName& q = *s.name;
  if (q.key == "社保") {  // 社会保険: some employees' scheme, no more
    const bool employee = c->scheme == InsurerScheme::kKyokai ||
                          c->scheme == InsurerScheme::kKumiai ||
                          c->scheme == InsurerScheme::kKyosai;
    return AddEvidence(c, "insurer_name",
                       employee ? "SCHEME_ONLY" : "DIFFERENT",
                       employee ? 1 : -3, q.key,
                       std::string(normalizer::InsurerSchemeName(c->scheme)));
  }
  const bool scheme_conflict = q.scheme != InsurerScheme::kUnknown &&
                               c->scheme != InsurerScheme::kUnknown &&
                               q.scheme != c->scheme;
  double best = 0;
  std::string best_name;
  bool employer_named = false;
  if (c->entry != nullptr && !scheme_conflict) {
    for (uint32_t n = c->entry->names_begin; n < c->entry->names_end; ++n) {
      const InsurerDirectory::NameRecord& r = directory->name(n);
      if (!r.employer && r.folded.key == q.key) {
        return AddEvidence(c, "insurer_name", "EXACT_AFTER_FOLDING", 9, q.key,
                           r.folded.key);
      }
      if (r.employer && q.scheme != InsurerScheme::kUnknown) continue;
      const double sim = normalizer::NameKeySimilarity(q.core, r.folded.core);
      if (sim > best) {
        best = sim;
        best_name = r.folded.key;
        employer_named = r.employer;
      }
    }
  }
  if (best >= 0.85) {
    const double w = 3 + 3 * (best - 0.85) / 0.15;
    return AddEvidence(c, "insurer_name",
                       employer_named ? "NAMES_EMPLOYER" : "SIMILAR", w, q.key,
                       best_name);
  }
  if (q.core.empty() && q.scheme != InsurerScheme::kUnknown &&
      !scheme_conflict) {
    return AddEvidence(c, "insurer_name", "SCHEME_ONLY", 2, q.key,
                       std::string(normalizer::InsurerSchemeName(c->scheme)));
  }
  AddEvidence(c, "insurer_name", "DIFFERENT", scheme_conflict ? -5 : -3, q.key,
              c->entry != nullptr ? c->entry->name : "");
}

void EmployerEvidence(const InsurerDirectory* directory, const Signals& s,
                      Scored* c) {
  if (s.employer.empty()) return;
  if (c->entry != nullptr && c->entry->has_employers) {
    double best = 0;
    std::string best_name;
    for (uint32_t n = c->entry->names_begin; n < c->entry->names_end; ++n) {
      const InsurerDirectory::NameRecord& r = directory->name(n);
      if (!r.employer) continue;
      const double sim =
          normalizer::NameKeySimilarity(s.employer, r.folded.key);
      if (sim > best) {
        best = sim;
        best_name = r.folded.key;
      }
    }
    if (best == 1.0) {
      return AddEvidence(c, "employer", "EXACT_AFTER_FOLDING", 12, s.employer,
                         best_name);
    }
    if (best >= 0.9) {
      return AddEvidence(c, "employer", "SIMILAR", 5, s.employer, best_name);
    }
    return AddEvidence(c, "employer", "DIFFERENT", -2, s.employer, "");
  }
  if (c->scheme == InsurerScheme::kKokuho ||
      c->scheme == InsurerScheme::kKouki) {
    AddEvidence(c, "employer", "NOT_AN_EMPLOYEE_SCHEME", -3, s.employer, "");
  } else if (c->scheme == InsurerScheme::kKyokai) {
    // Staff of an employer without a 健保組合 of its own.
    AddEvidence(c, "employer", "EMPLOYEE_SCHEME", 1, s.employer, "");
  }
}
namespace {

// Per scheme: the weight of the same prefecture and of another one.
struct RegionWeights {
  double same, other;
};
RegionWeights RegionWeightsOf(InsurerScheme scheme) {
  switch (scheme) {
    case InsurerScheme::kKokuho:  // another municipality of the prefecture
      return {-2, -4};
    case InsurerScheme::kKouki:
      return {3, -4};
    case InsurerScheme::kKyokai:
      return {3, -1};
    case InsurerScheme::kKyosai:
      return {1.5, -0.5};
    case InsurerScheme::kKumiai:
      return {0.5, 0};
    case InsurerScheme::kUnknown:
      break;
  }
  return {1, 0};
}
}  // namespace

// The address's prefecture (or, without one, the clinic's, at half the
// weight) against the insurer's; for a 国保, its municipality.
void RegionEvidence(const Signals& s, Scored* c) {
  if (s.region().empty() || c->prefecture.empty()) return;
  if (c->scheme == InsurerScheme::kKokuho && c->entry != nullptr &&
      !c->entry->municipality.empty() && !s.municipality.empty() &&
      absl::StartsWith(
          absl::string_view(s.municipality.data(), s.municipality.size()),
          c->entry->municipality)) {
    return AddEvidence(c, "prefecture", "MUNICIPALITY", 3,
                       std::string(s.municipality), c->entry->municipality);
  }
  const bool clinic = s.prefecture.empty();
  RegionWeights w = RegionWeightsOf(c->scheme);
  if (clinic) w = {w.same / 2, w.other / 2};
  if (clinic && c->scheme == InsurerScheme::kKokuho) w.same = 0.5;
  if (s.region() == c->prefecture) {
    if (w.same != 0) {
      AddEvidence(c, "prefecture", clinic ? "CLINIC_PREFECTURE" : "EXACT",
                  w.same, s.region(), c->prefecture);
    }
  } else if (w.other != 0) {
    AddEvidence(c, "prefecture", "DIFFERENT", w.other, s.region(),
                c->prefecture);
  }
}

// Which scheme people of an age are in: 後期高齢者医療 covers everyone from 75
// (and few from 65, on disability); below 65 most are employees (協会けんぽ
// the largest), from 65 to 74 most are retired (国保).
void AgeEvidence(const Signals& s, Scored* c) {
  if (s.age < 0) return;
  struct Band {
    const char* level;
    double kyokai, kumiai, kyosai, kouki, kokuho, unknown;
  };
  static constexpr Band kBands[] = {{"AGE_UNDER_65", 1, 0, -1, -6, 0, 0},
                                    {"AGE_65_TO_74", 0, -0.5, -2, -4, 1, 0},
                                    {"AGE_75_OR_OVER", -4, -4, -4, 4, -4, 0}};
  const Band& b = kBands[s.age >= 75 ? 2 : s.age >= 65 ? 1 : 0];
  double w = b.unknown;
  switch (c->scheme) {
    case InsurerScheme::kKyokai:
      w = b.kyokai;
      break;
    case InsurerScheme::kKumiai:
      w = b.kumiai;
      break;
    case InsurerScheme::kKyosai:
      w = b.kyosai;
      break;
    case InsurerScheme::kKouki:
      w = b.kouki;
      break;
    case InsurerScheme::kKokuho:
      w = b.kokuho;
      break;
    case InsurerScheme::kUnknown:
      break;
  }
  if (w != 0) AddEvidence(c, "age", b.level, w, absl::StrCat(s.age));
}
namespace {

bool IsEmployeeScheme(InsurerScheme scheme) {
  return scheme == InsurerScheme::kKyokai || scheme == InsurerScheme::kKumiai ||
         scheme == InsurerScheme::kKyosai;
}
}  // namespace

// Where a person whose enrollments all ended has gone, by the events that end
// an enrollment. Each weight is set by hand (there are no labelled routes to
// learn them from until reviewers decide some), sized against the billed
// number's EXACT (10): an event the roster proves must outweigh a card it
// proves stale.
void LifeEventEvidence(const Signals& s, Scored* c) {
  if (s.ended == nullptr) return;
  const EndedPerson& e = *s.ended;
  if (c->number == e.insurer_number) {
    // The roster says the person left this insurer before the month: a bill
    // to it under the old card is stale. A new card from the same insurer (a
    // job change within 協会けんぽ) is not, and without a key it may be either.
    if (e.card == EndedPerson::Card::kNewCard) return;
    const bool stale = e.card == EndedPerson::Card::kStale;
    return AddEvidence(c, "life_event",
                       stale ? "ENROLLMENT_ENDED" : "ENROLLMENT_ENDED_NO_KEY",
                       stale ? -12 : -6, "", std::string(e.insurer_number));
  }
  if (std::find(e.household_insurers.begin(), e.household_insurers.end(),
                c->number) != e.household_insurers.end()) {
    // The household left together and its other members' new insurer is
    // registered: dependants follow the insured person.
    AddEvidence(c, "life_event", "HOUSEHOLD_MOVED", 9, "", c->number);
  }
  const InsurerScheme ended_scheme =
      normalizer::SchemeOfInsurerNumber(e.insurer_number);
  if (c->scheme == InsurerScheme::kKouki && s.age >= 75 &&
      ended_scheme != InsurerScheme::kKouki && c->prefecture == s.region()) {
    // Everyone enters the prefecture's 広域連合 on their 75th birthday.
    AddEvidence(c, "life_event", "TURNED_75", 8, absl::StrCat(s.age),
                c->prefecture);
  }
  if (c->scheme != InsurerScheme::kKokuho || s.age >= 75) return;
  const bool in_municipality =
      c->entry != nullptr && !c->entry->municipality.empty() &&
      !s.municipality.empty() &&
      absl::StartsWith(
          absl::string_view(s.municipality.data(), s.municipality.size()),
          c->entry->municipality);
  if (!in_municipality) return;
  if (ended_scheme == InsurerScheme::kKokuho && s.address_from_receipt) {
    // A 国保 ends when its holder moves out; the receipt's address is the new
    // municipality, whose 国保 begins the same day.
    AddEvidence(c, "life_event", "MOVED", 6, std::string(s.municipality),
                c->entry->municipality);
  } else if (IsEmployeeScheme(ended_scheme) && s.age_at_end >= 60 &&
             s.employer.empty()) {
    // Employee insurance ends at retirement (60, 65); with no employer named,
    // the retired join the municipality's 国保.
    AddEvidence(c, "life_event", "RETIRED", 5, absl::StrCat(s.age_at_end),
                c->entry->municipality);
  }
}

}  // namespace kuromaru::matcher::routing
