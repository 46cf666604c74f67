// Insurer-level routing: which insurer a receipt should go to, also when its
// person is not in the roster.
//
//   Routing r = RouteInsurer(directory.get(), input, RoutingOptions());
//   // r.suggestions[0].insurer_number == "01130012"
//
// Routing scores every insurer that some signal points at — the billed
// number or its repairs, the named insurer (保険者等名称), the employer
// (事業所名), the address's prefecture and municipality, the patient's age, the
// insurers of the person-level candidates, and the life events of a person
// whose enrollments all ended (a 75th birthday, a move, retirement, the
// household's new insurer) — as a sum of log2 Bayes factors (the evidence,
// as for persons). Probabilities share one unit of mass between
// the scored insurers and every other insurer of the directory (each of those
// with RoutingOptions::unscored_weight), so they sum to less than 1. The
// weights are set by hand from generated data; see docs/MATCHING.md.
//
// Without a directory (nullptr) suggestions still come from the billed number,
// its repairs and the person-level candidates, with empty names.
//
// RouteInsurer is pure and thread-safe.
#ifndef KUROMARU_MATCHER_INSURER_ROUTING_H_
#define KUROMARU_MATCHER_INSURER_ROUTING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "matcher/insurer_directory.h"
#include "matcher/person.h"
#include "matcher/scorer.h"
#include "normalizer/insurer.h"

namespace kuromaru::matcher {

// The insurer of one person-level candidate.
struct PersonInsurer {
  std::string_view insurer_number;
  double probability = 0;
  bool valid_in_service_month = false;
};

// What the roster says of a person whose enrollments all ended before the
// service month: the new enrollment is not registered yet (or the person left
// for a scheme the roster does not hold), and life events point at it.
struct EndedPerson {
  double probability = 0;           // the person-level candidate's
  std::string_view insurer_number;  // of the last enrollment
  PackedDate ended = 0;             // its 資格喪失日
  // How the billed card relates to the last enrollment: kStale when its
  // member key is that enrollment's, kNewCard when it differs (a new card,
  // perhaps from the same insurer: a job change within 協会けんぽ), kUnknown
  // without a billed member key.
  enum class Card { kUnknown, kStale, kNewCard };
  Card card = Card::kUnknown;
  PackedDate birth_date = 0;  // as in the roster
  // The last enrollment's address (NormalizedPerson::municipality and
  // address_key), for when the receipt carries none.
  std::string_view municipality;
  std::string_view address_key;
  // Insurers of new enrollments of the household's other members (the same
  // insurer and 記号・番号 with another 枝番) that left together with the
  // person and began within days of `ended`.
  std::span<const std::string_view> household_insurers;
};

// What routing knows of a receipt. Views must outlive RouteInsurer.
struct RoutingInput {
  const normalizer::InsurerNumber* billed = nullptr;  // nullptr: none parsed
  std::string_view insurer_name;  // raw 保険者等名称; may be empty
  std::string_view employer;      // raw 事業所名; may be empty
  std::string_view address_key;   // NormalizedPerson::address_key
  std::string_view municipality;  // NormalizedPerson::municipality
  // 医療機関コード: its first two digits are the clinic's prefecture, the
  // region to go by when the address gives none.
  std::string_view institution_code;
  PackedDate birth_date = 0;
  PackedMonth service_month = 0;
  std::span<const PersonInsurer> persons;  // best first
  // Set when the best person-level candidate's enrollments all ended before
  // the service month.
  const EndedPerson* ended = nullptr;
};

struct RoutingOptions {
  // Suggestions returned, best first. Default: 5.
  int max_suggestions = 5;
  // Person-level candidates below this probability are ignored. Default: 0.05
  // (the NO_MATCH threshold).
  double min_person_probability = 0.05;
  // Insurers assumed to exist when there is no directory, for the mass of the
  // insurers not scored. Default: 3000.
  int64_t insurers_without_directory = 3000;
  // The weight (log2) of each insurer that no signal points at: the receipt
  // says nothing for it, which is itself evidence against it. Default: -6,
  // set so that the first suggestion's probability roughly matches how often
  // it is right on generated data.
  double unscored_weight = -6;
};

struct InsurerSuggestion {
  std::string insurer_number;
  std::string name;  // official; empty when not in a directory
  double probability = 0;
  double weight = 0;  // sum of the evidence weights
  std::vector<Evidence> evidence;
};

// How the best person-level candidate relates to the insurer-level answer.
enum class PersonRouting {
  kNoPerson,    // no candidate reached min_person_probability
  kAgrees,      // its insurer is also the best without person evidence
  kOverrides,   // its insurer is first only thanks to the person evidence
  kOutweighed,  // its insurer is not first even with the person evidence
};
std::string_view PersonRoutingName(PersonRouting routing);

struct Routing {
  std::vector<InsurerSuggestion> suggestions;  // best first
  PersonRouting person = PersonRouting::kNoPerson;
  std::string insurer_name_key;  // folded, empty when missing or unusable
  std::string employer_key;
  std::string prefecture;  // of the address, empty when unknown
};

// Ranks the insurers a receipt may be routed to. `directory` may be null.
Routing RouteInsurer(const InsurerDirectory* directory,
                     const RoutingInput& input, const RoutingOptions& options);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_INSURER_ROUTING_H_
