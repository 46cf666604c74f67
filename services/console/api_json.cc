#include "services/console/api_json.h"

#include <string>

#include "absl/strings/match.h"
#include "google/protobuf/util/json_util.h"

namespace kuromaru::console {

using json = nlohmann::json;

json ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return json::object();
  }
  json out = json::parse(text, nullptr, false);
  return out.is_discarded() ? json::object() : out;
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

json ClaimJson(const std::optional<review::Claim>& claim,
               std::string_view caller) {
  if (!claim) return nullptr;
  return {{"subject", claim->owner},
          {"expires_at", TimeText(claim->expires_at)},
          {"mine", claim->owner == caller}};
}

std::string StateName(v1::CaseState state) {
  std::string name = v1::CaseState_Name(state);
  constexpr char kPrefix[] = "CASE_STATE_";
  if (name.rfind(kPrefix, 0) == 0) name = name.substr(sizeof(kPrefix) - 1);
  return name;
}

std::optional<v1::CaseState> StateFromName(std::string_view name) {
  v1::CaseState state;
  if (!v1::CaseState_Parse(std::string("CASE_STATE_") + std::string(name),
                           &state) ||
      state == v1::CASE_STATE_UNSPECIFIED) {
    return std::nullopt;
  }
  return state;
}

json QueueRow(const v1::CaseSummary& c,
              const std::optional<review::Claim>& claim,
              std::string_view caller) {
  json reasons = json::array();
  for (const std::string& r : c.reasons()) reasons.push_back(r);
  json row = {
      {"receipt_id", c.receipt_id()},
      {"state", StateName(c.state())},
      {"version", std::to_string(c.version())},
      {"service_month", c.service_month()},
      {"billed_insurer_number", c.billed_insurer_number()},
      {"top_insurer_number", c.top_insurer_number()},
      {"top_probability", c.top_probability()},
      {"lead", c.has_lead() ? json(c.lead()) : json(nullptr)},
      {"candidate_count", c.candidate_count()},
      {"reasons", std::move(reasons)},
      {"created_at", TimeText(absl::FromUnixSeconds(c.created_at().seconds()))},
      {"claim", ClaimJson(claim, caller)}};
  return row;
}

}  // namespace kuromaru::console
