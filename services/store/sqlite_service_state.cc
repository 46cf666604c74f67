// The roster in service, leases and checkpoints.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {

absl::Status SqliteCaseStore::PutActiveRoster(const RosterState& state) {
  for (const std::string& p : state.delta_paths) {
    if (p.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a delta path holds a line break");
    }
  }
  return Write([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        auto s,
        db.Prepare("INSERT OR REPLACE INTO roster_state (id, version, "
                   "snapshot_path, delta_paths, model_path, model_version, "
                   "updated_us, encoding, directory_path) "
                   "VALUES (1,?,?,?,?,?,?,?,?)"));
    s->Bind(1, state.version)
        .Bind(2, state.snapshot_path)
        .Bind(3, absl::StrJoin(state.delta_paths, "\n"))
        .Bind(4, state.model_path)
        .Bind(5, state.model_version)
        .Bind(6, ToMicros(Now()))
        .Bind(7, state.encoding)
        .Bind(8, state.directory_path);
    return s->Run();
  });
}

absl::StatusOr<RosterState> SqliteCaseStore::GetActiveRoster() {
  RosterState out;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT version, snapshot_path, "
                                        "delta_paths, model_path, "
                                        "model_version, updated_us, encoding, "
                                        "directory_path FROM roster_state "
                                        "WHERE id = 1"));
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
    out.encoding = s->Text(6);
    out.directory_path = s->Text(7);
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
          absl::StrCat("lease ", name, " is held by ", s->Text(0), " until ",
                       absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                        absl::FromUnixMicros(s->Int(1)),
                                        absl::UTCTimeZone())));
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

absl::StatusOr<int64_t> SqliteCaseStore::DeleteExpiredLeases() {
  int64_t deleted = 0;
  RETURN_IF_ERROR(Write([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s,
                     db.Prepare("DELETE FROM leases WHERE expires_us <= ?"));
    s->Bind(1, ToMicros(Now()));
    RETURN_IF_ERROR(s->Run());
    deleted = db.Changes();
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<Lease> SqliteCaseStore::GetLease(const std::string& name) {
  Lease lease;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare("SELECT owner, expires_us FROM leases "
                                        "WHERE name = ? AND expires_us > ?"));
    s->Bind(1, name).Bind(2, ToMicros(Now()));
    ASSIGN_OR_RETURN(bool held, s->Step());
    if (!held)
      return absl::NotFoundError(absl::StrCat("lease ", name, " is free"));
    lease = {name, s->Text(0), absl::FromUnixMicros(s->Int(1))};
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return lease;
}

absl::StatusOr<std::vector<Lease>> SqliteCaseStore::ListLeases(
    const std::string& prefix) {
  std::vector<Lease> leases;
  absl::Status done = Read([&](Connection& db) -> absl::Status {
    // By range rather than LIKE, whose wildcards a name may hold.
    ASSIGN_OR_RETURN(
        auto s, db.Prepare("SELECT name, owner, expires_us FROM leases "
                           "WHERE name >= ?1 AND substr(CAST(name AS BLOB), "
                           "1, ?2) = CAST(?1 AS BLOB) AND expires_us > ?3 "
                           "ORDER BY name"));
    s->Bind(1, prefix)
        .Bind(2, static_cast<int64_t>(prefix.size()))
        .Bind(3, ToMicros(Now()));
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      leases.push_back(
          {s->Text(0), s->Text(1), absl::FromUnixMicros(s->Int(2))});
    }
    return absl::OkStatus();
  });
  if (!done.ok()) return done;
  return leases;
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
