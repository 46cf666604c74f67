#include "services/grpc/roster_manager.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "services/reconcile/roster_loader.h"

namespace kuromaru::grpc_service {
namespace {

constexpr size_t kOperationsKept = 100;
constexpr size_t kErrorsPerOperation = 200;
// How long a record that failed to load as a follow is left alone.
constexpr absl::Duration kFollowRetry = absl::Minutes(5);

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp Now() {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(absl::Now()));
}

std::string NewOperationId() {
  static absl::Mutex mu(absl::kConstInit);
  static absl::BitGen* gen = new absl::BitGen();
  absl::MutexLock lock(&mu);
  return absl::StrFormat("op-%016x", absl::Uniform<uint64_t>(*gen));
}

absl::Status CheckPath(const std::string& path, const char* what) {
  if (path.empty() || path.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": an absolute path on the server is required"));
  }
  return absl::OkStatus();
}

reconcile::LoadOptions LoadOptionsOf(
    const matcher::MatcherOptions& matcher_options) {
  reconcile::LoadOptions options;
  options.matcher = matcher_options;
  options.max_reported_errors = kErrorsPerOperation;
  return options;
}

// The load's counts and rejected rows into the operation: the roster files'
// rows are counted, a directory's rejected rows are listed with its path.
void AddReport(const reconcile::LoadReport& report, v1::RosterOperation* op) {
  op->set_rows_read(op->rows_read() + report.roster_rows_read());
  op->set_rows_rejected(op->rows_rejected() + report.roster_rows_rejected());
  for (const reconcile::FileReport& file : report.files) {
    const bool directory = file.kind == reconcile::FileReport::Kind::kDirectory;
    for (const io::RowError& e : file.rows.errors) {
      if (static_cast<size_t>(op->errors_size()) >= kErrorsPerOperation) break;
      v1::RowError* out = op->add_errors();
      out->set_line(e.line);
      out->set_reason(directory ? absl::StrCat(file.path, ": ", e.reason)
                                : e.reason);
    }
  }
}

// Whether `engine` is what `recorded` names.
bool Serves(const reconcile::Engine& engine,
            const reconcile::RecordedSource& recorded) {
  return engine.roster_version == recorded.roster_version &&
         engine.model_version == recorded.model_version &&
         engine.source.directory_path == recorded.source.directory_path;
}

// One record of the store, to remember that it failed to load.
std::string RecordKey(const reconcile::RecordedSource& recorded) {
  return absl::StrCat(recorded.roster_version, "|", recorded.model_version, "|",
                      recorded.source.directory_path, "|",
                      absl::ToUnixMicros(recorded.recorded_at));
}

// The engine `recorded` names, built from `current` when only deltas were
// added on top of its snapshot or the model changed, else loaded whole.
absl::StatusOr<std::shared_ptr<const reconcile::Engine>> CatchUp(
    std::shared_ptr<const reconcile::Engine> current,
    const reconcile::RecordedSource& recorded,
    const reconcile::LoadOptions& options, reconcile::LoadReport* report) {
  const reconcile::RosterSource& want = recorded.source;
  const bool same_base =
      current != nullptr &&
      current->source.snapshot_path == want.snapshot_path &&
      current->source.encoding == want.encoding &&
      current->source.directory_path == want.directory_path &&
      current->source.delta_paths.size() <= want.delta_paths.size() &&
      std::equal(current->source.delta_paths.begin(),
                 current->source.delta_paths.end(), want.delta_paths.begin());
  if (!same_base) return reconcile::LoadEngine(want, options, report);
  std::shared_ptr<const reconcile::Engine> engine = std::move(current);
  for (size_t i = engine->source.delta_paths.size();
       i < want.delta_paths.size(); ++i) {
    ASSIGN_OR_RETURN(engine, reconcile::ApplyDelta(
                                 *engine, want.delta_paths[i], want.encoding,
                                 want.max_errors, options, report));
  }
  if (engine->model_version != recorded.model_version ||
      engine->source.model_path != want.model_path) {
    ASSIGN_OR_RETURN(engine,
                     reconcile::WithModel(*engine, want.model_path, options));
  }
  return engine;
}

}  // namespace

RosterManager::RosterManager(store::ServiceState* store,
                             const matcher::MatcherOptions& matcher_options,
                             SwapCallback on_swap)
    : store_(store),
      matcher_options_(matcher_options),
      on_swap_(std::move(on_swap)) {}

RosterManager::~RosterManager() {
  std::thread worker;
  {
    absl::MutexLock lock(&mu_);
    worker = std::move(worker_);
  }
  if (worker.joinable()) worker.join();
}

std::shared_ptr<const reconcile::Engine> RosterManager::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::StatusOr<v1::RosterOperation> RosterManager::Begin(
    v1::RosterOperation::Kind kind, const std::string& path) {
  mu_.AssertHeld();
  if (running_) {
    return absl::FailedPreconditionError(
        "another roster operation is running; wait for it (GetOperation)");
  }
  if (worker_.joinable()) worker_.join();  // finished: reap it
  v1::RosterOperation op;
  op.set_operation_id(NewOperationId());
  op.set_kind(kind);
  op.set_state(v1::RosterOperation::STATE_RUNNING);
  op.set_path(path);
  *op.mutable_started_at() = Now();
  operations_[op.operation_id()] = op;
  operation_order_.push_back(op.operation_id());
  if (operation_order_.size() > kOperationsKept) {
    operations_.erase(operation_order_.front());
    operation_order_.erase(operation_order_.begin());
  }
  running_ = true;
  running_id_ = op.operation_id();
  return op;
}

absl::StatusOr<v1::RosterOperation> RosterManager::StartSnapshot(
    const reconcile::RosterSource& source) {
  RETURN_IF_ERROR(CheckPath(source.snapshot_path, "path"));
  for (const std::string& delta : source.delta_paths) {
    RETURN_IF_ERROR(CheckPath(delta, "delta path"));
  }
  if (!source.model_path.empty()) {
    RETURN_IF_ERROR(CheckPath(source.model_path, "model path"));
  }
  if (!source.directory_path.empty()) {
    RETURN_IF_ERROR(CheckPath(source.directory_path, "directory_path"));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      v1::RosterOperation op,
      Begin(v1::RosterOperation::KIND_SNAPSHOT, source.snapshot_path));
  worker_ =
      std::thread(&RosterManager::RunSnapshot, this, op.operation_id(), source);
  return op;
}

absl::StatusOr<v1::RosterOperation> RosterManager::StartDelta(
    const std::string& path, std::optional<base::TextEncoding> encoding,
    int64_t max_errors) {
  RETURN_IF_ERROR(CheckPath(path, "path"));
  absl::MutexLock lock(&mu_);
  if (current_ == nullptr) {
    return absl::FailedPreconditionError(
        "no roster is loaded: load a snapshot first");
  }
  ASSIGN_OR_RETURN(v1::RosterOperation op,
                   Begin(v1::RosterOperation::KIND_DELTA, path));
  worker_ = std::thread(&RosterManager::RunDelta, this, op.operation_id(), path,
                        encoding, max_errors);
  return op;
}

void RosterManager::RunSnapshot(const std::string& id,
                                reconcile::RosterSource source) {
  v1::RosterOperation progress;
  absl::Status status = [&]() -> absl::Status {
    reconcile::LoadReport report;
    auto engine =
        reconcile::LoadEngine(source, LoadOptionsOf(matcher_options_), &report);
    AddReport(report, &progress);
    RETURN_IF_ERROR(engine.status());
    progress.set_resulting_version((*engine)->roster_version);
    return Swap(*engine);
  }();
  Finish(id, status, progress);
}

void RosterManager::RunDelta(const std::string& id, std::string path,
                             std::optional<base::TextEncoding> encoding,
                             int64_t max_errors) {
  v1::RosterOperation progress;
  absl::Status status = [&]() -> absl::Status {
    std::shared_ptr<const reconcile::Engine> current = Current();
    reconcile::LoadReport report;
    auto engine = reconcile::ApplyDelta(
        *current, path, encoding.value_or(current->source.encoding),
        max_errors > 0 ? std::optional<int64_t>(max_errors) : std::nullopt,
        LoadOptionsOf(matcher_options_), &report);
    AddReport(report, &progress);
    RETURN_IF_ERROR(engine.status());
    progress.set_resulting_version((*engine)->roster_version);
    return Swap(*engine);
  }();
  Finish(id, status, progress);
}

absl::StatusOr<std::optional<v1::RosterOperation>>
RosterManager::StartFollow() {
  if (store_ == nullptr) return std::nullopt;
  int64_t swaps = 0;
  {
    absl::MutexLock lock(&mu_);
    if (running_) return std::nullopt;
    swaps = swaps_;
  }
  absl::StatusOr<reconcile::RecordedSource> recorded =
      reconcile::ReadRecordedSource(*store_);
  if (absl::IsNotFound(recorded.status())) return std::nullopt;
  RETURN_IF_ERROR(recorded.status());
  std::string key = RecordKey(*recorded);
  absl::MutexLock lock(&mu_);
  // A swap since the record was read makes the record possibly stale: look
  // again next time rather than go back to it.
  if (running_ || swaps_ != swaps ||
      (key == failed_follow_ &&
       absl::Now() < failed_follow_at_ + kFollowRetry)) {
    return std::nullopt;
  }
  if (current_ != nullptr && Serves(*current_, *recorded)) return std::nullopt;
  ASSIGN_OR_RETURN(
      v1::RosterOperation op,
      Begin(v1::RosterOperation::KIND_FOLLOW, recorded->source.snapshot_path));
  worker_ = std::thread(&RosterManager::RunFollow, this, op.operation_id(),
                        *std::move(recorded), std::move(key));
  return op;
}

void RosterManager::RunFollow(const std::string& id,
                              reconcile::RecordedSource recorded,
                              std::string record_key) {
  // The record's files were accepted when they were put into service, with
  // whatever error budget was given then; the versions are the check here.
  recorded.source.max_errors = std::numeric_limits<int64_t>::max();
  v1::RosterOperation progress;
  absl::Status status = [&]() -> absl::Status {
    reconcile::LoadReport report;
    auto engine =
        CatchUp(Current(), recorded, LoadOptionsOf(matcher_options_), &report);
    AddReport(report, &progress);
    RETURN_IF_ERROR(engine.status());
    if (!Serves(**engine, recorded)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the recorded files give roster ", (*engine)->roster_version,
          " and model ", (*engine)->model_version, ", not the recorded ",
          recorded.roster_version, " and ", recorded.model_version,
          ": they changed after they were put into service; this replica "
          "keeps what it serves until the roster is loaded again"));
    }
    progress.set_resulting_version((*engine)->roster_version);
    return Swap(*engine, Record::kNo);
  }();
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    failed_follow_ = std::move(record_key);
    failed_follow_at_ = absl::Now();
  }
  Finish(id, status, progress);
}

absl::StatusOr<std::shared_ptr<const reconcile::Engine>>
RosterManager::LoadModel(const std::string& path) {
  RETURN_IF_ERROR(CheckPath(path, "path"));
  std::shared_ptr<const reconcile::Engine> current;
  {
    absl::MutexLock lock(&mu_);
    if (current_ == nullptr) {
      return absl::FailedPreconditionError(
          "no roster is loaded: load a snapshot first");
    }
    if (running_) {
      return absl::FailedPreconditionError(
          "a roster operation is running; load the model after it");
    }
    running_ = true;
    current = current_;
  }
  absl::StatusOr<std::shared_ptr<const reconcile::Engine>> result =
      [&]() -> absl::StatusOr<std::shared_ptr<const reconcile::Engine>> {
    ASSIGN_OR_RETURN(
        auto engine,
        reconcile::WithModel(*current, path, LoadOptionsOf(matcher_options_)));
    RETURN_IF_ERROR(Swap(engine));
    return engine;
  }();
  absl::MutexLock lock(&mu_);
  running_ = false;
  return result;
}

absl::Status RosterManager::Swap(
    const std::shared_ptr<const reconcile::Engine>& engine, Record record) {
  if (store_ != nullptr && record == Record::kYes) {
    RETURN_IF_ERROR(reconcile::RecordEngine(*store_, *engine));
  }
  {
    absl::MutexLock lock(&mu_);
    current_ = engine;
    ++swaps_;
  }
  base::Log(
      base::LogLevel::kInfo,
      record == Record::kYes ? "roster in service"
                             : "roster in service, as another replica put it",
      {{"roster_version", engine->roster_version},
       {"model_version", engine->model_version},
       {"rows", engine->counts.rows},
       {"persons", engine->counts.persons},
       {"deltas", static_cast<int64_t>(engine->source.delta_paths.size())}});
  if (on_swap_) on_swap_(*engine);
  return absl::OkStatus();
}

void RosterManager::Finish(const std::string& id, const absl::Status& status,
                           const v1::RosterOperation& progress) {
  absl::MutexLock lock(&mu_);
  running_ = false;
  running_id_.clear();
  auto it = operations_.find(id);
  if (it == operations_.end()) return;
  v1::RosterOperation& op = it->second;
  op.set_rows_read(progress.rows_read());
  op.set_rows_rejected(progress.rows_rejected());
  *op.mutable_errors() = progress.errors();
  op.set_resulting_version(status.ok() ? progress.resulting_version() : "");
  op.set_state(status.ok() ? v1::RosterOperation::STATE_SUCCEEDED
                           : v1::RosterOperation::STATE_FAILED);
  op.set_message(status.ok()
                     ? absl::StrCat("in service as ", op.resulting_version())
                     : std::string(status.message()));
  *op.mutable_finished_at() = Now();
  base::Log(status.ok() ? base::LogLevel::kInfo : base::LogLevel::kError,
            "roster operation finished",
            {{"operation_id", id},
             {"ok", status.ok()},
             {"rows_read", op.rows_read()},
             {"rows_rejected", op.rows_rejected()}});
}

absl::StatusOr<v1::RosterOperation> RosterManager::GetOperation(
    const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = operations_.find(id);
  if (it == operations_.end()) {
    return absl::NotFoundError(absl::StrCat("no roster operation ", id));
  }
  return it->second;
}

std::optional<v1::RosterOperation> RosterManager::Running() const {
  absl::MutexLock lock(&mu_);
  if (running_id_.empty()) return std::nullopt;
  auto it = operations_.find(running_id_);
  if (it == operations_.end()) return std::nullopt;
  return it->second;
}

void RosterManager::WaitIdle() const {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](const bool* running) { return !*running; }, &running_));
}

v1::RosterStatus RosterManager::Status() const {
  v1::RosterStatus out;
  if (auto running = Running()) *out.mutable_running() = *std::move(running);
  std::shared_ptr<const reconcile::Engine> engine = Current();
  if (engine == nullptr) return out;
  out.set_version(engine->roster_version);
  v1::RosterCounts* counts = out.mutable_counts();
  counts->set_rows(engine->counts.rows);
  counts->set_persons(engine->counts.persons);
  counts->set_insurers(engine->counts.insurers);
  counts->set_rows_with_wildcards(engine->counts.rows_with_wildcards);
  out.set_snapshot_path(engine->source.snapshot_path);
  for (const std::string& d : engine->source.delta_paths) {
    out.add_delta_paths(d);
  }
  *out.mutable_loaded_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(engine->loaded_at));
  out.set_model_version(engine->model_version);
  if (engine->directory != nullptr) {
    counts->set_insurers_in_directory(
        static_cast<int64_t>(engine->directory->size()));
    out.set_directory_path(engine->source.directory_path);
    out.set_directory_version(engine->directory->version());
  }
  return out;
}

}  // namespace kuromaru::grpc_service
