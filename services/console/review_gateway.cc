#include "services/console/review_gateway.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/cases/case_state_machine.h"
#include "services/cases/queue_traits.h"
#include "services/console/api_json.h"
#include "services/console/case_view.h"
#include "services/grpc/auth.h"

namespace kuromaru::console {
namespace {

using json = nlohmann::json;
using grpc_service::Role;

bool Has(const Caller& c, Role role) {
  return (c.roles & static_cast<uint8_t>(role)) != 0;
}

store::Actor ActorOf(const Caller& c) {
  return {c.subject, Has(c, Role::kReviewer) ? "reviewer" : "admin",
          c.request_id, c.peer};
}

std::string Param(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? "" : it->second;
}

bool IsMonth(const std::string& m) {
  return m.empty() ||
         (m.size() == 6 && std::all_of(m.begin(), m.end(), [](char c) {
            return c >= '0' && c <= '9';
          }));
}

// The queue filter of query parameters or of a JSON body; a Reply with the
// field at fault when one is bad.
struct Filter {
  std::vector<std::string> states, reasons;
  std::string month_from, month_to, insurer;
};

std::optional<Reply> ToStoreFilter(const Filter& in, store::CaseFilter* f) {
  for (const std::string& s : in.states) {
    if (s.empty()) continue;
    std::optional<v1::CaseState> state = StateFromName(s);
    if (!state)
      return ErrorReply(400, "INVALID_ARGUMENT", "unknown state", "state");
    f->states.push_back(*state);
  }
  if (f->states.empty()) f->states = {v1::CASE_STATE_PENDING_REVIEW};
  for (const std::string& r : in.reasons) {
    if (r.empty()) continue;
    std::optional<cases::Reason> reason = cases::ReasonFromName(r);
    if (!reason) {
      return ErrorReply(400, "INVALID_ARGUMENT", "unknown reason", "reason");
    }
    f->reasons |= *reason;
  }
  if (!IsMonth(in.month_from)) {
    return ErrorReply(400, "INVALID_ARGUMENT", "expected YYYYMM", "month_from");
  }
  if (!IsMonth(in.month_to)) {
    return ErrorReply(400, "INVALID_ARGUMENT", "expected YYYYMM", "month_to");
  }
  if (!in.insurer.empty() &&
      (in.insurer.size() > 8 ||
       !std::all_of(in.insurer.begin(), in.insurer.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))) {
    return ErrorReply(400, "INVALID_ARGUMENT", "expected digits", "insurer");
  }
  f->service_month_from = in.month_from;
  f->service_month_to = in.month_to;
  f->insurer_number = in.insurer;
  f->order = store::CaseFilter::Order::kPriority;
  return std::nullopt;
}

std::vector<std::string> SplitList(const std::string& s) {
  return absl::StrSplit(s, ',', absl::SkipEmpty());
}

std::vector<std::string> JsonList(const json& body, const char* key) {
  std::vector<std::string> out;
  if (!body.contains(key)) return out;
  const json& v = body[key];
  if (v.is_string()) return SplitList(v.get<std::string>());
  if (v.is_array()) {
    for (const json& e : v) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

std::string JsonText(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string()
             ? body[key].get<std::string>()
             : "";
}

std::map<std::string, review::Claim> ClaimMap(review::ReviewDesk& desk) {
  std::map<std::string, review::Claim> out;
  auto claims = desk.Claims();
  if (!claims.ok()) return out;
  for (auto& [id, claim] : *claims) out.emplace(id, claim);
  return out;
}

std::optional<review::Claim> Find(const std::map<std::string, review::Claim>& m,
                                  const std::string& id) {
  auto it = m.find(id);
  return it == m.end() ? std::nullopt : std::optional(it->second);
}

json CountsJson(const store::QueueCounts& counts) {
  json by_state = json::object();
  for (const auto& [state, n] : counts.by_state) by_state[StateName(state)] = n;
  json by_reason = json::object();
  for (const auto& [bit, n] : counts.by_reason) {
    for (std::string_view name : cases::ReasonNames(bit)) {
      by_reason[std::string(name)] = n;
    }
  }
  return {{"total", counts.total},
          {"by_state", std::move(by_state)},
          {"by_reason", std::move(by_reason)}};
}

}  // namespace

Reply ReviewGateway::Queue(const Caller& caller, const Params& q) {
  Filter in{SplitList(Param(q, "state")), SplitList(Param(q, "reason")),
            Param(q, "month_from"), Param(q, "month_to"), Param(q, "insurer")};
  store::CaseFilter f;
  if (std::optional<Reply> bad = ToStoreFilter(in, &f)) return *bad;
  if (const std::string size = Param(q, "page_size"); !size.empty()) {
    if (!absl::SimpleAtoi(size, &f.page_size) || f.page_size < 1 ||
        f.page_size > 200) {
      return ErrorReply(400, "INVALID_ARGUMENT", "1..200", "page_size");
    }
  }
  f.page_token = Param(q, "page_token");
  absl::StatusOr<store::CasePage> page = desk_->store().ListCases(f);
  if (!page.ok()) return ErrorReply(page.status(), "page_token");
  absl::StatusOr<store::QueueCounts> counts = desk_->store().CountQueue(f);
  if (!counts.ok()) return ErrorReply(counts.status());
  const std::map<std::string, review::Claim> claims = ClaimMap(*desk_);
  json rows = json::array();
  for (const v1::CaseSummary& c : page->cases) {
    rows.push_back(QueueRow(c, Find(claims, c.receipt_id()), caller.subject));
  }
  return {200,
          {{"cases", std::move(rows)},
           {"next_page_token", page->next_page_token},
           {"counts", CountsJson(*counts)}}};
}

Reply ReviewGateway::Next(const Caller& caller, const json& body) {
  if (!Has(caller, Role::kReviewer)) {
    return ErrorReply(403, "PERMISSION_DENIED", "needs the reviewer role");
  }
  Filter in{JsonList(body, "state"), JsonList(body, "reason"),
            JsonText(body, "month_from"), JsonText(body, "month_to"),
            JsonText(body, "insurer")};
  store::CaseFilter f;
  if (std::optional<Reply> bad = ToStoreFilter(in, &f)) return *bad;
  std::vector<std::string> skip = JsonList(body, "skip");
  if (skip.size() > 500) {
    return ErrorReply(400, "INVALID_ARGUMENT", "at most 500", "skip");
  }
  f.page_size = 100;
  // The first case in queue order that nobody else holds; a case claimed
  // between the look and the claim is passed over.
  for (int pages = 0; pages < 20; ++pages) {
    absl::StatusOr<store::CasePage> page = desk_->store().ListCases(f);
    if (!page.ok()) return ErrorReply(page.status());
    const std::map<std::string, review::Claim> claims = ClaimMap(*desk_);
    for (const v1::CaseSummary& c : page->cases) {
      if (std::find(skip.begin(), skip.end(), c.receipt_id()) != skip.end()) {
        continue;
      }
      std::optional<review::Claim> held = Find(claims, c.receipt_id());
      if (held && held->owner != caller.subject) continue;
      absl::StatusOr<review::Claim> claim =
          desk_->TakeClaim(c.receipt_id(), caller.subject);
      if (!claim.ok()) continue;
      return {200,
              {{"receipt_id", c.receipt_id()},
               {"claim", ClaimJson(*claim, caller.subject)}}};
    }
    if (page->next_page_token.empty()) break;
    f.page_token = page->next_page_token;
  }
  return {204, nullptr};
}

Reply ReviewGateway::OpenCase(const Caller& caller, const std::string& id) {
  absl::StatusOr<v1::Case> c =
      desk_->store().GetCase(id, ActorOf(caller), /*audit_open=*/true);
  if (!c.ok()) return ErrorReply(c.status());
  std::optional<review::Claim> claim;
  if (Has(caller, Role::kReviewer) && cases::IsOpen(c->state())) {
    absl::StatusOr<review::Claim> mine =
        desk_->TakeClaim(id, caller.subject, &claim);
    if (mine.ok()) claim = *mine;
  } else if (auto held = desk_->ClaimOf(id); held.ok()) {
    claim = *held;
  }
  std::shared_ptr<const reconcile::Engine> engine = desk_->engine();
  CaseViewInputs in;
  if (engine != nullptr) {
    in.roster = &engine->matcher->roster();
    in.directory = engine->directory.get();
  }
  const v1::MatchResult& result = c->result();
  json reasons = json::array();
  for (std::string_view r :
       cases::ReasonNames(cases::TraitsOf(result).reasons)) {
    reasons.push_back(std::string(r));
  }
  json same = json::array();
  if (auto others = desk_->store().ListSameSignature(id, 20); others.ok()) {
    const std::map<std::string, review::Claim> claims = ClaimMap(*desk_);
    for (const v1::CaseSummary& s : *others) {
      json keys = json::array();
      if (auto other = desk_->store().GetCase(s.receipt_id(), ActorOf(caller),
                                              /*audit_open=*/false);
          other.ok()) {
        for (const v1::Candidate& k : other->result().candidates()) {
          keys.push_back(ProtoJson(cases::KeyOf(k)));
        }
      }
      same.push_back(
          {{"receipt_id", s.receipt_id()},
           {"state", StateName(s.state())},
           {"version", std::to_string(s.version())},
           {"service_month", s.service_month()},
           {"candidates", std::move(keys)},
           {"claim", ClaimJson(Find(claims, s.receipt_id()), caller.subject)}});
    }
  }
  const v1::Candidate* top =
      result.candidates_size() > 0 ? &result.candidates(0) : nullptr;
  return {200,
          {{"case", ProtoJson(*c)},
           {"claim", ClaimJson(claim, caller.subject)},
           {"reasons", std::move(reasons)},
           {"service_month", result.normalized().service_month()},
           {"receipt", ReceiptDisplay(c->receipt(), top)},
           {"candidates", CandidateViews(*c, in)},
           {"same_signature", std::move(same)}}};
}

Reply ReviewGateway::ClaimRefusal(const std::string& id, const Caller& caller,
                                  const absl::Status& status) {
  absl::StatusOr<std::optional<review::Claim>> held = desk_->ClaimOf(id);
  if (held.ok() && *held && (*held)->owner != caller.subject) {
    return ErrorReply(409, "CLAIMED", std::string(status.message()), "",
                      json{{"claim", ClaimJson(*held, caller.subject)}});
  }
  return ErrorReply(status);
}

Reply ReviewGateway::RenewClaim(const Caller& caller, const std::string& id) {
  if (!Has(caller, Role::kReviewer)) {
    return ErrorReply(403, "PERMISSION_DENIED", "needs the reviewer role");
  }
  absl::StatusOr<review::Claim> claim = desk_->TakeClaim(id, caller.subject);
  if (!claim.ok()) return ClaimRefusal(id, caller, claim.status());
  return {200, {{"claim", ClaimJson(*claim, caller.subject)}}};
}

Reply ReviewGateway::ReleaseClaim(const Caller& caller, const std::string& id) {
  absl::Status s = desk_->ReleaseClaim(id, caller.subject);
  if (!s.ok()) return ErrorReply(s);
  return {204, nullptr};
}

Reply ReviewGateway::Conflict(const std::string& id,
                              const absl::Status& status) {
  json current = nullptr;
  absl::StatusOr<v1::Case> now =
      desk_->store().GetCase(id, store::Actor{}, /*audit_open=*/false);
  if (now.ok()) {
    current = {{"state", StateName(now->state())},
               {"version", std::to_string(now->version())}};
    if (now->history_size() > 0) {
      current["last_event"] = ProtoJson(*now->history().rbegin());
    }
  }
  return ErrorReply(409, "ABORTED", std::string(status.message()), "",
                    json{{"current", std::move(current)}});
}

Reply ReviewGateway::Decide(const Caller& caller, const std::string& id,
                            Decision decision, const json& body) {
  if (!Has(caller, Role::kReviewer)) {
    return ErrorReply(403, "PERMISSION_DENIED", "needs the reviewer role");
  }
  review::DecisionRequest r;
  r.receipt_id = id;
  const json& version = body.contains("expected_version")
                            ? body["expected_version"]
                            : json(nullptr);
  if (version.is_number_integer()) {
    r.expected_version = version.get<int64_t>();
  } else if (version.is_string() &&
             !absl::SimpleAtoi(version.get<std::string>(),
                               &r.expected_version)) {
    return ErrorReply(400, "INVALID_ARGUMENT", "not a version",
                      "expected_version");
  }
  r.idempotency_key = JsonText(body, "idempotency_key");
  r.comment = JsonText(body, "reason");
  if (r.comment.size() > 2000) {
    return ErrorReply(400, "INVALID_ARGUMENT", "at most 2000 bytes", "reason");
  }
  if (body.contains("candidate") && body["candidate"].is_object()) {
    const json& k = body["candidate"];
    r.candidate.set_insurer_number(JsonText(k, "insurer_number"));
    r.candidate.set_symbol(JsonText(k, "symbol"));
    r.candidate.set_number(JsonText(k, "number"));
    r.candidate.set_branch(JsonText(k, "branch"));
    r.candidate.set_qualified_from(JsonText(k, "qualified_from"));
  }
  r.from_search = body.contains("from_search") &&
                  body["from_search"].is_boolean() &&
                  body["from_search"].get<bool>();
  const review::Action action =
      decision == Decision::kConfirm   ? review::Action::kConfirm
      : decision == Decision::kNoMatch ? review::Action::kMarkNoMatch
                                       : review::Action::kReopen;
  review::Refusal refusal;
  absl::StatusOr<store::CaseWrite> written =
      desk_->Decide(action, r, ActorOf(caller), &refusal);
  if (!refusal.violations.empty()) {
    return ErrorReply(refusal.status, refusal.violations.front().field);
  }
  if (!written.ok()) {
    switch (written.status().code()) {
      case absl::StatusCode::kAborted:
        return Conflict(id, written.status());
      case absl::StatusCode::kFailedPrecondition:
        return ClaimRefusal(id, caller, written.status());
      default:
        return ErrorReply(written.status());
    }
  }
  return {
      200,
      {{"case", ProtoJson(written->stored)}, {"replayed", written->replayed}}};
}

Reply ReviewGateway::Search(const Caller& caller, const Params& q) {
  (void)caller;
  v1::SearchRosterRequest request;
  request.set_name_kana(Param(q, "kana"));
  request.set_name_kanji(Param(q, "kanji"));
  request.set_birth_date(Param(q, "birth_date"));
  request.set_number(Param(q, "member"));
  request.set_insurer_number(Param(q, "insurer"));
  request.set_service_month(Param(q, "service_month"));
  if (const std::string limit = Param(q, "limit"); !limit.empty()) {
    int n = 0;
    if (!absl::SimpleAtoi(limit, &n) || n < 1 || n > 100) {
      return ErrorReply(400, "INVALID_ARGUMENT", "1..100", "limit");
    }
    request.set_limit(n);
  }
  absl::StatusOr<v1::SearchRosterResponse> found = desk_->Search(request);
  if (!found.ok()) {
    // The matcher names the field first: "name_kana: …".
    const std::string message(found.status().message());
    const size_t colon = message.find(':');
    std::string field =
        colon == std::string::npos ? "" : message.substr(0, colon);
    if (field == "name_kana") field = "kana";
    if (field == "name_kanji") field = "kanji";
    return ErrorReply(found.status(), field);
  }
  json results = json::array();
  for (const v1::RosterMatch& m : found->matches()) {
    json row = ProtoJson(m.enrollment());
    row["insurer_name"] = m.insurer_name();
    row["qualified_until"] = m.qualified_until();
    row["name_kanji"] = m.name_kanji();
    row["name_kana"] = m.name_kana();
    row["birth_date"] = m.birth_date();
    row["sex"] = m.sex();
    row["valid_in_service_month"] = m.valid_in_service_month();
    results.push_back(std::move(row));
  }
  return {200,
          {{"results", std::move(results)}, {"truncated", found->truncated()}}};
}

}  // namespace kuromaru::console
