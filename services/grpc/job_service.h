// JobService (role admin): the nightly re-match run inside the server, and
// the matching model in service.
#ifndef KUROMARU_SERVICES_GRPC_JOB_SERVICE_H_
#define KUROMARU_SERVICES_GRPC_JOB_SERVICE_H_

#include "kuromaru/v1/jobs.grpc.pb.h"
#include "services/grpc/call.h"
#include "services/grpc/job_runner.h"

namespace kuromaru::grpc_service {

class JobService final : public v1::JobService::CallbackService {
 public:
  explicit JobService(const ServiceContext& services) : services_(services) {}

  grpc::ServerUnaryReactor* StartRematch(grpc::CallbackServerContext* context,
                                         const v1::StartRematchRequest* request,
                                         v1::RematchJob* response) override;
  grpc::ServerUnaryReactor* GetRematch(grpc::CallbackServerContext* context,
                                       const v1::GetRematchRequest* request,
                                       v1::RematchJob* response) override;
  // Sends the job now and at every change until it ends.
  grpc::ServerWriteReactor<v1::RematchJob>* WatchRematch(
      grpc::CallbackServerContext* context,
      const v1::GetRematchRequest* request) override;
  grpc::ServerUnaryReactor* GetModel(grpc::CallbackServerContext* context,
                                     const v1::GetModelRequest* request,
                                     v1::ModelInfo* response) override;
  grpc::ServerUnaryReactor* LoadModel(grpc::CallbackServerContext* context,
                                      const v1::LoadModelRequest* request,
                                      v1::ModelInfo* response) override;

 private:
  const ServiceContext& services_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_JOB_SERVICE_H_
