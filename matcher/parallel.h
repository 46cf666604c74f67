// Work spread over threads, for building a roster and its index.
//
//   ParallelFor(chunks, threads, [&](size_t chunk) { … });
//
// Threads are started per call: the work is large (a roster build), the
// start-up negligible.
#ifndef KUROMARU_MATCHER_PARALLEL_H_
#define KUROMARU_MATCHER_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace kuromaru::matcher {

// `threads` itself when positive, else one per core.
int ThreadCount(int threads);

// Calls fn(task) once for each task in [0, tasks), on up to
// ThreadCount(threads) threads, tasks taken in increasing order; returns when
// every call has. `fn` must be safe to call concurrently for distinct tasks.
void ParallelFor(size_t tasks, int threads,
                 const std::function<void(size_t)>& fn);

}  // namespace kuromaru::matcher

#endif  // KUROMARU_MATCHER_PARALLEL_H_
