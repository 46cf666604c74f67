// The subcommands of the `kuromaru` binary. Each returns the process exit code.
#ifndef KUROMARU_SERVICES_CLI_COMMANDS_H_
#define KUROMARU_SERVICES_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace kuromaru::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work failed (or partly failed)
inline constexpr int kExitUsage = 2;    // bad flags or arguments
inline constexpr int kExitCannotRun =
    3;  // could not start: missing file, port taken …

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

// Every subcommand, in the order `kuromaru --help` lists them.
const std::vector<Command>& AllCommands();

int RunServe(const std::vector<std::string>& args);
int RunHealth(const std::vector<std::string>& args);
int RunGen(const std::vector<std::string>& args);
int RunNormalize(const std::vector<std::string>& args);
int RunEval(const std::vector<std::string>& args);
int RunMatch(const std::vector<std::string>& args);
int RunBench(const std::vector<std::string>& args);
int RunBenchGrpc(const std::vector<std::string>& args);
int RunModel(const std::vector<std::string>& args);
int RunRematch(const std::vector<std::string>& args);
int RunImport(const std::vector<std::string>& args);
int RunToken(const std::vector<std::string>& args);
int RunRoster(const std::vector<std::string>& args);
int RunRosterBuild(const std::vector<std::string>& args);
int RunReview(const std::vector<std::string>& args);
int RunReconcile(const std::vector<std::string>& args);
int RunPurge(const std::vector<std::string>& args);
int RunStore(const std::vector<std::string>& args);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_COMMANDS_H_
