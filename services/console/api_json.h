// JSON pieces of the console API shared by its handlers: protobuf messages in
// their proto3 JSON form (proto field names kept), times as RFC 3339, claims
// and queue rows. Internal to the console gateway.
#ifndef KUROMARU_SERVICES_CONSOLE_API_JSON_H_
#define KUROMARU_SERVICES_CONSOLE_API_JSON_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kuromaru/v1/case.pb.h"
#include "nlohmann/json.hpp"
#include "services/review/review_desk.h"

namespace kuromaru::console {

// The proto3 JSON form of `message` (int64 as strings, enums by name).
nlohmann::json ProtoJson(const google::protobuf::Message& message);

std::string TimeText(absl::Time t);

// {"subject", "expires_at", "mine"}, or null.
nlohmann::json ClaimJson(const std::optional<review::Claim>& claim,
                         std::string_view caller);

// A queue row (docs/CONSOLE.md, The queue) from a case summary.
nlohmann::json QueueRow(const v1::CaseSummary& c,
                        const std::optional<review::Claim>& claim,
                        std::string_view caller);

// "PENDING_REVIEW" for CASE_STATE_PENDING_REVIEW; nullopt for a name that is
// not a state.
std::optional<v1::CaseState> StateFromName(std::string_view name);
std::string StateName(v1::CaseState state);

}  // namespace kuromaru::console

#endif  // KUROMARU_SERVICES_CONSOLE_API_JSON_H_
