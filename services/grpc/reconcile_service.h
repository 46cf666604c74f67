// ReconcileService: each receipt is matched against the roster in service and
// stored as a case before its answer is sent. receipt_id is the idempotency
// key: the same receipt again returns the stored case (replayed); a different
// receipt under a known id is ALREADY_EXISTS.
//
// Only what makes matching impossible is refused (INVALID_ARGUMENT with a
// google.rpc.BadRequest naming each field): no receipt_id, no name in either
// script, no birth date, invalid UTF-8, a field over its size bound. A noisy
// field is matched as "missing" and noted in the result. UNAVAILABLE while
// no roster is loaded.
#ifndef KUROMARU_SERVICES_GRPC_RECONCILE_SERVICE_H_
#define KUROMARU_SERVICES_GRPC_RECONCILE_SERVICE_H_

#include <vector>

#include "kuromaru/v1/reconcile.grpc.pb.h"
#include "services/grpc/call.h"

namespace kuromaru::grpc_service {

// Reconcile and ReconcileStream take raw messages (see wire.h) so that a field
// with invalid UTF-8 is named in the error rather than failing the parse.
using ReconcileServiceBase =
    v1::ReconcileService::WithRawCallbackMethod_Reconcile<
        v1::ReconcileService::WithRawCallbackMethod_ReconcileStream<
            v1::ReconcileService::WithCallbackMethod_GetResult<
                v1::ReconcileService::Service>>>;

class ReconcileService final : public ReconcileServiceBase {
 public:
  // Requests a stream may have in flight: reading pauses when they are
  // taken, which is the stream's flow control.
  static constexpr int kStreamWindow = 256;
  // A stream's requests are matched by at most kStreamWorkers tasks at a
  // time, each taking up to kStreamBatch of those read and waiting, and
  // storing them in one write: under load, one hand-off to a work thread
  // and one wait for the group commit serve many receipts; a lone receipt
  // goes alone.
  static constexpr int kStreamWorkers = 2;
  static constexpr int kStreamBatch = 64;

  explicit ReconcileService(const ServiceContext& services)
      : services_(services) {}

  grpc::ServerUnaryReactor* Reconcile(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ReconcileStream(
      grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* GetResult(grpc::CallbackServerContext* context,
                                      const v1::GetResultRequest* request,
                                      v1::ReconcileResponse* response) override;

 private:
  const ServiceContext& services_;
};

// Matches and stores one receipt as `call`'s actor.
grpc::Status ReconcileOne(const Call& call, const v1::Receipt& receipt,
                          v1::ReconcileResponse* response);

// Matches receipts against one roster snapshot and stores them as `call`'s
// actor in one durable write: (*statuses)[i] for receipts[i], and where it
// is OK, (*responses)[i]. Each receipt succeeds or fails on its own.
void ReconcileBatch(const Call& call,
                    const std::vector<const v1::Receipt*>& receipts,
                    std::vector<grpc::Status>* statuses,
                    std::vector<v1::ReconcileResponse>* responses);

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_RECONCILE_SERVICE_H_
