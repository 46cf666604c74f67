// The kuromaru gRPC server: health checking, reflection, and the kuromaru
// services.
//
//   ServerOptions options;
//   options.listen = "127.0.0.1:50051";
//   ASSIGN_OR_RETURN(std::unique_ptr<Server> server, Server::Start(options));
//   ...
//   server->Shutdown();  // health NOT_SERVING, then drain until the grace
//   deadline
//
// Health: the overall status (service "") is SERVING as soon as the server
// answers; each kuromaru service reports SERVING only once it can do its work.
// Thread-safe: Shutdown() may be called from any thread, once or more.
#ifndef KUROMARU_SERVICES_GRPC_SERVER_H_
#define KUROMARU_SERVICES_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"

namespace kuromaru::grpc_service {

struct ServerOptions {
  // Address to listen on, HOST:PORT. Port 0 picks a free port (see
  // Server::port()). Default: loopback only; serving beyond it is an explicit
  // decision.
  std::string listen = "127.0.0.1:50051";

  // How long in-flight RPCs may take to finish once shutdown starts.
  absl::Duration shutdown_grace = absl::Seconds(10);

  // Largest request or response message, bytes. Default: 4 MiB.
  int max_message_bytes = 4 << 20;
};

class Server {
 public:
  // The fully qualified names of the kuromaru services, as in health checks.
  static const std::vector<std::string>& ServiceNames();

  // Builds and starts the server. Returns UNAVAILABLE if the address cannot be
  // bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // The port actually bound.
  int port() const { return port_; }

  // Marks every service NOT_SERVING, then stops accepting RPCs and waits for
  // those in flight up to the grace deadline, cancelling what is left.
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

 private:
  struct Services;
  Server(const ServerOptions& options, std::unique_ptr<Services> services);

  const ServerOptions options_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_SERVER_H_
