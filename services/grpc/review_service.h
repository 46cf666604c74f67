// ReviewService: the reviewers' work on cases, and the results feed the
// claims system follows. Every decision names the case version the reviewer
// saw (ABORTED when it moved on) and an idempotency key (a retry is applied
// once); every decision and every opening of a case is audited in the same
// transaction. See services/store/case_store.h for the state machine.
//
// Roles: reviewer for the cases and decisions; claims for the feed
// (ListChanges, WatchChanges), which the claims system follows; admin for
// ExportAudit.
#ifndef KUROMARU_SERVICES_GRPC_REVIEW_SERVICE_H_
#define KUROMARU_SERVICES_GRPC_REVIEW_SERVICE_H_

#include "kuromaru/v1/review.grpc.pb.h"
#include "services/grpc/call.h"

namespace kuromaru::grpc_service {

class ReviewService final : public v1::ReviewService::CallbackService {
 public:
  explicit ReviewService(const ServiceContext& services)
      : services_(services) {}

  grpc::ServerUnaryReactor* ListCases(grpc::CallbackServerContext* context,
                                      const v1::ListCasesRequest* request,
                                      v1::ListCasesResponse* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const v1::GetCaseRequest* request,
                                    v1::Case* response) override;
  grpc::ServerUnaryReactor* ConfirmCandidate(
      grpc::CallbackServerContext* context,
      const v1::ConfirmCandidateRequest* request,
      v1::DecisionResponse* response) override;
  grpc::ServerUnaryReactor* MarkNoMatch(
      grpc::CallbackServerContext* context,
      const v1::MarkNoMatchRequest* request,
      v1::DecisionResponse* response) override;
  grpc::ServerUnaryReactor* ReopenCase(grpc::CallbackServerContext* context,
                                       const v1::ReopenCaseRequest* request,
                                       v1::DecisionResponse* response) override;
  grpc::ServerUnaryReactor* SearchRoster(
      grpc::CallbackServerContext* context,
      const v1::SearchRosterRequest* request,
      v1::SearchRosterResponse* response) override;
  grpc::ServerUnaryReactor* ListChanges(
      grpc::CallbackServerContext* context,
      const v1::ListChangesRequest* request,
      v1::ListChangesResponse* response) override;
  grpc::ServerWriteReactor<v1::Change>* WatchChanges(
      grpc::CallbackServerContext* context,
      const v1::WatchChangesRequest* request) override;
  grpc::ServerWriteReactor<v1::AuditRecord>* ExportAudit(
      grpc::CallbackServerContext* context,
      const v1::ExportAuditRequest* request) override;

 private:
  const ServiceContext& services_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_REVIEW_SERVICE_H_
