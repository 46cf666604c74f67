// `kuromaru health`: asks a server's gRPC health service, for scripts and
// probes.
#include <cstdio>

#include "grpc/health/v1/health.grpc.pb.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace kuromaru::cli {

int RunHealth(const std::vector<std::string>& args) {
  grpc_service::ClientOptions options;
  std::string service;
  int64_t timeout_seconds = 5;
  Flags flags(
      "kuromaru health [--server HOST:PORT] [--service NAME] [--tls-ca CA]",
      "Prints the serving status of the server (service \"\") or of "
      "one service,\n"
      "and exits 0 only if it is SERVING. Health needs no token; a server "
      "with TLS\nis asked over TLS (--tls-ca, and --tls-cert/--tls-key for "
      "mTLS), or in\nplaintext on its --health-listen port.");
  flags.String("server", &options.server, "server address");
  flags.String("service", &service,
               "service name, e.g. kuromaru.v1.ReconcileService");
  flags.Int("timeout-seconds", &timeout_seconds, "deadline of the check");
  flags.String("tls-ca", &options.tls_ca,
               "CA certificate (PEM) that signed the server's: enables TLS");
  flags.String("tls-cert", &options.tls_cert,
               "client certificate (PEM), for mTLS");
  flags.String("tls-key", &options.tls_key, "client key (PEM), for mTLS");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;

  auto client = grpc_service::Client::Connect(options);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru health: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = grpc::health::v1::Health::NewStub(client->channel());
  grpc::ClientContext context;
  client->Prepare(&context, std::chrono::seconds(timeout_seconds));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::fprintf(stderr, "kuromaru health: %s (%s)\n",
                 status.error_message().c_str(),
                 StatusCodeName(status.error_code()).c_str());
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
