// The engine in service: one immutable matcher over one roster version, one
// model and (optionally) one insurer directory, with what they were loaded
// from. Every edge that matches receipts — the gRPC server, `match`,
// `import`, `rematch`, `model fit` — holds one of these and hands it to
// match.h; roster_loader.h builds them.
//
// An Engine is never changed once built: a new roster, delta or model makes
// a new Engine, which the server swaps in by pointer (RosterManager), so a
// call in flight finishes on the engine it started with. Share it as
// std::shared_ptr<const Engine>; everything in it is thread-safe to read.
#ifndef KUROMARU_SERVICES_RECONCILE_ENGINE_H_
#define KUROMARU_SERVICES_RECONCILE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/csv.h"
#include "matcher/insurer_directory.h"
#include "matcher/matcher.h"
#include "matcher/roster.h"

namespace kuromaru::reconcile {

// Where an engine's roster, model and directory come from: files on the
// machine that loads them.
struct RosterSource {
  std::string snapshot_path;
  std::vector<std::string> delta_paths;  // applied in order
  // Of the roster, its deltas and the directory.
  base::TextEncoding encoding = base::TextEncoding::kUtf8;
  // Rejected roster rows allowed; nullopt: the reader's default budget.
  std::optional<int64_t> max_errors;
  std::string model_path;  // empty: the built-in model
  // The insurer directory (FORMATS.md §4); empty: none (insurer suggestions
  // then come from the billed number and the candidates alone).
  std::string directory_path;
};

struct Engine {
  std::shared_ptr<const matcher::Matcher> matcher;
  std::shared_ptr<const matcher::InsurerDirectory> directory;  // may be null
  RosterSource source;
  // Recorded in every result matched with this engine.
  std::string roster_version;
  std::string model_version;
  matcher::RosterCounts counts;
  absl::Time loaded_at;

  // "built-in" or the model file's path.
  std::string model_source() const {
    return source.model_path.empty() ? "built-in" : source.model_path;
  }
};

// An engine over `matcher` with its roster's and model's versions and
// counts, loaded now. For tests and tools that build a matcher themselves.
std::shared_ptr<const Engine> EngineOf(
    std::shared_ptr<const matcher::Matcher> matcher, RosterSource source = {});

}  // namespace kuromaru::reconcile

#endif  // KUROMARU_SERVICES_RECONCILE_ENGINE_H_
