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
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/review.pb.h"
#include "services/store/case_records.h"
#include "services/store/case_store.h"
#include "services/store/sqlite_db.h"

namespace kuromaru::store {

// nullopt when there is no case `receipt_id`.
absl::StatusOr<std::optional<CaseRow>> LoadCase(Connection& db,
                                                const std::string& receipt_id);
// Appends the case's history, oldest first.
absl::Status LoadHistory(Connection& db, v1::Case* c);

// The columns of a case summary, in ReadSummary's order.
extern const char kSummaryColumns[];
// A case summary from a row of kSummaryColumns (from column 0).
v1::CaseSummary ReadSummary(const Statement& s);

// Binds the queue columns (reasons, lead, lead_sort, signature) from
// parameter `first` on.
void BindQueueColumns(Statement& s, const QueueColumns& q, int first);

absl::Status InsertCase(Connection& db, const CaseRow& row);
absl::Status UpdateCase(Connection& db, const CaseRow& row);

// Writes the history event, the feed entry (when t.feed) and the audit row
// for `after`, and appends the event to after->history. The feed entry does
// not copy the result: ListChanges takes it from the case while the entry is
// the case's latest version (see CaseStore::ListChanges).
absl::Status RecordTransition(Connection& db, const Transition& t,
                              v1::Case* after);

absl::Status AppendAudit(Connection& db, const v1::AuditRecord& record);

}  // namespace kuromaru::store

#endif  // KUROMARU_SERVICES_STORE_CASE_ROWS_H_
