// The results feed and the audit export.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr int kAuditPage = 1000;

absl::StatusOr<int64_t> ParseCursor(const std::string& cursor) {
  if (cursor.empty()) return 0;
  int64_t seq = 0;
  if (!absl::SimpleAtoi(cursor, &seq) || seq < 0) {
    return absl::InvalidArgumentError("bad cursor");
  }
  return seq;
}

v1::AuditRecord ReadAudit(const Statement& s) {
  v1::AuditRecord r;
  r.set_sequence(s.Int(0));
  *r.mutable_at() = ToTimestamp(absl::FromUnixMicros(s.Int(1)));
  r.set_actor(s.Text(2));
  r.set_role(s.Text(3));
  r.set_action(s.Text(4));
  r.set_receipt_id(s.Text(5));
  r.set_request_id(s.Text(6));
  r.set_peer(s.Text(7));
  r.set_version_before(s.Int(8));
  r.set_version_after(s.Int(9));
  r.set_detail(s.Text(10));
  return r;
}

}  // namespace

absl::StatusOr<ChangePage> SqliteCaseStore::ListChanges(
    const std::string& since_cursor, int page_size) {
  if (page_size == 0) page_size = 100;
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError("page_size is 1..1000");
  }
  ASSIGN_OR_RETURN(int64_t since, ParseCursor(since_cursor));
  ChangePage page;
  page.next_cursor = since_cursor;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    // The result comes from the case while the change is its latest version
    // (a feed entry does not store a copy of it).
    ASSIGN_OR_RETURN(auto s,
                     db.Prepare("SELECT ch.seq, ch.change_pb, c.version, "
                                "c.result_pb FROM changes ch LEFT JOIN cases c "
                                "ON c.receipt_id = ch.receipt_id "
                                "WHERE ch.seq > ? ORDER BY ch.seq LIMIT ?"));
    s->Bind(1, since).Bind(2, static_cast<int64_t>(page_size));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      v1::Change change;
      if (!change.ParseFromString(s->Text(1))) {
        return absl::DataLossError("unreadable stored change");
      }
      if (!change.has_result() && !s->IsNull(2) &&
          s->Int(2) == change.version() &&
          !change.mutable_result()->ParseFromString(s->Text(3))) {
        return absl::DataLossError("unreadable stored result");
      }
      change.set_cursor(absl::StrCat(s->Int(0)));
      page.next_cursor = change.cursor();
      page.changes.push_back(std::move(change));
    }
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return page;
}

bool SqliteCaseStore::WaitForChanges(const std::string& since_cursor,
                                     absl::Time deadline) {
  absl::StatusOr<int64_t> since = ParseCursor(since_cursor);
  if (!since.ok()) return true;  // ListChanges reports the bad cursor
  const int64_t after = *since;
  absl::MutexLock lock(&changes_mu_);
  auto newer = [this, after]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(changes_mu_) {
    return latest_change_ > after;
  };
  return changes_mu_.AwaitWithDeadline(absl::Condition(&newer), deadline);
}

absl::Status SqliteCaseStore::ExportAudit(
    const AuditFilter& filter,
    const std::function<absl::Status(const v1::AuditRecord&)>& sink) {
  const int64_t from = filter.from ? ToMicros(*filter.from) : INT64_MIN;
  const int64_t to = filter.to ? ToMicros(*filter.to) : INT64_MAX;
  int64_t after = 0;
  // Page by page, so that no connection is held while `sink` runs.
  while (true) {
    std::vector<v1::AuditRecord> page;
    absl::Status done = Read([&](Connection& db) -> absl::Status {
      ASSIGN_OR_RETURN(
          auto s,
          db.Prepare("SELECT seq, at_us, actor, role, action, receipt_id, "
                     "request_id, peer, version_before, version_after, detail "
                     "FROM audit WHERE seq > ?1 AND at_us >= ?2 AND at_us < ?3 "
                     "AND (?4 = '' OR receipt_id = ?4) ORDER BY seq LIMIT ?5"));
      s->Bind(1, after).Bind(2, from).Bind(3, to).Bind(4, filter.receipt_id);
      s->Bind(5, static_cast<int64_t>(kAuditPage));
      while (true) {
        ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        page.push_back(ReadAudit(*s));
      }
      return absl::OkStatus();
    });
    if (!done.ok()) return done;
    for (const v1::AuditRecord& r : page) RETURN_IF_ERROR(sink(r));
    if (page.size() < static_cast<size_t>(kAuditPage)) return absl::OkStatus();
    after = page.back().sequence();
  }
}

}  // namespace kuromaru::store
