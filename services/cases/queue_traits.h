// What puts a case in a reviewer's queue, and where: the reasons a person
// must look at it (a stale card, a 不詳 receipt, ● in the name, a marriage, …)
// and its priority (the oldest service month first, then the smallest lead
// of the best candidate over the next person).
//
//   QueueTraits t = TraitsOf(result);
//   if (t.reasons & kMarriage) …
//   for (std::string_view name : ReasonNames(t.reasons)) …
//
// Derived from the match result alone, so that a store keeps them in columns
// of its own (written with the result, at intake and re-match) and filters,
// counts and orders a queue of 10^5 open cases without reading results.
// Pure and thread-safe.
#ifndef KUROMARU_SERVICES_CASES_QUEUE_TRAITS_H_
#define KUROMARU_SERVICES_CASES_QUEUE_TRAITS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kuromaru/v1/match.pb.h"

namespace kuromaru::cases {

enum Reason : uint32_t {
  kStaleCard = 1u << 0,          // billed an earlier enrollment's card
  kFusho = 1u << 1,              // 不詳 receipt (77777777 / 777777777)
  kWildcardName = 1u << 2,       // ●, 〓 or 外字 in the name
  kVariantKanji = 1u << 3,       // a variant kanji was folded
  kMarriage = 1u << 4,           // the surname changed
  kInsurerTypo = 1u << 5,        // the billed number fails its 検証番号
  kMemberTypo = 1u << 6,         // the billed 番号 is one typo away
  kBirthDateNear = 1u << 7,      // one digit, swapped, or another era
  kNamesakes = 1u << 8,          // a second person close behind
  kNoCandidate = 1u << 9,        // nobody plausible
  kNotValidInMonth = 1u << 10,   // the best enrollment is not valid then
  kNotInRosterRoute = 1u << 11,  // no person: routed by the insurer alone
};
inline constexpr int kReasonCount = 12;

struct QueueTraits {
  uint32_t reasons = 0;  // Reason bits
  // Match weight (bits) of the best candidate over the next person's; unset
  // with fewer than two candidates.
  std::optional<double> lead;
  double top_probability = 0;
};

QueueTraits TraitsOf(const v1::MatchResult& result);

// Who a receipt is about, as understood: a hash of its kana key (else its
// loose kanji key) and birth date, so that one person's other open receipts
// can be offered for the same decision. "" when the receipt has no name or
// no birth date.
std::string SignatureOf(const v1::MatchResult& result);

// "stale_card", "fusho", … for each bit set, in bit order.
std::vector<std::string_view> ReasonNames(uint32_t reasons);
// The bit of a reason's name; nullopt for an unknown name.
std::optional<Reason> ReasonFromName(std::string_view name);

}  // namespace kuromaru::cases

#endif  // KUROMARU_SERVICES_CASES_QUEUE_TRAITS_H_
