// The review queue of the PostgreSQL store: cases in priority order, the
// counts of the queue's filter chips, and one person's other open cases
// (CaseRepository::ListCases with Order::kPriority, CountQueue,
// ListSameSignature). The same queries as the SQLite store's
// (sqlite_queue.cc), on the same columns (case_records.h, QueueColumnsOf)
// and index shapes (postgres_schema.cc, schema v2); the order, the page
// tokens and the folding of the counts are shared (case_records.h).
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/case_records.h"
#include "services/store/postgres_rows.h"
#include "services/store/postgres_store_impl.h"

namespace kuromaru::store {
namespace {

using pg::ArrayBuilder;
using pg::Connection;
using pg::Params;
using pg::Result;

constexpr int kMaxPageSize = 1000;

// Builds a WHERE clause and its parameters, numbered in order.
class Where {
 public:
  std::string sql = " WHERE true";
  Params params;

  // The next parameter's placeholder, $n.
  std::string Next() { return absl::StrCat("$", ++n_); }

  // The filter's conditions (its states and reasons only when asked). One
  // state is an equality, so that the index gives the queue's order.
  void AddFilter(const CaseFilter& f, bool states, bool reasons) {
    if (states && f.states.size() == 1) {
      params.Int4(f.states[0]);
      absl::StrAppend(&sql, " AND state = ", Next());
    } else if (states && !f.states.empty()) {
      ArrayBuilder a(pg::kInt4);
      for (v1::CaseState s : f.states) a.Add(pg::EncodeInt4(s));
      params.Array(pg::kInt4Array, a);
      absl::StrAppend(&sql, " AND state = ANY(", Next(), ")");
    }
    if (!f.service_month_from.empty()) {
      params.Text(f.service_month_from);
      absl::StrAppend(&sql, " AND service_month >= ", Next());
    }
    if (!f.service_month_to.empty()) {
      params.Text(f.service_month_to);
      absl::StrAppend(&sql, " AND service_month <= ", Next());
    }
    if (!f.insurer_number.empty()) {
      params.Text(f.insurer_number);
      const std::string i = Next();
      absl::StrAppend(&sql, " AND (billed_insurer = ", i,
                      " OR top_insurer = ", i, ")");
    }
    if (f.created_before) {
      params.Time(*f.created_before);
      absl::StrAppend(&sql, " AND created_at < ", Next());
    }
    if (f.created_after) {
      params.Time(*f.created_after);
      absl::StrAppend(&sql, " AND created_at > ", Next());
    }
    if (reasons && f.reasons != 0) {
      params.Int4(static_cast<int32_t>(f.reasons));
      absl::StrAppend(&sql, " AND (reasons & ", Next(), ") <> 0");
    }
  }

 private:
  int n_ = 0;
};

// The query for the cases of one rank of the queue after `after` (when it
// is in this rank), at most `limit`, in the order of the cases_queue index.
std::string RankQuery(const CaseFilter& f, int64_t rank,
                      const std::vector<v1::CaseState>& states,
                      const std::optional<QueuePosition>& after, int64_t limit,
                      Params* params) {
  CaseFilter part = f;
  part.states = states;
  Where where;
  where.AddFilter(part, /*states=*/true, /*reasons=*/true);
  if (f.states.empty()) {
    where.sql += rank == 0 ? " AND state = 2" : " AND state <> 2";
  }
  if (after && after->rank == rank) {
    where.params.Text(after->month)
        .Real(after->lead_sort)
        .Text(after->receipt_id);
    const std::string month = where.Next(), lead = where.Next();
    absl::StrAppend(&where.sql,
                    " AND (service_month, lead_sort, receipt_id) > (", month,
                    ", ", lead, ", ", where.Next(), ")");
  }
  where.params.Int(limit);
  std::string sql = absl::StrCat(
      "SELECT ", pg::kSummarySelect, ", lead_sort FROM cases", where.sql,
      " ORDER BY service_month, lead_sort, receipt_id LIMIT ", where.Next());
  *params = std::move(where.params);
  return sql;
}

}  // namespace

absl::StatusOr<CasePage> PostgresCaseStore::ListQueue(const CaseFilter& f) {
  ASSIGN_OR_RETURN(const int page_size, CheckCaseFilter(f));
  ASSIGN_OR_RETURN(std::optional<QueuePosition> after, DecodeQueueToken(f));
  // PENDING_REVIEW ranks first, then the other states asked for; each rank
  // is read on its own, in index order, never sorted whole.
  std::vector<v1::CaseState> pending, others;
  for (v1::CaseState s : f.states) {
    (s == v1::CASE_STATE_PENDING_REVIEW ? pending : others).push_back(s);
  }
  CasePage page;
  std::vector<QueuePosition> positions;
  auto work = [&](Connection& c) -> absl::Status {
    page.cases.clear();
    positions.clear();
    for (int64_t rank = 0; rank < 2; ++rank) {
      if (after && after->rank > rank) continue;
      const std::vector<v1::CaseState>& states = rank == 0 ? pending : others;
      if (!f.states.empty() && states.empty()) continue;
      Params params;
      const std::string sql = RankQuery(
          f, rank, states, after,
          page_size + 1 - static_cast<int64_t>(page.cases.size()), &params);
      ASSIGN_OR_RETURN(Result r, c.RunSql(sql, params));
      for (int i = 0; i < r.rows(); ++i) {
        page.cases.push_back(pg::ReadSummary(r, i));
        positions.push_back({rank, r.Text(i, 3), r.Real(i, 12), r.Text(i, 0)});
      }
      if (page.cases.size() > static_cast<size_t>(page_size)) break;
    }
    return absl::OkStatus();
  };
  // One read transaction: both ranks see one snapshot.
  RETURN_IF_ERROR(Read(work));
  if (page.cases.size() > static_cast<size_t>(page_size)) {
    page.cases.resize(page_size);
    page.next_page_token = EncodeQueueToken(f, positions[page_size - 1]);
  }
  return page;
}

absl::StatusOr<QueueCounts> PostgresCaseStore::CountQueue(const CaseFilter& f) {
  RETURN_IF_ERROR(CheckMonth(f.service_month_from));
  RETURN_IF_ERROR(CheckMonth(f.service_month_to));
  // One pass over the (state, reasons) groups of the filter without its
  // states and reasons (the cases_counts index); the counts are folded from
  // them as the SQLite store folds them.
  Where where;
  where.AddFilter(f, /*states=*/false, /*reasons=*/false);
  const std::string sql =
      absl::StrCat("SELECT state, reasons, count(*) FROM cases", where.sql,
                   " GROUP BY state, reasons");
  QueueCounts counts;
  auto work = [&](Connection& c) -> absl::Status {
    counts = QueueCounts();
    ASSIGN_OR_RETURN(Result r, c.RunSql(sql, where.params));
    for (int i = 0; i < r.rows(); ++i) {
      AddQueueGroup(f, static_cast<v1::CaseState>(r.Int(i, 0)),
                    static_cast<uint32_t>(r.Int(i, 1)), r.Int(i, 2), &counts);
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return counts;
}

absl::StatusOr<std::vector<v1::CaseSummary>>
PostgresCaseStore::ListSameSignature(const std::string& receipt_id, int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return absl::InvalidArgumentError("limit is 1..1000");
  }
  // `signature <> ''` lets the planner use the partial index
  // cases_by_signature whatever the value bound.
  const std::string sql =
      absl::StrCat("SELECT ", pg::kSummarySelect,
                   " FROM cases WHERE signature = $1 AND signature <> '' AND "
                   "state IN (2, 3) AND receipt_id <> $2 "
                   "ORDER BY created_at, receipt_id LIMIT $3");
  std::vector<v1::CaseSummary> out;
  auto work = [&](Connection& c) -> absl::Status {
    out.clear();
    ASSIGN_OR_RETURN(
        Result own,
        c.RunSql("SELECT signature FROM cases WHERE receipt_id = $1",
                 Params().Text(receipt_id)));
    if (own.rows() == 0) return absl::NotFoundError("no such case");
    const std::string signature = own.Text(0, 0);
    if (signature.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        Result r,
        c.RunSql(sql, Params().Text(signature).Text(receipt_id).Int(limit)));
    for (int i = 0; i < r.rows(); ++i) out.push_back(pg::ReadSummary(r, i));
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return out;
}

}  // namespace kuromaru::store
