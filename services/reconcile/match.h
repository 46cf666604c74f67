// From a receipt to a result: validation, matching against the engine in
// service, and the result's wire form, for every edge (gRPC Reconcile and
// ReconcileStream, batch `match`, `import`, `rematch`).
//
//   std::vector<ReceiptOutcome> outcomes;
//   MatchBatch(*engine, receipts, MatchOptions{.threads = 0}, &outcomes);
//   for (ReceiptOutcome& o : outcomes)
//     if (o.matched()) Store(std::move(o.result)); else Refuse(o.violations);
//
// A receipt is refused only for what makes matching impossible
// (receipt_validation.h); everything else is matched, a noisy field counting
// as missing evidence. Results carry the engine's roster and model versions.
//
// Thread-safe: the engine is immutable; calls share nothing else.
#ifndef KUROMARU_SERVICES_RECONCILE_MATCH_H_
#define KUROMARU_SERVICES_RECONCILE_MATCH_H_

#include <span>
#include <string>
#include <vector>

#include "kuromaru/v1/match.pb.h"
#include "kuromaru/v1/receipt.pb.h"
#include "services/reconcile/engine.h"
#include "services/reconcile/receipt_validation.h"

namespace kuromaru::reconcile {

struct ReceiptOutcome {
  // Why the receipt cannot be matched at all; empty when it was matched.
  std::vector<FieldViolation> violations;
  // When matched: the result (FORMATS.md §3) with the engine's versions.
  v1::MatchResult result;
  int candidates_considered = 0;

  bool matched() const { return violations.empty(); }
};

struct MatchOptions {
  // Threads matching a batch, the caller's among them; 0: one per core.
  // Default: 1, the calling thread alone.
  int threads = 1;
  // Prefixed to violations' field names ("receipt." on the gRPC API).
  std::string field_prefix;
};

// Validates and matches one receipt.
ReceiptOutcome MatchReceipt(const Engine& engine, const v1::Receipt& receipt,
                            const std::string& field_prefix = "");

// MatchReceipt for every receipt: (*outcomes)[i] for receipts[i], in
// options.threads threads (base::ParallelFor). Receipts must be non-null.
void MatchBatch(const Engine& engine,
                std::span<const v1::Receipt* const> receipts,
                const MatchOptions& options,
                std::vector<ReceiptOutcome>* outcomes);

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_MATCH_H_
