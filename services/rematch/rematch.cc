#include "services/rematch/rematch.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/log.h"
#include "base/parallel.h"
#include "base/status_macros.h"
#include "services/reconcile/match.h"
#include "services/rematch/workers.h"

namespace kuromaru::rematch {
namespace {

// The checkpoint names what it is valid for: a resume under another roster,
// model or month range must start over.
std::string CheckpointPrefix(const std::string& roster_version,
                             const std::string& model_version,
                             const RematchOptions& o) {
  return absl::StrCat("v2\t", roster_version, "\t", model_version, "\t",
                      o.month_from, "\t", o.month_to, "\t");
}

absl::Status CheckOptions(const RematchOptions& o) {
  if (o.shard_count < 1 || o.shard_index < 0 ||
      o.shard_index >= o.shard_count) {
    return absl::InvalidArgumentError("shard must be i/n with 0 <= i < n");
  }
  if (o.owner.empty()) return absl::InvalidArgumentError("owner is required");
  if (o.job_name.empty()) {
    return absl::InvalidArgumentError("job_name is required");
  }
  if (o.page_size < 1 || o.scan_size < 1 || o.write_concurrency < 1 ||
      o.lease_ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "page_size, scan_size and write_concurrency must be positive, "
        "lease_ttl >= 1 s");
  }
  return absl::OkStatus();
}

store::OpenCaseScan ScanFor(const RematchOptions& o, std::string after,
                            int limit) {
  store::OpenCaseScan scan;
  scan.service_month_from = o.month_from;
  scan.service_month_to = o.month_to;
  scan.shard_index = o.shard_index;
  scan.shard_count = o.shard_count;
  scan.after_receipt_id = std::move(after);
  scan.limit = limit;
  return scan;
}

// Matches page[i] into results[i] on `threads` threads; nullopt for a stored
// receipt that cannot be matched at all.
void MatchPage(const reconcile::Engine& engine,
               const std::vector<store::OpenCase>& page, int threads,
               std::vector<std::optional<v1::MatchResult>>* results) {
  std::vector<const v1::Receipt*> receipts;
  receipts.reserve(page.size());
  for (const store::OpenCase& c : page) receipts.push_back(&c.receipt);
  std::vector<reconcile::ReceiptOutcome> outcomes;
  reconcile::MatchBatch(engine, receipts, {.threads = threads}, &outcomes);
  results->assign(page.size(), std::nullopt);
  for (size_t i = 0; i < page.size(); ++i) {
    if (!outcomes[i].matched()) continue;
    (*results)[i] = std::move(outcomes[i].result);
    (*results)[i]->set_receipt_id(page[i].receipt_id);
  }
}

void Tally(const std::vector<Outcome>& outcomes, RematchProgress* p) {
  for (const Outcome& o : outcomes) {
    ++p->examined;
    if (!o) {
      ++p->errors;
      continue;
    }
    switch (*o) {
      case store::RematchOutcome::kResolved:
        ++p->resolved;
        break;
      case store::RematchOutcome::kChanged:
        ++p->changed;
        break;
      case store::RematchOutcome::kUnchanged:
        ++p->unchanged;
        break;
      case store::RematchOutcome::kSkipped:
        ++p->skipped;
        break;
    }
  }
}

// Where a previous run of the same roster, model and months stopped, and the
// errors it had met by then (the checkpoint's "<errors>\t<receipt_id>" after
// the prefix); empty and 0 for a fresh start.
struct Resume {
  std::string after;
  int64_t errors = 0;
};

absl::StatusOr<Resume> ResumePoint(store::CaseStore& store,
                                   const std::string& name,
                                   const std::string& prefix) {
  ASSIGN_OR_RETURN(std::optional<std::string> saved,
                   store.LoadCheckpoint(name));
  if (!saved || saved->empty()) return Resume();
  const size_t tab = saved->find('\t', prefix.size());
  Resume resume;
  if (saved->compare(0, prefix.size(), prefix) != 0 ||
      tab == std::string::npos ||
      !absl::SimpleAtoi(saved->substr(prefix.size(), tab - prefix.size()),
                        &resume.errors)) {
    base::Log(base::LogLevel::kInfo,
              "rematch checkpoint is for another roster, model or month range; "
              "starting over",
              {{"job", name}});
    return Resume();
  }
  resume.after = saved->substr(tab + 1);
  return resume;
}

class Job {
 public:
  Job(store::CaseStore& store, const reconcile::Engine& engine,
      const RematchOptions& options)
      : store_(store),
        engine_(engine),
        options_(options),
        name_(ShardName(options)),
        prefix_(CheckpointPrefix(engine.roster_version, engine.model_version,
                                 options)),
        threads_(options.threads > 0 ? options.threads
                                     : base::HardwareThreads()) {
    report_.roster_version = engine.roster_version;
    report_.model_version = engine.model_version;
  }

  absl::StatusOr<RematchReport> Run(const LeaseKeeper& lease) {
    const absl::Time start = absl::Now();
    ASSIGN_OR_RETURN(Resume resume, ResumePoint(store_, name_, prefix_));
    report_.resumed_after = resume.after;
    // The cases an interrupted run failed on are behind the checkpoint: they
    // count against this run too, so that its exit says the night was partial.
    report_.errors = resume.errors;
    scan_after_ = report_.resumed_after;
    Report(start);
    // Declared before the applier, whose threads may read `applying` until
    // it is destroyed.
    std::vector<store::OpenCase> page, applying;
    std::vector<std::optional<v1::MatchResult>> results;
    Applier applier(store_, options_.write_concurrency, options_.actor);
    absl::Status stop;
    while (true) {
      if (options_.cancel != nullptr && options_.cancel->load()) {
        stop = absl::CancelledError("the re-match was cancelled");
      } else if (lease.lost()) {
        stop = absl::AbortedError("the job's lease was lost");
      }
      if (!stop.ok()) break;
      RETURN_IF_ERROR(NextPage(&page));
      if (page.empty()) break;
      MatchPage(engine_, page, threads_, &results);
      RETURN_IF_ERROR(Finish(applier, applying, start));
      applying = std::move(page);
      page.clear();
      applier.Start(&applying, std::move(results));
    }
    RETURN_IF_ERROR(Finish(applier, applying, start));
    if (!stop.ok()) return stop;
    // Done: the next run starts from the first case.
    RETURN_IF_ERROR(store_.SaveCheckpoint(name_, ""));
    report_.total = report_.examined;
    report_.duration = absl::Now() - start;
    return report_;
  }

 private:
  // The next page_size cases in receipt_id order, from scans of scan_size:
  // each scan costs the store a pass over the open cases, pages are what is
  // matched, applied and checkpointed at a time.
  absl::Status NextPage(std::vector<store::OpenCase>* page) {
    if (next_ == scanned_.size() && !scan_done_) {
      scanned_.clear();
      next_ = 0;
      ASSIGN_OR_RETURN(scanned_,
                       store_.ListOpenCases(
                           ScanFor(options_, scan_after_, options_.scan_size)));
      scan_done_ = scanned_.size() < static_cast<size_t>(options_.scan_size);
      if (!scanned_.empty()) scan_after_ = scanned_.back().receipt_id;
      seen_ += static_cast<int64_t>(scanned_.size());
      // Known only once the last scan is read.
      if (scan_done_) report_.total = seen_;
    }
    const size_t n = std::min(scanned_.size() - next_,
                              static_cast<size_t>(options_.page_size));
    page->assign(std::make_move_iterator(scanned_.begin() + next_),
                 std::make_move_iterator(scanned_.begin() + next_ + n));
    next_ += n;
    return absl::OkStatus();
  }

  // Waits for the page being applied, counts it and checkpoints after it.
  absl::Status Finish(Applier& applier, std::vector<store::OpenCase>& page,
                      absl::Time start) {
    if (page.empty()) return absl::OkStatus();
    Tally(applier.Wait(), &report_);
    RETURN_IF_ERROR(store_.SaveCheckpoint(
        name_,
        absl::StrCat(prefix_, report_.errors, "\t", page.back().receipt_id)));
    page.clear();
    Report(start);
    return absl::OkStatus();
  }

  void Report(absl::Time start) {
    report_.duration = absl::Now() - start;
    if (options_.on_progress) options_.on_progress(report_);
  }

  store::CaseStore& store_;
  const reconcile::Engine& engine_;
  const RematchOptions& options_;
  const std::string name_;
  const std::string prefix_;
  const int threads_;
  RematchReport report_;
  std::vector<store::OpenCase> scanned_;
  size_t next_ = 0;
  bool scan_done_ = false;
  std::string scan_after_;
  int64_t seen_ = 0;
};

}  // namespace

std::string ShardName(const RematchOptions& options) {
  return absl::StrCat(options.job_name, "/", options.shard_index, "-of-",
                      options.shard_count);
}

absl::StatusOr<RematchReport> RunRematch(store::CaseStore& store,
                                         const reconcile::Engine& engine,
                                         const RematchOptions& options) {
  RETURN_IF_ERROR(CheckOptions(options));
  const std::string name = ShardName(options);
  ASSIGN_OR_RETURN(
      std::unique_ptr<LeaseKeeper> lease,
      LeaseKeeper::Acquire(store, name, options.owner, options.lease_ttl));
  base::Log(base::LogLevel::kInfo, "rematch started",
            {{"job", name},
             {"roster_version", engine.roster_version},
             {"model_version", engine.model_version}});
  Job job(store, engine, options);
  absl::StatusOr<RematchReport> report = job.Run(*lease);
  lease->Release();
  if (report.ok()) {
    base::Log(base::LogLevel::kInfo, "rematch finished",
              {{"job", name},
               {"examined", report->examined},
               {"resolved", report->resolved},
               {"changed", report->changed},
               {"unchanged", report->unchanged},
               {"skipped", report->skipped},
               {"errors", report->errors},
               {"seconds", absl::ToDoubleSeconds(report->duration)}});
  } else {
    base::Log(base::LogLevel::kWarning, "rematch stopped",
              {{"job", name}, {"status", report.status().ToString()}});
  }
  return report;
}

}  // namespace kuromaru::rematch
