#include "services/cli/roster_setup.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"
#include "services/reconcile/recorded_source.h"

namespace kuromaru::cli {

void PrintRejectedRows(const reconcile::LoadReport& report) {
  for (const reconcile::FileReport& file : report.files) {
    for (const io::RowError& e : file.rows.errors) {
      std::fprintf(stderr, "%s:%lld: %s\n", file.path.c_str(),
                   static_cast<long long>(e.line), e.reason.c_str());
    }
    const int64_t unlisted =
        file.rows.rows_rejected - static_cast<int64_t>(file.rows.errors.size());
    if (unlisted > 0) {
      std::fprintf(stderr, "%s: %lld more rejected rows not listed\n",
                   file.path.c_str(), static_cast<long long>(unlisted));
    }
  }
}

absl::StatusOr<std::shared_ptr<const reconcile::Engine>> LoadEngineReporting(
    const reconcile::RosterSource& source,
    const reconcile::LoadOptions& options, reconcile::LoadReport* report) {
  reconcile::LoadReport local;
  if (report == nullptr) report = &local;
  auto engine = reconcile::LoadEngine(source, options, report);
  PrintRejectedRows(*report);
  return engine;
}

void StoreRosterFlags::Register(Flags& flags) {
  flags.String("roster", &roster,
               "roster snapshot CSV (default: the store's active roster)");
  flags.String("deltas", &deltas,
               "roster delta CSVs applied in order, comma-separated");
  flags.String("model", &model, "model file (with --roster)");
  flags.String("encoding", &encoding, "roster encoding: utf-8 or cp932");
  flags.String("directory", &directory,
               "insurer directory CSV (FORMATS.md §4) for insurer suggestions");
}

int LoadStoreRoster(const char* command, const StoreRosterFlags& flags,
                    store::CaseStore& store,
                    std::shared_ptr<const reconcile::Engine>* out) {
  reconcile::RosterSource source;
  if (flags.roster.empty()) {
    absl::StatusOr<reconcile::RecordedSource> recorded =
        reconcile::ReadRecordedSource(store);
    if (!recorded.ok()) {
      std::fprintf(stderr,
                   "kuromaru %s: no active roster in the store (%s); give "
                   "--roster\n",
                   command, recorded.status().ToString().c_str());
      return kExitCannotRun;
    }
    source = recorded->source;
  } else {
    source.snapshot_path = flags.roster;
    source.delta_paths = absl::StrSplit(flags.deltas, ',', absl::SkipEmpty());
    source.model_path = flags.model;
  }
  // Flags given beside a recorded roster override what it recorded.
  if (!flags.encoding.empty()) {
    auto parsed = base::ParseTextEncoding(flags.encoding);
    if (!parsed.ok()) {
      std::fprintf(stderr, "kuromaru %s: %s\n", command,
                   std::string(parsed.status().message()).c_str());
      return kExitUsage;
    }
    source.encoding = *parsed;
  }
  if (!flags.directory.empty()) source.directory_path = flags.directory;
  auto engine = LoadEngineReporting(source, reconcile::LoadOptions(), nullptr);
  if (!engine.ok()) {
    std::fprintf(stderr, "kuromaru %s: %s\n", command,
                 engine.status().ToString().c_str());
    return kExitCannotRun;
  }
  *out = *std::move(engine);
  return kExitOk;
}

int RecordRosterIfNone(const char* command, store::ServiceState& store,
                       const reconcile::Engine& engine) {
  absl::StatusOr<reconcile::RecordedSource> recorded =
      reconcile::ReadRecordedSource(store);
  if (recorded.ok()) {
    if (recorded->roster_version != engine.roster_version) {
      std::fprintf(stderr,
                   "kuromaru %s: the store keeps its roster in service (%s); "
                   "a later run without --roster uses that one\n",
                   command, recorded->roster_version.c_str());
    }
    return kExitOk;
  }
  absl::Status status = absl::IsNotFound(recorded.status())
                            ? reconcile::RecordEngine(store, engine)
                            : recorded.status();
  if (!status.ok()) {
    std::fprintf(stderr, "kuromaru %s: cannot record the roster: %s\n", command,
                 status.ToString().c_str());
    return kExitCannotRun;
  }
  std::fprintf(stderr,
               "kuromaru %s: recorded roster %s as the store's roster in "
               "service\n",
               command, engine.roster_version.c_str());
  return kExitOk;
}

}  // namespace kuromaru::cli
