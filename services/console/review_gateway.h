// The console's JSON API over the review use case (services/review/): it
// parses a request, calls the ReviewDesk — the same one the gRPC
// ReviewService calls, so roles, versions, idempotency keys, claims, audit
// rows and feed entries are the same — and renders the answer as
// docs/CONSOLE.md describes. No rule lives here.
//
//   ReviewGateway api(&server.desk(), &server.rosters(), &server.jobs());
//   ASSIGN_OR_RETURN(auto console, ConsoleServer::Start(options, &api, …));
//
// Roles: reviewer to claim and decide; reviewer or admin to read the queue,
// cases and the roster; admin for the overview and a case's audit trail.
// Thread-safe.
#ifndef KUROMARU_SERVICES_CONSOLE_REVIEW_GATEWAY_H_
#define KUROMARU_SERVICES_CONSOLE_REVIEW_GATEWAY_H_

#include <string>

#include "services/console/console_api.h"
#include "services/grpc/job_runner.h"
#include "services/grpc/roster_manager.h"
#include "services/review/review_desk.h"

namespace kuromaru::console {

class ReviewGateway final : public ConsoleApi {
 public:
  // All must outlive the gateway.
  ReviewGateway(review::ReviewDesk* desk, grpc_service::RosterManager* rosters,
                grpc_service::JobRunner* jobs)
      : desk_(desk), rosters_(rosters), jobs_(jobs) {}

  Reply Queue(const Caller& caller, const Params& query) override;
  Reply Next(const Caller& caller, const nlohmann::json& body) override;
  Reply OpenCase(const Caller& caller, const std::string& id) override;
  Reply RenewClaim(const Caller& caller, const std::string& id) override;
  Reply ReleaseClaim(const Caller& caller, const std::string& id) override;
  Reply Decide(const Caller& caller, const std::string& id, Decision decision,
               const nlohmann::json& body) override;
  Reply Search(const Caller& caller, const Params& query) override;
  Reply Overview(const Caller& caller) override;
  Reply Audit(const Caller& caller, const std::string& id) override;

 private:
  // 409 CLAIMED naming the holder, or the refusal as it is.
  Reply ClaimRefusal(const std::string& id, const Caller& caller,
                     const absl::Status& status);
  Reply Conflict(const std::string& id, const absl::Status& status);

  review::ReviewDesk* const desk_;
  grpc_service::RosterManager* const rosters_;
  grpc_service::JobRunner* const jobs_;
};

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_REVIEW_GATEWAY_H_
