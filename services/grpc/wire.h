// Reading ReconcileRequest messages off the wire without losing a bad field.
//
// Receipt fields are proto3 strings, which protobuf refuses to parse when
// they hold invalid UTF-8: the whole request would fail before any handler
// could say which field is wrong. ReconcileService therefore takes raw
// messages and parses them here: a field with invalid UTF-8 keeps its bytes,
// so that validation names it (INVALID_ARGUMENT, BadRequest). The answer is
// never built from such a field (the receipt is refused), so nothing invalid
// is ever serialized.
#ifndef KUROMARU_SERVICES_GRPC_WIRE_H_
#define KUROMARU_SERVICES_GRPC_WIRE_H_

#include <string>

#include "grpcpp/support/byte_buffer.h"
#include "kuromaru/v1/reconcile.pb.h"

namespace kuromaru::grpc_service {

// False only when `buffer` is not a ReconcileRequest at all (malformed wire
// format, or a field of the wrong wire type).
bool ParseRequest(const grpc::ByteBuffer& buffer, v1::ReconcileRequest* out);

// ParseRequest on the message's bytes (tests/fuzz/ reaches it here).
bool ParseRequestBytes(const std::string& bytes, v1::ReconcileRequest* out);

grpc::ByteBuffer SerializeResponse(const v1::ReconcileResponse& response);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_WIRE_H_
