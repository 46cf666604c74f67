#include "services/store/postgres_db.h"

#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/internal/endian.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/log.h"

namespace kuromaru::store::pg {
namespace {

// The server's warnings go to the log; its notices ("relation … already
// exists, skipping" from the schema's IF NOT EXISTS) and below do not, so
// that they never reach a command's stderr.
void LogNotice(void* /*arg*/, const PGresult* notice) {
  const char* severity =
      PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity == nullptr || std::string_view(severity) != "WARNING") return;
  const char* text = PQresultErrorField(notice, PG_DIAG_MESSAGE_PRIMARY);
  base::Log(base::LogLevel::kWarning, "database warning",
            {{"message", std::string(text == nullptr ? "" : text)}});
}

// timestamptz counts microseconds from 2000-01-01 UTC.
constexpr int64_t kPostgresEpochUnixMicros = 946684800000000;

std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  absl::big_endian::Store64(out.data(), v);
  return out;
}

std::string BigEndian32(uint32_t v) {
  std::string out(4, '\0');
  absl::big_endian::Store32(out.data(), v);
  return out;
}

// The primary message with the SQLSTATE; never the detail, which may quote
// a row's values.
absl::Status MapError(const std::string& sqlstate, absl::string_view primary,
                      const char* what) {
  const std::string message =
      absl::StrCat(what, ": ", absl::StripTrailingAsciiWhitespace(primary),
                   " (SQLSTATE ", sqlstate.empty() ? "none" : sqlstate, ")");
  auto in_class = [&](absl::string_view prefix) {
    return absl::StartsWith(sqlstate, prefix);
  };
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return RetryTransaction(message);
  }
  // Connection failures, a server shutting down or starting, a server that
  // has become a standby (read-only) after a failover, or out of resources
  // (connections, disk): the caller may retry later.
  if (sqlstate.empty() || in_class("08") || in_class("53") || in_class("57P") ||
      sqlstate == "25006") {
    return absl::UnavailableError(message);
  }
  if (sqlstate == "23505") return absl::AlreadyExistsError(message);
  if (in_class("23") || sqlstate == "P0001") {
    return absl::FailedPreconditionError(message);
  }
  if (sqlstate == "42501" || in_class("28")) {
    return absl::PermissionDeniedError(message);
  }
  if (sqlstate == "57014") return absl::DeadlineExceededError(message);
  return absl::InternalError(message);
}

// A PGconn error (no result): the connection is gone or unusable.
absl::Status ConnectionError(PGconn* conn, const char* what) {
  absl::string_view text = conn != nullptr ? PQerrorMessage(conn) : "";
  return absl::UnavailableError(
      absl::StrCat(what, ": ", absl::StripTrailingAsciiWhitespace(text)));
}

}  // namespace

absl::Status RetryTransaction(absl::string_view why) {
  absl::Status s = absl::AbortedError(why);
  s.SetPayload(kRetryPayload, absl::Cord("1"));
  return s;
}

bool IsRetry(const absl::Status& status) {
  return status.GetPayload(kRetryPayload).has_value();
}

std::string EncodeInt8(int64_t v) {
  return BigEndian64(static_cast<uint64_t>(v));
}
std::string EncodeInt4(int32_t v) {
  return BigEndian32(static_cast<uint32_t>(v));
}
std::string EncodeFloat8(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  return BigEndian64(bits);
}
std::string EncodeBool(bool v) { return std::string(1, v ? '\1' : '\0'); }
std::string EncodeTime(absl::Time t) {
  return EncodeInt8(absl::ToUnixMicros(t) - kPostgresEpochUnixMicros);
}

ArrayBuilder& ArrayBuilder::Add(absl::string_view encoded) {
  elements_ += BigEndian32(static_cast<uint32_t>(encoded.size()));
  elements_.append(encoded.data(), encoded.size());
  ++count_;
  return *this;
}

ArrayBuilder& ArrayBuilder::AddNull() {
  elements_ += BigEndian32(0xffffffffu);
  has_null_ = true;
  ++count_;
  return *this;
}

std::string ArrayBuilder::Encode() const {
  // ndim, has-null flag, element type, then per dimension its length and
  // lower bound; an empty array has no dimension.
  std::string out = BigEndian32(count_ == 0 ? 0 : 1);
  out += BigEndian32(has_null_ ? 1 : 0);
  out += BigEndian32(element_type_);
  if (count_ > 0) {
    out += BigEndian32(static_cast<uint32_t>(count_));
    out += BigEndian32(1);
  }
  out += elements_;
  return out;
}

Params& Params::Add(Oid type, std::string data) {
  types_.push_back(type);
  data_.push_back(std::move(data));
  null_.push_back(false);
  return *this;
}

Params& Params::Text(absl::string_view v) { return Add(kText, std::string(v)); }
Params& Params::Bytes(absl::string_view v) {
  return Add(kBytea, std::string(v));
}
Params& Params::Int(int64_t v) { return Add(kInt8, EncodeInt8(v)); }
Params& Params::Int4(int32_t v) { return Add(kInt4, EncodeInt4(v)); }
Params& Params::Real(double v) { return Add(kFloat8, EncodeFloat8(v)); }
Params& Params::Bool(bool v) { return Add(kBool, EncodeBool(v)); }
Params& Params::Time(absl::Time t) { return Add(kTimestamptz, EncodeTime(t)); }
Params& Params::Null(Oid type) {
  Add(type, std::string());
  null_.back() = true;
  return *this;
}
Params& Params::Array(Oid array_type, const ArrayBuilder& elements) {
  return Add(array_type, elements.Encode());
}

Params::Wire Params::ToWire() const {
  Wire w;
  for (size_t i = 0; i < data_.size(); ++i) {
    w.values.push_back(null_[i] ? nullptr : data_[i].data());
    w.lengths.push_back(static_cast<int>(data_[i].size()));
    w.formats.push_back(1);
  }
  return w;
}

int64_t Result::affected() const {
  int64_t n = 0;
  if (r_ && absl::SimpleAtoi(PQcmdTuples(r_.get()), &n)) return n;
  return 0;
}

bool Result::IsNull(int row, int col) const {
  return PQgetisnull(r_.get(), row, col) != 0;
}

int64_t Result::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* v = PQgetvalue(r_.get(), row, col);
  switch (PQgetlength(r_.get(), row, col)) {
    case 2:
      return static_cast<int16_t>(absl::big_endian::Load16(v));
    case 4:
      return static_cast<int32_t>(absl::big_endian::Load32(v));
    case 8:
      return static_cast<int64_t>(absl::big_endian::Load64(v));
    default:
      return 0;
  }
}

double Result::Real(int row, int col) const {
  if (IsNull(row, col)) return 0;
  uint64_t bits = absl::big_endian::Load64(PQgetvalue(r_.get(), row, col));
  double v = 0;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

bool Result::Bool(int row, int col) const {
  return !IsNull(row, col) && PQgetvalue(r_.get(), row, col)[0] != 0;
}

absl::Time Result::Time(int row, int col) const {
  if (IsNull(row, col)) return absl::UnixEpoch();
  return absl::FromUnixMicros(Int(row, col) + kPostgresEpochUnixMicros);
}

absl::string_view Result::Bytes(int row, int col) const {
  if (IsNull(row, col)) return {};
  return absl::string_view(PQgetvalue(r_.get(), row, col),
                           PQgetlength(r_.get(), row, col));
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(
    const std::string& dsn) {
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(dsn.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? parse_error : "out of memory";
    PQfreemem(parse_error);
    return absl::InvalidArgumentError(
        absl::StrCat("not a PostgreSQL connection string: ",
                     absl::StripTrailingAsciiWhitespace(why)));
  }
  PQconninfoFree(parsed);
  // Defaults first, the caller's string over them, the encoding last: text
  // travels as UTF-8 whatever the server's default.
  const char* keys[] = {"connect_timeout",     "keepalives_idle",
                        "keepalives_interval", "keepalives_count",
                        "application_name",    "dbname",
                        "client_encoding",     nullptr};
  const char* values[] = {"5",        "30",        "10",   "3",
                          "kuromaru", dsn.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return absl::ResourceExhaustedError("out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
    PQfinish(conn);
    const std::string message =
        absl::StrCat("cannot connect to the database: ", why);
    if (absl::StrContains(why, "authentication failed") ||
        absl::StrContains(why, "no pg_hba.conf entry") ||
        absl::StrContains(why, "permission denied")) {
      return absl::PermissionDeniedError(message);
    }
    return absl::UnavailableError(message);
  }
  PQsetNoticeReceiver(conn, &LogNotice, nullptr);
  return std::unique_ptr<Connection>(new Connection(conn));
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::healthy() const {
  return !dropped_ && PQstatus(conn_) == CONNECTION_OK;
}

absl::StatusOr<Result> Connection::Finish(PGresult* r, const char* what) {
  if (r == nullptr) {
    last_sqlstate_ = "08006";
    return ConnectionError(conn_, what);
  }
  Result result(r);
  const ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    last_sqlstate_.clear();
    return result;
  }
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  last_sqlstate_ = state != nullptr ? state : "";
  if (!healthy()) return ConnectionError(conn_, what);
  if (last_sqlstate_ == "25006" || absl::StartsWith(last_sqlstate_, "57P")) {
    // A standby after a failover, or a server going down: this connection
    // will not take writes again. Drop it, so that the pool connects anew.
    dropped_ = true;
  }
  return MapError(last_sqlstate_,
                  primary != nullptr ? primary : PQresultErrorMessage(r), what);
}

absl::Status Connection::Exec(const std::string& sql) {
  return Finish(PQexec(conn_, sql.c_str()), "statement").status();
}

absl::StatusOr<Result> Connection::Run(const Query& query,
                                       const Params& params) {
  if (!prepared_.contains(query.name)) {
    absl::StatusOr<Result> prepared =
        Finish(PQprepare(conn_, query.name, query.sql, params.size(),
                         params.types().data()),
               query.name);
    if (!prepared.ok()) return prepared.status();
    prepared_.insert(query.name);
  }
  const Params::Wire w = params.ToWire();
  return Finish(
      PQexecPrepared(conn_, query.name, params.size(), w.values.data(),
                     w.lengths.data(), w.formats.data(), /*resultFormat=*/1),
      query.name);
}

absl::StatusOr<Result> Connection::RunSql(const std::string& sql,
                                          const Params& params) {
  const Params::Wire w = params.ToWire();
  return Finish(
      PQexecParams(conn_, sql.c_str(), params.size(), params.types().data(),
                   w.values.data(), w.lengths.data(), w.formats.data(),
                   /*resultFormat=*/1),
      "query");
}

}  // namespace kuromaru::store::pg
