// `kuromaru health`: asks a server's gRPC health service, for scripts and
// probes.
#include <cstdio>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace kuromaru::cli {

int RunHealth(const std::vector<std::string>& args) {
  std::string server = "127.0.0.1:50051";
  std::string service;
  int64_t timeout_seconds = 5;
  Flags flags("kuromaru health [--server HOST:PORT] [--service NAME]",
              "Prints the serving status of the server (service \"\") or of "
              "one service,\n"
              "and exits 0 only if it is SERVING.");
  flags.String("server", &server, "server address");
  flags.String("service", &service,
               "service name, e.g. kuromaru.v1.ReconcileService");
  flags.Int("timeout-seconds", &timeout_seconds, "deadline of the check");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;

  auto channel =
      grpc::CreateChannel(server, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(timeout_seconds));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "kuromaru health: %s\n",
                 status.error_message().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                          response.status())
                          .c_str());
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING
             ? kExitOk
             : kExitFailure;
}

}  // namespace kuromaru::cli
