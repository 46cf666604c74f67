#include "services/store/group_commit.h"

#include <pthread.h>

#include <algorithm>
#include <string>
#include <utility>

#include "base/status_macros.h"

namespace kuromaru::store {
namespace {

absl::Status RunCached(Connection& c, const std::string& sql) {
  ASSIGN_OR_RETURN(auto stmt, c.Prepare(sql));
  return stmt->Run();
}

}  // namespace

GroupCommitter::GroupCommitter(std::unique_ptr<Connection> connection,
                               Options options)
    : options_(std::move(options)), connection_(std::move(connection)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "store-writer");  // for top -H, perf
    Loop();
  });
}

GroupCommitter::~GroupCommitter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

absl::Status GroupCommitter::Run(Work work) {
  std::vector<Work> works;
  works.push_back(std::move(work));
  return std::move(RunAll(std::move(works)).front());
}

std::vector<absl::Status> GroupCommitter::RunAll(std::vector<Work> works) {
  std::vector<Unit> units(works.size());
  int pending = static_cast<int>(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    units[i].work = std::move(works[i]);
    units[i].pending = &pending;
  }
  std::vector<absl::Status> statuses;
  statuses.reserve(units.size());
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      statuses.assign(units.size(),
                      absl::UnavailableError("the store is closing"));
      return statuses;
    }
    for (Unit& unit : units) queue_.push_back(&unit);
    mu_.Await(absl::Condition(
        +[](int* left) { return *left == 0; }, &pending));
  }
  for (Unit& unit : units) statuses.push_back(std::move(unit.status));
  return statuses;
}

absl::Status GroupCommitter::WithConnection(const Work& fn) {
  absl::MutexLock lock(&connection_mu_);
  return fn(*connection_);
}

int64_t GroupCommitter::writes() const {
  absl::MutexLock lock(&mu_);
  return writes_;
}

int64_t GroupCommitter::commits() const {
  absl::MutexLock lock(&mu_);
  return commits_;
}

void GroupCommitter::Loop() {
  const size_t max_batch = static_cast<size_t>(std::max(1, options_.max_batch));
  auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  };
  auto full = [this, max_batch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() >= max_batch || stopping_;
  };
  size_t last_batch = 0;
  while (true) {
    std::deque<Unit*> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(&has_work));
      if (queue_.empty()) return;  // stopping, and nothing left
      // Only while writers are concurrent: a lone writer never waits.
      if (options_.window > absl::ZeroDuration() && last_batch > 1) {
        mu_.AwaitWithTimeout(absl::Condition(&full), options_.window);
      }
      size_t n = std::min(queue_.size(), max_batch);
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      last_batch = n;
    }
    bool committed = false;
    {
      absl::MutexLock lock(&connection_mu_);
      committed = RunBatch(batch);
      if (committed && options_.after_commit) {
        options_.after_commit(*connection_);
      }
    }
    absl::MutexLock lock(&mu_);
    writes_ += static_cast<int64_t>(batch.size());
    if (committed) ++commits_;
    for (Unit* unit : batch) --*unit->pending;
  }
}

bool GroupCommitter::RunBatch(std::deque<Unit*>& batch) {
  Connection& c = *connection_;
  absl::Status begin = RunCached(c, "BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (Unit* unit : batch) unit->status = begin;
    return false;
  }
  for (Unit* unit : batch) {
    absl::Status status = RunCached(c, "SAVEPOINT unit");
    if (status.ok()) status = unit->work(c);
    if (status.ok()) {
      status = RunCached(c, "RELEASE unit");
    } else {
      RunCached(c, "ROLLBACK TO unit").IgnoreError();
      RunCached(c, "RELEASE unit").IgnoreError();
    }
    unit->status = status;
  }
  absl::Status commit = RunCached(c, "COMMIT");
  if (!commit.ok()) {
    c.Exec("ROLLBACK").IgnoreError();
    for (Unit* unit : batch) {
      if (unit->status.ok()) unit->status = commit;
    }
    return false;
  }
  return true;
}

}  // namespace kuromaru::store
