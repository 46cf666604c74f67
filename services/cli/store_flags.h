// `--store FILE|postgresql://…` and `--store-dsn-file FILE`: the case store
// a command opens, for every command that opens one (serve, rematch,
// import, purge, model fit, store).
#ifndef KUROMARU_SERVICES_CLI_STORE_FLAGS_H_
#define KUROMARU_SERVICES_CLI_STORE_FLAGS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/store/case_store.h"
#include "services/store/open_store.h"

namespace kuromaru::cli {

class Flags;

struct StoreFlags {
  std::string store;
  std::string dsn_file;

  // Adds --store (under `name`, "store" by default) and --<name>-dsn-file.
  void Register(Flags& flags, const std::string& name = "store");
  bool given() const { return !store.empty() || !dsn_file.empty(); }
  // The locator: the flag's value, or the DSN the file holds.
  // INVALID_ARGUMENT when both or neither are given.
  absl::StatusOr<std::string> Locator() const;

 private:
  std::string name_ = "store";
};

// Opens the store the flags name. Returns 0, or the exit code after
// printing why (prefixed with `command`): 2 for bad flags, 3 when the store
// cannot be opened.
int OpenStoreOrExit(const char* command, const StoreFlags& flags,
                    const store::StoreOpenOptions& options,
                    std::unique_ptr<store::CaseStore>* out);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_STORE_FLAGS_H_
