// Intake, reviewers' decisions and the nightly re-match: every write that
// moves a case.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

const char* ActionName(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::kConfirm:
      return "CONFIRMED";
    case DecisionKind::kNoMatch:
      return "MARKED_NO_MATCH";
    case DecisionKind::kReopen:
      return "REOPENED";
  }
  return "";
}

bool Allowed(DecisionKind kind, v1::CaseState state) {
  if (kind == DecisionKind::kReopen) {
    return state == v1::CASE_STATE_CONFIRMED ||
           state == v1::CASE_STATE_REJECTED ||
           state == v1::CASE_STATE_AUTO_RESOLVED;
  }
  return state == v1::CASE_STATE_PENDING_REVIEW ||
         state == v1::CASE_STATE_UNMATCHED ||
         state == v1::CASE_STATE_AUTO_RESOLVED;
}

// The candidate's rank (0 = best), or -1 when it is not among them.
int RankOf(const v1::MatchResult& result, const v1::EnrollmentKey& key) {
  for (int i = 0; i < result.candidates_size(); ++i) {
    if (SameKey(KeyOf(result.candidates(i)), key)) return i;
  }
  return -1;
}

bool SameCandidates(const v1::MatchResult& a, const v1::MatchResult& b) {
  if (a.candidates_size() != b.candidates_size()) return false;
  for (int i = 0; i < a.candidates_size(); ++i) {
    if (!SameKey(KeyOf(a.candidates(i)), KeyOf(b.candidates(i)))) return false;
  }
  return true;
}

// Found: the stored outcome of an earlier decision under `key`.
absl::StatusOr<bool> LoadOutcome(Connection& db, const Decision& d,
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

absl::Status SaveOutcome(Connection& db, const Decision& d, const char* action,
                         absl::Time at, const v1::Case& outcome) {
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

// Moves the case to the decision's state; sets the audit detail.
absl::Status ApplyDecision(DecisionKind kind, const Decision& d, CaseRow* row,
                           Transition* t) {
  v1::Case& c = row->c;
  switch (kind) {
    case DecisionKind::kConfirm: {
      int rank = RankOf(c.result(), d.candidate);
      if (rank < 0) {
        return absl::FailedPreconditionError(
            "the candidate is not among the case's candidates");
      }
      c.set_state(v1::CASE_STATE_CONFIRMED);
      *c.mutable_resolved() = KeyOf(c.result().candidates(rank));
      c.set_resolved_by(v1::ACTOR_KIND_REVIEWER);
      t->detail = absl::StrCat("rank=", rank + 1,
                               " insurer=", c.resolved().insurer_number());
      break;
    }
    case DecisionKind::kNoMatch:
      c.set_state(v1::CASE_STATE_REJECTED);
      c.clear_resolved();
      c.set_resolved_by(v1::ACTOR_KIND_REVIEWER);
      break;
    case DecisionKind::kReopen:
      c.set_state(v1::CASE_STATE_PENDING_REVIEW);
      c.clear_resolved();
      c.set_resolved_by(v1::ACTOR_KIND_UNSPECIFIED);
      row->reopened = true;
      break;
  }
  return absl::OkStatus();
}

// A new case, built and serialized before the writer is taken: the writer
// is the store's one serial section.
struct PreparedCase {
  CaseRow row;
  Actor actor;
  CaseWrite out;
};

absl::StatusOr<PreparedCase> PrepareCase(NewCase in) {
  const std::string id = in.receipt.receipt_id();  // a copy: it is moved
  if (id.empty()) return absl::InvalidArgumentError("receipt_id is required");
  if (!in.result.receipt_id().empty() && in.result.receipt_id() != id) {
    return absl::InvalidArgumentError("the result is for another receipt");
  }
  PreparedCase p;
  p.actor = std::move(in.actor);
  CaseRow& row = p.row;
  row.receipt_bytes = in.receipt.SerializeAsString();
  v1::Case& c = row.c;
  c.set_receipt_id(id);
  c.set_state(StateForDecision(in.result.decision()));
  if (c.state() == v1::CASE_STATE_AUTO_RESOLVED &&
      in.result.candidates_size() == 0) {
    c.set_state(v1::CASE_STATE_UNMATCHED);
  }
  c.set_version(1);
  *c.mutable_receipt() = std::move(in.receipt);
  *c.mutable_result() = std::move(in.result);
  c.mutable_result()->set_receipt_id(id);
  row.result_bytes = c.result().SerializeAsString();
  if (c.state() == v1::CASE_STATE_AUTO_RESOLVED) {
    *c.mutable_resolved() = KeyOf(c.result().candidates(0));
    c.set_resolved_by(v1::ACTOR_KIND_INTAKE);
  }
  c.set_roster_version(c.result().roster_version());
  c.set_model_version(c.result().model_version());
  return p;
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
  t.action = "RECONCILED";
  t.kind = v1::ACTOR_KIND_INTAKE;
  t.actor = &p.actor;
  t.at = now;
  t.detail = absl::StrCat("state=", StateName(c.state()),
                          " candidates=", c.result().candidates_size());
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

absl::StatusOr<CaseWrite> SqliteCaseStore::Confirm(const Decision& d) {
  return Decide(d, DecisionKind::kConfirm);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::MarkNoMatch(const Decision& d) {
  return Decide(d, DecisionKind::kNoMatch);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::Reopen(const Decision& d) {
  return Decide(d, DecisionKind::kReopen);
}

absl::StatusOr<CaseWrite> SqliteCaseStore::Decide(const Decision& d,
                                                  DecisionKind kind) {
  if (d.receipt_id.empty() || d.idempotency_key.empty()) {
    return absl::InvalidArgumentError(
        "receipt_id and idempotency_key are required");
  }
  if (kind == DecisionKind::kConfirm && d.candidate.insurer_number().empty() &&
      d.candidate.number().empty()) {
    return absl::InvalidArgumentError("confirm names a candidate");
  }
  CaseWrite out;
  absl::Status done = Write([&](Connection& db) -> absl::Status {
    return DecideIn(db, d, kind, &out);
  });
  if (!done.ok()) return done;
  return out;
}

absl::Status SqliteCaseStore::DecideIn(Connection& db, const Decision& d,
                                       DecisionKind kind, CaseWrite* out) {
  const char* action = ActionName(kind);
  ASSIGN_OR_RETURN(bool replay, LoadOutcome(db, d, action, &out->stored));
  if (replay) {
    out->replayed = true;
    return LoadHistory(db, &out->stored);
  }
  ASSIGN_OR_RETURN(std::optional<CaseRow> row, LoadCase(db, d.receipt_id));
  if (!row) return absl::NotFoundError("no such case");
  v1::Case& c = row->c;
  if (c.version() != d.expected_version) {
    return absl::AbortedError(absl::StrCat(
        "the case is at version ", c.version(), ", not ", d.expected_version));
  }
  if (!Allowed(kind, c.state())) {
    return absl::FailedPreconditionError(
        absl::StrCat(action, " is not allowed in ", StateName(c.state())));
  }
  Transition t;
  t.action = action;
  t.from_state = c.state();
  t.version_before = c.version();
  t.kind = v1::ACTOR_KIND_REVIEWER;
  t.actor = &d.actor;
  t.comment = d.comment;
  t.at = Now();
  RETURN_IF_ERROR(ApplyDecision(kind, d, &*row, &t));
  c.set_version(c.version() + 1);
  *c.mutable_updated_at() = ToTimestamp(t.at);
  RETURN_IF_ERROR(UpdateCase(db, *row));
  RETURN_IF_ERROR(SaveOutcome(db, d, action, t.at, c));
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
  if (c.state() != v1::CASE_STATE_PENDING_REVIEW &&
      c.state() != v1::CASE_STATE_UNMATCHED) {
    out->outcome = RematchOutcome::kSkipped;
    return absl::OkStatus();
  }
  if (c.version() != r.expected_version) {
    return absl::AbortedError("the case changed since it was read");
  }
  v1::CaseState next = StateForDecision(r.result.decision());
  if (r.result.candidates_size() == 0) {
    next = v1::CASE_STATE_UNMATCHED;
  } else if (next == v1::CASE_STATE_AUTO_RESOLVED && row->reopened) {
    next = v1::CASE_STATE_PENDING_REVIEW;  // a reviewer asked to decide
  }
  const bool changed = !SameCandidates(c.result(), r.result);
  if (next != v1::CASE_STATE_AUTO_RESOLVED && !changed) {
    out->outcome = RematchOutcome::kUnchanged;
    return absl::OkStatus();
  }
  Transition t;
  t.action = "REMATCHED";
  t.from_state = c.state();
  t.version_before = c.version();
  t.kind = v1::ACTOR_KIND_NIGHTLY_JOB;
  t.actor = &r.actor;
  t.at = Now();
  if (changed) *c.mutable_previous_candidates() = c.result().candidates();
  *c.mutable_result() = r.result;
  c.mutable_result()->set_receipt_id(c.receipt_id());
  c.set_state(next);
  if (next == v1::CASE_STATE_AUTO_RESOLVED) {
    *c.mutable_resolved() = KeyOf(r.result.candidates(0));
    c.set_resolved_by(v1::ACTOR_KIND_NIGHTLY_JOB);
  }
  c.set_roster_version(r.result.roster_version());
  c.set_model_version(r.result.model_version());
  c.set_version(c.version() + 1);
  *c.mutable_updated_at() = ToTimestamp(t.at);
  t.detail = absl::StrCat(
      "state=", StateName(next), " candidates=", r.result.candidates_size(),
      " roster=", c.roster_version(), " model=", c.model_version());
  RETURN_IF_ERROR(UpdateCase(db, *row));
  RETURN_IF_ERROR(RecordTransition(db, t, &c));
  out->outcome = next == v1::CASE_STATE_AUTO_RESOLVED
                     ? RematchOutcome::kResolved
                     : RematchOutcome::kChanged;
  out->version = c.version();
  return absl::OkStatus();
}

}  // namespace kuromaru::store
