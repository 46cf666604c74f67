// The engine in service on the server, and its replacement while serving.
//
// RosterManager holds the current reconcile::Engine and builds the next in
// the background with reconcile/roster_loader.h (a snapshot, a delta on top
// of the current roster, or a new model); the swap is one pointer exchange,
// so RPCs in flight finish on the engine they started with and new ones see
// the new one. Nothing waits for a load. What it adds to the loader is the
// server's bookkeeping: one operation at a time, each with an id and its
// rejected rows for GetOperation.
//
// Every successful swap is recorded in the store (reconcile::RecordEngine)
// before it becomes visible, so a restarted server loads the same roster,
// deltas, model and directory and comes back with the same roster version.
// Replicas that share a store follow that record (StartFollow): a roster
// put into service on one replica reaches every other one.
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
#include "matcher/matcher.h"
#include "services/reconcile/engine.h"
#include "services/reconcile/recorded_source.h"
#include "services/store/case_store.h"

namespace kuromaru::grpc_service {

class RosterManager {
 public:
  // Called after each swap, on the loading thread.
  using SwapCallback = std::function<void(const reconcile::Engine&)>;

  // `store` (not owned) records the active roster; it may be null in tests
  // of loading alone.
  RosterManager(store::ServiceState* store,
                const matcher::MatcherOptions& matcher_options,
                SwapCallback on_swap);
  // Waits for a load in progress.
  ~RosterManager();

  RosterManager(const RosterManager&) = delete;
  RosterManager& operator=(const RosterManager&) = delete;

  // The engine in service; null until the first load succeeds.
  std::shared_ptr<const reconcile::Engine> Current() const;

  // Starts loading `source` (snapshot, its deltas, model and directory) in
  // the background and returns the RUNNING operation. One operation at a
  // time: FAILED_PRECONDITION while another runs. INVALID_ARGUMENT for a
  // relative path.
  absl::StatusOr<v1::RosterOperation> StartSnapshot(
      const reconcile::RosterSource& source);

  // Starts applying a delta file, in `encoding` (nullopt: the current
  // roster's), to the current roster. FAILED_PRECONDITION when no roster is
  // loaded or another operation runs.
  absl::StatusOr<v1::RosterOperation> StartDelta(
      const std::string& path, std::optional<base::TextEncoding> encoding,
      int64_t max_errors);

  // Replaces the model, keeping the roster and its index; synchronous (a
  // model is small). FAILED_PRECONDITION when no roster is loaded or a roster
  // operation runs (its engine would otherwise bring the old model back).
  absl::StatusOr<std::shared_ptr<const reconcile::Engine>> LoadModel(
      const std::string& path);

  // Brings this replica to the roster, deltas, model and directory the store
  // records as in service, when another replica put others there: starts
  // loading them in the background (an operation of kind KIND_FOLLOW) and
  // returns it. nullopt when this replica serves them already, another
  // operation runs, nothing is recorded, or this very record failed to load
  // here in the last five minutes (a file the shared volume did not yet
  // show; a changed record is tried at once). Deltas recorded
  // on top of the snapshot in service are applied to it, and a new model
  // alone keeps the index, rather than loading everything again. What is
  // loaded is not recorded again; it is refused, and this replica keeps what
  // it serves, when its versions differ from the record's (the files changed
  // after they were put into service). The store's errors are returned.
  absl::StatusOr<std::optional<v1::RosterOperation>> StartFollow();

  // An operation by id; NOT_FOUND for an unknown one (the last 100 are kept).
  absl::StatusOr<v1::RosterOperation> GetOperation(const std::string& id) const;

  // What is in service and what is loading, for operators and the console.
  v1::RosterStatus Status() const;

  // The operation in progress, if any.
  std::optional<v1::RosterOperation> Running() const;

  // Blocks until no operation runs. For tests and start-up.
  void WaitIdle() const;

 private:
  absl::StatusOr<v1::RosterOperation> Begin(v1::RosterOperation::Kind kind,
                                            const std::string& path);
  void Finish(const std::string& id, const absl::Status& status,
              const v1::RosterOperation& progress);
  void RunSnapshot(const std::string& id, reconcile::RosterSource source);
  void RunDelta(const std::string& id, std::string path,
                std::optional<base::TextEncoding> encoding, int64_t max_errors);
  void RunFollow(const std::string& id, reconcile::RecordedSource recorded,
                 std::string record_key);
  // Records `engine` in the store (unless it follows the record), then makes
  // it current.
  enum class Record { kYes, kNo };
  absl::Status Swap(const std::shared_ptr<const reconcile::Engine>& engine,
                    Record record = Record::kYes);

  store::ServiceState* const store_;
  const matcher::MatcherOptions matcher_options_;
  const SwapCallback on_swap_;

  mutable absl::Mutex mu_;
  std::shared_ptr<const reconcile::Engine> current_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::RosterOperation> operations_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> operation_order_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  std::string running_id_ ABSL_GUARDED_BY(mu_);  // empty for a model load
  std::thread worker_ ABSL_GUARDED_BY(mu_);
  int64_t swaps_ ABSL_GUARDED_BY(mu_) = 0;
  // The record that last failed to load as a follow, and when.
  std::string failed_follow_ ABSL_GUARDED_BY(mu_);
  absl::Time failed_follow_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_ROSTER_MANAGER_H_
