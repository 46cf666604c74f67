// `kuromaru rematch`: the nightly re-match of every open case against the
// current roster and model, on a case store (SQLite file or PostgreSQL), beside
// running servers or alone.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/json.h"
#include "base/log.h"
#include "google/protobuf/util/time_util.h"
#include "kuromaru/v1/jobs.grpc.pb.h"
#include "services/cli/client_flags.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/cli/progress.h"
#include "services/cli/roster_setup.h"
#include "services/cli/store_flags.h"
#include "services/rematch/rematch.h"

namespace kuromaru::cli {
namespace {

std::atomic<bool> g_cancel{false};

void OnSignal(int) { g_cancel = true; }

// "YYYYMM-YYYYMM" into the options; either side may be empty. The error
// names the flag and what it takes.
absl::Status ParseMonths(const std::string& text, rematch::RematchOptions* o) {
  if (text.empty()) return absl::OkStatus();
  absl::Status bad = absl::InvalidArgumentError(absl::StrCat(
      "--months: a range YYYYMM-YYYYMM of service months (either side may be "
      "left open, as in 202401-), not \"",
      text, "\""));
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  if (parts.size() != 2) return bad;
  for (const std::string& p : parts) {
    int month = 0;
    if (!p.empty() && (p.size() != 6 || !absl::SimpleAtoi(p, &month) ||
                       month % 100 < 1 || month % 100 > 12)) {
      return bad;
    }
  }
  o->month_from = parts[0];
  o->month_to = parts[1];
  return absl::OkStatus();
}

// "i/n" with 0 <= i < n.
absl::Status ParseShard(const std::string& text, rematch::RematchOptions* o) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() == 2 && absl::SimpleAtoi(parts[0], &o->shard_index) &&
      absl::SimpleAtoi(parts[1], &o->shard_count) && o->shard_count >= 1 &&
      o->shard_index >= 0 && o->shard_index < o->shard_count) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--shard: i/n, this job's shard i of n, counting from 0 (0/4 … 3/4), "
      "not \"",
      text, "\""));
}

// `stopped`: the job was stopped (by a signal) before its end.
std::string ReportJson(const rematch::RematchReport& r, bool stopped) {
  base::Json out;
  out["state"] = stopped ? "stopped" : "finished";
  out["total"] = r.total;
  out["examined"] = r.examined;
  out["resolved"] = r.resolved;
  out["changed"] = r.changed;
  out["unchanged"] = r.unchanged;
  out["skipped"] = r.skipped;
  out["errors"] = r.errors;
  out["duration_seconds"] = absl::ToDoubleSeconds(r.duration);
  out["roster_version"] = r.roster_version;
  out["model_version"] = r.model_version;
  out["resumed_after"] = r.resumed_after;
  return base::ToJsonText(out) + "\n";
}

// `stopped`: the counts are of the pages done before the job stopped.
void PrintSummary(const rematch::RematchReport& r, bool stopped = false) {
  const double seconds = absl::ToDoubleSeconds(r.duration);
  std::printf("roster       %s\nmodel        %s\n", r.roster_version.c_str(),
              r.model_version.c_str());
  if (!r.resumed_after.empty()) {
    std::printf("resumed      after %s\n", r.resumed_after.c_str());
  }
  std::printf("examined     %lld in %.2f s (%.0f/s)\n",
              static_cast<long long>(r.examined), seconds,
              seconds > 0 ? r.examined / seconds : 0.0);
  std::printf("resolved     %lld\nchanged      %lld\nunchanged    %lld\n",
              static_cast<long long>(r.resolved),
              static_cast<long long>(r.changed),
              static_cast<long long>(r.unchanged));
  std::printf("skipped      %lld (decided while the job ran)\n",
              static_cast<long long>(r.skipped));
  std::printf("errors       %lld\n", static_cast<long long>(r.errors));
  if (stopped) {
    std::printf(
        "stopped      before the end; the next run resumes after the last "
        "case done\n");
  }
}

// Writes the --report file when there is one; false (after saying why) when
// it cannot be written.
bool WriteReport(const std::string& path, const rematch::RematchReport& r,
                 bool stopped) {
  if (path.empty()) return true;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << ReportJson(r, stopped);
  if (out.flush()) return true;
  std::fprintf(stderr, "kuromaru rematch: cannot write %s\n", path.c_str());
  return false;
}

std::string Owner() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, ":", getpid());
}

// `rematch --server`: the job runs inside the server, which owns the store;
// this follows it to the end. Exit 3 when it could not start (no roster,
// shard busy here or in another process), 1 when it failed or had errors.
// Long (about 85 lines): start, follow the job's stream, print; one sequence.
int RunOnServer(const grpc_service::ClientOptions& client_options,
                const rematch::RematchOptions& options, int64_t threads,
                const std::string& report_path) {
  auto client = grpc_service::Client::Connect(client_options);
  if (!client.ok()) {
    std::fprintf(stderr, "kuromaru rematch: %s\n",
                 std::string(client.status().message()).c_str());
    return kExitCannotRun;
  }
  auto stub = v1::JobService::NewStub(client->channel());
  v1::StartRematchRequest request;
  request.set_service_month_from(options.month_from);
  request.set_service_month_to(options.month_to);
  request.set_shard_index(options.shard_index);
  request.set_shard_count(options.shard_count);
  request.set_threads(static_cast<int32_t>(threads));
  v1::RematchJob job;
  {
    grpc::ClientContext context;
    client->Prepare(&context, std::chrono::seconds(30));
    grpc::Status status = stub->StartRematch(&context, request, &job);
    if (!status.ok()) {
      std::fprintf(stderr, "kuromaru rematch: %s (%s)\n",
                   status.error_message().c_str(),
                   StatusCodeName(status.error_code()).c_str());
      return kExitCannotRun;
    }
  }
  base::Log(base::LogLevel::kInfo, "rematch started on the server",
            {{"job_id", job.job_id()}});
  std::unique_ptr<Progress> progress;
  int broken = 0;  // watches in a row that ended without news
  for (bool finished = false; !finished;) {
    grpc::ClientContext context;
    client->Prepare(&context, std::chrono::milliseconds(0));
    v1::GetRematchRequest watch;
    watch.set_job_id(job.job_id());
    auto reader = stub->WatchRematch(&context, watch);
    while (reader->Read(&job)) {
      broken = 0;
      if (!progress)
        progress = std::make_unique<Progress>("rematch", job.total());
      progress->Update(job.examined());
    }
    grpc::Status status = reader->Finish();
    finished = job.state() != v1::RematchJob::STATE_RUNNING;
    if (!finished) {
      // The stream broke (a proxy's idle timeout): the job goes on. A server
      // that restarted has lost the job; started again, it resumes from its
      // checkpoint.
      if (status.error_code() == grpc::StatusCode::NOT_FOUND || ++broken > 30) {
        std::fprintf(stderr,
                     "kuromaru rematch: lost the job (%s); run again to "
                     "resume from its checkpoint\n",
                     status.error_message().c_str());
        return kExitFailure;
      }
      std::fprintf(stderr, "kuromaru rematch: watching again after: %s\n",
                   status.error_message().c_str());
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
  }
  progress.reset();
  rematch::RematchReport report;
  report.total = job.total();
  report.examined = job.examined();
  report.resolved = job.resolved();
  report.changed = job.changed();
  report.unchanged = job.unchanged();
  report.errors = job.errors();
  report.roster_version = job.roster_version();
  report.model_version = job.model_version();
  using google::protobuf::util::TimeUtil;
  report.duration =
      absl::Nanoseconds(TimeUtil::TimestampToNanoseconds(job.finished_at()) -
                        TimeUtil::TimestampToNanoseconds(job.started_at()));
  if (job.state() == v1::RematchJob::STATE_FAILED) {
    std::fprintf(stderr, "kuromaru rematch: the job failed: %s\n",
                 job.message().c_str());
    return job.examined() == 0 ? kExitCannotRun : kExitFailure;
  }
  PrintSummary(report);
  if (!WriteReport(report_path, report, /*stopped=*/false)) return kExitFailure;
  return job.state() == v1::RematchJob::STATE_SUCCEEDED ? kExitOk
                                                        : kExitFailure;
}

struct RematchFlags {
  StoreFlags store;
  std::string months, shard = "0/1", report_path;
  int64_t threads = 0, lease_seconds = 30;
  StoreRosterFlags roster;
  rematch::RematchOptions options;
  grpc_service::ClientOptions client;
};

// Parses and checks the flags; nullopt to go on, or the exit code after
// saying which flag is wrong.
std::optional<int> ParseRematchFlags(const std::vector<std::string>& args,
                                     RematchFlags* f) {
  f->client.server.clear();  // given: the job runs in that server
  Flags flags(
      "kuromaru rematch (--store FILE|DSN | --store-dsn-file FILE | --server "
      "HOST:PORT --token-file FILE) "
      "[--months YYYYMM-YYYYMM] [--shard i/n] [--report FILE] [flags]",
      "Re-matches every open case (PENDING_REVIEW, UNMATCHED) against the "
      "store's active\nroster and model (or --roster/--model): resolves "
      "what now meets the AUTO_MATCH\nrule, puts cases whose candidates "
      "changed back in review, leaves the rest alone.\nNever touches "
      "reviewers' decisions. Resumes after a crash; a second job on the "
      "same\nshard is refused. With --server, the job runs inside that server "
      "(role admin),\nwhich owns the store, and this command follows it. "
      "SIGTERM or SIGINT stops\nthe job after the page in flight, with its "
      "summary and report. Exit 0: done;\n1: done with errors, or stopped; "
      "3: could not run.");
  AddClientFlags(flags, &f->client);
  f->store.Register(flags);
  f->roster.Register(flags);
  flags.String("months", &f->months,
               "service months YYYYMM-YYYYMM (inclusive)");
  flags.String("shard", &f->shard, "this job's shard i/n of the cases");
  flags.Int("threads", &f->threads, "matching threads (0: one per core)");
  flags.String("job", &f->options.job_name, "job name (lease and checkpoint)");
  flags.Int("lease-seconds", &f->lease_seconds, "lease time-to-live");
  flags.String("report", &f->report_path,
               "also write the summary as JSON here");
  if (auto exit = ParseFlagsOrExit(flags, args)) return exit;
  absl::Status bad = ParseMonths(f->months, &f->options);
  if (bad.ok()) bad = ParseShard(f->shard, &f->options);
  if (bad.ok() && f->lease_seconds < 1) {
    bad = absl::InvalidArgumentError("--lease-seconds: at least 1");
  }
  if (bad.ok() && f->store.given() == !f->client.server.empty()) {
    bad = absl::InvalidArgumentError(
        "give one of --store (run the job here) or --server (run it in that "
        "server)");
  }
  if (!bad.ok()) {
    std::fprintf(stderr, "kuromaru rematch: %s\n\n%s",
                 std::string(bad.message()).c_str(), flags.Usage().c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

// `rematch --store`: the job here, on the store, until its end or a
// stop signal.
int RunStandalone(RematchFlags& f) {
  std::unique_ptr<store::CaseStore> store;
  if (int exit = OpenStoreOrExit("rematch", f.store, {}, &store)) {
    return exit;
  }
  std::shared_ptr<const reconcile::Engine> engine;
  if (int exit = LoadStoreRoster("rematch", f.roster, *store, &engine)) {
    return exit;
  }
  rematch::RematchOptions& options = f.options;
  options.threads = static_cast<int>(f.threads);
  options.owner = Owner();
  options.lease_ttl = absl::Seconds(f.lease_seconds);
  options.actor = {options.job_name, "job", options.owner, ""};
  options.cancel = &g_cancel;
  std::unique_ptr<Progress> progress;
  rematch::RematchReport last;  // what was done, should the job be stopped
  options.on_progress = [&](const rematch::RematchReport& p) {
    last = p;
    if (!progress) progress = std::make_unique<Progress>("rematch", p.total);
    progress->Update(p.examined);
  };
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  auto report = rematch::RunRematch(*store, *engine, options);
  progress.reset();
  if (absl::IsCancelled(report.status())) {
    PrintSummary(last, /*stopped=*/true);
    WriteReport(f.report_path, last, /*stopped=*/true);
    return kExitFailure;
  }
  if (!report.ok()) {
    std::fprintf(stderr, "kuromaru rematch: %s\n",
                 report.status().ToString().c_str());
    const absl::StatusCode code = report.status().code();
    return code == absl::StatusCode::kFailedPrecondition ||
                   code == absl::StatusCode::kInvalidArgument
               ? kExitCannotRun
               : kExitFailure;
  }
  PrintSummary(*report);
  if (!WriteReport(f.report_path, *report, /*stopped=*/false)) {
    return kExitFailure;
  }
  return report->errors > 0 ? kExitFailure : kExitOk;
}

}  // namespace

int RunRematch(const std::vector<std::string>& args) {
  RematchFlags f;
  if (auto exit = ParseRematchFlags(args, &f)) return *exit;
  if (!f.client.server.empty()) {
    return RunOnServer(f.client, f.options, f.threads, f.report_path);
  }
  return RunStandalone(f);
}

}  // namespace kuromaru::cli
