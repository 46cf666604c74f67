// Request validation for receipts: what makes a receipt impossible to match,
// for every edge that takes one (gRPC Reconcile, `match`, `import`,
// `rematch`).
//
// Only what makes matching impossible is a violation: no receipt_id, no name
// in either script, no birth date, invalid UTF-8, a field over its size
// bound. A noisy or unparseable field is not rejected here; the matcher
// treats it as missing evidence.
#ifndef KUROMARU_SERVICES_RECONCILE_RECEIPT_VALIDATION_H_
#define KUROMARU_SERVICES_RECONCILE_RECEIPT_VALIDATION_H_

#include <cstddef>
#include <string>
#include <vector>

#include "kuromaru/v1/receipt.pb.h"

namespace kuromaru::reconcile {

// A field of a request that is invalid, and why. Never carries the value
// itself (it may be personal data).
struct FieldViolation {
  std::string field;
  std::string description;
};

// Upper bound on any one receipt field, bytes. Real fields are far shorter;
// the bound keeps a bad client from making the service store or log
// megabytes.
inline constexpr size_t kMaxReceiptFieldBytes = 1024;

// The violations that make `receipt` impossible to match; empty if it can be
// matched. Field names are prefixed with `prefix` (e.g. "receipt.").
// Thread-safe.
std::vector<FieldViolation> ValidateReceipt(const v1::Receipt& receipt,
                                            const std::string& prefix = "");

// All violations as one line, for MatchResult.error and logs.
std::string DescribeViolations(const std::vector<FieldViolation>& violations);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_RECEIPT_VALIDATION_H_
