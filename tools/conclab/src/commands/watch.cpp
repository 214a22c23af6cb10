// `conclab watch [LAB]`: re-check a lab every time one of its files is saved.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "app/errors.hpp"
#include "commands/lab_watch.hpp"
#include "commands/registry.hpp"
#include "ui/color.hpp"

namespace conclab::commands {

namespace {

class WatchCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("lab", lab_, "Lab id (default: the one you are on)");
    app.option("--interval", interval_ms_, "How often to look for changes, in ms").range(50, 10000);
    app.option("--debounce", debounce_ms_, "Wait this long for files to settle, in ms").range(0, 10000);
    app.option("--max-checks", max_checks_, "Stop after this many checks (for scripts)").hidden();
    app.flag("!--no-tsan", tsan_, "Skip the ThreadSanitizer build");
  }

  int run(const GlobalOptions& global) override {
    Context ctx = open_context(global, false);
    const Lab& lab = lab_or_current(ctx, lab_);
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    fmt::print("Watching lab {} ({}). Save a file to re-check; Ctrl-C to stop.\n", lab.id, shown_path(ctx, lab.dir));
    std::fflush(stdout);
    int checks = 0;
    SaveWatcher files(lab, interval_ms_, debounce_ms_);
    while (files.next_save()) {
      if (tty && checks > 0) fmt::print("\033[2J\033[H");  // clear the screen between checks on a terminal
      if (!check_once(ctx, lab, ++checks)) break;
      if (max_checks_ > 0 && checks >= max_checks_) return exit_code::kOk;
    }
    fmt::print("\nStopped watching.\n");
    return exit_code::kOk;
  }

 private:
  // False when the check was interrupted.
  bool check_once(Context& ctx, const Lab& lab, int number) const {
    const auto check = check_on_save(ctx, lab, number, tsan_);
    if (!check) return false;
    if (check->passed() && check->complete) {
      fmt::print("{} Lab {} passes. Ctrl-C to stop watching; ./conclab next for what is next.\n", out::green("*"), lab.id);
    } else if (check->passed()) {
      fmt::print("Passed without the ThreadSanitizer build (--no-tsan): the lab is done once a check with it passes.\n");
    }
    fmt::print("{}\n", out::dim("Waiting for changes..."));
    std::fflush(stdout);
    return true;
  }

  std::string lab_;
  int interval_ms_ = 500;
  int debounce_ms_ = 300;
  int max_checks_ = 0;  // 0: until Ctrl-C (tests use a small number)
  bool tsan_ = true;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(WatchCommand, "watch", "Re-check a lab every time you save one of its files", 40)

}  // namespace conclab::commands
