// Reviewers' decisions, the nightly re-match and the audited opening of a
// case, each one transaction. What each does to the case is the case state
// machine's answer (services/cases/); this file writes it out. The case's
// row is locked first (FOR UPDATE), so that every decision on one case,
// from any replica, sees the one before it: of two decisions made on the
// same version, the second finds the version moved on (ABORTED), and of two
// calls with the same idempotency key, the second finds the first's outcome.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/postgres_rows.h"
#include "services/store/postgres_store_impl.h"

namespace kuromaru::store {
namespace {

using pg::Connection;
using pg::Params;
using pg::Query;
using pg::Result;

constexpr Query kLoadDecision{
    "load_decision",
    "SELECT receipt_id, action, outcome_pb FROM decisions "
    "WHERE idempotency_key = $1"};
constexpr Query kSaveDecision{
    "save_decision",
    "INSERT INTO decisions (idempotency_key, receipt_id, action, at, "
    "outcome_pb) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (idempotency_key) DO NOTHING"};
constexpr Query kSaveCheckpoint{
    "save_checkpoint",
    "INSERT INTO checkpoints (name, value, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
    "updated_at = excluded.updated_at"};

// Found: the stored outcome of an earlier decision under the key.
absl::StatusOr<bool> LoadOutcome(Connection& c, const ReviewerDecision& d,
                                 const char* action, v1::Case* out) {
  ASSIGN_OR_RETURN(Result r,
                   c.Run(kLoadDecision, Params().Text(d.idempotency_key)));
  if (r.rows() == 0) return false;
  if (r.Text(0, 0) != d.receipt_id || r.Text(0, 1) != action) {
    return absl::InvalidArgumentError(
        "idempotency key already used for another decision");
  }
  const absl::string_view bytes = r.Bytes(0, 2);
  if (!out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("unreadable stored decision");
  }
  return true;
}

absl::Status SaveOutcome(Connection& c, const ReviewerDecision& d,
                         const char* action, absl::Time at,
                         const v1::Case& outcome) {
  v1::Case slim = outcome;
  slim.clear_history();
  ASSIGN_OR_RETURN(Result r,
                   c.Run(kSaveDecision, Params()
                                            .Text(d.idempotency_key)
                                            .Text(d.receipt_id)
                                            .Text(action)
                                            .Time(at)
                                            .Bytes(slim.SerializeAsString())));
  if (r.affected() != 1) {
    // The key was taken by a concurrent decision on another case since it
    // was looked up: a fresh look decides what this call answers.
    return pg::RetryTransaction("idempotency key taken concurrently");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Case> PostgresCaseStore::GetCase(
    const std::string& receipt_id, const Actor& actor, bool audit_open) {
  v1::Case out;
  auto work = [&](Connection& c) -> absl::Status {
    out.Clear();
    ASSIGN_OR_RETURN(std::optional<CaseRow> row,
                     pg::LoadCase(c, receipt_id, /*lock=*/false));
    if (!row) return absl::NotFoundError("no such case");
    out = std::move(row->c);
    RETURN_IF_ERROR(pg::LoadHistory(c, &out));
    if (!audit_open) return absl::OkStatus();
    Transition t;
    t.change.action = "OPENED";
    t.change.from_state = out.state();
    t.change.version_before = out.version();
    t.change.actor_kind = v1::ACTOR_KIND_REVIEWER;
    t.actor = &actor;
    t.at = Now();
    t.feed = false;
    return pg::RecordTransition(c, t, &out);
  };
  RETURN_IF_ERROR(audit_open ? Write(work) : Read(work));
  return out;
}

absl::StatusOr<CaseWrite> PostgresCaseStore::Confirm(
    const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kConfirm);
}

absl::StatusOr<CaseWrite> PostgresCaseStore::MarkNoMatch(
    const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kMarkNoMatch);
}

absl::StatusOr<CaseWrite> PostgresCaseStore::Reopen(const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kReopen);
}

absl::StatusOr<CaseWrite> PostgresCaseStore::Decide(
    const ReviewerDecision& d, cases::ReviewAction action) {
  if (d.receipt_id.empty() || d.idempotency_key.empty()) {
    return absl::InvalidArgumentError(
        "receipt_id and idempotency_key are required");
  }
  if (action == cases::ReviewAction::kConfirm &&
      d.candidate.insurer_number().empty() && d.candidate.number().empty()) {
    return absl::InvalidArgumentError("confirm names a candidate");
  }
  CaseWrite out;
  auto work = [&](Connection& c) -> absl::Status {
    out = CaseWrite();
    return DecideIn(c, d, action, &out);
  };
  RETURN_IF_ERROR(Write(work));
  return out;
}

absl::Status PostgresCaseStore::DecideIn(Connection& c,
                                         const ReviewerDecision& d,
                                         cases::ReviewAction action,
                                         CaseWrite* out) {
  const char* name = cases::ActionName(action);
  // The lock first: a concurrent decision on the case commits before this
  // one looks at the key or the version.
  ASSIGN_OR_RETURN(std::optional<CaseRow> row,
                   pg::LoadCase(c, d.receipt_id, /*lock=*/true));
  ASSIGN_OR_RETURN(bool replay, LoadOutcome(c, d, name, &out->stored));
  if (replay) {
    out->replayed = true;
    return pg::LoadHistory(c, &out->stored);
  }
  if (!row) return absl::NotFoundError("no such case");
  v1::Case& k = row->c;
  Transition t;
  RETURN_IF_ERROR(cases::Review(action, d.expected_version, d.candidate,
                                d.from_search, &k, &row->reopened, &t.change));
  t.actor = &d.actor;
  t.comment = d.comment;
  t.at = Now();
  *k.mutable_updated_at() = ToTimestamp(t.at);
  RETURN_IF_ERROR(pg::UpdateCase(c, *row));
  RETURN_IF_ERROR(SaveOutcome(c, d, name, t.at, k));
  RETURN_IF_ERROR(pg::LoadHistory(c, &k));  // the event below comes last
  RETURN_IF_ERROR(pg::RecordTransition(c, t, &k));
  out->stored = std::move(k);
  return absl::OkStatus();
}

absl::StatusOr<RematchWrite> PostgresCaseStore::ApplyRematch(const Rematch& r) {
  if (r.receipt_id.empty()) {
    return absl::InvalidArgumentError("receipt_id is required");
  }
  RematchWrite out;
  auto work = [&](Connection& c) -> absl::Status {
    out = RematchWrite();
    RETURN_IF_ERROR(RematchIn(c, r, &out));
    if (r.checkpoint_name.empty()) return absl::OkStatus();
    return c
        .Run(kSaveCheckpoint, Params()
                                  .Text(r.checkpoint_name)
                                  .Bytes(r.checkpoint_value)
                                  .Time(Now()))
        .status();
  };
  RETURN_IF_ERROR(Write(work));
  return out;
}

absl::Status PostgresCaseStore::RematchIn(Connection& c, const Rematch& r,
                                          RematchWrite* out) {
  ASSIGN_OR_RETURN(std::optional<CaseRow> row,
                   pg::LoadCase(c, r.receipt_id, /*lock=*/true));
  if (!row) return absl::NotFoundError("no such case");
  v1::Case& k = row->c;
  out->version = k.version();
  Transition t;
  ASSIGN_OR_RETURN(out->outcome, cases::Rematch(r.result, r.expected_version,
                                                row->reopened, &k, &t.change));
  if (out->outcome != RematchOutcome::kResolved &&
      out->outcome != RematchOutcome::kChanged) {
    return absl::OkStatus();
  }
  t.actor = &r.actor;
  t.at = Now();
  *k.mutable_updated_at() = ToTimestamp(t.at);
  row->result_bytes.clear();
  RETURN_IF_ERROR(pg::UpdateCase(c, *row));
  RETURN_IF_ERROR(pg::RecordTransition(c, t, &k));
  out->version = k.version();
  return absl::OkStatus();
}

}  // namespace kuromaru::store
