// `kuromaru normalize --field F`: one value per line on stdin, one JSON object
// per line on stdout: {"input", "key", "loose_key", "parts": {…}, "error"}.
#include <cstdio>
#include <iostream>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/json.h"
#include "normalizer/field.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace kuromaru::cli {
namespace {

std::string ToJson(std::string_view input, const normalizer::FieldResult& r) {
  base::Json out;
  out["input"] = input;
  out["key"] = r.key;
  out["loose_key"] = r.loose_key;
  base::Json& parts = out["parts"] = base::Json::object();
  for (const auto& part : r.parts) {
    std::visit([&](const auto& v) { parts[part.first] = v; }, part.second);
  }
  out["error"] = r.error;
  return base::ToJsonText(out);
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
