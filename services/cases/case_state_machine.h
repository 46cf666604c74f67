// The case state machine: which states a case can be in, who may move it
// where, and what intake, a reviewer's decision, a re-match and a reopen do
// to it. Pure: it knows no storage. Every case store calls it and only
// translates its answer into writes, so that the rules are the same in every
// store and tested on their own (tests/cases/).
//
//   intake        -> AUTO_RESOLVED (AUTO_MATCH with a candidate)
//                  | PENDING_REVIEW (REVIEW) | UNMATCHED (anything else)
//   Confirm       PENDING_REVIEW | UNMATCHED | AUTO_RESOLVED -> CONFIRMED
//   MarkNoMatch   PENDING_REVIEW | UNMATCHED | AUTO_RESOLVED -> REJECTED
//   Reopen        CONFIRMED | REJECTED | AUTO_RESOLVED      -> PENDING_REVIEW
//   re-match      PENDING_REVIEW | UNMATCHED -> AUTO_RESOLVED | PENDING_REVIEW
//                 | UNMATCHED; never touches any other state.
//
// A reviewer may correct an automatic match (Confirm or MarkNoMatch on an
// AUTO_RESOLVED case). A case a reviewer has reopened is never resolved by
// the nightly job again: its candidates may be refreshed, but it stays in
// review, so a human decision is never replaced by an automatic one.
//
// Every change bumps the case version by one (intake makes version 1) and is
// described by a Change, which the store records as the case's history
// event, its feed entry and its audit row.
//
// Thread-safe: functions of their arguments only.
#ifndef KUROMARU_SERVICES_CASES_CASE_STATE_MACHINE_H_
#define KUROMARU_SERVICES_CASES_CASE_STATE_MACHINE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/review.pb.h"

namespace kuromaru::cases {

// A reviewer's decision on a case.
enum class ReviewAction { kConfirm, kMarkNoMatch, kReopen };

// What a change did, for the history, the feed and the audit trail.
struct Change {
  std::string action;  // RECONCILED, CONFIRMED, MARKED_NO_MATCH, REOPENED, …
  v1::CaseState from_state = v1::CASE_STATE_UNSPECIFIED;
  int64_t version_before = 0;
  v1::ActorKind actor_kind = v1::ACTOR_KIND_UNSPECIFIED;
  // For the audit row: states, ranks, counts, versions and insurer numbers,
  // never receipt contents.
  std::string detail;
};

// The name a state has in history, audit and messages ("PENDING_REVIEW").
const char* StateName(v1::CaseState state);
// The history and audit action of a reviewer's decision ("CONFIRMED").
const char* ActionName(ReviewAction action);

// PENDING_REVIEW and UNMATCHED: what the nightly job re-matches.
bool IsOpen(v1::CaseState state);
// CONFIRMED, REJECTED and AUTO_RESOLVED: what retention may purge.
bool IsClosed(v1::CaseState state);

// The state a fresh match puts a case in, by the result's decision alone.
v1::CaseState StateForDecision(v1::Decision decision);

// Makes `c` (whose receipt_id and result are set) a new case: its state by
// the result (AUTO_MATCH without a candidate is UNMATCHED: there is nothing
// to resolve to), resolved to the top candidate by intake when
// AUTO_RESOLVED, version 1, the result's versions.
Change Intake(v1::Case* c);

// Whether `action` is allowed on a case in `state`.
bool ReviewAllowed(ReviewAction action, v1::CaseState state);

// Applies a reviewer's decision, made on version `expected_version` of `c`.
// Confirm names one of the case's candidates by `candidate`, or, with
// `from_search`, an enrollment a roster search found (the caller checked
// that it exists; the audit detail says rank=search). *reopened is set
// when the decision reopens the case (the store keeps it: see Rematch).
// ABORTED when the case is at another version (the reviewer saw an older
// one); FAILED_PRECONDITION when the state does not allow the decision or
// the candidate is not among the case's. Nothing is changed on an error.
absl::Status Review(ReviewAction action, int64_t expected_version,
                    const v1::EnrollmentKey& candidate, bool from_search,
                    v1::Case* c, bool* reopened, Change* change);

// What a re-match did to a case.
enum class RematchOutcome {
  kResolved,   // newly AUTO_RESOLVED by the job
  kChanged,    // candidates changed; in review, previous candidates kept
  kUnchanged,  // same candidates: nothing to write
  kSkipped,    // not open any more (a reviewer or intake decided): untouched
};

// Applies the nightly job's new `result`, computed from version
// `expected_version` of `c`: a case that is not open is skipped whatever its
// version; ABORTED when an open case moved on since it was read; else an
// open case whose new result is AUTO_MATCH (and that no reviewer reopened)
// is resolved by the job, one whose candidates changed stays open with the
// old candidates kept as previous_candidates, and one with the same
// candidates is left alone. `change` is filled when the outcome is kResolved
// or kChanged.
absl::StatusOr<RematchOutcome> Rematch(const v1::MatchResult& result,
                                       int64_t expected_version, bool reopened,
                                       v1::Case* c, Change* change);

// The enrollment key of a candidate, and key equality.
v1::EnrollmentKey KeyOf(const v1::Candidate& candidate);
bool SameKey(const v1::EnrollmentKey& a, const v1::EnrollmentKey& b);

}  // namespace kuromaru::cases

#endif  // KUROMARU_SERVICES_CASES_CASE_STATE_MACHINE_H_
