// `conclab sprint`'s plan: the interview path laid out day by day (docs/sprint.md has the rules and the file
// format).
//
// The path is every lab tagged "interview" (course order) and every drill (tag "drill"), less what the
// learner has already passed; each lab or drill comes after its lesson the first time that lesson is needed.
// The drills are interleaved with the labs in proportion to their minutes, so they spread through the plan;
// a 15-minute quiz round comes on spaced days (1, 2, 4, 7, 11, and always the last). Each day holds up to
// the hours asked; what does not fit in the days is listed as left out, never dropped silently.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/lab.hpp"
#include "model/state.hpp"

namespace conclab {

inline constexpr int kSprintLessonMinutes = 20;  // a lesson, read before its first lab
inline constexpr int kSprintQuizMinutes = 15;    // a quiz round: ./conclab quiz --count 10
inline constexpr double kSprintMinHours = 0.5;
inline constexpr double kSprintMaxHours = 12;

enum class SprintItemKind { kLesson, kLab, kDrill, kQuiz };

struct SprintItem {
  SprintItemKind kind = SprintItemKind::kLab;
  std::string lab;     // the lab or drill; for a lesson, the lab it comes before; empty for a quiz round
  std::string title;   // the lab's title; for a lesson, its path from the course root
  int minutes = 0;
  // What to run for it ("./conclab drill 08.01"), or for a lesson "read <path>".
  std::string command() const;
  // "lab 00.03 Title", "lesson modules/...", "quiz round".
  std::string label() const;
};

struct SprintDay {
  int number = 1;    // 1-based
  std::string date;  // YYYY-MM-DD
  std::vector<SprintItem> items;
  int minutes() const;
};

struct SprintPlan {
  std::string start;  // YYYY-MM-DD, day 1
  int days = 7;
  double hours_per_day = 2;
  std::vector<SprintDay> schedule;     // `days` days
  std::vector<SprintItem> left_out;    // what did not fit, in path order
  std::string end() const;             // the last day's date
};

// What the learner has done, as far as the plan is concerned.
struct SprintProgress {
  std::set<std::string> passed;     // labs passed
  std::set<std::string> attempted;  // labs checked at least once, or drills attempted
  std::set<std::string> drilled;    // drills with a passed attempt
};
// The progress in state.json of the course's `labs`.
SprintProgress sprint_progress(const State& state, const std::vector<Lab>& labs);

// The plan for `labs` (course order) from `start`, `days` days of `hours_per_day` hours.
SprintPlan make_sprint_plan(const std::vector<Lab>& labs, const SprintProgress& progress, const std::string& start, int days,
                            double hours_per_day);

// The days (1-based) of a `days`-day plan that get a quiz round.
std::vector<int> sprint_quiz_days(int days);

// The fewest hours a day, in half hours up to kSprintMaxHours, that fit the whole path in `days` days; nullopt
// when even that is not enough.
std::optional<double> sprint_hours_to_fit(const std::vector<Lab>& labs, const SprintProgress& progress, int days);

// Whether the learner has done an item: a lab passed, a drill with a passed attempt, a lesson whose lab has
// been checked. A quiz round is never known to be done (the quiz keeps no record per day).
bool sprint_item_done(const SprintItem& item, const SprintProgress& progress);

// .conclab/sprint.json and back. Reading throws UserError (kUsage) on a file that is not a plan.
nlohmann::json sprint_plan_json(const SprintPlan& plan);
SprintPlan sprint_plan_from_json(const nlohmann::json& j);

// .conclab/sprint.md: the plan as a table per day, with the commands to run, and what was left out.
std::string sprint_plan_markdown(const SprintPlan& plan);

// Where a plan stands on `today`.
struct SprintStatus {
  int day = 0;                                // 1..days; 0 before the start, days + 1 after the end
  std::vector<const SprintItem*> today;       // today's items
  std::vector<const SprintItem*> behind;      // earlier days' items not done (quiz rounds are not caught up)
  const SprintItem* next = nullptr;           // what to run next: the first not done, behind first
};
SprintStatus sprint_status(const SprintPlan& plan, const SprintProgress& progress, const std::string& today);

}  // namespace conclab
