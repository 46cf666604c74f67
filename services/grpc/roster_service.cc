#include "services/grpc/roster_service.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/csv.h"
#include "google/protobuf/util/time_util.h"
#include "services/grpc/status.h"
#include "services/grpc/upload_dir.h"
#include "services/reconcile/engine.h"

namespace kuromaru::grpc_service {
namespace {

// Violations of the fields a load names besides its path.
std::vector<FieldViolation> CheckSource(const std::string& encoding,
                                        int64_t max_errors,
                                        const std::string& directory_path) {
  std::vector<FieldViolation> bad;
  if (auto parsed = base::ParseTextEncoding(encoding); !parsed.ok()) {
    bad.push_back({"encoding", std::string(parsed.status().message())});
  }
  if (max_errors < 0) bad.push_back({"max_errors", "must be 0 or more"});
  if (!directory_path.empty() && directory_path[0] != '/') {
    bad.push_back({"directory_path", "must be an absolute path on the server"});
  }
  return bad;
}

// A bad request names its field: what CheckSource passed and the manager
// still refuses is the path (relative, or holding a newline).
grpc::Status OperationStatus(const absl::StatusOr<v1::RosterOperation>& op,
                             const char* path_field,
                             v1::RosterOperation* response) {
  if (op.ok()) {
    *response = *op;
    return grpc::Status::OK;
  }
  if (op.status().code() == absl::StatusCode::kInvalidArgument) {
    return InvalidArgument({{path_field, std::string(op.status().message())}});
  }
  return ToGrpcStatus(op.status());
}

}  // namespace

grpc::ServerUnaryReactor* RosterService::LoadSnapshot(
    grpc::CallbackServerContext* context,
    const v1::LoadSnapshotRequest* request, v1::RosterOperation* response) {
  return RunUnary(
      services_, context, "LoadSnapshot", Role::kAdmin,
      [request, response](Call& call) {
        std::vector<FieldViolation> bad =
            CheckSource(request->encoding(), request->max_errors(),
                        request->directory_path());
        if (!bad.empty()) return InvalidArgument(bad);
        reconcile::RosterSource source;
        source.snapshot_path = request->path();
        source.encoding = *base::ParseTextEncoding(request->encoding());
        if (request->max_errors() > 0)
          source.max_errors = request->max_errors();
        source.directory_path = request->directory_path();
        // The model in service stays, and the directory unless
        // the request names another.
        if (auto current = call.services().rosters->Current()) {
          source.model_path = current->source.model_path;
          if (source.directory_path.empty()) {
            source.directory_path = current->source.directory_path;
          }
        }
        return OperationStatus(call.services().rosters->StartSnapshot(source),
                               "path", response);
      });
}

grpc::ServerUnaryReactor* RosterService::ApplyDelta(
    grpc::CallbackServerContext* context, const v1::ApplyDeltaRequest* request,
    v1::RosterOperation* response) {
  return RunUnary(services_, context, "ApplyDelta", Role::kAdmin,
                  [request, response](Call& call) {
                    std::vector<FieldViolation> bad = CheckSource(
                        request->encoding(), request->max_errors(), "");
                    if (!bad.empty()) return InvalidArgument(bad);
                    // An empty encoding keeps the current roster's.
                    std::optional<base::TextEncoding> encoding;
                    if (!request->encoding().empty()) {
                      encoding = *base::ParseTextEncoding(request->encoding());
                    }
                    return OperationStatus(
                        call.services().rosters->StartDelta(
                            request->path(), encoding, request->max_errors()),
                        "path", response);
                  });
}

grpc::ServerUnaryReactor* RosterService::GetOperation(
    grpc::CallbackServerContext* context,
    const v1::GetOperationRequest* request, v1::RosterOperation* response) {
  return RunUnary(services_, context, "GetOperation", Role::kAdmin,
                  [request, response](Call& call) {
                    if (request->operation_id().empty()) {
                      return InvalidArgument({{"operation_id", "is required"}});
                    }
                    auto op = call.services().rosters->GetOperation(
                        request->operation_id());
                    if (!op.ok()) return ToGrpcStatus(op.status());
                    *response = *std::move(op);
                    return grpc::Status::OK;
                  });
}

grpc::ServerUnaryReactor* RosterService::GetRosterStatus(
    grpc::CallbackServerContext* context,
    const v1::GetRosterStatusRequest* /*request*/, v1::RosterStatus* response) {
  return RunUnary(services_, context, "GetRosterStatus", Role::kAdmin,
                  [response](Call& call) {
                    *response = call.services().rosters->Status();
                    return grpc::Status::OK;
                  });
}

grpc::ServerUnaryReactor* RosterService::UploadChunk(
    grpc::CallbackServerContext* context, const v1::UploadChunkRequest* request,
    v1::UploadChunkResponse* response) {
  return RunUnary(
      services_, context, "UploadChunk", Role::kAdmin,
      [request, response](Call& call) {
        UploadDir* uploads = call.services().uploads;
        if (uploads == nullptr) {
          return grpc::Status(
              grpc::StatusCode::FAILED_PRECONDITION,
              "this server takes no uploads: start it with --upload-dir on "
              "a volume every replica mounts");
        }
        absl::StatusOr<v1::UploadChunkResponse> out =
            uploads->Receive(*request);
        if (!out.ok()) {
          if (out.status().code() == absl::StatusCode::kInvalidArgument) {
            // UploadDir says "field: reason".
            const std::string message(out.status().message());
            const size_t colon = message.find(": ");
            if (colon == std::string::npos) {
              return InvalidArgument({{"data", message}});
            }
            return InvalidArgument(
                {{message.substr(0, colon), message.substr(colon + 2)}});
          }
          return ToGrpcStatus(out.status());
        }
        *response = *std::move(out);
        return grpc::Status::OK;
      });
}

}  // namespace kuromaru::grpc_service
