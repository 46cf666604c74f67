// Copies the write-ahead log back into the database file from a background
// thread, so that no commit pays for it. SQLite otherwise checkpoints inside
// the commit that crosses wal_autocheckpoint pages, which writes and fsyncs
// the database file while every caller of that group commit waits.
// Checkpoints are PASSIVE: they never block the writer or a reader, and copy
// what no reader still needs.
#ifndef KUROMARU_SERVICES_STORE_WAL_CHECKPOINTER_H_
#define KUROMARU_SERVICES_STORE_WAL_CHECKPOINTER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/store/sqlite_db.h"

namespace kuromaru::store {

class WalCheckpointer {
 public:
  // Checkpoints the database at `path` every `interval` on a connection of
  // its own. The writer's connection must run with wal_autocheckpoint=0.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(
      const std::string& path, absl::Duration interval, int busy_timeout_ms);
  // Stops the thread.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(std::unique_ptr<Connection> connection,
                  absl::Duration interval);
  void Loop();

  const absl::Duration interval_;
  std::unique_ptr<Connection> connection_;  // used by the thread only
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_WAL_CHECKPOINTER_H_
