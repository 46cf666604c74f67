#include "services/grpc/call.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "base/log.h"

namespace kuromaru::grpc_service {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr size_t kMaxRequestIdBytes = 64;

// The caller's x-request-id when it is a sane token, else a fresh one.
std::string RequestId(const grpc::CallbackServerContext& context) {
  auto it = context.client_metadata().find("x-request-id");
  if (it != context.client_metadata().end()) {
    std::string_view id(it->second.data(), it->second.size());
    bool sane = !id.empty() && id.size() <= kMaxRequestIdBytes;
    for (char c : id) {
      sane =
          sane && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                   (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c == '.');
    }
    if (sane) return std::string(id);
  }
  thread_local absl::BitGen gen;
  return absl::StrFormat("%016x", absl::Uniform<uint64_t>(gen));
}

}  // namespace

Call::Call(const ServiceContext& services, grpc::CallbackServerContext* context,
           const char* method)
    : services_(services),
      context_(context),
      method_(method),
      start_(absl::Now()) {
  actor_.request_id = RequestId(*context);
  actor_.peer = context->peer();
}

grpc::Status Call::Authorize(Role role) {
  auto it = context_->client_metadata().find("authorization");
  std::string_view header;
  if (it != context_->client_metadata().end()) {
    header = std::string_view(it->second.data(), it->second.size());
  }
  if (header.substr(0, kBearer.size()) != kBearer) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "a bearer token is required (authorization metadata)");
  }
  std::shared_ptr<const TokenTable> table = services_.tokens->Current();
  const Principal* principal = table->Find(header.substr(kBearer.size()));
  if (principal == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  }
  actor_.subject = principal->subject;
  actor_.role = RoleName(role);
  if (!principal->Has(role)) {
    return grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED,
        absl::StrFormat("the %s role is required", RoleName(role)));
  }
  return grpc::Status::OK;
}

grpc::Status Call::CheckAlive() const {
  if (context_->IsCancelled()) {
    if (std::chrono::system_clock::now() >= context_->deadline()) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                          "the deadline passed");
    }
    return grpc::Status(grpc::StatusCode::CANCELLED, "the caller cancelled");
  }
  if (std::chrono::system_clock::now() >= context_->deadline()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the deadline passed");
  }
  return grpc::Status::OK;
}

void Call::Done(const grpc::Status& status) {
  if (done_) return;
  done_ = true;
  const absl::Duration latency = absl::Now() - start_;
  if (services_.metrics != nullptr) {
    services_.metrics->RecordRequest(method_, status.error_code(), latency);
  }
  // The message may name fields, never values; the subject is the caller's
  // token subject, not a patient.
  base::Log(status.ok() ? base::LogLevel::kInfo : base::LogLevel::kWarning,
            "rpc",
            {{"method", method_},
             {"code", static_cast<int64_t>(status.error_code())},
             {"latency_ms", absl::ToDoubleMilliseconds(latency)},
             {"request_id", actor_.request_id},
             {"subject", actor_.subject}});
}

grpc::ServerUnaryReactor* RunUnary(const ServiceContext& services,
                                   grpc::CallbackServerContext* context,
                                   const char* method, Role role,
                                   std::function<grpc::Status(Call&)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto call = std::make_shared<Call>(services, context, method);
  grpc::Status status = call->Authorize(role);
  if (!status.ok()) {
    call->Done(status);
    reactor->Finish(status);
    return reactor;
  }
  const bool queued =
      services.work->Submit([call, reactor, work = std::move(work)] {
        grpc::Status status = call->CheckAlive();
        if (status.ok()) status = work(*call);
        call->Done(status);
        reactor->Finish(status);
      });
  if (!queued) {
    status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "the server is saturated; retry with backoff");
    call->Done(status);
    reactor->Finish(status);
  }
  return reactor;
}

}  // namespace kuromaru::grpc_service
