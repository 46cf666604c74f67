#include "services/cases/queue_traits.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "base/hash.h"

namespace kuromaru::cases {
namespace {

constexpr std::string_view kNames[kReasonCount] = {
    "stale_card", "fusho",        "wildcard_name",      "variant_kanji",
    "marriage",   "insurer_typo", "member_typo",        "birth_date_near",
    "namesakes",  "no_candidate", "not_valid_in_month", "not_in_roster_route"};

// A second person this close (in bits) makes the case a choice between
// namesakes: the automatic decision needs a lead of 6 (scorer.h).
constexpr double kNamesakeLead = 6;
// Below this, a candidate is not a plausible person (the NO_MATCH line).
constexpr double kPlausible = 0.05;

bool HasLevel(const v1::Candidate& c, std::string_view field,
              std::initializer_list<std::string_view> levels) {
  for (const v1::Evidence& e : c.evidence()) {
    if (e.field() != field) continue;
    return std::find(levels.begin(), levels.end(), e.level()) != levels.end();
  }
  return false;
}

}  // namespace

QueueTraits TraitsOf(const v1::MatchResult& result) {
  QueueTraits t;
  const v1::NormalizedReceipt& n = result.normalized();
  if (n.insurer_sentinel() || n.member_sentinel()) t.reasons |= kFusho;
  if (n.wildcard_count() > 0) t.reasons |= kWildcardName;
  if (!n.insurer_number().empty() && !n.insurer_sentinel() &&
      !n.insurer_number_valid()) {
    t.reasons |= kInsurerTypo;
  }
  if (result.candidates_size() == 0 ||
      result.candidates(0).probability() < kPlausible) {
    t.reasons |= result.insurer_suggestions_size() > 0 ? kNotInRosterRoute
                                                       : kNoCandidate;
  }
  if (result.candidates_size() == 0) return t;
  const v1::Candidate& top = result.candidates(0);
  t.top_probability = top.probability();
  if (HasLevel(top, "member", {"PREVIOUS_MEMBER"}) ||
      HasLevel(top, "insurer", {"PREVIOUS_INSURER"})) {
    t.reasons |= kStaleCard;
  }
  if (HasLevel(top, "name_kanji", {"EXACT_AFTER_FOLDING"})) {
    t.reasons |= kVariantKanji;
  }
  if (HasLevel(top, "name_kanji", {"SURNAME_CHANGED"}) ||
      HasLevel(top, "name_kana", {"SURNAME_CHANGED"})) {
    t.reasons |= kMarriage;
  }
  if (HasLevel(top, "member", {"NEAR"})) t.reasons |= kMemberTypo;
  if (HasLevel(top, "birth_date",
               {"ONE_DIGIT", "MONTH_DAY_SWAPPED", "WRONG_ERA"})) {
    t.reasons |= kBirthDateNear;
  }
  if (!top.valid_in_service_month() && top.probability() >= kPlausible) {
    t.reasons |= kNotValidInMonth;
  }
  if (result.candidates_size() > 1) {
    // Candidates are one per person, best first.
    t.lead = top.match_weight() - result.candidates(1).match_weight();
    if (*t.lead < kNamesakeLead &&
        result.candidates(1).probability() >= kPlausible) {
      t.reasons |= kNamesakes;
    }
  }
  return t;
}

std::string SignatureOf(const v1::MatchResult& result) {
  const v1::NormalizedReceipt& n = result.normalized();
  const std::string& name =
      !n.name_kana_key().empty() ? n.name_kana_key() : n.name_kanji_loose_key();
  if (name.empty() || n.birth_date().empty()) return "";
  const uint64_t h = base::HashBytes(n.birth_date(), base::HashBytes(name));
  return absl::StrFormat("%016x", h);
}

std::vector<std::string_view> ReasonNames(uint32_t reasons) {
  std::vector<std::string_view> out;
  for (int i = 0; i < kReasonCount; ++i) {
    if (reasons & (1u << i)) out.push_back(kNames[i]);
  }
  return out;
}

std::optional<Reason> ReasonFromName(std::string_view name) {
  for (int i = 0; i < kReasonCount; ++i) {
    if (kNames[i] == name) return static_cast<Reason>(1u << i);
  }
  return std::nullopt;
}

}  // namespace kuromaru::cases
