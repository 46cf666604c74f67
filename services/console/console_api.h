// The reviewer console's JSON API (docs/CONSOLE.md), as operations the HTTP
// server (console_server.h) calls once it has parsed a request and checked
// its session and CSRF token. An implementation renders answers and errors
// as the API's JSON; the rules behind them are the review service's.
#ifndef KUROMARU_SERVICES_CONSOLE_CONSOLE_API_H_
#define KUROMARU_SERVICES_CONSOLE_CONSOLE_API_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace kuromaru::console {

// Who is calling: the signed-in session's subject and roles (Role bits of
// grpc_service::Role), the request id for the audit trail and the peer.
struct Caller {
  std::string subject;
  uint8_t roles = 0;
  std::string request_id;
  std::string peer;
};

// An answer: HTTP status and JSON body (ignored for 204).
struct Reply {
  int status = 200;
  nlohmann::json body;
};

// {"error": {"code", "message"[, "field"]}} with the HTTP status of `code`
// (docs/CONSOLE.md, Errors); `extra` keys are merged into the body.
Reply ErrorReply(const absl::Status& status, std::string_view field = {},
                 const nlohmann::json& extra = nullptr);
Reply ErrorReply(int http_status, std::string_view code,
                 std::string_view message, std::string_view field = {},
                 const nlohmann::json& extra = nullptr);
// The HTTP status of a canonical code.
int HttpStatusOf(absl::StatusCode code);

using Params = std::map<std::string, std::string>;

class ConsoleApi {
 public:
  virtual ~ConsoleApi() = default;
  virtual Reply Queue(const Caller& caller, const Params& query) = 0;
  virtual Reply Next(const Caller& caller, const nlohmann::json& body) = 0;
  virtual Reply OpenCase(const Caller& caller, const std::string& id) = 0;
  virtual Reply RenewClaim(const Caller& caller, const std::string& id) = 0;
  virtual Reply ReleaseClaim(const Caller& caller, const std::string& id) = 0;
  enum class Decision { kConfirm, kNoMatch, kReopen };
  virtual Reply Decide(const Caller& caller, const std::string& id,
                       Decision decision, const nlohmann::json& body) = 0;
  virtual Reply Search(const Caller& caller, const Params& query) = 0;
  virtual Reply Overview(const Caller& caller) = 0;
  virtual Reply Audit(const Caller& caller, const std::string& id) = 0;
};

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_CONSOLE_API_H_
