#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/json.h"

namespace kuromaru::base {
namespace {

std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void AppendValue(const LogValue& value, std::string* out) {
  if (const auto* s = std::get_if<std::string_view>(&value)) {
    AppendJsonString(*s, out);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    absl::StrAppend(out, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    absl::StrAppend(out, *d);
  } else {
    out->append(std::get<bool>(value) ? "true" : "false");
  }
}

}  // namespace

void SetMinLogLevel(LogLevel level) { min_level = static_cast<int>(level); }

void Log(LogLevel level, std::string_view message,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed))
    return;
  std::string line = "{\"ts\":";
  AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                    absl::UTCTimeZone()),
                   &line);
  line.append(",\"level\":");
  AppendJsonString(LevelName(level), &line);
  line.append(",\"msg\":");
  AppendJsonString(message, &line);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(key, &line);
    line.push_back(':');
    AppendValue(value, &line);
  }
  line.append("}\n");
  // One write(2) per line: lines from different threads never interleave.
  size_t written = 0;
  while (written < line.size()) {
    const ssize_t n =
        ::write(STDERR_FILENO, line.data() + written, line.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

}  // namespace kuromaru::base
