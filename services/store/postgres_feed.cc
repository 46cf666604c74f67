// The results feed and the audit export. A feed position is the writing
// transaction's id and the row's number, "<xid>-<seq>"; a plain "<seq>"
// (a cursor of the SQLite store this one was moved from) is a position
// among the moved rows, whose xid is 0.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "services/store/postgres_rows.h"
#include "services/store/postgres_store_impl.h"

namespace kuromaru::store {
namespace {

using pg::Connection;
using pg::Params;
using pg::Query;
using pg::Result;

constexpr int kAuditPage = 1000;

// Only changes whose transactions are older than every transaction still
// running: one that commits later can only add changes after these.
#define KUROMARU_READABLE_AFTER              \
  "(ch.xid, ch.seq) > ($1::text::xid8, $2) " \
  "AND ch.xid < pg_snapshot_xmin(pg_current_snapshot()) "

constexpr Query kListChanges{
    "list_changes",
    "SELECT ch.xid::text, ch.seq, ch.change_pb, c.version, c.result_pb "
    "FROM changes ch LEFT JOIN cases c ON c.receipt_id = ch.receipt_id "
    "WHERE " KUROMARU_READABLE_AFTER "ORDER BY ch.xid, ch.seq LIMIT $3"};
constexpr Query kHasChanges{
    "has_changes",
    "SELECT EXISTS (SELECT 1 FROM changes ch WHERE " KUROMARU_READABLE_AFTER
    ")"};
constexpr Query kExportAudit{
    "export_audit",
    "SELECT seq, at, actor, role, action, receipt_id, request_id, peer, "
    "version_before, version_after, detail FROM audit WHERE seq > $1 "
    "AND ($2::timestamptz IS NULL OR at >= $2) "
    "AND ($3::timestamptz IS NULL OR at < $3) "
    "AND ($4 = '' OR receipt_id = $4) ORDER BY seq LIMIT $5"};

struct Position {
  std::string xid = "0";  // decimal, as xid8's text form
  int64_t seq = 0;
};

absl::StatusOr<Position> ParseCursor(const std::string& cursor) {
  Position p;
  if (cursor.empty()) return p;
  const absl::Status bad = absl::InvalidArgumentError("bad cursor");
  std::vector<std::string> parts = absl::StrSplit(cursor, '-');
  uint64_t xid = 0;
  if (parts.size() == 1) {
    if (!absl::SimpleAtoi(parts[0], &p.seq) || p.seq < 0) return bad;
    return p;
  }
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &xid) ||
      !absl::SimpleAtoi(parts[1], &p.seq) || p.seq < 0) {
    return bad;
  }
  p.xid = absl::StrCat(xid);
  return p;
}

}  // namespace

absl::StatusOr<ChangePage> PostgresCaseStore::ListChanges(
    const std::string& since_cursor, int page_size) {
  if (page_size == 0) page_size = 100;
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError("page_size is 1..1000");
  }
  ASSIGN_OR_RETURN(Position since, ParseCursor(since_cursor));
  ChangePage page;
  auto work = [&](Connection& c) -> absl::Status {
    page.changes.clear();
    page.next_cursor = since_cursor;
    ASSIGN_OR_RETURN(
        Result r,
        c.Run(kListChanges,
              Params().Text(since.xid).Int(since.seq).Int(page_size)));
    for (int i = 0; i < r.rows(); ++i) {
      v1::Change change;
      const absl::string_view bytes = r.Bytes(i, 2);
      if (!change.ParseFromArray(bytes.data(),
                                 static_cast<int>(bytes.size()))) {
        return absl::DataLossError("unreadable stored change");
      }
      // The result comes from the case while the change is its latest
      // version (a feed entry does not store a copy of it).
      if (!change.has_result() && !r.IsNull(i, 3) &&
          r.Int(i, 3) == change.version()) {
        const absl::string_view result = r.Bytes(i, 4);
        if (!change.mutable_result()->ParseFromArray(
                result.data(), static_cast<int>(result.size()))) {
          return absl::DataLossError("unreadable stored result");
        }
      }
      change.set_cursor(absl::StrCat(r.Bytes(i, 0), "-", r.Int(i, 1)));
      page.next_cursor = change.cursor();
      page.changes.push_back(std::move(change));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return page;
}

absl::StatusOr<bool> PostgresCaseStore::HasChangesAfter(
    const std::string& since_cursor) {
  ASSIGN_OR_RETURN(Position since, ParseCursor(since_cursor));
  bool found = false;
  auto work = [&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(
        Result r, c.Run(kHasChanges, Params().Text(since.xid).Int(since.seq)));
    found = r.Bool(0, 0);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return found;
}

bool PostgresCaseStore::WaitForChanges(const std::string& since_cursor,
                                       absl::Time deadline) {
  while (true) {
    // Read the generation first: a notification after it wakes the wait.
    const int64_t seen = listener_->generation();
    absl::StatusOr<bool> found = HasChangesAfter(since_cursor);
    // An error is ListChanges' to report.
    if (!found.ok() || *found) return true;
    const absl::Time now = absl::Now();
    if (now >= deadline) return false;
    listener_->Wait(seen, std::min(deadline, now + options_.poll_interval));
  }
}

absl::Status PostgresCaseStore::ExportAudit(
    const AuditFilter& filter,
    const std::function<absl::Status(const v1::AuditRecord&)>& sink) {
  int64_t after = 0;
  // Page by page, so that no connection is held while `sink` runs.
  while (true) {
    std::vector<v1::AuditRecord> page;
    Params p;
    p.Int(after);
    if (filter.from) {
      p.Time(*filter.from);
    } else {
      p.Null(pg::kTimestamptz);
    }
    if (filter.to) {
      p.Time(*filter.to);
    } else {
      p.Null(pg::kTimestamptz);
    }
    p.Text(filter.receipt_id).Int(kAuditPage);
    auto work = [&](Connection& c) -> absl::Status {
      page.clear();
      ASSIGN_OR_RETURN(Result r, c.Run(kExportAudit, p));
      for (int i = 0; i < r.rows(); ++i) page.push_back(pg::ReadAudit(r, i));
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(Read(work));
    for (const v1::AuditRecord& r : page) RETURN_IF_ERROR(sink(r));
    if (page.size() < static_cast<size_t>(kAuditPage)) return absl::OkStatus();
    after = page.back().sequence();
  }
}

}  // namespace kuromaru::store
