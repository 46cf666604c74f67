// The shared case store: one PostgreSQL database that every replica of the
// server, and the nightly job's shards, use at once.
//
//   PostgresOptions options;
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseStore> store,
//                    PostgresStore::Open("postgresql://kuromaru@db/kuromaru",
//                                        options));
//
// What keeps replicas consistent is the database, not process memory: a
// decision locks its case's row, so of two replicas deciding on one version
// one wins and the other is ABORTED; idempotency keys and receipt ids are
// unique keys; leases and checkpoints are rows. Every write commits with
// synchronous_commit on (set per session when the server's default is off)
// before it is acknowledged.
//
// Intake is grouped: concurrent CreateCase/CreateCases calls share
// transactions (up to max_batch cases in one set-based statement), with up
// to `intake_writers` transactions in flight, since a commit's flush, not
// the rows, is what costs. Decisions, re-matches and leases are one short
// transaction each.
//
// The results feed is ordered by (transaction id, row): a reader sees a
// change only once every transaction older than it has finished, so a
// change that commits late is never skipped, and every replica reads one
// sequence. A commit that adds to the feed sends a NOTIFY; WaitForChanges
// wakes on it (on any replica) and otherwise looks again every
// poll_interval.
//
// While the database cannot be reached, calls fail with UNAVAILABLE at once
// and Availability() says so; a background connection (the one that
// listens) reconnects with backoff, and service resumes when it succeeds.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_STORE_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/store/case_store.h"

namespace kuromaru::store {

struct PostgresOptions {
  // Connections in the pool. Default: 8.
  int connections = 8;
  // Intake transactions in flight at once. Default: 3.
  int intake_writers = 3;
  // Cases written by one intake transaction at most. Default: 512.
  int max_batch = 512;
  // How often WaitForChanges looks at the feed without a notification (a
  // transaction that held the feed back may end without one). Default:
  // 250 ms.
  absl::Duration poll_interval = absl::Milliseconds(250);
  // Reconnection backoff while the database is unreachable.
  absl::Duration backoff_max = absl::Seconds(2);
  // Apply schema migrations when opening. Default: true.
  bool migrate = true;
  // synchronous_commit on: a write is on the database's disk (and its
  // synchronous standbys, as configured) when acknowledged. Only benchmarks
  // comparing costs turn it off. Default: true.
  bool synchronous_commit = true;
  // The store's clock: the times it writes and lease expiry. Default: this
  // machine's clock corrected by its measured offset from the database
  // server's, so that replicas on different machines agree on leases.
  std::function<absl::Time()> clock;
};

class PostgresStore {
 public:
  // Connects to `dsn` (a libpq connection string or postgresql:// URI),
  // migrates the schema, and starts the store. UNAVAILABLE when the database
  // cannot be reached; PERMISSION_DENIED when it refuses the login;
  // FAILED_PRECONDITION when the schema is newer than this release.
  static absl::StatusOr<std::unique_ptr<CaseStore>> Open(
      const std::string& dsn, const PostgresOptions& options);
};

// True for a store locator that names PostgreSQL rather than a SQLite file:
// postgresql:// and postgres:// URIs.
bool IsPostgresDsn(const std::string& locator);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_STORE_H_
