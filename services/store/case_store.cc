#include "services/store/case_store.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/hash.h"

namespace kuromaru::store {

int ShardOf(const std::string& receipt_id, int shard_count) {
  if (shard_count <= 1) return 0;
  return static_cast<int>(base::Fnv1a64(receipt_id) %
                          static_cast<uint64_t>(shard_count));
}

std::string ReviewLeaseName(const std::string& receipt_id) {
  return absl::StrCat("review/", receipt_id);
}

}  // namespace kuromaru::store
