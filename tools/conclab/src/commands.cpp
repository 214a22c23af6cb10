#include "commands.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "checker.hpp"
#include "files.hpp"
#include "output.hpp"
#include "process.hpp"

namespace conclab {

namespace fs = std::filesystem;
using nlohmann::json;

Context open_context(const std::optional<fs::path>& root, bool json_output) {
  const fs::path r = find_course_root(root);
  Context ctx{load_course(r), State::load(r), json_output};
  if (ctx.state.warning()) {
    std::cerr << out::yellow("warning: ") << *ctx.state.warning() << "\n";
    ctx.state.save();
  }
  return ctx;
}

const Lab* current_lab(const Context& ctx) {
  for (const auto& lab : ctx.course.labs) {
    if (!ctx.state.passed(lab.id)) return &lab;
  }
  return nullptr;
}

namespace {

std::string rel(const Context& ctx, const fs::path& p) { return fs::relative(p, ctx.course.root).string(); }

std::string status_of(const Context& ctx, const Lab& lab) {
  const LabProgress* p = ctx.state.find(lab.id);
  if (p == nullptr || p->status.empty()) return "not started";
  return p->status == "passed" ? "done" : "in progress";
}

std::string status_mark(const std::string& status) {
  if (status == "done") return out::green("[x]");
  if (status == "in progress") return out::yellow("[~]");
  return "[ ]";
}

int count_done(const Context& ctx) {
  return static_cast<int>(std::count_if(ctx.course.labs.begin(), ctx.course.labs.end(),
                                        [&](const Lab& l) { return ctx.state.passed(l.id); }));
}

void print_lab_card(const Context& ctx, const Lab& lab) {
  fmt::print("  {} {}  {}\n", out::bold("Lab " + lab.id), out::bold(lab.title),
             out::dim(fmt::format("({}, ~{} min)", lab.difficulty, lab.minutes)));
  if (!lab.summary.empty()) fmt::print("  {}\n", lab.summary);
  fmt::print("\n");
  if (!lab.lesson.empty()) fmt::print("  1. Read   {}\n", lab.lesson);
  std::string files;
  for (const auto& f : lab.files) files += (files.empty() ? "" : ", ") + rel(ctx, lab.dir / f);
  fmt::print("  2. Edit   {}   {}\n", files, out::dim("(look for TODO(lab))"));
  fmt::print("  3. Check  {}   {}\n", out::cyan(fmt::format("./conclab check {}", lab.id)),
             out::dim(fmt::format("or ./conclab watch {} to re-check on every save", lab.id)));
  fmt::print("     Stuck? {}\n", out::cyan(fmt::format("./conclab hint {}", lab.id)));
}

json lab_json(const Context& ctx, const Lab& lab) {
  const LabProgress* p = ctx.state.find(lab.id);
  return {{"id", lab.id},
          {"slug", lab.slug},
          {"title", lab.title},
          {"module", lab.module},
          {"status", status_of(ctx, lab)},
          {"attempts", p ? p->attempts : 0},
          {"hints_shown", p ? p->hints_shown : 0},
          {"minutes", lab.minutes},
          {"difficulty", lab.difficulty},
          {"tags", lab.tags},
          {"lesson", lab.lesson},
          {"path", rel(ctx, lab.dir)}};
}

}  // namespace

int cmd_status(Context& ctx) {
  const int done = count_done(ctx);
  const int total = static_cast<int>(ctx.course.labs.size());
  fmt::print("{}  {}\n\n", out::bold("conclab: C++ concurrency, one lab at a time"), out::progress_bar(done, total));
  if (total == 0) {
    fmt::print("This course has no labs yet.\n");
    return exit_code::kOk;
  }
  const Lab* lab = current_lab(ctx);
  if (lab == nullptr) {
    fmt::print("Every lab is done. Well done. `./conclab progress` shows your record; the interview module and the\n"
               "capstones are good places to go back to.\n");
    return exit_code::kOk;
  }
  const LabProgress* p = ctx.state.find(lab->id);
  fmt::print("{} {}\n\n", p && p->attempts > 0 ? "You are working on" : "Next up, in",
             ctx.course.module_title(lab->module));
  print_lab_card(ctx, *lab);
  if (p && !p->last_verdict.empty()) {
    fmt::print("\n  Last check: {} ({} {}).\n", p->last_verdict, p->attempts, p->attempts == 1 ? "attempt" : "attempts");
  }
  fmt::print("\n{}\n", out::dim("All labs: ./conclab list    Your progress: ./conclab progress    Help: ./conclab --help"));
  return exit_code::kOk;
}

int cmd_list(Context& ctx) {
  if (ctx.json) {
    json j = {{"done", count_done(ctx)}, {"total", ctx.course.labs.size()}, {"labs", json::array()}};
    for (const auto& lab : ctx.course.labs) j["labs"].push_back(lab_json(ctx, lab));
    fmt::print("{}\n", j.dump(2));
    return exit_code::kOk;
  }
  fmt::print("{}  {}\n", out::bold("Labs"), out::progress_bar(count_done(ctx), static_cast<int>(ctx.course.labs.size())));
  const Lab* current = current_lab(ctx);
  for (const auto& m : ctx.course.modules) {
    int done = 0, total = 0;
    for (const auto& lab : ctx.course.labs) {
      if (lab.module != m.name) continue;
      ++total;
      done += ctx.state.passed(lab.id) ? 1 : 0;
    }
    fmt::print("\n{}  {}\n", out::bold(m.title), out::dim(fmt::format("{}/{}", done, total)));
    for (const auto& lab : ctx.course.labs) {
      if (lab.module != m.name) continue;
      const std::string tags = std::find(lab.tags.begin(), lab.tags.end(), "interview") != lab.tags.end() ? " [interview]" : "";
      fmt::print("  {} {:<6} {:<34} {}{}{}\n", status_mark(status_of(ctx, lab)), lab.id, lab.title,
                 out::dim(fmt::format("{:>3} min  {}", lab.minutes, lab.difficulty)), out::dim(tags),
                 &lab == current ? out::cyan("  <- you are here") : "");
    }
  }
  return exit_code::kOk;
}

int cmd_next(Context& ctx) {
  const Lab* lab = current_lab(ctx);
  if (ctx.json) {
    fmt::print("{}\n", lab ? lab_json(ctx, *lab).dump(2) : "null");
    return exit_code::kOk;
  }
  if (lab == nullptr) {
    fmt::print("Every lab is done.\n");
    return exit_code::kOk;
  }
  fmt::print("{}\n\n", ctx.course.module_title(lab->module));
  print_lab_card(ctx, *lab);
  return exit_code::kOk;
}

namespace {

void print_report(const Context& ctx, const Lab& lab, const CheckReport& r, bool verbose) {
  const std::string who = r.who == "learner" ? rel(ctx, lab.dir) : fmt::format("reference version '{}'", r.who);
  fmt::print("{} {}  {}\n", out::bold("Lab " + lab.id), out::bold(lab.title), out::dim(who));
  for (const auto& run : r.runs) {
    if (!run.ran) continue;
    const int n = static_cast<int>(run.suite.tests.size());
    const int passed = static_cast<int>(std::count_if(run.suite.tests.begin(), run.suite.tests.end(),
                                                      [](const TestResult& t) { return t.outcome == Outcome::kPassed; }));
    const std::string label = run.preset == "tsan" ? "ThreadSanitizer build" : "normal build";
    if (run.suite.broken) {
      fmt::print("  {:<22} {}\n", label, out::red(run.suite.broken_message));
      continue;
    }
    fmt::print("  {:<22} {}\n", label,
               passed == n ? out::green(fmt::format("{}/{} tests passed", passed, n))
                           : out::red(fmt::format("{}/{} tests passed", passed, n)));
    for (const auto& t : run.suite.tests) {
      if (t.outcome == Outcome::kPassed) {
        if (verbose) fmt::print("    {} {}\n", out::green("ok"), t.name);
        continue;
      }
      fmt::print("    {} {}  {}\n", out::red("x"), out::bold(t.name), out::red(outcome_name(t.outcome)));
      if (!t.message.empty()) fmt::print("{}\n", out::indent(t.message, 8));
    }
  }
  if (r.verdict == Verdict::kNoCompile || r.verdict == Verdict::kBroken) {
    fmt::print("  {}:\n{}\n", r.verdict == Verdict::kNoCompile ? "First compiler error" : "What failed",
               out::indent(r.compile_error, 6));
  }
  const std::string verdict = fmt::format("Verdict: {}", verdict_name(r.verdict));
  fmt::print("\n{}  {}\n", r.verdict == Verdict::kPassed ? out::green(out::bold(verdict)) : out::red(out::bold(verdict)),
             out::dim(fmt::format("({:.1f} s)", r.seconds)));
  fmt::print("{}\n", verdict_lesson(r.verdict));
}

json report_json(const Lab& lab, const CheckReport& r) {
  json j = {{"lab", lab.id}, {"implementation", r.who}, {"verdict", verdict_name(r.verdict)}, {"seconds", r.seconds},
            {"builds", json::array()}};
  if (!r.compile_error.empty()) j["compile_error"] = r.compile_error;
  for (const auto& run : r.runs) {
    json b = {{"build", run.preset}, {"ran", run.ran}, {"tests", json::array()}};
    if (run.suite.broken) b["error"] = run.suite.broken_message;
    for (const auto& t : run.suite.tests) b["tests"].push_back({{"name", t.name}, {"outcome", outcome_name(t.outcome)}, {"message", t.message}});
    j["builds"].push_back(b);
  }
  return j;
}

int exit_for(const CheckReport& r) {
  if (r.interrupted) return exit_code::kInterrupted;
  switch (r.verdict) {
    case Verdict::kPassed: return exit_code::kOk;
    case Verdict::kNoCompile: return exit_code::kNoCompile;
    case Verdict::kBroken: return exit_code::kEnvironment;
    default: return exit_code::kNotPassed;
  }
}

const Lab& lab_or_current(const Context& ctx, const std::string& id) {
  if (!id.empty()) return ctx.course.get(id);
  const Lab* lab = current_lab(ctx);
  if (lab == nullptr) {
    throw UserError("Every lab is done, so there is no current lab: name one, e.g. `conclab check 00.01`.", exit_code::kUsage);
  }
  return *lab;
}

void record(Context& ctx, const Lab& lab, const CheckReport& r) {
  LabProgress& p = ctx.state.lab(lab.id);
  ++p.attempts;
  if (p.first_check.empty()) p.first_check = utc_now();
  p.last_verdict = verdict_name(r.verdict);
  if (r.verdict == Verdict::kPassed) {
    if (p.status != "passed") p.passed_at = utc_now();
    p.status = "passed";
  } else if (p.status.empty()) {
    p.status = "attempted";
  }
  ctx.state.save();
}

CheckReport run_check(Context& ctx, const Lab& lab, const std::string& who, bool tsan) {
  CheckOptions opts;
  opts.tsan = tsan;
  return check_lab(ctx.course, lab, who, opts);
}

}  // namespace

int cmd_check(Context& ctx, const CheckArgs& args) {
  const Lab& lab = lab_or_current(ctx, args.lab);
  const std::string who = args.against.empty() ? "learner" : args.against;
  if (who != "learner" && !fs::is_directory(lab.solutions_dir)) {
    throw UserError(fmt::format("This copy of the course has no reference versions of lab {} (a student release): --against needs "
                                "the full course.", lab.id),
                    exit_code::kUsage);
  }
  if (who != "learner" && !fs::is_directory(lab.solutions_dir / who)) {
    throw UserError(fmt::format("Lab {} has no reference version '{}' (there are naive, improved and final).", lab.id, who),
                    exit_code::kUsage);
  }
  if (!ctx.json) {
    fmt::print("{}\n", out::dim(fmt::format("Building and testing lab {}{}...", lab.id,
                                            lab.needs_tsan() && args.tsan ? " (normal and ThreadSanitizer builds)" : "")));
    std::fflush(stdout);
  }
  const CheckReport r = run_check(ctx, lab, who, args.tsan);
  if (r.interrupted) {
    if (!ctx.json) fmt::print("Interrupted.\n");
    return exit_code::kInterrupted;
  }
  const bool was_passed = ctx.state.passed(lab.id);
  if (who == "learner") record(ctx, lab, r);
  if (ctx.json) {
    fmt::print("{}\n", report_json(lab, r).dump(2));
    return exit_for(r);
  }
  print_report(ctx, lab, r, args.verbose);
  if (who == "learner") {
    if (r.verdict == Verdict::kPassed) {
      if (!was_passed) fmt::print("\n{} Lab {} is done.\n", out::green("*"), lab.id);
      if (fs::is_directory(lab.solutions_dir)) fmt::print("Compare with the reference versions: ./conclab solution {}\n", lab.id);
      if (const Lab* next = current_lab(ctx)) fmt::print("Next: lab {} {} (./conclab next)\n", next->id, next->title);
    } else if (r.verdict != Verdict::kBroken) {
      const LabProgress* p = ctx.state.find(lab.id);
      const int shown = p ? p->hints_shown : 0;
      if (shown < static_cast<int>(lab.hints.size())) {
        fmt::print("Stuck? ./conclab hint {}   ({} of {} hints left)\n", lab.id, lab.hints.size() - shown, lab.hints.size());
      }
      if (!lab.lesson.empty()) fmt::print("Read: {}\n", lab.lesson);
    }
  }
  return exit_for(r);
}

namespace {

// mtime and size of every file the learner may edit, plus the tests: a change in any means re-check.
std::string fingerprint(const Lab& lab) {
  std::string fp;
  std::vector<fs::path> files;
  for (const auto& f : lab.files) files.push_back(lab.dir / f);
  for (const auto& entry : fs::directory_iterator(lab.dir)) {
    if (entry.path().extension() == ".cpp" || entry.path().extension() == ".hpp") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.c_str(), &st) == 0) {
      fp += fmt::format("{}:{}.{}:{};", f.string(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec, st.st_size);
    }
  }
  return fp;
}

}  // namespace

int cmd_watch(Context& ctx, const WatchArgs& args) {
  const Lab& lab = lab_or_current(ctx, args.lab);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  fmt::print("Watching lab {} ({}). Save a file to re-check; Ctrl-C to stop.\n", lab.id, rel(ctx, lab.dir));
  std::fflush(stdout);
  int checks = 0;
  std::string last;
  while (!interrupted().load()) {
    const std::string now = fingerprint(lab);
    if (now != last) {
      // Debounce: editors write in several steps; wait until the files stop changing.
      std::string settled = now;
      do {
        std::this_thread::sleep_for(std::chrono::milliseconds(args.debounce_ms));
        const std::string again = fingerprint(lab);
        if (again == settled) break;
        settled = again;
      } while (!interrupted().load());
      if (interrupted().load()) break;
      last = settled;
      if (tty && checks > 0) fmt::print("\033[2J\033[H");  // clear the screen between checks on a terminal
      fmt::print("{}\n", out::dim(fmt::format("--- check {} at {} ---", checks + 1, utc_now())));
      std::fflush(stdout);
      const CheckReport r = run_check(ctx, lab, "learner", args.tsan);
      if (r.interrupted) break;
      record(ctx, lab, r);
      print_report(ctx, lab, r, false);
      if (r.verdict == Verdict::kPassed) fmt::print("{} Lab {} passes. Ctrl-C to stop watching; ./conclab next for what is next.\n", out::green("*"), lab.id);
      fmt::print("{}\n", out::dim("Waiting for changes..."));
      std::fflush(stdout);
      ++checks;
      if (args.max_checks > 0 && checks >= args.max_checks) return exit_code::kOk;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(args.interval_ms));
  }
  fmt::print("\nStopped watching.\n");
  return exit_code::kOk;
}

int cmd_hint(Context& ctx, const std::string& id, bool all) {
  const Lab& lab = lab_or_current(ctx, id);
  if (lab.hints.empty()) {
    fmt::print("Lab {} has no hints. Re-read {} and the test messages.\n", lab.id, lab.lesson);
    return exit_code::kOk;
  }
  LabProgress& p = ctx.state.lab(lab.id);
  const int total = static_cast<int>(lab.hints.size());
  if (all) {
    if (p.hints_shown == 0) fmt::print("No hints revealed yet for lab {}: `./conclab hint {}` shows the first.\n", lab.id, lab.id);
    for (int i = 0; i < p.hints_shown && i < total; ++i) fmt::print("Hint {} of {}: {}\n\n", i + 1, total, lab.hints[static_cast<std::size_t>(i)]);
    return exit_code::kOk;
  }
  if (p.hints_shown >= total) {
    fmt::print("That was the last hint for lab {}. All of them: ./conclab hint {} --all\n", lab.id, lab.id);
    if (fs::is_directory(lab.solutions_dir)) {
      fmt::print("Still stuck? Re-read {}; once the lab passes, ./conclab solution {} shows the reference versions.\n", lab.lesson, lab.id);
    } else {
      fmt::print("Still stuck? Re-read {}, then ask your instructor.\n", lab.lesson);
    }
    return exit_code::kOk;
  }
  ++p.hints_shown;
  if (p.status.empty()) p.status = "attempted";
  ctx.state.save();
  fmt::print("{} {}\n", out::bold(fmt::format("Hint {} of {} for lab {}:", p.hints_shown, total, lab.id)),
             lab.hints[static_cast<std::size_t>(p.hints_shown - 1)]);
  if (p.hints_shown < total) fmt::print("{}\n", out::dim("Run it again for the next one."));
  return exit_code::kOk;
}

int cmd_solution(Context& ctx, const std::string& id, const std::string& variant, bool force) {
  const Lab& lab = ctx.course.get(id);
  const std::vector<std::string> order = {"naive", "improved", "final"};
  if (!variant.empty() && std::find(order.begin(), order.end(), variant) == order.end()) {
    throw UserError(fmt::format("'{}' is not a reference version: use naive, improved or final.", variant), exit_code::kUsage);
  }
  if (!fs::is_directory(lab.solutions_dir)) {
    throw UserError(fmt::format("This copy of the course has no solutions for lab {}: it is a student release. Your instructor has "
                                "the reference versions.", lab.id),
                    exit_code::kUsage);
  }
  if (!ctx.state.passed(lab.id) && !force) {
    throw UserError(fmt::format("Lab {} has not passed yet, so its solutions stay closed: finish it (./conclab check {}), "
                                "or add --force if you really want to look.", lab.id, lab.id),
                    exit_code::kUsage);
  }
  const std::vector<std::string> shown = variant.empty() ? std::vector<std::string>{"final"} : std::vector<std::string>{variant};
  for (const auto& v : shown) {
    const auto it = lab.variants.find(v);
    fmt::print("{}  {}\n", out::bold(fmt::format("Lab {}: the {} version", lab.id, v)),
               it != lab.variants.end() ? it->second.summary : "");
    for (const auto& f : lab.files) {
      const fs::path ref = lab.solutions_dir / v / f;
      fmt::print("\n{}\n{}\n", out::cyan(fmt::format("=== {} ===", rel(ctx, ref))), read_text(ref));
      ProcessOptions p;
      p.argv = {"diff", "-u", "--label", "yours: " + rel(ctx, lab.dir / f), "--label", fmt::format("{}: {}", v, f),
                (lab.dir / f).string(), ref.string()};
      p.timeout = std::chrono::seconds(10);
      const ProcessResult d = run_process(p);
      if (d.exit_code == 0) {
        fmt::print("{}\n", out::dim("(identical to yours)"));
      } else {
        fmt::print("{}\n{}\n", out::cyan(fmt::format("=== what differs from yours ({}) ===", f)), d.output);
      }
    }
  }
  if (variant.empty()) {
    fmt::print("{}\n", out::dim(fmt::format("The others: ./conclab solution {} --variant naive|improved. "
                                            "Benchmark them against yours: ./conclab bench {}", lab.id, lab.id)));
  }
  return exit_code::kOk;
}

int cmd_reset(Context& ctx, const std::string& id) {
  const Lab& lab = ctx.course.get(id);
  const std::string stamp = utc_now();
  const fs::path backup = ctx.course.root / ".conclab" / "backups" / fmt::format("{}-{}", lab.id, stamp.substr(0, 19));
  std::vector<std::pair<std::string, std::string>> starters;
  for (const auto& f : lab.files) {
    ProcessOptions p;
    p.argv = {"git", "-C", ctx.course.root.string(), "show", "HEAD:" + rel(ctx, lab.dir / f)};
    p.timeout = std::chrono::seconds(20);
    const ProcessResult r = run_process(p);
    if (!r.ok()) {
      throw UserError(fmt::format("Cannot find the original starter of {}: this course folder is not a git checkout "
                                  "(or the file is new). Restore it from your course archive instead.", rel(ctx, lab.dir / f)),
                      exit_code::kEnvironment);
    }
    starters.emplace_back(f, r.output);
  }
  fs::create_directories(backup);
  for (const auto& [f, text] : starters) {
    const fs::path target = lab.dir / f;
    if (fs::exists(target)) fs::copy_file(target, backup / f, fs::copy_options::overwrite_existing);
    write_text_atomically(target, text);
  }
  fmt::print("Lab {} is back to its starter. Your version is kept in {}\n", lab.id, rel(ctx, backup));
  return exit_code::kOk;
}

int cmd_progress(Context& ctx) {
  const int done = count_done(ctx);
  const int total = static_cast<int>(ctx.course.labs.size());
  int hints = 0, attempts = 0;
  for (const auto& lab : ctx.course.labs) {
    if (const LabProgress* p = ctx.state.find(lab.id)) {
      hints += p->hints_shown;
      attempts += p->attempts;
    }
  }
  if (ctx.json) {
    json j = {{"done", done}, {"total", total}, {"checks", attempts}, {"hints", hints}, {"modules", json::array()}};
    for (const auto& m : ctx.course.modules) {
      int md = 0, mt = 0;
      for (const auto& lab : ctx.course.labs) {
        if (lab.module != m.name) continue;
        ++mt;
        md += ctx.state.passed(lab.id) ? 1 : 0;
      }
      j["modules"].push_back({{"module", m.name}, {"title", m.title}, {"done", md}, {"total", mt}});
    }
    j["labs"] = json::array();
    for (const auto& lab : ctx.course.labs) j["labs"].push_back(lab_json(ctx, lab));
    fmt::print("{}\n", j.dump(2));
    return exit_code::kOk;
  }
  fmt::print("{}  {}\n\n", out::bold("Your progress"), out::progress_bar(done, total));
  for (const auto& m : ctx.course.modules) {
    int md = 0, mt = 0;
    for (const auto& lab : ctx.course.labs) {
      if (lab.module != m.name) continue;
      ++mt;
      md += ctx.state.passed(lab.id) ? 1 : 0;
    }
    fmt::print("  {:<40} {}\n", m.title, out::progress_bar(md, mt, 12));
  }
  fmt::print("\n  {} checks run, {} hints used.\n", attempts, hints);
  for (const auto& lab : ctx.course.labs) {
    const LabProgress* p = ctx.state.find(lab.id);
    if (p != nullptr && p->status == "passed") {
      fmt::print("  {} {} {}  {}\n", out::green("[x]"), lab.id, lab.title,
                 out::dim(fmt::format("passed {} after {} {}", p->passed_at, p->attempts, p->attempts == 1 ? "check" : "checks")));
    }
  }
  return exit_code::kOk;
}

}  // namespace conclab
