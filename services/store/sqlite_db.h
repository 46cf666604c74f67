// A thin layer over one SQLite connection: statements prepared once and
// cached, bound by position, and SQLite result codes mapped onto
// absl::Status. Not thread-safe: one connection is used by one thread at a
// time (its owner serializes access).
#ifndef KUROMARU_SERVICES_STORE_SQLITE_DB_H_
#define KUROMARU_SERVICES_STORE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kuromaru::store {

// Maps a SQLite result code; `what` names the operation (no data).
absl::Status SqliteError(int rc, sqlite3* db, const char* what);

// A cached prepared statement in use: reset and unbound when it goes out of
// scope, so the cache can hand it out again.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, double v);
  Statement& Bind(int i, const std::string& v);  // TEXT
  Statement& BindBlob(int i, const std::string& v);
  Statement& BindNull(int i);

  // true while a row is available; false once done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();
  // Makes the statement ready to bind and run again.
  void Reset();

  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;  // TEXT or BLOB bytes
  bool IsNull(int col) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
};

class Connection {
 public:
  // Opens (creating when `create`) a database file or ":memory:". Sets
  // busy_timeout and foreign keys; the caller sets the journal mode.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& path, bool create, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters.
  absl::Status Exec(const std::string& sql);
  // A cached statement for `sql`.
  absl::StatusOr<std::unique_ptr<Statement>> Prepare(const std::string& sql);

  int64_t Changes() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> cache_;
};

// A deferred read transaction: one consistent snapshot across statements.
// Rolled back on destruction (it writes nothing).
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection* c) : c_(c) {}
  ~ReadTransaction();
  absl::Status Begin();

 private:
  Connection* c_;
  bool open_ = false;
};

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_SQLITE_DB_H_
