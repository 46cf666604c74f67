// Receipts at the edges: validation of what makes matching impossible, and the
// JSON Lines reader (FORMATS.md §2).
//
// Only what makes matching impossible is a violation: no receipt_id, no name in
// either script, no birth date, invalid UTF-8, a field over its size bound. A
// noisy or unparseable field is not rejected here; the matcher treats it as
// missing evidence.
#ifndef KUROMARU_SERVICES_IO_RECEIPTS_H_
#define KUROMARU_SERVICES_IO_RECEIPTS_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "kuromaru/v1/receipt.pb.h"

namespace kuromaru::io {

// A field of a request that is invalid, and why. Never carries the value itself
// (it may be personal data).
struct FieldViolation {
  std::string field;
  std::string description;
};

// Upper bound on any one receipt field, bytes. Real fields are far shorter; the
// bound keeps a bad client from making the service store or log megabytes.
inline constexpr size_t kMaxReceiptFieldBytes = 1024;

// The violations that make `receipt` impossible to match; empty if it can be
// matched. Field names are prefixed with `prefix` (e.g. "receipt.").
std::vector<FieldViolation> ValidateReceipt(const v1::Receipt& receipt,
                                            const std::string& prefix = "");

// All violations as one line, for MatchResult.error and logs.
std::string DescribeViolations(const std::vector<FieldViolation>& violations);

// Reads receipts from JSON Lines. Calls `on_receipt(line_number, receipt)` for
// each line that parses, `on_error(line_number, reason)` for each that does not
// (blank lines are skipped). Stops early when a callback returns false. Returns
// an error only when the stream itself fails.
absl::Status ReadReceiptsJsonl(
    std::istream& in,
    const std::function<bool(int64_t, v1::Receipt&)>& on_receipt,
    const std::function<bool(int64_t, const std::string&)>& on_error);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_RECEIPTS_H_
