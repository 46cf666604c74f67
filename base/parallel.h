// The one parallel loop: fn(i) for every i in [0, n), on up to `threads`
// threads (the caller's among them), each taking the next index as it
// finishes one. Returns when every call has returned.
//
//   ParallelFor(receipts.size(), threads, [&](size_t i) { Match(i); });
//
// `fn` is called concurrently from several threads and must be safe for
// that; threads <= 0 means one per core.
#ifndef KUROMARU_BASE_PARALLEL_H_
#define KUROMARU_BASE_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace kuromaru::base {

// One per core, at least one.
inline int HardwareThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

template <typename Fn>
void ParallelFor(size_t n, int threads, const Fn& fn) {
  if (threads <= 0) threads = HardwareThreads();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads && static_cast<size_t>(t) < n; ++t) {
    helpers.emplace_back(work);
  }
  work();
  for (std::thread& h : helpers) h.join();
}

}  // namespace kuromaru::base

#endif  // KUROMARU_BASE_PARALLEL_H_
