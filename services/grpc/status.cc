#include "services/grpc/status.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"

namespace kuromaru::grpc_service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

grpc::Status ToGrpcStatus(const absl::Status& status,
                          const std::string& field) {
  if (absl::IsInvalidArgument(status)) {
    return InvalidArgument({{field, std::string(status.message())}});
  }
  return ToGrpcStatus(status);
}

void CheckMonth(const std::string& field, const std::string& month,
                std::vector<FieldViolation>* out) {
  if (month.empty()) return;
  bool ok = month.size() == 6;
  for (char ch : month) ok = ok && ch >= '0' && ch <= '9';
  ok = ok && ((month[4] == '0' && month[5] >= '1') ||
              (month[4] == '1' && month[5] <= '2'));
  if (!ok) out->push_back({field, "must be YYYYMM, or empty"});
}

void CheckPageSize(const std::string& field, int64_t size, int64_t max,
                   std::vector<FieldViolation>* out) {
  if (size < 0 || size > max) {
    out->push_back({field, absl::StrCat("must be 0 (the default) to ", max)});
  }
}

grpc::Status InvalidArgument(const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  std::vector<std::string> parts;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
    parts.push_back(absl::StrCat(v.field, ": ", v.description));
  }
  const std::string message =
      absl::StrCat("invalid argument: ", absl::StrJoin(parts, "; "));
  google::rpc::Status details;
  details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  details.set_message(message);
  details.add_details()->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message,
                      details.SerializeAsString());
}

google::rpc::Status ToRpcStatus(const grpc::Status& status) {
  google::rpc::Status out;
  if (!status.error_details().empty() &&
      out.ParseFromString(status.error_details())) {
    return out;
  }
  out.set_code(status.error_code());
  out.set_message(status.error_message());
  return out;
}

}  // namespace kuromaru::grpc_service
