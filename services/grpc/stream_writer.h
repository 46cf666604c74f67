// A server-streaming RPC written by a plain loop on its own thread:
//
//   return StreamWriter<v1::Change>::Start(call, [](auto& write) {
//     while (...) { if (!write(change)) return Cancelled(); }
//     return grpc::Status::OK;
//   });
//
// `write` blocks until gRPC has taken the message (so a slow reader slows the
// loop, never memory) and returns false once the caller has gone. Streams
// are long-lived (a change feed may stay open for days), hence a thread each
// rather than a slot in the work queue; their number is bounded.
#ifndef KUROMARU_SERVICES_GRPC_STREAM_WRITER_H_
#define KUROMARU_SERVICES_GRPC_STREAM_WRITER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_callback.h"
#include "services/grpc/call.h"

namespace kuromaru::grpc_service {

// Open server streams, process-wide, and their bound.
inline std::atomic<int> open_streams{0};
inline constexpr int kMaxOpenStreams = 256;

template <typename T>
class StreamWriter final : public grpc::ServerWriteReactor<T> {
 public:
  using Write = std::function<bool(const T&)>;
  using Producer = std::function<grpc::Status(const Write& write, Call& call)>;

  // Authorizes for `role`, then runs `producer` on a new thread.
  static grpc::ServerWriteReactor<T>* Start(std::shared_ptr<Call> call,
                                            Role role, Producer producer) {
    auto* writer = new StreamWriter(std::move(call));
    grpc::Status status = writer->call_->Authorize(role);
    if (status.ok() && open_streams.fetch_add(1) >= kMaxOpenStreams) {
      open_streams.fetch_sub(1);
      status = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            "too many open streams");
    } else if (status.ok()) {
      writer->counted_ = true;
    }
    if (!status.ok()) {
      writer->call_->Done(status);
      writer->Finish(status);
      return writer;
    }
    writer->thread_ = std::thread([writer, producer = std::move(producer)] {
      grpc::Status status =
          producer([writer](const T& m) { return writer->BlockingWrite(m); },
                   *writer->call_);
      writer->call_->Done(status);
      writer->Finish(status);
    });
    return writer;
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) failed_ = true;
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    failed_ = true;
  }

  void OnDone() override {
    if (thread_.joinable()) thread_.join();
    if (counted_) open_streams.fetch_sub(1);
    delete this;
  }

 private:
  explicit StreamWriter(std::shared_ptr<Call> call) : call_(std::move(call)) {}

  bool BlockingWrite(const T& message) {
    {
      absl::MutexLock lock(&mu_);
      if (failed_) return false;
      writing_ = true;
    }
    this->StartWrite(&message);  // not under mu_: OnWriteDone takes it
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](bool* writing) { return !*writing; }, &writing_));
    return !failed_;
  }

  std::shared_ptr<Call> call_;
  std::thread thread_;
  bool counted_ = false;
  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_STREAM_WRITER_H_
