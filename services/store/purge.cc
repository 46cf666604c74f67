#include "services/store/purge.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace kuromaru::store {
namespace {

constexpr int64_t kMaxRetentionCount = 100000;

absl::Status BadRetention(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("retention '", absl::string_view(text.data(), text.size()),
                   "' ", absl::string_view(why.data(), why.size())));
}

}  // namespace

absl::StatusOr<absl::Duration> ParseRetention(std::string_view text) {
  constexpr std::string_view kForm =
      "is not a whole number of hours, days or weeks (e.g. 180d, 26w, 4320h)";
  if (text.size() < 2) return BadRetention(text, kForm);
  const std::string_view digits = text.substr(0, text.size() - 1);
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return BadRetention(text, kForm);
  }
  int64_t count = 0;
  if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()),
                        &count) ||
      count > kMaxRetentionCount) {
    return BadRetention(text, "is too large");
  }
  absl::Duration unit;
  switch (text.back()) {
    case 'h':
      unit = absl::Hours(1);
      break;
    case 'd':
      unit = absl::Hours(24);
      break;
    case 'w':
      unit = absl::Hours(24 * 7);
      break;
    default:
      return BadRetention(text, kForm);
  }
  const absl::Duration retention = count * unit;
  if (retention < kMinRetention) {
    return BadRetention(text, "is under the minimum of 1d");
  }
  return retention;
}

absl::StatusOr<int64_t> PurgeClosed(CaseRepository& store,
                                    absl::Duration older_than, absl::Time now,
                                    const Actor& actor, bool dry_run) {
  if (older_than < kMinRetention) {
    return absl::InvalidArgumentError("retention is under the minimum of 1d");
  }
  const absl::Time closed_before = now - older_than;
  if (dry_run) return store.CountPurgeable(closed_before);
  return store.Purge(closed_before, actor);
}

}  // namespace kuromaru::store
