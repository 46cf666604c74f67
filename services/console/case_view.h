// What a reviewer sees of one case (docs/CONSOLE.md, "A case"): the receipt
// and each candidate side by side, field by field, original and normalized;
// the characters that placeholders (●, 〓), an insurer's 外字 and variant
// kanji stand for, aligned with the other side; 和暦 beside 西暦; the evidence
// as a waterfall; the candidate person's enrollments on a timeline; and why
// the case needs a person (queue_traits.h).
//
//   CaseViewInputs in{.roster = engine->roster(), .directory = dir};
//   nlohmann::json receipt = ReceiptDisplay(c.receipt(), top_candidate);
//   nlohmann::json candidates = CandidateViews(c, in);
//
// Pure: reads the case and, when given, the roster and directory in service
// (both may be null: enrollments and insurer names are then left out).
// Thread-compatible.
#ifndef KUROMARU_SERVICES_CONSOLE_CASE_VIEW_H_
#define KUROMARU_SERVICES_CONSOLE_CASE_VIEW_H_

#include <string>
#include <string_view>

#include "kuromaru/v1/case.pb.h"
#include "matcher/insurer_directory.h"
#include "matcher/roster.h"
#include "nlohmann/json.hpp"

namespace kuromaru::console {

struct CaseViewInputs {
  const matcher::Roster* roster = nullptr;
  const matcher::InsurerDirectory* directory = nullptr;
};

// A written name as the console shows it, one entry per character:
// {"text", "kind", "folded", "against"} (see docs/CONSOLE.md, Char).
// `other` is the name it is compared with; its character at the same position
// (separators aside) becomes "against" where this name has a placeholder or
// 外字, or where `other` has one. Kana names are folded as kana; kanji names
// mark variants.
nlohmann::json NameChars(std::string_view name, std::string_view other,
                         bool kana);

// A date as received: {"raw", "iso", "wareki"}; null when it does not parse.
nlohmann::json DateDisplay(std::string_view raw);

// The receipt's fields for display, its names aligned with `against` (the
// top candidate; may be null).
nlohmann::json ReceiptDisplay(const v1::Receipt& receipt,
                              const v1::Candidate* against);

// One CandidateView per candidate of the case's result, in rank order.
nlohmann::json CandidateViews(const v1::Case& c, const CaseViewInputs& in);

// "insurer|symbol|number|branch|qualified_from" of an enrollment key.
std::string KeyText(const v1::EnrollmentKey& key);

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_CASE_VIEW_H_
