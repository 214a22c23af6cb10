#include "grade_commands.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "course.hpp"
#include "files.hpp"
#include "grade.hpp"
#include "grade_report.hpp"
#include "gradebook.hpp"
#include "output.hpp"
#include "process.hpp"

namespace conclab {

namespace fs = std::filesystem;
using nlohmann::json;

GradeCommands add_grade_commands(CLI::App& app) {
  GradeCommands c;
  c.grade_args = std::make_shared<GradeArgs>();
  c.export_args = std::make_shared<GradebookArgs>();
  GradeArgs& a = *c.grade_args;

  c.grade = app.add_subcommand("grade", "Instructors: grade a class's submissions of a lab (sandboxed, repeated, ThreadSanitizer)");
  c.grade->add_option("--lab", a.lab, "The lab to grade (id or name)")->required();
  c.grade->add_option("--submissions", a.submissions, "A folder with one subfolder per learner (the lab's files, or a copy of the course)");
  c.grade->add_option("--out", a.out, "Where results go (default: grades/<lab id>): <learner>/results.json, junit.xml, grades.csv");
  c.grade->add_option("--gradebook", a.gradebook, "The SQLite gradebook to add this run to (default: grades/gradebook.sqlite)");
  c.grade->add_flag("--no-gradebook", a.no_gradebook, "Do not record this run in a gradebook");
  c.grade->add_option("--repeat", a.repeat, "Runs of each test in the normal build; a test scores only if all pass (default 3)")
      ->check(CLI::Range(1, 100));
  c.grade->add_flag("--tsan,!--no-tsan", a.tsan, "Also run each test once under ThreadSanitizer when the lab uses it (default: on)");
  c.grade->add_option("--jobs,-j", a.jobs, "Submissions graded at once (default: one per core)")->check(CLI::Range(0, 32));
  c.grade->add_option("--seed", a.seed, "Seed for the tests' --gtest_random_seed (default 1: the same every time)");
  c.grade->add_option("--sandbox", a.sandbox, "auto (bubblewrap if it works here), bwrap (required), none (limits only)")
      ->check(CLI::IsMember({"auto", "bwrap", "none"}));
  c.grade->add_option("--memory", a.memory_mb, "Memory per test run in MB (ThreadSanitizer runs get twice this; default 2048)")
      ->check(CLI::Range(64, 65536));
  c.grade->add_option("--timeout", a.timeout, "Seconds per test run (default: the lab's timeout)")->check(CLI::Range(1, 3600));
  c.grade->add_option("--work", a.work, "Scratch folder for the build copies (default: build/grade/<lab> in the course)");
  c.grade->add_option("--only", a.only, "Grade only these learners (repeatable)");
  c.grade->add_flag("--gradescope", a.gradescope, "Gradescope mode: grade /autograder/submission into /autograder/results/results.json");
  c.grade->add_option("--autograder-root", a.autograder_root, "Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder)");
  c.grade->add_flag("--prepare", a.prepare, "Only prepare the scratch build copies (the autograder's setup.sh does this once)");

  GradebookArgs& e = *c.export_args;
  c.gradebook = app.add_subcommand("gradebook", "Instructors: the SQLite gradebook that `conclab grade` fills");
  c.gradebook->require_subcommand(1);
  c.gradebook_export = c.gradebook->add_subcommand("export", "Print the gradebook as CSV or JSON: latest score per learner and lab");
  c.gradebook_export->add_option("--db", e.db, "The gradebook (default: grades/gradebook.sqlite)");
  c.gradebook_export->add_option("--lab", e.lab, "One lab: one column per test (its latest grading per learner)");
  c.gradebook_export->add_option("--format", e.format, "csv or json (default csv)")->check(CLI::IsMember({"csv", "json"}));
  c.gradebook_export->add_option("--out", e.out, "Write to this file instead of standard output");
  c.gradebook_export->add_flag("--history", e.history, "Every grading of every learner instead of the latest");
  return c;
}

bool GradeCommands::chosen() const { return (grade != nullptr && grade->parsed()) || (gradebook != nullptr && gradebook->parsed()); }

namespace {

std::string plural(int n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

// `--lab 1.3` and the lab's own id must give the same default folders.
fs::path default_work(const Course& course, const Lab& lab) { return course.root / "build" / "grade" / lab.target_id(); }

std::string verdict_counts(const SubmissionGrade& g) {
  std::map<std::string, int> counts;
  for (const auto& t : g.tests) {
    if (t.verdict != GradeVerdict::kPassed) ++counts[grade_verdict_name(t.verdict)];
  }
  std::string s;
  for (const auto& [k, n] : counts) s += fmt::format("{}{} {}", s.empty() ? "" : ", ", k, n);
  return s;
}

void print_done(const SubmissionGrade& g, int done, int total) {
  const std::string score = fmt::format("{:>3}/{:<3}", g.score, g.max_score);
  const bool full = g.score == g.max_score && g.max_score > 0;
  const std::string verdict = g.graded ? grade_verdict_name(g.verdict) : "NOT GRADED (a grader problem; see its results.json)";
  const std::string counts = g.compiled ? verdict_counts(g) : "";
  fmt::print("[{:>{}}/{}] {:<24} {}  {:<17} {}{}\n", done, std::to_string(total).size(), total, g.learner,
             full ? out::green(score) : g.score == 0 ? out::red(score) : out::yellow(score),
             g.verdict == GradeVerdict::kPassed ? out::green(verdict) : out::red(verdict), counts.empty() ? "" : "(" + counts + ")  ",
             out::dim(fmt::format("{:.1f} s", g.seconds)));
  std::fflush(stdout);
}

GradeOptions options_from(const GradeArgs& a, const Course& course, const Lab& lab) {
  GradeOptions o;
  o.work = a.work.empty() ? default_work(course, lab) : fs::absolute(a.work);
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

int grade_gradescope(const GradeArgs& a, const std::optional<fs::path>& root) {
  fs::path ag = a.autograder_root;
  if (ag.empty()) {
    const char* env = std::getenv("AUTOGRADER_ROOT");
    ag = env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/autograder");
  }
  const fs::path results = ag / "results" / "results.json";
  auto write_failure = [&](const std::string& why) {
    // Gradescope needs a results.json even when grading itself failed; otherwise it shows only an error.
    json j = {{"score", 0},
              {"output", valid_utf8("The autograder could not grade this submission. This is not a verdict on your code; your "
                                    "instructor can see the details.\n\n" + why)},
              {"visibility", "visible"},
              {"stdout_visibility", "hidden"},
              {"tests", json::array()},
              {"extra_data", {{"error", valid_utf8(why)}}}};
    write_text_atomically(results, j.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  };
  try {
    const Course course = load_course(find_course_root(root));
    const Lab& lab = course.get(a.lab);
    const fs::path submission = ag / "submission";
    if (!fs::is_directory(submission)) {
      throw UserError(fmt::format("{} does not exist: is this running on Gradescope?", submission.string()), exit_code::kUsage);
    }
    GradeOptions o = options_from(a, course, lab);
    o.jobs = 1;
    o.hide = {ag};
    const std::vector<Submission> subs = {{"submission", submission}};
    fmt::print("conclab grade --gradescope: lab {} {}\n", lab.id, lab.title);
    const GradeRun run = grade_lab(course, lab, subs, o, [](const std::string& e) { fmt::print("  {}\n", e); }, print_done);
    if (run.submissions.empty()) {
      write_failure(run.interrupted ? "grading was interrupted" : "nothing was graded");
      return run.interrupted ? exit_code::kInterrupted : exit_code::kEnvironment;
    }
    write_text_atomically(results, gradescope_json(run, run.submissions[0]).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
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

int grade_class(const GradeArgs& a, const std::optional<fs::path>& root) {
  const Course course = load_course(find_course_root(root));
  const Lab& lab = course.get(a.lab);
  GradeOptions o = options_from(a, course, lab);

  if (a.prepare) {
    fmt::print("Preparing the scratch builds of lab {} in {}...\n", lab.id, o.work.string());
    const GradeRun run = grade_lab(course, lab, {}, o, [](const std::string& e) { fmt::print("  {}\n", e); }, nullptr, true);
    fmt::print("Ready: {} to grade ({} points), {}.\n", plural(static_cast<int>(run.tests.size()), "test"), run.max_score,
               run.tsan ? "with a ThreadSanitizer run" : "no ThreadSanitizer run");
    return exit_code::kOk;
  }
  if (a.submissions.empty()) {
    throw UserError("conclab grade needs --submissions DIR (one folder per learner), or --gradescope.", exit_code::kUsage);
  }
  const fs::path subs_dir = fs::absolute(a.submissions);
  std::vector<Submission> subs = discover_submissions(subs_dir);
  if (!a.only.empty()) {
    std::vector<Submission> kept;
    for (const auto& name : a.only) {
      auto it = std::find_if(subs.begin(), subs.end(), [&](const Submission& s) { return s.learner == name; });
      if (it == subs.end()) throw UserError(fmt::format("--only {}: there is no folder {} in {}.", name, name, subs_dir.string()), exit_code::kUsage);
      kept.push_back(*it);
    }
    subs = kept;
  }
  if (subs.empty()) {
    throw UserError(fmt::format("{} has no submission folders (one folder per learner is expected).", subs_dir.string()), exit_code::kUsage);
  }
  const fs::path out_dir = fs::absolute(a.out.empty() ? fs::path("grades") / lab.id : fs::path(a.out));
  const fs::path book = fs::absolute(a.gradebook.empty() ? fs::path("grades") / "gradebook.sqlite" : fs::path(a.gradebook));
  o.hide = {subs_dir, out_dir, book.parent_path()};

  const bool tsan = o.tsan && lab.needs_tsan();
  fmt::print("{}\n", out::bold(fmt::format("Grading lab {} {}: {}", lab.id, lab.title, plural(static_cast<int>(subs.size()), "submission"))));
  fmt::print("  {} per test{}, seed {}, timeout {} s per run\n", plural(o.repeat, "run"), tsan ? " + 1 ThreadSanitizer run" : "", o.seed,
             o.timeout_seconds > 0 ? o.timeout_seconds : lab.timeout_seconds);
  std::fflush(stdout);

  GradeRun run;
  try {
    run = grade_lab(course, lab, subs, o, [](const std::string& e) { fmt::print("  {}\n", out::dim(e)); std::fflush(stdout); }, print_done);
  } catch (const UserError& e) {
    if (e.exit_code() != exit_code::kEnvironment) throw;
    // The grader could not run at all: still leave a result for every learner, saying so (not a grade,
    // so nothing goes into the gradebook).
    write_grade_outputs(failed_run(lab, subs, e.what()), out_dir);
    std::cerr << out::red("The grader could not run: ") << e.what() << "\n"
              << fmt::format("Each learner's {} says so; nothing was added to the gradebook.\n", (out_dir / "<learner>/results.json").string());
    return exit_code::kEnvironment;
  }

  write_grade_outputs(run, out_dir);
  long long grading_id = 0;
  if (!a.no_gradebook && !run.submissions.empty()) grading_id = gradebook_record(book, run, subs_dir.string());

  std::map<std::string, int> verdicts;
  int full = 0, zero = 0;
  double total = 0;
  std::string not_graded;
  for (const auto& g : run.submissions) {
    if (!g.graded) not_graded += " --only " + g.learner;
  }
  for (const auto& g : run.submissions) {
    ++verdicts[grade_verdict_name(g.verdict)];
    full += g.score == g.max_score && g.max_score > 0 ? 1 : 0;
    zero += g.score == 0 ? 1 : 0;
    total += g.score;
  }
  const int n = static_cast<int>(run.submissions.size());
  std::string vs;
  for (const auto& [k, c] : verdicts) vs += fmt::format("{}{} {}", vs.empty() ? "" : ", ", k, c);
  fmt::print("\n{} in {:.0f} s ({} at once).\n", out::bold(fmt::format("Graded {} of lab {}", plural(n, "submission"), lab.id)), run.seconds,
             std::max(1, std::min<int>(o.jobs > 0 ? o.jobs : static_cast<int>(std::thread::hardware_concurrency()), static_cast<int>(subs.size()))));
  if (n > 0) {
    fmt::print("  scores: mean {:.1f}/{}, {} full marks, {} zero\n", total / n, run.max_score, full, zero);
    fmt::print("  verdicts: {}\n", vs);
  }
  fmt::print("  sandbox: {}\n", run.sandbox);
  fmt::print("  wrote {}/junit.xml, grades.csv, and <learner>/results.json for each\n", out_dir.string());
  if (grading_id > 0) fmt::print("  gradebook {} (run {}): conclab gradebook export --db {}\n", book.string(), grading_id, book.string());
  if (!not_graded.empty()) {
    fmt::print("{}\n", out::yellow(fmt::format("Some submissions were NOT graded because the grader failed on them (their results.json says why; "
                                               "they are not in the gradebook). Grade them again with:{}", not_graded)));
  }
  if (run.interrupted) {
    fmt::print("{}\n", out::yellow(fmt::format("Interrupted: {} of {} submissions were graded; the rest are not in the outputs.", n, subs.size())));
    return exit_code::kInterrupted;
  }
  return not_graded.empty() ? exit_code::kOk : exit_code::kEnvironment;
}

// `--lab 1.3` or `--lab parallel-sum` means the lab's id, as everywhere else, when a course is at hand;
// without one (a gradebook copied elsewhere) the text is taken as the id.
std::string lab_id_for_export(const std::string& lab, const std::optional<fs::path>& root) {
  if (lab.empty()) return lab;
  try {
    const Course course = load_course(find_course_root(root));
    return course.get(lab).id;
  } catch (const UserError&) {
    return lab;
  }
}

int gradebook_export_cmd(const GradebookArgs& e, const std::optional<fs::path>& root) {
  GradebookExport o;
  o.db = e.db;
  o.lab = lab_id_for_export(e.lab, root);
  o.format = e.format;
  o.history = e.history;
  const std::string text = gradebook_export(o);
  if (e.out.empty()) {
    fmt::print("{}", text);
  } else {
    write_text_atomically(e.out, text);
  }
  return exit_code::kOk;
}

}  // namespace

int GradeCommands::run(const std::optional<fs::path>& root) const {
  if (gradebook_export != nullptr && gradebook_export->parsed()) return gradebook_export_cmd(*export_args, root);
  if (grade_args->gradescope) return grade_gradescope(*grade_args, root);
  return grade_class(*grade_args, root);
}

}  // namespace conclab
