#include "services/store/postgres_schema.h"

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "kuromaru/v1/match.pb.h"
#include "services/store/case_records.h"

namespace kuromaru::store::pg {
namespace {

struct Migration {
  int version;
  const char* sql;
  // Run after `sql`, in the same transaction: what SQL cannot compute.
  absl::Status (*after)(Connection& c) = nullptr;
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

// The review queue (services/cases/queue_traits.h), as in the SQLite store's
// schema v3: why a case needs a person, its priority and who it is about,
// kept beside the case so that a queue of 10^5 open cases is filtered,
// counted and ordered by index. lead_sort is the lead, or 1e9 (kNoLead)
// without a second person. Service months sort bytewise, as in SQLite,
// whatever the database's locale: the queue's order and resume points
// depend on it.
constexpr char kSchemaV2[] = R"sql(
ALTER TABLE cases ALTER COLUMN service_month TYPE text COLLATE "C";
ALTER TABLE cases ADD COLUMN reasons integer NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN lead double precision;
ALTER TABLE cases ADD COLUMN lead_sort double precision NOT NULL DEFAULT 1e9;
ALTER TABLE cases ADD COLUMN signature text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX cases_queue ON cases (state, service_month, lead_sort, receipt_id);
CREATE INDEX cases_counts ON cases (state, reasons, service_month);
CREATE INDEX cases_by_signature ON cases (signature, state)
  WHERE signature <> '';
)sql";

// Cases the backfill of kSchemaV2 reads at a time.
constexpr int kBackfillChunk = 2000;

// Fills the columns of kSchemaV2 for the cases already stored.
absl::Status BackfillQueueColumns(Connection& c) {
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(Result r,
                     c.RunSql("SELECT receipt_id, result_pb FROM cases WHERE "
                              "receipt_id > $1 ORDER BY receipt_id LIMIT $2",
                              Params().Text(after).Int(kBackfillChunk)));
    if (r.rows() == 0) return absl::OkStatus();
    ArrayBuilder ids(kText), reasons(kInt4), lead(kFloat8), lead_sort(kFloat8),
        signature(kText);
    for (int i = 0; i < r.rows(); ++i) {
      v1::MatchResult result;
      const absl::string_view bytes = r.Bytes(i, 1);
      if (!result.ParseFromArray(bytes.data(),
                                 static_cast<int>(bytes.size()))) {
        return absl::DataLossError("unreadable stored result");
      }
      const QueueColumns q = QueueColumnsOf(result);
      after = r.Text(i, 0);
      ids.Add(after);
      reasons.Add(EncodeInt4(static_cast<int32_t>(q.reasons)));
      if (q.lead) {
        lead.Add(EncodeFloat8(*q.lead));
      } else {
        lead.AddNull();
      }
      lead_sort.Add(EncodeFloat8(q.lead_sort));
      signature.Add(q.signature);
    }
    RETURN_IF_ERROR(
        c.RunSql("UPDATE cases SET reasons = t.reasons, lead = t.lead, "
                 "lead_sort = t.lead_sort, signature = t.signature FROM "
                 "unnest($1::text[], $2::int4[], $3::float8[], $4::float8[], "
                 "$5::text[]) AS t(receipt_id, reasons, lead, lead_sort, "
                 "signature) WHERE cases.receipt_id = t.receipt_id",
                 Params()
                     .Array(kTextArray, ids)
                     .Array(kInt4Array, reasons)
                     .Array(kFloat8Array, lead)
                     .Array(kFloat8Array, lead_sort)
                     .Array(kTextArray, signature))
            .status());
    if (r.rows() < kBackfillChunk) return absl::OkStatus();
  }
}

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2, BackfillQueueColumns},
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
    if (applied.ok() && m.after != nullptr) applied = m.after(c);
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
