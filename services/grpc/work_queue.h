// A fixed pool of threads for the work an RPC must not do on gRPC's own
// threads: matching, and waiting for a durable write. Many threads, because
// most of them wait on the store's group commit; the more requests wait
// together, the more one commit carries.
#ifndef KUROMARU_SERVICES_GRPC_WORK_QUEUE_H_
#define KUROMARU_SERVICES_GRPC_WORK_QUEUE_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace kuromaru::grpc_service {

class WorkQueue {
 public:
  // `threads` ≥ 1; at most `max_queued` tasks wait (beyond: Submit refuses).
  WorkQueue(int threads, size_t max_queued);
  // Runs what is queued, then joins.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False when the queue is full or stopping: the caller answers
  // RESOURCE_EXHAUSTED (or UNAVAILABLE) instead.
  bool Submit(std::function<void()> task);

  size_t queued() const;

 private:
  void Run();

  const size_t max_queued_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace kuromaru::grpc_service

#endif  // KUROMARU_SERVICES_GRPC_WORK_QUEUE_H_
