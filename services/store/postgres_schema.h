// The PostgreSQL store's schema, in versions: each migration runs once, in
// order, in one transaction with the record of its version, under an
// advisory lock so that replicas starting together migrate once. Adding a
// column or an index is a new migration appended to the list.
//
// Tables are created in the connection's current schema (search_path), so
// that one database may hold several stores. The audit trail is append-only
// twice over: UPDATE, DELETE and TRUNCATE are revoked from the store's role
// (and PUBLIC), and triggers refuse them for any role, the owner and
// superusers included.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_SCHEMA_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_SCHEMA_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/postgres_db.h"

namespace kuromaru::store::pg {

// The newest schema version this release knows.
int LatestSchemaVersion();

// The version the database is at (0 for an empty one).
absl::StatusOr<int> SchemaVersion(Connection& c);

// Applies every migration the database lacks. FAILED_PRECONDITION when its
// schema is newer than this release.
absl::Status Migrate(Connection& c);

// The NOTIFY channel a commit that adds to the results feed signals.
inline constexpr char kChangesChannel[] = "kuromaru_changes";

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_SCHEMA_H_
