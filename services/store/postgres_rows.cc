#include "services/store/postgres_rows.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/queue_traits.h"

namespace kuromaru::store::pg {
namespace {

#define KUROMARU_CASE_SELECT                                            \
  "receipt_id, state, version, created_at, updated_at, reopened, "      \
  "resolved_by, roster_version, model_version, receipt_pb, result_pb, " \
  "resolved_pb, previous_pb"

constexpr Query kLoadCase{"load_case", "SELECT " KUROMARU_CASE_SELECT
                                       " FROM cases WHERE receipt_id = $1"};
constexpr Query kLockCase{"lock_case",
                          "SELECT " KUROMARU_CASE_SELECT
                          " FROM cases WHERE receipt_id = $1 FOR UPDATE"};
constexpr Query kLoadCases{"load_cases",
                           "SELECT " KUROMARU_CASE_SELECT
                           " FROM cases WHERE receipt_id = ANY($1)"};

#define KUROMARU_EVENT_SELECT                                           \
  "seq, at, actor, actor_kind, action, from_state, to_state, version, " \
  "request_id, comment, roster_version, model_version FROM case_events "

constexpr Query kLoadHistory{"load_history",
                             "SELECT " KUROMARU_EVENT_SELECT
                             "WHERE receipt_id = $1 ORDER BY seq"};
constexpr Query kLoadHistories{
    "load_histories", "SELECT receipt_id, " KUROMARU_EVENT_SELECT
                      "WHERE receipt_id = ANY($1) ORDER BY receipt_id, seq"};

constexpr Query kUpdateCase{
    "update_case",
    "UPDATE cases SET state = $2, version = $3, service_month = $4, "
    "billed_insurer = $5, top_insurer = $6, top_probability = $7, "
    "candidate_count = $8, updated_at = $9, closed_at = $10, reopened = $11, "
    "resolved_by = $12, roster_version = $13, model_version = $14, "
    "result_pb = $15, resolved_pb = $16, previous_pb = $17, reasons = $18, "
    "lead = $19, lead_sort = $20, signature = $21 "
    "WHERE receipt_id = $1"};

// The event, audit row and (in the first form) feed entry of one change, in
// one round trip.
#define KUROMARU_RECORD_EVENT                                                 \
  "WITH ev AS (INSERT INTO case_events (receipt_id, at, actor, actor_kind, "  \
  "action, from_state, to_state, version, request_id, comment, "              \
  "roster_version, model_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "   \
  "$9, $10, $11, $12) RETURNING seq), "                                       \
  "au AS (INSERT INTO audit (at, actor, role, action, receipt_id, "           \
  "request_id, peer, version_before, version_after, detail) VALUES ($2, $3, " \
  "$13, $5, $1, $9, $14, $15, $8, $16)) "

constexpr Query kRecordChange{
    "record_change", KUROMARU_RECORD_EVENT
    ", ch AS (INSERT INTO changes (receipt_id, at, change_pb) "
    "VALUES ($1, $2, $17)) SELECT seq FROM ev"};
constexpr Query kRecordEvent{"record_event",
                             KUROMARU_RECORD_EVENT "SELECT seq FROM ev"};

constexpr Query kAppendAudit{
    "append_audit",
    "INSERT INTO audit (at, actor, role, action, receipt_id, request_id, "
    "peer, version_before, version_after, detail) "
    "SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], "
    "$4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[], "
    "$10::text[])"};

absl::Status ParseInto(absl::string_view bytes, google::protobuf::Message* m,
                       const char* what) {
  if (!m->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("unreadable stored ", what));
  }
  return absl::OkStatus();
}

// The event columns from `col` on (KUROMARU_EVENT_SELECT order).
void ReadEvent(const Result& r, int row, int col, v1::CaseEvent* e) {
  e->set_sequence(r.Int(row, col));
  *e->mutable_at() = ToTimestamp(r.Time(row, col + 1));
  e->set_actor(r.Text(row, col + 2));
  e->set_actor_kind(static_cast<v1::ActorKind>(r.Int(row, col + 3)));
  e->set_action(r.Text(row, col + 4));
  e->set_from_state(static_cast<v1::CaseState>(r.Int(row, col + 5)));
  e->set_to_state(static_cast<v1::CaseState>(r.Int(row, col + 6)));
  e->set_version(r.Int(row, col + 7));
  e->set_request_id(r.Text(row, col + 8));
  e->set_comment(r.Text(row, col + 9));
  e->set_roster_version(r.Text(row, col + 10));
  e->set_model_version(r.Text(row, col + 11));
}

ArrayBuilder TextArray(const std::vector<std::string>& values) {
  ArrayBuilder a(kText);
  for (const std::string& v : values) a.Add(v);
  return a;
}

}  // namespace

const char kCaseSelect[] = KUROMARU_CASE_SELECT;
const char kSummarySelect[] =
    "receipt_id, state, version, service_month, billed_insurer, top_insurer, "
    "top_probability, candidate_count, created_at, updated_at, reasons, lead";
const char kAuditSelect[] =
    "seq, at, actor, role, action, receipt_id, request_id, peer, "
    "version_before, version_after, detail";

absl::StatusOr<CaseRow> ReadCase(const Result& r, int row) {
  CaseRow out;
  v1::Case& c = out.c;
  c.set_receipt_id(r.Text(row, 0));
  c.set_state(static_cast<v1::CaseState>(r.Int(row, 1)));
  c.set_version(r.Int(row, 2));
  *c.mutable_created_at() = ToTimestamp(r.Time(row, 3));
  *c.mutable_updated_at() = ToTimestamp(r.Time(row, 4));
  out.reopened = r.Bool(row, 5);
  c.set_resolved_by(static_cast<v1::ActorKind>(r.Int(row, 6)));
  c.set_roster_version(r.Text(row, 7));
  c.set_model_version(r.Text(row, 8));
  out.receipt_bytes = r.Text(row, 9);
  RETURN_IF_ERROR(ParseInto(out.receipt_bytes, c.mutable_receipt(), "receipt"));
  RETURN_IF_ERROR(ParseInto(r.Bytes(row, 10), c.mutable_result(), "result"));
  if (!r.IsNull(row, 11)) {
    RETURN_IF_ERROR(ParseInto(r.Bytes(row, 11), c.mutable_resolved(), "key"));
  }
  v1::MatchResult previous;
  RETURN_IF_ERROR(ParseInto(r.Bytes(row, 12), &previous, "candidates"));
  *c.mutable_previous_candidates() = previous.candidates();
  return out;
}

v1::CaseSummary ReadSummary(const Result& r, int row) {
  v1::CaseSummary c;
  c.set_receipt_id(r.Text(row, 0));
  c.set_state(static_cast<v1::CaseState>(r.Int(row, 1)));
  c.set_version(r.Int(row, 2));
  c.set_service_month(r.Text(row, 3));
  c.set_billed_insurer_number(r.Text(row, 4));
  c.set_top_insurer_number(r.Text(row, 5));
  c.set_top_probability(r.Real(row, 6));
  c.set_candidate_count(static_cast<int32_t>(r.Int(row, 7)));
  *c.mutable_created_at() = ToTimestamp(r.Time(row, 8));
  *c.mutable_updated_at() = ToTimestamp(r.Time(row, 9));
  for (std::string_view reason :
       cases::ReasonNames(static_cast<uint32_t>(r.Int(row, 10)))) {
    c.add_reasons(std::string(reason));
  }
  if (!r.IsNull(row, 11)) c.set_lead(r.Real(row, 11));
  return c;
}

v1::AuditRecord ReadAudit(const Result& r, int row) {
  v1::AuditRecord a;
  a.set_sequence(r.Int(row, 0));
  *a.mutable_at() = ToTimestamp(r.Time(row, 1));
  a.set_actor(r.Text(row, 2));
  a.set_role(r.Text(row, 3));
  a.set_action(r.Text(row, 4));
  a.set_receipt_id(r.Text(row, 5));
  a.set_request_id(r.Text(row, 6));
  a.set_peer(r.Text(row, 7));
  a.set_version_before(r.Int(row, 8));
  a.set_version_after(r.Int(row, 9));
  a.set_detail(r.Text(row, 10));
  return a;
}

absl::StatusOr<std::optional<CaseRow>> LoadCase(Connection& c,
                                                const std::string& receipt_id,
                                                bool lock) {
  ASSIGN_OR_RETURN(
      Result r, c.Run(lock ? kLockCase : kLoadCase, Params().Text(receipt_id)));
  if (r.rows() == 0) return std::optional<CaseRow>();
  ASSIGN_OR_RETURN(CaseRow row, ReadCase(r, 0));
  return std::optional<CaseRow>(std::move(row));
}

absl::StatusOr<std::vector<CaseRow>> LoadCases(
    Connection& c, const std::vector<std::string>& receipt_ids) {
  std::vector<CaseRow> out;
  if (receipt_ids.empty()) return out;
  Params ids;
  ids.Array(kTextArray, TextArray(receipt_ids));
  ASSIGN_OR_RETURN(Result cases, c.Run(kLoadCases, ids));
  std::map<std::string, size_t> index;
  for (int i = 0; i < cases.rows(); ++i) {
    ASSIGN_OR_RETURN(CaseRow row, ReadCase(cases, i));
    index[row.c.receipt_id()] = out.size();
    out.push_back(std::move(row));
  }
  ASSIGN_OR_RETURN(Result events, c.Run(kLoadHistories, ids));
  for (int i = 0; i < events.rows(); ++i) {
    auto it = index.find(events.Text(i, 0));
    if (it == index.end()) continue;
    ReadEvent(events, i, 1, out[it->second].c.add_history());
  }
  return out;
}

absl::Status LoadHistory(Connection& c, v1::Case* out) {
  ASSIGN_OR_RETURN(Result r,
                   c.Run(kLoadHistory, Params().Text(out->receipt_id())));
  for (int i = 0; i < r.rows(); ++i) ReadEvent(r, i, 0, out->add_history());
  return absl::OkStatus();
}

absl::Status UpdateCase(Connection& c, const CaseRow& row) {
  const v1::Case& k = row.c;
  const CaseColumns columns = ColumnsOf(k);
  Params p;
  p.Text(k.receipt_id())
      .Int4(k.state())
      .Int(k.version())
      .Text(columns.service_month)
      .Text(columns.billed_insurer)
      .Text(columns.top_insurer)
      .Real(columns.top_probability)
      .Int4(static_cast<int32_t>(columns.candidate_count))
      .Time(FromTimestamp(k.updated_at()));
  if (columns.closed_at) {
    p.Time(*columns.closed_at);
  } else {
    p.Null(kTimestamptz);
  }
  p.Bool(row.reopened)
      .Int4(k.resolved_by())
      .Text(k.roster_version())
      .Text(k.model_version())
      .Bytes(row.result_bytes.empty() ? k.result().SerializeAsString()
                                      : row.result_bytes);
  if (k.has_resolved()) {
    p.Bytes(k.resolved().SerializeAsString());
  } else {
    p.Null(kBytea);
  }
  p.Bytes(columns.previous_bytes)
      .Int4(static_cast<int32_t>(columns.queue.reasons));
  if (columns.queue.lead) {
    p.Real(*columns.queue.lead);
  } else {
    p.Null(kFloat8);
  }
  p.Real(columns.queue.lead_sort).Text(columns.queue.signature);
  ASSIGN_OR_RETURN(Result r, c.Run(kUpdateCase, p));
  if (r.affected() != 1) return absl::NotFoundError("no such case");
  return absl::OkStatus();
}

absl::Status RecordTransition(Connection& c, const Transition& t,
                              v1::Case* after) {
  TransitionRecords records = RecordsOf(t, *after);
  v1::CaseEvent& e = records.event;
  const v1::AuditRecord& a = records.audit;
  Params p;
  p.Text(after->receipt_id())
      .Time(t.at)
      .Text(e.actor())
      .Int4(e.actor_kind())
      .Text(e.action())
      .Int4(e.from_state())
      .Int4(e.to_state())
      .Int(e.version())
      .Text(e.request_id())
      .Text(e.comment())
      .Text(e.roster_version())
      .Text(e.model_version())
      .Text(a.role())
      .Text(a.peer())
      .Int(a.version_before())
      .Text(a.detail());
  if (records.change) p.Bytes(records.change->SerializeAsString());
  ASSIGN_OR_RETURN(Result r,
                   c.Run(records.change ? kRecordChange : kRecordEvent, p));
  e.set_sequence(r.Int(0, 0));
  *after->add_history() = std::move(e);
  return absl::OkStatus();
}

absl::Status AppendAudit(Connection& c,
                         const std::vector<v1::AuditRecord>& rows) {
  if (rows.empty()) return absl::OkStatus();
  ArrayBuilder at(kTimestamptz), actor(kText), role(kText), action(kText),
      receipt(kText), request(kText), peer(kText), before(kInt8), after(kInt8),
      detail(kText);
  for (const v1::AuditRecord& a : rows) {
    at.Add(EncodeTime(FromTimestamp(a.at())));
    actor.Add(a.actor());
    role.Add(a.role());
    action.Add(a.action());
    receipt.Add(a.receipt_id());
    request.Add(a.request_id());
    peer.Add(a.peer());
    before.Add(EncodeInt8(a.version_before()));
    after.Add(EncodeInt8(a.version_after()));
    detail.Add(a.detail());
  }
  Params p;
  p.Array(kTimestamptzArray, at)
      .Array(kTextArray, actor)
      .Array(kTextArray, role)
      .Array(kTextArray, action)
      .Array(kTextArray, receipt)
      .Array(kTextArray, request)
      .Array(kTextArray, peer)
      .Array(kInt8Array, before)
      .Array(kInt8Array, after)
      .Array(kTextArray, detail);
  return c.Run(kAppendAudit, p).status();
}

}  // namespace kuromaru::store::pg
