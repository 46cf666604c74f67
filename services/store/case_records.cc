#include "services/store/case_records.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/hash.h"
#include "services/cases/queue_traits.h"

namespace kuromaru::store {
namespace {

constexpr int kMaxPageSize = 1000;

// Binds a page token to its filter, so that a token is not replayed
// against another query.
std::string FilterFingerprint(const CaseFilter& f) {
  std::string canonical;
  for (v1::CaseState s : f.states) absl::StrAppend(&canonical, s, ",");
  absl::StrAppend(&canonical, "|", f.service_month_from, "|",
                  f.service_month_to, "|", f.insurer_number, "|",
                  f.created_before ? ToMicros(*f.created_before) : -1, "|",
                  f.created_after ? ToMicros(*f.created_after) : -1, "|",
                  f.reasons, "|", static_cast<int>(f.order));
  return absl::StrCat(base::Fnv1a64(canonical));
}

// The queue's tokens: its order is not the filter's fingerprint's concern.
std::string QueueFingerprint(const CaseFilter& f) {
  std::string canonical = "queue";
  for (v1::CaseState s : f.states) absl::StrAppend(&canonical, ",", s);
  absl::StrAppend(&canonical, "|", f.service_month_from, "|",
                  f.service_month_to, "|", f.insurer_number, "|", f.reasons);
  return absl::StrCat(base::Fnv1a64(canonical));
}

}  // namespace

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }

QueueColumns QueueColumnsOf(const v1::MatchResult& result) {
  const cases::QueueTraits t = cases::TraitsOf(result);
  QueueColumns out;
  out.reasons = t.reasons;
  out.lead = t.lead;
  out.lead_sort = t.lead ? *t.lead : kNoLead;
  out.signature = cases::SignatureOf(result);
  return out;
}

CaseColumns ColumnsOf(const v1::Case& c) {
  CaseColumns out;
  const std::string& month = c.result().normalized().service_month();
  out.service_month = month.empty() ? c.receipt().service_month() : month;
  const std::string& billed = c.result().normalized().insurer_number();
  out.billed_insurer = billed.empty() ? c.receipt().insurer_number() : billed;
  const auto& candidates = c.result().candidates();
  if (!candidates.empty()) {
    out.top_insurer = candidates[0].insurer_number();
    out.top_probability = candidates[0].probability();
  }
  out.candidate_count = candidates.size();
  if (cases::IsClosed(c.state())) out.closed_at = FromTimestamp(c.updated_at());
  v1::MatchResult previous;
  *previous.mutable_candidates() = c.previous_candidates();
  out.previous_bytes = previous.SerializeAsString();
  out.queue = QueueColumnsOf(c.result());
  return out;
}

absl::StatusOr<PreparedCase> PrepareCase(NewCase in) {
  const std::string id = in.receipt.receipt_id();  // a copy: it is moved
  if (id.empty()) return absl::InvalidArgumentError("receipt_id is required");
  if (!in.result.receipt_id().empty() && in.result.receipt_id() != id) {
    return absl::InvalidArgumentError("the result is for another receipt");
  }
  PreparedCase p;
  p.actor = std::move(in.actor);
  CaseRow& row = p.row;
  row.receipt_bytes = in.receipt.SerializeAsString();
  v1::Case& c = row.c;
  c.set_receipt_id(id);
  *c.mutable_receipt() = std::move(in.receipt);
  *c.mutable_result() = std::move(in.result);
  c.mutable_result()->set_receipt_id(id);
  row.result_bytes = c.result().SerializeAsString();
  p.change = cases::Intake(&c);
  return p;
}

TransitionRecords RecordsOf(const Transition& t, const v1::Case& after) {
  const Actor& actor = *t.actor;
  TransitionRecords out;
  v1::CaseEvent& e = out.event;
  *e.mutable_at() = ToTimestamp(t.at);
  e.set_actor(actor.subject);
  e.set_actor_kind(t.change.actor_kind);
  e.set_action(t.change.action);
  e.set_from_state(t.change.from_state);
  e.set_to_state(after.state());
  e.set_version(after.version());
  e.set_request_id(actor.request_id);
  e.set_comment(t.comment);
  e.set_roster_version(after.roster_version());
  e.set_model_version(after.model_version());
  if (t.feed) {
    v1::Change& change = out.change.emplace();
    change.set_receipt_id(after.receipt_id());
    change.set_state(after.state());
    change.set_version(after.version());
    change.set_actor_kind(t.change.actor_kind);
    *change.mutable_at() = e.at();
    if (after.has_resolved()) *change.mutable_resolved() = after.resolved();
  }
  v1::AuditRecord& a = out.audit;
  *a.mutable_at() = e.at();
  a.set_actor(actor.subject);
  a.set_role(actor.role);
  a.set_action(t.change.action);
  a.set_receipt_id(after.receipt_id());
  a.set_request_id(actor.request_id);
  a.set_peer(actor.peer);
  a.set_version_before(t.change.version_before);
  a.set_version_after(after.version());
  a.set_detail(t.change.detail);
  return out;
}

v1::AuditRecord PurgedAudit(const std::string& receipt_id, int64_t version,
                            v1::CaseState state, absl::Time at,
                            const Actor& actor) {
  v1::AuditRecord a;
  a.set_receipt_id(receipt_id);
  a.set_version_before(version);
  a.set_detail(absl::StrCat("state=", cases::StateName(state)));
  *a.mutable_at() = ToTimestamp(at);
  a.set_actor(actor.subject);
  a.set_role(actor.role);
  a.set_action("PURGED");
  a.set_request_id(actor.request_id);
  a.set_peer(actor.peer);
  return a;
}

absl::Status CheckMonth(const std::string& month) {
  if (month.empty()) return absl::OkStatus();
  bool digits = month.size() == 6;
  for (char ch : month) digits = digits && ch >= '0' && ch <= '9';
  if (!digits) return absl::InvalidArgumentError("months are YYYYMM");
  return absl::OkStatus();
}

absl::StatusOr<int> CheckCaseFilter(const CaseFilter& f) {
  int page_size = f.page_size == 0 ? 50 : f.page_size;
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError("page_size is 1..1000");
  }
  if (absl::Status s = CheckMonth(f.service_month_from); !s.ok()) return s;
  if (absl::Status s = CheckMonth(f.service_month_to); !s.ok()) return s;
  return page_size;
}

std::string EncodePageToken(const CaseFilter& f, const PagePosition& p) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(FilterFingerprint(f), ":", p.created_us, ":", p.receipt_id));
}

absl::StatusOr<std::optional<PagePosition>> DecodePageToken(
    const CaseFilter& f) {
  if (f.page_token.empty()) return std::optional<PagePosition>();
  std::string raw;
  absl::Status bad = absl::InvalidArgumentError("bad page token");
  if (!absl::WebSafeBase64Unescape(f.page_token, &raw)) return bad;
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits(':', 2));
  PagePosition p;
  if (parts.size() != 3 || parts[0] != FilterFingerprint(f) ||
      !absl::SimpleAtoi(parts[1], &p.created_us)) {
    return bad;
  }
  p.receipt_id = parts[2];
  return std::optional<PagePosition>(std::move(p));
}

std::string EncodeQueueToken(const CaseFilter& f, const QueuePosition& p) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(QueueFingerprint(f), ":", p.rank, ":", p.month, ":",
                   absl::StrFormat("%.17g", p.lead_sort), ":", p.receipt_id));
}

absl::StatusOr<std::optional<QueuePosition>> DecodeQueueToken(
    const CaseFilter& f) {
  if (f.page_token.empty()) return std::optional<QueuePosition>();
  const absl::Status bad = absl::InvalidArgumentError("bad page token");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(f.page_token, &raw)) return bad;
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits(':', 4));
  QueuePosition p;
  if (parts.size() != 5 || parts[0] != QueueFingerprint(f) ||
      !absl::SimpleAtoi(parts[1], &p.rank) ||
      !absl::SimpleAtod(parts[3], &p.lead_sort)) {
    return bad;
  }
  p.month = parts[2];
  p.receipt_id = parts[4];
  return std::optional<QueuePosition>(std::move(p));
}

void AddQueueGroup(const CaseFilter& f, v1::CaseState state, uint32_t reasons,
                   int64_t n, QueueCounts* counts) {
  const bool in_states =
      f.states.empty() ||
      std::find(f.states.begin(), f.states.end(), state) != f.states.end();
  const bool reason_ok = f.reasons == 0 || (reasons & f.reasons) != 0;
  if (reason_ok) counts->by_state[state] += n;
  if (in_states) {
    for (int bit = 0; bit < cases::kReasonCount; ++bit) {
      if (reasons & (1u << bit)) counts->by_reason[1u << bit] += n;
    }
  }
  if (reason_ok && in_states) counts->total += n;
}

}  // namespace kuromaru::store
