// The re-match job's helpers: the lease it holds while it runs, and the pool
// that writes a page of results through the store concurrently, so that group
// commit puts many of them in one transaction.
#ifndef KUROMARU_SERVICES_REMATCH_WORKERS_H_
#define KUROMARU_SERVICES_REMATCH_WORKERS_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/case_store.h"

namespace kuromaru::rematch {

// A lease renewed every ttl / 3 on its own thread until Release().
class LeaseKeeper {
 public:
  // FAILED_PRECONDITION while another owner holds `name`.
  static absl::StatusOr<std::unique_ptr<LeaseKeeper>> Acquire(
      store::ServiceState& store, const std::string& name,
      const std::string& owner, absl::Duration ttl);
  ~LeaseKeeper();  // releases

  // True once a renewal failed: another job may hold the shard now.
  bool lost() const { return lost_.load(); }
  void Release();

 private:
  LeaseKeeper(store::ServiceState& store, std::string name, std::string owner,
              absl::Duration ttl);
  void Renew();

  store::ServiceState& store_;
  const std::string name_;
  const std::string owner_;
  const absl::Duration ttl_;
  std::atomic<bool> lost_{false};
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ = false;  // owner thread only
  std::thread renewer_;
};

// What applying a re-match did to a case; nullopt when it failed (the case
// could not be matched or written).
using Outcome = std::optional<store::RematchOutcome>;

// Applies one page at a time with `concurrency` threads: Start() hands over a
// page and its results, Wait() returns their outcomes in page order once all
// are durable. Start and Wait alternate, on one thread.
class Applier {
 public:
  Applier(store::CaseRepository& store, int concurrency, store::Actor actor);
  // Stops the threads once the writes in progress return; the rest of a page
  // in flight is not written (and not checkpointed).
  ~Applier();

  // `page` must stay unchanged until Wait() returns. A missing result (a
  // receipt that cannot be matched) is an error, not written.
  void Start(const std::vector<store::OpenCase>* page,
             std::vector<std::optional<v1::MatchResult>> results);
  std::vector<Outcome> Wait();

 private:
  void Work();
  Outcome Apply(const store::OpenCase& c,
                std::optional<v1::MatchResult> result) const;

  store::CaseRepository& store_;
  const store::Actor actor_;
  absl::Mutex mu_;
  const std::vector<store::OpenCase>* page_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<std::optional<v1::MatchResult>> results_ ABSL_GUARDED_BY(mu_);
  std::vector<Outcome> outcomes_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  size_t done_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace kuromaru::rematch

#endif  // KUROMARU_SERVICES_REMATCH_WORKERS_H_
