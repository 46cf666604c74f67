#include "services/store/postgres_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/store/postgres_schema.h"

namespace kuromaru::store::pg {
namespace {

// How often the connection is checked while idle, and the clock measured.
constexpr absl::Duration kPingInterval = absl::Seconds(2);
constexpr absl::Duration kClockInterval = absl::Minutes(1);

}  // namespace

Listener::Listener(std::string dsn, Pool* pool, absl::Duration backoff_max)
    : dsn_(std::move(dsn)), pool_(pool), backoff_max_(backoff_max) {
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread(&Listener::Loop, this);
}

Listener::~Listener() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (wake_[1] >= 0) {
    const char byte = 1;
    (void)!write(wake_[1], &byte, 1);
  }
  thread_.join();
  for (int fd : wake_) {
    if (fd >= 0) close(fd);
  }
}

int64_t Listener::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

bool Listener::Wait(int64_t seen, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return generation_ != seen || stop_;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&changed), deadline) &&
         generation_ != seen;
}

absl::Duration Listener::clock_offset() const {
  return absl::Microseconds(offset_us_.load());
}

void Listener::Bump() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

bool Listener::Sleep(absl::Time until) {
  absl::MutexLock lock(&mu_);
  return !mu_.AwaitWithDeadline(absl::Condition(&stop_), until);
}

void Listener::MeasureClock(Connection& c) {
  const absl::Time before = absl::Now();
  absl::StatusOr<Result> r = c.RunSql(
      "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::int8");
  const absl::Time after = absl::Now();
  if (!r.ok() || r->rows() != 1) return;
  const absl::Time middle = before + (after - before) / 2;
  offset_us_ = r->Int(0, 0) - absl::ToUnixMicros(middle);
}

std::unique_ptr<Connection> Listener::Connect() {
  absl::StatusOr<std::unique_ptr<Connection>> c = Connection::Open(dsn_);
  absl::Status status = c.status();
  if (status.ok()) {
    status = (*c)->Exec(absl::StrCat("LISTEN ", kChangesChannel));
  }
  if (!status.ok()) {
    if (absl::IsUnavailable(status)) pool_->ReportDown(status);
    return nullptr;
  }
  MeasureClock(**c);
  pool_->ReportUp();
  return *std::move(c);
}

void Listener::Loop() {
  std::unique_ptr<Connection> c;
  absl::Duration backoff = absl::Milliseconds(100);
  absl::Time next_clock = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
    }
    if (c == nullptr) {
      c = Connect();
      if (c == nullptr) {
        if (!Sleep(absl::Now() + backoff)) return;
        backoff = std::min(backoff * 2, backoff_max_);
        continue;
      }
      backoff = absl::Milliseconds(100);
      next_clock = absl::Now() + kClockInterval;
      Bump();  // after an outage, anything may have been committed
    }
    pollfd fds[2] = {{PQsocket(c->raw()), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    const int ready = poll(
        fds, 2, static_cast<int>(absl::ToInt64Milliseconds(kPingInterval)));
    bool alive = PQconsumeInput(c->raw()) == 1;
    bool notified = false;
    while (PGnotify* n = PQnotifies(c->raw())) {
      notified = true;
      PQfreemem(n);
    }
    if (alive && ready == 0) {
      // Quiet: make sure the server is still there.
      alive = c->Exec("SELECT 1").ok();
      if (alive && absl::Now() >= next_clock) {
        MeasureClock(*c);
        next_clock = absl::Now() + kClockInterval;
      }
      // What arrived while the statements ran.
      while (PGnotify* n = PQnotifies(c->raw())) {
        notified = true;
        PQfreemem(n);
      }
    }
    if (notified) Bump();
    if (!alive || !c->healthy()) {
      pool_->ReportDown(absl::UnavailableError(absl::StrCat(
          "lost the connection to the database: ", PQerrorMessage(c->raw()))));
      c.reset();
    }
  }
}

}  // namespace kuromaru::store::pg
