// conclab: the command-line tool of the course. `conclab --help` lists the commands; README.md documents
// them and their exit codes.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

#include "bench.hpp"
#include "commands.hpp"
#include "doctor.hpp"
#include "grade_commands.hpp"
#include "maint.hpp"
#include "output.hpp"
#include "process.hpp"

namespace {

using namespace conclab;

int run(int argc, char** argv) {
  CLI::App app{"conclab: a C++20 concurrency course you run. With no command: where you are and what is next.", "conclab"};
  app.set_version_flag("--version", "conclab 0.1.0");
  app.require_subcommand(0, 1);
  std::string root_opt;
  bool no_color = false;
  app.add_option("--root", root_opt, "The course folder (default: found from the current directory, or $CONCLAB_ROOT)");
  app.add_flag("--no-color", no_color, "Plain output even on a terminal (NO_COLOR=1 does the same)");

  bool json = false;
  auto* list = app.add_subcommand("list", "Every lab, grouped by module, with your status");
  list->add_flag("--json", json, "Machine-readable output");
  auto* next = app.add_subcommand("next", "The next lab to do, and how to start it");
  next->add_flag("--json", json, "Machine-readable output");

  CheckArgs check_args;
  auto* check = app.add_subcommand("check", "Build and test a lab (default: the one you are on) and give a verdict");
  check->add_option("lab", check_args.lab, "Lab id (00.01, 1.3) or name (parallel-sum)");
  check->add_option("--against", check_args.against, "Check a reference version instead of yours: naive, improved or final");
  check->add_flag("!--no-tsan", check_args.tsan, "Skip the ThreadSanitizer build even if the lab uses it");
  check->add_flag("-v,--verbose", check_args.verbose, "List passing tests too");
  check->add_flag("--json", json, "Machine-readable output");

  WatchArgs watch_args;
  auto* watch = app.add_subcommand("watch", "Re-check a lab every time you save one of its files");
  watch->add_option("lab", watch_args.lab, "Lab id (default: the one you are on)");
  watch->add_option("--interval", watch_args.interval_ms, "How often to look for changes, in ms")->check(CLI::Range(50, 10000));
  watch->add_option("--debounce", watch_args.debounce_ms, "Wait this long for files to settle, in ms")->check(CLI::Range(0, 10000));
  watch->add_option("--max-checks", watch_args.max_checks, "Stop after this many checks (for scripts)")->group("");
  watch->add_flag("!--no-tsan", watch_args.tsan, "Skip the ThreadSanitizer build");

  std::string hint_lab;
  bool hint_all = false;
  auto* hint = app.add_subcommand("hint", "Reveal the next hint for a lab");
  hint->add_option("lab", hint_lab, "Lab id (default: the one you are on)");
  hint->add_flag("--all", hint_all, "Show every hint revealed so far");

  std::string sol_lab, sol_variant;
  bool sol_force = false;
  auto* solution = app.add_subcommand("solution", "Show a reference version and how it differs from yours (after you pass)");
  solution->add_option("lab", sol_lab, "Lab id")->required();
  solution->add_option("--variant", sol_variant, "naive, improved or final (default: final)");
  solution->add_flag("--force", sol_force, "Show it even though the lab has not passed");

  std::string reset_lab;
  auto* reset = app.add_subcommand("reset", "Put a lab's files back to the starter (your version is backed up)");
  reset->add_option("lab", reset_lab, "Lab id")->required();

  auto* progress = app.add_subcommand("progress", "Your progress through the course");
  progress->add_flag("--json", json, "Machine-readable output");

  auto* doctor = app.add_subcommand("doctor", "Check this machine: compiler, C++20 library, ThreadSanitizer, CMake, packages");
  doctor->add_flag("--json", json, "Machine-readable output");

  BenchArgs bench_args;
  auto* bench = app.add_subcommand("bench", "Benchmark your version against naive, improved and final");
  bench->add_option("lab", bench_args.lab, "Lab id")->required();
  bench->add_option("--repetitions", bench_args.repetitions, "Repetitions; the table shows medians")->check(CLI::Range(1, 100));
  bench->add_option("--min-time", bench_args.min_time, "Seconds per benchmark (default: the library's)");
  bench->add_option("--filter", bench_args.filter, "Only benchmarks matching this regex");
  bench->add_flag("!--no-learner", bench_args.learner, "Leave your version out");
  bench->add_flag("--markdown", bench_args.markdown, "Print a markdown table");
  bench->add_flag("--write-readme", bench_args.write_readme, "Write the table into the lab's README between its bench markers");

  auto* maint = app.add_subcommand("maint", "Course maintenance (CI): verify the lab contract, lint, PROGRESS.md");
  maint->require_subcommand(1);
  std::string verify_lab, verify_variant, verify_tree;
  auto* verify = maint->add_subcommand("verify", "Check one variant of a lab against the lab contract, in a built tree");
  verify->add_option("lab", verify_lab)->required();
  verify->add_option("--variant", verify_variant, "starter, naive, improved or final")->required();
  verify->add_option("--build-dir", verify_tree, "The build tree (build/default, build/tsan)")->required();
  auto* lint = maint->add_subcommand("lint", "Check every lab.toml and lab folder for what the build and CLI rely on");
  bool progress_check = false;
  auto* progress_md = maint->add_subcommand("progress-md", "Regenerate PROGRESS.md from the labs on disk");
  progress_md->add_flag("--check", progress_check, "Only check that PROGRESS.md is up to date");
  const GradeCommands grading = add_grade_commands(app);  // grade, gradebook (instructors)

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "conclab: " << e.what() << "\nRun `conclab --help` for the commands, or `conclab <command> --help`.\n";
    return exit_code::kUsage;
  }

  out::init_color_from_env();
  if (no_color || json) out::set_color(false);
  install_interrupt_handler();
  const std::optional<std::filesystem::path> root = root_opt.empty() ? std::nullopt : std::optional<std::filesystem::path>(root_opt);

  if (*doctor) return cmd_doctor(find_course_root(root), json);
  if (grading.chosen()) return grading.run(root);
  Context ctx = open_context(root, json);
  if (*list) return cmd_list(ctx);
  if (*next) return cmd_next(ctx);
  if (*check) return cmd_check(ctx, check_args);
  if (*watch) return cmd_watch(ctx, watch_args);
  if (*hint) return cmd_hint(ctx, hint_lab, hint_all);
  if (*solution) return cmd_solution(ctx, sol_lab, sol_variant, sol_force);
  if (*reset) return cmd_reset(ctx, reset_lab);
  if (*progress) return cmd_progress(ctx);
  if (*bench) return cmd_bench(ctx, bench_args);
  if (*verify) return cmd_maint_verify(ctx, verify_lab, verify_variant, verify_tree);
  if (*lint) return cmd_maint_lint(ctx);
  if (*progress_md) return cmd_maint_progress_md(ctx, progress_check);
  return cmd_status(ctx);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const conclab::UserError& e) {
    std::cerr << "conclab: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "conclab: internal error: " << e.what()
              << "\nThis is a bug in conclab; `conclab doctor` checks the machine, and the course README says how to report it.\n";
    return conclab::exit_code::kEnvironment;
  }
}
