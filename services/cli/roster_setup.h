// Loading a roster file into a Matcher, with the load report on stderr, for the
// commands that match (match, bench, serve).
#ifndef KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
#define KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "matcher/matcher.h"
#include "services/io/roster_csv.h"

namespace kuromaru::cli {

struct LoadedMatcher {
  std::unique_ptr<matcher::Matcher> matcher;
  io::RosterLoadReport report;
  std::string model_source;  // "built-in default model" or the file
  std::string model_version;
  double load_seconds = 0;  // read + normalize + roster build
  double index_seconds = 0;
};

// Loads `roster_path` (reporting rejected rows with their line numbers on
// stderr), indexes it and loads the model at `model_path` (empty: the built-in
// default).
// `delta_paths` (FORMATS.md §1 deltas) are applied in order on top of the
// snapshot.
absl::StatusOr<LoadedMatcher> LoadMatcher(
    const std::string& roster_path, const io::RosterLoadOptions& load_options,
    const std::string& model_path, const matcher::MatcherOptions& options,
    const std::vector<std::string>& delta_paths = {});

// Fits a model by EM (unsupervised) on the candidate pairs of up to `sample`
// receipts of the JSON Lines file at `receipts_path`, starting from `matcher`'s
// model. Lines that are not valid receipts are skipped.
absl::StatusOr<matcher::EmResult> FitEmOnReceipts(
    const matcher::Matcher& matcher, const std::string& receipts_path,
    int64_t sample, int64_t* receipts_used);

}  // namespace kuromaru::cli

#endif  // KUROMARU_SERVICES_CLI_ROSTER_SETUP_H_
