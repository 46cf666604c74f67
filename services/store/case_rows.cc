#include "services/store/case_rows.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/cases/queue_traits.h"

namespace kuromaru::store {
namespace {

constexpr char kCaseColumns[] =
    "receipt_id, state, version, service_month, billed_insurer, top_insurer, "
    "top_probability, candidate_count, created_us, updated_us, closed_us, "
    "reopened, resolved_by, roster_version, model_version, receipt_pb, "
    "result_pb, resolved_pb, previous_pb, reasons, lead, lead_sort, signature";

absl::Status ParseInto(const std::string& bytes, google::protobuf::Message* m,
                       const char* what) {
  if (!m->ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("unreadable stored ", what));
  }
  return absl::OkStatus();
}

// Binds every column of kCaseColumns, in order, from parameter 1.
void BindCase(Statement& s, const CaseRow& row) {
  const v1::Case& c = row.c;
  const CaseColumns columns = ColumnsOf(c);
  s.Bind(1, c.receipt_id())
      .Bind(2, static_cast<int64_t>(c.state()))
      .Bind(3, c.version())
      .Bind(4, columns.service_month)
      .Bind(5, columns.billed_insurer)
      .Bind(6, columns.top_insurer)
      .Bind(7, columns.top_probability)
      .Bind(8, columns.candidate_count)
      .Bind(9, ToMicros(FromTimestamp(c.created_at())))
      .Bind(10, ToMicros(FromTimestamp(c.updated_at())));
  if (columns.closed_at) {
    s.Bind(11, ToMicros(*columns.closed_at));
  } else {
    s.BindNull(11);
  }
  s.Bind(12, static_cast<int64_t>(row.reopened ? 1 : 0))
      .Bind(13, static_cast<int64_t>(c.resolved_by()))
      .Bind(14, c.roster_version())
      .Bind(15, c.model_version())
      .BindBlob(16, row.receipt_bytes);
  if (row.result_bytes.empty()) {
    s.BindBlob(17, c.result().SerializeAsString());
  } else {
    s.BindBlob(17, row.result_bytes);
  }
  if (c.has_resolved()) {
    s.BindBlob(18, c.resolved().SerializeAsString());
  } else {
    s.BindNull(18);
  }
  s.BindBlob(19, columns.previous_bytes);
  BindQueueColumns(s, columns.queue, 20);
}

}  // namespace

const char kSummaryColumns[] =
    "receipt_id, state, version, service_month, billed_insurer, top_insurer, "
    "top_probability, candidate_count, created_us, updated_us, reasons, lead";

v1::CaseSummary ReadSummary(const Statement& s) {
  v1::CaseSummary c;
  c.set_receipt_id(s.Text(0));
  c.set_state(static_cast<v1::CaseState>(s.Int(1)));
  c.set_version(s.Int(2));
  c.set_service_month(s.Text(3));
  c.set_billed_insurer_number(s.Text(4));
  c.set_top_insurer_number(s.Text(5));
  c.set_top_probability(s.Real(6));
  c.set_candidate_count(static_cast<int32_t>(s.Int(7)));
  *c.mutable_created_at() = ToTimestamp(absl::FromUnixMicros(s.Int(8)));
  *c.mutable_updated_at() = ToTimestamp(absl::FromUnixMicros(s.Int(9)));
  for (std::string_view reason :
       cases::ReasonNames(static_cast<uint32_t>(s.Int(10)))) {
    c.add_reasons(std::string(reason));
  }
  if (!s.IsNull(11)) c.set_lead(s.Real(11));
  return c;
}

void BindQueueColumns(Statement& s, const QueueColumns& q, int first) {
  s.Bind(first, static_cast<int64_t>(q.reasons));
  if (q.lead) {
    s.Bind(first + 1, *q.lead);
  } else {
    s.BindNull(first + 1);
  }
  s.Bind(first + 2, q.lead_sort);
  s.Bind(first + 3, q.signature);
}

absl::StatusOr<std::optional<CaseRow>> LoadCase(Connection& db,
                                                const std::string& receipt_id) {
  ASSIGN_OR_RETURN(
      auto s, db.Prepare(absl::StrCat("SELECT ", kCaseColumns,
                                      " FROM cases WHERE receipt_id = ?")));
  s->Bind(1, receipt_id);
  ASSIGN_OR_RETURN(bool found, s->Step());
  if (!found) return std::optional<CaseRow>();
  CaseRow row;
  v1::Case& c = row.c;
  c.set_receipt_id(s->Text(0));
  c.set_state(static_cast<v1::CaseState>(s->Int(1)));
  c.set_version(s->Int(2));
  *c.mutable_created_at() = ToTimestamp(absl::FromUnixMicros(s->Int(8)));
  *c.mutable_updated_at() = ToTimestamp(absl::FromUnixMicros(s->Int(9)));
  row.reopened = s->Int(11) != 0;
  c.set_resolved_by(static_cast<v1::ActorKind>(s->Int(12)));
  c.set_roster_version(s->Text(13));
  c.set_model_version(s->Text(14));
  row.receipt_bytes = s->Text(15);
  RETURN_IF_ERROR(ParseInto(row.receipt_bytes, c.mutable_receipt(), "receipt"));
  RETURN_IF_ERROR(ParseInto(s->Text(16), c.mutable_result(), "result"));
  if (!s->IsNull(17)) {
    RETURN_IF_ERROR(ParseInto(s->Text(17), c.mutable_resolved(), "key"));
  }
  v1::MatchResult previous;
  RETURN_IF_ERROR(ParseInto(s->Text(18), &previous, "candidates"));
  *c.mutable_previous_candidates() = previous.candidates();
  return std::optional<CaseRow>(std::move(row));
}

absl::Status LoadHistory(Connection& db, v1::Case* c) {
  ASSIGN_OR_RETURN(
      auto s, db.Prepare("SELECT seq, at_us, actor, actor_kind, action, "
                         "from_state, to_state, version, request_id, comment, "
                         "roster_version, model_version FROM case_events "
                         "WHERE receipt_id = ? ORDER BY seq"));
  s->Bind(1, c->receipt_id());
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    v1::CaseEvent* e = c->add_history();
    e->set_sequence(s->Int(0));
    *e->mutable_at() = ToTimestamp(absl::FromUnixMicros(s->Int(1)));
    e->set_actor(s->Text(2));
    e->set_actor_kind(static_cast<v1::ActorKind>(s->Int(3)));
    e->set_action(s->Text(4));
    e->set_from_state(static_cast<v1::CaseState>(s->Int(5)));
    e->set_to_state(static_cast<v1::CaseState>(s->Int(6)));
    e->set_version(s->Int(7));
    e->set_request_id(s->Text(8));
    e->set_comment(s->Text(9));
    e->set_roster_version(s->Text(10));
    e->set_model_version(s->Text(11));
  }
  return absl::OkStatus();
}

absl::Status InsertCase(Connection& db, const CaseRow& row) {
  ASSIGN_OR_RETURN(auto s, db.Prepare(absl::StrCat(
                               "INSERT INTO cases (", kCaseColumns,
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                               "?,?,?,?,?,?)")));
  BindCase(*s, row);
  return s->Run();
}

absl::Status UpdateCase(Connection& db, const CaseRow& row) {
  // Numbered parameters, so that BindCase serves both statements.
  ASSIGN_OR_RETURN(
      auto s,
      db.Prepare(
          "UPDATE cases SET state = ?2, version = ?3, "
          "service_month = ?4, billed_insurer = ?5, top_insurer = ?6, "
          "top_probability = ?7, candidate_count = ?8, created_us = ?9, "
          "updated_us = ?10, closed_us = ?11, reopened = ?12, "
          "resolved_by = ?13, roster_version = ?14, model_version = ?15, "
          "receipt_pb = ?16, result_pb = ?17, resolved_pb = ?18, "
          "previous_pb = ?19, reasons = ?20, lead = ?21, lead_sort = ?22, "
          "signature = ?23 WHERE receipt_id = ?1"));
  BindCase(*s, row);
  RETURN_IF_ERROR(s->Run());
  if (db.Changes() != 1) return absl::NotFoundError("no such case");
  return absl::OkStatus();
}

absl::Status AppendAudit(Connection& db, const v1::AuditRecord& r) {
  ASSIGN_OR_RETURN(
      auto s,
      db.Prepare("INSERT INTO audit (at_us, actor, role, action, "
                 "receipt_id, request_id, peer, version_before, "
                 "version_after, detail) VALUES (?,?,?,?,?,?,?,?,?,?)"));
  s->Bind(1, ToMicros(FromTimestamp(r.at())))
      .Bind(2, r.actor())
      .Bind(3, r.role())
      .Bind(4, r.action())
      .Bind(5, r.receipt_id())
      .Bind(6, r.request_id())
      .Bind(7, r.peer())
      .Bind(8, r.version_before())
      .Bind(9, r.version_after())
      .Bind(10, r.detail());
  return s->Run();
}

absl::Status RecordTransition(Connection& db, const Transition& t,
                              v1::Case* after) {
  TransitionRecords r = RecordsOf(t, *after);
  v1::CaseEvent& e = r.event;
  ASSIGN_OR_RETURN(
      auto s, db.Prepare("INSERT INTO case_events (receipt_id, at_us, actor, "
                         "actor_kind, action, from_state, to_state, version, "
                         "request_id, comment, roster_version, model_version) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
  s->Bind(1, after->receipt_id())
      .Bind(2, ToMicros(t.at))
      .Bind(3, e.actor())
      .Bind(4, static_cast<int64_t>(e.actor_kind()))
      .Bind(5, e.action())
      .Bind(6, static_cast<int64_t>(e.from_state()))
      .Bind(7, static_cast<int64_t>(e.to_state()))
      .Bind(8, e.version())
      .Bind(9, e.request_id())
      .Bind(10, e.comment())
      .Bind(11, e.roster_version())
      .Bind(12, e.model_version());
  RETURN_IF_ERROR(s->Run());
  e.set_sequence(sqlite3_last_insert_rowid(db.raw()));
  if (r.change) {
    ASSIGN_OR_RETURN(auto c, db.Prepare("INSERT INTO changes (receipt_id, "
                                        "at_us, change_pb) VALUES (?,?,?)"));
    c->Bind(1, after->receipt_id())
        .Bind(2, ToMicros(t.at))
        .BindBlob(3, r.change->SerializeAsString());
    RETURN_IF_ERROR(c->Run());
  }
  RETURN_IF_ERROR(AppendAudit(db, r.audit));
  *after->add_history() = std::move(e);
  return absl::OkStatus();
}

}  // namespace kuromaru::store
