// `kuromaru serve`: the gRPC server, until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/grpc/server.h"
#include "services/io/log.h"

namespace kuromaru::cli {

int RunServe(const std::vector<std::string>& args) {
  grpc_service::ServerOptions options;
  int64_t grace_seconds = 10;
  Flags flags(
      "kuromaru serve [--listen HOST:PORT]",
      "Serves the kuromaru gRPC API with health checking and reflection.\n"
      "Stops gracefully on SIGTERM or SIGINT: health turns NOT_SERVING, RPCs "
      "in\n"
      "flight finish within the grace period.");
  flags.String("listen", &options.listen,
               "address to listen on (port 0: any free port)");
  flags.Int("shutdown-grace-seconds", &grace_seconds,
            "how long RPCs in flight may run after a stop signal");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  options.shutdown_grace = absl::Seconds(grace_seconds);

  // Block the stop signals in every thread (gRPC's threads inherit this mask)
  // and take them synchronously here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = grpc_service::Server::Start(options);
  if (!server.ok()) {
    io::Log(io::LogLevel::kError, "cannot start server",
            {{"error", std::string_view(server.status().ToString())}});
    return kExitCannotRun;
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  io::Log(io::LogLevel::kInfo, "stop signal",
          {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Shutdown();
  (*server)->Wait();
  io::Log(io::LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace kuromaru::cli
