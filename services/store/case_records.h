// What every case store writes, built without SQL: a new case made ready
// for intake, the history event, feed entry and audit row of a change, the
// columns a case is listed and filtered by, and the page tokens of
// ListCases. Internal to the store implementations (SQLite, PostgreSQL), so
// that both write the same records and only the SQL differs.
//
// Thread-safe: functions of their arguments only.
#ifndef KUROMARU_SERVICES_STORE_CASE_RECORDS_H_
#define KUROMARU_SERVICES_STORE_CASE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/review.pb.h"
#include "services/store/case_store.h"

namespace kuromaru::store {

google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);
int64_t ToMicros(absl::Time t);

// A stored case, without its history.
struct CaseRow {
  v1::Case c;
  std::string receipt_bytes;  // as stored, for the idempotency check
  bool reopened = false;      // a reviewer reopened it once
  // c.result() serialized, when the caller already has it (serialized outside
  // the writer); empty: serialized when written.
  std::string result_bytes;
};

// lead_sort of a case with no second person: after every lead.
inline constexpr double kNoLead = 1e9;

// The review queue's columns of a case whose latest result is `result`
// (cases::TraitsOf, cases::SignatureOf): what both stores filter, count and
// order the queue by.
struct QueueColumns {
  uint32_t reasons = 0;  // cases::Reason bits
  std::optional<double> lead;
  double lead_sort = kNoLead;  // the lead, or kNoLead without one
  std::string signature;       // "" when the receipt has none
};
QueueColumns QueueColumnsOf(const v1::MatchResult& result);

// The columns a case is listed, filtered and counted by, derived from it.
struct CaseColumns {
  std::string service_month;   // the normalized one, else as received
  std::string billed_insurer;  // the normalized one, else as received
  std::string top_insurer;     // the first candidate's; empty without one
  double top_probability = 0;
  int64_t candidate_count = 0;
  // updated_at when the case is closed (what retention counts from).
  std::optional<absl::Time> closed_at;
  std::string previous_bytes;  // previous candidates, as a MatchResult
  QueueColumns queue;          // of c.result()
};
CaseColumns ColumnsOf(const v1::Case& c);

// A new case, built and serialized before any transaction is taken.
struct PreparedCase {
  CaseRow row;
  Actor actor;
  cases::Change change;
  CaseWrite out;
};

// INVALID_ARGUMENT without a receipt_id, or when the result names another
// receipt; otherwise the case as cases::Intake makes it (no timestamps yet).
absl::StatusOr<PreparedCase> PrepareCase(NewCase in);

// One change of a case (the state machine's cases::Change), with who made it
// and when.
struct Transition {
  cases::Change change;
  const Actor* actor = nullptr;
  std::string comment;  // history only; may be free text
  absl::Time at;
  bool feed = true;  // also a results-feed entry (every versioned change)
};

// The rows a transition writes for the case as it is after it. The event's
// sequence is the store's to assign. The feed entry does not copy the result:
// a feed takes it from the case while the entry is the case's latest version.
struct TransitionRecords {
  v1::CaseEvent event;
  std::optional<v1::Change> change;  // when t.feed
  v1::AuditRecord audit;
};
TransitionRecords RecordsOf(const Transition& t, const v1::Case& after);

// The audit row of a case deleted by retention.
v1::AuditRecord PurgedAudit(const std::string& receipt_id, int64_t version,
                            v1::CaseState state, absl::Time at,
                            const Actor& actor);

// INVALID_ARGUMENT unless `month` is empty or YYYYMM digits.
absl::Status CheckMonth(const std::string& month);

// ListCases: the page size (0 means 50; INVALID_ARGUMENT outside 1..1000),
// after checking the filter's months.
absl::StatusOr<int> CheckCaseFilter(const CaseFilter& f);

// Where a page of ListCases ends: the last case's creation and id.
struct PagePosition {
  int64_t created_us = 0;
  std::string receipt_id;
};
// A token bound to the filter, so that it is not replayed against another.
std::string EncodePageToken(const CaseFilter& f, const PagePosition& p);
// nullopt for the first page; INVALID_ARGUMENT for a bad or foreign token.
absl::StatusOr<std::optional<PagePosition>> DecodePageToken(
    const CaseFilter& f);

// Where a page of the review queue (Order::kPriority) ends: the sort key of
// its last case.
struct QueuePosition {
  int64_t rank = 0;  // 0 for PENDING_REVIEW, 1 for any other state
  std::string month;
  double lead_sort = 0;
  std::string receipt_id;
};
std::string EncodeQueueToken(const CaseFilter& f, const QueuePosition& p);
// nullopt for the first page; INVALID_ARGUMENT for a bad or foreign token.
absl::StatusOr<std::optional<QueuePosition>> DecodeQueueToken(
    const CaseFilter& f);

// CountQueue: adds `n` cases in `state` with `reasons` (one group of the
// filter without its states and reasons) to `counts`, by the rules of
// QueueCounts.
void AddQueueGroup(const CaseFilter& f, v1::CaseState state, uint32_t reasons,
                   int64_t n, QueueCounts* counts);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_RECORDS_H_
