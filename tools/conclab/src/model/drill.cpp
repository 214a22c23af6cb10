// The drills of `conclab drill` (drill.hpp).
#include "model/drill.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace conclab {

std::vector<const Lab*> drills_of(const Course& course) {
  std::vector<const Lab*> out;
  for (const Lab& lab : course.labs) {
    if (is_drill(lab)) out.push_back(&lab);
  }
  return out;
}

bool drill_passed(const State& state, const std::string& id) {
  const auto it = state.drills().find(id);
  return it != state.drills().end() && it->second.best_seconds().has_value();
}

const Lab* next_drill(const Course& course, const State& state) {
  for (const Lab* lab : drills_of(course)) {
    if (!drill_passed(state, lab->id)) return lab;
  }
  return nullptr;
}

DrillOutcome record_drill_attempt(State& state, const std::string& id, const DrillAttempt& attempt) {
  DrillRecord& record = state.drills()[id];
  const std::optional<double> before = record.best_seconds();
  record.attempts.push_back(attempt);
  DrillOutcome outcome;
  outcome.best_seconds = record.best_seconds();
  outcome.new_best = attempt.passed && (!before || attempt.seconds < *before);
  return outcome;
}

std::string duration_text(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  if (total < 60) return fmt::format("{} s", total);
  if (total < 3600) return fmt::format("{} min {:02} s", total / 60, total % 60);
  return fmt::format("{} h {:02} min", total / 3600, total % 3600 / 60);
}

}  // namespace conclab
