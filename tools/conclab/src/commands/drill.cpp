// `conclab drill [ID]`: a timed attempt at a drill (a lab tagged "drill"). Shows the problem, starts the
// clock, checks the learner's files on every save as `conclab watch` does, and stops at the first complete
// pass; then the time, the number of checks, the best time and the discussion of the reference solutions.
// `--list` shows the drills with the best times.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/errors.hpp"
#include "commands/lab_watch.hpp"
#include "commands/registry.hpp"
#include "model/drill.hpp"
#include "ui/color.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

// The attempt's clock: the steady clock, or a fixed duration (the hidden --clock-seconds) so that tests can
// check times and personal bests without depending on how fast the machine is.
class AttemptClock {
 public:
  explicit AttemptClock(double fixed_seconds) : fixed_seconds_(fixed_seconds), start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    if (fixed_seconds_ >= 0) return fixed_seconds_;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  double fixed_seconds_;
  std::chrono::steady_clock::time_point start_;
};

std::string best_text(const DrillRecord* record) {
  const auto best = record ? record->best_seconds() : std::nullopt;
  return best ? duration_text(*best) : "-";
}

class DrillCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("drill", drill_, "A drill's id or slug (default: the first drill you have not passed)");
    app.flag("--list", list_, "List the drills with your best times and attempts");
    app.flag("--json", json_, "With --list: machine-readable output");
    app.flag("!--no-tsan", tsan_, "Skip the ThreadSanitizer build (quicker, but the attempt then does not count as passed)");
    app.option("--interval", interval_ms_, "How often to look for changes, in ms").range(50, 10000).hidden();
    app.option("--debounce", debounce_ms_, "Wait this long for files to settle, in ms").range(0, 10000).hidden();
    app.option("--max-checks", max_checks_, "Stop after this many checks (for scripts)").hidden();
    app.option("--clock-seconds", clock_seconds_, "Every attempt takes this long (for tests)").hidden();
  }

  bool machine_output() const override { return json_; }

  int run(const GlobalOptions& global) override {
    if (json_ && !list_) throw UserError("--json goes with --list: ./conclab drill --list --json.", exit_code::kUsage);
    Context ctx = open_context(global, json_);
    if (list_) return json_ ? list_json(ctx) : list_text(ctx);
    return attempt(ctx, chosen_drill(ctx));
  }

 private:
  const Lab& chosen_drill(const Context& ctx) const {
    if (!drill_.empty()) {
      const Lab& lab = ctx.course.get(drill_);
      if (!is_drill(lab)) {
        throw UserError(fmt::format("Lab {} is not a drill: ./conclab drill --list shows the drills.", lab.id), exit_code::kUsage);
      }
      return lab;
    }
    if (drills_of(ctx.course).empty()) {
      throw UserError("This course has no drills yet (labs tagged \"drill\"): ./conclab list shows its labs.", exit_code::kUsage);
    }
    const Lab* next = next_drill(ctx.course, ctx.state);
    if (next == nullptr) {
      throw UserError("You have passed every drill: name one to try it again (./conclab drill --list shows your times).",
                      exit_code::kUsage);
    }
    fmt::print("{}\n", out::dim(fmt::format("No drill named: {} ({}) is the first you have not passed.", next->id, next->slug)));
    return *next;
  }

  void show_problem(const Context& ctx, const Lab& lab) const {
    fmt::print("{}  {}\n\n", out::bold(fmt::format("Drill {}: {}", lab.id, lab.title)),
               out::dim(fmt::format("(about {} min)", lab.minutes)));
    const fs::path problem = lab.dir / kProblemFile;
    if (fs::is_regular_file(problem)) {
      fmt::print("{}\n", trim(read_text(problem)));
    } else {
      fmt::print("{}\n", lab.summary);
    }
    std::vector<std::string> files;
    for (const auto& f : lab.files) files.push_back(shown_path(ctx, lab.dir / f));
    fmt::print("\nEdit {}: every save is checked, and the clock stops at the first pass.\n", join(files, ", "));
    if (ctx.state.passed(lab.id)) {
      fmt::print("{}\n", out::dim(fmt::format("You have passed lab {} before: ./conclab reset {} puts the starter back for a fresh "
                                              "start (it keeps your version in .conclab/backups/).",
                                              lab.id, lab.id)));
    }
    if (!tsan_ && lab.needs_tsan()) {
      fmt::print("{}\n", out::yellow("With --no-tsan a pass stops the clock but does not count as a passed attempt: this drill "
                                     "needs the ThreadSanitizer build."));
    }
    fmt::print("The clock is running. Ctrl-C stops the attempt (it is kept as unfinished).\n\n");
    std::fflush(stdout);
  }

  int attempt(Context& ctx, const Lab& lab) const {
    SaveWatcher files(lab, interval_ms_, debounce_ms_);
    files.ignore_current_files();  // the files as they are now are not a save (taken before the learner is told to edit)
    show_problem(ctx, lab);
    const AttemptClock clock(clock_seconds_);
    DrillAttempt attempt{.started = utc_now()};
    std::optional<SaveCheck> pass;
    bool stopped = false;
    while (!pass) {
      if (!files.next_save()) {
        stopped = true;
        break;
      }
      const auto check = check_on_save(ctx, lab, attempt.checks + 1, tsan_);
      if (!check) {
        stopped = true;
        break;
      }
      ++attempt.checks;
      if (check->passed()) {
        pass = check;
      } else if (max_checks_ > 0 && attempt.checks >= max_checks_) {
        break;
      } else {
        fmt::print("{}\n", out::dim(fmt::format("The clock is still running ({}): save again to re-check.", duration_text(clock.seconds()))));
        std::fflush(stdout);
      }
    }
    attempt.seconds = clock.seconds();
    attempt.passed = pass && pass->complete;
    const DrillOutcome outcome = record_drill_attempt(ctx.state, lab.id, attempt);
    ctx.state.save();
    return report(lab, attempt, outcome, pass, stopped);
  }

  int report(const Lab& lab, const DrillAttempt& attempt, const DrillOutcome& outcome, const std::optional<SaveCheck>& pass,
             bool stopped) const {
    const std::string spent = fmt::format("{}, {}", duration_text(attempt.seconds), plural(attempt.checks, "check"));
    if (!pass) {
      fmt::print("\n{}\n", stopped ? fmt::format("Stopped after {}: kept as an unfinished attempt. ./conclab drill {} starts a new one.",
                                                 spent, lab.id)
                                   : fmt::format("Stopped after {} (--max-checks): kept as an unfinished attempt.", spent));
      return stopped ? exit_code::kInterrupted : exit_code::kNotPassed;
    }
    if (!attempt.passed) {
      fmt::print("\nPassed without the ThreadSanitizer build ({}): kept as an unfinished attempt, since a drill counts only with "
                 "the builds its lab asks for. Run ./conclab drill {} without --no-tsan for a time that counts.\n",
                 spent, lab.id);
      return exit_code::kOk;
    }
    fmt::print("\n{} Drill {} passed in {}, after {}.\n", out::green("*"), lab.id, duration_text(attempt.seconds),
               plural(attempt.checks, "check"));
    fmt::print("Your best: {}{}.\n", duration_text(*outcome.best_seconds), outcome.new_best ? " (new best)" : "");
    show_discussion(lab);
    return exit_code::kOk;
  }

  static void show_discussion(const Lab& lab) {
    const fs::path discussion = lab.solutions_dir / kDiscussionFile;
    if (fs::is_regular_file(discussion)) {
      fmt::print("\n{}\n\n{}\n", out::cyan("=== The reference solutions, discussed ==="), trim(read_text(discussion)));
    } else if (lab.has_solutions()) {
      fmt::print("\nThis drill has no discussion yet: ./conclab solution {} shows the reference versions.\n", lab.id);
    } else {
      fmt::print("\nThe discussion of this drill ships with the reference versions, which this copy of the course does not "
                 "have; where they are, ./conclab solution {} shows them.\n",
                 lab.id);
    }
  }

  static int list_text(const Context& ctx) {
    const auto drills = drills_of(ctx.course);
    if (drills.empty()) {
      fmt::print("This course has no drills yet (labs tagged \"drill\").\n");
      return exit_code::kOk;
    }
    std::size_t title_width = 5;
    for (const Lab* lab : drills) title_width = std::max(title_width, lab->title.size());
    fmt::print("{}\n\n", out::bold("Drills: ./conclab drill ID starts one (without ID, the first you have not passed)"));
    fmt::print("  {:<6} {:<{}}  {:>7}  {:>11}  {}\n", "id", "title", title_width, "about", "best", "attempts");
    for (const Lab* lab : drills) {
      const auto it = ctx.state.drills().find(lab->id);
      const DrillRecord* record = it == ctx.state.drills().end() ? nullptr : &it->second;
      fmt::print("  {:<6} {:<{}}  {:>7}  {:>11}  {}\n", lab->id, lab->title, title_width, fmt::format("{} min", lab->minutes),
                 best_text(record), record ? record->attempts.size() : 0);
    }
    return exit_code::kOk;
  }

  static int list_json(const Context& ctx) {
    nlohmann::json drills = nlohmann::json::array();
    for (const Lab* lab : drills_of(ctx.course)) {
      const auto it = ctx.state.drills().find(lab->id);
      const DrillRecord* record = it == ctx.state.drills().end() ? nullptr : &it->second;
      const auto best = record ? record->best_seconds() : std::nullopt;
      drills.push_back({{"id", lab->id},
                        {"slug", lab->slug},
                        {"title", lab->title},
                        {"minutes", lab->minutes},
                        {"best_seconds", best ? nlohmann::json(*best) : nlohmann::json(nullptr)},
                        {"attempts", record ? record->attempts.size() : 0},
                        {"passed", best.has_value()}});
    }
    fmt::print("{}\n", nlohmann::json{{"drills", drills}}.dump(2));
    return exit_code::kOk;
  }

  std::string drill_;
  bool list_ = false;
  bool json_ = false;
  bool tsan_ = true;
  int interval_ms_ = 500;
  int debounce_ms_ = 300;
  int max_checks_ = 0;         // 0: until a pass or Ctrl-C
  double clock_seconds_ = -1;  // negative: the steady clock
};

}  // namespace

CONCLAB_REGISTER_COMMAND(DrillCommand, "drill",
                         "A timed drill: the problem, a check on every save (it watches files: any editor, no terminal needed), your time; --list", 82)

}  // namespace conclab::commands
