#include "services/reconcile/match.h"

#include "base/parallel.h"
#include "services/reconcile/proto_conversion.h"

namespace kuromaru::reconcile {

ReceiptOutcome MatchReceipt(const Engine& engine, const v1::Receipt& receipt,
                            const std::string& field_prefix) {
  ReceiptOutcome out;
  out.violations = ValidateReceipt(receipt, field_prefix);
  if (!out.violations.empty()) return out;
  const matcher::ReceiptMatch match = engine.matcher->Match(TextOf(receipt));
  out.candidates_considered = match.candidates_considered;
  out.result = ToMatchResult(receipt.receipt_id(), match, engine.roster_version,
                             engine.model_version);
  return out;
}

void MatchBatch(const Engine& engine,
                std::span<const v1::Receipt* const> receipts,
                const MatchOptions& options,
                std::vector<ReceiptOutcome>* outcomes) {
  outcomes->clear();
  outcomes->resize(receipts.size());
  base::ParallelFor(receipts.size(), options.threads, [&](size_t i) {
    (*outcomes)[i] = MatchReceipt(engine, *receipts[i], options.field_prefix);
  });
}

}  // namespace kuromaru::reconcile
