// Intake, reviewers' decisions and the nightly re-match: every write that
// moves a case. What each one does to the case is the case state machine's
// answer (services/cases/); this file writes it out.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

// Found: the stored outcome of an earlier decision under `key`.
absl::StatusOr<bool> LoadOutcome(Connection& db, const ReviewerDecision& d,
                                 const char* action, v1::Case* out) {
  ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT receipt_id, action, outcome_pb "
                                      "FROM decisions WHERE "
                                      "idempotency_key = ?"));
  s->Bind(1, d.idempotency_key);
  ASSIGN_OR_RETURN(bool found, s->Step());
  if (!found) return false;
  if (s->Text(0) != d.receipt_id || s->Text(1) != action) {
    return absl::InvalidArgumentError(
        "idempotency key already used for another decision");
  }
  if (!out->ParseFromString(s->Text(2))) {
    return absl::DataLossError("unreadable stored decision");
  }
  return true;
}

absl::Status SaveOutcome(Connection& db, const ReviewerDecision& d,
                         const char* action, absl::Time at,
                         const v1::Case& outcome) {
  v1::Case slim = outcome;
  slim.clear_history();
  ASSIGN_OR_RETURN(auto s, db.Prepare("INSERT INTO decisions (idempotency_key, "
                                      "receipt_id, action, at_us, outcome_pb) "
                                      "VALUES (?,?,?,?,?)"));
  s->Bind(1, d.idempotency_key)
      .Bind(2, d.receipt_id)
      .Bind(3, std::string(action))
      .Bind(4, ToMicros(at))
      .BindBlob(5, slim.SerializeAsString());
  return s->Run();
}

// Stores `p`, or finds the same receipt stored before; on the writer.
absl::Status InsertPrepared(Connection& db, absl::Time now, PreparedCase& p) {
  CaseRow& row = p.row;
  v1::Case& c = row.c;
  const std::string& id = c.receipt_id();
  ASSIGN_OR_RETURN(std::optional<CaseRow> existing, LoadCase(db, id));
  if (existing) {
    if (existing->receipt_bytes != row.receipt_bytes) {
      return absl::AlreadyExistsError(
          absl::StrCat("another receipt is stored as ", id));
    }
    p.out.stored = std::move(existing->c);
    p.out.replayed = true;
    return LoadHistory(db, &p.out.stored);
  }
  *c.mutable_created_at() = ToTimestamp(now);
  *c.mutable_updated_at() = ToTimestamp(now);
  RETURN_IF_ERROR(InsertCase(db, row));
  Transition t;
  t.change = std::move(p.change);
  t.actor = &p.actor;
  t.at = now;
  RETURN_IF_ERROR(RecordTransition(db, t, &c));
  p.out.stored = std::move(c);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CaseWrite> SqliteCaseStore::CreateCase(NewCase in) {
  std::vector<NewCase> one;
  one.push_back(std::move(in));
  return std::move(CreateCases(std::move(one)).front());
}

std::vector<absl::StatusOr<CaseWrite>> SqliteCaseStore::CreateCases(
    std::vector<NewCase> cases) {
  std::vector<absl::StatusOr<CaseWrite>> results;
  results.reserve(cases.size());
  // The valid ones, and where each one's result goes.
  std::vector<PreparedCase> prepared;
  std::vector<size_t> slot;
  prepared.reserve(cases.size());
  for (NewCase& in : cases) {
    absl::StatusOr<PreparedCase> p = PrepareCase(std::move(in));
    if (p.ok()) {
      slot.push_back(results.size());
      prepared.push_back(*std::move(p));
      results.emplace_back(CaseWrite{});
    } else {
      results.emplace_back(p.status());
    }
  }
  if (prepared.empty()) return results;
  std::vector<Work> works;
  works.reserve(prepared.size());
  for (PreparedCase& p : prepared) {
    works.push_back(
        [this, &p](Connection& db) { return InsertPrepared(db, Now(), p); });
  }
  std::vector<absl::Status> done = writer_->RunAll(std::move(works));
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (done[i].ok()) {
      results[slot[i]] = std::move(prepared[i].out);
    } else {
      results[slot[i]] = std::move(done[i]);
    }
  }
  return results;
}

absl::StatusOr<CaseWrite> SqliteCaseStore::Confirm(const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kConfirm);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::MarkNoMatch(
    const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kMarkNoMatch);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::Reopen(const ReviewerDecision& d) {
  return Decide(d, cases::ReviewAction::kReopen);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::Decide(const ReviewerDecision& d,
                                                  cases::ReviewAction action) {
  if (d.receipt_id.empty() || d.idempotency_key.empty()) {
    return absl::InvalidArgumentError(
        "receipt_id and idempotency_key are required");
  }
  if (action == cases::ReviewAction::kConfirm &&
      d.candidate.insurer_number().empty() && d.candidate.number().empty()) {
    return absl::InvalidArgumentError("confirm names a candidate");
  }
  CaseWrite out;
  absl::Status done = Write([&](Connection& db) -> absl::Status {
    return DecideIn(db, d, action, &out);
  });
  if (!done.ok()) return done;
  return out;
}

absl::Status SqliteCaseStore::DecideIn(Connection& db,
                                       const ReviewerDecision& d,
                                       cases::ReviewAction action,
                                       CaseWrite* out) {
  const char* name = cases::ActionName(action);
  ASSIGN_OR_RETURN(bool replay, LoadOutcome(db, d, name, &out->stored));
  if (replay) {
    out->replayed = true;
    return LoadHistory(db, &out->stored);
  }
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, LoadCase(db, d.receipt_id));
  if (!row) return absl::NotFoundError("no such case");
  v1::Case& c = row->c;
  Transition t;
  RETURN_IF_ERROR(cases::Review(action, d.expected_version, d.candidate,
                                d.from_search, &c, &row->reopened, &t.change));
  t.actor = &d.actor;
  t.comment = d.comment;
  t.at = Now();
  *c.mutable_updated_at() = ToTimestamp(t.at);
  RETURN_IF_ERROR(UpdateCase(db, *row));
  RETURN_IF_ERROR(SaveOutcome(db, d, name, t.at, c));
  RETURN_IF_ERROR(LoadHistory(db, &c));  // includes the event written below
  RETURN_IF_ERROR(RecordTransition(db, t, &c));
  out->stored = std::move(c);
  return absl::OkStatus();
}

absl::StatusOr<RematchWrite> SqliteCaseStore::ApplyRematch(const Rematch& r) {
  if (r.receipt_id.empty()) {
    return absl::InvalidArgumentError("receipt_id is required");
  }
  RematchWrite out;
  absl::Status done = Write([&](Connection& db) -> absl::Status {
    RETURN_IF_ERROR(RematchIn(db, r, &out));
    if (r.checkpoint_name.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto s, db.Prepare("INSERT OR REPLACE INTO checkpoints "
                                        "(name, value, updated_us) "
                                        "VALUES (?,?,?)"));
    s->Bind(1, r.checkpoint_name)
        .BindBlob(2, r.checkpoint_value)
        .Bind(3, ToMicros(Now()));
    return s->Run();
  });
  if (!done.ok()) return done;
  return out;
}

absl::Status SqliteCaseStore::RematchIn(Connection& db, const Rematch& r,
                                        RematchWrite* out) {
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, LoadCase(db, r.receipt_id));
  if (!row) return absl::NotFoundError("no such case");
  v1::Case& c = row->c;
  out->version = c.version();
  Transition t;
  ASSIGN_OR_RETURN(out->outcome, cases::Rematch(r.result, r.expected_version,
                                                row->reopened, &c, &t.change));
  if (out->outcome != RematchOutcome::kResolved &&
      out->outcome != RematchOutcome::kChanged) {
    return absl::OkStatus();
  }
  t.actor = &r.actor;
  t.at = Now();
  *c.mutable_updated_at() = ToTimestamp(t.at);
  RETURN_IF_ERROR(UpdateCase(db, *row));
  RETURN_IF_ERROR(RecordTransition(db, t, &c));
  out->version = c.version();
  return absl::OkStatus();
}

}  // namespace kuromaru::store
