// The kuromaru gRPC server: the four kuromaru services over one case store
// and one roster in service, with authentication, TLS, health checking,
// reflection and metrics.
//
//   ServerOptions options;
//   options.listen = "127.0.0.1:50051";
//   ASSIGN_OR_RETURN(auto tokens, TokenKeeper::Open(token_path));
//   ASSIGN_OR_RETURN(auto store, store::SqliteStore::Open(db, {}));
//   ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
//                    Server::Start(options, std::move(store),
//                                  std::move(tokens)));
//   server->RestoreRoster(initial);  // the store's active roster, or this
//   ...
//   server->Shutdown();  // health NOT_SERVING, then drain until the grace
//                        // deadline
//
// Health: the overall status (service "") is SERVING as soon as the server
// answers; ReviewService and RosterService are SERVING from the start (they
// need only the store); ReconcileService and JobService only once a roster is
// in service. Every kuromaru service is NOT_SERVING while the store says it
// is unavailable (its database cannot be reached), and SERVING again once it
// is back; the overall status stays SERVING, so that a liveness probe does
// not restart a server that only waits for its database. With TLS, health is
// also served in plaintext on health_listen for orchestrator probes (nothing
// else is). Every service turns NOT_SERVING when shutdown starts.
//
// Thread-safe: Shutdown() may be called from any thread, once or more.
#ifndef KUROMARU_SERVICES_GRPC_SERVER_H_
#define KUROMARU_SERVICES_GRPC_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "matcher/matcher.h"
#include "services/grpc/auth.h"
#include "services/grpc/job_runner.h"
#include "services/grpc/roster_manager.h"
#include "services/review/review_desk.h"
#include "services/store/case_store.h"

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

  // TLS: PEM files, re-read when they change (certificate rotation without
  // a restart). With a client CA, callers must present a certificate it
  // signed (mTLS). Empty: plaintext.
  std::string tls_cert_path;
  std::string tls_key_path;
  std::string tls_client_ca_path;

  // Plaintext gRPC health only, for probes (HOST:PORT); empty: none.
  std::string health_listen;
  // Prometheus /metrics over HTTP (HOST:PORT); empty: none.
  std::string metrics_listen;

  // Threads that match and wait for durable writes, and how many requests
  // may wait for one. Defaults: 64 and 8192.
  int work_threads = 64;
  size_t max_queued = 8192;
  // Receipts matched at once, across all calls: matching is CPU work, and
  // more of it at once than there are cores only interleaves it. A call
  // waiting for a durable write holds no slot. 0: one per core.
  int match_threads = 0;

  // Where files sent with RosterService.UploadChunk are kept (absolute; a
  // volume every replica mounts). Empty: the server takes no uploads.
  std::string upload_dir;

  // How often the roster the store records as in service is compared with
  // this replica's, to follow one that another replica put into service
  // (RosterManager::StartFollow). Zero: never.
  absl::Duration roster_follow_period = absl::Seconds(5);

  matcher::MatcherOptions matcher;
};

class Server {
 public:
  // The fully qualified names of the kuromaru services, as in health checks.
  static const std::vector<std::string>& ServiceNames();

  // Builds and starts the server. UNAVAILABLE if an address cannot be bound;
  // INVALID_ARGUMENT for unreadable TLS files.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, std::unique_ptr<store::CaseStore> store,
      std::unique_ptr<TokenKeeper> tokens);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Starts loading the roster the store records as active (after a restart),
  // else `initial` when it names a snapshot, else nothing (an admin loads one
  // through RosterService). Returns what was started, "" for nothing.
  absl::StatusOr<std::string> RestoreRoster(
      const reconcile::RosterSource& initial);

  // The ports actually bound (0 when not served).
  int port() const { return port_; }
  int health_port() const { return health_port_; }
  int metrics_port() const;

  RosterManager& rosters();
  // What the reviewer console serves beside the gRPC services: the same
  // review use case, jobs, tokens and store (they live as long as the
  // server).
  review::ReviewDesk& desk();
  JobRunner& jobs();
  TokenKeeper& tokens();

  // Marks every service NOT_SERVING, then stops accepting RPCs and waits for
  // those in flight up to the grace deadline, cancelling what is left.
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

 private:
  struct Parts;
  Server(const ServerOptions& options, std::unique_ptr<Parts> parts);
  void SetServing(const std::string& service, bool serving);
  // Each kuromaru service SERVING while the store is available and, for
  // those that match, a roster is in service.
  void UpdateHealth();
  void Housekeeping();
  // Follows a roster another replica put into service (StartFollow).
  void FollowRoster();

  const ServerOptions options_;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  int port_ = 0;
  int health_port_ = 0;
  absl::Notification stop_housekeeping_;
  std::thread housekeeping_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> roster_loaded_{false};
  absl::Mutex health_mu_;
  bool store_ok_ ABSL_GUARDED_BY(health_mu_) = true;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_SERVER_H_
