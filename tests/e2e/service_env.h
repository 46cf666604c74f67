// Test support for the gRPC service: generated data and tokens shared by
// every test of the process, and one `kuromaru serve` on its own store,
// called through real gRPC clients.
//
//   auto env = ServiceEnv::Create();
//   ASSERT_TRUE(env.ok() && (*env)->Start().ok() &&
//   (*env)->WaitServing().ok()); auto context =
//   ContextWith(ServiceData::Get().tokens.claims);
//   (*env)->reconcile()->Reconcile(context.get(), request, &response);
#ifndef KUROMARU_TESTS_E2E_SERVICE_ENV_H_
#define KUROMARU_TESTS_E2E_SERVICE_ENV_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "kuromaru/v1/jobs.grpc.pb.h"
#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "kuromaru/v1/review.grpc.pb.h"
#include "kuromaru/v1/roster.grpc.pb.h"
#include "tests/e2e/process.h"

namespace kuromaru::testing {

// Bearer tokens of the token file every test server reads. The file format
// needs at least one role per token, so `outsider` holds only `claims` under
// its own subject: it is the caller with no business in review or roster
// administration.
struct Tokens {
  std::string claims;     // subject "claims-system"
  std::string reviewer;   // subject "reviewer-sato"
  std::string admin;      // subject "ops-admin"
  std::string outsider;   // subject "outsider", role claims
  std::string reviewer2;  // subject "reviewer-tanaka", a second reviewer
};

inline constexpr char kClaimsSubject[] = "claims-system";
inline constexpr char kReviewerSubject[] = "reviewer-sato";
inline constexpr char kAdminSubject[] = "ops-admin";
inline constexpr char kReviewer2Subject[] = "reviewer-tanaka";

// Made once per test process, on first use: a temp directory with a
// generated roster and receipts (`kuromaru gen --persons 2000 --receipts 400
// --seed 3`), a second roster (seed 4) for swaps, and the token file.
struct ServiceData {
  // Fails the calling test (and returns the partial data) when generation
  // fails.
  static const ServiceData& Get();

  std::string dir;
  std::string roster_path;         // absolute
  std::string second_roster_path;  // absolute, another roster
  std::vector<v1::Receipt> receipts;
  std::string token_path;  // mode 0600
  Tokens tokens;
};

struct ServeOptions {
  bool with_roster = true;      // --roster ServiceData::roster_path
  bool health_listen = false;   // --health-listen 127.0.0.1:0
  bool metrics_listen = false;  // --metrics-listen 127.0.0.1:0
  std::vector<std::string> extra_args;
};

// One server on one store (a file, or a PostgreSQL DSN). Not thread-safe,
// except channel() and the stubs, which may be used from any thread while the
// server restarts.
class ServiceEnv {
 public:
  // A fresh store directory; no server yet. With `store` (a PostgreSQL DSN),
  // the server uses that store instead of a file in the directory.
  static absl::StatusOr<std::unique_ptr<ServiceEnv>> Create(
      const std::string& store = "");
  // Kills the server and removes the store directory.
  ~ServiceEnv();

  // Starts `kuromaru serve` on the store. The first start picks a free port;
  // later ones (after Kill or Stop) listen on the same port, so that clients
  // keep their channel.
  absl::Status Start(const ServeOptions& options = {});
  // SIGKILL, and waits for the process to go.
  absl::Status Kill();
  // Kill, then Start without --roster: the store's active roster comes back.
  absl::Status Restart(const ServeOptions& options = {.with_roster = false});

  // Waits until `service` is SERVING on the server's health service.
  absl::Status WaitServing(
      const std::string& service = "kuromaru.v1.ReconcileService",
      absl::Duration timeout = absl::Seconds(60));

  ServerProcess& server() { return *server_; }
  // The --store the server is given.
  std::string store_path() const {
    return store_.empty() ? dir_ + "/cases.db" : store_;
  }
  const std::string& dir() const { return dir_; }

  std::shared_ptr<grpc::Channel> channel() const;
  std::unique_ptr<v1::ReconcileService::Stub> reconcile() const;
  std::unique_ptr<v1::ReviewService::Stub> review() const;
  std::unique_ptr<v1::RosterService::Stub> roster() const;
  std::unique_ptr<v1::JobService::Stub> jobs() const;

 private:
  ServiceEnv(std::string dir, std::string store)
      : dir_(std::move(dir)), store_(std::move(store)) {}

  const std::string dir_;
  const std::string store_;
  int port_ = 0;
  std::unique_ptr<ServerProcess> server_;
  mutable absl::Mutex mu_;
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
};

// A channel that reconnects quickly after a restart.
std::shared_ptr<grpc::Channel> Connect(const std::string& address);

// A context carrying `authorization: Bearer <token>` (none for an empty
// token) and a deadline.
std::unique_ptr<grpc::ClientContext> ContextWith(
    const std::string& token, absl::Duration deadline = absl::Seconds(20));

// The fields named by the google.rpc.BadRequest in a status's details
// (grpc-status-details-bin), in order; empty when there is none.
std::vector<std::string> BadRequestFields(const google::rpc::Status& status);
std::vector<std::string> BadRequestFields(const grpc::Status& status);

// A request for `receipt`, and one for a copy of it under another id.
v1::ReconcileRequest RequestFor(const v1::Receipt& receipt);
v1::ReconcileRequest RequestFor(const v1::Receipt& receipt,
                                const std::string& receipt_id);

// The key of a candidate, as ConfirmCandidate takes it.
v1::EnrollmentKey KeyOf(const v1::Candidate& candidate);

// Every audit record (admin token), optionally of one receipt.
absl::StatusOr<std::vector<v1::AuditRecord>> ExportAudit(
    v1::ReviewService::Stub& stub, const std::string& receipt_id = "");

// Polls GetOperation until the roster operation is no longer RUNNING.
absl::StatusOr<v1::RosterOperation> WaitForOperation(
    v1::RosterService::Stub& stub, const std::string& operation_id,
    absl::Duration timeout = absl::Seconds(60));

// GET `path` over plain HTTP/1.0 from 127.0.0.1:`port`: the whole response,
// headers included.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_E2E_SERVICE_ENV_H_
