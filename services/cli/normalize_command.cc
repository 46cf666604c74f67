// `kuromaru normalize --field F`: one value per line on stdin, one JSON object
// per line on stdout: {"input", "key", "loose_key", "parts": {…}, "error"}.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "normalizer/field.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/io/json.h"

namespace kuromaru::cli {
namespace {

void AppendPart(const normalizer::PartValue& value, std::string* out) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    io::AppendJsonString(*s, out);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    absl::StrAppend(out, *i);
  } else if (const auto* b = std::get_if<bool>(&value)) {
    out->append(*b ? "true" : "false");
  } else if (const auto* strings =
                 std::get_if<std::vector<std::string>>(&value)) {
    out->push_back('[');
    for (size_t k = 0; k < strings->size(); ++k) {
      if (k > 0) out->push_back(',');
      io::AppendJsonString((*strings)[k], out);
    }
    out->push_back(']');
  } else {
    absl::StrAppend(out, "[",
                    absl::StrJoin(std::get<std::vector<int64_t>>(value), ","),
                    "]");
  }
}

std::string ToJson(std::string_view input, const normalizer::FieldResult& r) {
  std::string out = "{\"input\":";
  io::AppendJsonString(input, &out);
  out.append(",\"key\":");
  io::AppendJsonString(r.key, &out);
  out.append(",\"loose_key\":");
  io::AppendJsonString(r.loose_key, &out);
  out.append(",\"parts\":{");
  for (size_t k = 0; k < r.parts.size(); ++k) {
    if (k > 0) out.push_back(',');
    io::AppendJsonString(r.parts[k].first, &out);
    out.push_back(':');
    AppendPart(r.parts[k].second, &out);
  }
  out.append("},\"error\":");
  io::AppendJsonString(r.error, &out);
  out.push_back('}');
  return out;
}

}  // namespace

int RunNormalize(const std::vector<std::string>& args) {
  std::string field_name;
  Flags flags(
      "kuromaru normalize --field F < values.txt",
      absl::StrCat(
          "Normalizes one value per line from stdin and prints one JSON "
          "object per line:\n{\"input\", \"key\", \"loose_key\", "
          "\"parts\": {…}, \"error\"}.\nFields: ",
          absl::StrJoin(normalizer::FieldNames(), ", "),
          ".\nFor member, give symbol, number and branch separated by "
          "tabs."));
  flags.String("field", &field_name, "the kind of value on each line");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  const std::optional<normalizer::Field> field =
      normalizer::FieldFromName(field_name);
  if (!field) {
    std::fprintf(stderr, "kuromaru normalize: --field must be one of: %s\n",
                 absl::StrJoin(normalizer::FieldNames(), ", ").c_str());
    return kExitUsage;
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  std::string out;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out = ToJson(line, normalizer::NormalizeField(*field, line));
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

}  // namespace kuromaru::cli
