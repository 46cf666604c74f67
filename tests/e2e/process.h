// Test support: runs the real `kuromaru` binary as a child process.
#ifndef KUROMARU_TESTS_E2E_PROCESS_H_
#define KUROMARU_TESTS_E2E_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kuromaru::testing {

// The result of a command run to completion.
struct CommandResult {
  int exit_code = -1;  // -1 if killed by a signal
  std::string out;
  std::string err;
};

// Runs `kuromaru args...` with `input` on stdin and waits for it to exit.
CommandResult RunKuromaru(const std::vector<std::string>& args,
                          const std::string& input = "");

// Starts `kuromaru args…` in the background with stdout and stderr to
// `log`.out and `log`.err; its pid, or -1. The caller waits for it.
pid_t SpawnKuromaru(const std::vector<std::string>& args,
                    const std::string& log);

// The file's bytes; empty when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

// The number under "name" in a flat JSON object (a --report); -1 when
// missing.
double JsonNumber(const std::string& json, const std::string& name);

// A running `kuromaru serve`, killed (SIGKILL) on destruction if still alive.
class ServerProcess {
 public:
  // Starts `kuromaru serve --listen 127.0.0.1:0 extra_args...` and waits until
  // it logs the port it listens on.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::vector<std::string>& extra_args,
      absl::Duration timeout = absl::Seconds(60));

  ~ServerProcess();

  int port() const { return port_; }
  // The health and metrics ports from the same line; 0 when not served.
  int health_port() const { return health_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  void Signal(int signal_number);

  // Waits for the process to exit; returns its exit code (-1 after a signal),
  // or DEADLINE_EXCEEDED.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);

  // Everything it wrote to stderr so far.
  std::string Logs();

 private:
  ServerProcess() = default;
  void ReadLogs(int fd);

  pid_t pid_ = -1;
  int port_ = 0;
  int health_port_ = 0;
  int metrics_port_ = 0;
  bool exited_ = false;
  std::thread reader_;
  absl::Mutex mu_;
  std::string logs_ ABSL_GUARDED_BY(mu_);
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_E2E_PROCESS_H_
