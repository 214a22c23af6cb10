// `conclab grade`: instructors grade a class's submissions of a lab (grading/grade.hpp does the grading; this
// file is the command: options, the console, the outputs, the gradebook), or one Gradescope submission.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/errors.hpp"
#include "commands/registry.hpp"
#include "grading/grade.hpp"
#include "grading/gradebook.hpp"
#include "grading/report.hpp"
#include "ui/color.hpp"
#include "util/files.hpp"
#include "util/text.hpp"

namespace conclab::commands {

namespace {

using nlohmann::json;
using namespace grading;

struct GradeArgs {
  std::string lab;
  std::string submissions;
  std::string out;              // default: grades/<lab id>
  std::string gradebook;        // default: grades/gradebook.sqlite
  bool no_gradebook = false;
  int repeat = 3;
  bool tsan = true;
  int jobs = 0;
  std::uint64_t seed = 1;
  std::string sandbox = "auto";
  int memory_mb = 2048;
  int timeout = 0;
  std::string work;             // default: <course>/build/grade/<lab target id>
  std::vector<std::string> only;
  bool gradescope = false;
  std::string autograder_root;  // default: $AUTOGRADER_ROOT, else /autograder
  bool prepare = false;
};

std::string grade_word(Verdict v) { return std::string(verdict_name(v, Wording::kGrade)); }

// "failed 2, timeout 1"
std::string verdict_counts(const SubmissionGrade& g) {
  std::map<std::string, int> counts;
  for (const auto& t : g.tests) {
    if (t.verdict != Verdict::kPassed) ++counts[grade_word(t.verdict)];
  }
  std::string s;
  for (const auto& [k, n] : counts) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", k, n);
  return s;
}

void print_done(const SubmissionGrade& g, int done, int total) {
  const std::string score = fmt::format("{:>3}/{:<3}", g.score, g.max_score);
  const bool full = g.score == g.max_score && g.max_score > 0;
  const std::string verdict = g.graded ? grade_word(g.verdict) : "NOT GRADED (a grader problem; see its results.json)";
  const std::string counts = g.compiled ? verdict_counts(g) : "";
  fmt::print("[{:>{}}/{}] {:<24} {}  {:<17} {}{}\n", done, std::to_string(total).size(), total, g.learner,
             full ? out::green(score) : g.score == 0 ? out::red(score) : out::yellow(score),
             g.verdict == Verdict::kPassed ? out::green(verdict) : out::red(verdict), counts.empty() ? "" : "(" + counts + ")  ",
             out::dim(fmt::format("{:.1f} s", g.seconds)));
  std::fflush(stdout);
}

GradeOptions options_from(const GradeArgs& a, const Course& course, const Lab& lab) {
  GradeOptions o;
  // `--lab 1.3` and the lab's own id must give the same default folders.
  o.work = a.work.empty() ? course.root / "build" / "grade" / lab.target_id() : fs::absolute(a.work);
  o.work_is_default = a.work.empty();
  o.repeat = a.repeat;
  o.tsan = a.tsan;
  o.jobs = a.jobs;
  o.seed = a.seed;
  o.sandbox = a.sandbox;
  o.memory_mb = a.memory_mb;
  o.timeout_seconds = a.timeout;
  return o;
}

void write_json(const fs::path& file, const json& j) { write_text_atomically(file, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n"); }

int grade_gradescope(const GradeArgs& a, const GlobalOptions& global) {
  fs::path ag = a.autograder_root;
  if (ag.empty()) {
    const char* env = std::getenv("AUTOGRADER_ROOT");
    ag = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/autograder");
  }
  const fs::path results = ag / "results" / "results.json";
  auto write_failure = [&](const std::string& why) {
    // Gradescope needs a results.json even when grading itself failed; otherwise it shows only an error.
    write_json(results, {{"score", 0},
                         {"output", valid_utf8("The autograder could not grade this submission. This is not a verdict on your code; your "
                                               "instructor can see the details.\n\n" + why)},
                         {"visibility", "visible"},
                         {"stdout_visibility", "hidden"},
                         {"tests", json::array()},
                         {"extra_data", {{"error", valid_utf8(why)}}}});
  };
  try {
    const Course course = load_course(find_course_root(global.root));
    const Lab& lab = course.get(a.lab);
    const fs::path submission = ag / "submission";
    if (!fs::is_directory(submission)) {
      throw UserError(fmt::format("{} does not exist: is this running on Gradescope?", submission.string()), exit_code::kUsage);
    }
    GradeOptions o = options_from(a, course, lab);
    o.jobs = 1;
    o.hide = {ag};
    fmt::print("conclab grade --gradescope: lab {} {}\n", lab.id, lab.title);
    const GradeRun run = grade_lab(course, lab, {{"submission", submission}}, o, [](const std::string& e) { fmt::print("  {}\n", e); }, print_done);
    if (run.submissions.empty()) {
      write_failure(run.interrupted ? "grading was interrupted" : "nothing was graded");
      return run.interrupted ? exit_code::kInterrupted : exit_code::kEnvironment;
    }
    write_json(results, gradescope_json(run, run.submissions[0]));
    fmt::print("Wrote {} ({}/{} points).\n", results.string(), run.submissions[0].score, run.submissions[0].max_score);
    return exit_code::kOk;
  } catch (const UserError& e) {
    write_failure(e.what());
    throw;
  } catch (const std::exception& e) {
    write_failure(fmt::format("internal error: {}", e.what()));
    throw;
  }
}

// The submissions to grade: every folder, or the --only ones (each must exist).
std::vector<Submission> select_submissions(const fs::path& dir, const std::vector<std::string>& only) {
  std::vector<Submission> subs = discover_submissions(dir);
  if (!only.empty()) {
    std::vector<Submission> kept;
    for (const auto& name : only) {
      auto it = std::find_if(subs.begin(), subs.end(), [&](const Submission& s) { return s.learner == name; });
      if (it == subs.end()) throw UserError(fmt::format("--only {}: there is no folder {} in {}.", name, name, dir.string()), exit_code::kUsage);
      kept.push_back(*it);
    }
    subs = kept;
  }
  if (subs.empty()) throw UserError(fmt::format("{} has no submission folders (one folder per learner is expected).", dir.string()), exit_code::kUsage);
  return subs;
}

// The class at a glance, after the per-learner lines. Returns the learners the grader failed on, as --only options.
std::string print_summary(const GradeRun& run, const Lab& lab, const GradeOptions& o, std::size_t submitted, const fs::path& out_dir,
                          const fs::path& book, long long grading_id) {
  std::map<std::string, int> verdicts;
  int full = 0, zero = 0;
  double total = 0;
  std::string not_graded;
  for (const auto& g : run.submissions) {
    if (!g.graded) not_graded += " --only " + g.learner;
    ++verdicts[grade_word(g.verdict)];
    full += g.score == g.max_score && g.max_score > 0 ? 1 : 0;
    zero += g.score == 0 ? 1 : 0;
    total += g.score;
  }
  const int n = static_cast<int>(run.submissions.size());
  std::string vs;
  for (const auto& [k, c] : verdicts) vs += fmt::format("{}{} {}", vs.empty() ? "" : ", ", k, c);
  const int at_once = std::max(1, std::min<int>(o.jobs > 0 ? o.jobs : static_cast<int>(std::thread::hardware_concurrency()), static_cast<int>(submitted)));
  fmt::print("\n{} in {:.0f} s ({} at once).\n", out::bold(fmt::format("Graded {} of lab {}", plural(n, "submission"), lab.id)), run.seconds, at_once);
  if (n > 0) {
    fmt::print("  scores: mean {:.1f}/{}, {} full marks, {} zero\n", total / n, run.max_score, full, zero);
    fmt::print("  verdicts: {}\n", vs);
  }
  fmt::print("  sandbox: {}\n", run.sandbox);
  fmt::print("  wrote {}/junit.xml, grades.csv, and <learner>/results.json for each\n", out_dir.string());
  if (grading_id > 0) fmt::print("  gradebook {} (run {}): conclab gradebook export --db {}\n", book.string(), grading_id, book.string());
  if (!not_graded.empty()) {
    fmt::print("{}\n", out::yellow(fmt::format("Some submissions were NOT graded because the grader failed on them (their results.json says why; "
                                               "they are not in the gradebook). Grade them again with:{}",
                                               not_graded)));
  }
  return not_graded;
}

int grade_prepare(const Course& course, const Lab& lab, const GradeOptions& o) {
  fmt::print("Preparing the scratch builds of lab {} in {}...\n", lab.id, o.work.string());
  const GradeRun run = grade_lab(course, lab, {}, o, [](const std::string& e) { fmt::print("  {}\n", e); }, nullptr, true);
  fmt::print("Ready: {} to grade ({} points), {}.\n", plural(static_cast<long>(run.tests.size()), "test"), run.max_score,
             run.tsan ? "with a ThreadSanitizer run" : "no ThreadSanitizer run");
  return exit_code::kOk;
}

int grade_class(const GradeArgs& a, const GlobalOptions& global) {
  const Course course = load_course(find_course_root(global.root));
  const Lab& lab = course.get(a.lab);
  GradeOptions o = options_from(a, course, lab);
  if (a.prepare) return grade_prepare(course, lab, o);
  if (a.submissions.empty()) throw UserError("conclab grade needs --submissions DIR (one folder per learner), or --gradescope.", exit_code::kUsage);
  const fs::path subs_dir = fs::absolute(a.submissions);
  const std::vector<Submission> subs = select_submissions(subs_dir, a.only);
  const fs::path out_dir = fs::absolute(a.out.empty() ? fs::path("grades") / lab.id : fs::path(a.out));
  const fs::path book = fs::absolute(a.gradebook.empty() ? fs::path("grades") / "gradebook.sqlite" : fs::path(a.gradebook));
  o.hide = {subs_dir, out_dir, book.parent_path()};

  const bool tsan = o.tsan && lab.needs_tsan();
  fmt::print("{}\n", out::bold(fmt::format("Grading lab {} {}: {}", lab.id, lab.title, plural(static_cast<long>(subs.size()), "submission"))));
  fmt::print("  {} per test{}, seed {}, timeout {} s per run\n", plural(o.repeat, "run"), tsan ? " + 1 ThreadSanitizer run" : "", o.seed,
             o.timeout_seconds > 0 ? o.timeout_seconds : lab.timeout_seconds);
  std::fflush(stdout);
  GradeRun run;
  try {
    run = grade_lab(course, lab, subs, o, [](const std::string& e) { fmt::print("  {}\n", out::dim(e)); std::fflush(stdout); }, print_done);
  } catch (const UserError& e) {
    if (e.exit_code() != exit_code::kEnvironment) throw;
    // The grader could not run at all: still leave a result for every learner, saying so (not a grade, so
    // nothing goes into the gradebook).
    write_grade_outputs(failed_run(lab, subs, e.what()), out_dir);
    std::cerr << out::red("The grader could not run: ") << e.what() << "\n"
              << fmt::format("Each learner's {} says so; nothing was added to the gradebook.\n", (out_dir / "<learner>/results.json").string());
    return exit_code::kEnvironment;
  }
  write_grade_outputs(run, out_dir);
  const long long grading_id = !a.no_gradebook && !run.submissions.empty() ? gradebook_record(book, run, subs_dir.string()) : 0;
  const std::string not_graded = print_summary(run, lab, o, subs.size(), out_dir, book, grading_id);
  if (run.interrupted) {
    fmt::print("{}\n", out::yellow(fmt::format("Interrupted: {} of {} submissions were graded; the rest are not in the outputs.",
                                               run.submissions.size(), subs.size())));
    return exit_code::kInterrupted;
  }
  return not_graded.empty() ? exit_code::kOk : exit_code::kEnvironment;
}

class GradeCommand final : public Command {
 public:
  void add_options(Options& app) override {
    app.option("--lab", a_.lab, "The lab to grade (id or name)").required();
    app.option("--submissions", a_.submissions, "A folder with one subfolder per learner (the lab's files, or a copy of the course)");
    app.option("--out", a_.out, "Where results go (default: grades/<lab id>): <learner>/results.json, junit.xml, grades.csv");
    app.option("--gradebook", a_.gradebook, "The SQLite gradebook to add this run to (default: grades/gradebook.sqlite)");
    app.flag("--no-gradebook", a_.no_gradebook, "Do not record this run in a gradebook");
    app.option("--repeat", a_.repeat, "Runs of each test in the normal build; a test scores only if all pass (default 3)")
        .range(1, 100);
    app.flag("--tsan,!--no-tsan", a_.tsan, "Also run each test once under ThreadSanitizer when the lab uses it (default: on)");
    app.option("--jobs,-j", a_.jobs, "Submissions graded at once (default: one per core)").range(0, 32);
    app.option("--seed", a_.seed, "Seed for the tests' --gtest_random_seed (default 1: the same every time)");
    app.option("--sandbox", a_.sandbox, "auto (bubblewrap if it works here), bwrap (required), none (limits only)")
        .one_of({"auto", "bwrap", "none"});
    app.option("--memory", a_.memory_mb, "Memory per test run in MB (ThreadSanitizer runs get twice this; default 2048)")
        .range(64, 65536);
    app.option("--timeout", a_.timeout, "Seconds per test run (default: the lab's timeout)").range(1, 3600);
    app.option("--work", a_.work, "Scratch folder for the build copies (default: build/grade/<lab> in the course)");
    app.option("--only", a_.only, "Grade only these learners (repeatable)");
    app.flag("--gradescope", a_.gradescope, "Gradescope mode: grade /autograder/submission into /autograder/results/results.json");
    app.option("--autograder-root", a_.autograder_root, "Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder)");
    app.flag("--prepare", a_.prepare, "Only prepare the scratch build copies (the autograder's setup.sh does this once)");
  }

  int run(const GlobalOptions& global) override { return a_.gradescope ? grade_gradescope(a_, global) : grade_class(a_, global); }

 private:
  GradeArgs a_;
};

}  // namespace

CONCLAB_REGISTER_COMMAND(GradeCommand, "grade", "Instructors: grade a class's submissions of a lab (sandboxed, repeated, ThreadSanitizer)", 120)

}  // namespace conclab::commands
