// Loading a roster file into a Matcher, with the load report on stderr, for the
// commands that match (match, bench, serve).
#ifndef KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
#define KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/matcher.h"
#include "services/io/directory_csv.h"
#include "services/io/roster_csv.h"
#include "services/store/case_store.h"

namespace kuromaru::cli {

class Flags;

struct LoadedMatcher {
  std::unique_ptr<matcher::Matcher> matcher;
  io::RosterLoadReport report;
  std::string model_source;  // "built-in default model" or the file
  std::string model_version;
  double load_seconds = 0;  // read + normalize + roster build
  double index_seconds = 0;
  // The insurer directory's load report; empty when none was given.
  bool has_directory = false;
  io::DirectoryLoadReport directory_report;
};

// Loads `roster_path` (reporting rejected rows with their line numbers on
// stderr), indexes it and loads the model at `model_path` (empty: the built-in
// default).
// `delta_paths` (FORMATS.md §1 deltas) are applied in order on top of the
// snapshot. A non-empty `directory_path` is the insurer directory (FORMATS.md
// §4, in the roster's encoding), its rejected rows reported likewise; the
// matcher then routes with it.
absl::StatusOr<LoadedMatcher> LoadMatcher(
    const std::string& roster_path, const io::RosterLoadOptions& load_options,
    const std::string& model_path, const matcher::MatcherOptions& options,
    const std::vector<std::string>& delta_paths = {},
    const std::string& directory_path = "");

// Loads the insurer directory at `path` (rejected rows on stderr, a summary
// in the log).
absl::StatusOr<std::shared_ptr<const matcher::InsurerDirectory>> LoadDirectory(
    const std::string& path, base::TextEncoding encoding,
    io::DirectoryLoadReport* report);

// Fits a model by EM (unsupervised) on the candidate pairs of up to `sample`
// receipts of the JSON Lines file at `receipts_path`, starting from `matcher`'s
// model. Lines that are not valid receipts are skipped.
absl::StatusOr<matcher::EmResult> FitEmOnReceipts(
    const matcher::Matcher& matcher, const std::string& receipts_path,
    int64_t sample, int64_t* receipts_used);

// The roster and model that `rematch` and `import` match against: the files
// given by flags, or else the ones the case store records as active (what the
// server serves).
struct StoreRosterFlags {
  std::string roster, deltas, model, encoding, directory;
  void Register(Flags& flags);
};
// Returns 0, or the exit code after printing why (prefixed with `command`).
int LoadStoreRoster(const char* command, const StoreRosterFlags& flags,
                    store::CaseStore& store, LoadedMatcher* out);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
