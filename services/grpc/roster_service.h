// RosterService (role admin): loads a roster snapshot or applies a delta —
// files named by path on the server — in the background, and reports on it;
// takes files uploaded in chunks into the server's upload directory.
// See RosterManager for how the new roster replaces the old one.
#ifndef KUROMARU_SERVICES_GRPC_ROSTER_SERVICE_H_
#define KUROMARU_SERVICES_GRPC_ROSTER_SERVICE_H_

#include "kuromaru/v1/roster.grpc.pb.h"
#include "services/grpc/call.h"

namespace kuromaru::grpc_service {

class RosterService final : public v1::RosterService::CallbackService {
 public:
  explicit RosterService(const ServiceContext& services)
      : services_(services) {}

  grpc::ServerUnaryReactor* LoadSnapshot(
      grpc::CallbackServerContext* context,
      const v1::LoadSnapshotRequest* request,
      v1::RosterOperation* response) override;
  grpc::ServerUnaryReactor* ApplyDelta(grpc::CallbackServerContext* context,
                                       const v1::ApplyDeltaRequest* request,
                                       v1::RosterOperation* response) override;
  grpc::ServerUnaryReactor* GetOperation(
      grpc::CallbackServerContext* context,
      const v1::GetOperationRequest* request,
      v1::RosterOperation* response) override;
  grpc::ServerUnaryReactor* GetRosterStatus(
      grpc::CallbackServerContext* context,
      const v1::GetRosterStatusRequest* request,
      v1::RosterStatus* response) override;
  grpc::ServerUnaryReactor* UploadChunk(
      grpc::CallbackServerContext* context,
      const v1::UploadChunkRequest* request,
      v1::UploadChunkResponse* response) override;

 private:
  const ServiceContext& services_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_ROSTER_SERVICE_H_
