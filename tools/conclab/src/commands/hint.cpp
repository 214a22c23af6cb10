// `conclab hint [LAB]`: reveal the lab's hints one at a time, from the idea to nearly the code.
#include <fmt/format.h>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "ui/color.hpp"

namespace conclab::commands {

namespace {

class HintCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id (default: the one you are on)");
    app.flag("--all", all_, "Show every hint revealed so far");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = lab_or_current(ctx, lab_);
    if (lab.hints.empty()) {
      fmt::print("Lab {} has no hints. Re-read {} and the test messages.\n", lab.id, lab.lesson);
      return exit_code::kOk;
    }
    if (all_) return show_revealed(ctx, lab);
    LabProgress& p = ctx.state.lab(lab.id);
    const int total = static_cast<int>(lab.hints.size());
    if (p.hints_shown >= total) return after_the_last(lab);
    ++p.hints_shown;
    if (p.status == LabStatus::kNotStarted) p.status = LabStatus::kAttempted;
    ctx.state.save();
    fmt::print("{} {}\n", out::bold(fmt::format("Hint {} of {} for lab {}:", p.hints_shown, total, lab.id)),
               lab.hints[static_cast<std::size_t>(p.hints_shown - 1)]);
    if (p.hints_shown < total) fmt::print("{}\n", out::dim("Run it again for the next one."));
    return exit_code::kOk;
  }

 private:
  static int show_revealed(Context& ctx, const Lab& lab) {
    const int shown = ctx.state.lab(lab.id).hints_shown;
    const int total = static_cast<int>(lab.hints.size());
    if (shown == 0) fmt::print("No hints revealed yet for lab {}: `./conclab hint {}` shows the first.\n", lab.id, lab.id);
    for (int i = 0; i < shown && i < total; ++i) fmt::print("Hint {} of {}: {}\n\n", i + 1, total, lab.hints[static_cast<std::size_t>(i)]);
    return exit_code::kOk;
  }

  static int after_the_last(const Lab& lab) {
    fmt::print("That was the last hint for lab {}. All of them: ./conclab hint {} --all\n", lab.id, lab.id);
    if (lab.has_solutions()) {
      fmt::print("Still stuck? Re-read {}; once the lab passes, ./conclab solution {} shows the reference versions.\n", lab.lesson, lab.id);
    } else {
      fmt::print("Still stuck? Re-read {}, then ask your instructor.\n", lab.lesson);
    }
    return exit_code::kOk;
  }

  std::string lab_;
  bool all_ = false;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(HintCommand, "hint", "Reveal the next hint for a lab", 50)

}  // namespace conclab::commands
