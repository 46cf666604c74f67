#include "services/grpc/server.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <semaphore>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "services/grpc/call.h"
#include "services/grpc/job_service.h"
#include "services/grpc/metrics.h"
#include "services/grpc/reconcile_service.h"
#include "services/grpc/review_service.h"
#include "services/grpc/roster_service.h"
#include "services/grpc/upload_dir.h"
#include "services/grpc/work_queue.h"
#include "services/reconcile/recorded_source.h"

namespace kuromaru::grpc_service {

using base::Log;
using base::LogLevel;

namespace {

// How often tokens are re-read and the case gauges refreshed.
constexpr absl::Duration kHousekeepingPeriod = absl::Seconds(10);
// How often expired leases (reviewers' claims the console did not release)
// are deleted.
constexpr absl::Duration kLeaseSweepPeriod = absl::Minutes(10);
// How often the store's availability is looked at for health.
constexpr absl::Duration kStoreWatchPeriod = absl::Milliseconds(250);
// How often TLS files are checked for a rotated certificate, seconds.
constexpr unsigned int kCertificateRefreshSeconds = 60;

absl::Status CheckReadable(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert_path.empty() && options.tls_key_path.empty()) {
    if (!options.tls_client_ca_path.empty()) {
      return absl::InvalidArgumentError(
          "tls-client-ca needs tls-cert and tls-key");
    }
    return grpc::InsecureServerCredentials();
  }
  RETURN_IF_ERROR(CheckReadable(options.tls_cert_path, "tls-cert"));
  RETURN_IF_ERROR(CheckReadable(options.tls_key_path, "tls-key"));
  const bool mtls = !options.tls_client_ca_path.empty();
  if (mtls) {
    RETURN_IF_ERROR(CheckReadable(options.tls_client_ca_path, "tls-client-ca"));
  }
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          options.tls_key_path, options.tls_cert_path,
          options.tls_client_ca_path, kCertificateRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (mtls) {
    tls.watch_root_certs();
    tls.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(tls);
}

bool NeedsRoster(const std::string& service) {
  return service == v1::ReconcileService::service_full_name() ||
         service == v1::JobService::service_full_name();
}

// Slots for matching: the option, or one per core.
int MatchThreads(const ServerOptions& options) {
  if (options.match_threads > 0) return options.match_threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

// Everything behind the RPCs. Declared in dependency order: destroyed in
// reverse, services first.
struct Server::Parts {
  std::unique_ptr<store::CaseStore> store;
  std::unique_ptr<TokenKeeper> tokens;
  Metrics metrics;
  std::unique_ptr<WorkQueue> work;
  std::unique_ptr<std::counting_semaphore<>> matching;
  std::function<void(const reconcile::Engine&)>
      on_swap;  // set once the server exists
  std::unique_ptr<RosterManager> rosters;
  std::unique_ptr<JobRunner> jobs;
  std::unique_ptr<review::ReviewDesk> desk;
  std::unique_ptr<UploadDir> uploads;
  ServiceContext context;
  std::unique_ptr<ReconcileService> reconcile;
  std::unique_ptr<ReviewService> review;
  std::unique_ptr<RosterService> roster;
  std::unique_ptr<JobService> job_service;
};

const std::vector<std::string>& Server::ServiceNames() {
  static const auto* const names = new std::vector<std::string>{
      v1::ReconcileService::service_full_name(),
      v1::ReviewService::service_full_name(),
      v1::RosterService::service_full_name(),
      v1::JobService::service_full_name(),
  };
  return *names;
}

// Long (about 90 lines): the start-up sequence in the order it must happen
// (rosters, jobs, review desk, services, the gRPC listener, the health
// listener, metrics), each step's failure returning before the next; split,
// the order would be harder to see.
absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, std::unique_ptr<store::CaseStore> store,
    std::unique_ptr<TokenKeeper> tokens) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   Credentials(options));
  auto parts = std::make_unique<Parts>();
  Parts* p = parts.get();
  p->store = std::move(store);
  p->tokens = std::move(tokens);
  if (!options.metrics_listen.empty()) {
    p->metrics.WatchStore(p->store.get());
    RETURN_IF_ERROR(p->metrics.Serve(options.metrics_listen));
  }
  p->work =
      std::make_unique<WorkQueue>(options.work_threads, options.max_queued);
  p->rosters = std::make_unique<RosterManager>(
      p->store.get(), options.matcher, [p](const reconcile::Engine& engine) {
        if (p->on_swap) p->on_swap(engine);
      });
  p->jobs = std::make_unique<JobRunner>(p->store.get(), p->rosters.get());
  p->matching =
      std::make_unique<std::counting_semaphore<>>(MatchThreads(options));
  RosterManager* rosters = p->rosters.get();
  p->desk = std::make_unique<review::ReviewDesk>(
      p->store.get(), [rosters] { return rosters->Current(); });
  if (!options.upload_dir.empty()) {
    p->uploads = std::make_unique<UploadDir>(options.upload_dir);
  }
  p->context =
      ServiceContext{p->store.get(),    p->rosters.get(), p->tokens.get(),
                     &p->metrics,       p->work.get(),    p->jobs.get(),
                     p->matching.get(), p->desk.get(),    p->uploads.get()};
  p->reconcile = std::make_unique<ReconcileService>(p->context);
  p->review = std::make_unique<ReviewService>(p->context);
  p->roster = std::make_unique<RosterService>(p->context);
  p->job_service = std::make_unique<JobService>(p->context);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, credentials, &port);
  // Without this, a second server on a taken port would silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(p->reconcile.get());
  builder.RegisterService(p->review.get());
  builder.RegisterService(p->roster.get());
  builder.RegisterService(p->job_service.get());
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  std::unique_ptr<grpc::Server> health_server;
  int health_port = 0;
  if (!options.health_listen.empty()) {
    grpc::ServerBuilder health_builder;
    health_builder.AddListeningPort(
        options.health_listen, grpc::InsecureServerCredentials(), &health_port);
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_server = health_builder.BuildAndStart();
    if (health_server == nullptr || health_port == 0) {
      grpc_server->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.health_listen));
    }
  }

  std::unique_ptr<Server> server(new Server(options, std::move(parts)));
  server->server_ = std::move(grpc_server);
  server->port_ = port;
  server->health_server_ = std::move(health_server);
  server->health_port_ = health_port;
  server->SetServing("", true);
  server->UpdateHealth();
  Server* raw = server.get();
  p->on_swap = [raw](const reconcile::Engine& engine) {
    raw->parts_->metrics.SetRoster(engine.roster_version, engine.model_version,
                                   engine.counts.rows, engine.counts.persons);
    raw->roster_loaded_ = true;
    raw->UpdateHealth();
  };
  server->housekeeping_ = std::thread(&Server::Housekeeping, raw);
  Log(LogLevel::kInfo, "listening",
      {{"address", options.listen},
       {"port", static_cast<int64_t>(port)},
       {"tls", !options.tls_cert_path.empty()},
       {"mtls", !options.tls_client_ca_path.empty()},
       {"health_port", static_cast<int64_t>(health_port)},
       {"metrics_port", static_cast<int64_t>(raw->metrics_port())}});
  return server;
}

Server::Server(const ServerOptions& options, std::unique_ptr<Parts> parts)
    : options_(options), parts_(std::move(parts)) {}

Server::~Server() {
  Shutdown();
  Wait();
  stop_housekeeping_.Notify();
  if (housekeeping_.joinable()) housekeeping_.join();
  parts_->jobs->CancelAndWait();
  // A roster load still running finishes here, while everything its swap
  // touches (the health services, the metrics) is still alive.
  parts_->rosters.reset();
}

RosterManager& Server::rosters() { return *parts_->rosters; }
review::ReviewDesk& Server::desk() { return *parts_->desk; }
JobRunner& Server::jobs() { return *parts_->jobs; }
TokenKeeper& Server::tokens() { return *parts_->tokens; }

int Server::metrics_port() const { return parts_->metrics.port(); }

void Server::SetServing(const std::string& service, bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(service, serving);
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->SetServingStatus(service, serving);
  }
}

absl::StatusOr<std::string> Server::RestoreRoster(
    const reconcile::RosterSource& initial) {
  reconcile::RosterSource source = initial;
  absl::StatusOr<reconcile::RecordedSource> active =
      reconcile::ReadRecordedSource(*parts_->store);
  if (active.ok()) {
    source = active->source;
    source.max_errors = initial.max_errors;
    // An operator who changed the flags expects them to count: say plainly
    // that they do not, and how to change what is in service instead.
    auto differs = [](const auto& given, const auto& restored) {
      return !given.empty() && given != restored;
    };
    if (differs(initial.snapshot_path, source.snapshot_path) ||
        differs(initial.delta_paths, source.delta_paths) ||
        differs(initial.model_path, source.model_path) ||
        differs(initial.directory_path, source.directory_path)) {
      Log(LogLevel::kWarning,
          "the store's active roster, deltas, model and directory are "
          "restored; the flags naming them apply only to a store without "
          "one (use `kuromaru roster load|delta` or `kuromaru model load`)",
          {{"roster_version", active->roster_version}});
    }
    Log(LogLevel::kInfo, "restoring the active roster",
        {{"roster_version", active->roster_version},
         {"deltas", static_cast<int64_t>(source.delta_paths.size())}});
  } else if (active.status().code() != absl::StatusCode::kNotFound) {
    return active.status();
  } else if (source.snapshot_path.empty()) {
    Log(LogLevel::kWarning,
        "no roster: reconcile is NOT_SERVING until an admin loads one");
    return std::string();
  }
  ASSIGN_OR_RETURN(v1::RosterOperation op,
                   parts_->rosters->StartSnapshot(source));
  return op.operation_id();
}

void Server::UpdateHealth() {
  absl::MutexLock lock(&health_mu_);
  const bool store_ok = parts_->store->Availability().ok();
  if (store_ok != store_ok_) {
    Log(store_ok ? LogLevel::kInfo : LogLevel::kError,
        store_ok ? "the case store is available: serving"
                 : "the case store is unavailable: NOT_SERVING",
        {{"reason", std::string(parts_->store->Availability().message())}});
    store_ok_ = store_ok;
  }
  for (const std::string& name : ServiceNames()) {
    SetServing(name, store_ok && (roster_loaded_ || !NeedsRoster(name)));
  }
}

void Server::FollowRoster() {
  absl::StatusOr<std::optional<v1::RosterOperation>> op =
      parts_->rosters->StartFollow();
  if (!op.ok()) {
    Log(LogLevel::kWarning, "cannot read the roster in service from the store",
        {{"error", std::string(op.status().message())}});
  } else if (op->has_value()) {
    Log(LogLevel::kInfo,
        "another replica put a roster into service: following it",
        {{"operation_id", (*op)->operation_id()}});
  }
}

void Server::Housekeeping() {
  absl::Time next_refresh = absl::InfinitePast();
  absl::Time next_follow = absl::Now() + options_.roster_follow_period;
  absl::Time next_sweep = absl::Now() + kLeaseSweepPeriod;
  do {
    UpdateHealth();
    if (options_.roster_follow_period > absl::ZeroDuration() &&
        absl::Now() >= next_follow && parts_->store->Availability().ok()) {
      next_follow = absl::Now() + options_.roster_follow_period;
      FollowRoster();
    }
    if (absl::Now() >= next_sweep) {
      next_sweep = absl::Now() + kLeaseSweepPeriod;
      absl::StatusOr<int64_t> swept = parts_->store->DeleteExpiredLeases();
      if (!swept.ok()) {
        Log(LogLevel::kWarning, "expired leases not deleted",
            {{"error", std::string(swept.status().message())}});
      }
    }
    if (absl::Now() < next_refresh) continue;
    next_refresh = absl::Now() + kHousekeepingPeriod;
    absl::StatusOr<std::map<v1::CaseState, int64_t>> counts =
        parts_->store->CountCases();
    if (counts.ok()) parts_->metrics.SetCases(*counts);

    bool changed = false;
    absl::Status refreshed = parts_->tokens->Refresh(&changed);
    if (!refreshed.ok()) {
      const std::string error(refreshed.message());
      Log(LogLevel::kError, "token file not reloaded; the previous one stays",
          {{"error", error}});
    } else if (changed) {
      Log(LogLevel::kInfo, "token file reloaded",
          {{"tokens",
            static_cast<int64_t>(parts_->tokens->Current()->size())}});
    }
  } while (
      !stop_housekeeping_.WaitForNotificationWithTimeout(kStoreWatchPeriod));
}

void Server::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  Log(LogLevel::kInfo, "shutting down",
      {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
  // Orchestrators stop routing new work once health says NOT_SERVING.
  server_->GetHealthCheckService()->Shutdown();
  if (health_server_ != nullptr) {
    health_server_->GetHealthCheckService()->Shutdown();
  }
  parts_->jobs->Cancel();
  const auto deadline = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.shutdown_grace);
  server_->Shutdown(deadline);
  if (health_server_ != nullptr) health_server_->Shutdown(deadline);
}

void Server::Wait() {
  server_->Wait();
  if (health_server_ != nullptr) health_server_->Wait();
}

}  // namespace kuromaru::grpc_service
