// The engine for the commands that match (match, bench, import, rematch,
// model fit): reconcile::LoadEngine with its rejected rows on stderr, and
// the flags that name a roster or fall back on the one a case store records.
#ifndef KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
#define KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/reconcile/engine.h"
#include "services/reconcile/roster_loader.h"
#include "services/store/case_store.h"

namespace kuromaru::cli {

class Flags;

// Every rejected row the report kept, "path:line: reason" on stderr, and
// how many more each file rejected.
void PrintRejectedRows(const reconcile::LoadReport& report);

// reconcile::LoadEngine, the rejected rows printed. `report` may be null.
absl::StatusOr<std::shared_ptr<const reconcile::Engine>> LoadEngineReporting(
    const reconcile::RosterSource& source,
    const reconcile::LoadOptions& options, reconcile::LoadReport* report);

// The roster and model that `rematch` and `import` match against: the files
// given by flags, or else the ones the case store records as in service
// (what the server serves).
struct StoreRosterFlags {
  std::string roster, deltas, model, encoding, directory;
  void Register(Flags& flags);
};

// Loads the engine the flags name (or the store records) into *out. Returns
// 0, or the exit code after printing why (prefixed with `command`).
int LoadStoreRoster(const char* command, const StoreRosterFlags& flags,
                    store::CaseStore& store,
                    std::shared_ptr<const reconcile::Engine>* out);

// Records `engine` (roster, deltas, model, encoding and directory) as the
// store's roster in service when the store records none, so that a later
// `rematch` without --roster matches against the same; says so on stderr. A
// store that records another roster keeps it (a server may serve it), and
// the note says which one a later run will use. Returns 0 or the exit code.
int RecordRosterIfNone(const char* command, store::ServiceState& store,
                       const reconcile::Engine& engine);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
