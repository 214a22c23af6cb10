// `conclab sprint [--days 7|14] [--hours-per-day H]`: a day-by-day plan of the interview path from what the
// learner has passed, written to .conclab/sprint.json and .conclab/sprint.md; `conclab sprint status`: where
// the plan stands today. The planning rules are in model/sprint_plan.hpp and docs/sprint.md.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "model/sprint_plan.hpp"
#include "ui/color.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

fs::path plan_json_path(const Context& ctx) { return ctx.course.root / ".conclab" / "sprint.json"; }
fs::path plan_markdown_path(const Context& ctx) { return ctx.course.root / ".conclab" / "sprint.md"; }

std::optional<SprintPlan> load_plan(const Context& ctx) {
  const fs::path file = plan_json_path(ctx);
  if (!fs::exists(file)) return std::nullopt;
  try {
    return sprint_plan_from_json(nlohmann::json::parse(read_text(file)));
  } catch (const std::exception& e) {
    throw UserError(fmt::format("{} is not a sprint plan conclab can read ({}): run ./conclab sprint --replace for a new one.",
                                shown_path(ctx, file), e.what()),
                    exit_code::kUsage);
  }
}

std::string hours_text(double hours) {
  return hours == std::floor(hours) ? fmt::format("{:.0f}", hours) : fmt::format("{:.1f}", hours);
}

std::string hours_of(int minutes) {
  return minutes < 60 ? fmt::format("{} min", minutes) : fmt::format("{} h {:02} min", minutes / 60, minutes % 60);
}

// "[x]" or "[ ]"; a quiz round is only ever "to run".
std::string done_mark(const SprintItem& item, const SprintProgress& progress) {
  if (item.kind == SprintItemKind::kQuiz) return "[?]";
  return sprint_item_done(item, progress) ? out::green("[x]") : "[ ]";
}

void print_item(const SprintItem& item, const SprintProgress& progress) {
  fmt::print("  {} {}  {}  {}\n", done_mark(item, progress), item.label(), out::dim(fmt::format("{} min", item.minutes)),
             out::cyan(item.command()));
}

class SprintCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("--days", days_, "7 or 14 (default 7)");
    app.option("--hours-per-day", hours_, "Hours of work a day, 0.5 to 12 (default 2)");
    app.flag("--replace", replace_, "Replace the plan you have without asking");
    app.flag("--markdown", markdown_, "Print the new plan as markdown (what .conclab/sprint.md holds)");
    status_ = app.subcommand("status", "Today's work in your sprint plan, what is behind, and what to run next");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    return status_.parsed() ? show_status(ctx) : write_plan(ctx);
  }

 private:
  void check_options() const {
    if (days_ != 7 && days_ != 14) {
      throw UserError(fmt::format("A sprint is 7 or 14 days, not {}: use --days 7 or --days 14.", days_), exit_code::kUsage);
    }
    if (!(hours_ >= kSprintMinHours && hours_ <= kSprintMaxHours)) {
      throw UserError(fmt::format("--hours-per-day must be between 0.5 and 12; {} is not.", hours_), exit_code::kUsage);
    }
  }

  // True when there is no plan yet, or the learner agrees to replace it (on a terminal) or said --replace.
  bool may_replace(const Context& ctx) const {
    if (!fs::exists(plan_json_path(ctx)) || replace_) return true;
    const auto existing = load_plan_if_readable(ctx);
    const std::string what = existing ? fmt::format("{} days from {}", existing->days, existing->start) : "unreadable";
    if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) {
      throw UserError(fmt::format("You already have a sprint plan ({}): add --replace to write a new one, or see where it "
                                  "stands with ./conclab sprint status.",
                                  what),
                      exit_code::kUsage);
    }
    fmt::print("You already have a sprint plan ({}). Replace it? [y/N] ", what);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) answer.clear();
    answer = lower(trim(answer));
    return answer == "y" || answer == "yes";
  }

  static std::optional<SprintPlan> load_plan_if_readable(const Context& ctx) {
    try {
      return load_plan(ctx);
    } catch (const UserError&) {
      return std::nullopt;
    }
  }

  int write_plan(Context& ctx) const {
    check_options();
    if (!may_replace(ctx)) {
      fmt::print("Kept the plan you have: ./conclab sprint status shows where it stands.\n");
      return exit_code::kOk;
    }
    const SprintProgress progress = sprint_progress(ctx.state, ctx.course.labs);
    const SprintPlan plan = make_sprint_plan(ctx.course.labs, progress, today(), days_, hours_);
    const std::string markdown = sprint_plan_markdown(plan);
    write_text_atomically(plan_json_path(ctx), sprint_plan_json(plan).dump(2) + "\n");
    write_text_atomically(plan_markdown_path(ctx), markdown);
    if (markdown_) {
      fmt::print("{}", markdown);
    } else {
      print_summary(ctx, plan);
    }
    if (!plan.left_out.empty()) print_left_out(ctx, plan, progress);
    return exit_code::kOk;
  }

  void print_summary(const Context& ctx, const SprintPlan& plan) const {
    int labs = 0, drills = 0, lessons = 0, quizzes = 0;
    for (const auto& day : plan.schedule) {
      for (const auto& i : day.items) {
        labs += i.kind == SprintItemKind::kLab;
        drills += i.kind == SprintItemKind::kDrill;
        lessons += i.kind == SprintItemKind::kLesson;
        quizzes += i.kind == SprintItemKind::kQuiz;
      }
    }
    fmt::print("{}\n", out::bold(fmt::format("A {}-day sprint, {} to {}, up to {} h a day:", plan.days, plan.start, plan.end(),
                                             hours_text(plan.hours_per_day))));
    fmt::print("{}, {}, {} and {}.\n", plural(lessons, "lesson"), plural(labs, "lab"), plural(drills, "drill"),
               plural(quizzes, "quiz round"));
    for (const auto& day : plan.schedule) {
      std::vector<std::string> what;
      for (const auto& i : day.items) what.push_back(i.kind == SprintItemKind::kLesson ? "lesson" : i.kind == SprintItemKind::kQuiz ? "quiz" : i.lab);
      fmt::print("  day {:>2}  {}  {}\n", day.number, day.date, what.empty() ? out::dim("free: catch up") : join(what, ", "));
    }
    fmt::print("\nThe plan, day by day with the commands: {}. Today's work: ./conclab sprint status.\n",
               shown_path(ctx, plan_markdown_path(ctx)));
  }

  // What did not fit, in one paragraph: the labs and drills by id, the lessons counted, and the options that
  // would fit everything (more hours a day, or 14 days with as many hours as that needs).
  void print_left_out(const Context& ctx, const SprintPlan& plan, const SprintProgress& progress) const {
    std::vector<std::string> ids;
    int lessons = 0, minutes = 0;
    for (const auto& i : plan.left_out) {
      minutes += i.minutes;
      if (i.kind == SprintItemKind::kLesson) {
        ++lessons;
      } else {
        ids.push_back(i.lab);
      }
    }
    std::vector<std::string> fixes;
    if (const auto hours = sprint_hours_to_fit(ctx.course.labs, progress, plan.days)) {
      fixes.push_back(fmt::format("--days {} --hours-per-day {}", plan.days, hours_text(*hours)));
    }
    if (plan.days == 7) {
      if (const auto hours = sprint_hours_to_fit(ctx.course.labs, progress, 14)) {
        fixes.push_back(*hours <= hours_ ? "--days 14" : fmt::format("--days 14 --hours-per-day {}", hours_text(*hours)));
      }
    }
    fmt::print("\n{} {} {} ({}{}) did not fit: {}.\n", out::yellow("Left out:"), ids.size(), ids.size() == 1 ? "lab or drill" : "labs and drills",
               lessons > 0 ? plural(lessons, "lesson") + " with them, " : "", hours_of(minutes), join(ids, ", "));
    fmt::print("{}\n", fixes.empty() ? "Even 12 hours a day is not enough: plan the rest after this sprint."
                                      : fmt::format("To fit everything: ./conclab sprint --replace {}.", join(fixes, ", or ")));
  }

  static int show_status(const Context& ctx) {
    const auto plan = load_plan(ctx);
    if (!plan) throw UserError("No sprint plan yet: run ./conclab sprint --days 7.", exit_code::kUsage);
    const SprintProgress progress = sprint_progress(ctx.state, ctx.course.labs);
    const std::string now = today();
    const SprintStatus status = sprint_status(*plan, progress, now);
    if (status.day == 0) {
      fmt::print("Your sprint starts on {} ({} from now). Its first day:\n", plan->start,
                 plural(days_between(now, plan->start), "day"));
      for (const auto& i : plan->schedule.front().items) print_item(i, progress);
      return exit_code::kOk;
    }
    if (status.day > plan->days) {
      fmt::print("Your sprint plan ended on {} ({} days from {}).", plan->end(), plan->days, plan->start);
      if (status.behind.empty()) {
        fmt::print(" You did all of it.\n");
      } else {
        fmt::print(" {} of it not done:\n", plural(static_cast<long>(status.behind.size()), "item"));
      }
      for (const auto* i : status.behind) print_item(*i, progress);
      fmt::print("A new plan from where you are: ./conclab sprint --replace --days 7.\n");
      return exit_code::kOk;
    }
    fmt::print("{}\n", out::bold(fmt::format("Sprint day {} of {} ({}).", status.day, plan->days, now)));
    fmt::print("\nToday:\n");
    if (status.today.empty()) fmt::print("  {}\n", out::dim("nothing planned: catch up on what is behind"));
    for (const auto* i : status.today) print_item(*i, progress);
    if (!status.behind.empty()) {
      fmt::print("\nBehind (from earlier days):\n");
      for (const auto* i : status.behind) print_item(*i, progress);
    }
    if (status.next != nullptr) {
      fmt::print("\nNext: {}  {}\n", status.next->label(), out::cyan(status.next->command()));
    } else {
      fmt::print("\nToday's work is done.\n");
    }
    return exit_code::kOk;
  }

  int days_ = 7;
  double hours_ = 2;
  bool replace_ = false;
  bool markdown_ = false;
  Options status_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(SprintCommand, "sprint",
                         "A day-by-day interview plan from what you have passed (7 or 14 days); `sprint status` for today", 86)

}  // namespace conclab::commands
