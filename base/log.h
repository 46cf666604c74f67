// Structured logs: one JSON object per line on stderr.
//
//   Log(LogLevel::kInfo, "listening", {{"address", address}, {"port", port}});
//
// Personal data (names, birth dates, member numbers, addresses) must never be
// passed here: log receipt ids, counts, codes and durations only. Thread-safe:
// each line is written whole.
#ifndef KUROMARU_BASE_LOG_H_
#define KUROMARU_BASE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <variant>

namespace kuromaru::base {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

using LogValue = std::variant<std::string_view, int64_t, double, bool>;
using LogField = std::pair<std::string_view, LogValue>;

void Log(LogLevel level, std::string_view message,
         std::initializer_list<LogField> fields = {});

// Lines below `level` are dropped. Default: kInfo.
void SetMinLogLevel(LogLevel level);

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_LOG_H_
