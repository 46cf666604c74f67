#include "services/reconcile/recorded_source.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace kuromaru::reconcile {
namespace {

// What the store's active-roster record does not hold — the files'
// encoding and the directory — is kept in a checkpoint named after the
// roster version, written before the record that names that version.
std::string SourceKey(const std::string& roster_version) {
  return absl::StrCat("roster.source.", roster_version);
}

std::string EncodeSourceExtras(const RosterSource& source) {
  return absl::StrCat(base::TextEncodingName(source.encoding), "\n",
                      source.directory_path);
}

void DecodeSourceExtras(const std::string& value, RosterSource* source) {
  const size_t newline = value.find('\n');
  auto encoding = base::ParseTextEncoding(value.substr(0, newline));
  if (encoding.ok()) source->encoding = *encoding;
  source->directory_path =
      newline == std::string::npos ? "" : value.substr(newline + 1);
}

}  // namespace

absl::Status RecordEngine(store::CaseStore& store, const Engine& engine) {
  RETURN_IF_ERROR(store.SaveCheckpoint(SourceKey(engine.roster_version),
                                       EncodeSourceExtras(engine.source)));
  store::RosterState state;
  state.version = engine.roster_version;
  state.snapshot_path = engine.source.snapshot_path;
  state.delta_paths = engine.source.delta_paths;
  state.model_path = engine.source.model_path;
  state.model_version = engine.model_version;
  return store.PutActiveRoster(state);
}

absl::StatusOr<RecordedSource> ReadRecordedSource(store::CaseStore& store) {
  ASSIGN_OR_RETURN(store::RosterState active, store.GetActiveRoster());
  RecordedSource out;
  out.roster_version = active.version;
  out.source.snapshot_path = active.snapshot_path;
  out.source.delta_paths = active.delta_paths;
  out.source.model_path = active.model_path;
  ASSIGN_OR_RETURN(std::optional<std::string> extras,
                   store.LoadCheckpoint(SourceKey(active.version)));
  DecodeSourceExtras(extras.value_or("utf-8\n"), &out.source);
  return out;
}

}  // namespace kuromaru::reconcile
