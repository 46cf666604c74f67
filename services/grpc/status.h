// The one place where absl::Status meets grpc::Status.
//
// Codes map 1:1 (abseil and gRPC share the canonical code numbering). Invalid
// input carries a google.rpc.BadRequest naming each bad field, packed in a
// google.rpc.Status that gRPC sends in the grpc-status-details-bin trailer,
// where standard clients look.
#ifndef KUROMARU_SERVICES_GRPC_STATUS_H_
#define KUROMARU_SERVICES_GRPC_STATUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "services/reconcile/receipt_validation.h"

namespace kuromaru::grpc_service {

using FieldViolation = reconcile::FieldViolation;

// Maps `status` to a grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT listing every violation, with a google.rpc.BadRequest in the
// details. Requires a non-empty `violations`.
grpc::Status InvalidArgument(const std::vector<FieldViolation>& violations);

// Maps a store or job error to a grpc::Status; an INVALID_ARGUMENT names
// `field` (the one request field the callee could have refused) in a
// google.rpc.BadRequest.
grpc::Status ToGrpcStatus(const absl::Status& status, const std::string& field);

// Appends a violation of `field` unless `month` is empty or YYYYMM (MM 01-12).
void CheckMonth(const std::string& field, const std::string& month,
                std::vector<FieldViolation>* out);
// Appends a violation of `field` unless 0 <= size <= max.
void CheckPageSize(const std::string& field, int64_t size, int64_t max,
                   std::vector<FieldViolation>* out);

// The google.rpc.Status form of an error, for per-item errors on streams.
google::rpc::Status ToRpcStatus(const grpc::Status& status);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_STATUS_H_
