// Proto ⇄ domain: between the wire form of receipts and results
// (kuromaru.v1, FORMATS.md §2-3) and the matcher's domain types. The one place
// where a matcher::ReceiptMatch becomes a v1::MatchResult, for every edge.
//
// Thread-safe: functions of their arguments only.
#ifndef KUROMARU_SERVICES_RECONCILE_PROTO_CONVERSION_H_
#define KUROMARU_SERVICES_RECONCILE_PROTO_CONVERSION_H_

#include <string>

#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/receipt.pb.h"
#include "matcher/matcher.h"

namespace kuromaru::reconcile {

// Views into `receipt`, which must outlive the result.
matcher::ReceiptText TextOf(const v1::Receipt& receipt);

// The FORMATS.md §3 result of a matched receipt: candidates with their keys
// exactly as in the roster, evidence, the insurer suggestions with theirs, and
// the normalized forms.
v1::MatchResult ToMatchResult(const std::string& receipt_id,
                              const matcher::ReceiptMatch& match,
                              const std::string& roster_version,
                              const std::string& model_version);

// The result of a receipt that cannot be matched at all: NO_MATCH with `error`.
v1::MatchResult ErrorResult(const std::string& receipt_id,
                            const std::string& error);

// "YYYYMMDD" of a packed date; "" for 0.
std::string DateText(matcher::PackedDate date);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_PROTO_CONVERSION_H_
