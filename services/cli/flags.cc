#include "services/cli/flags.h"

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kuromaru::cli {

Flags::Flags(std::string usage, std::string summary)
    : usage_(std::move(usage)), summary_(std::move(summary)) {}

void Flags::String(const std::string& name, std::string* target,
                   const std::string& help) {
  flags_.push_back({name, help, target, *target});
}

void Flags::Int(const std::string& name, int64_t* target,
                const std::string& help) {
  flags_.push_back({name, help, target, absl::StrCat(*target)});
}

void Flags::Bool(const std::string& name, bool* target,
                 const std::string& help) {
  flags_.push_back({name, help, target, *target ? "true" : "false"});
}

absl::Status Flags::Set(const Flag& flag, const std::string& value) {
  if (auto* s = std::get_if<std::string*>(&flag.target)) {
    **s = value;
  } else if (auto* i = std::get_if<int64_t*>(&flag.target)) {
    if (!absl::SimpleAtoi(value, *i)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag.name, " takes a whole number, not '", value, "'"));
    }
  } else {
    bool* b = std::get<bool*>(flag.target);
    if (value == "true" || value == "1") {
      *b = true;
    } else if (value == "false" || value == "0") {
      *b = false;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag.name, " takes true or false"));
    }
  }
  return absl::OkStatus();
}

absl::Status Flags::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help_requested_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags_) {
      if (f.name == name) flag = &f;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!has_value) {
      if (std::holds_alternative<bool*>(flag->target)) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
    }
    if (absl::Status s = Set(*flag, value); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string Flags::Usage() const {
  std::string out = absl::StrCat("usage: ", usage_, "\n\n", summary_, "\n");
  if (!flags_.empty()) out.append("\nflags:\n");
  for (const Flag& f : flags_) {
    absl::StrAppendFormat(&out, "  --%-22s %s", f.name, f.help);
    if (!f.default_text.empty())
      absl::StrAppend(&out, " (default: ", f.default_text, ")");
    out.push_back('\n');
  }
  absl::StrAppendFormat(&out, "  --%-22s %s\n", "help", "show this help");
  return out;
}

std::optional<int> ParseFlagsOrExit(Flags& flags,
                                    const std::vector<std::string>& args) {
  if (absl::Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "kuromaru: %s\n\n%s", std::string(s.message()).c_str(),
                 flags.Usage().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  return std::nullopt;
}

}  // namespace kuromaru::cli
