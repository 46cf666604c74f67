// Batch matching (`kuromaru match`, `kuromaru bench`): a JSON Lines stream of
// receipts (FORMATS.md §2) into a JSON Lines stream of results (§3), on
// several threads, in input order.
//
// Every input line gives exactly one output line: a receipt that cannot be
// matched — a line that is not JSON, no receipt_id, no name, no birth date —
// gets NO_MATCH with the reason in `error` (prefixed with its line number),
// never silence.
#ifndef KUROMARU_SERVICES_RECONCILE_BATCH_MATCH_H_
#define KUROMARU_SERVICES_RECONCILE_BATCH_MATCH_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <ostream>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/reconcile/engine.h"

namespace kuromaru::reconcile {

struct BatchOptions {
  // Worker threads. Default: 0, one per core.
  int threads = 0;
  // Lines handed to the workers at a time; bounds memory. Default: 4096.
  int chunk_lines = 4096;
  // Called after each chunk with the receipts done so far (on the calling
  // thread).
  std::function<void(int64_t done)> progress;
};

struct BatchSummary {
  int64_t receipts = 0;  // output lines
  int64_t auto_match = 0;
  int64_t review = 0;
  int64_t no_match = 0;
  int64_t errors = 0;      // lines that could not be matched at all
  int64_t candidates = 0;  // candidates scored, summed
  absl::Duration elapsed;
};

// Reads `in` to its end, writes one result line per receipt line to `out`.
// Returns an error only if a stream fails.
absl::StatusOr<BatchSummary> MatchJsonl(const Engine& engine, std::istream& in,
                                        std::ostream& out,
                                        const BatchOptions& options);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_BATCH_MATCH_H_
