// Command-line flags for one subcommand: `--name value`, `--name=value`,
// `--flag` for booleans, `--help`. Unknown flags and bad values are errors,
// never ignored.
#ifndef KUROMARU_SERVICES_CLI_FLAGS_H_
#define KUROMARU_SERVICES_CLI_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"

namespace kuromaru::cli {

class Flags {
 public:
  // `usage` is the synopsis line, e.g. "kuromaru serve [--listen HOST:PORT]".
  Flags(std::string usage, std::string summary);

  // Each target keeps its value as the default unless the flag is given.
  void String(const std::string& name, std::string* target,
              const std::string& help);
  void Int(const std::string& name, int64_t* target, const std::string& help);
  void Bool(const std::string& name, bool* target, const std::string& help);

  // Parses args[0..n) (the words after the subcommand). Returns InvalidArgument
  // naming the flag for an unknown flag, a missing value or a value of the
  // wrong type.
  absl::Status Parse(const std::vector<std::string>& args);

  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }

  // The help text: synopsis, summary, flags with their defaults.
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::variant<std::string*, int64_t*, bool*> target;
    std::string default_text;
  };
  absl::Status Set(const Flag& flag, const std::string& value);

  std::string usage_;
  std::string summary_;
  std::vector<Flag> flags_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

// Parses `args` into `flags`. Returns the exit code the command should stop
// with — 0 after printing --help, 2 after printing a usage error — or nullopt
// to go on.
std::optional<int> ParseFlagsOrExit(Flags& flags,
                                    const std::vector<std::string>& args);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_FLAGS_H_
