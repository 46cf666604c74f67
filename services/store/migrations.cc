#include "services/store/migrations.h"

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"

namespace kuromaru::store {
namespace {

struct Migration {
  int version;
  const char* sql;
  // Run after `sql`, in the same transaction: what SQL cannot compute.
  absl::Status (*after)(Connection& db) = nullptr;
};

// Times are microseconds since the Unix epoch; states are CaseState numbers;
// *_pb columns hold serialized kuromaru.v1 messages.
constexpr char kSchemaV1[] = R"sql(
CREATE TABLE cases (
  receipt_id TEXT PRIMARY KEY,
  state INTEGER NOT NULL,
  version INTEGER NOT NULL,
  service_month TEXT NOT NULL,
  billed_insurer TEXT NOT NULL,
  top_insurer TEXT NOT NULL,
  top_probability REAL NOT NULL,
  candidate_count INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  closed_us INTEGER,
  reopened INTEGER NOT NULL DEFAULT 0,
  resolved_by INTEGER NOT NULL DEFAULT 0,
  roster_version TEXT NOT NULL DEFAULT '',
  model_version TEXT NOT NULL DEFAULT '',
  receipt_pb BLOB NOT NULL,
  result_pb BLOB NOT NULL,
  resolved_pb BLOB,
  previous_pb BLOB
);
CREATE INDEX cases_by_created ON cases(created_us, receipt_id);
CREATE INDEX cases_by_state ON cases(state, created_us, receipt_id);
CREATE INDEX cases_by_month ON cases(service_month, state);
CREATE INDEX cases_by_billed ON cases(billed_insurer, created_us);
CREATE INDEX cases_by_top ON cases(top_insurer, created_us);
CREATE INDEX cases_by_closed ON cases(closed_us) WHERE closed_us IS NOT NULL;

CREATE TABLE case_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  receipt_id TEXT NOT NULL REFERENCES cases(receipt_id) ON DELETE CASCADE,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_kind INTEGER NOT NULL,
  action TEXT NOT NULL,
  from_state INTEGER NOT NULL,
  to_state INTEGER NOT NULL,
  version INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  comment TEXT NOT NULL,
  roster_version TEXT NOT NULL,
  model_version TEXT NOT NULL
);
CREATE INDEX case_events_by_case ON case_events(receipt_id, seq);

CREATE TABLE decisions (
  idempotency_key TEXT PRIMARY KEY,
  receipt_id TEXT NOT NULL REFERENCES cases(receipt_id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  outcome_pb BLOB NOT NULL
);
CREATE INDEX decisions_by_case ON decisions(receipt_id);

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  receipt_id TEXT NOT NULL REFERENCES cases(receipt_id) ON DELETE CASCADE,
  at_us INTEGER NOT NULL,
  change_pb BLOB NOT NULL
);
CREATE INDEX changes_by_case ON changes(receipt_id);

CREATE TABLE audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  receipt_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  peer TEXT NOT NULL,
  version_before INTEGER NOT NULL,
  version_after INTEGER NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit(at_us);
CREATE INDEX audit_by_case ON audit(receipt_id, seq);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE roster_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version TEXT NOT NULL,
  snapshot_path TEXT NOT NULL,
  delta_paths TEXT NOT NULL,
  model_path TEXT NOT NULL,
  model_version TEXT NOT NULL,
  updated_us INTEGER NOT NULL
);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_us INTEGER NOT NULL
);

CREATE TABLE checkpoints (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  updated_us INTEGER NOT NULL
);
)sql";

// The roster in service gets columns for its files' encoding and its
// insurer directory, which were kept in the checkpoint
// "roster.source.<version>" as "<encoding>\n<directory path>".
constexpr char kSchemaV2[] = R"sql(
ALTER TABLE roster_state ADD COLUMN encoding TEXT NOT NULL DEFAULT 'utf-8';
ALTER TABLE roster_state ADD COLUMN directory_path TEXT NOT NULL DEFAULT '';
UPDATE roster_state SET
  encoding = (SELECT CAST(substr(value, 1, instr(value, x'0a') - 1) AS TEXT)
              FROM checkpoints WHERE name = 'roster.source.' || version
              AND instr(value, x'0a') > 1),
  directory_path = (SELECT CAST(substr(value, instr(value, x'0a') + 1) AS TEXT)
                    FROM checkpoints WHERE name = 'roster.source.' || version)
WHERE EXISTS (SELECT 1 FROM checkpoints WHERE name = 'roster.source.' || version
              AND instr(value, x'0a') > 1);
DELETE FROM checkpoints WHERE name LIKE 'roster.source.%';
)sql";

// The review queue (services/cases/queue_traits.h): why a case needs a person
// and its priority, and who it is about, kept beside the case so that a queue
// of 10^5 open cases is filtered, counted and ordered by index. lead_sort is
// the lead, or 1e9 when there is no second person (last in the queue).
constexpr char kSchemaV3[] = R"sql(
ALTER TABLE cases ADD COLUMN reasons INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN lead REAL;
ALTER TABLE cases ADD COLUMN lead_sort REAL NOT NULL DEFAULT 1e9;
ALTER TABLE cases ADD COLUMN signature TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_queue ON cases(state, service_month, lead_sort, receipt_id);
CREATE INDEX cases_counts ON cases(state, reasons, service_month);
CREATE INDEX cases_by_signature ON cases(signature, state)
  WHERE signature != '';
)sql";

// Fills the columns of kSchemaV3 for the cases already stored.
absl::Status BackfillQueueTraits(Connection& db) {
  ASSIGN_OR_RETURN(auto read,
                   db.Prepare("SELECT receipt_id, result_pb FROM cases"));
  ASSIGN_OR_RETURN(auto write,
                   db.Prepare("UPDATE cases SET reasons = ?2, lead = ?3, "
                              "lead_sort = ?4, signature = ?5 "
                              "WHERE receipt_id = ?1"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, read->Step());
    if (!row) break;
    v1::MatchResult result;
    if (!result.ParseFromString(read->Text(1))) {
      return absl::DataLossError("unreadable stored result");
    }
    write->Reset();
    BindQueueColumns(*write, QueueColumnsOf(result), 2);
    write->Bind(1, read->Text(0));
    RETURN_IF_ERROR(write->Run());
  }
  return absl::OkStatus();
}

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3, BackfillQueueTraits},
};

absl::StatusOr<int> RecordedVersion(Connection& db) {
  ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT COALESCE(MAX(version), 0) "
                                         "FROM schema_version"));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row ? static_cast<int>(stmt->Int(0)) : 0;
}

// Another process may migrate at the same time: the version is read again
// under the write lock.
absl::Status Apply(Connection& db, const Migration& m) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  absl::StatusOr<int> current = RecordedVersion(db);
  absl::Status status = current.status();
  if (status.ok() && *current >= m.version) return db.Exec("COMMIT");
  if (status.ok()) status = db.Exec(m.sql);
  if (status.ok() && m.after != nullptr) status = m.after(db);
  if (status.ok()) {
    status = db.Exec(
        absl::StrCat("INSERT INTO schema_version(version, applied_us) VALUES (",
                     m.version, ", ", absl::ToUnixMicros(absl::Now()), ")"));
  }
  if (status.ok()) status = db.Exec("COMMIT");
  if (!status.ok()) {
    db.Exec("ROLLBACK").IgnoreError();
    return absl::Status(status.code(),
                        absl::StrCat("schema migration ", m.version, ": ",
                                     std::string(status.message())));
  }
  return absl::OkStatus();
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

absl::StatusOr<int> SchemaVersion(Connection& db) {
  RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version ("
              "version INTEGER PRIMARY KEY, applied_us INTEGER NOT NULL)"));
  return RecordedVersion(db);
}

absl::Status Migrate(Connection& db, int up_to) {
  ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the store's schema is version ", current,
                     "; this release knows up to ", LatestSchemaVersion()));
  }
  for (const Migration& m : kMigrations) {
    if (m.version > current && m.version <= up_to) {
      RETURN_IF_ERROR(Apply(db, m));
    }
  }
  return absl::OkStatus();
}

}  // namespace kuromaru::store
