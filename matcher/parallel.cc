#include "matcher/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace kuromaru::matcher {

int ThreadCount(int threads) {
  if (threads > 0) return threads;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

void ParallelFor(size_t tasks, int threads,
                 const std::function<void(size_t)>& fn) {
  const size_t n = std::min(tasks, static_cast<size_t>(ThreadCount(threads)));
  if (n <= 1) {
    for (size_t t = 0; t < tasks; ++t) fn(t);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t t = next.fetch_add(1); t < tasks; t = next.fetch_add(1)) {
      fn(t);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(n - 1);
  for (size_t i = 1; i < n; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace kuromaru::matcher
