#include "services/grpc/roster_manager.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/memory.h"
#include "base/status_macros.h"
#include "google/protobuf/util/time_util.h"
#include "matcher/model.h"
#include "matcher/roster_index.h"
#include "services/io/directory_csv.h"
#include "services/io/roster_csv.h"

namespace kuromaru::grpc_service {
namespace {

constexpr size_t kOperationsKept = 100;
constexpr size_t kErrorsPerOperation = 200;

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

absl::StatusOr<io::RosterLoadOptions> LoadOptions(const std::string& encoding,
                                                  int64_t max_errors) {
  ASSIGN_OR_RETURN(bool cp932, IsCp932(encoding));
  io::RosterLoadOptions options;
  options.encoding =
      cp932 ? base::TextEncoding::kCp932 : base::TextEncoding::kUtf8;
  if (max_errors > 0) options.max_errors = max_errors;
  options.max_reported_errors = kErrorsPerOperation;
  return options;
}

absl::Status CheckPath(const std::string& path, const char* what) {
  if (path.empty() || path.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": an absolute path on the server is required"));
  }
  return absl::OkStatus();
}

void AddReport(const io::RosterLoadReport& report, v1::RosterOperation* op) {
  op->set_rows_read(op->rows_read() + report.rows_read);
  op->set_rows_rejected(op->rows_rejected() + report.rows_rejected);
  for (const io::RowError& e : report.errors) {
    if (static_cast<size_t>(op->errors_size()) >= kErrorsPerOperation) break;
    v1::RowError* out = op->add_errors();
    out->set_line(e.line);
    out->set_reason(e.reason);
  }
}

v1::RosterCounts CountsOf(const matcher::RosterCounts& c) {
  v1::RosterCounts out;
  out.set_rows(c.rows);
  out.set_persons(c.persons);
  out.set_insurers(c.insurers);
  out.set_rows_with_wildcards(c.rows_with_wildcards);
  return out;
}

absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> LoadDirectory(
    const RosterSource& source, v1::RosterOperation* progress) {
  if (source.directory_path.empty()) return nullptr;
  ASSIGN_OR_RETURN(bool cp932, IsCp932(source.encoding));
  io::DirectoryLoadOptions options;
  options.encoding =
      cp932 ? base::TextEncoding::kCp932 : base::TextEncoding::kUtf8;
  io::DirectoryLoadReport report;
  auto directory =
      io::LoadDirectoryCsv(source.directory_path, options, &report);
  for (const io::RowError& e : report.errors) {
    if (progress == nullptr ||
        static_cast<size_t>(progress->errors_size()) >= kErrorsPerOperation) {
      break;
    }
    v1::RowError* out = progress->add_errors();
    out->set_line(e.line);
    out->set_reason(absl::StrCat(source.directory_path, ": ", e.reason));
  }
  if (!directory.ok()) {
    return absl::Status(directory.status().code(),
                        absl::StrCat(source.directory_path, ": ",
                                     directory.status().message()));
  }
  return directory;
}

absl::StatusOr<std::shared_ptr<const Engine>> MakeEngine(
    std::shared_ptr<const matcher::RosterIndex> index, matcher::Model model,
    const matcher::MatcherOptions& options, RosterSource source,
    std::shared_ptr<const matcher::InsurerDirectory> directory) {
  auto engine = std::make_shared<Engine>();
  engine->model_version = matcher::ModelVersion(model);
  engine->model_source =
      source.model_path.empty() ? "built-in" : source.model_path;
  engine->roster_version = index->roster().version();
  engine->counts = CountsOf(index->roster().counts());
  engine->loaded_at = absl::Now();
  if (directory != nullptr) {
    engine->counts.set_insurers_in_directory(
        static_cast<int64_t>(directory->size()));
  }
  engine->directory = directory;
  ASSIGN_OR_RETURN(std::unique_ptr<matcher::Matcher> m,
                   matcher::Matcher::Create(std::move(index), std::move(model),
                                            options, std::move(directory)));
  engine->matcher = std::move(m);
  engine->source = std::move(source);
  return engine;
}

}  // namespace

std::string SourceKey(const std::string& roster_version) {
  return absl::StrCat("roster.source.", roster_version);
}

std::string EncodeSourceExtras(const RosterSource& source) {
  return absl::StrCat(source.encoding, "\n", source.directory_path);
}

void DecodeSourceExtras(const std::string& value, RosterSource* source) {
  const size_t newline = value.find('\n');
  source->encoding = value.substr(0, newline);
  source->directory_path =
      newline == std::string::npos ? "" : value.substr(newline + 1);
}

absl::StatusOr<bool> IsCp932(const std::string& encoding) {
  ASSIGN_OR_RETURN(base::TextEncoding parsed,
                   base::ParseTextEncoding(encoding));
  return parsed == base::TextEncoding::kCp932;
}

RosterManager::RosterManager(store::CaseStore* store,
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

std::shared_ptr<const Engine> RosterManager::Current() const {
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
    const RosterSource& source) {
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
  RETURN_IF_ERROR(LoadOptions(source.encoding, source.max_errors).status());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(
      v1::RosterOperation op,
      Begin(v1::RosterOperation::KIND_SNAPSHOT, source.snapshot_path));
  worker_ =
      std::thread(&RosterManager::RunSnapshot, this, op.operation_id(), source);
  return op;
}

absl::StatusOr<v1::RosterOperation> RosterManager::StartDelta(
    const std::string& path, const std::string& encoding, int64_t max_errors) {
  RETURN_IF_ERROR(CheckPath(path, "path"));
  RETURN_IF_ERROR(LoadOptions(encoding, max_errors).status());
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

void RosterManager::RunSnapshot(const std::string& id, RosterSource source) {
  v1::RosterOperation progress;
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(io::RosterLoadOptions options,
                     LoadOptions(source.encoding, source.max_errors));
    ASSIGN_OR_RETURN(matcher::Model model,
                     matcher::ReadModelFile(source.model_path));
    io::RosterLoadReport report;
    auto roster = io::LoadRosterCsv(source.snapshot_path, options, &report);
    AddReport(report, &progress);
    RETURN_IF_ERROR(roster.status());
    for (const std::string& delta : source.delta_paths) {
      io::RosterLoadReport delta_report;
      auto next =
          io::ApplyRosterDeltaCsv(**roster, delta, options, &delta_report);
      AddReport(delta_report, &progress);
      RETURN_IF_ERROR(next.status());
      roster = std::move(next);
    }
    ASSIGN_OR_RETURN(auto directory, LoadDirectory(source, &progress));
    ASSIGN_OR_RETURN(auto index,
                     matcher::RosterIndex::Build(*std::move(roster)));
    ASSIGN_OR_RETURN(auto engine, MakeEngine(std::move(index), std::move(model),
                                             matcher_options_, source,
                                             std::move(directory)));
    progress.set_resulting_version(engine->roster_version);
    return Swap(engine);
  }();
  base::ReleaseFreeMemory();
  Finish(id, status, progress);
}

void RosterManager::RunDelta(const std::string& id, std::string path,
                             std::string encoding, int64_t max_errors) {
  v1::RosterOperation progress;
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(io::RosterLoadOptions options,
                     LoadOptions(encoding, max_errors));
    std::shared_ptr<const Engine> base = Current();
    io::RosterLoadReport report;
    auto roster = io::ApplyRosterDeltaCsv(base->matcher->roster(), path,
                                          options, &report);
    AddReport(report, &progress);
    RETURN_IF_ERROR(roster.status());
    ASSIGN_OR_RETURN(auto index,
                     matcher::RosterIndex::Build(*std::move(roster)));
    RosterSource source = base->source;
    source.delta_paths.push_back(path);
    source.encoding = encoding.empty() ? source.encoding : encoding;
    ASSIGN_OR_RETURN(
        auto engine,
        MakeEngine(std::move(index), base->matcher->model(), matcher_options_,
                   std::move(source), base->directory));
    progress.set_resulting_version(engine->roster_version);
    return Swap(engine);
  }();
  base::ReleaseFreeMemory();
  Finish(id, status, progress);
}

absl::StatusOr<std::shared_ptr<const Engine>> RosterManager::LoadModel(
    const std::string& path) {
  RETURN_IF_ERROR(CheckPath(path, "path"));
  std::shared_ptr<const Engine> base;
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
    base = current_;
  }
  absl::StatusOr<std::shared_ptr<const Engine>> result =
      [&]() -> absl::StatusOr<std::shared_ptr<const Engine>> {
    ASSIGN_OR_RETURN(matcher::Model model, matcher::ReadModelFile(path));
    RosterSource source = base->source;
    source.model_path = path;
    ASSIGN_OR_RETURN(
        auto engine,
        MakeEngine(base->matcher->index(), std::move(model), matcher_options_,
                   std::move(source), base->directory));
    RETURN_IF_ERROR(Swap(engine));
    return engine;
  }();
  absl::MutexLock lock(&mu_);
  running_ = false;
  return result;
}

absl::Status RosterManager::Swap(const std::shared_ptr<const Engine>& engine) {
  if (store_ != nullptr) {
    // The encoding is kept beside the version it belongs to, written before
    // the state that names that version.
    RETURN_IF_ERROR(store_->SaveCheckpoint(SourceKey(engine->roster_version),
                                           EncodeSourceExtras(engine->source)));
    store::RosterState state;
    state.version = engine->roster_version;
    state.snapshot_path = engine->source.snapshot_path;
    state.delta_paths = engine->source.delta_paths;
    state.model_path = engine->source.model_path;
    state.model_version = engine->model_version;
    RETURN_IF_ERROR(store_->PutActiveRoster(state));
  }
  {
    absl::MutexLock lock(&mu_);
    current_ = engine;
  }
  base::Log(
      base::LogLevel::kInfo, "roster in service",
      {{"roster_version", engine->roster_version},
       {"model_version", engine->model_version},
       {"rows", engine->counts.rows()},
       {"persons", engine->counts.persons()},
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

}  // namespace kuromaru::grpc_service
