// The results feed, the audit export, retention, the active roster, and the
// nightly job's leases and checkpoints.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr int kAuditPage = 1000;
constexpr int kPurgeBatch = 500;

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
      while (true) {
        ASSIGN_OR_RETURN(bool row, s->Step());
        if (!row) break;
        v1::AuditRecord& a = rows.emplace_back();
        a.set_receipt_id(s->Text(0));
        a.set_version_before(s->Int(1));
        a.set_detail(absl::StrCat(
            "state=", StateName(static_cast<v1::CaseState>(s->Int(2)))));
      }
      const auto at = ToTimestamp(Now());
      ASSIGN_OR_RETURN(auto del,
                       db.Prepare("DELETE FROM cases WHERE receipt_id = ?"));
      for (v1::AuditRecord& a : rows) {
        del->Bind(1, a.receipt_id());
        RETURN_IF_ERROR(del->Run());
        del->Reset();
        *a.mutable_at() = at;
        a.set_actor(actor.subject);
        a.set_role(actor.role);
        a.set_action("PURGED");
        a.set_request_id(actor.request_id);
        a.set_peer(actor.peer);
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

absl::Status SqliteCaseStore::PutActiveRoster(const RosterState& state) {
  for (const std::string& p : state.delta_paths) {
    if (p.find('\n') != std::string::npos) {
      return absl::InvalidArgumentError("a delta path holds a newline");
    }
  }
  return Write([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        auto s,
        db.Prepare("INSERT OR REPLACE INTO roster_state (id, version, "
                   "snapshot_path, delta_paths, model_path, "
                   "model_version, updated_us) VALUES (1,?,?,?,?,?,?)"));
    s->Bind(1, state.version)
        .Bind(2, state.snapshot_path)
        .Bind(3, absl::StrJoin(state.delta_paths, "\n"))
        .Bind(4, state.model_path)
        .Bind(5, state.model_version)
        .Bind(6, ToMicros(Now()));
    return s->Run();
  });
}

absl::StatusOr<RosterState> SqliteCaseStore::GetActiveRoster() {
  RosterState out;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT version, snapshot_path, "
                                        "delta_paths, model_path, "
                                        "model_version, updated_us FROM "
                                        "roster_state WHERE id = 1"));
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return absl::NotFoundError("no roster recorded");
    out.version = s->Text(0);
    out.snapshot_path = s->Text(1);
    std::string deltas = s->Text(2);
    if (!deltas.empty()) {
      out.delta_paths = absl::StrSplit(deltas, '\n');
    }
    out.model_path = s->Text(3);
    out.model_version = s->Text(4);
    out.updated_at = absl::FromUnixMicros(s->Int(5));
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return out;
}

absl::StatusOr<Lease> SqliteCaseStore::AcquireLease(const std::string& name,
                                                    const std::string& owner,
                                                    absl::Duration ttl) {
  if (name.empty() || owner.empty() || ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("a lease needs a name, owner and ttl");
  }
  Lease lease{name, owner, absl::InfinitePast()};
  absl::Status done = Write([&](Connection& db) -> absl::Status {
    const absl::Time now = Now();
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT owner, expires_us FROM leases "
                                        "WHERE name = ?"));
    s->Bind(1, name);
    ASSIGN_OR_RETURN(bool held, s->Step());
    if (held && s->Text(0) != owner && s->Int(1) > ToMicros(now)) {
      return absl::FailedPreconditionError(
          absl::StrCat("lease ", name, " is held by another owner"));
    }
    lease.expires_at = now + ttl;
    ASSIGN_OR_RETURN(auto put, db.Prepare("INSERT OR REPLACE INTO leases "
                                          "(name, owner, expires_us) "
                                          "VALUES (?,?,?)"));
    put->Bind(1, name).Bind(2, owner).Bind(3, ToMicros(lease.expires_at));
    return put->Run();
  });
  if (!done.ok()) return done;
  return lease;
}

absl::Status SqliteCaseStore::ReleaseLease(const std::string& name,
                                           const std::string& owner) {
  return Write([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("DELETE FROM leases WHERE name = ? "
                                        "AND owner = ?"));
    s->Bind(1, name).Bind(2, owner);
    return s->Run();
  });
}

absl::Status SqliteCaseStore::SaveCheckpoint(const std::string& name,
                                             const std::string& value) {
  if (name.empty()) return absl::InvalidArgumentError("checkpoint name");
  return Write([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("INSERT OR REPLACE INTO checkpoints "
                                        "(name, value, updated_us) "
                                        "VALUES (?,?,?)"));
    s->Bind(1, name).BindBlob(2, value).Bind(3, ToMicros(Now()));
    return s->Run();
  });
}

absl::StatusOr<std::optional<std::string>> SqliteCaseStore::LoadCheckpoint(
    const std::string& name) {
  std::optional<std::string> out;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        auto s, db.Prepare("SELECT value FROM checkpoints WHERE name = ?"));
    s->Bind(1, name);
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (row) out = s->Text(0);
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return out;
}

}  // namespace kuromaru::store
