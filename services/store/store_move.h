// Moving a SQLite case store into PostgreSQL (`kuromaru store migrate`), so
// that a single-replica deployment becomes several replicas on one database
// with its cases, history, decisions, results feed, audit, roster in service
// and checkpoints.
//
//   ASSIGN_OR_RETURN(MoveReport report,
//                    MoveSqliteToPostgres("/var/lib/kuromaru/cases.db",
//                                         "postgresql://kuromaru@db/kuromaru"));
//   if (!report.verified()) …  // a table's count or checksum differs
//
// Every row keeps its key: case history, feed and audit keep their sequence
// numbers (feed entries come first in the feed, before any written by
// PostgreSQL, so a consumer's SQLite cursor stays valid), and the
// database's sequences continue after them. Rows are copied in chunks, each
// chunk one transaction, and a row already present is left as it is: a move
// that was interrupted is run again and finishes; run again after it
// finished, it copies nothing. Each chunk is read back by its keys, and per
// table the rows found and a SHA-256 over every column of every row are
// compared with the file's: rows written in PostgreSQL since do not count,
// but a moved row changed since does.
// Leases are not moved (they expire). Stop the server on the SQLite file
// first: the move reads one snapshot of it, and what a server wrote after
// that would be left behind.
#ifndef KUROMARU_SERVICES_STORE_STORE_MOVE_H_
#define KUROMARU_SERVICES_STORE_STORE_MOVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kuromaru::store {

struct MoveReport {
  struct Table {
    std::string name;
    int64_t source_rows = 0;
    int64_t copied = 0;       // rows inserted by this run
    int64_t target_rows = 0;  // of them, found in PostgreSQL after the copy
    std::string source_sha256;
    std::string target_sha256;
    bool verified() const {
      return source_rows == target_rows && source_sha256 == target_sha256;
    }
  };
  std::vector<Table> tables;
  bool verified() const;
};

// Copies the SQLite store at `sqlite_path` (which must exist; it is
// migrated to this release's schema first) into the PostgreSQL store at
// `dsn` (its schema created or migrated), then verifies. NOT_FOUND for a
// missing file; the stores' errors otherwise. A verification that fails is
// in the report, not an error.
absl::StatusOr<MoveReport> MoveSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& dsn);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_STORE_MOVE_H_
