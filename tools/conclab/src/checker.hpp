// Checking one implementation of a lab: build it, run its graded tests (and under ThreadSanitizer when the
// lab asks), and turn what happened into one verdict a learner understands.
#pragma once

#include <string>
#include <vector>

#include "builder.hpp"
#include "course.hpp"
#include "gtest_runner.hpp"

namespace conclab {

// Worst first: a crash hides everything after it, a hang hides the rest of its test, and so on.
enum class Verdict { kPassed, kFailed, kRace, kHang, kCrash, kNoCompile, kBroken };

std::string verdict_name(Verdict v);       // "passed", "failed", "data race", "deadlock or hang", ...
std::string verdict_lesson(Verdict v);     // one or two sentences that teach what the verdict means
Verdict verdict_of(Outcome o);

struct BuildRun {
  std::string preset;  // "default" or "tsan"
  BuildResult build;
  SuiteResult suite;
  bool ran = false;
};

struct CheckReport {
  std::string lab_id;
  std::string who;          // "learner", "naive", "improved", "final"
  Verdict verdict = Verdict::kPassed;
  std::vector<BuildRun> runs;
  std::string compile_error;
  std::string compile_preset;
  double seconds = 0;
  bool interrupted = false;

  int count(Outcome o) const;
  std::vector<const TestResult*> problems() const;  // every non-passing test result, in run order
};

struct CheckOptions {
  bool build = true;            // false: use binaries already built (maint verify)
  std::filesystem::path default_tree;  // when set: the tree to use instead of build/default
  bool tsan = true;             // run the TSan build when the lab's sanitizers include "thread"
  bool force_tsan_only = false; // run only the TSan build (maint verify of a tsan tree)
};

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options);

}  // namespace conclab
