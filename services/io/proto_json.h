// The JSON forms of FORMATS.md: proto3 JSON with proto field names
// (snake_case).
//
// Writers print every field, empty ones included; readers accept snake_case and
// lowerCamelCase and ignore fields they do not know. Thread-safe.
#ifndef KUROMARU_SERVICES_IO_PROTO_JSON_H_
#define KUROMARU_SERVICES_IO_PROTO_JSON_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace kuromaru::io {

// One line of JSON Lines (no trailing newline): every field printed, snake_case
// names.
std::string ToJsonLine(const google::protobuf::Message& message);

// Parses one JSON object into `message` (cleared first). Unknown fields are
// ignored. For valid UTF-8 it answers exactly as protobuf's JSON parser does
// (tests/fuzz/flat_json_fuzzer.cc checks), reading the common flat object of
// strings itself, faster. Returns InvalidArgument for malformed JSON or a
// value of the wrong type, saying where or which field but never quoting
// the text (a receipt line is personal data).
absl::Status FromJson(std::string_view json,
                      google::protobuf::Message* message);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_PROTO_JSON_H_
