#include "services/grpc/job_runner.h"

#include <unistd.h>

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/log.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "services/rematch/rematch.h"

namespace kuromaru::grpc_service {
namespace {

constexpr size_t kJobsKept = 50;

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

void CopyProgress(const rematch::RematchProgress& p, v1::RematchJob* job) {
  job->set_total(p.total);
  job->set_examined(p.examined);
  job->set_resolved(p.resolved);
  job->set_changed(p.changed);
  job->set_unchanged(p.unchanged);
  job->set_errors(p.errors);
}

std::string NewJobId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("rematch-%016x", absl::Uniform<uint64_t>(*gen));
}

}  // namespace

JobRunner::JobRunner(store::CaseStore* store, RosterManager* rosters)
    : store_(store), rosters_(rosters) {}

JobRunner::~JobRunner() { CancelAndWait(); }

absl::StatusOr<v1::RematchJob> JobRunner::Start(
    const v1::StartRematchRequest& request, const store::Actor& actor) {
  JoinFinished();
  const int count = request.shard_count() == 0 ? 1 : request.shard_count();
  if (count < 1 || request.shard_index() < 0 ||
      request.shard_index() >= count) {
    return absl::InvalidArgumentError(
        "shard_index must be in [0, shard_count)");
  }
  std::shared_ptr<const reconcile::Engine> engine = rosters_->Current();
  if (engine == nullptr) {
    return absl::FailedPreconditionError(
        "no roster is in service; load one first");
  }
  const std::string shard = absl::StrCat(request.shard_index(), "/", count);
  v1::RematchJob job;
  job.set_job_id(NewJobId());
  job.set_state(v1::RematchJob::STATE_RUNNING);
  job.set_roster_version(engine->roster_version);
  job.set_model_version(engine->model_version);
  *job.mutable_started_at() = ToProto(absl::Now());
  absl::MutexLock lock(&mu_);
  if (auto it = running_shards_.find(shard); it != running_shards_.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a re-match of shard ", shard, " is running here: ", it->second));
  }
  running_shards_[shard] = job.job_id();
  jobs_[job.job_id()] = job;
  order_.push_back(job.job_id());
  if (order_.size() > kJobsKept) {
    if (jobs_[order_.front()].state() != v1::RematchJob::STATE_RUNNING) {
      jobs_.erase(order_.front());
      order_.erase(order_.begin());
    }
  }
  threads_[job.job_id()] = std::thread(&JobRunner::Run, this, job.job_id(),
                                       request, actor, std::move(engine));
  return job;
}

void JobRunner::Run(const std::string& job_id,
                    const v1::StartRematchRequest& request, store::Actor actor,
                    const std::shared_ptr<const reconcile::Engine>& engine) {
  rematch::RematchOptions options;
  options.month_from = request.service_month_from();
  options.month_to = request.service_month_to();
  options.shard_count = request.shard_count() == 0 ? 1 : request.shard_count();
  options.shard_index = request.shard_index();
  options.threads = request.threads();
  options.owner = absl::StrCat("server-", getpid(), "-", job_id);
  actor.role = "job";
  options.actor = actor;
  options.cancel = &cancel_;
  options.on_progress = [this, &job_id](const rematch::RematchProgress& p) {
    absl::MutexLock lock(&mu_);
    CopyProgress(p, &jobs_[job_id]);
  };
  base::Log(base::LogLevel::kInfo, "rematch started",
            {{"job_id", job_id}, {"roster_version", engine->roster_version}});
  absl::StatusOr<rematch::RematchReport> report =
      rematch::RunRematch(*store_, *engine, options);
  absl::MutexLock lock(&mu_);
  v1::RematchJob& job = jobs_[job_id];
  if (report.ok()) {
    CopyProgress(*report, &job);
    job.set_state(report->errors > 0 ? v1::RematchJob::STATE_PARTIAL
                                     : v1::RematchJob::STATE_SUCCEEDED);
    job.set_message(absl::StrCat(
        report->examined, " examined in ",
        absl::FormatDuration(absl::Trunc(report->duration, absl::Seconds(1)))));
  } else {
    job.set_state(v1::RematchJob::STATE_FAILED);
    job.set_message(std::string(report.status().message()));
  }
  *job.mutable_finished_at() = ToProto(absl::Now());
  for (auto it = running_shards_.begin(); it != running_shards_.end(); ++it) {
    if (it->second == job_id) {
      running_shards_.erase(it);
      break;
    }
  }
  base::Log(base::LogLevel::kInfo, "rematch finished",
            {{"job_id", job_id},
             {"state", v1::RematchJob::State_Name(job.state())},
             {"examined", job.examined()},
             {"resolved", job.resolved()},
             {"changed", job.changed()},
             {"errors", job.errors()}});
}

absl::StatusOr<v1::RematchJob> JobRunner::Get(const std::string& job_id) const {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("no rematch job ", job_id));
  }
  return it->second;
}

absl::StatusOr<v1::RematchJob> JobRunner::WaitForChange(
    const std::string& job_id, const v1::RematchJob& seen,
    absl::Time deadline) const {
  struct Wait {
    const std::map<std::string, v1::RematchJob>* jobs;
    const std::string* job_id;
    const v1::RematchJob* seen;
  } wait{&jobs_, &job_id, &seen};
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithDeadline(
      absl::Condition(
          +[](Wait* w) {
            auto it = w->jobs->find(*w->job_id);
            return it == w->jobs->end() ||
                   !google::protobuf::util::MessageDifferencer::Equals(
                       it->second, *w->seen);
          },
          &wait),
      deadline);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    return absl::NotFoundError(absl::StrCat("no rematch job ", job_id));
  }
  return it->second;
}

void JobRunner::JoinFinished() {
  std::vector<std::thread> finished;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = threads_.begin(); it != threads_.end();) {
      auto job = jobs_.find(it->first);
      if (job == jobs_.end() ||
          job->second.state() != v1::RematchJob::STATE_RUNNING) {
        finished.push_back(std::move(it->second));
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (std::thread& t : finished) t.join();
}

void JobRunner::Cancel() { cancel_.store(true); }

void JobRunner::CancelAndWait() {
  Cancel();
  std::map<std::string, std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    threads.swap(threads_);
  }
  for (auto& [id, t] : threads) t.join();
}

std::optional<v1::RematchJob> JobRunner::Latest() const {
  absl::MutexLock lock(&mu_);
  if (order_.empty()) return std::nullopt;
  auto it = jobs_.find(order_.back());
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

}  // namespace kuromaru::grpc_service
