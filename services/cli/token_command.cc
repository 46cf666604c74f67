// `kuromaru token new`: a fresh bearer token for the server's token file.
#include <cstdio>

#include "absl/strings/str_split.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/grpc/auth.h"

namespace kuromaru::cli {

int RunToken(const std::vector<std::string>& args) {
  std::string roles;
  std::string subject;
  Flags flags(
      "kuromaru token new --role ROLE[,ROLE] --subject NAME",
      "Makes a random bearer token. Prints the token on stdout (give it to\n"
      "the caller, once) and its line for the server's --auth-config file on\n"
      "stderr: the file keeps only the token's SHA-256. Roles: claims,\n"
      "reviewer, admin.");
  flags.String("role", &roles, "comma-separated roles");
  flags.String("subject", &subject,
               "who holds the token, as written in logs and the audit trail");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  auto usage = [&](const std::string& message) {
    std::fprintf(stderr, "kuromaru token: %s\n%s", message.c_str(),
                 flags.Usage().c_str());
    return kExitUsage;
  };
  if (flags.positional().size() != 1 || flags.positional()[0] != "new") {
    return usage("expected `kuromaru token new`");
  }
  if (roles.empty()) return usage("--role is required");
  if (subject.empty() || subject.find_first_of(" \t\n#") != std::string::npos) {
    return usage("--subject is required, without spaces");
  }
  for (const std::string& role :
       std::vector<std::string>(absl::StrSplit(roles, ','))) {
    if (auto parsed = grpc_service::ParseRole(role); !parsed.ok()) {
      return usage(std::string(parsed.status().message()));
    }
  }
  absl::StatusOr<std::string> token = grpc_service::NewToken();
  if (!token.ok()) {
    std::fprintf(stderr, "kuromaru token: %s\n",
                 std::string(token.status().message()).c_str());
    return kExitFailure;
  }
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr, "%s\n",
               grpc_service::TokenLine(*token, roles, subject).c_str());
  return kExitOk;
}

}  // namespace kuromaru::cli
