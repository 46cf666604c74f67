#include "services/reconcile/engine.h"

#include <utility>

#include "absl/time/clock.h"
#include "matcher/model.h"

namespace kuromaru::reconcile {

std::shared_ptr<const Engine> EngineOf(
    std::shared_ptr<const matcher::Matcher> matcher, RosterSource source) {
  auto engine = std::make_shared<Engine>();
  engine->roster_version = matcher->roster().version();
  engine->model_version = matcher::ModelVersion(matcher->model());
  engine->counts = matcher->roster().counts();
  engine->directory = matcher->directory();
  engine->loaded_at = absl::Now();
  engine->source = std::move(source);
  engine->matcher = std::move(matcher);
  return engine;
}

}  // namespace kuromaru::reconcile
