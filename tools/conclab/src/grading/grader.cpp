#include "grading/grade.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "app/errors.hpp"
#include "conclab/annotated_mutex.hpp"
#include "grading/scratch_course.hpp"
#include "grading/test_run.hpp"
#include "model/state.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace conclab::grading {

namespace {
// One extra run of a test (ThreadSanitizer, the explorer), in words.
std::string extra_run_text(const TsanRun& t, const char* not_in_build, const char* clean) {
  switch (t.state) {
    case TsanRun::State::kOff: return "off";
    case TsanRun::State::kNotRun: return "not run";
    case TsanRun::State::kAlreadyFailed: return "not run (the test already failed)";
    case TsanRun::State::kNotInBuild: return not_in_build;
    case TsanRun::State::kRan: return t.verdict == Verdict::kPassed ? clean : std::string(verdict_name(t.verdict, Wording::kGrade));
  }
  return "?";
}
}  // namespace

std::string tsan_text(const TsanRun& t) { return extra_run_text(t, "not in the ThreadSanitizer build", "clean"); }
std::string sim_text(const TsanRun& t) { return extra_run_text(t, "not a sim test", "every schedule passed"); }

std::string test_output_text(const TestGrade& t) {
  std::string s = t.summary;
  if (!t.message.empty()) s += "\n\n" + t.message;
  return s;
}

TestGrade unrun_test(const Lab& lab, const std::string& name, Verdict verdict, TsanRun tsan, std::string summary, std::string message) {
  TestGrade t;
  t.name = name;
  t.max_points = lab.points_for(name);
  t.verdict = verdict;
  t.tsan = tsan;
  t.summary = std::move(summary);
  t.message = std::move(message);
  return t;
}

namespace {

// Grades one submission in one scratch copy: collect its files, build, run every test `repeat` times, then the
// ThreadSanitizer pass, then points.
class SubmissionGrader {
 public:
  SubmissionGrader(ScratchCourse& scratch, const Plan& plan, const Submission& sub)
      : scratch_(scratch), lab_(scratch.lab()), plan_(plan), sub_(sub), start_(std::chrono::steady_clock::now()) {
    g_.learner = sub.learner;
  }

  SubmissionGrade grade() {
    Collected c;
    try {
      c = collect(sub_, lab_, scratch_.lab_rel());
    } catch (const std::exception& e) {
      g_.notes.push_back(fmt::format("could not read the submission: {}", e.what()));
      return no_compile(fmt::format("the submission could not be read: {}", e.what()));
    }
    g_.notes = c.notes;
    std::uint64_t h = kFnvBasis;
    for (const auto& [name, text] : c.files) h = fnv1a(fnv1a(h, name), text);
    g_.files_hash = fmt::format("{:016x}", h);
    if (!c.refused.empty()) return no_compile(c.refused);
    scratch_.restore_pristine();
    scratch_.put_files(c.files);
    std::string error;
    const auto built = scratch_.build_checked(BuildKind::kDefault, error);
    if (built == ScratchCourse::Built::kNoCompile) return no_compile(error);
    if (built == ScratchCourse::Built::kGraderError) return grader_error(error);
    g_.compiled = true;
    TestRunner runner(scratch_, plan_);
    run_normal_build(runner);
    if (!run_tsan_build(runner)) return finish();
    if (!run_sim_build(runner)) return finish();
    for (auto& t : g_.tests) {
      t.points = t.verdict == Verdict::kPassed && t.passed_runs == plan_.repeat ? t.max_points : 0;
      if (t.summary.empty()) t.summary = TestRunner::summary_of(t, plan_);
    }
    return finish();
  }

 private:
  // Phase 1: every test, `repeat` times, in the normal build. A program that hangs before its first test would
  // hang before every test: the rest are not run one by one.
  void run_normal_build(TestRunner& runner) {
    std::optional<std::string> startup_hang;
    for (const auto& name : plan_.tests) {
      if (interrupted().load()) break;
      TestGrade t;
      t.name = name;
      t.max_points = lab_.points_for(name);
      if (startup_hang) {
        t.verdict = Verdict::kHang;
        t.message = *startup_hang;
        t.summary = "timeout: the program hangs before any test starts, so this test was not run on its own";
        g_.tests.push_back(std::move(t));
        continue;
      }
      runner.run_repeats(t);
      if (t.runs == 1 && t.verdict == Verdict::kHang && !runner.first_run_started() && &name == &plan_.tests.front()) startup_hang = t.message;
      g_.tests.push_back(std::move(t));
    }
  }

  // Phase 2: ThreadSanitizer, for each test that passed every time. The TSan build is only made when some test
  // needs it, which saves most of its cost on submissions that fail anyway. False: the grader failed.
  bool run_tsan_build(TestRunner& runner) {
    std::vector<TestGrade*> eligible;
    for (auto& t : g_.tests) {
      if (!plan_.tsan) {
        t.tsan = {TsanRun::State::kOff};
      } else if (t.runs == 0 || t.passed_runs != plan_.repeat) {
        t.tsan = {TsanRun::State::kAlreadyFailed};
      } else if (!plan_.tsan_tests.contains(t.name)) {
        t.tsan = {TsanRun::State::kNotInBuild};
      } else {
        eligible.push_back(&t);
      }
    }
    if (eligible.empty() || interrupted().load()) return true;
    const ExtraBuild built =
        build_extra(BuildKind::kTsan, &TestGrade::tsan, eligible, "ThreadSanitizer", "The ThreadSanitizer build of the code failed:\n");
    if (built == ExtraBuild::kRun) runner.run_tsan(eligible);
    return built != ExtraBuild::kGraderError;
  }

  // Phase 3: the explorer, for each sim test that passed so far: every schedule up to the bound, once.
  bool run_sim_build(TestRunner& runner) {
    std::vector<TestGrade*> eligible;
    for (auto& t : g_.tests) {
      if (!plan_.sim) {
        t.sim = {TsanRun::State::kOff};
      } else if (!plan_.sim_tests.contains(t.name)) {
        t.sim = {TsanRun::State::kNotInBuild};
      } else if (t.verdict != Verdict::kPassed || t.passed_runs != plan_.repeat) {
        t.sim = {TsanRun::State::kAlreadyFailed};
      } else {
        eligible.push_back(&t);
      }
    }
    if (eligible.empty() || interrupted().load()) return true;
    if (const auto blind = scratch_.sim_blind_spots(); !blind.empty()) {
      mark(eligible, &TestGrade::sim, Verdict::kFailed, "The sim tests were not run: " + join(blind, "\n"));
      return true;
    }
    const ExtraBuild built = build_extra(BuildKind::kSim, &TestGrade::sim, eligible, "sim",
                                         "The sim build of the code failed (a sim lab's code must use conclab::sync):\n");
    if (built == ExtraBuild::kRun) runner.run_sim(eligible);
    return built != ExtraBuild::kGraderError;
  }

  // The build of an extra run (ThreadSanitizer, the explorer) for its eligible tests: kRun, or the tests are
  // marked as not compiling there, or the grader failed (the submission is marked: stop grading it).
  enum class ExtraBuild { kRun, kMarked, kGraderError };
  ExtraBuild build_extra(BuildKind kind, TsanRun TestGrade::*run, const std::vector<TestGrade*>& eligible, const std::string& name,
                         const std::string& no_compile) {
    std::string error;
    const auto built = scratch_.build_checked(kind, error);
    if (built == ScratchCourse::Built::kGraderError) {
      grader_error("(" + name + " build) " + error);
      return ExtraBuild::kGraderError;
    }
    if (built == ScratchCourse::Built::kOk) return ExtraBuild::kRun;
    mark(eligible, run, Verdict::kNoCompile, no_compile + error);
    return ExtraBuild::kMarked;
  }

  static void mark(const std::vector<TestGrade*>& tests, TsanRun TestGrade::*run, Verdict verdict, const std::string& message) {
    for (TestGrade* t : tests) {
      t->*run = {TsanRun::State::kRan, verdict};
      t->verdict = worse(t->verdict, verdict);
      t->message = message;
    }
  }

  SubmissionGrade finish() {
    g_.max_score = 0;
    g_.score = 0;
    g_.verdict = !g_.graded ? Verdict::kNotRun : g_.compiled ? Verdict::kPassed : Verdict::kNoCompile;
    for (const auto& t : g_.tests) {
      g_.max_score += t.max_points;
      g_.score += t.points;
      if (g_.compiled) g_.verdict = worse(g_.verdict, t.verdict);
    }
    g_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return g_;
  }

  SubmissionGrade no_compile(const std::string& error) {
    g_.compiled = false;
    g_.compile_error = error;
    for (const auto& name : plan_.tests) {
      g_.tests.push_back(unrun_test(lab_, name, Verdict::kNoCompile, {plan_.tsan ? TsanRun::State::kNotRun : TsanRun::State::kOff},
                                    "does not compile: no test could run", error));
    }
    return finish();
  }

  // The grader, not the code, failed: no score at all, and the instructor is told to grade it again.
  SubmissionGrade grader_error(const std::string& why) {
    g_.graded = false;
    g_.compiled = false;
    g_.compile_error = "The grader could not build this submission (a problem of the grading machine, not of the code):\n" + why;
    g_.notes.push_back("NOT GRADED because of a grader problem; grade it again with --only " + g_.learner);
    g_.tests.clear();
    for (const auto& name : plan_.tests) {
      g_.tests.push_back(unrun_test(lab_, name, Verdict::kNotRun, {TsanRun::State::kNotRun}, "not run: the grader failed", g_.compile_error));
    }
    return finish();
  }

  ScratchCourse& scratch_;
  const Lab& lab_;
  const Plan& plan_;
  const Submission& sub_;
  std::chrono::steady_clock::time_point start_;
  SubmissionGrade g_;
};

// Every existing folder on the way to `path` lets others through (o+x).
bool others_can_enter(const fs::path& path) {
  fs::path p;
  for (const auto& part : fs::absolute(path).lexically_normal()) {
    p /= part;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) break;  // the rest will be created, 0755
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_IXOTH) == 0) return false;
  }
  return true;
}

// Holds the work folder for this run: two graders sharing one would build over each other.
class WorkLock {
 public:
  explicit WorkLock(const fs::path& work) {
    fs::create_directories(work);
    fd_ = ::open((work / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      throw UserError(fmt::format("Another `conclab grade` is using {}. Wait for it to finish, or give this one its own --work folder.",
                                  work.string()),
                      exit_code::kUsage);
    }
  }
  ~WorkLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  WorkLock(const WorkLock&) = delete;
  WorkLock& operator=(const WorkLock&) = delete;

 private:
  int fd_ = -1;
};


// The scratch folder: root grades as unprivileged users, which must be able to reach the scratch copies.
fs::path work_folder(const Course& course, const Lab& lab, const GradeOptions& options, const Sandbox& sandbox, const GradeProgress& progress) {
  if (!sandbox.switch_uid || others_can_enter(options.work)) return options.work;
  if (!options.work_is_default) {
    throw UserError(fmt::format("The scratch folder {} is inside a folder other users cannot enter, and the grader runs submissions as "
                                "an unprivileged user. Give --work a folder under one they can (e.g. /var/tmp/conclab-grade).",
                                options.work.string()),
                    exit_code::kUsage);
  }
  const fs::path work = fs::path("/var/tmp/conclab-grade") / fmt::format("{:016x}", fnv1a(kFnvBasis, course.root.string())) / lab.target_id();
  if (progress) progress(fmt::format("scratch builds in {} (the course folder is closed to other users)", work.string()));
  return work;
}

// Prepares every slot at once (each configures and builds the starter in its own copy); the plan's tests come
// from the first.
void prepare_all(std::vector<std::unique_ptr<ScratchCourse>>& pool, const std::vector<BuildKind>& kinds, Plan& plan,
                 const GradeProgress& progress) {
  std::vector<std::exception_ptr> errors(pool.size());
  std::vector<Plan> plans(pool.size());
  Mutex progress_mu;
  const GradeProgress locked_progress = [&](const std::string& e) {
    MutexLock l(progress_mu);
    if (progress) progress(e);
  };
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          pool[i]->prepare(kinds, plans[i], locked_progress);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  plan.tests = plans[0].tests;
  plan.tsan_tests = plans[0].tsan_tests;
  plan.sim_tests = plans[0].sim_tests;
}

// Each slot takes the next submission until none is left; results keep the submissions' order.
std::vector<std::optional<SubmissionGrade>> grade_all(std::vector<std::unique_ptr<ScratchCourse>>& pool, const std::vector<Submission>& submissions,
                                                      const Plan& plan, const GradeDone& done) {
  std::vector<std::optional<SubmissionGrade>> results(submissions.size());
  std::atomic<std::size_t> next{0};
  Mutex done_mu;
  int finished = 0;  // guarded by done_mu
  std::vector<std::exception_ptr> errors(pool.size());
  {
    std::vector<std::jthread> workers;
    for (std::size_t s = 0; s < pool.size(); ++s) {
      workers.emplace_back([&, s] {
        try {
          while (!interrupted().load()) {
            const std::size_t i = next.fetch_add(1);
            if (i >= submissions.size()) return;
            SubmissionGrade g = SubmissionGrader(*pool[s], plan, submissions[i]).grade();
            if (interrupted().load()) return;  // half-graded: leave it out rather than record a wrong score
            MutexLock l(done_mu);
            results[i] = std::move(g);
            ++finished;
            if (done) done(*results[i], finished, static_cast<int>(submissions.size()));
          }
        } catch (...) {
          errors[s] = std::current_exception();
        }
      });
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return results;
}

}  // namespace

GradeRun failed_run(const Lab& lab, const std::vector<Submission>& submissions, const std::string& why) {
  GradeRun run;
  run.lab_id = lab.id;
  run.lab_title = lab.title;
  run.graded_at = utc_now();
  for (const auto& [name, pts] : lab.points) {
    run.tests.push_back(name);
    run.max_score += pts;
  }
  for (const auto& s : submissions) {
    SubmissionGrade g;
    g.learner = s.learner;
    g.graded = false;
    g.compile_error = why;
    g.verdict = Verdict::kNotRun;
    g.notes.push_back("not graded: " + why);
    for (const auto& name : run.tests) {
      g.tests.push_back(unrun_test(lab, name, Verdict::kNotRun, {TsanRun::State::kNotRun}, "not run: the grader could not run", why));
      g.max_score += g.tests.back().max_points;
    }
    run.submissions.push_back(std::move(g));
  }
  return run;
}

GradeRun grade_lab(const Course& course, const Lab& lab, const std::vector<Submission>& submissions, const GradeOptions& options,
                   const GradeProgress& progress, const GradeDone& done, bool prepare_only) {
  const auto start = std::chrono::steady_clock::now();
  GradeRun run;
  run.lab_id = lab.id;
  run.lab_title = lab.title;
  run.graded_at = utc_now();
  run.repeat = options.repeat;
  run.seed = options.seed;
  run.tsan = options.tsan && lab.needs_tsan();
  run.sim = lab.needs_sim();

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int slots = options.jobs > 0 ? options.jobs : cores;
  if (!prepare_only) slots = std::min<int>(slots, static_cast<int>(std::max<std::size_t>(1, submissions.size())));
  slots = std::clamp(slots, 1, 32);

  Sandbox sandbox = detect_sandbox(options.sandbox, slots);
  sandbox.hide = options.hide;
  sandbox.hide.push_back(course.root);
  run.sandbox = sandbox.description;
  run.sandboxed = sandbox.kind == SandboxKind::kBubblewrap;
  if (progress) progress("sandbox: " + sandbox.description);

  const fs::path work = work_folder(course, lab, options, sandbox, progress);
  WorkLock lock(work);
  Monitor monitor;
  std::vector<std::unique_ptr<ScratchCourse>> pool;
  for (int i = 0; i < slots; ++i) {
    pool.push_back(std::make_unique<ScratchCourse>(i, work / fmt::format("s{}", i + 1), course, lab, sandbox, monitor, options));
  }
  Plan plan;
  plan.tsan = run.tsan;
  plan.sim = run.sim;
  plan.repeat = std::max(1, options.repeat);
  plan.seed = options.seed;
  std::vector<BuildKind> kinds = {BuildKind::kDefault};
  if (plan.tsan) kinds.push_back(BuildKind::kTsan);
  if (plan.sim) kinds.push_back(BuildKind::kSim);
  prepare_all(pool, kinds, plan, progress);
  if (interrupted().load()) {
    run.interrupted = true;
    return run;
  }
  run.tests = plan.tests;
  for (const auto& t : plan.tests) run.max_score += lab.points_for(t);
  if (!prepare_only) {
    for (auto& r : grade_all(pool, submissions, plan, done)) {
      if (r) run.submissions.push_back(std::move(*r));
    }
  }
  run.interrupted = interrupted().load();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace conclab::grading
