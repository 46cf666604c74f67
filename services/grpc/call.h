// What every RPC shares: the server's parts (ServiceContext), and per call the
// caller's identity, its request id, and the log line and metrics written
// when it ends (Call).
#ifndef KUROMARU_SERVICES_GRPC_CALL_H_
#define KUROMARU_SERVICES_GRPC_CALL_H_

#include <functional>
#include <memory>
#include <semaphore>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "services/grpc/auth.h"
#include "services/grpc/metrics.h"
#include "services/grpc/roster_manager.h"
#include "services/grpc/work_queue.h"
#include "services/review/review_desk.h"
#include "services/store/case_store.h"

namespace kuromaru::grpc_service {

class JobRunner;
class UploadDir;

// Not owned; all outlive the server's RPCs.
struct ServiceContext {
  store::CaseStore* store = nullptr;
  RosterManager* rosters = nullptr;
  const TokenKeeper* tokens = nullptr;  // required: every RPC authenticates
  Metrics* metrics = nullptr;           // optional
  WorkQueue* work = nullptr;
  JobRunner* jobs = nullptr;
  // Slots for matching (ServerOptions::match_threads); optional: without
  // it, matching is bounded by the work threads only.
  std::counting_semaphore<>* matching = nullptr;
  // The reviewers' use case (decisions, claims, searches); required by the
  // review service.
  review::ReviewDesk* desk = nullptr;
  // Where uploaded files go (RosterService.UploadChunk); null: the server
  // takes no uploads.
  UploadDir* uploads = nullptr;
};

class Call {
 public:
  // `method` is a string literal, e.g. "Reconcile".
  Call(const ServiceContext& services, grpc::CallbackServerContext* context,
       const char* method);

  // OK when the caller holds `role` (its actor is then set); UNAUTHENTICATED
  // without a known bearer token, PERMISSION_DENIED without the role.
  grpc::Status Authorize(Role role);

  const store::Actor& actor() const { return actor_; }
  const ServiceContext& services() const { return services_; }
  grpc::CallbackServerContext* context() const { return context_; }

  // DEADLINE_EXCEEDED once the caller's deadline has passed, CANCELLED once it
  // cancelled, else OK: checked before each expensive step, so that work for
  // a caller who has gone stops.
  grpc::Status CheckAlive() const;

  // Writes the request's log line and metrics. Once.
  void Done(const grpc::Status& status);

 private:
  const ServiceContext& services_;
  grpc::CallbackServerContext* const context_;
  const char* const method_;
  const absl::Time start_;
  store::Actor actor_;
  bool done_ = false;
};

// A unary RPC whose work runs on the work queue: authorizes the caller,
// runs `work` there, finishes the RPC with its status, and logs it.
// RESOURCE_EXHAUSTED when the queue is full.
grpc::ServerUnaryReactor* RunUnary(const ServiceContext& services,
                                   grpc::CallbackServerContext* context,
                                   const char* method, Role role,
                                   std::function<grpc::Status(Call&)> work);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_CALL_H_
