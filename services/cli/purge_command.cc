// `kuromaru purge`: deletes closed cases past the retention period from a
// case store, auditing each one. Safe beside running servers on the same
// store: on a SQLite file its writes wait for the server's commits (the
// store's busy timeout), and on either store it writes in transactions small
// enough not to hold up intake.

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
#include "services/cli/store_flags.h"
#include "services/store/purge.h"

namespace kuromaru::cli {
namespace {

std::string NewRequestId() {
  absl::BitGen gen;
  return absl::StrFormat("purge-%016x", absl::Uniform<uint64_t>(gen));
}

}  // namespace

int RunPurge(const std::vector<std::string>& args) {
  StoreFlags store_flags;
  std::string older_than;
  bool dry_run = false;
  Flags flags(
      "kuromaru purge (--store FILE|DSN | --store-dsn-file FILE) --older-than "
      "DURATION [--dry-run]",
      "Deletes the closed cases (confirmed, rejected, resolved automatically)\n"
      "closed more than DURATION ago, with their history and feed entries;\n"
      "the audit trail keeps a PURGED row for each. DURATION is a whole\n"
      "number of hours, days or weeks (4320h, 180d, 26w), at least 1d.\n"
      "Prints the number of cases deleted (with --dry-run: that would be).");
  store_flags.Register(flags);
  flags.String("older-than", &older_than, "retention period, e.g. 180d");
  flags.Bool("dry-run", &dry_run, "only count the cases that would go");
  if (auto exit = ParseFlagsOrExit(flags, args)) return *exit;
  auto usage = [&](const std::string& message) {
    std::fprintf(stderr, "kuromaru purge: %s\n%s", message.c_str(),
                 flags.Usage().c_str());
    return kExitUsage;
  };
  if (!flags.positional().empty()) return usage("unexpected arguments");
  if (!store_flags.given() || older_than.empty()) {
    return usage("--store and --older-than are required");
  }
  absl::StatusOr<absl::Duration> retention = store::ParseRetention(older_than);
  if (!retention.ok()) return usage(std::string(retention.status().message()));

  // A purge never creates a store: a mistyped path is an error, not 0.
  store::StoreOpenOptions open_options;
  open_options.create = false;
  std::unique_ptr<store::CaseStore> opened;
  if (int exit = OpenStoreOrExit("purge", store_flags, open_options, &opened)) {
    return exit;
  }
  const store::Actor actor{"purge", "admin", NewRequestId(), "local"};
  const absl::Time start = absl::Now();
  absl::StatusOr<int64_t> count =
      store::PurgeClosed(*opened, *retention, start, actor, dry_run);
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
