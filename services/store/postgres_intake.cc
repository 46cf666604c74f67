#include "services/store/postgres_intake.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "services/store/postgres_rows.h"

namespace kuromaru::store::pg {
namespace {

// Inserts the cases that are new and, for those, their history events, feed
// entries and audit rows; returns the events' sequence numbers. A receipt_id
// already stored (or being stored by a concurrent transaction, which this
// one then waits for) is passed over and looked at afterwards.
constexpr Query kInsertCases{
    "insert_cases",
    "WITH input AS (SELECT * FROM unnest($1::text[], $2::int4[], $3::int8[], "
    "$4::text[], $5::text[], $6::text[], $7::float8[], $8::int4[], "
    "$9::timestamptz[], $10::timestamptz[], $11::int4[], $12::text[], "
    "$13::text[], $14::bytea[], $15::bytea[], $16::bytea[], $17::bytea[], "
    "$18::text[], $19::int4[], $20::text[], $21::int4[], $22::text[], "
    "$23::bytea[], $24::text[], $25::text[], $26::text[], $27::int8[], "
    "$28::int4[], $29::float8[], $30::float8[], $31::text[]) "
    "AS t(receipt_id, state, version, service_month, billed_insurer, "
    "top_insurer, top_probability, candidate_count, created_at, closed_at, "
    "resolved_by, roster_version, model_version, receipt_pb, result_pb, "
    "resolved_pb, previous_pb, actor, actor_kind, action, from_state, "
    "request_id, change_pb, role, peer, detail, version_before, reasons, "
    "lead, lead_sort, signature)), "
    "ins AS (INSERT INTO cases (receipt_id, state, version, service_month, "
    "billed_insurer, top_insurer, top_probability, candidate_count, "
    "created_at, updated_at, closed_at, resolved_by, roster_version, "
    "model_version, receipt_pb, result_pb, resolved_pb, previous_pb, reasons, "
    "lead, lead_sort, signature) "
    "SELECT receipt_id, state, version, service_month, billed_insurer, "
    "top_insurer, top_probability, candidate_count, created_at, created_at, "
    "closed_at, resolved_by, roster_version, model_version, receipt_pb, "
    "result_pb, resolved_pb, previous_pb, reasons, lead, lead_sort, "
    "signature FROM input ORDER BY receipt_id "
    "ON CONFLICT (receipt_id) DO NOTHING RETURNING receipt_id), "
    "ev AS (INSERT INTO case_events (receipt_id, at, actor, actor_kind, "
    "action, from_state, to_state, version, request_id, comment, "
    "roster_version, model_version) SELECT i.receipt_id, i.created_at, "
    "i.actor, i.actor_kind, i.action, i.from_state, i.state, i.version, "
    "i.request_id, '', i.roster_version, i.model_version FROM input i "
    "JOIN ins USING (receipt_id) ORDER BY i.receipt_id "
    "RETURNING receipt_id, seq), "
    "ch AS (INSERT INTO changes (receipt_id, at, change_pb) "
    "SELECT i.receipt_id, i.created_at, i.change_pb FROM input i "
    "JOIN ins USING (receipt_id) ORDER BY i.receipt_id), "
    "au AS (INSERT INTO audit (at, actor, role, action, receipt_id, "
    "request_id, peer, version_before, version_after, detail) "
    "SELECT i.created_at, i.actor, i.role, i.action, i.receipt_id, "
    "i.request_id, i.peer, i.version_before, i.version, i.detail "
    "FROM input i JOIN ins USING (receipt_id) ORDER BY i.receipt_id) "
    "SELECT receipt_id, seq FROM ev"};

// One case as this attempt writes it.
struct Row {
  const PreparedCase* p = nullptr;
  v1::Case c;
  TransitionRecords records;
};

// The statement's parameters, one array per column.
Params InsertParams(const std::vector<Row>& rows);

}  // namespace

IntakeWriter::IntakeWriter(Pool* pool, int writers, int max_batch,
                           std::function<absl::Time()> now)
    : pool_(pool),
      writers_(std::max(1, writers)),
      max_batch_(static_cast<size_t>(std::max(1, max_batch))),
      now_(std::move(now)) {}

std::vector<absl::Status> IntakeWriter::Write(
    std::vector<PreparedCase>& cases) {
  Caller caller;
  std::vector<Pending> mine(cases.size());
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < cases.size(); ++i) {
    mine[i].p = &cases[i];
    mine[i].caller = &caller;
    queue_.push_back(&mine[i]);
  }
  caller.remaining = static_cast<int>(cases.size());
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return caller.remaining == 0 || (!queue_.empty() && in_flight_ < writers_);
  };
  while (true) {
    mu_.Await(absl::Condition(&ready));
    if (caller.remaining == 0) break;
    std::vector<Pending*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    ++in_flight_;
    mu_.Unlock();
    WriteBatch(batch);
    mu_.Lock();
    --in_flight_;
    for (Pending* p : batch) --p->caller->remaining;
  }
  std::vector<absl::Status> out;
  out.reserve(mine.size());
  for (Pending& p : mine) out.push_back(std::move(p.status));
  return out;
}

void IntakeWriter::WriteBatch(const std::vector<Pending*>& batch) {
  // The first of each receipt_id is written; a repeat in the same batch
  // is answered from it afterwards.
  std::map<std::string, Pending*> first;
  std::vector<Pending*> unique, repeats;
  for (Pending* p : batch) {
    auto [it, fresh] = first.emplace(p->p->row.c.receipt_id(), p);
    (fresh ? unique : repeats).push_back(p);
  }
  std::sort(unique.begin(), unique.end(), [](Pending* a, Pending* b) {
    return a->p->row.c.receipt_id() < b->p->row.c.receipt_id();
  });
  absl::Status together = WriteTogether(unique);
  if (!together.ok()) {
    const bool alone = !absl::IsUnavailable(together) && unique.size() > 1;
    for (Pending* p : unique) {
      p->status = alone ? WriteTogether({p}) : together;
    }
  }
  for (Pending* r : repeats) {
    const Pending* f = first[r->p->row.c.receipt_id()];
    if (!f->status.ok()) {
      r->status = f->status;
    } else if (f->p->row.receipt_bytes != r->p->row.receipt_bytes) {
      r->status = absl::AlreadyExistsError(absl::StrCat(
          "another receipt is stored as ", r->p->row.c.receipt_id()));
    } else {
      r->p->out.stored = f->p->out.stored;
      r->p->out.replayed = true;
    }
  }
}

absl::Status IntakeWriter::WriteTogether(const std::vector<Pending*>& batch) {
  if (batch.empty()) return absl::OkStatus();
  std::vector<Row> rows;
  std::vector<absl::Status> statuses;
  std::vector<CaseWrite> outs;
  RETURN_IF_ERROR(pool_->Transaction([&](Connection& c) -> absl::Status {
    const absl::Time now = now_();
    rows.assign(batch.size(), Row());
    statuses.assign(batch.size(), absl::OkStatus());
    outs.assign(batch.size(), CaseWrite());
    for (size_t i = 0; i < batch.size(); ++i) {
      const PreparedCase& p = *batch[i]->p;
      rows[i].p = &p;
      rows[i].c = p.row.c;
      *rows[i].c.mutable_created_at() = ToTimestamp(now);
      *rows[i].c.mutable_updated_at() = ToTimestamp(now);
      Transition t;
      t.change = p.change;
      t.actor = &p.actor;
      t.at = now;
      rows[i].records = RecordsOf(t, rows[i].c);
    }
    ASSIGN_OR_RETURN(Result inserted, c.Run(kInsertCases, InsertParams(rows)));
    std::map<std::string, int64_t> seq;
    for (int i = 0; i < inserted.rows(); ++i) {
      seq[inserted.Text(i, 0)] = inserted.Int(i, 1);
    }
    std::vector<std::string> known;
    std::vector<bool> fresh(batch.size(), false);
    for (size_t i = 0; i < batch.size(); ++i) {
      auto it = seq.find(rows[i].c.receipt_id());
      if (it == seq.end()) {
        known.push_back(rows[i].c.receipt_id());
        continue;
      }
      fresh[i] = true;
      v1::CaseEvent* e = rows[i].c.add_history();
      *e = rows[i].records.event;
      e->set_sequence(it->second);
      outs[i].stored = std::move(rows[i].c);
    }
    ASSIGN_OR_RETURN(std::vector<CaseRow> stored, LoadCases(c, known));
    std::map<std::string, CaseRow*> by_id;
    for (CaseRow& s : stored) by_id[s.c.receipt_id()] = &s;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (fresh[i]) continue;
      auto it = by_id.find(rows[i].c.receipt_id());
      if (it == by_id.end()) {
        // Stored and purged between the insert and the read: rare enough to
        // run the whole batch again.
        return RetryTransaction("a stored case went away");
      }
      if (it->second->receipt_bytes != batch[i]->p->row.receipt_bytes) {
        statuses[i] = absl::AlreadyExistsError(absl::StrCat(
            "another receipt is stored as ", rows[i].c.receipt_id()));
        continue;
      }
      outs[i].stored = std::move(it->second->c);
      outs[i].replayed = true;
    }
    return absl::OkStatus();
  }));
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->status = statuses[i];
    if (statuses[i].ok()) batch[i]->p->out = std::move(outs[i]);
  }
  return absl::OkStatus();
}

namespace {

Params InsertParams(const std::vector<Row>& rows) {
  ArrayBuilder id(kText), state(kInt4), version(kInt8), month(kText),
      billed(kText), top(kText), probability(kFloat8), count(kInt4),
      created(kTimestamptz), closed(kTimestamptz), resolved_by(kInt4),
      roster(kText), model(kText), receipt(kBytea), result(kBytea),
      resolved(kBytea), previous(kBytea), actor(kText), actor_kind(kInt4),
      action(kText), from_state(kInt4), request(kText), change(kBytea),
      role(kText), peer(kText), detail(kText), before(kInt8), reasons(kInt4),
      lead(kFloat8), lead_sort(kFloat8), signature(kText);
  for (size_t i = 0; i < rows.size(); ++i) {
    const PreparedCase& p = *rows[i].p;
    const v1::Case& c = rows[i].c;
    const CaseColumns columns = ColumnsOf(c);
    const TransitionRecords& r = rows[i].records;
    id.Add(c.receipt_id());
    state.Add(EncodeInt4(c.state()));
    version.Add(EncodeInt8(c.version()));
    month.Add(columns.service_month);
    billed.Add(columns.billed_insurer);
    top.Add(columns.top_insurer);
    probability.Add(EncodeFloat8(columns.top_probability));
    count.Add(EncodeInt4(static_cast<int32_t>(columns.candidate_count)));
    created.Add(EncodeTime(FromTimestamp(c.created_at())));
    if (columns.closed_at) {
      closed.Add(EncodeTime(*columns.closed_at));
    } else {
      closed.AddNull();
    }
    resolved_by.Add(EncodeInt4(c.resolved_by()));
    roster.Add(c.roster_version());
    model.Add(c.model_version());
    receipt.Add(p.row.receipt_bytes);
    result.Add(p.row.result_bytes.empty() ? c.result().SerializeAsString()
                                          : p.row.result_bytes);
    if (c.has_resolved()) {
      resolved.Add(c.resolved().SerializeAsString());
    } else {
      resolved.AddNull();
    }
    previous.Add(columns.previous_bytes);
    actor.Add(r.event.actor());
    actor_kind.Add(EncodeInt4(r.event.actor_kind()));
    action.Add(r.event.action());
    from_state.Add(EncodeInt4(r.event.from_state()));
    request.Add(r.event.request_id());
    change.Add(r.change ? r.change->SerializeAsString() : std::string());
    role.Add(r.audit.role());
    peer.Add(r.audit.peer());
    detail.Add(r.audit.detail());
    before.Add(EncodeInt8(r.audit.version_before()));
    reasons.Add(EncodeInt4(static_cast<int32_t>(columns.queue.reasons)));
    if (columns.queue.lead) {
      lead.Add(EncodeFloat8(*columns.queue.lead));
    } else {
      lead.AddNull();
    }
    lead_sort.Add(EncodeFloat8(columns.queue.lead_sort));
    signature.Add(columns.queue.signature);
  }
  Params out;
  out.Array(kTextArray, id)
      .Array(kInt4Array, state)
      .Array(kInt8Array, version)
      .Array(kTextArray, month)
      .Array(kTextArray, billed)
      .Array(kTextArray, top)
      .Array(kFloat8Array, probability)
      .Array(kInt4Array, count)
      .Array(kTimestamptzArray, created)
      .Array(kTimestamptzArray, closed)
      .Array(kInt4Array, resolved_by)
      .Array(kTextArray, roster)
      .Array(kTextArray, model)
      .Array(kByteaArray, receipt)
      .Array(kByteaArray, result)
      .Array(kByteaArray, resolved)
      .Array(kByteaArray, previous)
      .Array(kTextArray, actor)
      .Array(kInt4Array, actor_kind)
      .Array(kTextArray, action)
      .Array(kInt4Array, from_state)
      .Array(kTextArray, request)
      .Array(kByteaArray, change)
      .Array(kTextArray, role)
      .Array(kTextArray, peer)
      .Array(kTextArray, detail)
      .Array(kInt8Array, before)
      .Array(kInt4Array, reasons)
      .Array(kFloat8Array, lead)
      .Array(kFloat8Array, lead_sort)
      .Array(kTextArray, signature);
  return out;
}

}  // namespace
}  // namespace kuromaru::store::pg
