#include "services/grpc/server.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/server_builder.h"
#include "kuromaru/v1/jobs.grpc.pb.h"
#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "kuromaru/v1/review.grpc.pb.h"
#include "kuromaru/v1/roster.grpc.pb.h"
#include "services/io/log.h"

namespace kuromaru::grpc_service {

using io::Log;
using io::LogLevel;

// The services the server hosts. Methods not overridden answer UNIMPLEMENTED.
struct Server::Services {
  v1::ReconcileService::CallbackService reconcile;
  v1::ReviewService::CallbackService review;
  v1::RosterService::CallbackService roster;
  v1::JobService::CallbackService jobs;
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

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  auto services = std::make_unique<Services>();

  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &port);
  // Without this, a second server on a taken port would silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.RegisterService(&services->reconcile);
  builder.RegisterService(&services->review);
  builder.RegisterService(&services->roster);
  builder.RegisterService(&services->jobs);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen));
  }
  std::unique_ptr<Server> server(new Server(options, std::move(services)));
  server->server_ = std::move(grpc_server);
  server->port_ = port;
  grpc::HealthCheckServiceInterface* health =
      server->server_->GetHealthCheckService();
  health->SetServingStatus("", true);
  // No service can do its work yet: none has a roster, store or model behind
  // it.
  for (const std::string& name : ServiceNames()) {
    health->SetServingStatus(name, false);
  }
  Log(LogLevel::kInfo, "listening",
      {{"address", options.listen}, {"port", static_cast<int64_t>(port)}});
  return server;
}

Server::Server(const ServerOptions& options, std::unique_ptr<Services> services)
    : options_(options), services_(std::move(services)) {}

Server::~Server() {
  Shutdown();
  Wait();
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
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_grace));
}

void Server::Wait() { server_->Wait(); }

}  // namespace kuromaru::grpc_service
