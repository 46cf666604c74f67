// A thin layer over libpq for the PostgreSQL store: one connection,
// statements prepared once per connection under their names, parameters and
// results in libpq's binary format (no quoting, no text round trips for
// serialized protos), and PostgreSQL's errors mapped onto absl::Status.
//
//   constexpr Query kGetLease{"get_lease",
//       "SELECT owner, expires_at FROM leases WHERE name = $1"};
//   ASSIGN_OR_RETURN(Result r, connection.Run(kGetLease, Params().Text(name)));
//   if (r.rows() == 1) owner = r.Text(0, 0);
//
// libpq directly rather than libpqxx: Debian 12 packages libpqxx 6.4, whose
// text-format parameters would copy every serialized case through escaping,
// and whose exceptions would have to be caught at every call; this layer is
// what the store needs of libpq (binary parameters and arrays, prepared
// statements, error codes) and no more.
//
// Not thread-safe: a connection is used by one thread at a time (the pool in
// postgres_pool.h hands it out).
#ifndef KUROMARU_SERVICES_STORE_POSTGRES_DB_H_
#define KUROMARU_SERVICES_STORE_POSTGRES_DB_H_

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kuromaru::store::pg {

// Type OIDs of the parameters the store sends (server/catalog/pg_type.h is
// not part of libpq's headers).
inline constexpr Oid kBool = 16;
inline constexpr Oid kBytea = 17;
inline constexpr Oid kInt8 = 20;
inline constexpr Oid kInt4 = 23;
inline constexpr Oid kText = 25;
inline constexpr Oid kFloat8 = 701;
inline constexpr Oid kTimestamptz = 1184;
inline constexpr Oid kBoolArray = 1000;
inline constexpr Oid kByteaArray = 1001;
inline constexpr Oid kInt4Array = 1007;
inline constexpr Oid kTextArray = 1009;
inline constexpr Oid kInt8Array = 1016;
inline constexpr Oid kFloat8Array = 1022;
inline constexpr Oid kTimestamptzArray = 1185;

// Values in binary wire format, for array elements.
std::string EncodeInt8(int64_t v);
std::string EncodeInt4(int32_t v);
std::string EncodeFloat8(double v);
std::string EncodeBool(bool v);
// timestamptz: microseconds since 2000-01-01 UTC.
std::string EncodeTime(absl::Time t);

// A one-dimensional array parameter, element by element.
class ArrayBuilder {
 public:
  explicit ArrayBuilder(Oid element_type) : element_type_(element_type) {}
  // `encoded` in the element type's binary format (Encode*, or the raw
  // bytes of text and bytea).
  ArrayBuilder& Add(absl::string_view encoded);
  ArrayBuilder& AddNull();
  std::string Encode() const;
  size_t size() const { return count_; }

 private:
  Oid element_type_;
  size_t count_ = 0;
  std::string elements_;
  bool has_null_ = false;
};

// The parameters of one statement, $1 first.
class Params {
 public:
  Params& Text(absl::string_view v);
  Params& Bytes(absl::string_view v);
  Params& Int(int64_t v);
  Params& Int4(int32_t v);
  Params& Real(double v);
  Params& Bool(bool v);
  Params& Time(absl::Time t);
  Params& Null(Oid type);
  Params& Array(Oid array_type, const ArrayBuilder& elements);

  int size() const { return static_cast<int>(types_.size()); }
  const std::vector<Oid>& types() const { return types_; }

  // The arrays libpq takes; valid while this object lives unchanged.
  struct Wire {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  Wire ToWire() const;

 private:
  Params& Add(Oid type, std::string data);

  std::vector<Oid> types_;
  std::vector<std::string> data_;
  std::vector<bool> null_;
};

// A statement prepared on each connection the first time it runs there.
struct Query {
  const char* name;  // unique among the store's statements
  const char* sql;
};

// A query's rows, in binary format. Accessors take 0-based row and column;
// a NULL reads as 0, "" or the epoch.
class Result {
 public:
  Result() = default;
  explicit Result(PGresult* r) : r_(r, &PQclear) {}

  int rows() const { return r_ ? PQntuples(r_.get()) : 0; }
  // Rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;
  bool IsNull(int row, int col) const;
  int64_t Int(int row, int col) const;  // int2, int4, int8
  double Real(int row, int col) const;  // float8
  bool Bool(int row, int col) const;
  absl::Time Time(int row, int col) const;  // timestamptz
  // text or bytea, as stored.
  absl::string_view Bytes(int row, int col) const;
  std::string Text(int row, int col) const {
    return std::string(Bytes(row, col));
  }

 private:
  std::shared_ptr<PGresult> r_;
};

class Connection {
 public:
  // Connects with a libpq connection string or URI. UNAVAILABLE when the
  // server cannot be reached, PERMISSION_DENIED when it refuses the login,
  // INVALID_ARGUMENT for a string libpq cannot parse. Messages name no
  // password.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& dsn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters (several statements allowed), discarding
  // rows.
  absl::Status Exec(const std::string& sql);
  // Runs a named statement, preparing it on this connection first if needed.
  absl::StatusOr<Result> Run(const Query& query, const Params& params = {});
  // Runs SQL built at run time (not prepared).
  absl::StatusOr<Result> RunSql(const std::string& sql,
                                const Params& params = {});

  // False once the connection to the server is lost; it is then of no use.
  bool healthy() const;
  // The SQLSTATE of the last error, "" after a success.
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  PGconn* raw() const { return conn_; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  absl::StatusOr<Result> Finish(PGresult* r, const char* what);

  PGconn* conn_;
  std::set<std::string> prepared_;
  std::string last_sqlstate_;
  bool dropped_ = false;  // unfit for further use (see Finish)
};

// An error status carrying this payload asks the transaction's runner to run
// it again from the start (a deadlock, a serialization failure, a race on a
// unique key that a fresh snapshot resolves).
inline constexpr char kRetryPayload[] = "kuromaru.store/retry";
absl::Status RetryTransaction(absl::string_view why);
bool IsRetry(const absl::Status& status);

}  // namespace kuromaru::store::pg

#endif  // KUROMARU_SERVICES_STORE_POSTGRES_DB_H_
