// The ground truth of synthetic receipts: one JSON object per line, as written
// by `kuromaru gen` (truth.jsonl).
//
//   {"receipt_id":"R00000001","category":"exact","detail":"","person_id":"P1",
//    "event":"marriage","noise":"","in_roster":true,"valid_in_month":true,
//    "insurer_number":"01130012","symbol":"1234","number":"5678",
//    "branch":"01","qualified_from":"20200401",
//    "expected_insurer_number":"01130012"}
//
// Fields may come in any order; unknown fields are ignored. detail and event
// are optional (truth from other generators may lack them).
#ifndef KUROMARU_SERVICES_EVAL_TRUTH_H_
#define KUROMARU_SERVICES_EVAL_TRUTH_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace kuromaru::eval {

// The enrollment key a candidate must carry to be correct, exactly as in the
// roster row.
struct EnrollmentKey {
  std::string insurer_number;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string qualified_from;

  friend bool operator==(const EnrollmentKey&, const EnrollmentKey&) = default;
};

struct TruthRecord {
  std::string receipt_id;
  std::string category;
  std::string detail;  // what exactly the category did; may be empty
  // The life event that began the enrollment valid in the service month
  // (marriage, moved, turned_75 …); empty for a person's first.
  std::string event;
  bool in_roster = false;
  // False when the enrollment valid in the service month is not in the roster
  // yet (late_roster …): the key is then the person's newest roster
  // enrollment, which does not cover the service month.
  bool valid_in_month = false;
  EnrollmentKey key;  // empty when !in_roster
  // The insurer the receipt should be routed to (also when !in_roster).
  std::string expected_insurer_number;
};

// Parses one truth line. Requires a non-empty string receipt_id and a boolean
// in_roster; when in_roster, insurer_number and number must be non-empty.
// valid_in_month defaults to in_roster; category to "unknown". Returns
// InvalidArgument saying what is wrong (never quoting field values other than
// the receipt id).
absl::StatusOr<TruthRecord> ParseTruthLine(std::string_view line);

}  // namespace kuromaru::eval

#endif  // KUROMARU_SERVICES_EVAL_TRUTH_H_
