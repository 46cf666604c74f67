// Reading and writing the PostgreSQL store's rows inside a transaction the
// caller holds: cases, their history, the feed and the audit trail. Internal
// to the PostgreSQL store.
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_ROWS_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kuromaru/v1/case.pb.h"
#include "kuromaru/v1/review.pb.h"
#include "services/store/case_records.h"
#include "services/store/postgres_db.h"

namespace kuromaru::store::pg {

// nullopt when there is no case `receipt_id`; with `lock`, the row stays
// locked (FOR UPDATE) until the transaction ends.
absl::StatusOr<std::optional<CaseRow>> LoadCase(Connection& c,
                                                const std::string& receipt_id,
                                                bool lock);
// The cases among `receipt_ids` that exist, with their histories.
absl::StatusOr<std::vector<CaseRow>> LoadCases(
    Connection& c, const std::vector<std::string>& receipt_ids);
// Appends the case's history, oldest first.
absl::Status LoadHistory(Connection& c, v1::Case* c_out);

// Writes every column of the stored case `row` (which exists).
absl::Status UpdateCase(Connection& c, const CaseRow& row);

// Writes the history event, the feed entry (when t.feed) and the audit row
// for `after`, and appends the event to after->history.
absl::Status RecordTransition(Connection& c, const Transition& t,
                              v1::Case* after);

// Decodes a case's stored columns (in kCaseSelect order from `col`).
absl::StatusOr<CaseRow> ReadCase(const Result& r, int row);
// The columns ReadCase reads, for SELECT lists.
extern const char kCaseSelect[];

// The columns of a case summary, for SELECT lists, and their reader (from
// column 0).
extern const char kSummarySelect[];
v1::CaseSummary ReadSummary(const Result& r, int row);

// The audit row's columns in ExportAudit order, and their reader.
extern const char kAuditSelect[];
v1::AuditRecord ReadAudit(const Result& r, int row);

// Appends audit rows (one statement).
absl::Status AppendAudit(Connection& c,
                         const std::vector<v1::AuditRecord>& rows);

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_ROWS_H_
