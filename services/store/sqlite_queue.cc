// The review queue of the SQLite store: cases in priority order, the counts
// of the queue's filter chips, and one person's other open cases
// (CaseRepository::ListCases with Order::kPriority, CountQueue,
// ListSameSignature). The queue columns are written with every result
// (case_rows.cc, BindQueueTraits) and indexed by cases_queue.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/hash.h"
#include "base/status_macros.h"
#include "services/cases/case_state_machine.h"
#include "services/cases/queue_traits.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr int kMaxPageSize = 1000;

// Where a page of the queue ends: the sort key of its last case.
struct QueuePosition {
  int64_t rank = 0;  // 0 for PENDING_REVIEW, 1 for any other state
  std::string month;
  double lead = 0;
  std::string receipt_id;
};

absl::Status CheckMonth(const std::string& month) {
  if (month.empty()) return absl::OkStatus();
  bool digits = month.size() == 6;
  for (char ch : month) digits = digits && ch >= '0' && ch <= '9';
  if (!digits) return absl::InvalidArgumentError("months are YYYYMM");
  return absl::OkStatus();
}

std::string Fingerprint(const CaseFilter& f) {
  std::string canonical = "queue";
  for (v1::CaseState s : f.states) absl::StrAppend(&canonical, ",", s);
  absl::StrAppend(&canonical, "|", f.service_month_from, "|",
                  f.service_month_to, "|", f.insurer_number, "|", f.reasons);
  return absl::StrCat(base::Fnv1a64(canonical));
}

std::string EncodeToken(const CaseFilter& f, const QueuePosition& p) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(Fingerprint(f), ":", p.rank, ":", p.month, ":",
                   absl::StrFormat("%.17g", p.lead), ":", p.receipt_id));
}

absl::StatusOr<std::optional<QueuePosition>> DecodeToken(const CaseFilter& f) {
  if (f.page_token.empty()) return std::optional<QueuePosition>();
  const absl::Status bad = absl::InvalidArgumentError("bad page token");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(f.page_token, &raw)) return bad;
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits(':', 4));
  QueuePosition p;
  if (parts.size() != 5 || parts[0] != Fingerprint(f) ||
      !absl::SimpleAtoi(parts[1], &p.rank) ||
      !absl::SimpleAtod(parts[3], &p.lead)) {
    return bad;
  }
  p.month = parts[2];
  p.receipt_id = parts[4];
  return std::optional<QueuePosition>(std::move(p));
}

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
  const int page_size = f.page_size == 0 ? 50 : f.page_size;
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError("page_size is 1..1000");
  }
  RETURN_IF_ERROR(CheckMonth(f.service_month_from));
  RETURN_IF_ERROR(CheckMonth(f.service_month_to));
  ASSIGN_OR_RETURN(std::optional<QueuePosition> after, DecodeToken(f));
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
        s->Bind(i + 2, after->lead);
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
    page.next_page_token = EncodeToken(f, positions[page_size - 1]);
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
  auto in_states = [&f](v1::CaseState s) {
    return f.states.empty() ||
           std::find(f.states.begin(), f.states.end(), s) != f.states.end();
  };
  RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare(sql));
    Bind(*s, where);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      const auto state = static_cast<v1::CaseState>(s->Int(0));
      const auto reasons = static_cast<uint32_t>(s->Int(1));
      const int64_t n = s->Int(2);
      const bool reason_ok = f.reasons == 0 || (reasons & f.reasons) != 0;
      if (reason_ok) counts.by_state[state] += n;
      if (in_states(state)) {
        for (int bit = 0; bit < cases::kReasonCount; ++bit) {
          if (reasons & (1u << bit)) counts.by_reason[1u << bit] += n;
        }
      }
      if (reason_ok && in_states(state)) counts.total += n;
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
