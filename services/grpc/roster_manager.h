// The roster and model in service, and their replacement while serving.
//
// An Engine is an immutable matcher over one roster version and one model.
// RosterManager holds the current one and builds the next in the background
// (a snapshot, a delta on top of the current roster, or a new model); the
// swap is one pointer exchange, so RPCs in flight finish on the engine they
// started with and new ones see the new one. Nothing waits for a load.
//
// Every successful swap is recorded in the store (PutActiveRoster) before it
// becomes visible, so a restarted server loads the same roster, deltas and
// model and comes back with the same roster version.
#ifndef KUROMARU_SERVICES_GRPC_ROSTER_MANAGER_H_
#define KUROMARU_SERVICES_GRPC_ROSTER_MANAGER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuromaru/v1/roster.pb.h"
#include "matcher/insurer_directory.h"
#include "matcher/matcher.h"
#include "services/store/case_store.h"

namespace kuromaru::grpc_service {

// Where an engine's roster and model come from: paths on the server.
struct RosterSource {
  std::string snapshot_path;
  std::vector<std::string> delta_paths;  // applied in order
  std::string encoding = "utf-8";        // "utf-8" or "cp932"
  int64_t max_errors = 0;                // 0: the loader's default budget
  std::string model_path;                // empty: the built-in model
  // The insurer directory (FORMATS.md §4), in the same encoding; empty:
  // none (insurer suggestions then come from the billed number and the
  // candidates alone).
  std::string directory_path;
};

struct Engine {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::shared_ptr<const matcher::InsurerDirectory> directory;  // may be null
  RosterSource source;
  std::string roster_version;
  std::string model_version;
  std::string model_source;  // "built-in" or the model file
  v1::RosterCounts counts;
  absl::Time loaded_at;
};

class RosterManager {
 public:
  // Called after each swap, on the loading thread.
  using SwapCallback = std::function<void(const Engine&)>;

  // `store` (not owned) records the active roster; it may be null in tests
  // of loading alone.
  RosterManager(store::CaseStore* store,
                const matcher::MatcherOptions& matcher_options,
                SwapCallback on_swap);
  // Waits for a load in progress.
  ~RosterManager();

  RosterManager(const RosterManager&) = delete;
  RosterManager& operator=(const RosterManager&) = delete;

  // The engine in service; null until the first load succeeds.
  std::shared_ptr<const Engine> Current() const;

  // Starts loading `source` (snapshot, its deltas and model) in the
  // background and returns the RUNNING operation. One operation at a time:
  // FAILED_PRECONDITION while another runs. INVALID_ARGUMENT for a bad
  // encoding or a relative path.
  absl::StatusOr<v1::RosterOperation> StartSnapshot(const RosterSource& source);

  // Starts applying a delta file to the current roster. FAILED_PRECONDITION
  // when no roster is loaded or another operation runs.
  absl::StatusOr<v1::RosterOperation> StartDelta(const std::string& path,
                                                 const std::string& encoding,
                                                 int64_t max_errors);

  // Replaces the model, keeping the roster and its index; synchronous (a
  // model is small). FAILED_PRECONDITION when no roster is loaded or a roster
  // operation runs (its engine would otherwise bring the old model back).
  absl::StatusOr<std::shared_ptr<const Engine>> LoadModel(
      const std::string& path);

  // An operation by id; NOT_FOUND for an unknown one (the last 100 are kept).
  absl::StatusOr<v1::RosterOperation> GetOperation(const std::string& id) const;

  // The operation in progress, if any.
  std::optional<v1::RosterOperation> Running() const;

  // Blocks until no operation runs. For tests and start-up.
  void WaitIdle() const;

 private:
  absl::StatusOr<v1::RosterOperation> Begin(v1::RosterOperation::Kind kind,
                                            const std::string& path);
  void Finish(const std::string& id, const absl::Status& status,
              const v1::RosterOperation& progress);
  void RunSnapshot(const std::string& id, RosterSource source);
  void RunDelta(const std::string& id, std::string path, std::string encoding,
                int64_t max_errors);
  // Records `engine` in the store, then makes it current.
  absl::Status Swap(const std::shared_ptr<const Engine>& engine);

  store::CaseStore* const store_;
  const matcher::MatcherOptions matcher_options_;
  const SwapCallback on_swap_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const Engine> current_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::RosterOperation> operations_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> operation_order_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  std::string running_id_ ABSL_GUARDED_BY(mu_);  // empty for a model load
  std::thread worker_ ABSL_GUARDED_BY(mu_);
};

// What the store's active-roster record does not hold — the files'
// encoding and the directory — is kept in a checkpoint named after the roster
// version, written before the record that names that version.
std::string SourceKey(const std::string& roster_version);
std::string EncodeSourceExtras(const RosterSource& source);
void DecodeSourceExtras(const std::string& value, RosterSource* source);

// The RosterLoadOptions encoding for a request's encoding name.
absl::StatusOr<bool> IsCp932(const std::string& encoding);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_ROSTER_MANAGER_H_
