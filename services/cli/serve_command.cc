// `kuromaru serve`: the gRPC server, until SIGTERM or SIGINT.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/store_flags.h"
#include "services/console/console_server.h"
#include "services/console/review_gateway.h"
#include "services/grpc/auth.h"
#include "services/grpc/server.h"
#include "services/store/open_store.h"

namespace kuromaru::cli {
namespace {

struct ServeFlags {
  grpc_service::ServerOptions server;
  reconcile::RosterSource roster;
  std::string encoding = "utf-8";
  StoreFlags store;
  std::string auth_config;
  std::string deltas;
  std::string grace = "10s";
  int64_t work_threads = 64;
  int64_t match_threads = 0;
  console::ConsoleOptions console;
  std::string console_idle = "30m";
  std::string roster_follow = "5s";
};

void Define(Flags& flags, ServeFlags* f) {
  flags.String("listen", &f->server.listen,
               "address to listen on (port 0: any free port)");
  f->store.Register(flags);
  flags.String("auth-config", &f->auth_config,
               "token file: `sha256:<hex> <roles> <subject>` lines (see "
               "`kuromaru token`); required");
  flags.String("roster", &f->roster.snapshot_path,
               "roster snapshot to serve when the store records none "
               "(absolute path)");
  flags.String("deltas", &f->deltas,
               "roster delta files applied on top, comma-separated");
  flags.String("encoding", &f->encoding,
               "roster file encoding: utf-8 or cp932");
  flags.String("model", &f->roster.model_path,
               "model file (default: the built-in model)");
  flags.String("directory", &f->roster.directory_path,
               "insurer directory CSV (FORMATS.md §4) for insurer suggestions");
  flags.String("tls-cert", &f->server.tls_cert_path,
               "server certificate chain (PEM): enables TLS");
  flags.String("tls-key", &f->server.tls_key_path, "server private key (PEM)");
  flags.String("tls-client-ca", &f->server.tls_client_ca_path,
               "CA (PEM) for client certificates: enables mTLS");
  flags.String("health-listen", &f->server.health_listen,
               "plaintext gRPC health only, for probes (HOST:PORT)");
  flags.String("metrics-listen", &f->server.metrics_listen,
               "Prometheus /metrics over HTTP (HOST:PORT)");
  flags.String("shutdown-grace", &f->grace,
               "how long RPCs in flight may run after a stop signal");
  flags.Int("work-threads", &f->work_threads,
            "threads that match receipts and wait for durable writes");
  flags.Int("match-threads", &f->match_threads,
            "receipts matched at once across all calls (0: one per core; "
            "under a CPU limit, the limit)");
  flags.String("upload-dir", &f->server.upload_dir,
               "keep files sent with `kuromaru roster load|delta --upload` "
               "here (a volume every replica mounts)");
  flags.String("roster-follow-interval", &f->roster_follow,
               "how often to look whether another replica on the same store "
               "put another roster or model into service, and follow it "
               "(0: never)");
  flags.String("console-listen", &f->console.listen,
               "serve the reviewer console (HTTPS with --tls-cert/--tls-key; "
               "plain HTTP only on loopback or with --console-insecure) on "
               "HOST:PORT");
  flags.Bool("console-insecure", &f->console.insecure,
             "serve the console over plain HTTP on a non-loopback address "
             "(behind a TLS-terminating proxy only)");
  flags.String("console-idle-timeout", &f->console_idle,
               "a console session ends after this long without a request");
}

absl::Status Check(ServeFlags* f) {
  if (!f->store.given()) {
    return absl::InvalidArgumentError(
        "--store (a SQLite file, created 0600, or a PostgreSQL URI) or "
        "--store-dsn-file is required");
  }
  if (f->auth_config.empty()) {
    return absl::InvalidArgumentError(
        "--auth-config is required: every caller authenticates");
  }
  if (!absl::ParseDuration(f->grace, &f->server.shutdown_grace) ||
      f->server.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--shutdown-grace: a duration such as 10s");
  }
  if (!absl::ParseDuration(f->roster_follow, &f->server.roster_follow_period) ||
      f->server.roster_follow_period < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--roster-follow-interval: a duration such as 5s, or 0");
  }
  if (f->work_threads < 1 || f->work_threads > 1024) {
    return absl::InvalidArgumentError("--work-threads: 1 to 1024");
  }
  f->server.work_threads = static_cast<int>(f->work_threads);
  if (f->match_threads < 0 || f->match_threads > 1024) {
    return absl::InvalidArgumentError("--match-threads: 0 to 1024");
  }
  f->server.match_threads = static_cast<int>(f->match_threads);
  if (!absl::ParseDuration(f->console_idle, &f->console.idle_timeout) ||
      f->console.idle_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--console-idle-timeout: a duration such as 30m");
  }
  f->console.cert_file = f->server.tls_cert_path;
  f->console.key_file = f->server.tls_key_path;
  absl::StatusOr<base::TextEncoding> encoding =
      base::ParseTextEncoding(f->encoding);
  if (!encoding.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--encoding: ", encoding.status().message()));
  }
  f->roster.encoding = *encoding;
  if (!f->deltas.empty()) {
    f->roster.delta_paths = absl::StrSplit(f->deltas, ',', absl::SkipEmpty());
  }
  // The store records absolute paths, so that a restart from another
  // working directory finds the same files.
  auto absolute = [](std::string* path) {
    if (!path->empty()) *path = std::filesystem::absolute(*path).string();
  };
  absolute(&f->roster.snapshot_path);
  absolute(&f->roster.model_path);
  absolute(&f->roster.directory_path);
  absolute(&f->server.upload_dir);
  for (std::string& d : f->roster.delta_paths) absolute(&d);
  return absl::OkStatus();
}

int CannotRun(const absl::Status& status) {
  base::Log(base::LogLevel::kError, "cannot start server",
            {{"error", std::string_view(status.ToString())}});
  return kExitCannotRun;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  ServeFlags f;
  Flags flags(
      "kuromaru serve (--store FILE|DSN | --store-dsn-file FILE) "
      "--auth-config FILE [--roster FILE] "
      "[--listen HOST:PORT]",
      "Serves the kuromaru gRPC API: reconcile, review, roster administration\n"
      "and jobs, with health checking, reflection and metrics. The roster the\n"
      "store records as active is reloaded at start; --roster is used only\n"
      "when it records none. Stops gracefully on SIGTERM or SIGINT: health\n"
      "turns NOT_SERVING, RPCs in flight finish within the grace period.");
  Define(flags, &f);
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  if (absl::Status s = Check(&f); !s.ok()) {
    std::fprintf(stderr, "kuromaru serve: %s\n%s",
                 std::string(s.message()).c_str(), flags.Usage().c_str());
    return kExitUsage;
  }

  // Block the stop signals in every thread (gRPC's threads inherit this mask)
  // and take them synchronously here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto tokens = grpc_service::TokenKeeper::Open(f.auth_config);
  if (!tokens.ok()) return CannotRun(tokens.status());
  absl::StatusOr<std::string> locator = f.store.Locator();
  if (!locator.ok()) return CannotRun(locator.status());
  auto store = store::OpenStore(*locator, store::StoreOpenOptions());
  if (!store.ok()) return CannotRun(store.status());
  base::Log(base::LogLevel::kInfo, "store open",
            {{"store", store::DescribeLocator(*locator)}});
  auto server = grpc_service::Server::Start(f.server, *std::move(store),
                                            *std::move(tokens));
  if (!server.ok()) return CannotRun(server.status());
  absl::StatusOr<std::string> restore = (*server)->RestoreRoster(f.roster);
  if (!restore.ok()) {
    (*server)->Shutdown();
    return CannotRun(restore.status());
  }
  std::unique_ptr<console::ReviewGateway> api;
  std::unique_ptr<console::ConsoleServer> console_server;
  if (!f.console.listen.empty()) {
    api = std::make_unique<console::ReviewGateway>(
        &(*server)->desk(), &(*server)->rosters(), &(*server)->jobs());
    auto started = console::ConsoleServer::Start(f.console, api.get(),
                                                 &(*server)->tokens());
    if (!started.ok()) {
      (*server)->Shutdown();
      return CannotRun(started.status());
    }
    console_server = *std::move(started);
  }
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  base::Log(base::LogLevel::kInfo, "stop signal",
            {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  if (console_server != nullptr) console_server->Stop();
  (*server)->Shutdown();
  (*server)->Wait();
  base::Log(base::LogLevel::kInfo, "stopped");
  return kExitOk;
}

}  // namespace kuromaru::cli
