#include "services/cli/store_flags.h"

#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/cli/commands.h"
#include "services/cli/flags.h"

namespace kuromaru::cli {

void StoreFlags::Register(Flags& flags, const std::string& name) {
  name_ = name;
  flags.String(name, &store,
               "case store: a SQLite file, or a PostgreSQL URI "
               "(postgresql://user@host/db)");
  flags.String(absl::StrCat(name, "-dsn-file"), &dsn_file,
               "a file holding the PostgreSQL connection string (a secret)");
}

absl::StatusOr<std::string> StoreFlags::Locator() const {
  if (!store.empty() && !dsn_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name_, " and --", name_, "-dsn-file: one of them"));
  }
  if (store.empty() && dsn_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name_, " or --", name_, "-dsn-file is required"));
  }
  if (!store.empty()) return store;
  return store::ReadDsnFile(dsn_file);
}

int OpenStoreOrExit(const char* command, const StoreFlags& flags,
                    const store::StoreOpenOptions& options,
                    std::unique_ptr<store::CaseStore>* out) {
  absl::StatusOr<std::string> locator = flags.Locator();
  if (!locator.ok()) {
    std::fprintf(stderr, "kuromaru %s: %s\n", command,
                 std::string(locator.status().message()).c_str());
    // Both flags or neither: a usage error; an unreadable or empty DSN file:
    // the command cannot run.
    const bool one = flags.store.empty() != flags.dsn_file.empty();
    return one ? kExitCannotRun : kExitUsage;
  }
  absl::StatusOr<std::unique_ptr<store::CaseStore>> opened =
      store::OpenStore(*locator, options);
  if (!opened.ok()) {
    std::fprintf(stderr, "kuromaru %s: cannot open the store %s: %s\n", command,
                 store::DescribeLocator(*locator).c_str(),
                 opened.status().ToString().c_str());
    return kExitCannotRun;
  }
  *out = *std::move(opened);
  return kExitOk;
}

}  // namespace kuromaru::cli
