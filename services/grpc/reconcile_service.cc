#include "services/grpc/reconcile_service.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <semaphore>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "normalizer/utf8.h"
#include "services/grpc/status.h"
#include "services/grpc/wire.h"
#include "services/reconcile/match.h"

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

// Holds one of `slots` while in scope, or until Release; nothing without
// slots.
class MatchingSlot {
 public:
  explicit MatchingSlot(std::counting_semaphore<>* slots) : slots_(slots) {
    if (slots_ != nullptr) slots_->acquire();
  }
  ~MatchingSlot() { Release(); }
  MatchingSlot(const MatchingSlot&) = delete;
  MatchingSlot& operator=(const MatchingSlot&) = delete;

  void Release() {
    if (slots_ != nullptr) slots_->release();
    slots_ = nullptr;
  }

 private:
  std::counting_semaphore<>* slots_;
};

}  // namespace

grpc::Status ReconcileOne(const Call& call, const v1::Receipt& receipt,
                          v1::ReconcileResponse* response) {
  std::vector<grpc::Status> statuses;
  std::vector<v1::ReconcileResponse> responses;
  ReconcileBatch(call, {&receipt}, &statuses, &responses);
  if (statuses.front().ok()) *response = std::move(responses.front());
  return statuses.front();
}

void ReconcileBatch(const Call& call,
                    const std::vector<const v1::Receipt*>& receipts,
                    std::vector<grpc::Status>* statuses,
                    std::vector<v1::ReconcileResponse>* responses) {
  const ServiceContext& services = call.services();
  const size_t n = receipts.size();
  statuses->assign(n, grpc::Status::OK);
  responses->clear();
  responses->resize(n);
  if (n == 0) return;  // e.g. a batch whose caller is gone: no slot needed
  std::shared_ptr<const reconcile::Engine> engine = services.rosters->Current();
  if (engine == nullptr) {
    for (size_t i = 0; i < n; ++i) {
      std::vector<FieldViolation> violations =
          reconcile::ValidateReceipt(*receipts[i], "receipt.");
      (*statuses)[i] =
          violations.empty()
              ? grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "no roster is loaded yet; retry later")
              : InvalidArgument(violations);
    }
    return;
  }
  // A caller gone or out of time is not matched for.
  if (grpc::Status alive = call.CheckAlive(); !alive.ok()) {
    statuses->assign(n, alive);
    return;
  }
  // A slot for the matching, given back before the wait for the write.
  MatchingSlot slot(services.matching);
  std::vector<reconcile::ReceiptOutcome> outcomes;
  reconcile::MatchBatch(*engine, receipts,
                        {.threads = 1, .field_prefix = "receipt."}, &outcomes);
  // The receipts to store, and which of `receipts` each one is.
  std::vector<store::NewCase> cases;
  std::vector<size_t> index;
  cases.reserve(n);
  index.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    reconcile::ReceiptOutcome& outcome = outcomes[i];
    if (!outcome.matched()) {
      (*statuses)[i] = InvalidArgument(outcome.violations);
      continue;
    }
    cases.push_back({*receipts[i], std::move(outcome.result), call.actor()});
    index.push_back(i);
  }
  slot.Release();
  if (cases.empty()) return;
  // The caller may have gone while the receipts were matched: then nothing
  // is stored (a retry matches again).
  if (grpc::Status alive = call.CheckAlive(); !alive.ok()) {
    for (size_t i : index) (*statuses)[i] = alive;
    return;
  }
  std::vector<absl::StatusOr<store::CaseWrite>> written =
      services.store->CreateCases(std::move(cases));
  for (size_t k = 0; k < written.size(); ++k) {
    const size_t i = index[k];
    if (!written[k].ok()) {
      (*statuses)[i] = ToGrpcStatus(written[k].status());
      continue;
    }
    if (!written[k]->replayed && services.metrics != nullptr) {
      services.metrics->RecordDecision(written[k]->stored.result().decision());
    }
    FillFromCase(std::move(written[k]->stored), written[k]->replayed,
                 &(*responses)[i]);
  }
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

// One ReconcileStream. Requests read wait in `waiting_` for one of the
// stream's workers (tasks on the work queue, kStreamWorkers at most), which
// take them in batches, match them, and store each batch in one write;
// answers are written in request order. At most kStreamWindow requests are
// in flight; reading resumes as answers are written. An invalid receipt is
// answered with its status in the response, and the stream goes on.
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
  // another thread at once, and a worker, unlike a reaction, is not waited
  // for; so the stream finishes only once no worker is left.
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
  struct Waiting {
    int64_t seq;
    grpc::ByteBuffer raw;
  };

  // A request was read: it waits for a worker, started here if the stream
  // has fewer than it may; read on while the window allows.
  void AcceptLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Waiting& waiting = waiting_.emplace_back();
    waiting.seq = next_read_++;
    waiting.raw.Swap(&request_);
    ++in_flight_;
    if (workers_ < ReconcileService::kStreamWorkers) {
      ++workers_;
      if (!call_->services().work->Submit([this] { Work(); })) {
        --workers_;
        // With no worker left to take them, the waiting are refused.
        if (workers_ == 0) RefuseWaitingLocked();
      }
    }
    if (in_flight_ < ReconcileService::kStreamWindow) {
      StartRead(&request_);
    } else {
      read_paused_ = true;
    }
  }

  void RefuseWaitingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    v1::ReconcileResponse refused;
    *refused.mutable_status() = ToRpcStatus(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "the server is saturated; resend this receipt"));
    for (Waiting& w : waiting_) {
      ready_.emplace(w.seq, SerializeResponse(refused));
    }
    waiting_.clear();
    MaybeWriteLocked();
  }

  // A worker: takes what waits, a batch at a time, until nothing does.
  void Work() {
    std::vector<Waiting> batch;
    std::vector<grpc::ByteBuffer> answers;
    while (true) {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        for (size_t i = 0; i < answers.size(); ++i) {
          ready_.emplace(batch[i].seq, std::move(answers[i]));
        }
        // A broken stream drops the answers: they may have been the last.
        MaybeWriteLocked();
        batch.clear();
        while (!waiting_.empty() &&
               batch.size() < ReconcileService::kStreamBatch) {
          batch.push_back(std::move(waiting_.front()));
          waiting_.pop_front();
        }
        if (batch.empty()) {
          --workers_;
          finish = MaybeFinishLocked();
        }
      }
      if (batch.empty()) {
        if (finish) FinishNow(*finish);  // the last use of this
        return;
      }
      answers = Answer(batch);
    }
  }

  // The answers to `batch`, in its order.
  std::vector<grpc::ByteBuffer> Answer(const std::vector<Waiting>& batch) {
    const size_t n = batch.size();
    std::vector<v1::ReconcileRequest> requests(n);
    std::vector<grpc::Status> statuses(n);
    std::vector<const v1::Receipt*> receipts;
    std::vector<size_t> index;
    const grpc::Status alive = call_->CheckAlive();
    for (size_t i = 0; i < n; ++i) {
      if (!alive.ok()) {
        statuses[i] = alive;
      } else if (!ParseRequest(batch[i].raw, &requests[i])) {
        statuses[i] = NotARequest();
      } else {
        index.push_back(i);
        receipts.push_back(&requests[i].receipt());
      }
    }
    std::vector<grpc::Status> matched;
    std::vector<v1::ReconcileResponse> responses;
    ReconcileBatch(*call_, receipts, &matched, &responses);
    std::vector<grpc::ByteBuffer> answers(n);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      v1::ReconcileResponse refused;
      v1::ReconcileResponse* response = &refused;
      if (k < index.size() && index[k] == i) {
        statuses[i] = matched[k];
        response = &responses[k];
        ++k;
      }
      if (!statuses[i].ok()) {
        response->Clear();
        // The id tells the caller which receipt was refused, unless the id
        // itself is what is wrong.
        const std::string& id = requests[i].receipt().receipt_id();
        if (normalizer::IsValidUtf8(id)) {
          response->mutable_result()->set_receipt_id(id);
        }
        *response->mutable_status() = ToRpcStatus(statuses[i]);
      }
      answers[i] = SerializeResponse(*response);
    }
    return answers;
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

  // The status to finish with, once, when everything read is answered and
  // no worker is left.
  std::optional<grpc::Status> MaybeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || !reads_done_ || in_flight_ > 0 || writing_ ||
        workers_ > 0) {
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
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);  // read, not yet taken
  std::map<int64_t, grpc::ByteBuffer> ready_ ABSL_GUARDED_BY(mu_);
  int64_t next_read_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_write_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // read and not yet answered
  int workers_ ABSL_GUARDED_BY(mu_) = 0;
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
