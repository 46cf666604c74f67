// JSON text for the edges that write JSON of their own (logs, reports,
// command output). Messages with a proto form use io/proto_json.h instead.
//
// Objects are built with nlohmann-json's ordered_json, so that keys come out
// in the order they were set, and written with ToJsonText, which never
// throws:
//
//   Json report;
//   report["examined"] = 120;
//   report["roster_version"] = version;
//   out << ToJsonText(report) << '\n';
//
// AppendJsonString stays for hot paths (one log line per request), where an
// object tree would cost allocations for nothing.
#ifndef KUROMARU_BASE_JSON_H_
#define KUROMARU_BASE_JSON_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace kuromaru::base {

using Json = nlohmann::ordered_json;

// `value` as compact JSON (or indented by `indent` spaces when >= 0). Invalid
// UTF-8 in strings becomes U+FFFD, so the output is always valid JSON.
std::string ToJsonText(const Json& value, int indent = -1);

// Appends `text` as a quoted JSON string. Invalid UTF-8 bytes become U+FFFD so
// the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);

// `text` as a quoted JSON string.
std::string JsonString(std::string_view text);

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_JSON_H_
