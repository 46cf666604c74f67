// The durable case store: one case per reconciled receipt, the reviewers'
// decisions on it, the append-only audit trail, the results feed, and the
// state of the nightly re-match (leases and checkpoints).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CaseStore> store,
//                    SqliteStore::Open(path, SqliteOptions()));
//   ASSIGN_OR_RETURN(CaseWrite w, store->CreateCase({receipt, result, actor}));
//   // w.stored is durable here; w.replayed when the receipt was seen before.
//
// Cases, their history and the feed hold the wire forms (kuromaru.v1 protos);
// the store knows nothing of how matching works.
//
// States and who may move them (anything else is FAILED_PRECONDITION):
//
//   intake        -> AUTO_RESOLVED | PENDING_REVIEW | UNMATCHED  (by decision)
//   Confirm       PENDING_REVIEW | UNMATCHED | AUTO_RESOLVED -> CONFIRMED
//   MarkNoMatch   PENDING_REVIEW | UNMATCHED | AUTO_RESOLVED -> REJECTED
//   Reopen        CONFIRMED | REJECTED | AUTO_RESOLVED      -> PENDING_REVIEW
//   ApplyRematch  PENDING_REVIEW | UNMATCHED -> AUTO_RESOLVED | PENDING_REVIEW
//                 | UNMATCHED; never touches any other state.
//
// A reviewer may correct an automatic match (Confirm or MarkNoMatch on an
// AUTO_RESOLVED case). A case a reviewer has reopened is never resolved by
// the nightly job again: its candidates may be refreshed, but it stays in
// review, so a human decision is never replaced by an automatic one.
//
// Every change (intake, decision, re-match) bumps the case version and is
// written in one transaction with its history event, its feed entry and its
// audit row; an audited opening writes its history event and audit row in
// the transaction that reads the case. Audit rows carry actors, ids,
// versions and insurer numbers, never receipt contents, and are never
// updated or deleted: they outlive Purge().
//
// Thread-safe: every method may be called concurrently. A write returns only
// once it is durable.
#ifndef KUROMARU_SERVICES_STORE_CASE_STORE_H_
#define KUROMARU_SERVICES_STORE_CASE_STORE_H_

#include <cstdint>
#include <functional>
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
#include "kuromaru/v1/roster.pb.h"

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

// A reviewer's decision. expected_version is the version the reviewer saw;
// idempotency_key makes a retry harmless (required, unique store-wide).
struct Decision {
  std::string receipt_id;
  int64_t expected_version = 0;
  std::string idempotency_key;
  v1::EnrollmentKey candidate;  // Confirm only: one of the case's candidates
  std::string comment;
  Actor actor;
};

struct CaseFilter {
  std::vector<v1::CaseState> states;         // empty: all
  std::string service_month_from;            // YYYYMM, inclusive; empty: open
  std::string service_month_to;              // YYYYMM, inclusive; empty: open
  std::string insurer_number;                // billed, or the top candidate's
  std::optional<absl::Time> created_before;  // exclusive
  std::optional<absl::Time> created_after;   // exclusive
  int page_size = 50;                        // 1..1000; 0 means 50
  std::string page_token;  // from the previous page; bound to this filter
};

struct CasePage {
  std::vector<v1::CaseSummary> cases;  // oldest first, then by receipt_id
  std::string next_page_token;         // empty on the last page
};

struct ChangePage {
  std::vector<v1::Change> changes;  // in commit order
  // Resume from here; equals the given cursor when nothing was new.
  std::string next_cursor;
};

struct AuditFilter {
  std::optional<absl::Time> from;  // inclusive
  std::optional<absl::Time> to;    // exclusive
  std::string receipt_id;          // empty: all
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

enum class RematchOutcome {
  kResolved,   // newly AUTO_RESOLVED by the job
  kChanged,    // candidates changed; in review, previous candidates kept
  kUnchanged,  // same candidates: nothing written
  kSkipped,    // not open any more (a reviewer or intake decided): untouched
};

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

// The roster and model in service, reloaded on restart.
struct RosterState {
  std::string version;
  std::string snapshot_path;
  std::vector<std::string> delta_paths;  // in the order applied
  std::string model_path;
  std::string model_version;
  absl::Time updated_at;  // set by the store
};

struct Lease {
  std::string name;
  std::string owner;
  absl::Time expires_at;
};

struct StoreStats {
  int64_t writes = 0;   // write requests completed (including failed ones)
  int64_t commits = 0;  // transactions committed; < writes under group commit
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  // Stores a new case for a receipt. The state follows result.decision
  // (AUTO_MATCH resolves to the top candidate). The same receipt again
  // returns the stored case with replayed = true; a different receipt under
  // a known receipt_id is ALREADY_EXISTS. INVALID_ARGUMENT without a
  // receipt_id, or when result names another receipt.
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

  // Case summaries matching the filter, in a stable order. INVALID_ARGUMENT
  // for a bad page size, month or token.
  virtual absl::StatusOr<CasePage> ListCases(const CaseFilter& filter) = 0;

  // Decisions. In order of checking: INVALID_ARGUMENT (no idempotency key;
  // the key reused for another case or action), replay of a known key (the
  // first outcome, replayed = true), NOT_FOUND, ABORTED when
  // expected_version is not the current version (nothing written),
  // FAILED_PRECONDITION when the state does not allow the decision or the
  // candidate is not among the case's candidates. A replay returns the case
  // as the first call left it, with the current history; refused decisions
  // are not recorded and leave the key free.
  virtual absl::StatusOr<CaseWrite> Confirm(const Decision& d) = 0;
  virtual absl::StatusOr<CaseWrite> MarkNoMatch(const Decision& d) = 0;
  virtual absl::StatusOr<CaseWrite> Reopen(const Decision& d) = 0;

  // The nightly job's update of one case (see RematchOutcome). ABORTED when
  // the case moved on since it was read; NOT_FOUND.
  virtual absl::StatusOr<RematchWrite> ApplyRematch(const Rematch& r) = 0;

  // Open cases (PENDING_REVIEW, UNMATCHED) by receipt_id, for the job.
  virtual absl::StatusOr<std::vector<OpenCase>> ListOpenCases(
      const OpenCaseScan& scan) = 0;

  // Every change after since_cursor (empty: from the first), at most
  // page_size (1..1000; 0 means 100). INVALID_ARGUMENT for a bad cursor.
  // A change carries the case's result while it is the case's latest version;
  // a superseded change carries its state, version and resolution only (the
  // later change, further on in the feed, has the result).
  virtual absl::StatusOr<ChangePage> ListChanges(
      const std::string& since_cursor, int page_size) = 0;

  // Blocks until a change after since_cursor is committed (true) or the
  // deadline passes (false). For the server's change stream.
  virtual bool WaitForChanges(const std::string& since_cursor,
                              absl::Time deadline) = 0;

  // Calls `sink` for every audit row matching the filter, oldest first;
  // stops at the first error `sink` returns and returns it. Rows are read a
  // page at a time and `sink` runs outside any transaction, so a slow
  // consumer holds up no writer (and `sink` may call the store).
  virtual absl::Status ExportAudit(
      const AuditFilter& filter,
      const std::function<absl::Status(const v1::AuditRecord&)>& sink) = 0;

  // Deletes closed cases (CONFIRMED, REJECTED, AUTO_RESOLVED) closed before
  // `closed_before`, with their history, decisions and feed entries; writes
  // one PURGED audit row per case. Returns the number of cases deleted.
  virtual absl::StatusOr<int64_t> Purge(absl::Time closed_before,
                                        const Actor& actor) = 0;
  // How many cases Purge(closed_before, …) would delete now.
  virtual absl::StatusOr<int64_t> CountPurgeable(absl::Time closed_before) = 0;

  // Number of cases in each state (states with none are absent), from one
  // consistent read. Counts the state index, not the cases' contents.
  virtual absl::StatusOr<std::map<v1::CaseState, int64_t>> CountCases() = 0;

  // The active roster and model. GetActiveRoster is NOT_FOUND before the
  // first Put.
  virtual absl::Status PutActiveRoster(const RosterState& state) = 0;
  virtual absl::StatusOr<RosterState> GetActiveRoster() = 0;

  // Takes or renews the lease `name` for `owner` until now + ttl.
  // FAILED_PRECONDITION while another owner holds a live lease.
  virtual absl::StatusOr<Lease> AcquireLease(const std::string& name,
                                             const std::string& owner,
                                             absl::Duration ttl) = 0;
  // Releases the lease if `owner` holds it; otherwise does nothing.
  virtual absl::Status ReleaseLease(const std::string& name,
                                    const std::string& owner) = 0;

  virtual absl::Status SaveCheckpoint(const std::string& name,
                                      const std::string& value) = 0;
  // nullopt when no checkpoint was saved under `name`.
  virtual absl::StatusOr<std::optional<std::string>> LoadCheckpoint(
      const std::string& name) = 0;

  virtual StoreStats GetStats() const = 0;
};

// The state a fresh match puts a case in.
v1::CaseState StateForDecision(v1::Decision decision);

// The enrollment key of a candidate.
v1::EnrollmentKey KeyOf(const v1::Candidate& candidate);
bool SameKey(const v1::EnrollmentKey& a, const v1::EnrollmentKey& b);

// A stable partition of receipt ids into `shard_count` shards (FNV-1a), the
// same in every process and release.
int ShardOf(const std::string& receipt_id, int shard_count);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_STORE_H_
