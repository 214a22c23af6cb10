#include "checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace conclab {

namespace fs = std::filesystem;

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kPassed: return "passed";
    case Verdict::kFailed: return "failed";
    case Verdict::kRace: return "data race";
    case Verdict::kHang: return "deadlock or hang";
    case Verdict::kCrash: return "crash";
    case Verdict::kNoCompile: return "does not compile";
    case Verdict::kBroken: return "broken build";
  }
  return "?";
}

std::string verdict_lesson(Verdict v) {
  switch (v) {
    case Verdict::kPassed: return "Every graded test passed.";
    case Verdict::kFailed:
      return "A test saw a wrong result. Read its message: it says what was expected and what it means.";
    case Verdict::kRace:
      return "ThreadSanitizer saw two threads touch the same memory, at least one writing, with nothing ordering "
             "them. That is undefined behaviour even when the answer looks right: protect the access with a mutex, "
             "make it atomic, or stop sharing it.";
    case Verdict::kHang:
      return "A test never finished. Usually a deadlock (threads waiting for each other), a lost wakeup (a wait "
             "whose notify already happened), or a thread nobody stops. The stacks show where each thread waited.";
    case Verdict::kCrash:
      return "The test process died. Common causes: a std::thread destroyed while still joinable (std::terminate), "
             "memory used after it was freed, or an uncaught exception on a worker thread.";
    case Verdict::kNoCompile: return "The compiler rejected the code. The first error is below; fix it and check again.";
    case Verdict::kBroken:
      return "The build system itself failed (not your code). `conclab doctor` checks the toolchain; "
             "`rm -rf build` and `./conclab` rebuild from scratch.";
  }
  return {};
}

Verdict verdict_of(Outcome o) {
  switch (o) {
    case Outcome::kPassed: return Verdict::kPassed;
    case Outcome::kFailed: return Verdict::kFailed;
    case Outcome::kRace: return Verdict::kRace;
    case Outcome::kHang: return Verdict::kHang;
    case Outcome::kCrash: return Verdict::kCrash;
    case Outcome::kNotRun: return Verdict::kFailed;
  }
  return Verdict::kFailed;
}

int CheckReport::count(Outcome o) const {
  int n = 0;
  for (const auto& run : runs) {
    for (const auto& t : run.suite.tests) n += t.outcome == o ? 1 : 0;
  }
  return n;
}

std::vector<const TestResult*> CheckReport::problems() const {
  std::vector<const TestResult*> out;
  for (const auto& run : runs) {
    for (const auto& t : run.suite.tests) {
      if (t.outcome != Outcome::kPassed) out.push_back(&t);
    }
  }
  return out;
}

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  CheckReport report;
  report.lab_id = lab.id;
  report.who = who;
  const std::string target = lab.target(who == "starter" ? "learner" : who);

  std::vector<std::string> presets;
  if (!options.force_tsan_only) presets.push_back("default");
  if (options.force_tsan_only || (options.tsan && lab.needs_tsan())) presets.push_back("tsan");
  for (const auto& p : presets) report.runs.push_back(BuildRun{p, {}, {}, false});

  auto tree_of = [&](const std::string& preset) {
    if (preset == "default" && !options.default_tree.empty()) return options.default_tree;
    return build_dir(course.root, preset);
  };

  if (options.build) {
    // Both trees build at once: on two cores the TSan build costs little extra wall time.
    std::vector<std::thread> builders;
    for (auto& run : report.runs) {
      builders.emplace_back([&course, &run, &target] { run.build = build_targets(course.root, run.preset, {target}); });
    }
    for (auto& b : builders) b.join();
    for (auto& run : report.runs) {
      if (run.build.interrupted) {
        report.interrupted = true;
        report.verdict = Verdict::kBroken;
        return report;
      }
      if (!run.build.ok) {
        report.verdict = run.build.configure_failed ? Verdict::kBroken : Verdict::kNoCompile;
        report.compile_error = run.build.first_error;
        report.compile_preset = run.preset;
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return report;
      }
    }
  } else {
    for (auto& run : report.runs) run.build.ok = true;
  }

  std::vector<std::string> preferred = lab.files;
  for (const auto& entry : fs::directory_iterator(lab.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with("_test.cpp")) preferred.push_back(name);
  }
  bool hung = false;
  for (auto& run : report.runs) {
    if (hung) break;  // a hang would only hang again under TSan, and cost another timeout
    SuiteOptions so;
    so.binary = target_binary(tree_of(run.preset), target);
    so.root = course.root;
    so.preferred_files = preferred;
    so.timeout = std::chrono::seconds(lab.timeout_seconds);
    so.tsan = run.preset == "tsan";
    run.suite = run_suite(so);
    run.ran = true;
    if (interrupted().load()) {
      report.interrupted = true;
      break;
    }
    hung = std::any_of(run.suite.tests.begin(), run.suite.tests.end(), [](const TestResult& t) { return t.outcome == Outcome::kHang; });
  }

  Verdict v = Verdict::kPassed;
  auto worse = [](Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; };
  for (const auto& run : report.runs) {
    if (run.suite.broken) v = worse(v, Verdict::kCrash);
    for (const auto& t : run.suite.tests) v = worse(v, verdict_of(t.outcome));
  }
  report.verdict = v;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace conclab
