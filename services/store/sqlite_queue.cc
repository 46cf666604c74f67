// The review queue of the SQLite store: cases in priority order, the counts
// of the queue's filter chips, and one person's other open cases
// (CaseRepository::ListCases with Order::kPriority, CountQueue,
// ListSameSignature). The queue columns are written with every result
// (case_records.h, QueueColumnsOf) and indexed by cases_queue.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/case_state_machine.h"
#include "services/cases/queue_traits.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr int kMaxPageSize = 1000;

// The WHERE clause of a filter (its states and reasons only when asked), and
// its parameters, bound in order by Bind.
struct Where {
  std::string sql = " WHERE 1";
  std::vector<std::string> text;  // parameters, in order
  std::vector<int> kinds;         // 0 text, 1 integer (from text)
};

void Add(Where* w, const char* clause, std::string value, bool integer) {
  w->sql += clause;
  w->text.push_back(std::move(value));
  w->kinds.push_back(integer ? 1 : 0);
}

Where WhereOf(const CaseFilter& f, bool states, bool reasons) {
  Where w;
  if (states && !f.states.empty()) {
    w.sql += " AND state IN (";
    for (size_t i = 0; i < f.states.size(); ++i) {
      w.sql += i == 0 ? "?" : ",?";
      w.text.push_back(absl::StrCat(static_cast<int>(f.states[i])));
      w.kinds.push_back(1);
    }
    w.sql += ")";
  }
  if (!f.service_month_from.empty()) {
    Add(&w, " AND service_month >= ?", f.service_month_from, false);
  }
  if (!f.service_month_to.empty()) {
    Add(&w, " AND service_month <= ?", f.service_month_to, false);
  }
  if (!f.insurer_number.empty()) {
    Add(&w, " AND (billed_insurer = ?", f.insurer_number, false);
    Add(&w, " OR top_insurer = ?)", f.insurer_number, false);
  }
  if (f.created_before) {
    Add(&w, " AND created_us < ?", absl::StrCat(ToMicros(*f.created_before)),
        true);
  }
  if (f.created_after) {
    Add(&w, " AND created_us > ?", absl::StrCat(ToMicros(*f.created_after)),
        true);
  }
  if (reasons && f.reasons != 0) {
    Add(&w, " AND (reasons & ?) != 0", absl::StrCat(f.reasons), true);
  }
  return w;
}

int Bind(Statement& s, const Where& w) {
  int i = 0;
  for (size_t k = 0; k < w.text.size(); ++k) {
    if (w.kinds[k] == 1) {
      int64_t v = 0;
      (void)absl::SimpleAtoi(w.text[k], &v);
      s.Bind(++i, v);
    } else {
      s.Bind(++i, w.text[k]);
    }
  }
  return i;
}

}  // namespace

absl::StatusOr<CasePage> SqliteCaseStore::ListQueue(const CaseFilter& f) {
  ASSIGN_OR_RETURN(const int page_size, CheckCaseFilter(f));
  ASSIGN_OR_RETURN(std::optional<QueuePosition> after, DecodeQueueToken(f));
  // PENDING_REVIEW (2) ranks first, then the other states asked for. Each
  // rank is read on its own, in the order of the cases_queue index, so that
  // the usual queue (one state) is read in index order, never sorted whole.
  std::vector<v1::CaseState> pending, others;
  for (v1::CaseState s : f.states) {
    (s == v1::CASE_STATE_PENDING_REVIEW ? pending : others).push_back(s);
  }
  CasePage page;
  std::vector<QueuePosition> positions;
  for (int64_t rank = 0; rank < 2; ++rank) {
    if (after && after->rank > rank) continue;
    if (!f.states.empty() && (rank == 0 ? pending : others).empty()) continue;
    CaseFilter part = f;
    part.states = rank == 0 ? pending : others;
    Where where = WhereOf(part, /*states=*/true, /*reasons=*/true);
    if (f.states.empty()) {
      where.sql += rank == 0 ? " AND state = 2" : " AND state != 2";
    }
    std::string sql = absl::StrCat("SELECT ", kSummaryColumns, ", ", rank,
                                   ", lead_sort FROM cases", where.sql);
    const bool resume = after && after->rank == rank;
    if (resume) {
      absl::StrAppend(
          &sql, " AND (service_month, lead_sort, receipt_id) > (?, ?, ?)");
    }
    absl::StrAppend(&sql,
                    " ORDER BY service_month, lead_sort, receipt_id LIMIT ?");
    const int64_t wanted =
        page_size + 1 - static_cast<int64_t>(page.cases.size());
    RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
      ASSIGN_OR_RETURN(auto s, db.Prepare(sql));
      int i = Bind(*s, where);
      if (resume) {
        s->Bind(i + 1, after->month);
        s->Bind(i + 2, after->lead_sort);
        s->Bind(i + 3, after->receipt_id);
        i += 3;
      }
      s->Bind(++i, wanted);
      while (true) {
        ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        page.cases.push_back(ReadSummary(*s));
        positions.push_back({s->Int(12), s->Text(3), s->Real(13), s->Text(0)});
      }
      return absl::OkStatus();
    }));
    if (page.cases.size() > static_cast<size_t>(page_size)) break;
  }
  if (page.cases.size() > static_cast<size_t>(page_size)) {
    page.cases.resize(page_size);
    page.next_page_token = EncodeQueueToken(f, positions[page_size - 1]);
  }
  return page;
}

absl::StatusOr<QueueCounts> SqliteCaseStore::CountQueue(const CaseFilter& f) {
  RETURN_IF_ERROR(CheckMonth(f.service_month_from));
  RETURN_IF_ERROR(CheckMonth(f.service_month_to));
  // One pass over (state, reasons) groups of the filter without its states
  // and reasons; the three counts are folded from them.
  const Where where = WhereOf(f, /*states=*/false, /*reasons=*/false);
  const std::string sql =
      absl::StrCat("SELECT state, reasons, COUNT(*) FROM cases", where.sql,
                   " GROUP BY state, reasons");
  QueueCounts counts;
  RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare(sql));
    Bind(*s, where);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      AddQueueGroup(f, static_cast<v1::CaseState>(s->Int(0)),
                    static_cast<uint32_t>(s->Int(1)), s->Int(2), &counts);
    }
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<v1::CaseSummary>> SqliteCaseStore::ListSameSignature(
    const std::string& receipt_id, int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return absl::InvalidArgumentError("limit is 1..1000");
  }
  std::vector<v1::CaseSummary> out;
  RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        auto own,
        db.Prepare("SELECT signature FROM cases WHERE receipt_id = ?"));
    own->Bind(1, receipt_id);
    ASSIGN_OR_RETURN(bool found, own->Step());
    if (!found) return absl::NotFoundError("no such case");
    const std::string signature = own->Text(0);
    if (signature.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(
        auto s, db.Prepare(absl::StrCat(
                    "SELECT ", kSummaryColumns,
                    // `signature != ''` lets SQLite use the partial index
                    // cases_by_signature: it cannot see that the bound value is
                    // not empty, and would otherwise read every open case.
                    " FROM cases WHERE signature = ? AND signature != '' AND "
                    "state IN (2, 3) AND receipt_id != ? "
                    "ORDER BY created_us, receipt_id LIMIT ?")));
    s->Bind(1, signature)
        .Bind(2, receipt_id)
        .Bind(3, static_cast<int64_t>(limit));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      out.push_back(ReadSummary(*s));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kuromaru::store
