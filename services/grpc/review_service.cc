#include "services/grpc/review_service.h"

#include <memory>
#include <optional>
#include <string>

#include "google/protobuf/util/time_util.h"
#include "services/cases/queue_traits.h"
#include "services/grpc/status.h"
#include "services/grpc/stream_writer.h"

namespace kuromaru::grpc_service {
namespace {

using google::protobuf::util::TimeUtil;

// How long a change-feed stream waits for news before it looks again (and
// notices a caller that has gone).
constexpr absl::Duration kWatchPoll = absl::Seconds(1);

std::optional<absl::Time> TimeOf(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return std::nullopt;
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

grpc::Status RequireReceiptId(const std::string& receipt_id) {
  if (receipt_id.empty()) {
    return InvalidArgument({{"receipt_id", "is required"}});
  }
  return grpc::Status::OK;
}

template <typename Request>
review::DecisionRequest DecisionOf(const Request& request) {
  review::DecisionRequest d;
  d.receipt_id = request.receipt_id();
  d.expected_version = request.expected_version();
  d.idempotency_key = request.idempotency_key();
  d.comment = request.comment();
  return d;
}

// A decision through the review desk, answered with the case as written.
grpc::Status Decide(Call& call, review::Action action,
                    const review::DecisionRequest& request,
                    v1::DecisionResponse* response) {
  review::Refusal refusal;
  absl::StatusOr<store::CaseWrite> written =
      call.services().desk->Decide(action, request, call.actor(), &refusal);
  if (!refusal.violations.empty()) return InvalidArgument(refusal.violations);
  if (!written.ok()) return ToGrpcStatus(written.status());
  *response->mutable_case_() = written->stored;
  response->set_replayed(written->replayed);
  return grpc::Status::OK;
}

}  // namespace

grpc::ServerUnaryReactor* ReviewService::ListCases(
    grpc::CallbackServerContext* context, const v1::ListCasesRequest* request,
    v1::ListCasesResponse* response) {
  return RunUnary(
      services_, context, "ListCases", Role::kReviewer,
      [request, response](Call& call) {
        std::vector<FieldViolation> bad;
        CheckMonth("service_month_from", request->service_month_from(), &bad);
        CheckMonth("service_month_to", request->service_month_to(), &bad);
        CheckPageSize("page_size", request->page_size(), 1000, &bad);
        if (!bad.empty()) return InvalidArgument(bad);
        store::CaseFilter filter;
        for (int s : request->states()) {
          filter.states.push_back(static_cast<v1::CaseState>(s));
        }
        filter.service_month_from = request->service_month_from();
        filter.service_month_to = request->service_month_to();
        filter.insurer_number = request->insurer_number();
        filter.created_before = TimeOf(request->created_before());
        filter.created_after = TimeOf(request->created_after());
        filter.page_size = request->page_size();
        filter.page_token = request->page_token();
        for (const std::string& name : request->reasons()) {
          std::optional<cases::Reason> reason = cases::ReasonFromName(name);
          if (!reason) {
            return InvalidArgument({{"reasons", "unknown reason"}});
          }
          filter.reasons |= *reason;
        }
        if (request->order() == v1::ListCasesRequest::ORDER_PRIORITY) {
          filter.order = store::CaseFilter::Order::kPriority;
        }
        absl::StatusOr<store::CasePage> page =
            call.services().store->ListCases(filter);
        // What is left to refuse is the page token.
        if (!page.ok()) {
          return ToGrpcStatus(page.status(), "page_token");
        }
        for (v1::CaseSummary& c : page->cases) {
          *response->add_cases() = std::move(c);
        }
        response->set_next_page_token(page->next_page_token);
        return grpc::Status::OK;
      });
}

grpc::ServerUnaryReactor* ReviewService::GetCase(
    grpc::CallbackServerContext* context, const v1::GetCaseRequest* request,
    v1::Case* response) {
  return RunUnary(
      services_, context, "GetCase", Role::kReviewer,
      [request, response](Call& call) {
        if (auto s = RequireReceiptId(request->receipt_id()); !s.ok()) {
          return s;
        }
        absl::StatusOr<v1::Case> c =
            call.services().store->GetCase(request->receipt_id(), call.actor(),
                                           /*audit_open=*/true);
        if (!c.ok()) return ToGrpcStatus(c.status());
        *response = *std::move(c);
        return grpc::Status::OK;
      });
}

grpc::ServerUnaryReactor* ReviewService::ConfirmCandidate(
    grpc::CallbackServerContext* context,
    const v1::ConfirmCandidateRequest* request,
    v1::DecisionResponse* response) {
  return RunUnary(services_, context, "ConfirmCandidate", Role::kReviewer,
                  [request, response](Call& call) {
                    review::DecisionRequest d = DecisionOf(*request);
                    d.candidate = request->candidate();
                    d.from_search = request->from_search();
                    return Decide(call, review::Action::kConfirm, d, response);
                  });
}

grpc::ServerUnaryReactor* ReviewService::MarkNoMatch(
    grpc::CallbackServerContext* context, const v1::MarkNoMatchRequest* request,
    v1::DecisionResponse* response) {
  return RunUnary(services_, context, "MarkNoMatch", Role::kReviewer,
                  [request, response](Call& call) {
                    return Decide(call, review::Action::kMarkNoMatch,
                                  DecisionOf(*request), response);
                  });
}

grpc::ServerUnaryReactor* ReviewService::ReopenCase(
    grpc::CallbackServerContext* context, const v1::ReopenCaseRequest* request,
    v1::DecisionResponse* response) {
  return RunUnary(services_, context, "ReopenCase", Role::kReviewer,
                  [request, response](Call& call) {
                    return Decide(call, review::Action::kReopen,
                                  DecisionOf(*request), response);
                  });
}

grpc::ServerUnaryReactor* ReviewService::SearchRoster(
    grpc::CallbackServerContext* context,
    const v1::SearchRosterRequest* request,
    v1::SearchRosterResponse* response) {
  return RunUnary(services_, context, "SearchRoster", Role::kReviewer,
                  [request, response](Call& call) {
                    std::vector<FieldViolation> bad;
                    CheckPageSize("limit", request->limit(), 100, &bad);
                    if (!bad.empty()) return InvalidArgument(bad);
                    absl::StatusOr<v1::SearchRosterResponse> found =
                        call.services().desk->Search(*request);
                    if (!found.ok()) return ToGrpcStatus(found.status());
                    *response = *std::move(found);
                    return grpc::Status::OK;
                  });
}

grpc::ServerUnaryReactor* ReviewService::ListChanges(
    grpc::CallbackServerContext* context, const v1::ListChangesRequest* request,
    v1::ListChangesResponse* response) {
  return RunUnary(services_, context, "ListChanges", Role::kClaims,
                  [request, response](Call& call) {
                    std::vector<FieldViolation> bad;
                    CheckPageSize("page_size", request->page_size(), 1000,
                                  &bad);
                    if (!bad.empty()) return InvalidArgument(bad);
                    absl::StatusOr<store::ChangePage> page =
                        call.services().store->ListChanges(
                            request->since_cursor(), request->page_size());
                    if (!page.ok()) {
                      return ToGrpcStatus(page.status(), "since_cursor");
                    }
                    for (v1::Change& c : page->changes) {
                      *response->add_changes() = std::move(c);
                    }
                    response->set_next_cursor(page->next_cursor);
                    return grpc::Status::OK;
                  });
}

grpc::ServerWriteReactor<v1::Change>* ReviewService::WatchChanges(
    grpc::CallbackServerContext* context,
    const v1::WatchChangesRequest* request) {
  std::string cursor = request->since_cursor();
  return StreamWriter<v1::Change>::Start(
      std::make_shared<Call>(services_, context, "WatchChanges"), Role::kClaims,
      [cursor](const StreamWriter<v1::Change>::Write& write,
               Call& call) mutable {
        store::CaseStore& store = *call.services().store;
        for (;;) {
          if (grpc::Status alive = call.CheckAlive(); !alive.ok()) {
            return alive;
          }
          absl::StatusOr<store::ChangePage> page =
              store.ListChanges(cursor, 500);
          if (!page.ok()) return ToGrpcStatus(page.status(), "since_cursor");
          for (const v1::Change& c : page->changes) {
            if (!write(c)) {
              return grpc::Status(grpc::StatusCode::CANCELLED,
                                  "the caller went away");
            }
          }
          cursor = page->next_cursor;
          if (page->changes.empty()) {
            store.WaitForChanges(cursor, absl::Now() + kWatchPoll);
          }
        }
      });
}

grpc::ServerWriteReactor<v1::AuditRecord>* ReviewService::ExportAudit(
    grpc::CallbackServerContext* context,
    const v1::ExportAuditRequest* request) {
  store::AuditFilter filter;
  filter.from = TimeOf(request->from());
  filter.to = TimeOf(request->to());
  filter.receipt_id = request->receipt_id();
  return StreamWriter<v1::AuditRecord>::Start(
      std::make_shared<Call>(services_, context, "ExportAudit"), Role::kAdmin,
      [filter](const StreamWriter<v1::AuditRecord>::Write& write, Call& call) {
        absl::Status status = call.services().store->ExportAudit(
            filter, [&](const v1::AuditRecord& record) {
              return write(record)
                         ? absl::OkStatus()
                         : absl::CancelledError("the caller went away");
            });
        return ToGrpcStatus(status);
      });
}

}  // namespace kuromaru::grpc_service
