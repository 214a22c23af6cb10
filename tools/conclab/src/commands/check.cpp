// `conclab check [LAB]`: build and test a lab (the learner's code, or a reference version with --against),
// and give a verdict that teaches.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/checker.hpp"
#include "ui/check_report.hpp"
#include "ui/color.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

// What to do after a check of the learner's code: the next lab, or a hint and the lesson.
void print_next_steps(const Context& ctx, const Lab& lab, const CheckReport& r, bool was_passed, bool complete) {
  if (r.verdict == Verdict::kPassed && !complete) {
    fmt::print("\nPassed without the ThreadSanitizer build (--no-tsan), which is where most races show: the lab is done once "
               "`./conclab check {}` passes with it.\n",
               lab.id);
    return;
  }
  if (r.verdict == Verdict::kPassed) {
    if (!was_passed) fmt::print("\n{} Lab {} is done.\n", out::green("*"), lab.id);
    if (lab.has_solutions()) fmt::print("Compare with the reference versions: ./conclab solution {}\n", lab.id);
    if (const Lab* next = current_lab(ctx)) fmt::print("Next: lab {} {} (./conclab next)\n", next->id, next->title);
    return;
  }
  if (r.verdict == Verdict::kBroken) return;
  const LabProgress* p = ctx.state.find(lab.id);
  const int shown = p ? p->hints_shown : 0;
  if (shown < static_cast<int>(lab.hints.size())) {
    fmt::print("Stuck? ./conclab hint {}   ({} of {} hints left)\n", lab.id, lab.hints.size() - shown, lab.hints.size());
  }
  if (!lab.lesson.empty()) fmt::print("Read: {}\n", lab.lesson);
}

void require_variant(const Lab& lab, const std::string& who) {
  if (!lab.has_solutions()) {
    throw UserError(fmt::format("This copy of the course has no reference versions of lab {} (a student release): --against needs "
                                "the full course.",
                                lab.id),
                    exit_code::kUsage);
  }
  const auto on_disk = lab.variants_on_disk();
  if (std::find(on_disk.begin(), on_disk.end(), who) == on_disk.end()) {
    const auto wrong = lab.wrong_variants();
    throw UserError(fmt::format("Lab {} has no reference version '{}' (there are naive, improved and final{}).", lab.id, who,
                                wrong.empty() ? "" : ", and the wrong variants " + join(wrong)),
                    exit_code::kUsage);
  }
}

class CheckCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id (00.01, 1.3) or name (parallel-sum)");
    app.option("--against", against_, "Check a reference version instead of yours: naive, improved, final, or wrong/<slug>");
    app.flag("!--no-tsan", tsan_, "Skip the ThreadSanitizer build even if the lab uses it");
    app.flag("-v,--verbose", verbose_, "List passing tests too");
    app.flag("--json", json_, "Machine-readable output");
  }
  bool machine_output() const override { return json_; }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, json_);
    const Lab& lab = lab_or_current(ctx, lab_);
    const std::string who = against_.empty() ? std::string(kLearner) : against_;
    if (who != kLearner) require_variant(lab, who);
    if (!json_) {
      std::vector<std::string> builds = {"normal"};
      if (lab.needs_tsan() && tsan_) builds.push_back("ThreadSanitizer");
      if (lab.needs_sim()) builds.push_back("sim");
      fmt::print("{}\n", out::dim(fmt::format("Building and testing lab {}{}...", lab.id,
                                              builds.size() == 1 ? "" : " (" + join(builds, ", ") + " builds)")));
      std::fflush(stdout);
    }
    CheckOptions options;
    options.tsan = tsan_;
    const CheckReport r = check_lab(ctx.course, lab, who, options);
    if (r.interrupted) {
      if (!json_) fmt::print("Interrupted.\n");
      return exit_code::kInterrupted;
    }
    const bool was_passed = ctx.state.passed(lab.id);
    const bool complete = tsan_ || !lab.needs_tsan();
    if (who == kLearner) ctx.state.record_check(lab.id, r.verdict, complete);
    if (json_) {
      fmt::print("{}\n", check_report_json(lab, r).dump(2));
      return exit_code_of(r);
    }
    print_check_report(ctx, lab, r, verbose_);
    if (who == kLearner) print_next_steps(ctx, lab, r, was_passed, complete);
    return exit_code_of(r);
  }

 private:
  std::string lab_;      // empty: the current lab
  std::string against_;  // empty: the learner's code; else naive/improved/final
  bool tsan_ = true;
  bool verbose_ = false;
  bool json_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(CheckCommand, "check", "Build and test a lab (default: the one you are on) and give a verdict", 30)

}  // namespace conclab::commands
