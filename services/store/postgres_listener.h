// The PostgreSQL store's background connection: it LISTENs for the feed's
// notifications (waking WaitForChanges on every replica), notices at once
// when the database goes away (the pool then fails fast and the server's
// health turns NOT_SERVING) and reconnects with backoff, and measures this
// machine's clock against the database server's. Internal to the store.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_LISTENER_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_LISTENER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/postgres_db.h"
#include "services/store/postgres_pool.h"

namespace kuromaru::store::pg {

class Listener {
 public:
  // Starts the thread; `pool` (not owned) hears whether the database is
  // reachable.
  Listener(std::string dsn, Pool* pool, absl::Duration backoff_max);
  // Stops the thread.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Counts notifications (and reconnections, after which anything may have
  // changed).
  int64_t generation() const;
  // Blocks until generation() differs from `seen` or the deadline passes;
  // true when it changed.
  bool Wait(int64_t seen, absl::Time deadline) const;

  // The database server's clock minus this machine's, as last measured
  // (zero until then).
  absl::Duration clock_offset() const;

 private:
  void Loop();
  // Connects, LISTENs and measures the clock; null on failure.
  std::unique_ptr<Connection> Connect();
  void MeasureClock(Connection& c);
  void Bump();
  // Sleeps until `until` or Stop; false when stopping.
  bool Sleep(absl::Time until);

  const std::string dsn_;
  Pool* const pool_;
  const absl::Duration backoff_max_;
  int wake_[2] = {-1, -1};  // a pipe: writing to it interrupts poll()
  std::atomic<int64_t> offset_us_{0};

  mutable absl::Mutex mu_;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  std::thread thread_;
};

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_LISTENER_H_
