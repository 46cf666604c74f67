// Opening the case store a command names: `--store` is a SQLite file path or
// a PostgreSQL URI (postgresql://…), and a DSN may come from a file (a
// mounted secret), so that its password is in no command line.
//
//   ASSIGN_OR_RETURN(std::string locator, ReadDsnFile("/etc/kuromaru/db/dsn"));
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseStore> store,
//                    OpenStore(locator, StoreOpenOptions()));
#ifndef KUROMARU_SERVICES_STORE_OPEN_STORE_H_
#define KUROMARU_SERVICES_STORE_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/store/case_store.h"
#include "services/store/postgres_store.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::store {

struct StoreOpenOptions {
  SqliteOptions sqlite;
  PostgresOptions postgres;
  // False: the store must exist already (a SQLite file; a PostgreSQL schema
  // at this release's version), for commands that only read or delete: a
  // mistyped locator is then an error, not an empty store. Default: true.
  bool create = true;
};

// PostgreSQL for a postgresql:// or postgres:// URI or a libpq keyword/value
// string ("host=… dbname=…"), else a SQLite file.
// NOT_FOUND for a missing file when !create; the stores' Open errors
// otherwise.
absl::StatusOr<std::unique_ptr<CaseStore>> OpenStore(
    const std::string& locator, const StoreOpenOptions& options);

// Whether `locator` names a PostgreSQL store (as OpenStore decides).
bool IsPostgresLocator(const std::string& locator);

// The DSN a file holds (its first line, trimmed): a libpq connection string
// or URI. NOT_FOUND when unreadable, INVALID_ARGUMENT when empty.
absl::StatusOr<std::string> ReadDsnFile(const std::string& path);

// The locator for logs and messages: a path as it is, a DSN without its
// password.
std::string DescribeLocator(const std::string& locator);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_OPEN_STORE_H_
