// Reading and writing the case store's rows inside a transaction the caller
// holds: cases, their history events, the results feed and the audit trail.
// Internal to the SQLite store.
#ifndef KUROMARU_SERVICES_STORE_CASE_ROWS_H_
#define KUROMARU_SERVICES_STORE_CASE_ROWS_H_

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
#include "services/store/sqlite_db.h"

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

// nullopt when there is no case `receipt_id`.
absl::StatusOr<std::optional<CaseRow>> LoadCase(Connection& db,
                                                const std::string& receipt_id);
// Appends the case's history, oldest first.
absl::Status LoadHistory(Connection& db, v1::Case* c);

// The columns of a case summary, in ReadSummary's order.
extern const char kSummaryColumns[];
// A case summary from a row of kSummaryColumns (from column 0).
v1::CaseSummary ReadSummary(const Statement& s);

// lead_sort of a case with no second person: after every lead.
inline constexpr double kNoLead = 1e9;

// Binds the queue columns (reasons, lead, lead_sort, signature) of a case
// whose latest result is `result`, from parameter `first` on.
void BindQueueTraits(Statement& s, const v1::MatchResult& result, int first);

absl::Status InsertCase(Connection& db, const CaseRow& row);
absl::Status UpdateCase(Connection& db, const CaseRow& row);

// One change of a case (the state machine's cases::Change), as recorded by
// RecordTransition, with who made it and when.
struct Transition {
  cases::Change change;
  const Actor* actor = nullptr;
  std::string comment;  // history only; may be free text
  absl::Time at;
  bool feed = true;  // also a results-feed entry (every versioned change)
};

// Writes the history event, the feed entry (when t.feed) and the audit row
// for `after`, and appends the event to after->history. The feed entry does
// not copy the result: ListChanges takes it from the case while the entry is
// the case's latest version (see CaseStore::ListChanges).
absl::Status RecordTransition(Connection& db, const Transition& t,
                              v1::Case* after);

absl::Status AppendAudit(Connection& db, const v1::AuditRecord& record);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_ROWS_H_
