#include "services/store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "services/store/case_rows.h"
#include "services/store/migrations.h"
#include "services/store/sqlite_store_impl.h"

namespace kuromaru::store {
namespace {

constexpr char kMemory[] = ":memory:";

// Creates the file owner-only before SQLite sees it; SQLite gives the -wal
// and -shm files the mode of the database file.
absl::Status CreateOwnerOnly(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    std::string message =
        absl::StrCat("cannot open the store file: ", std::strerror(err));
    if (err == EACCES || err == EPERM) {
      return absl::PermissionDeniedError(message);
    }
    return absl::UnavailableError(message);
  }
  struct stat st;
  absl::Status status;
  if (::fstat(fd, &st) != 0) {
    status = absl::UnavailableError("cannot stat the store file");
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    status = absl::PermissionDeniedError("cannot make the store owner-only");
  }
  ::close(fd);
  return status;
}

// The query for a page of ListCases; BindListQuery binds it.
std::string ListQuery(const CaseFilter& f, bool after) {
  std::string sql =
      absl::StrCat("SELECT ", kSummaryColumns, " FROM cases WHERE 1");
  if (!f.states.empty()) {
    absl::StrAppend(&sql, " AND state IN (");
    for (size_t i = 0; i < f.states.size(); ++i) {
      absl::StrAppend(&sql, i == 0 ? "?" : ",?");
    }
    absl::StrAppend(&sql, ")");
  }
  if (!f.service_month_from.empty()) sql += " AND service_month >= ?";
  if (!f.service_month_to.empty()) sql += " AND service_month <= ?";
  if (!f.insurer_number.empty()) {
    sql += " AND (billed_insurer = ? OR top_insurer = ?)";
  }
  if (f.created_before) sql += " AND created_us < ?";
  if (f.created_after) sql += " AND created_us > ?";
  if (f.reasons != 0) sql += " AND (reasons & ?) != 0";
  if (after) {
    sql += " AND (created_us > ? OR (created_us = ? AND receipt_id > ?))";
  }
  sql += " ORDER BY created_us, receipt_id LIMIT ?";
  return sql;
}

void BindListQuery(const CaseFilter& f,
                   const std::optional<PagePosition>& after, int limit,
                   Statement& s) {
  int i = 0;
  for (v1::CaseState state : f.states) {
    s.Bind(++i, static_cast<int64_t>(state));
  }
  if (!f.service_month_from.empty()) s.Bind(++i, f.service_month_from);
  if (!f.service_month_to.empty()) s.Bind(++i, f.service_month_to);
  if (!f.insurer_number.empty()) {
    s.Bind(++i, f.insurer_number);
    s.Bind(++i, f.insurer_number);
  }
  if (f.created_before) s.Bind(++i, ToMicros(*f.created_before));
  if (f.created_after) s.Bind(++i, ToMicros(*f.created_after));
  if (f.reasons != 0) s.Bind(++i, static_cast<int64_t>(f.reasons));
  if (after) {
    s.Bind(++i, after->created_us);
    s.Bind(++i, after->created_us);
    s.Bind(++i, after->receipt_id);
  }
  s.Bind(++i, static_cast<int64_t>(limit));
}

absl::Status Configure(Connection& c, const SqliteOptions& options) {
  RETURN_IF_ERROR(c.Exec("PRAGMA journal_mode=WAL"));
  // Group commit opens a savepoint per unit, and SQLite journals every page
  // a savepoint changes; kept in memory, that journal costs a copy, not two
  // writes to a temporary file per page.
  RETURN_IF_ERROR(c.Exec("PRAGMA temp_store=MEMORY"));
  if (options.checkpoint_interval > absl::ZeroDuration()) {
    RETURN_IF_ERROR(c.Exec("PRAGMA wal_autocheckpoint=0"));
  }
  return c.Exec(options.synchronous_full ? "PRAGMA synchronous=FULL"
                                         : "PRAGMA synchronous=OFF");
}

}  // namespace

absl::StatusOr<std::unique_ptr<CaseStore>> SqliteStore::Open(
    const std::string& path, const SqliteOptions& options) {
  const bool memory = path == kMemory;
  if (!memory) RETURN_IF_ERROR(CreateOwnerOnly(path));
  ASSIGN_OR_RETURN(auto writer,
                   Connection::Open(path, true, options.busy_timeout_ms));
  RETURN_IF_ERROR(Configure(*writer, options));
  RETURN_IF_ERROR(Migrate(*writer));
  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; !memory && i < options.read_connections; ++i) {
    ASSIGN_OR_RETURN(auto reader,
                     Connection::Open(path, false, options.busy_timeout_ms));
    RETURN_IF_ERROR(reader->Exec("PRAGMA query_only=1"));
    readers.push_back(std::move(reader));
  }
  std::unique_ptr<WalCheckpointer> checkpointer;
  if (!memory && options.checkpoint_interval > absl::ZeroDuration()) {
    ASSIGN_OR_RETURN(checkpointer,
                     WalCheckpointer::Start(path, options.checkpoint_interval,
                                            options.busy_timeout_ms));
  }
  auto store = std::make_unique<SqliteCaseStore>(options, std::move(readers));
  RETURN_IF_ERROR(store->Start(std::move(writer), std::move(checkpointer)));
  return std::unique_ptr<CaseStore>(std::move(store));
}

SqliteCaseStore::SqliteCaseStore(
    const SqliteOptions& options,
    std::vector<std::unique_ptr<Connection>> readers)
    : options_(options),
      idle_readers_(std::move(readers)),
      reader_count_(idle_readers_.size()) {}

SqliteCaseStore::~SqliteCaseStore() {
  writer_.reset();
  checkpointer_.reset();
}

absl::Status SqliteCaseStore::Start(
    std::unique_ptr<Connection> writer,
    std::unique_ptr<WalCheckpointer> checkpointer) {
  checkpointer_ = std::move(checkpointer);
  AfterCommit(*writer);
  GroupCommitter::Options o;
  o.max_batch = options_.max_batch;
  o.window = options_.batch_window;
  o.after_commit = [this](Connection& db) { AfterCommit(db); };
  writer_ = std::make_unique<GroupCommitter>(std::move(writer), std::move(o));
  return absl::OkStatus();
}

absl::Time SqliteCaseStore::Now() const {
  return options_.clock ? options_.clock() : absl::Now();
}

absl::Status SqliteCaseStore::Write(Work work) {
  return writer_->Run(std::move(work));
}

absl::Status SqliteCaseStore::Read(const Work& fn) {
  if (reader_count_ == 0) return writer_->WithConnection(fn);
  std::unique_ptr<Connection> c;
  {
    absl::MutexLock lock(&readers_mu_);
    readers_mu_.Await(absl::Condition(
        +[](std::vector<std::unique_ptr<Connection>>* v) {
          return !v->empty();
        },
        &idle_readers_));
    c = std::move(idle_readers_.back());
    idle_readers_.pop_back();
  }
  absl::Status status;
  {
    ReadTransaction txn(c.get());
    status = txn.Begin();
    if (status.ok()) status = fn(*c);
  }
  absl::MutexLock lock(&readers_mu_);
  idle_readers_.push_back(std::move(c));
  return status;
}

void SqliteCaseStore::AfterCommit(Connection& db) {
  auto s = db.Prepare("SELECT COALESCE(MAX(seq), 0) FROM changes");
  if (!s.ok()) return;
  absl::StatusOr<bool> row = (*s)->Step();
  if (!row.ok() || !*row) return;
  int64_t latest = (*s)->Int(0);
  absl::MutexLock lock(&changes_mu_);
  latest_change_ = latest;
}

StoreStats SqliteCaseStore::GetStats() const {
  StoreStats stats;
  stats.writes = writer_->writes();
  stats.commits = writer_->commits();
  return stats;
}

absl::StatusOr<v1::Case> SqliteCaseStore::GetCase(const std::string& receipt_id,
                                                  const Actor& actor,
                                                  bool audit_open) {
  v1::Case out;
  auto work = [&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<CaseRow> row, LoadCase(db, receipt_id));
    if (!row) return absl::NotFoundError("no such case");
    out = std::move(row->c);
    RETURN_IF_ERROR(LoadHistory(db, &out));
    if (!audit_open) return absl::OkStatus();
    Transition t;
    t.change.action = "OPENED";
    t.change.from_state = out.state();
    t.change.version_before = out.version();
    t.change.actor_kind = v1::ACTOR_KIND_REVIEWER;
    t.actor = &actor;
    t.at = Now();
    t.feed = false;
    return RecordTransition(db, t, &out);
  };
  RETURN_IF_ERROR(audit_open ? Write(work) : Read(work));
  return out;
}

absl::StatusOr<CasePage> SqliteCaseStore::ListCases(const CaseFilter& f) {
  if (f.order == CaseFilter::Order::kPriority) return ListQueue(f);
  ASSIGN_OR_RETURN(const int page_size, CheckCaseFilter(f));
  ASSIGN_OR_RETURN(std::optional<PagePosition> after, DecodePageToken(f));
  CasePage page;
  auto work = [&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(auto s, db.Prepare(ListQuery(f, after.has_value())));
    BindListQuery(f, after, page_size + 1, *s);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      page.cases.push_back(ReadSummary(*s));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  if (page.cases.size() > static_cast<size_t>(page_size)) {
    page.cases.resize(page_size);
    const v1::CaseSummary& last = page.cases.back();
    page.next_page_token = EncodePageToken(
        f, {ToMicros(FromTimestamp(last.created_at())), last.receipt_id()});
  }
  return page;
}

absl::StatusOr<std::vector<OpenCase>> SqliteCaseStore::ListOpenCases(
    const OpenCaseScan& scan) {
  RETURN_IF_ERROR(CheckMonth(scan.service_month_from));
  RETURN_IF_ERROR(CheckMonth(scan.service_month_to));
  if (scan.shard_count < 1 || scan.shard_index < 0 ||
      scan.shard_index >= scan.shard_count || scan.limit < 1) {
    return absl::InvalidArgumentError("bad shard or limit");
  }
  std::vector<OpenCase> out;
  auto work = [&](Connection& db) -> absl::Status {
    ASSIGN_OR_RETURN(
        auto s,
        // `+state` keeps the planner on the receipt_id index: walking it from
        // the resume point stops after `limit` open cases, where the state
        // index would sort every open case on each call.
        db.Prepare("SELECT receipt_id, version, state, receipt_pb FROM cases "
                   "WHERE +state IN (?1, ?2) AND receipt_id > ?3 "
                   "AND (?4 = '' OR service_month >= ?4) "
                   "AND (?5 = '' OR service_month <= ?5) ORDER BY receipt_id"));
    s->Bind(1, static_cast<int64_t>(v1::CASE_STATE_PENDING_REVIEW))
        .Bind(2, static_cast<int64_t>(v1::CASE_STATE_UNMATCHED))
        .Bind(3, scan.after_receipt_id)
        .Bind(4, scan.service_month_from)
        .Bind(5, scan.service_month_to);
    while (out.size() < static_cast<size_t>(scan.limit)) {
      ASSIGN_OR_RETURN(bool row, s->Step());
      if (!row) break;
      std::string id = s->Text(0);
      if (ShardOf(id, scan.shard_count) != scan.shard_index) continue;
      OpenCase c;
      c.receipt_id = std::move(id);
      c.version = s->Int(1);
      c.state = static_cast<v1::CaseState>(s->Int(2));
      if (!c.receipt.ParseFromString(s->Text(3))) {
        return absl::DataLossError("unreadable stored receipt");
      }
      out.push_back(std::move(c));
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return out;
}

}  // namespace kuromaru::store
