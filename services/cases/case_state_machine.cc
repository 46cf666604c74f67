#include "services/cases/case_state_machine.h"

#include "absl/strings/str_cat.h"

namespace kuromaru::cases {
namespace {

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

Change Begin(const char* action, const v1::Case& c, v1::ActorKind kind) {
  Change change;
  change.action = action;
  change.from_state = c.state();
  change.version_before = c.version();
  change.actor_kind = kind;
  return change;
}

}  // namespace

const char* StateName(v1::CaseState state) {
  switch (state) {
    case v1::CASE_STATE_AUTO_RESOLVED:
      return "AUTO_RESOLVED";
    case v1::CASE_STATE_PENDING_REVIEW:
      return "PENDING_REVIEW";
    case v1::CASE_STATE_UNMATCHED:
      return "UNMATCHED";
    case v1::CASE_STATE_CONFIRMED:
      return "CONFIRMED";
    case v1::CASE_STATE_REJECTED:
      return "REJECTED";
    default:
      return "UNSPECIFIED";
  }
}

const char* ActionName(ReviewAction action) {
  switch (action) {
    case ReviewAction::kConfirm:
      return "CONFIRMED";
    case ReviewAction::kMarkNoMatch:
      return "MARKED_NO_MATCH";
    case ReviewAction::kReopen:
      return "REOPENED";
  }
  return "";
}

bool IsOpen(v1::CaseState state) {
  return state == v1::CASE_STATE_PENDING_REVIEW ||
         state == v1::CASE_STATE_UNMATCHED;
}

bool IsClosed(v1::CaseState state) {
  return state == v1::CASE_STATE_CONFIRMED ||
         state == v1::CASE_STATE_REJECTED ||
         state == v1::CASE_STATE_AUTO_RESOLVED;
}

v1::CaseState StateForDecision(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_AUTO_MATCH:
      return v1::CASE_STATE_AUTO_RESOLVED;
    case v1::DECISION_REVIEW:
      return v1::CASE_STATE_PENDING_REVIEW;
    default:
      return v1::CASE_STATE_UNMATCHED;
  }
}

Change Intake(v1::Case* c) {
  Change change = Begin("RECONCILED", *c, v1::ACTOR_KIND_INTAKE);
  c->set_state(StateForDecision(c->result().decision()));
  if (c->state() == v1::CASE_STATE_AUTO_RESOLVED &&
      c->result().candidates_size() == 0) {
    c->set_state(v1::CASE_STATE_UNMATCHED);
  }
  c->set_version(1);
  c->clear_resolved();
  c->set_resolved_by(v1::ACTOR_KIND_UNSPECIFIED);
  if (c->state() == v1::CASE_STATE_AUTO_RESOLVED) {
    *c->mutable_resolved() = KeyOf(c->result().candidates(0));
    c->set_resolved_by(v1::ACTOR_KIND_INTAKE);
  }
  c->set_roster_version(c->result().roster_version());
  c->set_model_version(c->result().model_version());
  change.detail = absl::StrCat("state=", StateName(c->state()),
                               " candidates=", c->result().candidates_size());
  return change;
}

bool ReviewAllowed(ReviewAction action, v1::CaseState state) {
  if (action == ReviewAction::kReopen) {
    return state == v1::CASE_STATE_CONFIRMED ||
           state == v1::CASE_STATE_REJECTED ||
           state == v1::CASE_STATE_AUTO_RESOLVED;
  }
  return state == v1::CASE_STATE_PENDING_REVIEW ||
         state == v1::CASE_STATE_UNMATCHED ||
         state == v1::CASE_STATE_AUTO_RESOLVED;
}

absl::Status Review(ReviewAction action, int64_t expected_version,
                    const v1::EnrollmentKey& candidate, bool from_search,
                    v1::Case* c, bool* reopened, Change* change) {
  if (c->version() != expected_version) {
    return absl::AbortedError(absl::StrCat(
        "the case is at version ", c->version(), ", not ", expected_version));
  }
  if (!ReviewAllowed(action, c->state())) {
    return absl::FailedPreconditionError(absl::StrCat(
        ActionName(action), " is not allowed in ", StateName(c->state())));
  }
  int rank = -1;
  if (action == ReviewAction::kConfirm) {
    rank = RankOf(c->result(), candidate);
    if (rank < 0 && !from_search) {
      return absl::FailedPreconditionError(
          "the candidate is not among the case's candidates");
    }
    if (rank < 0 && (candidate.insurer_number().empty() ||
                     candidate.qualified_from().empty())) {
      return absl::InvalidArgumentError(
          "an enrollment found by a search needs its whole key");
    }
  }
  *change = Begin(ActionName(action), *c, v1::ACTOR_KIND_REVIEWER);
  switch (action) {
    case ReviewAction::kConfirm:
      c->set_state(v1::CASE_STATE_CONFIRMED);
      *c->mutable_resolved() =
          rank >= 0 ? KeyOf(c->result().candidates(rank)) : candidate;
      c->set_resolved_by(v1::ACTOR_KIND_REVIEWER);
      change->detail =
          rank >= 0 ? absl::StrCat("rank=", rank + 1,
                                   " insurer=", c->resolved().insurer_number())
                    : absl::StrCat("rank=search insurer=",
                                   c->resolved().insurer_number());
      break;
    case ReviewAction::kMarkNoMatch:
      c->set_state(v1::CASE_STATE_REJECTED);
      c->clear_resolved();
      c->set_resolved_by(v1::ACTOR_KIND_REVIEWER);
      break;
    case ReviewAction::kReopen:
      c->set_state(v1::CASE_STATE_PENDING_REVIEW);
      c->clear_resolved();
      c->set_resolved_by(v1::ACTOR_KIND_UNSPECIFIED);
      *reopened = true;
      break;
  }
  c->set_version(c->version() + 1);
  return absl::OkStatus();
}

absl::StatusOr<RematchOutcome> Rematch(const v1::MatchResult& result,
                                       int64_t expected_version, bool reopened,
                                       v1::Case* c, Change* change) {
  if (!IsOpen(c->state())) return RematchOutcome::kSkipped;
  if (c->version() != expected_version) {
    return absl::AbortedError("the case changed since it was read");
  }
  v1::CaseState next = StateForDecision(result.decision());
  if (result.candidates_size() == 0) {
    next = v1::CASE_STATE_UNMATCHED;
  } else if (next == v1::CASE_STATE_AUTO_RESOLVED && reopened) {
    next = v1::CASE_STATE_PENDING_REVIEW;  // a reviewer asked to decide
  }
  const bool changed = !SameCandidates(c->result(), result);
  if (next != v1::CASE_STATE_AUTO_RESOLVED && !changed) {
    return RematchOutcome::kUnchanged;
  }
  *change = Begin("REMATCHED", *c, v1::ACTOR_KIND_NIGHTLY_JOB);
  if (changed) *c->mutable_previous_candidates() = c->result().candidates();
  const std::string receipt_id = c->receipt_id();
  *c->mutable_result() = result;
  c->mutable_result()->set_receipt_id(receipt_id);
  c->set_state(next);
  if (next == v1::CASE_STATE_AUTO_RESOLVED) {
    *c->mutable_resolved() = KeyOf(result.candidates(0));
    c->set_resolved_by(v1::ACTOR_KIND_NIGHTLY_JOB);
  }
  c->set_roster_version(result.roster_version());
  c->set_model_version(result.model_version());
  c->set_version(c->version() + 1);
  change->detail = absl::StrCat(
      "state=", StateName(next), " candidates=", result.candidates_size(),
      " roster=", c->roster_version(), " model=", c->model_version());
  return next == v1::CASE_STATE_AUTO_RESOLVED ? RematchOutcome::kResolved
                                              : RematchOutcome::kChanged;
}

v1::EnrollmentKey KeyOf(const v1::Candidate& candidate) {
  v1::EnrollmentKey key;
  key.set_insurer_number(candidate.insurer_number());
  key.set_symbol(candidate.symbol());
  key.set_number(candidate.number());
  key.set_branch(candidate.branch());
  key.set_qualified_from(candidate.qualified_from());
  return key;
}

bool SameKey(const v1::EnrollmentKey& a, const v1::EnrollmentKey& b) {
  return a.insurer_number() == b.insurer_number() && a.symbol() == b.symbol() &&
         a.number() == b.number() && a.branch() == b.branch() &&
         a.qualified_from() == b.qualified_from();
}

}  // namespace kuromaru::cases
