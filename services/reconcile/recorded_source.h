// The roster in service as the case store records it, so that a restarted
// server, and `rematch` and `import` beside it, load the same roster, deltas,
// model and directory.
#ifndef KUROMARU_SERVICES_RECONCILE_RECORDED_SOURCE_H_
#define KUROMARU_SERVICES_RECONCILE_RECORDED_SOURCE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/reconcile/engine.h"
#include "services/store/service_state.h"

namespace kuromaru::reconcile {

// Records `engine` (its source and versions) as the roster in service.
absl::Status RecordEngine(store::ServiceState& store, const Engine& engine);

// The source of the roster the store records as in service, and its
// version. NOT_FOUND when none was recorded.
struct RecordedSource {
  RosterSource source;
  std::string roster_version;
  std::string model_version;
  absl::Time recorded_at;  // when the store recorded it
};
absl::StatusOr<RecordedSource> ReadRecordedSource(store::ServiceState& store);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_RECORDED_SOURCE_H_
