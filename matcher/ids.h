// Distinct id types for a roster's enrollments and persons, so that one is
// never passed, compared or stored as the other.
//
//   EnrollmentId e{7};
//   PersonId p = roster.PersonOf(e);
//   records[e.value()] …               // an index, said out loud
//
// Both are 32 bits, trivially copyable, ordered and hashable (absl).
#ifndef KUROMARU_MATCHER_IDS_H_
#define KUROMARU_MATCHER_IDS_H_

#include <compare>
#include <cstdint>
#include <utility>

namespace kuromaru::matcher {

template <typename Tag>
class Id {
 public:
  constexpr Id() = default;
  constexpr explicit Id(uint32_t value) : value_(value) {}
  constexpr uint32_t value() const { return value_; }
  friend constexpr bool operator==(Id, Id) = default;
  friend constexpr auto operator<=>(Id, Id) = default;
  template <typename H>
  friend H AbslHashValue(H h, Id id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  uint32_t value_ = 0;
};

// One enrollment (資格): a row of the roster.
using EnrollmentId = Id<struct EnrollmentTag>;
// One insured person: a chain of enrollments (person_linkage.h).
using PersonId = Id<struct PersonTag>;

// "No such enrollment".
inline constexpr EnrollmentId kNoEnrollment{0xFFFFFFFFu};

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_IDS_H_
