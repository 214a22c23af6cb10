// Runs a GoogleTest program and decides, from outside, what happened to every test.
//
// The verdict never rests on the program's own report alone: exit status, signals and the clock are
// watched by the parent; the "[ RUN ]" / "[ OK ]" lines only say which test was running when.
//   1. Run the whole program once, under the timeout.
//   2. A test that was running when the process crashed or hung gets that verdict; tests that never
//      started are then run one by one, each in a fresh process, so each gets its own verdict.
//   3. Under ThreadSanitizer, TSan reports a given race once per process: a test that passed after the
//      first report may have had its race hidden, so each such test is re-run in its own process (a test
//      whose own output holds a report has its verdict; so do the tests before the first report).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/process.hpp"
#include "engine/verdict.hpp"

namespace conclab {

struct TestResult {
  std::string name;                  // "Suite.Test"
  Verdict verdict = Verdict::kNotRun;
  std::string message;               // what the learner should read: the assertion, the race, the stacks
  double seconds = 0;
};

struct SuiteOptions {
  std::filesystem::path binary;
  std::filesystem::path root;                // paths under it are shown relative to it
  std::vector<std::string> preferred_files;  // frames in these files are shown first (the learner's)
  std::chrono::seconds timeout{30};
  bool tsan = false;
  bool take_stacks = true;                   // on a hang, attach gdb (when present) for the stacks
  std::vector<std::string> only;             // run just these tests (empty: all)
  // Outside the sim tree a CONCLAB_SIM_TEST is only a stress test, which a buggy variant fails in some runs and
  // not others: skip them (CONCLAB_SKIP_SIM_TESTS) where a variant must fail an exact set every run.
  bool skip_sim_tests = false;
  std::vector<std::string> sim_tests_kept;  // ...except these (lab.toml names them for this tree)
  // Lets a caller wrap the command (a sandbox, limits). Receives options ready to run.
  std::function<ProcessResult(const ProcessOptions&)> launch;
};

struct SuiteResult {
  std::vector<TestResult> tests;
  bool broken = false;        // the program could not even list its tests (crash at start-up, missing)
  std::string broken_message;
  int processes = 0;          // how many times the program was started
};

SuiteResult run_suite(const SuiteOptions& options);

// The environment every run of a test program gets (colour off, ThreadSanitizer's options).
void set_test_environment(ProcessOptions& p);

}  // namespace conclab
