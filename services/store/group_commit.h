// The store's single writer. Callers hand it units of work; a writer thread
// runs everything queued (up to a batch limit) inside one BEGIN IMMEDIATE
// transaction, each unit under its own savepoint, and commits once. Each
// caller gets its unit's status only after the commit is durable, so many
// concurrent writers share one fsync. A unit that fails is rolled back to
// its savepoint without affecting the others; a failed commit fails them all.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_GROUP_COMMIT_H_
#define KUROMARU_SERVICES_STORE_GROUP_COMMIT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/sqlite_db.h"

namespace kuromaru::store {

class GroupCommitter {
 public:
  using Work = std::function<absl::Status(Connection&)>;

  struct Options {
    // Units committed together at most. Default: 512.
    int max_batch = 512;
    // How long the writer waits for more units before committing a batch
    // that is not full, when the previous batch held more than one unit
    // (a lone writer is never delayed). Zero: it commits what is queued,
    // and what arrives during that commit forms the next batch.
    // Default: zero.
    absl::Duration window = absl::ZeroDuration();
    // Called on the writer thread after every commit, with the connection.
    std::function<void(Connection&)> after_commit;
  };

  // Starts the writer thread, which owns `connection`.
  GroupCommitter(std::unique_ptr<Connection> connection, Options options);
  // Finishes what is queued, then stops.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `work` in the next batch; returns its status once the batch is
  // committed (or the commit's error). `work` must not call Run().
  absl::Status Run(Work work);

  // Runs every unit of `works`, each under its own savepoint, in the next
  // batch (or batches, past max_batch); returns their statuses, in order,
  // once all are committed. One wait for the lot: a caller with many writes
  // at hand hands them over together.
  std::vector<absl::Status> RunAll(std::vector<Work> works);

  // Runs `fn` on the writer's connection between batches (no transaction
  // open). For stores without separate read connections.
  absl::Status WithConnection(const Work& fn);

  int64_t writes() const;
  int64_t commits() const;

 private:
  struct Unit {
    Work work;
    absl::Status status;
    int* pending = nullptr;  // the caller's count of units not yet done
  };

  void Loop();
  // true when the batch was committed.
  bool RunBatch(std::deque<Unit*>& batch);

  const Options options_;

  mutable absl::Mutex mu_;
  std::deque<Unit*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t writes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t commits_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Mutex connection_mu_;
  std::unique_ptr<Connection> connection_ ABSL_GUARDED_BY(connection_mu_);

  std::thread thread_;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_GROUP_COMMIT_H_
