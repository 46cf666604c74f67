#include "tests/support/postgres_cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace kuromaru::testing {
namespace {

// The newest PostgreSQL server installed the Debian way.
std::string FindBinDir() {
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = 0;
    const std::string bin = entry.path().string() + "/bin";
    if (absl::SimpleAtoi(entry.path().filename().string(), &version) &&
        version > best_version &&
        access((bin + "/initdb").c_str(), X_OK) == 0 &&
        access((bin + "/postgres").c_str(), X_OK) == 0) {
      best = bin;
      best_version = version;
    }
  }
  return best;
}

// Runs `argv` as uid/gid (0: unchanged), its output appended to `log`;
// with `wait`, returns its exit status, else its pid.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, uid_t uid,
                            gid_t gid, const std::string& log, bool wait) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (uid != 0 &&
        (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) {
      _exit(126);
    }
    // After the change of user, which would clear it: the server goes when
    // the test process does.
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent) _exit(125);
    execv(args[0], args.data());
    _exit(127);
  }
  if (!wait) return pid;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(argv[0], " failed; see ", log));
  }
  return pid;
}

std::string MakeDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr && *tmp ? tmp : "/tmp",
                                 "/kuromaru_pg_XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

absl::Status Exec(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  absl::Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = absl::UnavailableError(PQerrorMessage(conn));
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK &&
        PQresultStatus(r) != PGRES_TUPLES_OK) {
      status =
          absl::InternalError(absl::StrCat(sql, ": ", PQresultErrorMessage(r)));
    }
    PQclear(r);
  }
  PQfinish(conn);
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresCluster>> PostgresCluster::Start() {
  std::unique_ptr<PostgresCluster> c(new PostgresCluster());
  c->bin_dir_ = FindBinDir();
  if (c->bin_dir_.empty()) {
    return absl::FailedPreconditionError(
        "no PostgreSQL server under /usr/lib/postgresql/*/bin: run "
        "scripts/install-deps.sh");
  }
  c->dir_ = MakeDir();
  if (c->dir_.empty()) return absl::InternalError("mkdtemp");
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return absl::FailedPreconditionError(
          "running as root and there is no `postgres` user to run the "
          "server as (the postgresql package creates it)");
    }
    c->uid_ = pw->pw_uid;
    c->gid_ = pw->pw_gid;
    if (chown(c->dir_.c_str(), c->uid_, c->gid_) != 0) {
      return absl::InternalError("chown");
    }
  }
  if (absl::Status s = c->InitDb(); !s.ok()) return s;
  if (absl::Status s = c->Launch(); !s.ok()) return s;
  const std::string admin =
      absl::StrCat("host=", c->dir_, " user=postgres dbname=postgres");
  for (const char* sql : {"CREATE ROLE kuromaru LOGIN",
                          "CREATE DATABASE kuromaru OWNER kuromaru"}) {
    if (absl::Status s = Exec(admin, sql); !s.ok()) return s;
  }
  return c;
}

PostgresCluster* PostgresCluster::Shared() {
  static PostgresCluster* const shared = [] {
    absl::StatusOr<std::unique_ptr<PostgresCluster>> started = Start();
    if (!started.ok()) {
      ADD_FAILURE() << "cannot start PostgreSQL: " << started.status();
      return static_cast<PostgresCluster*>(nullptr);
    }
    PostgresCluster* made = started->release();
    std::atexit([] { delete Shared(); });
    return made;
  }();
  return shared;
}

PostgresCluster::~PostgresCluster() {
  Stop().IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status PostgresCluster::InitDb() {
  return Spawn({bin_dir_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U",
                "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-N"},
               uid_, gid_, dir_ + "/initdb.log", /*wait=*/true)
      .status();
}

absl::Status PostgresCluster::Launch() {
  if (pid_ > 0) return absl::OkStatus();
  absl::StatusOr<pid_t> pid = Spawn(
      {bin_dir_ + "/postgres", "-D", dir_ + "/data", "-c",
       "listen_addresses=", "-c", "unix_socket_directories=" + dir_, "-c",
       "max_connections=200", "-c", "shared_buffers=64MB", "-c", "fsync=on"},
      uid_, gid_, dir_ + "/server.log", /*wait=*/false);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  return WaitReady();
}

absl::Status PostgresCluster::WaitReady() {
  const std::string dsn =
      absl::StrCat("host=", dir_, " user=postgres dbname=postgres");
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    if (PQping(dsn.c_str()) == PQPING_OK) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(
          absl::StrCat("the server exited; see ", dir_, "/server.log"));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the server did not start");
}

std::string PostgresCluster::Dsn() const {
  return absl::StrCat("postgresql:///kuromaru?host=", dir_, "&user=kuromaru");
}

std::string PostgresCluster::SuperuserDsn() const {
  return absl::StrCat("host=", dir_, " user=postgres dbname=kuromaru");
}

absl::StatusOr<std::string> PostgresCluster::CreateSchema(
    const std::string& name) {
  if (absl::Status s =
          Exec(absl::StrCat("host=", dir_, " user=kuromaru dbname=kuromaru"),
               absl::StrCat("CREATE SCHEMA ", name));
      !s.ok()) {
    return s;
  }
  return absl::StrCat(Dsn(), "&options=-csearch_path%3D", name);
}

absl::Status PostgresCluster::RunAsSuperuser(const std::string& sql) {
  return Exec(SuperuserDsn(), sql);
}

absl::Status PostgresCluster::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  kill(pid_, SIGINT);  // fast shutdown
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::OkStatus();
}

absl::Status PostgresCluster::Restart() {
  if (absl::Status s = Stop(); !s.ok()) return s;
  return Launch();
}

}  // namespace kuromaru::testing
