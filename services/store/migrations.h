// The case store's schema, as numbered migrations applied in order. Each
// migration runs in its own transaction together with the row that records
// it in schema_version, so a crash leaves the schema at one version or the
// next, never in between. Released migrations are never edited: a change to
// the schema is a new migration.
#ifndef KUROMARU_SERVICES_STORE_MIGRATIONS_H_
#define KUROMARU_SERVICES_STORE_MIGRATIONS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/store/sqlite_db.h"

namespace kuromaru::store {

// The schema version this code writes.
int LatestSchemaVersion();

// The version recorded in the database; 0 for an empty database.
absl::StatusOr<int> SchemaVersion(Connection& db);

// Applies every migration above the recorded version, up to `up_to` (tests
// build older schemas with it). FAILED_PRECONDITION when the database is
// newer than this code (it must not be written by an older release).
absl::Status Migrate(Connection& db, int up_to = LatestSchemaVersion());

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_MIGRATIONS_H_
