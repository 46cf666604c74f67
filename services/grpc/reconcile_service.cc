#include "services/grpc/reconcile_service.h"

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "normalizer/utf8.h"
#include "services/grpc/status.h"
#include "services/grpc/wire.h"
#include "services/io/match_result.h"
#include "services/io/receipts.h"

namespace kuromaru::grpc_service {
namespace {

grpc::Status NotARequest() {
  return InvalidArgument(
      {{"receipt", "the message is not a kuromaru.v1.ReconcileRequest"}});
}

void FillFromCase(v1::Case stored, bool replayed,
                  v1::ReconcileResponse* response) {
  *response->mutable_result() = std::move(*stored.mutable_result());
  response->set_state(stored.state());
  response->set_case_version(stored.version());
  response->set_replayed(replayed);
}

}  // namespace

grpc::Status ReconcileOne(const Call& call, const v1::Receipt& receipt,
                          v1::ReconcileResponse* response) {
  const ServiceContext& services = call.services();
  std::vector<io::FieldViolation> violations =
      io::ValidateReceipt(receipt, "receipt.");
  if (!violations.empty()) return InvalidArgument(violations);
  std::shared_ptr<const Engine> engine = services.rosters->Current();
  if (engine == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "no roster is loaded yet; retry later");
  }
  const matcher::ReceiptMatch match =
      engine->matcher->Match(io::TextOf(receipt));
  store::NewCase new_case;
  new_case.result =
      io::ToMatchResult(receipt.receipt_id(), match, engine->roster_version,
                        engine->model_version);
  // The caller may have gone while the receipt was matched: then nothing is
  // stored (a retry matches again).
  if (grpc::Status alive = call.CheckAlive(); !alive.ok()) return alive;
  new_case.receipt = receipt;
  new_case.actor = call.actor();
  absl::StatusOr<store::CaseWrite> written =
      services.store->CreateCase(std::move(new_case));
  if (!written.ok()) return ToGrpcStatus(written.status());
  if (!written->replayed && services.metrics != nullptr) {
    services.metrics->RecordDecision(written->stored.result().decision());
  }
  FillFromCase(std::move(written->stored), written->replayed, response);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* ReconcileService::Reconcile(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return RunUnary(services_, context, "Reconcile", Role::kClaims,
                  [request, response](Call& call) {
                    v1::ReconcileRequest parsed;
                    if (!ParseRequest(*request, &parsed)) {
                      return NotARequest();
                    }
                    v1::ReconcileResponse answer;
                    grpc::Status status =
                        ReconcileOne(call, parsed.receipt(), &answer);
                    if (status.ok()) *response = SerializeResponse(answer);
                    return status;
                  });
}

grpc::ServerUnaryReactor* ReconcileService::GetResult(
    grpc::CallbackServerContext* context, const v1::GetResultRequest* request,
    v1::ReconcileResponse* response) {
  return RunUnary(
      services_, context, "GetResult", Role::kClaims,
      [request, response](Call& call) {
        if (request->receipt_id().empty()) {
          return InvalidArgument({{"receipt_id", "is required"}});
        }
        absl::StatusOr<v1::Case> stored = call.services().store->GetCase(
            request->receipt_id(), call.actor(), /*audit_open=*/false);
        if (!stored.ok()) return ToGrpcStatus(stored.status());
        FillFromCase(*std::move(stored), /*replayed=*/true, response);
        return grpc::Status::OK;
      });
}

namespace {

// One ReconcileStream. Each request read is matched and stored on the work
// queue; answers are written in request order. At most kStreamWindow requests
// are in flight; reading resumes as answers are written. An invalid receipt
// is answered with its status in the response, and the stream goes on.
class StreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(const ServiceContext& services,
                grpc::CallbackServerContext* context)
      : call_(std::make_shared<Call>(services, context, "ReconcileStream")) {
    grpc::Status status = call_->Authorize(Role::kClaims);
    if (!status.ok()) {
      call_->Done(status);
      Finish(status);
      return;
    }
    StartRead(&request_);
  }

  // Every path decides under mu_ whether the stream is finished, and calls
  // Finish only after releasing it: Finish may run OnDone (delete this) on
  // another thread at once, and a work-queue thread, unlike a reaction, is
  // not waited for.
  void OnReadDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (!ok) {
        reads_done_ = true;
        finish = MaybeFinishLocked();
      } else {
        AcceptLocked();
      }
    }
    if (finish) FinishNow(*finish);
  }

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) broken_ = true;
      ++next_write_;
      --in_flight_;
      if (read_paused_ && !broken_) {
        read_paused_ = false;
        StartRead(&request_);
      }
      MaybeWriteLocked();
      finish = MaybeFinishLocked();
    }
    if (finish) FinishNow(*finish);
  }

  void OnCancel() override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      if (read_paused_) {  // no read will complete: count it as the end
        read_paused_ = false;
        reads_done_ = true;
      }
      MaybeWriteLocked();
      finish = MaybeFinishLocked();
    }
    if (finish) FinishNow(*finish);
  }

  void OnDone() override { delete this; }

 private:
  // A request was read: queue its matching, and read on while the window
  // allows.
  void AcceptLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int64_t seq = next_read_++;
    ++in_flight_;
    auto request = std::make_shared<grpc::ByteBuffer>();
    request->Swap(&request_);
    const bool queued = call_->services().work->Submit(
        [this, seq, request] { Process(seq, *request); });
    if (!queued) {
      v1::ReconcileResponse refused;
      *refused.mutable_status() = ToRpcStatus(
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       "the server is saturated; resend this receipt"));
      ready_.emplace(seq, SerializeResponse(refused));
      MaybeWriteLocked();
    }
    if (in_flight_ < ReconcileService::kStreamWindow) {
      StartRead(&request_);
    } else {
      read_paused_ = true;
    }
  }

  void Process(int64_t seq, const grpc::ByteBuffer& raw) {
    v1::ReconcileRequest request;
    v1::ReconcileResponse response;
    grpc::Status status = call_->CheckAlive();
    if (status.ok() && !ParseRequest(raw, &request)) status = NotARequest();
    if (status.ok())
      status = ReconcileOne(*call_, request.receipt(), &response);
    if (!status.ok()) {
      response.Clear();
      // The id tells the caller which receipt was refused, unless the id
      // itself is what is wrong.
      const std::string& id = request.receipt().receipt_id();
      if (normalizer::IsValidUtf8(id)) {
        response.mutable_result()->set_receipt_id(id);
      }
      *response.mutable_status() = ToRpcStatus(status);
    }
    grpc::ByteBuffer answer = SerializeResponse(response);
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      ready_.emplace(seq, std::move(answer));
      MaybeWriteLocked();
      // A broken stream drops the answer: it may have been the last one.
      finish = MaybeFinishLocked();
    }
    if (finish) FinishNow(*finish);  // the last use of this
  }

  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    while (!writing_) {
      auto it = ready_.find(next_write_);
      if (it == ready_.end()) return;
      if (broken_) {  // nobody to answer: drop it
        ready_.erase(it);
        ++next_write_;
        --in_flight_;
        continue;
      }
      writing_ = true;
      response_ = it->second;  // a reference to the same slices
      ready_.erase(it);
      StartWrite(&response_);
    }
  }

  // The status to finish with, once, when everything read is answered.
  std::optional<grpc::Status> MaybeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reads_done_ || in_flight_ > 0 || writing_) {
      return std::nullopt;
    }
    finished_ = true;
    return broken_ ? grpc::Status(grpc::StatusCode::CANCELLED, "stream broken")
                   : grpc::Status::OK;
  }

  void FinishNow(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_) {
    call_->Done(status);
    Finish(status);
  }

  std::shared_ptr<Call> call_;
  grpc::ByteBuffer request_;   // the read in progress
  grpc::ByteBuffer response_;  // the write in progress
  absl::Mutex mu_;
  std::map<int64_t, grpc::ByteBuffer> ready_ ABSL_GUARDED_BY(mu_);
  int64_t next_read_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_write_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
ReconcileService::ReconcileStream(grpc::CallbackServerContext* context) {
  return new StreamReactor(services_, context);
}

}  // namespace kuromaru::grpc_service
