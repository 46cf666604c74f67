// The nightly re-match, run inside the server (`kuromaru rematch --server`):
// the server owns the store file, so the job runs where the store is. Jobs
// run on their own threads against the engine in service when they start;
// their progress is kept for GetRematch and WatchRematch.
#ifndef KUROMARU_SERVICES_GRPC_JOB_RUNNER_H_
#define KUROMARU_SERVICES_GRPC_JOB_RUNNER_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "kuromaru/v1/jobs.pb.h"
#include "services/grpc/roster_manager.h"
#include "services/store/case_store.h"

namespace kuromaru::grpc_service {

class JobRunner {
 public:
  JobRunner(store::CaseStore* store, RosterManager* rosters);
  ~JobRunner();  // cancels and waits

  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Starts a re-match of the open cases the request selects. INVALID_ARGUMENT
  // for a bad month range or shard; FAILED_PRECONDITION while no roster is in
  // service or a job on the same shard runs here. (A job on the same shard in
  // another process holds the shard's lease: this job then FAILS at once.)
  absl::StatusOr<v1::RematchJob> Start(const v1::StartRematchRequest& request,
                                       const store::Actor& actor);

  // NOT_FOUND for an unknown job (the last 50 are kept).
  absl::StatusOr<v1::RematchJob> Get(const std::string& job_id) const;

  // Blocks until the job differs from `seen` (its counters or state) or
  // `deadline` passes, and returns it.
  absl::StatusOr<v1::RematchJob> WaitForChange(const std::string& job_id,
                                               const v1::RematchJob& seen,
                                               absl::Time deadline) const;

  // The most recently started job, if any.
  std::optional<v1::RematchJob> Latest() const;

  // Asks running jobs to stop (they checkpoint; a new job resumes them).
  void Cancel();
  void CancelAndWait();

 private:
  // Joins the threads of jobs that are no longer running.
  void JoinFinished() ABSL_LOCKS_EXCLUDED(mu_);
  void Run(const std::string& job_id, const v1::StartRematchRequest& request,
           store::Actor actor,
           const std::shared_ptr<const reconcile::Engine>& engine);

  store::CaseStore* const store_;
  RosterManager* const rosters_;
  std::atomic<bool> cancel_{false};

  mutable absl::Mutex mu_;
  std::map<std::string, v1::RematchJob> jobs_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> order_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> running_shards_ ABSL_GUARDED_BY(mu_);
  // By job id; a finished job's thread is joined when the next job starts.
  std::map<std::string, std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_JOB_RUNNER_H_
