// `kuromaru purge`: deletes closed cases past the retention period from a
// store file, auditing each one. Safe beside a running `kuromaru serve` on the
// same file: its writes wait for the server's commits (the store's busy
// timeout), in transactions small enough not to hold up intake.
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/log.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/store/purge.h"
#include "services/store/sqlite_store.h"

namespace kuromaru::cli {
namespace {

std::string NewRequestId() {
  absl::BitGen gen;
  return absl::StrFormat("purge-%016x", absl::Uniform<uint64_t>(gen));
}

}  // namespace

int RunPurge(const std::vector<std::string>& args) {
  std::string store_path, older_than;
  bool dry_run = false;
  Flags flags(
      "kuromaru purge --store FILE --older-than DURATION [--dry-run]",
      "Deletes the closed cases (confirmed, rejected, resolved automatically)\n"
      "closed more than DURATION ago, with their history and feed entries;\n"
      "the audit trail keeps a PURGED row for each. DURATION is a whole\n"
      "number of hours, days or weeks (4320h, 180d, 26w), at least 1d.\n"
      "Prints the number of cases deleted (with --dry-run: that would be).");
  flags.String("store", &store_path, "the case store file");
  flags.String("older-than", &older_than, "retention period, e.g. 180d");
  flags.Bool("dry-run", &dry_run, "only count the cases that would go");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  auto usage = [&](const std::string& message) {
    std::fprintf(stderr, "kuromaru purge: %s\n%s", message.c_str(),
                 flags.Usage().c_str());
    return kExitUsage;
  };
  if (!flags.positional().empty()) return usage("unexpected arguments");
  if (store_path.empty() || older_than.empty()) {
    return usage("--store and --older-than are required");
  }
  absl::StatusOr<absl::Duration> retention = store::ParseRetention(older_than);
  if (!retention.ok()) return usage(std::string(retention.status().message()));

  // A purge never creates a store: a mistyped path is an error, not 0.
  struct stat st;
  if (::stat(store_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fprintf(stderr, "kuromaru purge: no store file at %s\n",
                 store_path.c_str());
    return kExitCannotRun;
  }
  auto opened = store::SqliteStore::Open(store_path, store::SqliteOptions());
  if (!opened.ok()) {
    std::fprintf(stderr, "kuromaru purge: cannot open the store: %s\n",
                 opened.status().ToString().c_str());
    return kExitCannotRun;
  }
  const store::Actor actor{"purge", "admin", NewRequestId(), "local"};
  const absl::Time start = absl::Now();
  absl::StatusOr<int64_t> count =
      store::PurgeClosed(**opened, *retention, start, actor, dry_run);
  if (!count.ok()) {
    std::fprintf(stderr, "kuromaru purge: %s\n",
                 count.status().ToString().c_str());
    return kExitFailure;
  }
  base::Log(base::LogLevel::kInfo, dry_run ? "purge dry run" : "purged",
            {{"cases", *count},
             {"retention_hours", absl::ToInt64Hours(*retention)},
             {"request_id", actor.request_id},
             {"seconds", absl::ToDoubleSeconds(absl::Now() - start)}});
  std::printf("%lld\n", static_cast<long long>(*count));
  return kExitOk;
}

}  // namespace kuromaru::cli
