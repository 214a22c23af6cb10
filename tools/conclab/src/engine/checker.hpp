// Checking one implementation of a lab: build it, run its graded tests (and under ThreadSanitizer when the
// lab asks), and turn what happened into one verdict a learner understands.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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
  bool build = true;                // false: use programs already built (maint verify)
  bool tsan = true;                 // run the TSan build when the lab's sanitizers include "thread"
  bool sim = true;                  // run the sim tests under the explorer when the lab says `sim = true`
  std::optional<BuildKind> only;    // run this tree only, whatever the lab asks (maint verify of one tree)
  std::filesystem::path only_tree;  // with `only`: that tree's folder, when it is not build/<preset>
  bool skip_sim_tests = false;      // outside the sim tree, skip the CONCLAB_SIM_TESTs (SuiteOptions)...
  std::vector<std::string> sim_tests_kept;  // ...but those lab.toml names for the tree
};

// The name a check gives the sim run it refused because the code uses std's primitives (sim_blind_spots): a
// wrong variant's lab.toml can name it in fails_sim.
inline constexpr std::string_view kSimBlindSpotTest = "SimCheck.UsesConclabSync";

// A sim test's report says "conclab explore <lab> ..." (the test program does not know its lab): with the id.
std::string name_the_lab(std::string text, const std::string& lab_id);

// The learner's files of a sim lab that use std's primitives where the explorer needs conclab::sync's:
// one sentence per use (empty when there are none, or the lab has no sim tests).
std::vector<std::string> sim_blind_spots(const Course& course, const Lab& lab, const std::string& who);

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options);

// The lab's verdict from its test results: the worst of them (a test that never ran counts as failed).
Verdict verdict_of(const std::vector<BuildRun>& runs);

}  // namespace conclab
