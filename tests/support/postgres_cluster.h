// A private PostgreSQL cluster for tests: initdb into a temporary
// directory, the server on a unix socket there and no TCP port, run as the
// `postgres` user when the tests run as root (PostgreSQL refuses root),
// stopped and removed at the end. The server is a child of the test process
// and gets SIGQUIT if that process dies, so a crashed test leaves no server
// behind.
//
//   auto cluster = PostgresCluster::Start();
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   absl::StatusOr<std::string> dsn = (*cluster)->CreateSchema("t1");
//   // a store opened on *dsn sees only schema t1 of database "kuromaru"
//
// The database `kuromaru` belongs to the login role `kuromaru`, not a
// superuser, as a deployment's would: privileges (the audit's revoked
// UPDATE and DELETE) then hold in tests too.
//
// Start it from a thread that lives as long as the cluster (the main
// thread): the server is bound to its parent thread's life.
//
// Not thread-safe, except the DSN accessors.
#ifndef KUROMARU_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
#define KUROMARU_TESTS_SUPPORT_POSTGRES_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kuromaru::testing {

class PostgresCluster {
 public:
  // initdb and start. FAILED_PRECONDITION when PostgreSQL's server binaries
  // are not installed (scripts/install-deps.sh installs them).
  static absl::StatusOr<std::unique_ptr<PostgresCluster>> Start();
  // One cluster for the whole test process, started on first use and
  // stopped when the process exits. Fails the calling test when it cannot
  // start.
  static PostgresCluster* Shared();

  // Stops the server (fast shutdown) and removes the directory.
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // The `kuromaru` database as its owner, the role `kuromaru`.
  std::string Dsn() const;
  // The same database as the superuser.
  std::string SuperuserDsn() const;
  // A new schema `name` in the `kuromaru` database, owned by `kuromaru`,
  // and a DSN whose search_path is that schema: a fresh, empty store.
  absl::StatusOr<std::string> CreateSchema(const std::string& name);
  // Runs SQL as the superuser on the `kuromaru` database.
  absl::Status RunAsSuperuser(const std::string& sql);

  // Fast shutdown (clients are disconnected), and start again on the same
  // data and socket: for tests of the database going away.
  absl::Status Stop();
  absl::Status Restart();
  bool running() const { return pid_ > 0; }

  const std::string& dir() const { return dir_; }

 private:
  PostgresCluster() = default;
  absl::Status InitDb();
  absl::Status Launch();
  absl::Status WaitReady();

  std::string bin_dir_;
  std::string dir_;  // holds data/, the socket and the server log
  pid_t pid_ = -1;
  uid_t uid_ = 0;  // the server's user; 0: the test's own
  gid_t gid_ = 0;
};

}  // namespace kuromaru::testing

#endif  // KUROMARU_TESTS_SUPPORT_POSTGRES_CLUSTER_H_
