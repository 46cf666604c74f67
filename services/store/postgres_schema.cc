#include "services/store/postgres_schema.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace kuromaru::store::pg {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// States are CaseState numbers (2 PENDING_REVIEW, 3 UNMATCHED are open);
// *_pb columns hold serialized kuromaru.v1 messages. Keys and names sort
// bytewise (COLLATE "C"), as in the SQLite store, whatever the database's
// locale: pages, resume points and lease prefixes depend on it.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE cases (
  receipt_id text COLLATE "C" PRIMARY KEY,
  state integer NOT NULL,
  version bigint NOT NULL,
  service_month text NOT NULL,
  billed_insurer text NOT NULL,
  top_insurer text NOT NULL,
  top_probability double precision NOT NULL,
  candidate_count integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  closed_at timestamptz,
  reopened boolean NOT NULL DEFAULT false,
  resolved_by integer NOT NULL DEFAULT 0,
  roster_version text NOT NULL DEFAULT '',
  model_version text NOT NULL DEFAULT '',
  receipt_pb bytea NOT NULL,
  result_pb bytea NOT NULL,
  resolved_pb bytea,
  previous_pb bytea NOT NULL
);
CREATE INDEX cases_by_created ON cases (created_at, receipt_id);
CREATE INDEX cases_by_state ON cases (state, created_at, receipt_id);
CREATE INDEX cases_by_month ON cases (service_month, state);
CREATE INDEX cases_by_billed ON cases (billed_insurer, created_at);
CREATE INDEX cases_by_top ON cases (top_insurer, created_at);
CREATE INDEX cases_by_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_open ON cases (receipt_id) WHERE state IN (2, 3);

CREATE TABLE case_events (
  seq bigserial PRIMARY KEY,
  receipt_id text COLLATE "C" NOT NULL
    REFERENCES cases (receipt_id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  actor_kind integer NOT NULL,
  action text NOT NULL,
  from_state integer NOT NULL,
  to_state integer NOT NULL,
  version bigint NOT NULL,
  request_id text NOT NULL,
  comment text NOT NULL,
  roster_version text NOT NULL,
  model_version text NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (receipt_id, seq);

CREATE TABLE decisions (
  idempotency_key text COLLATE "C" PRIMARY KEY,
  receipt_id text COLLATE "C" NOT NULL
    REFERENCES cases (receipt_id) ON DELETE CASCADE,
  action text NOT NULL,
  at timestamptz NOT NULL,
  outcome_pb bytea NOT NULL
);
CREATE INDEX decisions_by_case ON decisions (receipt_id);

-- The results feed. Positions are (xid, seq): the writing transaction's id
-- and the row's number. Readers take only rows whose transaction is older
-- than every transaction still running (pg_snapshot_xmin), so a transaction
-- that commits late is never passed over; rows moved from another store
-- have xid 0 and come first.
CREATE TABLE changes (
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq bigserial NOT NULL,
  receipt_id text COLLATE "C" NOT NULL
    REFERENCES cases (receipt_id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  change_pb bytea NOT NULL,
  PRIMARY KEY (xid, seq)
);
CREATE INDEX changes_by_case ON changes (receipt_id);

-- A wake-up for followers on every replica; the table stays the truth.
CREATE FUNCTION kuromaru_changes_notify() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kuromaru_changes', '');
  RETURN NULL;
END $$;
CREATE TRIGGER changes_notify AFTER INSERT ON changes
  FOR EACH STATEMENT EXECUTE FUNCTION kuromaru_changes_notify();

CREATE TABLE audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  receipt_id text COLLATE "C" NOT NULL,
  request_id text NOT NULL,
  peer text NOT NULL,
  version_before bigint NOT NULL,
  version_after bigint NOT NULL,
  detail text NOT NULL
);
CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_case ON audit (receipt_id, seq);
CREATE FUNCTION kuromaru_audit_append_only() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit is append-only';
END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION kuromaru_audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION kuromaru_audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM CURRENT_USER;

CREATE TABLE roster_state (
  id integer PRIMARY KEY CHECK (id = 1),
  version text NOT NULL,
  snapshot_path text NOT NULL,
  delta_paths text NOT NULL,
  encoding text NOT NULL,
  directory_path text NOT NULL,
  model_path text NOT NULL,
  model_version text NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE leases (
  name text COLLATE "C" PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE checkpoints (
  name text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL,
  updated_at timestamptz NOT NULL
);
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
};

absl::StatusOr<int> RecordedVersion(Connection& c) {
  ASSIGN_OR_RETURN(Result r, c.RunSql("SELECT COALESCE(MAX(version), 0)::int8 "
                                      "FROM schema_version"));
  return static_cast<int>(r.Int(0, 0));
}

absl::Status MigrateIn(Connection& c) {
  // One migrating process per schema at a time; the others wait, then find
  // the work done.
  RETURN_IF_ERROR(
      c.Exec("SELECT pg_advisory_xact_lock(7283, hashtext(current_schema()))"));
  RETURN_IF_ERROR(
      c.Exec("CREATE TABLE IF NOT EXISTS schema_version ("
             "version integer PRIMARY KEY, applied_at timestamptz NOT NULL)"));
  ASSIGN_OR_RETURN(int current, RecordedVersion(c));
  if (current > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store's schema is version ", current,
                     "; this release knows up to ", LatestSchemaVersion()));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= current) continue;
    absl::Status applied = c.Exec(m.sql);
    if (applied.ok()) {
      applied = c.Exec(absl::StrCat(
          "INSERT INTO schema_version (version, applied_at) VALUES (",
          m.version, ", now())"));
    }
    if (!applied.ok()) {
      return absl::Status(applied.code(),
                          absl::StrCat("schema migration ", m.version, ": ",
                                       applied.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

absl::StatusOr<int> SchemaVersion(Connection& c) {
  ASSIGN_OR_RETURN(
      Result exists,
      c.RunSql("SELECT to_regclass('schema_version') IS NOT NULL"));
  if (!exists.Bool(0, 0)) return 0;
  return RecordedVersion(c);
}

absl::Status Migrate(Connection& c) {
  RETURN_IF_ERROR(c.Exec("BEGIN"));
  absl::Status status = MigrateIn(c);
  if (status.ok()) status = c.Exec("COMMIT");
  if (!status.ok() && c.healthy()) c.Exec("ROLLBACK").IgnoreError();
  return status;
}

}  // namespace kuromaru::store::pg
