#include "services/store/wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <utility>

#include "base/status_macros.h"

namespace kuromaru::store {

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, absl::Duration interval, int busy_timeout_ms) {
  ASSIGN_OR_RETURN(auto connection,
                   Connection::Open(path, false, busy_timeout_ms));
  // A connection learns that the file is in WAL mode when it first reads;
  // until then a checkpoint does nothing.
  RETURN_IF_ERROR(connection->Exec("SELECT COUNT(*) FROM sqlite_schema"));
  return std::unique_ptr<WalCheckpointer>(
      new WalCheckpointer(std::move(connection), interval));
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<Connection> connection,
                                 absl::Duration interval)
    : interval_(interval), connection_(std::move(connection)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "wal-checkpoint");
    Loop();
  });
}

WalCheckpointer::~WalCheckpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void WalCheckpointer::Loop() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) {
    mu_.Unlock();
    int log_frames = 0;
    int copied = 0;
    // A failure (another process holding the lock) is retried next time.
    sqlite3_wal_checkpoint_v2(connection_->raw(), nullptr,
                              SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
    mu_.Lock();
  }
}

}  // namespace kuromaru::store
