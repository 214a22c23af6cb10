// Runs a GoogleTest binary and decides, from outside, what happened to every test.
//
// The verdict never rests on the binary's own report alone: exit status, signals and the clock are
// watched by the parent; the "[ RUN ]" / "[ OK ]" lines only say which test was running when.
//   1. Run the whole binary once, under the timeout.
//   2. A test that was running when the process crashed or hung gets that verdict; tests that never
//      started are then run one by one, each in a fresh process, so each gets its own verdict.
//   3. Under ThreadSanitizer, if any report appeared, every test is re-run in its own process: TSan
//      reports a given race once per process, so only isolation says which tests race.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "process.hpp"

namespace conclab {

enum class Outcome { kPassed, kFailed, kRace, kHang, kCrash, kNotRun };

// "passed", "failed", "data race", "hang", "crash", "not run"
std::string outcome_name(Outcome o);

struct TestResult {
  std::string name;              // "Suite.Test"
  Outcome outcome = Outcome::kNotRun;
  std::string message;           // what the learner should read: the assertion, the race, the stacks
  double seconds = 0;
};

struct SuiteOptions {
  std::filesystem::path binary;
  std::filesystem::path root;                      // paths under it are shown relative to it
  std::vector<std::string> preferred_files;        // frames in these files are shown first (the learner's)
  std::chrono::seconds timeout{30};
  bool tsan = false;
  bool take_stacks = true;                          // on a hang, attach gdb (when present) for the stacks
  std::vector<std::string> only;                    // run just these tests (empty: all)
  // Lets the grader wrap the command (sandbox, limits). Receives options ready to run.
  std::function<ProcessResult(const ProcessOptions&)> launch;
};

struct SuiteResult {
  std::vector<TestResult> tests;
  bool broken = false;        // the binary could not even list its tests (crash at start-up, missing)
  std::string broken_message;
  int processes = 0;          // how many times the binary was started
};

SuiteResult run_suite(const SuiteOptions& options);

// --- pieces, exposed for the unit tests ---

std::vector<std::string> parse_test_list(const std::string& gtest_list_output);

// One test's slice of the output.
struct Segment {
  std::string name;
  std::string text;       // everything between its RUN line and its end line
  bool finished = false;  // saw OK / FAILED / SKIPPED
  bool passed = false;
};
// Splits gtest output into per-test segments; `before` gets text outside any test.
std::vector<Segment> split_output(const std::string& output, std::string* outside = nullptr);

// A short, readable form of the ThreadSanitizer reports in `text` (empty when there are none).
std::string summarize_tsan(const std::string& text, const std::filesystem::path& root,
                           const std::vector<std::string>& preferred_files);

// A short form of gdb's "thread apply all bt": per thread, what it waits for and where in course code.
std::string summarize_stacks(const std::string& gdb_output, const std::filesystem::path& root,
                             const std::vector<std::string>& preferred_files);

// Assertion failure text with absolute paths made relative and noise trimmed.
std::string tidy_failure(const std::string& text, const std::filesystem::path& root);

}  // namespace conclab
