#include "services/grpc/job_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/grpc/status.h"
#include "services/grpc/stream_writer.h"

namespace kuromaru::grpc_service {
namespace {

// Matching threads a job may ask for: more than this is a mistake.
constexpr int kMaxRematchThreads = 256;

constexpr absl::Duration kWatchPoll = absl::Seconds(1);

bool Finished(const v1::RematchJob& job) {
  return job.state() != v1::RematchJob::STATE_RUNNING &&
         job.state() != v1::RematchJob::STATE_UNSPECIFIED;
}

void Describe(const reconcile::Engine& engine, v1::ModelInfo* info) {
  info->set_version(engine.model_version);
  info->set_source(engine.model_source());
}

}  // namespace

grpc::ServerUnaryReactor* JobService::StartRematch(
    grpc::CallbackServerContext* context,
    const v1::StartRematchRequest* request, v1::RematchJob* response) {
  return RunUnary(
      services_, context, "StartRematch", Role::kAdmin,
      [request, response](Call& call) {
        std::vector<FieldViolation> bad;
        CheckMonth("service_month_from", request->service_month_from(), &bad);
        CheckMonth("service_month_to", request->service_month_to(), &bad);
        if (request->shard_count() < 0) {
          bad.push_back({"shard_count", "must be 0 (one) or more"});
        }
        const int count = std::max(1, request->shard_count());
        if (request->shard_index() < 0 || request->shard_index() >= count) {
          bad.push_back({"shard_index", "must be in [0, shard_count)"});
        }
        if (request->threads() < 0 || request->threads() > kMaxRematchThreads) {
          bad.push_back({"threads", absl::StrCat("must be 0 (one per core) to ",
                                                 kMaxRematchThreads)});
        }
        if (!bad.empty()) return InvalidArgument(bad);
        auto job = call.services().jobs->Start(*request, call.actor());
        if (!job.ok()) return ToGrpcStatus(job.status());
        *response = *std::move(job);
        return grpc::Status::OK;
      });
}

grpc::ServerUnaryReactor* JobService::GetRematch(
    grpc::CallbackServerContext* context, const v1::GetRematchRequest* request,
    v1::RematchJob* response) {
  return RunUnary(services_, context, "GetRematch", Role::kAdmin,
                  [request, response](Call& call) {
                    if (request->job_id().empty()) {
                      return InvalidArgument({{"job_id", "is required"}});
                    }
                    auto job = call.services().jobs->Get(request->job_id());
                    if (!job.ok()) return ToGrpcStatus(job.status());
                    *response = *std::move(job);
                    return grpc::Status::OK;
                  });
}

grpc::ServerWriteReactor<v1::RematchJob>* JobService::WatchRematch(
    grpc::CallbackServerContext* context,
    const v1::GetRematchRequest* request) {
  return StreamWriter<v1::RematchJob>::Start(
      std::make_shared<Call>(services_, context, "WatchRematch"), Role::kAdmin,
      [job_id = request->job_id()](
          const StreamWriter<v1::RematchJob>::Write& write, Call& call) {
        if (job_id.empty()) return InvalidArgument({{"job_id", "is required"}});
        absl::StatusOr<v1::RematchJob> job = call.services().jobs->Get(job_id);
        while (job.ok()) {
          if (!write(*job)) {
            return grpc::Status(grpc::StatusCode::CANCELLED,
                                "the caller went away");
          }
          if (Finished(*job)) return grpc::Status::OK;
          if (grpc::Status alive = call.CheckAlive(); !alive.ok()) {
            return alive;
          }
          job = call.services().jobs->WaitForChange(job_id, *job,
                                                    absl::Now() + kWatchPoll);
        }
        return ToGrpcStatus(job.status());
      });
}

grpc::ServerUnaryReactor* JobService::GetModel(
    grpc::CallbackServerContext* context,
    const v1::GetModelRequest* /*request*/, v1::ModelInfo* response) {
  return RunUnary(services_, context, "GetModel", Role::kAdmin,
                  [response](Call& call) {
                    auto engine = call.services().rosters->Current();
                    if (engine == nullptr) {
                      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                          "no roster and model are loaded yet");
                    }
                    Describe(*engine, response);
                    return grpc::Status::OK;
                  });
}

grpc::ServerUnaryReactor* JobService::LoadModel(
    grpc::CallbackServerContext* context, const v1::LoadModelRequest* request,
    v1::ModelInfo* response) {
  return RunUnary(
      services_, context, "LoadModel", Role::kAdmin,
      [request, response](Call& call) {
        auto engine = call.services().rosters->LoadModel(request->path());
        if (!engine.ok()) {
          if (engine.status().code() == absl::StatusCode::kInvalidArgument ||
              engine.status().code() == absl::StatusCode::kNotFound ||
              engine.status().code() == absl::StatusCode::kDataLoss) {
            return InvalidArgument(
                {{"path", std::string(engine.status().message())}});
          }
          return ToGrpcStatus(engine.status());
        }
        Describe(**engine, response);
        return grpc::Status::OK;
      });
}

}  // namespace kuromaru::grpc_service
