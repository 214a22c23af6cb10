// The drills of `conclab drill`: labs whose lab.toml tags include "drill", attempted against a clock. Their
// problem statement is problem.md in the lab folder, and the discussion of the reference solutions
// (shown after a pass) discussion.md beside them (docs/authoring.md, "Drills").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/course.hpp"
#include "model/state.hpp"

namespace conclab {

inline constexpr std::string_view kDrillTag = "drill";
inline constexpr std::string_view kInterviewTag = "interview";
inline constexpr std::string_view kProblemFile = "problem.md";
inline constexpr std::string_view kDiscussionFile = "discussion.md";

inline bool is_drill(const Lab& lab) { return lab.has_tag(kDrillTag); }

// The course's drills, in course order.
std::vector<const Lab*> drills_of(const Course& course);

// True when the drill has an attempt that passed (a complete check: with the ThreadSanitizer build when the
// lab asks for it).
bool drill_passed(const State& state, const std::string& id);

// The first drill in course order with no passed attempt; null when there are no drills or all have passed.
const Lab* next_drill(const Course& course, const State& state);

// What recording an attempt changed.
struct DrillOutcome {
  std::optional<double> best_seconds;  // the best passed time after this attempt
  bool new_best = false;               // this attempt passed and is faster than every earlier one
};

// Adds `attempt` to the drill's record in `state` (the caller saves it).
DrillOutcome record_drill_attempt(State& state, const std::string& id, const DrillAttempt& attempt);

// A duration as a learner reads it: "45 s", "3 min 05 s", "1 h 02 min".
std::string duration_text(double seconds);

}  // namespace conclab
