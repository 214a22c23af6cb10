// `conclab grade`: grading a class's submissions of one lab, fairly and repeatably, without trusting them.
//
// How a submission is graded (docs/grading.md explains each choice):
//   1. Only the files lab.toml lists as editable are taken from the submission (grading/submission.hpp), and
//      compiled against the course's own tests and build files, in a scratch copy of the course that holds
//      this one lab and no solutions/ (grading/scratch_course.hpp). One scratch copy per job slot is
//      configured once and reused: a submission costs one incremental build per build type.
//   2. The build runs in the sandbox too, seeing only the scratch copy and the system, so
//      `#include "/abs/path/solutions/..."` finds nothing. Headers from outside the scratch copy and the
//      system folders are refused even without the sandbox (checked from the build's dependency list).
//   3. Every (test, repeat) runs in a fresh process, in the sandbox (grading/sandbox.hpp), under a wall-clock
//      timeout that kills the whole process tree (grading/test_run.hpp). The verdict comes from what the
//      grader sees from outside: exit status, signal, time, the watchdog (grading/monitor.hpp). Printed output
//      is only used for messages. A pass also needs a confirmation line from the grader's witness
//      (grading/witness.hpp), carrying a secret the learner's code cannot read.
//   4. A test earns its points (lab.toml [points], default 1) only if every repeat passed and, when the lab
//      uses ThreadSanitizer, its TSan run was clean.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/verdict.hpp"
#include "grading/submission.hpp"
#include "model/course.hpp"

namespace conclab::grading {

struct GradeOptions {
  fs::path work;                // scratch course copies, one per slot (reused across runs when unchanged)
  bool work_is_default = false; // the grader may move it when the unprivileged grading user cannot enter it
  int repeat = 3;               // runs of each test in the normal build
  bool tsan = true;             // plus one ThreadSanitizer run per test, when the lab lists "thread"
  int jobs = 0;                 // slots graded at once; 0: one per core
  std::uint64_t seed = 1;       // --gtest_random_seed of run r is derived from it: the same inputs every time
  std::string sandbox = "auto"; // auto | bwrap | none
  int memory_mb = 2048;         // memory per run (ThreadSanitizer runs: twice this)
  int timeout_seconds = 0;      // per run; 0: the lab's timeout
  std::vector<fs::path> hide;   // folders the sandbox must not show (course, submissions, outputs)
};

// What happened to a test's ThreadSanitizer run.
struct TsanRun {
  enum class State {
    kOff,            // the grade has no ThreadSanitizer run
    kNotRun,         // nothing ran (the code did not compile, the grader failed)
    kAlreadyFailed,  // not run: the test already failed in the normal build
    kNotInBuild,     // the test is not in the ThreadSanitizer build
    kRan,            // ran: `verdict` (kPassed: clean)
  };
  State state = State::kOff;
  Verdict verdict = Verdict::kNotRun;
};
// "off", "not run", "not run (the test already failed)", "not in the ThreadSanitizer build", "clean", or a verdict.
std::string tsan_text(const TsanRun& t);
// The same for the explorer: "off", ..., "not a sim test", "every schedule passed", or a verdict.
std::string sim_text(const TsanRun& t);

struct TestGrade {
  std::string name;                  // "Suite.Test"
  int max_points = 1;
  int points = 0;
  Verdict verdict = Verdict::kNotRun;
  int runs = 0;                      // normal-build runs made
  int passed_runs = 0;
  std::vector<Verdict> run_verdicts; // per normal-build run, in order
  TsanRun tsan;
  TsanRun sim;                       // the same states, for the explorer's run of a sim test
  std::string summary;               // "passed 2/3 runs: likely a race (...); ThreadSanitizer: not run"
  std::string message;               // what to read: the first failure, trimmed
  double seconds = 0;
};

struct SubmissionGrade {
  std::string learner;
  bool graded = true;                    // false: the grader failed (not the code); no score, re-grade it
  bool compiled = false;
  std::string compile_error;
  std::vector<TestGrade> tests;
  int score = 0;
  int max_score = 0;
  Verdict verdict = Verdict::kNotRun;    // the worst test verdict
  std::vector<std::string> notes;        // where files came from, missing files, suspicious code
  std::string files_hash;                // of the graded files, to spot identical submissions
  double seconds = 0;
};

struct GradeRun {
  std::string lab_id;
  std::string lab_title;
  std::string graded_at;          // ISO-8601 UTC
  int repeat = 3;
  bool tsan = false;              // a ThreadSanitizer run was part of the grade
  bool sim = false;               // the explorer ran the lab's sim tests as part of the grade
  std::uint64_t seed = 1;
  std::string sandbox;            // description, for the record
  bool sandboxed = false;         // bubblewrap was used
  std::vector<std::string> tests; // the graded tests, in the order of the test program
  int max_score = 0;
  std::vector<SubmissionGrade> submissions;
  double seconds = 0;
  bool interrupted = false;
};

using GradeProgress = std::function<void(const std::string& event)>;  // preparation steps
using GradeDone = std::function<void(const SubmissionGrade&, int done, int total)>;

// Prepares the scratch course copies (configure, build the starter, list the tests). `prepare_only` stops
// there: `scripts/make-autograder.sh` does it once in setup.sh so each Gradescope run starts warm.
GradeRun grade_lab(const Course& course, const Lab& lab, const std::vector<Submission>& submissions, const GradeOptions& options,
                   const GradeProgress& progress, const GradeDone& done, bool prepare_only = false);

// A run where nothing could be graded (the environment broke): every submission gets 0 with `why`.
GradeRun failed_run(const Lab& lab, const std::vector<Submission>& submissions, const std::string& why);

// The first line (or a short paragraph) for a learner: "passed 3/3 runs; ThreadSanitizer: clean".
std::string test_output_text(const TestGrade& t);

// A test that got no run of its own (the code did not compile, or the grader failed): zero points.
TestGrade unrun_test(const Lab& lab, const std::string& name, Verdict verdict, TsanRun tsan, std::string summary, std::string message);

}  // namespace conclab::grading
