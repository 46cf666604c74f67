#include "services/eval/truth.h"

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace kuromaru::eval {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// Copies string field `name` into `out`; absent leaves `out` as is.
absl::Status GetString(const Struct& s, const char* name, std::string* out) {
  const auto it = s.fields().find(name);
  if (it == s.fields().end() || it->second.kind_case() == Value::kNullValue) {
    return absl::OkStatus();
  }
  if (it->second.kind_case() != Value::kStringValue) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", name, " is not a string"));
  }
  *out = it->second.string_value();
  return absl::OkStatus();
}

// Boolean field `name`; nullopt when absent.
absl::StatusOr<std::optional<bool>> GetBool(const Struct& s, const char* name) {
  const auto it = s.fields().find(name);
  if (it == s.fields().end() || it->second.kind_case() == Value::kNullValue) {
    return std::optional<bool>();
  }
  if (it->second.kind_case() != Value::kBoolValue) {
    return absl::InvalidArgumentError(
        absl::StrCat("field ", name, " is not a boolean"));
  }
  return std::optional<bool>(it->second.bool_value());
}

absl::Status ReadFields(const Struct& s, TruthRecord* t) {
  RETURN_IF_ERROR(GetString(s, "receipt_id", &t->receipt_id));
  RETURN_IF_ERROR(GetString(s, "category", &t->category));
  RETURN_IF_ERROR(GetString(s, "detail", &t->detail));
  RETURN_IF_ERROR(GetString(s, "event", &t->event));
  RETURN_IF_ERROR(GetString(s, "insurer_number", &t->key.insurer_number));
  RETURN_IF_ERROR(GetString(s, "symbol", &t->key.symbol));
  RETURN_IF_ERROR(GetString(s, "number", &t->key.number));
  RETURN_IF_ERROR(GetString(s, "branch", &t->key.branch));
  RETURN_IF_ERROR(GetString(s, "qualified_from", &t->key.qualified_from));
  RETURN_IF_ERROR(
      GetString(s, "expected_insurer_number", &t->expected_insurer_number));
  ASSIGN_OR_RETURN(const std::optional<bool> in_roster,
                   GetBool(s, "in_roster"));
  if (!in_roster) return absl::InvalidArgumentError("no in_roster");
  t->in_roster = *in_roster;
  ASSIGN_OR_RETURN(const std::optional<bool> valid,
                   GetBool(s, "valid_in_month"));
  t->valid_in_month = valid.value_or(t->in_roster);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TruthRecord> ParseTruthLine(std::string_view line) {
  Struct object;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &object,
      options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON: ", parsed.message().as_string()));
  }
  TruthRecord t;
  RETURN_IF_ERROR(ReadFields(object, &t));
  if (t.receipt_id.empty()) return absl::InvalidArgumentError("no receipt_id");
  if (t.category.empty()) t.category = "unknown";
  if (t.in_roster && (t.key.insurer_number.empty() || t.key.number.empty())) {
    return absl::InvalidArgumentError(
        absl::StrCat("receipt ", t.receipt_id,
                     ": in_roster without insurer_number and number"));
  }
  if (!t.in_roster) t.valid_in_month = false;
  return t;
}

}  // namespace kuromaru::eval
