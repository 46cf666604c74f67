#include "tests/e2e/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

extern char** environ;

namespace kuromaru::testing {
namespace {

std::vector<char*> Argv(std::vector<std::string>& words) {
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  return argv;
}

// The integer field `name` of a JSON log line.
bool LoggedInt(const std::string& line, const std::string& name, int* value) {
  const std::string key = absl::StrCat("\"", name, "\":");
  const size_t at = line.find(key);
  if (at == std::string::npos) return false;
  const size_t begin = at + key.size();
  const size_t end = line.find_first_of(",}", begin);
  return absl::SimpleAtoi(line.substr(begin, end - begin), value);
}

int ExitCode(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

}  // namespace

CommandResult RunKuromaru(const std::vector<std::string>& args,
                          const std::string& input) {
  int in[2], out[2], err[2];
  if (pipe(in) != 0 || pipe(out) != 0 || pipe(err) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  for (int fd : {in[1], out[0], err[0]})
    posix_spawn_file_actions_addclose(&actions, fd);
  std::vector<std::string> words = {KUROMARU_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv = Argv(words);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  CommandResult result;
  if (rc != 0) return result;
  // Feed stdin and drain both outputs together so that no pipe fills up.
  size_t written = 0;
  if (input.empty()) close(in[1]);
  bool in_open = !input.empty(), out_open = true, err_open = true;
  char buf[65536];
  // A command that hangs is killed, so that a broken binary fails a test, not
  // CI.
  const absl::Time deadline = absl::Now() + absl::Minutes(5);
  while (in_open || out_open || err_open) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      result.err.append("\n[killed: no exit within 5 minutes]");
      break;
    }
    std::vector<pollfd> fds;
    if (in_open) fds.push_back({in[1], POLLOUT, 0});
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (poll(fds.data(), fds.size(), 1000) < 0) break;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in[1]) {
        const ssize_t n =
            write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += n;
        if (n <= 0 || written == input.size()) {
          close(in[1]);
          in_open = false;
        }
        continue;
      }
      const ssize_t n = read(p.fd, buf, sizeof(buf));
      std::string& sink = p.fd == out[0] ? result.out : result.err;
      if (n > 0) {
        sink.append(buf, n);
      } else {
        close(p.fd);
        (p.fd == out[0] ? out_open : err_open) = false;
      }
    }
  }
  if (in_open) close(in[1]);
  if (out_open) close(out[0]);
  if (err_open) close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = ExitCode(status);
  return result;
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::vector<std::string>& extra_args, absl::Duration timeout) {
  int err[2];
  if (pipe2(err, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> words = {KUROMARU_BINARY, "serve", "--listen",
                                    "127.0.0.1:0"};
  words.insert(words.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv = Argv(words);
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  const int rc = posix_spawn(&process->pid_, argv[0], &actions, nullptr,
                             argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  if (rc != 0) {
    close(err[0]);
    return absl::InternalError(absl::StrCat("posix_spawn: ", rc));
  }
  ServerProcess* p = process.get();
  process->reader_ = std::thread([p, fd = err[0]] { p->ReadLogs(fd); });

  static constexpr std::string_view kPortField = "\"msg\":\"listening\"";
  absl::MutexLock lock(&process->mu_);
  auto listening = [p]() -> bool {
    p->mu_.AssertHeld();
    const size_t at = p->logs_.find(kPortField);
    return p->eof_ || (at != std::string::npos &&
                       p->logs_.find('\n', at) != std::string::npos);
  };
  process->mu_.AwaitWithTimeout(absl::Condition(&listening), timeout);
  const size_t at = process->logs_.find(kPortField);
  if (at == std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat("server did not start; its log:\n", process->logs_));
  }
  const std::string line =
      process->logs_.substr(at, process->logs_.find('\n', at) - at);
  if (!LoggedInt(line, "port", &process->port_)) {
    return absl::InternalError("no port in the listening line");
  }
  LoggedInt(line, "health_port", &process->health_port_);
  LoggedInt(line, "metrics_port", &process->metrics_port_);
  return process;
}

void ServerProcess::ReadLogs(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    absl::MutexLock lock(&mu_);
    if (n <= 0) {
      eof_ = true;
      break;
    }
    logs_.append(buf, n);
  }
  close(fd);
}

ServerProcess::~ServerProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  if (reader_.joinable()) reader_.join();
}

void ServerProcess::Signal(int signal_number) { kill(pid_, signal_number); }

absl::StatusOr<int> ServerProcess::WaitForExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      return ExitCode(status);
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("process still running");
}

std::string ServerProcess::Logs() {
  absl::MutexLock lock(&mu_);
  return logs_;
}

pid_t SpawnKuromaru(const std::vector<std::string>& args,
                    const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, (log + ".out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (log + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> words = {KUROMARU_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double JsonNumber(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const size_t at = json.find(key);
  if (at == std::string::npos) return -1;
  const size_t end = json.find_first_of(",}", at);
  double value = -1;
  if (!absl::SimpleAtod(json.substr(at + key.size(), end - at - key.size()),
                        &value)) {
    return -1;
  }
  return value;
}

}  // namespace kuromaru::testing
