// The nightly re-match: every open case (PENDING_REVIEW, UNMATCHED) matched
// again against the current roster and model, and updated through the store.
//
//   RematchOptions options;
//   options.owner = "host-1:4242";
//   options.shard_index = 0;
//   options.shard_count = 4;
//   ASSIGN_OR_RETURN(RematchReport report,
//                    RunRematch(*store, *engine, options));
//
// What the job does to a case is the store's ApplyRematch rule: a case whose
// new result is AUTO_MATCH is resolved by the job (with the roster and model
// versions), a case whose candidates changed stays in review with the old
// candidates kept, a case with the same candidates is not written, and a case
// a reviewer decided (CONFIRMED, REJECTED) is never touched.
//
// Guarantees:
//  - One job per (job_name, shard) at a time: the job holds a store lease,
//    renewed while it runs; a second job gets FAILED_PRECONDITION.
//  - Resumable: cases are read in receipt_id order, a page at a time; the
//    checkpoint (the last receipt_id of a page) is saved only once every case
//    of that page and of the pages before it is durable. A job killed at any
//    moment resumes after the checkpoint; the cases after it that were
//    already applied are either closed (no longer listed) or hold exactly the
//    candidates the same roster and model give again, so ApplyRematch finds
//    them unchanged and writes nothing. No case is skipped, none shows two
//    re-matches for one roster and model.
//  - The checkpoint names the roster, model and month range: resuming under
//    another roster or model starts over. A finished run clears it, so the
//    next night starts from the first case.
//
// RunRematch neither prints nor exits: it reports through on_progress and
// the returned report, so that the server can run it inside itself.
#ifndef KUROMARU_SERVICES_REMATCH_REMATCH_H_
#define KUROMARU_SERVICES_REMATCH_REMATCH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/reconcile/engine.h"
#include "services/store/case_store.h"

namespace kuromaru::rematch {

struct RematchProgress {
  // Open cases in the shard from the resume point: 0 while unknown, known
  // once the last scan of the store is read.
  int64_t total = 0;
  int64_t examined = 0;
  int64_t resolved = 0;   // newly AUTO_RESOLVED
  int64_t changed = 0;    // candidates changed, back in review
  int64_t unchanged = 0;  // nothing written
  int64_t skipped = 0;    // decided by someone else while the job ran
  // Cases that could not be re-matched or written; a resumed run includes
  // those of the run it resumed (they are behind its checkpoint).
  int64_t errors = 0;
  absl::Duration duration;
  std::string roster_version;
  std::string model_version;
};

// The final counts; `resumed_after` is the checkpoint the run started from
// (empty for a fresh run).
struct RematchReport : RematchProgress {
  std::string resumed_after;
};

struct RematchOptions {
  // Service months (YYYYMM, inclusive); empty: open. Default: all months.
  std::string month_from;
  std::string month_to;
  // This job's part of the cases: ShardOf(receipt_id, shard_count) ==
  // shard_index. Default: one shard, all cases.
  int shard_index = 0;
  int shard_count = 1;
  // Matching threads. Default: 0, one per core.
  int threads = 0;
  // Concurrent store writes; group commit turns them into few transactions.
  // Default: 64.
  int write_concurrency = 64;
  // Cases matched, applied and checkpointed at a time. Default: 2048.
  int page_size = 2048;
  // Cases read from the store at a time; each read costs the store a pass
  // over the open cases. Default: 65536.
  int scan_size = 65536;
  // The lease and checkpoint are named "<job_name>/<shard_index>-of-<count>".
  // Default: "rematch".
  std::string job_name = "rematch";
  // Who holds the lease (host and process, or the server's id). Required.
  std::string owner;
  // The lease is renewed every lease_ttl / 3; a job that dies frees the shard
  // after at most lease_ttl. Default: 30 s.
  absl::Duration lease_ttl = absl::Seconds(30);
  // Recorded with every change the job writes.
  store::Actor actor = {"rematch", "job", "", ""};
  // Called on the job's thread after the first count and after every page.
  std::function<void(const RematchReport&)> on_progress;
  // When set and true, the job stops after the page in flight (CANCELLED);
  // its checkpoint lets the next run resume.
  const std::atomic<bool>* cancel = nullptr;
};

// The lease and checkpoint name of one shard of a job.
std::string ShardName(const RematchOptions& options);

// Runs the job to its end. Errors: INVALID_ARGUMENT for bad options,
// FAILED_PRECONDITION when another job holds the shard, ABORTED when the
// lease was lost, CANCELLED, or the store's error when reading or
// checkpointing fails. Per-case failures are counted in `errors`, not
// returned. Cases are matched with reconcile::MatchBatch against `engine`,
// whose roster and model versions the results carry. Thread-safe with
// respect to other jobs and to reviewers using the same store.
absl::StatusOr<RematchReport> RunRematch(store::CaseStore& store,
                                         const reconcile::Engine& engine,
                                         const RematchOptions& options);

}  // namespace kuromaru::rematch

#endif  // KUROMARU_SERVICES_REMATCH_REMATCH_H_
