// Minimal JSON text helpers for the edges that write JSON by hand (logs, the
// `normalize` command). Messages with a proto form use protobuf's JSON printer
// instead.
#ifndef KUROMARU_SERVICES_IO_JSON_H_
#define KUROMARU_SERVICES_IO_JSON_H_

#include <string>
#include <string_view>

namespace kuromaru::io {

// Appends `text` as a quoted JSON string. Invalid UTF-8 bytes become U+FFFD so
// the output is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);

// `text` as a quoted JSON string.
std::string JsonString(std::string_view text);

}  // namespace kuromaru::io

#endif  // KUROMARU_SERVICES_IO_JSON_H_
