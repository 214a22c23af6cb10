#include "engine/checker.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/lab_facts.hpp"
#include "model/lint.hpp"
#include "util/text.hpp"

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
    const fs::path tree = options.only && !options.only_tree.empty() ? options.only_tree : build_dir(course.root, run.kind);
    so.binary = target_binary(tree, target);
    so.root = course.root;
    so.preferred_files = lab.preferred_files();
    so.timeout = std::chrono::seconds(lab.timeout_seconds);
    so.tsan = run.kind == BuildKind::kTsan;
    so.skip_sim_tests = options.skip_sim_tests && run.kind != BuildKind::kSim;
    so.sim_tests_kept = options.sim_tests_kept;
    run.suite = run_suite(so);
    run.ran = true;
    if (run.kind == BuildKind::kSim) {
      for (auto& t : run.suite.tests) t.message = name_the_lab(std::move(t.message), lab.id);
    }
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

std::string name_the_lab(std::string text, const std::string& lab_id) {
  const std::string generic = "conclab explore <lab> ";
  const std::string specific = "./conclab explore " + lab_id + " ";
  for (std::size_t pos; (pos = text.find(generic)) != std::string::npos;) text.replace(pos, generic.size(), specific);
  return text;
}

std::vector<std::string> sim_blind_spots(const Course& course, const Lab& lab, const std::string& who) {
  if (!lab.needs_sim()) return {};
  return std_primitives_in(lab.impl_dir(who), lab.files, course.root);
}

CheckReport check_lab(const Course& course, const Lab& lab, const std::string& who, const CheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  CheckReport report;
  report.lab_id = lab.id;
  report.who = who;
  const std::string target = lab.target(who);
  if (options.only) {
    report.runs.push_back(BuildRun{*options.only, {}, {}, false});
  } else {
    report.runs.push_back(BuildRun{BuildKind::kDefault, {}, {}, false});
    const std::string in_tree = who == kStarter ? std::string(kLearner) : who;
    // A wrong variant that claims nothing under TSan is not in that tree: checking it there is not a question.
    if (options.tsan && tree_holds(lab, in_tree, BuildKind::kTsan)) report.runs.push_back(BuildRun{BuildKind::kTsan, {}, {}, false});
    if (options.sim && tree_holds(lab, in_tree, BuildKind::kSim)) report.runs.push_back(BuildRun{BuildKind::kSim, {}, {}, false});
  }

  // A sim lab whose code uses std's primitives: the explorer would not see them. Say so instead of exploring.
  const auto sim_run = std::find_if(report.runs.begin(), report.runs.end(), [](const BuildRun& r) { return r.kind == BuildKind::kSim; });
  std::vector<std::string> blind;
  if (sim_run != report.runs.end()) blind = sim_blind_spots(course, lab, who);
  std::optional<BuildRun> blind_run;
  if (!blind.empty()) {
    blind_run = BuildRun{BuildKind::kSim, {}, {}, true};
    blind_run->build.ok = true;
    TestResult t;
    t.name = std::string(kSimBlindSpotTest);
    t.verdict = Verdict::kFailed;
    t.message = "The sim tests were not run: " + join(blind, "\n");
    blind_run->suite.tests.push_back(std::move(t));
    report.runs.erase(sim_run);
  }

  if (options.build) {
    if (!build_all(course, target, report)) {
      report.seconds = seconds_since(start);
      return report;
    }
  } else {
    for (auto& run : report.runs) run.build.ok = true;
  }
  run_all(course, lab, target, options, report);
  if (blind_run) report.runs.push_back(std::move(*blind_run));
  report.verdict = verdict_of(report.runs);
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace conclab
