#include "engine/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace conclab {

namespace fs = std::filesystem;

int CheckReport::count(Verdict v) const {
  int n = 0;
  for (const auto& run : runs) {
    for (const auto& t : run.suite.tests) n += t.verdict == v ? 1 : 0;
  }
  return n;
}

std::vector<const TestResult*> CheckReport::problems() const {
  std::vector<const TestResult*> out;
  for (const auto& run : runs) {
    for (const auto& t : run.suite.tests) {
      if (t.verdict != Verdict::kPassed) out.push_back(&t);
    }
  }
  return out;
}

Verdict verdict_of(const std::vector<BuildRun>& runs) {
  Verdict v = Verdict::kPassed;
  for (const auto& run : runs) {
    if (run.suite.broken) v = worse(v, Verdict::kCrash);
    for (const auto& t : run.suite.tests) v = worse(v, t.verdict == Verdict::kNotRun ? Verdict::kFailed : t.verdict);
  }
  return v;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Builds every tree's target at once (on two cores the TSan build costs little extra wall time). False when
// the report is already final: interrupted, or the code did not compile.
bool build_all(const Course& course, const std::string& target, CheckReport& report) {
  std::vector<std::thread> builders;
  for (auto& run : report.runs) {
    builders.emplace_back([&course, &run, &target] { run.build = build_targets(course.root, run.kind, {target}); });
  }
  for (auto& b : builders) b.join();
  for (auto& run : report.runs) {
    if (run.build.interrupted) {
      report.interrupted = true;
      report.verdict = Verdict::kBroken;
      return false;
    }
    if (!run.build.ok) {
      report.verdict = run.build.configure_failed ? Verdict::kBroken : Verdict::kNoCompile;
      report.compile_error = run.build.first_error;
      report.compile_kind = run.kind;
      return false;
    }
  }
  return true;
}

void run_all(const Course& course, const Lab& lab, const std::string& target, const CheckOptions& options, CheckReport& report) {
  for (auto& run : report.runs) {
    SuiteOptions so;
    const fs::path tree = run.kind == BuildKind::kDefault && !options.default_tree.empty() ? options.default_tree
                                                                                           : build_dir(course.root, run.kind);
    so.binary = target_binary(tree, target);
    so.root = course.root;
    so.preferred_files = lab.preferred_files();
    so.timeout = std::chrono::seconds(lab.timeout_seconds);
    so.tsan = run.kind == BuildKind::kTsan;
    run.suite = run_suite(so);
    run.ran = true;
    if (interrupted().load()) {
      report.interrupted = true;
      return;
    }
    // A hang would only hang again under TSan, and cost another timeout.
    const auto& tests = run.suite.tests;
    if (std::any_of(tests.begin(), tests.end(), [](const TestResult& t) { return t.verdict == Verdict::kHang; })) return;
  }
}

}  // namespace

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  CheckReport report;
  report.lab_id = lab.id;
  report.who = who;
  const std::string target = lab.target(who);
  if (!options.force_tsan_only) report.runs.push_back(BuildRun{BuildKind::kDefault, {}, {}, false});
  if (options.force_tsan_only || (options.tsan && lab.needs_tsan())) report.runs.push_back(BuildRun{BuildKind::kTsan, {}, {}, false});

  if (options.build) {
    if (!build_all(course, target, report)) {
      report.seconds = seconds_since(start);
      return report;
    }
  } else {
    for (auto& run : report.runs) run.build.ok = true;
  }
  run_all(course, lab, target, options, report);
  report.verdict = verdict_of(report.runs);
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace conclab
