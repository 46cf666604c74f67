#include "services/store/store_move.h"

#include <openssl/evp.h>

#include <cstring>
#include <limits>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "services/store/open_store.h"
#include "services/store/postgres_db.h"
#include "services/store/sqlite_db.h"

namespace kuromaru::store {
namespace {

constexpr int kChunk = 2000;

// How a column is stored on each side.
enum class Kind {
  kText,         // TEXT / text
  kInt,          // INTEGER / integer or bigint
  kReal,         // REAL / double precision
  kBlob,         // BLOB / bytea
  kBlobOrEmpty,  // BLOB that may be NULL / bytea NOT NULL: NULL moves as ''
  kTime,         // INTEGER microseconds since the epoch / timestamptz
  kBool,         // INTEGER 0 or 1 / boolean
};

struct Column {
  const char* sqlite;    // its name in SQLite
  const char* postgres;  // its name in PostgreSQL
  Kind kind;
};

struct Table {
  const char* name;
  std::vector<Column> columns;  // the first is the key
  // Moved feed entries carry transaction id 0 (postgres_schema.cc).
  bool feed = false;
};

const std::vector<Table>& Tables() {
  using K = Kind;
  static const auto* const tables = new std::vector<Table>{
      {"cases",
       {{"receipt_id", "receipt_id", K::kText},
        {"state", "state", K::kInt},
        {"version", "version", K::kInt},
        {"service_month", "service_month", K::kText},
        {"billed_insurer", "billed_insurer", K::kText},
        {"top_insurer", "top_insurer", K::kText},
        {"top_probability", "top_probability", K::kReal},
        {"candidate_count", "candidate_count", K::kInt},
        {"created_us", "created_at", K::kTime},
        {"updated_us", "updated_at", K::kTime},
        {"closed_us", "closed_at", K::kTime},
        {"reopened", "reopened", K::kBool},
        {"resolved_by", "resolved_by", K::kInt},
        {"roster_version", "roster_version", K::kText},
        {"model_version", "model_version", K::kText},
        {"receipt_pb", "receipt_pb", K::kBlob},
        {"result_pb", "result_pb", K::kBlob},
        {"resolved_pb", "resolved_pb", K::kBlob},
        {"previous_pb", "previous_pb", K::kBlobOrEmpty},
        {"reasons", "reasons", K::kInt},
        {"lead", "lead", K::kReal},
        {"lead_sort", "lead_sort", K::kReal},
        {"signature", "signature", K::kText}}},
      {"case_events",
       {{"seq", "seq", K::kInt},
        {"receipt_id", "receipt_id", K::kText},
        {"at_us", "at", K::kTime},
        {"actor", "actor", K::kText},
        {"actor_kind", "actor_kind", K::kInt},
        {"action", "action", K::kText},
        {"from_state", "from_state", K::kInt},
        {"to_state", "to_state", K::kInt},
        {"version", "version", K::kInt},
        {"request_id", "request_id", K::kText},
        {"comment", "comment", K::kText},
        {"roster_version", "roster_version", K::kText},
        {"model_version", "model_version", K::kText}}},
      {"decisions",
       {{"idempotency_key", "idempotency_key", K::kText},
        {"receipt_id", "receipt_id", K::kText},
        {"action", "action", K::kText},
        {"at_us", "at", K::kTime},
        {"outcome_pb", "outcome_pb", K::kBlob}}},
      {"changes",
       {{"seq", "seq", K::kInt},
        {"receipt_id", "receipt_id", K::kText},
        {"at_us", "at", K::kTime},
        {"change_pb", "change_pb", K::kBlob}},
       /*feed=*/true},
      {"audit",
       {{"seq", "seq", K::kInt},
        {"at_us", "at", K::kTime},
        {"actor", "actor", K::kText},
        {"role", "role", K::kText},
        {"action", "action", K::kText},
        {"receipt_id", "receipt_id", K::kText},
        {"request_id", "request_id", K::kText},
        {"peer", "peer", K::kText},
        {"version_before", "version_before", K::kInt},
        {"version_after", "version_after", K::kInt},
        {"detail", "detail", K::kText}}},
      {"roster_state",
       {{"id", "id", K::kInt},
        {"version", "version", K::kText},
        {"snapshot_path", "snapshot_path", K::kText},
        {"delta_paths", "delta_paths", K::kText},
        {"encoding", "encoding", K::kText},
        {"directory_path", "directory_path", K::kText},
        {"model_path", "model_path", K::kText},
        {"model_version", "model_version", K::kText},
        {"updated_us", "updated_at", K::kTime}}},
      {"checkpoints",
       {{"name", "name", K::kText},
        {"value", "value", K::kBlob},
        {"updated_us", "updated_at", K::kTime}}},
  };
  return *tables;
}

bool IntKey(const Table& t) { return t.columns[0].kind == Kind::kInt; }

// A value read from either side, in the form both sides hash alike.
struct Value {
  bool null = false;
  int64_t i = 0;
  double r = 0;
  std::string bytes;
};

// What a column's value is held as in a Value.
enum class Form { kBytes, kReal, kInt };

Form FormOf(Kind kind) {
  switch (kind) {
    case Kind::kText:
    case Kind::kBlob:
    case Kind::kBlobOrEmpty:
      return Form::kBytes;
    case Kind::kReal:
      return Form::kReal;
    case Kind::kInt:
    case Kind::kTime:
    case Kind::kBool:
      return Form::kInt;
  }
  return Form::kBytes;
}

// SHA-256 over rows: per value a NULL marker or its bytes with their length.
class RowHash {
 public:
  RowHash() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void Add(Kind kind, const Value& v) {
    const bool null = v.null && kind != Kind::kBlobOrEmpty;
    const char tag = null ? 0 : 1;
    EVP_DigestUpdate(ctx_.get(), &tag, 1);
    if (null) return;
    switch (FormOf(kind)) {
      case Form::kBytes: {
        const uint64_t n = v.bytes.size();
        EVP_DigestUpdate(ctx_.get(), &n, sizeof n);
        EVP_DigestUpdate(ctx_.get(), v.bytes.data(), v.bytes.size());
        break;
      }
      case Form::kReal:
        EVP_DigestUpdate(ctx_.get(), &v.r, sizeof v.r);
        break;
      case Form::kInt:
        EVP_DigestUpdate(ctx_.get(), &v.i, sizeof v.i);
        break;
    }
  }
  std::string Hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    return absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), size));
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

using Row = std::vector<Value>;

Value FromSqlite(const Statement& st, int col, Kind kind) {
  Value v;
  v.null = st.IsNull(col);
  if (v.null) return v;
  switch (FormOf(kind)) {
    case Form::kBytes:
      v.bytes = st.Text(col);
      break;
    case Form::kReal:
      v.r = st.Real(col);
      break;
    case Form::kInt:
      v.i = st.Int(col);
      break;
  }
  return v;
}

Value FromPostgres(const pg::Result& r, int row, int col, Kind kind) {
  Value v;
  v.null = r.IsNull(row, col);
  if (v.null) return v;
  switch (FormOf(kind)) {
    case Form::kBytes:
      v.bytes = std::string(r.Bytes(row, col));
      break;
    case Form::kReal:
      v.r = r.Real(row, col);
      break;
    case Form::kInt:
      v.i = r.Int(row, col);
      break;
  }
  return v;
}

// The next chunk of SQLite rows after `after` (a key; nullopt: from the
// first), in key order.
absl::StatusOr<std::vector<Row>> SqliteChunk(
    Connection& db, const Table& t, const std::optional<Value>& after) {
  std::vector<std::string> names;
  for (const Column& c : t.columns) names.push_back(c.sqlite);
  const std::string key = t.columns[0].sqlite;
  ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> st,
      db.Prepare(absl::StrCat(
          "SELECT ", absl::StrJoin(names, ", "), " FROM ", t.name,
          after ? absl::StrCat(" WHERE ", key, " > ?1") : std::string(),
          " ORDER BY ", key, " LIMIT ", kChunk)));
  if (after) {
    if (IntKey(t)) {
      st->Bind(1, after->i);
    } else {
      st->Bind(1, after->bytes);
    }
  }
  std::vector<Row> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    Row row;
    for (size_t i = 0; i < t.columns.size(); ++i) {
      row.push_back(FromSqlite(*st, static_cast<int>(i), t.columns[i].kind));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// How a column's values travel to PostgreSQL: as an array of this type.
struct PgArray {
  Oid element;
  Oid array;
  const char* cast;
};

PgArray ArrayOf(Kind kind) {
  switch (kind) {
    case Kind::kText:
      return {pg::kText, pg::kTextArray, "text[]"};
    case Kind::kInt:
      return {pg::kInt8, pg::kInt8Array, "int8[]"};
    case Kind::kReal:
      return {pg::kFloat8, pg::kFloat8Array, "float8[]"};
    case Kind::kBlob:
    case Kind::kBlobOrEmpty:
      return {pg::kBytea, pg::kByteaArray, "bytea[]"};
    case Kind::kTime:
      return {pg::kTimestamptz, pg::kTimestamptzArray, "timestamptz[]"};
    case Kind::kBool:
      return {pg::kBool, pg::kBoolArray, "bool[]"};
  }
  return {pg::kText, pg::kTextArray, "text[]"};
}

// Inserts `rows` in one statement (one transaction); rows whose key is
// present stay as they are. Returns the rows inserted.
absl::StatusOr<int64_t> Insert(pg::Connection& c, const Table& t,
                               const std::vector<Row>& rows) {
  std::vector<pg::ArrayBuilder> arrays;
  std::vector<std::string> names, unnest;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& col = t.columns[i];
    arrays.emplace_back(ArrayOf(col.kind).element);
    names.push_back(col.postgres);
    unnest.push_back(absl::StrCat("$", i + 1, "::", ArrayOf(col.kind).cast));
  }
  for (const Row& row : rows) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      const Value& v = row[i];
      const Kind kind = t.columns[i].kind;
      pg::ArrayBuilder& a = arrays[i];
      if (v.null && kind != Kind::kBlobOrEmpty) {
        a.AddNull();
        continue;
      }
      switch (kind) {
        case Kind::kText:
        case Kind::kBlob:
        case Kind::kBlobOrEmpty:
          a.Add(v.bytes);
          break;
        case Kind::kInt:
          a.Add(pg::EncodeInt8(v.i));
          break;
        case Kind::kReal:
          a.Add(pg::EncodeFloat8(v.r));
          break;
        case Kind::kTime:
          a.Add(pg::EncodeTime(absl::FromUnixMicros(v.i)));
          break;
        case Kind::kBool:
          a.Add(pg::EncodeBool(v.i != 0));
          break;
      }
    }
  }
  pg::Params params;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    params.Array(ArrayOf(t.columns[i].kind).array, arrays[i]);
  }
  const std::string sql =
      t.feed
          ? absl::StrCat(
                "INSERT INTO ", t.name, " (xid, ", absl::StrJoin(names, ", "),
                ") SELECT '0'::xid8, u.* FROM unnest(",
                absl::StrJoin(unnest, ", "), ") AS u ON CONFLICT DO NOTHING")
          : absl::StrCat("INSERT INTO ", t.name, " (",
                         absl::StrJoin(names, ", "), ") SELECT * FROM unnest(",
                         absl::StrJoin(unnest, ", "),
                         ") ON CONFLICT DO NOTHING");
  ASSIGN_OR_RETURN(pg::Result r, c.RunSql(sql, params));
  return r.affected();
}

// The moved PostgreSQL rows with the keys of `source`, in key order, each
// column in the form SqliteChunk reads it.
absl::StatusOr<std::vector<Row>> PostgresRows(pg::Connection& c, const Table& t,
                                              const std::vector<Row>& source) {
  std::vector<std::string> exprs;
  for (const Column& col : t.columns) {
    switch (col.kind) {
      case Kind::kTime:
        exprs.push_back(absl::StrCat("(extract(epoch FROM ", col.postgres,
                                     ") * 1000000)::int8"));
        break;
      case Kind::kBool:
        exprs.push_back(absl::StrCat(col.postgres, "::int4::int8"));
        break;
      case Kind::kInt:
        exprs.push_back(absl::StrCat(col.postgres, "::int8"));
        break;
      default:
        exprs.push_back(col.postgres);
    }
  }
  const std::string key = t.columns[0].postgres;
  pg::ArrayBuilder keys(IntKey(t) ? pg::kInt8 : pg::kText);
  for (const Row& row : source) {
    keys.Add(IntKey(t) ? pg::EncodeInt8(row[0].i) : row[0].bytes);
  }
  const std::string sql = absl::StrCat(
      "SELECT ", absl::StrJoin(exprs, ", "), " FROM ", t.name, " WHERE ", key,
      " = ANY($1", IntKey(t) ? "::int8[]" : "::text[]", ")",
      t.feed ? " AND xid = '0'::xid8" : "", " ORDER BY ", key);
  ASSIGN_OR_RETURN(
      pg::Result r,
      c.RunSql(sql, pg::Params().Array(
                        IntKey(t) ? pg::kInt8Array : pg::kTextArray, keys)));
  std::vector<Row> rows;
  for (int i = 0; i < r.rows(); ++i) {
    Row row;
    for (size_t j = 0; j < t.columns.size(); ++j) {
      row.push_back(FromPostgres(r, i, static_cast<int>(j), t.columns[j].kind));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

void HashRows(const Table& t, const std::vector<Row>& rows, RowHash& hash) {
  for (const Row& row : rows) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
      hash.Add(t.columns[i].kind, row[i]);
    }
  }
}

// Copies one table, chunk by chunk, and reads each chunk back.
absl::Status CopyTable(Connection& db, pg::Connection& c, const Table& t,
                       MoveReport::Table& out) {
  RowHash source_hash, target_hash;
  std::optional<Value> after;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<Row> rows, SqliteChunk(db, t, after));
    if (rows.empty()) break;
    HashRows(t, rows, source_hash);
    out.source_rows += static_cast<int64_t>(rows.size());
    ASSIGN_OR_RETURN(int64_t copied, Insert(c, t, rows));
    out.copied += copied;
    ASSIGN_OR_RETURN(std::vector<Row> moved, PostgresRows(c, t, rows));
    HashRows(t, moved, target_hash);
    out.target_rows += static_cast<int64_t>(moved.size());
    after = rows.back()[0];
  }
  out.source_sha256 = source_hash.Hex();
  out.target_sha256 = target_hash.Hex();
  return absl::OkStatus();
}

}  // namespace

bool MoveReport::verified() const {
  for (const Table& t : tables) {
    if (!t.verified()) return false;
  }
  return true;
}

absl::StatusOr<MoveReport> MoveSqliteToPostgres(const std::string& sqlite_path,
                                                const std::string& dsn) {
  // Opening each store brings its schema to this release's version.
  StoreOpenOptions existing;
  existing.create = false;
  { ASSIGN_OR_RETURN(auto migrated, OpenStore(sqlite_path, existing)); }
  { ASSIGN_OR_RETURN(auto migrated, OpenStore(dsn, StoreOpenOptions())); }
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> db,
                   Connection::Open(sqlite_path, /*create=*/false, 5000));
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Connection> c,
                   pg::Connection::Open(dsn));
  ReadTransaction snapshot(db.get());
  RETURN_IF_ERROR(snapshot.Begin());
  MoveReport report;
  for (const Table& t : Tables()) {
    MoveReport::Table& out = report.tables.emplace_back();
    out.name = t.name;
    RETURN_IF_ERROR(CopyTable(*db, *c, t, out));
  }
  // Sequences go on after every row (moved, or written since).
  for (const char* table : {"case_events", "changes", "audit"}) {
    RETURN_IF_ERROR(
        c->RunSql(absl::StrCat("SELECT setval(pg_get_serial_sequence('", table,
                               "', 'seq'), (SELECT COALESCE(max(seq), 0) + 1 "
                               "FROM ",
                               table, "), false)"))
            .status());
  }
  return report;
}

}  // namespace kuromaru::store
