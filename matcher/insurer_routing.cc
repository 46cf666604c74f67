#include "matcher/insurer_routing.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "matcher/routing_evidence.h"
#include "normalizer/address.h"

namespace kuromaru::matcher {

using normalizer::InsurerScheme;

std::string_view PersonRoutingName(PersonRouting routing) {
  switch (routing) {
    case PersonRouting::kAgrees:
      return "PERSON_AGREES";
    case PersonRouting::kOverrides:
      return "PERSON_OVERRIDES";
    case PersonRouting::kOutweighed:
      return "PERSON_OUTWEIGHED";
    case PersonRouting::kNoPerson:
      break;
  }
  return "NO_PERSON";
}

namespace {

using routing::AgeEvidence;
using routing::BilledEvidence;
using routing::EmployerEvidence;
using routing::LifeEventEvidence;
using routing::NameEvidence;
using routing::ReadSignals;
using routing::RegionEvidence;
using routing::Scored;
using routing::Signals;

// The person-level candidates' share of the probability that lies with
// `number`: MATCHED_ENROLLMENT when valid in the service month.
double PersonWeight(const RoutingInput& in, const RoutingOptions& options,
                    const std::string& number, Evidence* evidence) {
  double valid = 0, other = 0;
  for (const PersonInsurer& p : in.persons) {
    if (p.probability < options.min_person_probability ||
        p.insurer_number != number) {
      continue;
    }
    (p.valid_in_service_month ? valid : other) += p.probability;
  }
  if (valid > 0) {
    const double p = std::min(valid, 0.99999);
    const double w = std::clamp(std::log2(p / (1 - p)), -4.0, 12.0) + 8;
    *evidence = {"person", "MATCHED_ENROLLMENT", w, "", number};
    return w;
  }
  if (other > 0) {
    *evidence = {"person", "ENROLLMENT_NOT_VALID_IN_MONTH", 1, "", number};
    return 1;
  }
  return 0;
}

// The insurers some signal points at.
std::vector<Scored> Gather(const InsurerDirectory* directory,
                           const RoutingInput& in,
                           const RoutingOptions& options, const Signals& s) {
  std::vector<Scored> out;
  auto add = [&](std::string_view number) {
    for (const Scored& c : out) {
      if (c.number == number) return;
    }
    Scored c;
    c.number = std::string(number);
    c.entry = directory != nullptr ? directory->Find(number) : nullptr;
    if (c.entry != nullptr) {
      c.scheme = c.entry->scheme;
      c.prefecture = c.entry->prefecture;
    } else {
      c.scheme = normalizer::SchemeOfInsurerNumber(number);
      const std::string_view code =
          number.size() == 8 ? number.substr(2, 2) : number.substr(0, 2);
      c.prefecture = std::string(normalizer::PrefectureName(code));
    }
    out.push_back(std::move(c));
  };
  auto add_ids = [&](std::span<const uint32_t> ids, size_t limit) {
    for (size_t i = 0; i < ids.size() && i < limit; ++i) {
      add(directory->entry(ids[i]).insurer_number);
    }
  };
  if (s.billed != nullptr && s.billed->check_digit_valid) add(s.billed->digits);
  for (const std::string& r : s.listed_repairs) add(r);
  for (const PersonInsurer& p : in.persons) {
    if (p.probability >= options.min_person_probability) add(p.insurer_number);
  }
  if (s.ended != nullptr) {
    for (std::string_view number : s.ended->household_insurers) add(number);
  }
  if (directory == nullptr) return out;
  if (s.name) {
    for (const auto& hit :
         directory->FindNames(s.name->key, s.name->core, false, 0.85, 5)) {
      add(directory->entry(directory->name(hit.name).insurer).insurer_number);
    }
    if (s.name->scheme == InsurerScheme::kUnknown) {
      for (const auto& hit :
           directory->FindNames("", s.name->core, true, 0.85, 3)) {
        add(directory->entry(directory->name(hit.name).insurer).insurer_number);
      }
    } else {
      add_ids(directory->InPrefecture(s.name->scheme, s.region()), 8);
    }
  }
  if (!s.employer.empty()) {
    for (const auto& hit :
         directory->FindNames("", s.employer, true, 0.85, 5)) {
      add(directory->entry(directory->name(hit.name).insurer).insurer_number);
    }
  }
  add_ids(directory->InPrefecture(InsurerScheme::kKyokai, s.region()), 1);
  add_ids(directory->KokuhoOf(s.municipality), 1);
  if (s.age >= 65) {
    add_ids(directory->InPrefecture(InsurerScheme::kKouki, s.region()), 1);
  }
  return out;
}

// Where the best person-level candidate's insurer stands, before and after
// the person evidence.
PersonRouting PersonRoutingOf(const std::vector<Scored>& scored,
                              const RoutingInput& in,
                              const RoutingOptions& options) {
  auto best = [&](bool with_person) {
    size_t b = 0;
    for (size_t i = 1; i < scored.size(); ++i) {
      const double x = with_person ? scored[i].with_person : scored[i].base;
      const double y = with_person ? scored[b].with_person : scored[b].base;
      if (x > y) b = i;
    }
    return scored[b].number;
  };
  for (const PersonInsurer& p : in.persons) {
    if (p.probability < options.min_person_probability) continue;
    if (p.insurer_number == best(false)) return PersonRouting::kAgrees;
    if (p.insurer_number == best(true)) return PersonRouting::kOverrides;
    return PersonRouting::kOutweighed;
  }
  return PersonRouting::kNoPerson;
}

// Ranks `scored` and shares the probability between them and the insurers
// not scored, each of which weighs options.unscored_weight.
std::vector<InsurerSuggestion> ToSuggestions(const InsurerDirectory* directory,
                                             const RoutingOptions& options,
                                             std::vector<Scored> scored) {
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.with_person != b.with_person ? a.with_person > b.with_person
                                          : a.number < b.number;
  });
  const int64_t universe = directory != nullptr
                               ? static_cast<int64_t>(directory->size())
                               : options.insurers_without_directory;
  double unscored = static_cast<double>(universe);
  for (const Scored& c : scored) {
    if (c.entry != nullptr || directory == nullptr) unscored -= 1;
  }
  const double top = std::max(scored[0].with_person, 0.0);
  double total =
      std::max(unscored, 0.0) * std::exp2(options.unscored_weight - top);
  for (const Scored& c : scored) total += std::exp2(c.with_person - top);
  const size_t n = std::min(
      scored.size(), static_cast<size_t>(std::max(options.max_suggestions, 1)));
  std::vector<InsurerSuggestion> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Scored& c = scored[i];
    InsurerSuggestion g;
    g.insurer_number = std::move(c.number);
    if (c.entry != nullptr) g.name = c.entry->name;
    g.probability = std::exp2(c.with_person - top) / total;
    g.weight = c.with_person;
    g.evidence = std::move(c.evidence);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

Routing RouteInsurer(const InsurerDirectory* directory, const RoutingInput& in,
                     const RoutingOptions& options) {
  Routing out;
  const Signals s = ReadSignals(directory, in);
  if (s.name) out.insurer_name_key = s.name->key;
  out.employer_key = s.employer;
  out.prefecture = s.prefecture;
  std::vector<Scored> scored = Gather(directory, in, options, s);
  if (scored.empty()) return out;
  for (Scored& c : scored) {
    BilledEvidence(s, &c);
    NameEvidence(directory, s, &c);
    EmployerEvidence(directory, s, &c);
    RegionEvidence(s, &c);
    AgeEvidence(s, &c);
    LifeEventEvidence(s, &c);
    Evidence person;
    c.with_person = c.base + PersonWeight(in, options, c.number, &person);
    if (!person.field.empty()) c.evidence.push_back(std::move(person));
  }
  out.person = PersonRoutingOf(scored, in, options);
  out.suggestions = ToSuggestions(directory, options, std::move(scored));
  if (out.person != PersonRouting::kNoPerson) {
    out.suggestions[0].evidence.push_back(
        {"routing", std::string(PersonRoutingName(out.person)), 0, "", ""});
  }
  return out;
}

}  // namespace kuromaru::matcher
