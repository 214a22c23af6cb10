// `conclab sprint`'s plan (sprint_plan.hpp; docs/sprint.md).
#include "model/sprint_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "app/errors.hpp"
#include "model/drill.hpp"

namespace conclab {

namespace {

using nlohmann::json;

constexpr int kPlanFormatVersion = 1;
constexpr int kMinutesWhenUnknown = 30;  // a lab.toml without `minutes`

constexpr const char* kind_name(SprintItemKind kind) {
  switch (kind) {
    case SprintItemKind::kLesson: return "lesson";
    case SprintItemKind::kLab: return "lab";
    case SprintItemKind::kDrill: return "drill";
    case SprintItemKind::kQuiz: return "quiz";
  }
  return "lab";
}

SprintItemKind kind_from(const std::string& name) {
  for (const auto kind : {SprintItemKind::kLesson, SprintItemKind::kLab, SprintItemKind::kDrill, SprintItemKind::kQuiz}) {
    if (name == kind_name(kind)) return kind;
  }
  throw UserError(fmt::format("'{}' is not a kind of sprint item", name), exit_code::kUsage);
}

int lab_minutes(const Lab& lab) { return lab.minutes > 0 ? lab.minutes : kMinutesWhenUnknown; }

// One lab or drill of the path, with its lesson when the plan adds one.
struct PathStep {
  const Lab* lab;
  bool drill;
};

// The interview labs and the drills not yet passed, each in course order.
void path_of(const std::vector<Lab>& labs, const SprintProgress& progress, std::vector<PathStep>& labs_out,
             std::vector<PathStep>& drills_out) {
  for (const Lab& lab : labs) {
    if (is_drill(lab)) {
      if (!progress.drilled.contains(lab.id)) drills_out.push_back({&lab, true});
    } else if (lab.has_tag(kInterviewTag) && !progress.passed.contains(lab.id)) {
      labs_out.push_back({&lab, false});
    }
  }
}

long total_minutes(const std::vector<PathStep>& steps) {
  long total = 0;
  for (const auto& s : steps) total += lab_minutes(*s.lab);
  return total;
}

// The labs and drills merged so that each sequence advances in proportion to its minutes: the drills spread
// through the plan instead of waiting at its end.
std::vector<PathStep> interleave(const std::vector<PathStep>& labs, const std::vector<PathStep>& drills) {
  const long labs_total = total_minutes(labs);
  const long drills_total = total_minutes(drills);
  std::vector<PathStep> out;
  std::size_t i = 0, j = 0;
  long labs_done = 0, drills_done = 0;
  while (i < labs.size() || j < drills.size()) {
    // The one that is less far along, as a fraction of its own total (cross-multiplied); labs first on a tie.
    const bool take_lab = j == drills.size() || (i < labs.size() && labs_done * drills_total <= drills_done * labs_total);
    if (take_lab) {
      labs_done += lab_minutes(*labs[i].lab);
      out.push_back(labs[i++]);
    } else {
      drills_done += lab_minutes(*drills[j].lab);
      out.push_back(drills[j++]);
    }
  }
  return out;
}

// The items in the order they are done: a lesson before the first step that needs it, unless the learner has
// checked a lab of that lesson already (they have read it).
std::vector<SprintItem> items_of(const std::vector<Lab>& labs, const SprintProgress& progress, const std::vector<PathStep>& steps) {
  std::set<std::string> read;
  for (const Lab& lab : labs) {
    if (progress.attempted.contains(lab.id) || progress.passed.contains(lab.id) || progress.drilled.contains(lab.id)) {
      read.insert(lab.lesson);
    }
  }
  std::vector<SprintItem> items;
  for (const auto& step : steps) {
    const Lab& lab = *step.lab;
    if (!lab.lesson.empty() && read.insert(lab.lesson).second) {
      items.push_back({SprintItemKind::kLesson, lab.id, lab.lesson, kSprintLessonMinutes});
    }
    items.push_back({step.drill ? SprintItemKind::kDrill : SprintItemKind::kLab, lab.id, lab.title, lab_minutes(lab)});
  }
  return items;
}

bool has_work(const SprintDay& day) {
  return std::any_of(day.items.begin(), day.items.end(), [](const SprintItem& i) { return i.kind != SprintItemKind::kQuiz; });
}

std::string hours_text(int minutes) {
  if (minutes < 60) return fmt::format("{} min", minutes);
  if (minutes % 60 == 0) return fmt::format("{} h", minutes / 60);
  return fmt::format("{} h {:02} min", minutes / 60, minutes % 60);
}

json item_json(const SprintItem& item) {
  return {{"kind", kind_name(item.kind)}, {"lab", item.lab}, {"title", item.title}, {"minutes", item.minutes}, {"command", item.command()}};
}

SprintItem item_from(const json& j) {
  return {kind_from(j.at("kind").get<std::string>()), j.at("lab").get<std::string>(), j.at("title").get<std::string>(),
          j.at("minutes").get<int>()};
}

}  // namespace

std::string SprintItem::command() const {
  switch (kind) {
    case SprintItemKind::kLesson: return "read " + title;
    case SprintItemKind::kLab: return "./conclab check " + lab;
    case SprintItemKind::kDrill: return "./conclab drill " + lab;
    case SprintItemKind::kQuiz: return "./conclab quiz --count 10";
  }
  return {};
}

std::string SprintItem::label() const {
  switch (kind) {
    case SprintItemKind::kLesson: return "lesson " + title;
    case SprintItemKind::kLab: return fmt::format("lab {} {}", lab, title);
    case SprintItemKind::kDrill: return fmt::format("drill {} {}", lab, title);
    case SprintItemKind::kQuiz: return "quiz round";
  }
  return {};
}

int SprintDay::minutes() const {
  int total = 0;
  for (const auto& i : items) total += i.minutes;
  return total;
}

std::string SprintPlan::end() const { return add_days(start, days - 1); }

SprintProgress sprint_progress(const State& state, const std::vector<Lab>& labs) {
  SprintProgress progress;
  for (const Lab& lab : labs) {
    if (state.passed(lab.id)) progress.passed.insert(lab.id);
    const LabProgress* p = state.find(lab.id);
    const auto drill = state.drills().find(lab.id);
    const bool drilled = drill != state.drills().end() && !drill->second.attempts.empty();
    if ((p != nullptr && p->attempts > 0) || drilled) progress.attempted.insert(lab.id);
    if (drill_passed(state, lab.id)) progress.drilled.insert(lab.id);
  }
  return progress;
}

std::vector<int> sprint_quiz_days(int days) {
  // Gaps growing by one day, as spaced repetition spaces a question: 1, 2, 4, 7, 11, 16, ...; and the last day.
  std::vector<int> out;
  for (int day = 1, gap = 1; day <= days; day += gap++) out.push_back(day);
  if (out.back() != days) out.push_back(days);
  return out;
}

namespace {

// The steps' items laid into the days in order, never back-filling an earlier day; an item longer than a whole
// day gets a day of its own. What does not fit is left out.
SprintPlan fill_days(const std::vector<Lab>& labs, const SprintProgress& progress, const std::string& start, int days,
                     double hours_per_day, const std::vector<PathStep>& steps) {
  SprintPlan plan{.start = start, .days = days, .hours_per_day = hours_per_day, .schedule = {}, .left_out = {}};
  const std::vector<int> quiz_days = sprint_quiz_days(days);
  for (int d = 1; d <= days; ++d) plan.schedule.push_back({d, add_days(start, d - 1), {}});
  const int capacity = static_cast<int>(std::lround(hours_per_day * 60));
  const auto used = [&](const SprintDay& day) {
    const bool quiz = std::find(quiz_days.begin(), quiz_days.end(), day.number) != quiz_days.end();
    return day.minutes() + (quiz ? kSprintQuizMinutes : 0);
  };
  std::size_t d = 0;
  for (auto& item : items_of(labs, progress, steps)) {
    while (d < plan.schedule.size() && has_work(plan.schedule[d]) && used(plan.schedule[d]) + item.minutes > capacity) ++d;
    if (d == plan.schedule.size()) {
      plan.left_out.push_back(std::move(item));
    } else {
      plan.schedule[d].items.push_back(std::move(item));
    }
  }
  for (const int q : quiz_days) plan.schedule[q - 1].items.push_back({SprintItemKind::kQuiz, "", "quiz round", kSprintQuizMinutes});
  return plan;
}

bool leaves_out_a_drill(const SprintPlan& plan) {
  return std::any_of(plan.left_out.begin(), plan.left_out.end(), [](const SprintItem& i) { return i.kind == SprintItemKind::kDrill; });
}

bool planned(const SprintPlan& plan, const SprintItem& item) {
  for (const auto& day : plan.schedule) {
    for (const auto& i : day.items) {
      if (i.kind == item.kind && i.lab == item.lab) return true;
    }
  }
  return false;
}

}  // namespace

SprintPlan make_sprint_plan(const std::vector<Lab>& labs, const SprintProgress& progress, const std::string& start, int days,
                            double hours_per_day) {
  std::vector<PathStep> lab_steps, drill_steps;
  path_of(labs, progress, lab_steps, drill_steps);
  const std::vector<PathStep> everything = interleave(lab_steps, drill_steps);
  SprintPlan plan = fill_days(labs, progress, start, days, hours_per_day, everything);
  // The drills are the interview's rehearsal: when they do not all fit, the labs furthest along the course give
  // way first, one at a time, until the drills fit or no lab is left.
  while (leaves_out_a_drill(plan) && !lab_steps.empty()) {
    lab_steps.pop_back();
    plan = fill_days(labs, progress, start, days, hours_per_day, interleave(lab_steps, drill_steps));
  }
  // What is left out: every item of the whole path, in its order, that the plan does not hold.
  plan.left_out.clear();
  for (auto& item : items_of(labs, progress, everything)) {
    if (!planned(plan, item)) plan.left_out.push_back(std::move(item));
  }
  return plan;
}

std::optional<double> sprint_hours_to_fit(const std::vector<Lab>& labs, const SprintProgress& progress, int days) {
  for (double h = kSprintMinHours; h <= kSprintMaxHours; h += 0.5) {
    if (make_sprint_plan(labs, progress, "2000-01-01", days, h).left_out.empty()) return h;
  }
  return std::nullopt;
}

bool sprint_item_done(const SprintItem& item, const SprintProgress& progress) {
  switch (item.kind) {
    case SprintItemKind::kLesson:
      return progress.attempted.contains(item.lab) || progress.passed.contains(item.lab) || progress.drilled.contains(item.lab);
    case SprintItemKind::kLab: return progress.passed.contains(item.lab);
    case SprintItemKind::kDrill: return progress.drilled.contains(item.lab);
    case SprintItemKind::kQuiz: return false;
  }
  return false;
}

json sprint_plan_json(const SprintPlan& plan) {
  json schedule = json::array();
  for (const auto& day : plan.schedule) {
    json items = json::array();
    for (const auto& i : day.items) items.push_back(item_json(i));
    schedule.push_back({{"day", day.number}, {"date", day.date}, {"minutes", day.minutes()}, {"items", items}});
  }
  json left_out = json::array();
  for (const auto& i : plan.left_out) left_out.push_back(item_json(i));
  return {{"format_version", kPlanFormatVersion}, {"start", plan.start},        {"days", plan.days},
          {"hours_per_day", plan.hours_per_day},  {"schedule", schedule},       {"left_out", left_out}};
}

SprintPlan sprint_plan_from_json(const json& j) {
  try {
    if (j.at("format_version").get<int>() > kPlanFormatVersion) {
      throw UserError("the sprint plan was written by a newer conclab", exit_code::kUsage);
    }
    SprintPlan plan{.start = j.at("start").get<std::string>(), .days = j.at("days").get<int>(),
                    .hours_per_day = j.at("hours_per_day").get<double>(), .schedule = {}, .left_out = {}};
    (void)add_days(plan.start, 0);  // a start that is not a date is refused here, not later
    for (const auto& d : j.at("schedule")) {
      SprintDay day{d.at("day").get<int>(), d.at("date").get<std::string>(), {}};
      for (const auto& i : d.at("items")) day.items.push_back(item_from(i));
      plan.schedule.push_back(std::move(day));
    }
    for (const auto& i : j.at("left_out")) plan.left_out.push_back(item_from(i));
    if (plan.days < 1 || static_cast<int>(plan.schedule.size()) != plan.days) {
      throw UserError("the plan's days do not match its schedule", exit_code::kUsage);
    }
    return plan;
  } catch (const json::exception& e) {
    throw UserError(fmt::format("the sprint plan is not readable ({})", e.what()), exit_code::kUsage);
  }
}

std::string sprint_plan_markdown(const SprintPlan& plan) {
  std::string md = fmt::format("# Sprint plan: {} days from {} to {}\n\n", plan.days, plan.start, plan.end());
  md += fmt::format(
      "Up to {} a day: the labs tagged `interview` and the drills you have not passed, a lesson before its first lab, "
      "and a quiz round on spaced days. `./conclab sprint status` shows today's work and what is behind.\n",
      hours_text(static_cast<int>(std::lround(plan.hours_per_day * 60))));
  for (const auto& day : plan.schedule) {
    md += fmt::format("\n## Day {}: {} ({})\n\n", day.number, day.date, hours_text(day.minutes()));
    if (day.items.empty()) {
      md += "A free day: catch up on what is behind.\n";
      continue;
    }
    md += "| what | minutes | run |\n| --- | --- | --- |\n";
    for (const auto& i : day.items) {
      md += fmt::format("| {} | {} | {} |\n", i.label(), i.minutes,
                        i.kind == SprintItemKind::kLesson ? "read it" : fmt::format("`{}`", i.command()));
    }
  }
  if (!plan.left_out.empty()) {
    int minutes = 0;
    for (const auto& i : plan.left_out) minutes += i.minutes;
    md += fmt::format("\n## Left out\n\nThese did not fit ({} in all):\n\n", hours_text(minutes));
    for (const auto& i : plan.left_out) md += fmt::format("- {} ({} min)\n", i.label(), i.minutes);
  }
  return md;
}

SprintStatus sprint_status(const SprintPlan& plan, const SprintProgress& progress, const std::string& today) {
  SprintStatus status;
  const int day = days_between(plan.start, today) + 1;
  status.day = std::clamp(day, 0, plan.days + 1);
  if (status.day >= 1 && status.day <= plan.days) {
    for (const auto& i : plan.schedule[status.day - 1].items) status.today.push_back(&i);
  }
  const int earlier = std::min(status.day - 1, plan.days);
  for (int d = 0; d < earlier; ++d) {
    for (const auto& i : plan.schedule[d].items) {
      if (i.kind != SprintItemKind::kQuiz && !sprint_item_done(i, progress)) status.behind.push_back(&i);
    }
  }
  const auto not_done_work = [&](const SprintItem* i) { return i->kind != SprintItemKind::kQuiz && !sprint_item_done(*i, progress); };
  if (!status.behind.empty()) {
    status.next = status.behind.front();
  } else if (const auto it = std::find_if(status.today.begin(), status.today.end(), not_done_work); it != status.today.end()) {
    status.next = *it;
  } else if (const auto quiz = std::find_if(status.today.begin(), status.today.end(),
                                            [](const SprintItem* i) { return i->kind == SprintItemKind::kQuiz; });
             quiz != status.today.end()) {
    status.next = *quiz;
  }
  return status;
}

}  // namespace conclab
