#include "services/reconcile/recorded_source.h"

#include "base/status_macros.h"

namespace kuromaru::reconcile {

absl::Status RecordEngine(store::ServiceState& store, const Engine& engine) {
  store::RosterState state;
  state.version = engine.roster_version;
  state.snapshot_path = engine.source.snapshot_path;
  state.delta_paths = engine.source.delta_paths;
  state.encoding = base::TextEncodingName(engine.source.encoding);
  state.directory_path = engine.source.directory_path;
  state.model_path = engine.source.model_path;
  state.model_version = engine.model_version;
  return store.PutActiveRoster(state);
}

absl::StatusOr<RecordedSource> ReadRecordedSource(store::ServiceState& store) {
  ASSIGN_OR_RETURN(store::RosterState active, store.GetActiveRoster());
  RecordedSource out;
  out.roster_version = active.version;
  out.model_version = active.model_version;
  out.recorded_at = active.updated_at;
  out.source.snapshot_path = active.snapshot_path;
  out.source.delta_paths = active.delta_paths;
  ASSIGN_OR_RETURN(out.source.encoding,
                   base::ParseTextEncoding(active.encoding));
  out.source.directory_path = active.directory_path;
  out.source.model_path = active.model_path;
  return out;
}

}  // namespace kuromaru::reconcile
