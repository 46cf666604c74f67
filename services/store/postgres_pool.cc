#include "services/store/postgres_pool.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"

namespace kuromaru::store::pg {
namespace {

constexpr int kMaxRetries = 10;

}  // namespace

Pool::Pool(Options options)
    : options_(std::move(options)), backoff_(options_.backoff_min) {}

Pool::~Pool() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](Pool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
        return p->open_ == static_cast<int>(p->idle_.size());
      },
      this));
  idle_.clear();
}

absl::Status Pool::Availability() const {
  absl::MutexLock lock(&mu_);
  return down_ ? last_error_ : absl::OkStatus();
}

void Pool::ReportDown(const absl::Status& why) {
  absl::MutexLock lock(&mu_);
  if (!down_) {
    base::Log(base::LogLevel::kError, "database unreachable",
              {{"error", std::string(why.message())}});
    backoff_ = options_.backoff_min;
  } else {
    backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  }
  down_ = true;
  last_error_ = absl::UnavailableError(
      absl::StrCat("the database is unreachable: ", why.message()));
  next_attempt_ = absl::Now() + backoff_;
  // Connections made before the failure are most likely dead too.
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

void Pool::ReportUp() {
  absl::MutexLock lock(&mu_);
  if (down_) base::Log(base::LogLevel::kInfo, "database reachable again");
  down_ = false;
  last_error_ = absl::OkStatus();
  backoff_ = options_.backoff_min;
  next_attempt_ = absl::InfinitePast();
}

int64_t Pool::commits() const {
  absl::MutexLock lock(&mu_);
  return commits_;
}

absl::StatusOr<Pool::Lease> Pool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Pool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return !p->idle_.empty() || p->open_ < p->options_.size;
        },
        this));
    if (down_) {
      // Fail fast until the next attempt is due, then let one through.
      if (absl::Now() < next_attempt_) return last_error_;
      next_attempt_ = absl::Now() + backoff_;
    } else if (!idle_.empty()) {
      Lease lease{std::move(idle_.back()), true};
      idle_.pop_back();
      return lease;
    }
    ++open_;
  }
  absl::StatusOr<std::unique_ptr<Connection>> made =
      Connection::Open(options_.dsn);
  absl::Status ready = made.status();
  if (ready.ok() && options_.on_connect) ready = options_.on_connect(**made);
  if (!ready.ok()) {
    {
      absl::MutexLock lock(&mu_);
      --open_;
    }
    if (absl::IsUnavailable(ready)) ReportDown(ready);
    return ready;
  }
  ReportUp();
  return Lease{*std::move(made), false};
}

void Pool::Release(std::unique_ptr<Connection> connection) {
  absl::MutexLock lock(&mu_);
  if (connection->healthy() && !down_) {
    idle_.push_back(std::move(connection));
  } else {
    --open_;
  }
}

absl::Status Pool::RunOnce(const Work& work, bool read_only, bool* stale) {
  *stale = false;
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = *lease->connection;
  absl::Status status = c.Exec(read_only ? "BEGIN READ ONLY"
                                         : "BEGIN ISOLATION LEVEL READ "
                                           "COMMITTED");
  if (!status.ok()) {
    // Dead on first use after a pause: nothing was sent that could have
    // taken effect.
    const bool healthy = c.healthy();
    *stale = lease->reused && !healthy;
    Release(std::move(lease->connection));
    if (!*stale && !healthy) ReportDown(status);
    return status;
  }
  status = work(c);
  if (status.ok()) {
    status = c.Exec("COMMIT");
    if (!status.ok() && !c.healthy()) {
      status = absl::UnavailableError(absl::StrCat(
          "the connection was lost while committing; the outcome is "
          "unknown and a retry is safe: ",
          status.message()));
    } else if (status.ok()) {
      absl::MutexLock lock(&mu_);
      ++commits_;
    }
  } else if (c.healthy()) {
    c.Exec("ROLLBACK").IgnoreError();
  }
  const bool healthy = c.healthy();
  Release(std::move(lease->connection));
  if (!healthy) ReportDown(status);
  return status;
}

absl::Status Pool::Transaction(const Work& work, bool read_only) {
  absl::Status status;
  bool retried_stale = false;
  for (int attempt = 0; attempt <= kMaxRetries; ++attempt) {
    bool stale = false;
    status = RunOnce(work, read_only, &stale);
    if (stale && !retried_stale) {
      retried_stale = true;
      {
        // The others idle since then are most likely dead too.
        absl::MutexLock lock(&mu_);
        open_ -= static_cast<int>(idle_.size());
        idle_.clear();
      }
      --attempt;
      continue;
    }
    if (!IsRetry(status)) break;
    absl::SleepFor(absl::Milliseconds(1 << std::min(attempt, 6)));
  }
  if (IsRetry(status)) {
    return absl::AbortedError(
        absl::StrCat("conflicting writers; try again: ", status.message()));
  }
  return status;
}

absl::Status Pool::WithConnection(const Work& work) {
  absl::StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) return lease.status();
  absl::Status status = work(*lease->connection);
  const bool healthy = lease->connection->healthy();
  Release(std::move(lease->connection));
  if (!healthy) ReportDown(status);
  return status;
}

}  // namespace kuromaru::store::pg
