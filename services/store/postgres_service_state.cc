// The roster in service, leases, checkpoints and retention. A lease is a
// row: taking it is one statement that inserts it, or takes it over when
// its holder is the same owner or its time is up, so two replicas asking at
// once cannot both win.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "services/store/postgres_rows.h"
#include "services/store/postgres_store_impl.h"

namespace kuromaru::store {
namespace {

using pg::Connection;
using pg::Params;
using pg::Query;
using pg::Result;

constexpr int kPurgeBatch = 500;

constexpr Query kPutRoster{
    "put_roster",
    "INSERT INTO roster_state (id, version, snapshot_path, delta_paths, "
    "encoding, directory_path, model_path, model_version, updated_at) "
    "VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE "
    "SET version = excluded.version, snapshot_path = excluded.snapshot_path, "
    "delta_paths = excluded.delta_paths, encoding = excluded.encoding, "
    "directory_path = excluded.directory_path, model_path = "
    "excluded.model_path, model_version = excluded.model_version, "
    "updated_at = excluded.updated_at"};
constexpr Query kGetRoster{
    "get_roster",
    "SELECT version, snapshot_path, delta_paths, encoding, directory_path, "
    "model_path, model_version, updated_at FROM roster_state WHERE id = 1"};
constexpr Query kAcquireLease{
    "acquire_lease",
    "INSERT INTO leases AS l (name, owner, expires_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, "
    "expires_at = excluded.expires_at "
    "WHERE l.owner = excluded.owner OR l.expires_at <= $4 "
    "RETURNING expires_at"};
constexpr Query kLeaseHolder{
    "lease_holder", "SELECT owner, expires_at FROM leases WHERE name = $1"};
constexpr Query kReleaseLease{
    "release_lease", "DELETE FROM leases WHERE name = $1 AND owner = $2"};
constexpr Query kDeleteExpiredLeases{
    "delete_expired_leases", "DELETE FROM leases WHERE expires_at <= $1"};
constexpr Query kGetLease{
    "get_lease",
    "SELECT owner, expires_at FROM leases WHERE name = $1 AND expires_at > $2"};
// A range rather than LIKE, whose wildcards a name may hold; names sort
// bytewise (COLLATE "C"), so the prefix's names are contiguous.
constexpr Query kListLeases{
    "list_leases",
    "SELECT name, owner, expires_at FROM leases WHERE name >= $1 "
    "AND left(name, length($1)) = $1 AND expires_at > $2 ORDER BY name"};
constexpr Query kPutCheckpoint{
    "put_checkpoint",
    "INSERT INTO checkpoints (name, value, updated_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
    "updated_at = excluded.updated_at"};
constexpr Query kGetCheckpoint{"get_checkpoint",
                               "SELECT value FROM checkpoints WHERE name = $1"};
// One batch of retention: the oldest closed cases, each deleted with its
// history, decisions and feed entries (cascade) and audited, in one
// statement. SKIP LOCKED: a case a reviewer is reopening right now waits for
// the next run.
constexpr Query kPurgeBatchQuery{
    "purge_batch",
    "WITH victims AS (SELECT receipt_id FROM cases WHERE closed_at < $1 "
    "ORDER BY closed_at LIMIT $2 FOR UPDATE SKIP LOCKED), "
    "gone AS (DELETE FROM cases c USING victims v "
    "WHERE c.receipt_id = v.receipt_id RETURNING c.receipt_id, c.version, "
    "c.state) SELECT receipt_id, version, state FROM gone"};

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

absl::Status PostgresCaseStore::PutActiveRoster(const RosterState& state) {
  for (const std::string& p : state.delta_paths) {
    if (p.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a delta path holds a line break");
    }
  }
  return Write([&](Connection& c) {
    return c
        .Run(kPutRoster, Params()
                             .Text(state.version)
                             .Text(state.snapshot_path)
                             .Text(absl::StrJoin(state.delta_paths, "\n"))
                             .Text(state.encoding)
                             .Text(state.directory_path)
                             .Text(state.model_path)
                             .Text(state.model_version)
                             .Time(Now()))
        .status();
  });
}

absl::StatusOr<RosterState> PostgresCaseStore::GetActiveRoster() {
  RosterState out;
  auto work = [&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Result r, c.Run(kGetRoster));
    if (r.rows() == 0) return absl::NotFoundError("no roster recorded");
    out.version = r.Text(0, 0);
    out.snapshot_path = r.Text(0, 1);
    const std::string deltas = r.Text(0, 2);
    out.delta_paths.clear();
    if (!deltas.empty()) out.delta_paths = absl::StrSplit(deltas, '\n');
    out.encoding = r.Text(0, 3);
    out.directory_path = r.Text(0, 4);
    out.model_path = r.Text(0, 5);
    out.model_version = r.Text(0, 6);
    out.updated_at = r.Time(0, 7);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return out;
}

absl::StatusOr<Lease> PostgresCaseStore::AcquireLease(const std::string& name,
                                                      const std::string& owner,
                                                      absl::Duration ttl) {
  if (name.empty() || owner.empty() || ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("a lease needs a name, owner and ttl");
  }
  Lease lease{name, owner, absl::InfinitePast()};
  auto work = [&](Connection& c) -> absl::Status {
    const absl::Time now = Now();
    ASSIGN_OR_RETURN(
        Result r,
        c.Run(kAcquireLease,
              Params().Text(name).Text(owner).Time(now + ttl).Time(now)));
    if (r.rows() == 1) {
      lease.expires_at = r.Time(0, 0);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Result holder, c.Run(kLeaseHolder, Params().Text(name)));
    if (holder.rows() == 0) return pg::RetryTransaction("lease released");
    return absl::FailedPreconditionError(
        absl::StrCat("lease ", name, " is held by ", holder.Text(0, 0),
                     " until ", FormatUtc(holder.Time(0, 1))));
  };
  RETURN_IF_ERROR(Write(work));
  return lease;
}

absl::Status PostgresCaseStore::ReleaseLease(const std::string& name,
                                             const std::string& owner) {
  return Write([&](Connection& c) {
    return c.Run(kReleaseLease, Params().Text(name).Text(owner)).status();
  });
}

absl::StatusOr<int64_t> PostgresCaseStore::DeleteExpiredLeases() {
  int64_t deleted = 0;
  RETURN_IF_ERROR(Write([&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Result r,
                     c.Run(kDeleteExpiredLeases, Params().Time(Now())));
    deleted = r.affected();
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<Lease> PostgresCaseStore::GetLease(const std::string& name) {
  Lease lease;
  auto work = [&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Result r,
                     c.Run(kGetLease, Params().Text(name).Time(Now())));
    if (r.rows() == 0) {
      return absl::NotFoundError(absl::StrCat("lease ", name, " is free"));
    }
    lease = {name, r.Text(0, 0), r.Time(0, 1)};
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return lease;
}

absl::StatusOr<std::vector<Lease>> PostgresCaseStore::ListLeases(
    const std::string& prefix) {
  std::vector<Lease> leases;
  auto work = [&](Connection& c) -> absl::Status {
    leases.clear();
    ASSIGN_OR_RETURN(Result r,
                     c.Run(kListLeases, Params().Text(prefix).Time(Now())));
    for (int i = 0; i < r.rows(); ++i) {
      leases.push_back({r.Text(i, 0), r.Text(i, 1), r.Time(i, 2)});
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return leases;
}

absl::Status PostgresCaseStore::SaveCheckpoint(const std::string& name,
                                               const std::string& value) {
  if (name.empty()) return absl::InvalidArgumentError("checkpoint name");
  return Write([&](Connection& c) {
    return c.Run(kPutCheckpoint, Params().Text(name).Bytes(value).Time(Now()))
        .status();
  });
}

absl::StatusOr<std::optional<std::string>> PostgresCaseStore::LoadCheckpoint(
    const std::string& name) {
  std::optional<std::string> out;
  auto work = [&](Connection& c) -> absl::Status {
    out.reset();
    ASSIGN_OR_RETURN(Result r, c.Run(kGetCheckpoint, Params().Text(name)));
    if (r.rows() == 1) out = r.Text(0, 0);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return out;
}

absl::StatusOr<int64_t> PostgresCaseStore::Purge(absl::Time closed_before,
                                                 const Actor& actor) {
  int64_t total = 0;
  // Small transactions, so that the feed is not held back behind a long
  // purge.
  while (true) {
    int64_t purged = 0;
    auto work = [&](Connection& c) -> absl::Status {
      ASSIGN_OR_RETURN(Result r,
                       c.Run(kPurgeBatchQuery,
                             Params().Time(closed_before).Int(kPurgeBatch)));
      const absl::Time now = Now();
      std::vector<v1::AuditRecord> audit;
      audit.reserve(r.rows());
      for (int i = 0; i < r.rows(); ++i) {
        audit.push_back(PurgedAudit(r.Text(i, 0), r.Int(i, 1),
                                    static_cast<v1::CaseState>(r.Int(i, 2)),
                                    now, actor));
      }
      purged = r.rows();
      return pg::AppendAudit(c, audit);
    };
    RETURN_IF_ERROR(Write(work));
    total += purged;
    if (purged < kPurgeBatch) return total;
  }
}

}  // namespace kuromaru::store
