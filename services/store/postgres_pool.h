// Connections to one PostgreSQL database shared by the store's threads,
// transactions run on them, and what the store knows of the database's
// reachability.
//
//   Pool pool(options);
//   RETURN_IF_ERROR(pool.Transaction([&](Connection& c) -> absl::Status {
//     ASSIGN_OR_RETURN(Result r, c.Run(kLoadCase, Params().Text(id)));
//     ...
//   }));
//
// While the database cannot be reached, calls fail at once with UNAVAILABLE
// (the last error) instead of each waiting for a connect timeout; one
// attempt to reconnect is let through per backoff period (doubling up to
// backoff_max), and the first that succeeds makes the pool available again.
// A connection found dead on its first use after a pause (the server
// restarted, a failover) is replaced and the transaction run again, since
// nothing of it reached the database.
//
// Thread-safe.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_POOL_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_POOL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/postgres_db.h"

namespace kuromaru::store::pg {

class Pool {
 public:
  struct Options {
    std::string dsn;
    // Connections at most. Default: 8.
    int size = 8;
    // Reconnection backoff while the database is unreachable.
    absl::Duration backoff_min = absl::Milliseconds(100);
    absl::Duration backoff_max = absl::Seconds(2);
    // Run on every new connection before its first use (session settings).
    std::function<absl::Status(Connection&)> on_connect;
  };

  using Work = std::function<absl::Status(Connection&)>;

  explicit Pool(Options options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs `work` between BEGIN and COMMIT (rolled back when it fails). Runs it
  // again from the start when it fails with RetryTransaction (a deadlock, a
  // serialization failure, a lost race on a unique key), up to 10 times.
  // UNAVAILABLE when the database cannot be reached or the connection is
  // lost; when it is lost after COMMIT was sent, the outcome is unknown (the
  // store's writes are idempotent, so the caller may retry).
  absl::Status Transaction(const Work& work, bool read_only = false);

  // Runs `work` on a connection outside any transaction.
  absl::Status WithConnection(const Work& work);

  // OK while the database is reachable as far as the pool knows; the last
  // connection failure (UNAVAILABLE) otherwise. No I/O.
  absl::Status Availability() const;

  // Reports from outside the pool (the store's listener connection).
  void ReportDown(const absl::Status& why);
  void ReportUp();

  int64_t commits() const;

 private:
  struct Lease {
    std::unique_ptr<Connection> connection;
    bool reused = false;  // it had served before and sat idle
  };

  absl::StatusOr<Lease> Acquire();
  void Release(std::unique_ptr<Connection> connection);
  absl::Status RunOnce(const Work& work, bool read_only, bool* stale);

  const Options options_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle and in use
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  absl::Duration backoff_ ABSL_GUARDED_BY(mu_);
  absl::Time next_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t commits_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_POOL_H_
