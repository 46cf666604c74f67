#include "services/store/postgres_store.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "services/store/case_records.h"
#include "services/store/postgres_rows.h"
#include "services/store/postgres_schema.h"
#include "services/store/postgres_store_impl.h"

namespace kuromaru::store {
namespace {

using pg::ArrayBuilder;
using pg::Connection;
using pg::Params;
using pg::Query;
using pg::Result;

// Rows the nightly job's scan reads at a time to pick its shard's cases.
constexpr int kScanChunk = 20000;

constexpr Query kOpenIds{
    "open_ids",
    "SELECT receipt_id FROM cases WHERE state IN (2, 3) AND receipt_id > $1 "
    "AND ($2 = '' OR service_month >= $2) AND ($3 = '' OR service_month <= "
    "$3) ORDER BY receipt_id LIMIT $4"};
constexpr Query kOpenCases{
    "open_cases",
    "SELECT receipt_id, version, state, receipt_pb FROM cases "
    "WHERE receipt_id = ANY($1) AND state IN (2, 3) ORDER BY receipt_id"};
constexpr Query kCountCases{"count_cases",
                            "SELECT state, count(*) FROM cases GROUP BY state"};
constexpr Query kCountPurgeable{
    "count_purgeable", "SELECT count(*) FROM cases WHERE closed_at < $1"};

// Session settings of every connection.
absl::Status Configure(Connection& c, const PostgresOptions& options) {
  ASSIGN_OR_RETURN(Result r, c.RunSql("SELECT current_setting("
                                      "'synchronous_commit')"));
  const std::string current = r.Text(0, 0);
  if (!options.synchronous_commit) {
    RETURN_IF_ERROR(c.Exec("SET synchronous_commit = off"));
  } else if (current == "off") {
    // An acknowledged write must survive a crash of the database server.
    RETURN_IF_ERROR(c.Exec("SET synchronous_commit = on"));
  }
  // A replica that hangs holding a row lock must not stall the others for
  // ever: they give up (UNAVAILABLE) and their callers retry.
  return c.Exec("SET lock_timeout = '10s'; SET statement_timeout = '120s'");
}

// The query for a page of ListCases, and its parameters.
std::string ListQuery(const CaseFilter& f,
                      const std::optional<PagePosition>& after, int limit,
                      Params* p) {
  std::string sql =
      absl::StrCat("SELECT ", pg::kSummarySelect, " FROM cases WHERE true");
  int n = 0;
  auto next = [&n] { return absl::StrCat("$", ++n); };
  if (!f.states.empty()) {
    ArrayBuilder states(pg::kInt4);
    for (v1::CaseState s : f.states) states.Add(pg::EncodeInt4(s));
    p->Array(pg::kInt4Array, states);
    absl::StrAppend(&sql, " AND state = ANY(", next(), ")");
  }
  if (!f.service_month_from.empty()) {
    p->Text(f.service_month_from);
    absl::StrAppend(&sql, " AND service_month >= ", next());
  }
  if (!f.service_month_to.empty()) {
    p->Text(f.service_month_to);
    absl::StrAppend(&sql, " AND service_month <= ", next());
  }
  if (!f.insurer_number.empty()) {
    p->Text(f.insurer_number);
    const std::string i = next();
    absl::StrAppend(&sql, " AND (billed_insurer = ", i, " OR top_insurer = ", i,
                    ")");
  }
  if (f.created_before) {
    p->Time(*f.created_before);
    absl::StrAppend(&sql, " AND created_at < ", next());
  }
  if (f.created_after) {
    p->Time(*f.created_after);
    absl::StrAppend(&sql, " AND created_at > ", next());
  }
  if (f.reasons != 0) {
    p->Int4(static_cast<int32_t>(f.reasons));
    absl::StrAppend(&sql, " AND (reasons & ", next(), ") <> 0");
  }
  if (after) {
    p->Time(absl::FromUnixMicros(after->created_us)).Text(after->receipt_id);
    const std::string at = next();
    absl::StrAppend(&sql, " AND (created_at, receipt_id) > (", at, ", ", next(),
                    ")");
  }
  p->Int(limit);
  absl::StrAppend(&sql, " ORDER BY created_at, receipt_id LIMIT ", next());
  return sql;
}

}  // namespace

bool IsPostgresDsn(const std::string& locator) {
  return absl::StartsWith(locator, "postgresql://") ||
         absl::StartsWith(locator, "postgres://");
}

absl::StatusOr<std::unique_ptr<CaseStore>> PostgresStore::Open(
    const std::string& dsn, const PostgresOptions& options) {
  auto store = std::make_unique<PostgresCaseStore>(dsn, options);
  RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<CaseStore>(std::move(store));
}

PostgresCaseStore::PostgresCaseStore(const std::string& dsn,
                                     const PostgresOptions& options)
    : dsn_(dsn),
      options_(options),
      pool_(pg::Pool::Options{.dsn = dsn,
                              .size = std::max(2, options.connections),
                              .backoff_max = options.backoff_max,
                              .on_connect = [options](Connection& c) {
                                return Configure(c, options);
                              }}) {}

PostgresCaseStore::~PostgresCaseStore() {
  intake_.reset();
  listener_.reset();
}

absl::Status PostgresCaseStore::Start() {
  if (options_.migrate) {
    RETURN_IF_ERROR(
        pool_.WithConnection([](Connection& c) { return pg::Migrate(c); }));
  } else {
    absl::StatusOr<int> version = 0;
    RETURN_IF_ERROR(pool_.WithConnection([&](Connection& c) {
      version = pg::SchemaVersion(c);
      return version.status();
    }));
    if (*version != pg::LatestSchemaVersion()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the store's schema is version ", *version, "; this release needs ",
          pg::LatestSchemaVersion(), " (run the migration)"));
    }
  }
  listener_ =
      std::make_unique<pg::Listener>(dsn_, &pool_, options_.backoff_max);
  intake_ = std::make_unique<pg::IntakeWriter>(&pool_, options_.intake_writers,
                                               options_.max_batch,
                                               [this] { return Now(); });
  return absl::OkStatus();
}

absl::Time PostgresCaseStore::Now() const {
  if (options_.clock) return options_.clock();
  const absl::Duration offset =
      listener_ != nullptr ? listener_->clock_offset() : absl::ZeroDuration();
  return absl::Now() + offset;
}

absl::Status PostgresCaseStore::Write(const pg::Pool::Work& work) {
  ++writes_;
  return pool_.Transaction(work);
}

absl::Status PostgresCaseStore::Read(const pg::Pool::Work& work) {
  return pool_.Transaction(work, /*read_only=*/true);
}

StoreStats PostgresCaseStore::GetStats() const {
  StoreStats stats;
  stats.writes = writes_.load();
  stats.commits = pool_.commits();
  return stats;
}

absl::StatusOr<CaseWrite> PostgresCaseStore::CreateCase(NewCase in) {
  std::vector<NewCase> one;
  one.push_back(std::move(in));
  return std::move(CreateCases(std::move(one)).front());
}

std::vector<absl::StatusOr<CaseWrite>> PostgresCaseStore::CreateCases(
    std::vector<NewCase> cases) {
  std::vector<absl::StatusOr<CaseWrite>> results;
  results.reserve(cases.size());
  std::vector<PreparedCase> prepared;
  std::vector<size_t> slot;
  prepared.reserve(cases.size());
  for (NewCase& in : cases) {
    absl::StatusOr<PreparedCase> p = PrepareCase(std::move(in));
    if (p.ok()) {
      slot.push_back(results.size());
      prepared.push_back(*std::move(p));
      results.emplace_back(CaseWrite{});
    } else {
      results.emplace_back(p.status());
    }
  }
  if (prepared.empty()) return results;
  writes_ += static_cast<int64_t>(prepared.size());
  std::vector<absl::Status> done = intake_->Write(prepared);
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (done[i].ok()) {
      results[slot[i]] = std::move(prepared[i].out);
    } else {
      results[slot[i]] = std::move(done[i]);
    }
  }
  return results;
}

absl::StatusOr<CasePage> PostgresCaseStore::ListCases(const CaseFilter& f) {
  if (f.order == CaseFilter::Order::kPriority) return ListQueue(f);
  ASSIGN_OR_RETURN(const int page_size, CheckCaseFilter(f));
  ASSIGN_OR_RETURN(std::optional<PagePosition> after, DecodePageToken(f));
  Params params;
  const std::string sql = ListQuery(f, after, page_size + 1, &params);
  CasePage page;
  auto work = [&](Connection& c) -> absl::Status {
    page.cases.clear();
    ASSIGN_OR_RETURN(Result r, c.RunSql(sql, params));
    for (int i = 0; i < r.rows(); ++i)
      page.cases.push_back(pg::ReadSummary(r, i));
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

absl::StatusOr<std::vector<OpenCase>> PostgresCaseStore::ListOpenCases(
    const OpenCaseScan& scan) {
  RETURN_IF_ERROR(CheckMonth(scan.service_month_from));
  RETURN_IF_ERROR(CheckMonth(scan.service_month_to));
  if (scan.shard_count < 1 || scan.shard_index < 0 ||
      scan.shard_index >= scan.shard_count || scan.limit < 1) {
    return absl::InvalidArgumentError("bad shard or limit");
  }
  std::vector<OpenCase> out;
  auto work = [&](Connection& c) -> absl::Status {
    out.clear();
    // The shard's ids first (the other shards' receipts are not read), then
    // their cases.
    ArrayBuilder ids(pg::kText);
    std::string after = scan.after_receipt_id;
    while (ids.size() < static_cast<size_t>(scan.limit)) {
      ASSIGN_OR_RETURN(Result r,
                       c.Run(kOpenIds, Params()
                                           .Text(after)
                                           .Text(scan.service_month_from)
                                           .Text(scan.service_month_to)
                                           .Int(kScanChunk)));
      for (int i = 0; i < r.rows(); ++i) {
        after = r.Text(i, 0);
        if (ShardOf(after, scan.shard_count) != scan.shard_index) continue;
        ids.Add(after);
        if (ids.size() == static_cast<size_t>(scan.limit)) break;
      }
      if (r.rows() < kScanChunk) break;
    }
    if (ids.size() == 0) return absl::OkStatus();
    ASSIGN_OR_RETURN(Result r,
                     c.Run(kOpenCases, Params().Array(pg::kTextArray, ids)));
    for (int i = 0; i < r.rows(); ++i) {
      OpenCase& o = out.emplace_back();
      o.receipt_id = r.Text(i, 0);
      o.version = r.Int(i, 1);
      o.state = static_cast<v1::CaseState>(r.Int(i, 2));
      const absl::string_view bytes = r.Bytes(i, 3);
      if (!o.receipt.ParseFromArray(bytes.data(),
                                    static_cast<int>(bytes.size()))) {
        return absl::DataLossError("unreadable stored receipt");
      }
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return out;
}

absl::StatusOr<std::map<v1::CaseState, int64_t>>
PostgresCaseStore::CountCases() {
  std::map<v1::CaseState, int64_t> counts;
  auto work = [&](Connection& c) -> absl::Status {
    counts.clear();
    ASSIGN_OR_RETURN(Result r, c.Run(kCountCases));
    for (int i = 0; i < r.rows(); ++i) {
      counts[static_cast<v1::CaseState>(r.Int(i, 0))] = r.Int(i, 1);
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return counts;
}

absl::StatusOr<int64_t> PostgresCaseStore::CountPurgeable(
    absl::Time closed_before) {
  int64_t count = 0;
  auto work = [&](Connection& c) -> absl::Status {
    ASSIGN_OR_RETURN(Result r,
                     c.Run(kCountPurgeable, Params().Time(closed_before)));
    count = r.Int(0, 0);
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(Read(work));
  return count;
}

}  // namespace kuromaru::store
