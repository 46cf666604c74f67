// The embedded case store: one SQLite file in WAL mode with synchronous=FULL,
// one writer thread that commits concurrent writes in groups (one fsync per
// group, each caller answered only after its commit), and a pool of read
// connections that read while the writer writes.
//
//   SqliteOptions options;
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseStore> store,
//                    SqliteStore::Open("/var/lib/kuromaru/cases.db", options));
//
// The file is created owner-only (0600; an existing file is narrowed to
// 0600), and SQLite gives its -wal and -shm files the same mode. ":memory:"
// opens a private in-memory store for tests: reads then share the writer's
// connection.
//
// One process writes a file at a time in normal operation; a second process
// (an admin command) may open the same file, its writes waiting up to
// busy_timeout for the lock.
#ifndef KUROMARU_SERVICES_STORE_SQLITE_STORE_H_
#define KUROMARU_SERVICES_STORE_SQLITE_STORE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/store/case_store.h"

namespace kuromaru::store {

struct SqliteOptions {
  // How long a connection waits for a lock held by another process.
  // Default: 5 s.
  int busy_timeout_ms = 5000;
  // Read connections to a file. Default: 4.
  int read_connections = 4;
  // Writes committed in one transaction at most. Default: 512.
  int max_batch = 512;
  // How long the writer waits for more writes before committing a batch
  // that is not full, while writers are concurrent (the previous batch held
  // more than one write); a lone writer is never delayed. Zero: writes that
  // arrive during one commit form the next batch. Default: zero. In the
  // server the writers are the matching threads, each blocked until its
  // commit: a window only idled them (a stream of receipts went from about
  // 8,400/s with 1 ms to about 9,200/s with none, docs/SERVICE.md).
  absl::Duration batch_window = absl::ZeroDuration();
  // How often a background thread copies the write-ahead log into the
  // database file. Zero leaves it to SQLite, inside the commit that crosses
  // 1000 log pages, where it delays that group's callers. Default: 100 ms.
  absl::Duration checkpoint_interval = absl::Milliseconds(100);
  // PRAGMA synchronous=FULL: a commit is on disk when acknowledged. Only
  // benchmarks comparing costs turn it off. Default: true.
  bool synchronous_full = true;
  // The store's clock (timestamps, leases, purge). Default: absl::Now.
  std::function<absl::Time()> clock;
};

class SqliteStore {
 public:
  // Opens or creates the store at `path` and migrates its schema.
  // FAILED_PRECONDITION when the file's schema is newer than this release;
  // UNAVAILABLE or PERMISSION_DENIED when the file cannot be opened.
  static absl::StatusOr<std::unique_ptr<CaseStore>> Open(
      const std::string& path, const SqliteOptions& options);
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_SQLITE_STORE_H_
