// Running one submission's tests in its scratch copy: each (test, repeat) in a fresh sandboxed process, and
// what each run's end means. The verdict comes from outside (exit status, signal, clock, the watchdog) and a
// pass needs the witness's confirmation; printed output only feeds the messages.
#pragma once

#include <string>
#include <vector>

#include "grading/scratch_course.hpp"

namespace conclab::grading {

class TestRunner {
 public:
  TestRunner(ScratchCourse& scratch, const Plan& plan) : scratch_(scratch), plan_(plan) {}

  // Runs `t` `plan.repeat` times in the normal build (fewer when a run hits a limit that it would hit again).
  void run_repeats(TestGrade& t);
  // Whether the first run of the last run_repeats() got as far as its test's start line.
  bool first_run_started() const { return first_run_started_; }

  // The ThreadSanitizer pass over the tests that passed every normal run. One process runs them all first
  // (TSan's start-up is the expensive part); unless it was clean from start to end, each is run again alone,
  // and those runs decide: a race is only ever pinned on a test by its own run.
  void run_tsan(const std::vector<TestGrade*>& eligible);
  // Each eligible sim test once under the explorer; a failing schedule fails the test (its report is the message).
  void run_sim(const std::vector<TestGrade*>& eligible);

  // "passed 2/3 runs (failed 1): the result depends on timing, likely a race; ThreadSanitizer: clean"
  static std::string summary_of(const TestGrade& t, const Plan& plan);

 private:
  struct OneRun {
    Verdict verdict = Verdict::kNotRun;
    std::string message;
    double seconds = 0;
    bool started = false;  // the test's own start line was printed
  };
  OneRun run_test(BuildKind kind, const std::string& test, int repeat_index);
  OneRun classify(const RunResult& r, const std::string& test, const std::string& token, bool tsan, const Limits& l) const;
  bool tsan_all_clean(const std::vector<TestGrade*>& eligible);

  ScratchCourse& scratch_;
  const Plan& plan_;
  bool first_run_started_ = true;
};

}  // namespace conclab::grading
