// Cases and decisions: one case per reconciled receipt, what reviewers
// decide on it, what the nightly job re-matches, and retention. Part of the
// case store contract (case_store.h).
//
//   ASSIGN_OR_RETURN(CaseWrite w, store->CreateCase({receipt, result, actor}));
//   // w.stored is durable here; w.replayed when the receipt was seen before.
//
// Which state a case is in and what may move it is the case state machine's
// (services/cases/case_state_machine.h); an implementation calls it and
// writes what it answers. Every change (intake, decision, re-match) bumps the
// case version and is written in one transaction with its history event,
// its feed entry and its audit row; an audited opening writes its history
// event and audit row in the transaction that reads the case. Audit rows
// carry actors, ids, versions and insurer numbers, never receipt contents.
//
// Thread-safe: every method may be called concurrently, from several
// processes or replicas sharing the store. A write returns only once it is
// durable.
#ifndef KUROMARU_SERVICES_STORE_CASE_REPOSITORY_H_
#define KUROMARU_SERVICES_STORE_CASE_REPOSITORY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/receipt.pb.h"
#include "kuromaru/v1/review.pb.h"
#include "services/cases/case_state_machine.h"

namespace kuromaru::store {

// Who asked, for the history and the audit trail. No patient data.
struct Actor {
  std::string subject;     // token subject, or the job's name
  std::string role;        // claims, reviewer, admin, job
  std::string request_id;  // the request that caused the write
  std::string peer;        // the caller's address
};

struct NewCase {
  v1::Receipt receipt;     // as received; its receipt_id is the case's key
  v1::MatchResult result;  // decides the initial state; carries the versions
  Actor actor;
};

// A case after a write (or as stored, when replayed).
struct CaseWrite {
  v1::Case stored;        // with its history
  bool replayed = false;  // nothing was written: the request was seen before
};

// A reviewer's decision on one case. expected_version is the version the
// reviewer saw; idempotency_key makes a retry harmless (required, unique
// store-wide).
struct ReviewerDecision {
  std::string receipt_id;
  int64_t expected_version = 0;
  std::string idempotency_key;
  v1::EnrollmentKey candidate;  // Confirm only: one of the case's candidates
  // Confirm only: `candidate` came from a roster search (the caller checked
  // that the roster holds it) and need not be among the case's candidates.
  bool from_search = false;
  std::string comment;
  Actor actor;
};

struct CaseFilter {
  enum class Order {
    kCreated,  // oldest first, then by receipt_id
    // The review queue's: PENDING_REVIEW first, then the oldest service
    // month, then the smallest lead of the best candidate (none: last), then
    // by receipt_id.
    kPriority,
  };
  std::vector<v1::CaseState> states;         // empty: all
  std::string service_month_from;            // YYYYMM, inclusive; empty: open
  std::string service_month_to;              // YYYYMM, inclusive; empty: open
  std::string insurer_number;                // billed, or the top candidate's
  std::optional<absl::Time> created_before;  // exclusive
  std::optional<absl::Time> created_after;   // exclusive
  // Any of these cases::Reason bits (queue_traits.h); 0: any case.
  uint32_t reasons = 0;
  Order order = Order::kCreated;
  int page_size = 50;      // 1..1000; 0 means 50
  std::string page_token;  // from the previous page; bound to this filter
};

// How many cases a filter finds, and how many each of its state and reason
// choices would: `by_state` ignores the filter's states, `by_reason` its
// reasons (so that a reviewer sees what another choice would give). A case
// counts once per reason it has.
struct QueueCounts {
  int64_t total = 0;
  std::map<v1::CaseState, int64_t> by_state;
  std::map<uint32_t, int64_t> by_reason;  // by cases::Reason bit
};

struct CasePage {
  std::vector<v1::CaseSummary> cases;  // in the filter's order
  std::string next_page_token;         // empty on the last page
};

// A re-match of one open case by the nightly job.
struct Rematch {
  std::string receipt_id;
  int64_t expected_version = 0;
  v1::MatchResult result;  // carries the roster and model versions
  Actor actor;
  // Saved in the same transaction when checkpoint_name is set, so that a
  // job that is killed resumes exactly after the last applied case.
  std::string checkpoint_name;
  std::string checkpoint_value;
};

using RematchOutcome = cases::RematchOutcome;

struct RematchWrite {
  RematchOutcome outcome = RematchOutcome::kUnchanged;
  int64_t version = 0;  // the case version after the call
};

// An open case as the nightly job needs it.
struct OpenCase {
  std::string receipt_id;
  int64_t version = 0;
  v1::CaseState state = v1::CASE_STATE_UNSPECIFIED;
  v1::Receipt receipt;
};

struct OpenCaseScan {
  std::string service_month_from;  // YYYYMM, inclusive; empty: open
  std::string service_month_to;
  int shard_index = 0;  // with shard_count > 1: only ShardOf() == shard_index
  int shard_count = 1;
  std::string after_receipt_id;  // resume point; empty: from the start
  int limit = 500;
};

class CaseRepository {
 public:
  virtual ~CaseRepository() = default;

  // Stores a new case for a receipt, in the state cases::Intake gives it.
  // The same receipt again returns the stored case with replayed = true; a
  // different receipt under a known receipt_id is ALREADY_EXISTS.
  // INVALID_ARGUMENT without a receipt_id, or when result names another
  // receipt.
  virtual absl::StatusOr<CaseWrite> CreateCase(NewCase c) = 0;

  // CreateCase for each, in order: each case succeeds or fails on its own,
  // and all are durable when this returns. A store may commit them together,
  // so a caller with many receipts at hand waits once instead of many times.
  virtual std::vector<absl::StatusOr<CaseWrite>> CreateCases(
      std::vector<NewCase> cases) = 0;

  // The case with its history. With audit_open, the opening is written to
  // the history and the audit trail in the transaction that reads the case
  // (an OPENED event; the version does not change and the feed does not
  // see it). NOT_FOUND.
  virtual absl::StatusOr<v1::Case> GetCase(const std::string& receipt_id,
                                           const Actor& actor,
                                           bool audit_open) = 0;

  // Case summaries matching the filter, in its order. INVALID_ARGUMENT for a
  // bad page size, month or token.
  virtual absl::StatusOr<CasePage> ListCases(const CaseFilter& filter) = 0;

  // The counts of the review queue's filter chips (QueueCounts); the page
  // size, token and order of `filter` are ignored. INVALID_ARGUMENT for a bad
  // month.
  virtual absl::StatusOr<QueueCounts> CountQueue(const CaseFilter& filter) = 0;

  // The other open cases (PENDING_REVIEW, UNMATCHED) about the same person as
  // `receipt_id` (the same cases::SignatureOf), oldest first, at most
  // `limit`: a reviewer may give each the same decision. Empty when the case
  // has no signature; NOT_FOUND for an unknown case.
  virtual absl::StatusOr<std::vector<v1::CaseSummary>> ListSameSignature(
      const std::string& receipt_id, int limit) = 0;

  // Reviewers' decisions (cases::Review). In order of checking:
  // INVALID_ARGUMENT (no idempotency key; the key reused for another case or
  // action), replay of a known key (the first outcome, replayed = true),
  // NOT_FOUND, ABORTED when expected_version is not the current version
  // (nothing written), FAILED_PRECONDITION when the state does not allow the
  // decision or the candidate is not among the case's candidates. A replay
  // returns the case as the first call left it, with the current history;
  // refused decisions are not recorded and leave the key free. Concurrent
  // decisions on one version: one wins, the others are ABORTED.
  virtual absl::StatusOr<CaseWrite> Confirm(const ReviewerDecision& d) = 0;
  virtual absl::StatusOr<CaseWrite> MarkNoMatch(const ReviewerDecision& d) = 0;
  virtual absl::StatusOr<CaseWrite> Reopen(const ReviewerDecision& d) = 0;

  // The nightly job's update of one case (cases::Rematch). ABORTED when the
  // case moved on since it was read; NOT_FOUND.
  virtual absl::StatusOr<RematchWrite> ApplyRematch(const Rematch& r) = 0;

  // Open cases (PENDING_REVIEW, UNMATCHED) by receipt_id, for the job.
  virtual absl::StatusOr<std::vector<OpenCase>> ListOpenCases(
      const OpenCaseScan& scan) = 0;

  // Deletes closed cases (CONFIRMED, REJECTED, AUTO_RESOLVED) closed before
  // `closed_before`, with their history, decisions and feed entries; writes
  // one PURGED audit row per case. Returns the number of cases deleted.
  virtual absl::StatusOr<int64_t> Purge(absl::Time closed_before,
                                        const Actor& actor) = 0;
  // How many cases Purge(closed_before, …) would delete now.
  virtual absl::StatusOr<int64_t> CountPurgeable(absl::Time closed_before) = 0;

  // Number of cases in each state (states with none are absent), from one
  // consistent read.
  virtual absl::StatusOr<std::map<v1::CaseState, int64_t>> CountCases() = 0;
};

// A stable partition of receipt ids into `shard_count` shards (FNV-1a), the
// same in every process and release.
int ShardOf(const std::string& receipt_id, int shard_count);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_REPOSITORY_H_
