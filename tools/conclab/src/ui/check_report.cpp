#include "ui/check_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "app/errors.hpp"
#include "ui/color.hpp"

namespace conclab {

using nlohmann::json;

namespace {

void print_run(const BuildRun& run, bool verbose) {
  const int n = static_cast<int>(run.suite.tests.size());
  const int passed = static_cast<int>(std::count_if(run.suite.tests.begin(), run.suite.tests.end(),
                                                    [](const TestResult& t) { return t.verdict == Verdict::kPassed; }));
  const std::string label = run.kind == BuildKind::kTsan  ? "ThreadSanitizer build"
                            : run.kind == BuildKind::kSim ? "sim (every schedule)"
                                                          : "normal build";
  if (run.suite.broken) {
    fmt::print("  {:<22} {}\n", label, out::red(run.suite.broken_message));
    return;
  }
  const std::string count = fmt::format("{}/{} tests passed", passed, n);
  fmt::print("  {:<22} {}\n", label, passed == n ? out::green(count) : out::red(count));
  for (const auto& t : run.suite.tests) {
    if (t.verdict == Verdict::kPassed) {
      if (verbose) fmt::print("    {} {}\n", out::green("ok"), t.name);
      continue;
    }
    const auto mutex = t.verdict == Verdict::kRace ? mutex_misuse_only(t.message) : std::nullopt;
    fmt::print("    {} {}  {}\n", out::red("x"), out::bold(t.name), out::red(mutex ? mutex->name : verdict_name(t.verdict, Wording::kTest)));
    if (!t.message.empty()) fmt::print("{}\n", out::indent(t.message, 8));
  }
}

// What a check's kRace tests say about mutexes: a mutex unlocked by the wrong thread if any test saw one (the races
// that follow are its consequence), a lock-order inversion if every kRace test saw only those; else nothing.
std::optional<MutexFinding> check_mutex_finding(const CheckReport& r) {
  std::optional<MutexFinding> unlock, order;
  bool all = true;
  for (const auto& run : r.runs) {
    for (const auto& t : run.suite.tests) {
      if (t.verdict != Verdict::kRace) continue;
      const auto finding = mutex_misuse_only(t.message);
      if (!finding) {
        all = false;
      } else if (finding->name == kBadUnlockName) {
        unlock = finding;
      } else {
        order = finding;
      }
    }
  }
  if (unlock) return unlock;
  return all ? order : std::nullopt;
}

}  // namespace

void print_check_report(const Context& ctx, const Lab& lab, const CheckReport& r, bool verbose) {
  const std::string who = r.who == kLearner ? shown_path(ctx, lab.dir) : fmt::format("reference version '{}'", r.who);
  fmt::print("{} {}  {}\n", out::bold("Lab " + lab.id), out::bold(lab.title), out::dim(who));
  for (const auto& run : r.runs) {
    if (run.ran) print_run(run, verbose);
  }
  if (r.verdict == Verdict::kNoCompile || r.verdict == Verdict::kBroken) {
    fmt::print("  {}:\n{}\n", r.verdict == Verdict::kNoCompile ? "First compiler error" : "What failed", out::indent(r.compile_error, 6));
  }
  // A kRace whose every report is about a mutex (see mutex_misuse_only) is named for what it is.
  const std::optional<MutexFinding> mutex = r.verdict == Verdict::kRace ? check_mutex_finding(r) : std::nullopt;
  const std::string verdict = fmt::format("Verdict: {}", mutex ? mutex->name : verdict_name(r.verdict));
  fmt::print("\n{}  {}\n", r.verdict == Verdict::kPassed ? out::green(out::bold(verdict)) : out::red(out::bold(verdict)),
             out::dim(fmt::format("({:.1f} s)", r.seconds)));
  fmt::print("{}\n", mutex ? mutex->lesson : verdict_lesson(r.verdict));
}

json check_report_json(const Lab& lab, const CheckReport& r) {
  json j = {{"lab", lab.id}, {"implementation", r.who}, {"verdict", verdict_name(r.verdict)}, {"seconds", r.seconds}, {"builds", json::array()}};
  if (!r.compile_error.empty()) j["compile_error"] = r.compile_error;
  for (const auto& run : r.runs) {
    json b = {{"build", preset_name(run.kind)}, {"ran", run.ran}, {"build_seconds", run.build.seconds}, {"tests", json::array()}};
    if (run.suite.broken) b["error"] = run.suite.broken_message;
    for (const auto& t : run.suite.tests) {
      b["tests"].push_back({{"name", t.name}, {"outcome", verdict_name(t.verdict, Wording::kTest)}, {"message", t.message}});
    }
    j["builds"].push_back(b);
  }
  return j;
}

int exit_code_of(const CheckReport& r) {
  if (r.interrupted) return exit_code::kInterrupted;
  switch (r.verdict) {
    case Verdict::kPassed: return exit_code::kOk;
    case Verdict::kNoCompile: return exit_code::kNoCompile;
    case Verdict::kBroken: return exit_code::kEnvironment;
    default: return exit_code::kNotPassed;
  }
}

}  // namespace conclab
