// Intake into the PostgreSQL store, grouped: concurrent callers' new cases
// share transactions, each one set-based statement that inserts the cases
// and their history events, feed entries and audit rows, so that a commit's
// flush is paid once for many cases. Internal to the store.
//
// Leader and followers: a caller queues its cases; while fewer than
// `writers` transactions are in flight, a waiting caller takes what is
// queued (up to max_batch cases, its own or others') and writes it on its
// own thread; the others sleep until their cases are committed. Cases are
// written in receipt_id order, so that concurrent transactions inserting
// the same ids cannot deadlock.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_INTAKE_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_INTAKE_H_

#include <deque>
#include <functional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/case_records.h"
#include "services/store/postgres_pool.h"

namespace kuromaru::store::pg {

class IntakeWriter {
 public:
  IntakeWriter(Pool* pool, int writers, int max_batch,
               std::function<absl::Time()> now);

  // Stores each case (or finds the same receipt stored before: its `out`
  // is then the stored case, replayed), filling cases[i].out; returns each
  // one's status, in order, once all are durable. ALREADY_EXISTS for
  // another receipt under a stored receipt_id.
  std::vector<absl::Status> Write(std::vector<PreparedCase>& cases);

 private:
  struct Caller {
    int remaining = 0;
  };
  struct Pending {
    PreparedCase* p = nullptr;
    absl::Status status;
    Caller* caller = nullptr;
  };

  // Writes `batch` in one transaction (or, when that fails for a reason
  // other than the database being unreachable, one transaction each, so
  // that one bad case fails alone).
  void WriteBatch(const std::vector<Pending*>& batch);
  absl::Status WriteTogether(const std::vector<Pending*>& batch);

  Pool* const pool_;
  const int writers_;
  const size_t max_batch_;
  const std::function<absl::Time()> now_;

  absl::Mutex mu_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_INTAKE_H_
