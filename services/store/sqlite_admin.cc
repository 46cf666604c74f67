// Retention: deleting closed cases past their time, each one audited.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_state_machine.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr int kPurgeBatch = 500;

}  // namespace

absl::StatusOr<int64_t> SqliteCaseStore::Purge(absl::Time closed_before,
                                               const Actor& actor) {
  int64_t total = 0;
  // Small transactions, so that intake is not held up behind a long purge.
  while (true) {
    int64_t purged = 0;
    absl::Status done = Write([&](Connection& db) -> absl::Status {
      purged = 0;
      ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT receipt_id, version, state "
                                          "FROM cases WHERE closed_us < ? "
                                          "ORDER BY closed_us LIMIT ?"));
      s->Bind(1, ToMicros(closed_before))
          .Bind(2, static_cast<int64_t>(kPurgeBatch));
      std::vector<v1::AuditRecord> rows;
      const absl::Time now = Now();
      while (true) {
        ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        rows.push_back(PurgedAudit(s->Text(0), s->Int(1),
                                   static_cast<v1::CaseState>(s->Int(2)), now,
                                   actor));
      }
      ASSIGN_OR_RETURN(auto del,
                       db.Prepare("DELETE FROM cases WHERE receipt_id = ?"));
      for (const v1::AuditRecord& a : rows) {
        del->Bind(1, a.receipt_id());
        RETURN_IF_ERROR(del->Run());
        del->Reset();
        RETURN_IF_ERROR(AppendAudit(db, a));
      }
      purged = static_cast<int64_t>(rows.size());
      return absl::OkStatus();
    });
    if (!done.ok()) return done;
    total += purged;
    if (purged < kPurgeBatch) return total;
  }
}

}  // namespace kuromaru::store
