// Checking one implementation of a lab: build it, run its graded tests (and under ThreadSanitizer when the
// lab asks), and turn what happened into one verdict a learner understands.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/build.hpp"
#include "engine/test_runner.hpp"
#include "engine/verdict.hpp"
#include "model/course.hpp"

namespace conclab {

struct BuildRun {
  BuildKind kind = BuildKind::kDefault;
  BuildResult build;
  SuiteResult suite;
  bool ran = false;
};

struct CheckReport {
  std::string lab_id;
  std::string who;          // "learner", "starter", "naive", "improved", "final"
  Verdict verdict = Verdict::kPassed;
  std::vector<BuildRun> runs;
  std::string compile_error;
  BuildKind compile_kind = BuildKind::kDefault;
  double seconds = 0;
  bool interrupted = false;

  int count(Verdict v) const;
  std::vector<const TestResult*> problems() const;  // every non-passing test result, in run order
};

struct CheckOptions {
  bool build = true;                   // false: use programs already built (maint verify)
  std::filesystem::path default_tree;  // when set: the tree to use instead of build/default
  bool tsan = true;                    // run the TSan build when the lab's sanitizers include "thread"
  bool force_tsan_only = false;        // run only the TSan build (maint verify of a tsan tree)
};

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options);

// The lab's verdict from its test results: the worst of them (a test that never ran counts as failed).
Verdict verdict_of(const std::vector<BuildRun>& runs);

}  // namespace conclab
