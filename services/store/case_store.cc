#include "services/store/case_store.h"

#include <cstdint>
#include <string>

#include "base/hash.h"

namespace kuromaru::store {

v1::CaseState StateForDecision(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_AUTO_MATCH:
      return v1::CASE_STATE_AUTO_RESOLVED;
    case v1::DECISION_REVIEW:
      return v1::CASE_STATE_PENDING_REVIEW;
    default:
      return v1::CASE_STATE_UNMATCHED;
  }
}

v1::EnrollmentKey KeyOf(const v1::Candidate& candidate) {
  v1::EnrollmentKey key;
  key.set_insurer_number(candidate.insurer_number());
  key.set_symbol(candidate.symbol());
  key.set_number(candidate.number());
  key.set_branch(candidate.branch());
  key.set_qualified_from(candidate.qualified_from());
  return key;
}

bool SameKey(const v1::EnrollmentKey& a, const v1::EnrollmentKey& b) {
  return a.insurer_number() == b.insurer_number() && a.symbol() == b.symbol() &&
         a.number() == b.number() && a.branch() == b.branch() &&
         a.qualified_from() == b.qualified_from();
}

int ShardOf(const std::string& receipt_id, int shard_count) {
  if (shard_count <= 1) return 0;
  return static_cast<int>(base::Fnv1a64(receipt_id) %
                          static_cast<uint64_t>(shard_count));
}

}  // namespace kuromaru::store
