// `conclab watch [LAB]`: re-check a lab every time one of its files is saved.
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "engine/checker.hpp"
#include "ui/check_report.hpp"
#include "ui/color.hpp"

namespace conclab::commands {

namespace {

// mtime and size of every file the learner may edit, plus the tests: a change in any means re-check.
std::string fingerprint(const Lab& lab) {
  std::vector<fs::path> files;
  for (const auto& f : lab.files) files.push_back(lab.dir / f);
  for (const auto& entry : fs::directory_iterator(lab.dir)) {
    if (entry.path().extension() == ".cpp" || entry.path().extension() == ".hpp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string fp;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) fp += fmt::format("{}:{}.{}:{};", f.string(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size);
  }
  return fp;
}

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
    std::string last;
    while (!interrupted().load()) {
      const std::string now = fingerprint(lab);
      if (now != last) {
        const auto settled = wait_until_settled(lab, now);
        if (!settled) break;
        last = *settled;
        if (tty && checks > 0) fmt::print("\033[2J\033[H");  // clear the screen between checks on a terminal
        if (!check_once(ctx, lab, ++checks)) break;
        if (max_checks_ > 0 && checks >= max_checks_) return exit_code::kOk;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
    }
    fmt::print("\nStopped watching.\n");
    return exit_code::kOk;
  }

 private:
  // Editors write in several steps: wait until the files stop changing. Nullopt when interrupted.
  std::optional<std::string> wait_until_settled(const Lab& lab, std::string settled) const {
    while (!interrupted().load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(debounce_ms_));
      const std::string again = fingerprint(lab);
      if (again == settled) return settled;
      settled = again;
    }
    return std::nullopt;
  }

  // False when the check was interrupted.
  bool check_once(Context& ctx, const Lab& lab, int number) const {
    fmt::print("{}\n", out::dim(fmt::format("--- check {} at {} ---", number, utc_now())));
    std::fflush(stdout);
    CheckOptions options;
    options.tsan = tsan_;
    const CheckReport r = check_lab(ctx.course, lab, std::string(kLearner), options);
    if (r.interrupted) return false;
    const bool complete = tsan_ || !lab.needs_tsan();
    ctx.state.record_check(lab.id, r.verdict, complete);
    print_check_report(ctx, lab, r, false);
    if (r.verdict == Verdict::kPassed && complete) {
      fmt::print("{} Lab {} passes. Ctrl-C to stop watching; ./conclab next for what is next.\n", out::green("*"), lab.id);
    } else if (r.verdict == Verdict::kPassed) {
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
