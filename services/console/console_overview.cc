// The console's admin pages: cases by state and by day, reviewers'
// throughput and agreement, the roster, model and re-match in service, and
// one case's audit trail (ReviewGateway::Overview, Audit).
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "services/console/api_json.h"
#include "services/console/review_gateway.h"
#include "services/grpc/auth.h"

namespace kuromaru::console {
namespace {

using json = nlohmann::json;

// The days of the overview, in Japan's time (no summer time: a fixed offset).
constexpr int kDays = 14;

struct DayCounts {
  int64_t created = 0, auto_resolved = 0, confirmed = 0, rejected = 0;
};

struct ReviewerCounts {
  int64_t decisions = 0, confirmed = 0, rejected = 0, reopened = 0;
  int64_t confirmed_top = 0;  // confirmations of the best candidate
};

bool IsAdmin(const Caller& c) {
  return (c.roles & static_cast<uint8_t>(grpc_service::Role::kAdmin)) != 0;
}

}  // namespace

// Long (about 80 lines): one JSON document built section by section (states
// over time, reviewers, roster and model, rematch), as docs/CONSOLE.md lists
// them.
Reply ReviewGateway::Overview(const Caller& caller) {
  if (!IsAdmin(caller)) {
    return ErrorReply(403, "PERMISSION_DENIED", "needs the admin role");
  }
  store::CaseStore& store = desk_->store();
  absl::StatusOr<std::map<v1::CaseState, int64_t>> counts = store.CountCases();
  if (!counts.ok()) return ErrorReply(counts.status());
  json by_state = json::object();
  for (const auto& [state, n] : *counts) by_state[StateName(state)] = n;

  // Days and reviewers from the audit trail of the last two weeks: every
  // intake, decision and re-match is one row there.
  const absl::TimeZone japan = absl::FixedTimeZone(9 * 3600);
  std::map<std::string, DayCounts> days;
  std::map<std::string, ReviewerCounts> reviewers;
  store::AuditFilter filter;
  filter.from = absl::Now() - absl::Hours(24 * kDays);
  absl::Status read = store.ExportAudit(filter, [&](const v1::AuditRecord& r) {
    const std::string day = absl::FormatTime(
        "%Y-%m-%d", absl::FromUnixSeconds(r.at().seconds()), japan);
    DayCounts& d = days[day];
    const bool to_auto = absl::StrContains(r.detail(), "state=AUTO_RESOLVED");
    if (r.action() == "RECONCILED") {
      ++d.created;
      if (to_auto) ++d.auto_resolved;
    } else if (r.action() == "REMATCHED" && to_auto) {
      ++d.auto_resolved;
    }
    if (r.role() != "reviewer") return absl::OkStatus();
    ReviewerCounts& rc = reviewers[r.actor()];
    if (r.action() == "CONFIRMED") {
      ++d.confirmed;
      ++rc.decisions;
      ++rc.confirmed;
      if (absl::StrContains(r.detail(), "rank=1 ")) ++rc.confirmed_top;
    } else if (r.action() == "MARKED_NO_MATCH") {
      ++d.rejected;
      ++rc.decisions;
      ++rc.rejected;
    } else if (r.action() == "REOPENED") {
      ++rc.decisions;
      ++rc.reopened;
    }
    return absl::OkStatus();
  });
  if (!read.ok()) return ErrorReply(read);
  json by_day = json::array();
  for (const auto& [day, d] : days) {
    by_day.push_back({{"date", day},
                      {"created", d.created},
                      {"auto_resolved", d.auto_resolved},
                      {"confirmed", d.confirmed},
                      {"rejected", d.rejected}});
  }
  json people = json::array();
  for (const auto& [subject, rc] : reviewers) {
    people.push_back(
        {{"subject", subject},
         {"decisions", rc.decisions},
         {"confirmed", rc.confirmed},
         {"rejected", rc.rejected},
         {"reopened", rc.reopened},
         {"agreement",
          rc.confirmed == 0
              ? json(nullptr)
              : json(static_cast<double>(rc.confirmed_top) / rc.confirmed)}});
  }
  json model = nullptr;
  if (std::shared_ptr<const reconcile::Engine> engine = desk_->engine()) {
    model = {{"version", engine->model_version},
             {"source", engine->model_source()}};
  }
  json rematch = nullptr;
  if (std::optional<v1::RematchJob> job = jobs_->Latest()) {
    rematch = ProtoJson(*job);
  }
  return {200,
          {{"counts_by_state", std::move(by_state)},
           {"cases_by_day", std::move(by_day)},
           {"reviewers", std::move(people)},
           {"roster", ProtoJson(rosters_->Status())},
           {"model", std::move(model)},
           {"rematch", std::move(rematch)}}};
}

Reply ReviewGateway::Audit(const Caller& caller, const std::string& id) {
  if (!IsAdmin(caller)) {
    return ErrorReply(403, "PERMISSION_DENIED", "needs the admin role");
  }
  json records = json::array();
  store::AuditFilter filter;
  filter.receipt_id = id;
  absl::Status read =
      desk_->store().ExportAudit(filter, [&](const v1::AuditRecord& r) {
        records.push_back(ProtoJson(r));
        return absl::OkStatus();
      });
  if (!read.ok()) return ErrorReply(read);
  return {200, {{"records", std::move(records)}}};
}

}  // namespace kuromaru::console
