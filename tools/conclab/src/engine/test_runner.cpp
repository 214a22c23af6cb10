#include "engine/test_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "engine/gtest_output.hpp"
#include "util/text.hpp"

namespace conclab {

namespace fs = std::filesystem;

void set_test_environment(ProcessOptions& p) {
  p.env["GTEST_COLOR"] = "no";
  p.env["GTEST_BRIEF"] = "0";
  // halt_on_error=0: keep running so every test gets a verdict; history_size=4 remembers more old
  // accesses, so races between far-apart accesses are still reported.
  p.env["TSAN_OPTIONS"] = "halt_on_error=0 history_size=4 second_deadlock_stack=1 exitcode=66";
}

namespace {

ProcessResult launch(const SuiteOptions& o, ProcessOptions p) {
  set_test_environment(p);
  if (o.skip_sim_tests) {
    p.env["CONCLAB_SKIP_SIM_TESTS"] = "1";
    std::string keep;
    for (const auto& t : o.sim_tests_kept) keep += ":" + t;
    p.env["CONCLAB_KEEP_SIM_TESTS"] = keep + ":";
  }
  return o.launch ? o.launch(p) : run_process(p);
}

std::string take_stacks(pid_t pid) {
  const fs::path gdb = find_program("gdb");
  if (gdb.empty()) return {};
  ProcessOptions p;
  p.argv = {gdb.string(), "-p", std::to_string(pid), "-batch", "-nx", "-ex", "set pagination off", "-ex", "thread apply all bt 30"};
  p.timeout = std::chrono::seconds(20);
  return run_process(p).output;
}

// A test that started but never finished was running when the process ended: it hung, or it crashed.
void judge_unfinished(const SuiteOptions& o, const ProcessResult& r, const Segment& seg, const std::string& race,
                      const std::string& stacks, TestResult& t) {
  if (r.interrupted && !r.timed_out) {
    t.verdict = Verdict::kNotRun;
    return;
  }
  if (r.timed_out) {
    t.verdict = Verdict::kHang;
    t.message = fmt::format("did not finish within {} s: a deadlock, a lost wakeup, or a wait that nothing ends.", o.timeout.count());
    const std::string where = summarize_stacks(stacks, o.root, o.preferred_files);
    if (!where.empty()) {
      t.message += "\nWhere each thread was when it was stopped:\n" + where;
    } else if (find_program("gdb").empty()) {
      t.message += "\n(Install gdb to see where each thread was stuck.)";
    }
    return;
  }
  t.verdict = Verdict::kCrash;
  const std::string tidy = tidy_failure(seg.text, o.root);
  t.message = r.signal != 0 ? fmt::format("the test process died with {}.", signal_name(r.signal))
                            : fmt::format("the test process exited with code {} in the middle of this test.", r.exit_code);
  if (o.tsan && !race.empty()) t.message += "\n" + race;
  if (!tidy.empty()) t.message += "\nLast output:\n" + tidy.substr(tidy.size() > 1500 ? tidy.size() - 1500 : 0);
}

void judge_segment(const SuiteOptions& o, const ProcessResult& r, const Segment& seg, const std::string& stacks, TestResult& t) {
  const std::string race = o.tsan ? summarize_tsan(seg.text, o.root, o.preferred_files) : "";
  if (!seg.finished) {
    judge_unfinished(o, r, seg, race, stacks, t);
  } else if (!race.empty()) {
    t.verdict = Verdict::kRace;
    t.message = race;
    const std::string failure = tidy_failure(seg.text, o.root);
    if (!seg.passed && !failure.empty()) t.message += "\n" + failure;
  } else if (seg.passed) {
    t.verdict = Verdict::kPassed;
    t.message.clear();
  } else {
    t.verdict = Verdict::kFailed;
    t.message = tidy_failure(seg.text, o.root);
  }
}

// A single test run in its own process: a crash or report after its end line (static destructors, leaked
// threads) still belongs to it.
void judge_after_the_end(const SuiteOptions& o, const ProcessResult& r, const std::string& outside, TestResult& t) {
  if (t.verdict != Verdict::kPassed) return;
  const std::string tsan_outside = o.tsan ? summarize_tsan(outside, o.root, o.preferred_files) : "";
  if (o.tsan && (!tsan_outside.empty() || r.exit_code == 66)) {
    t.verdict = Verdict::kRace;
    t.message = tsan_outside.empty() ? "ThreadSanitizer reported a problem (exit code 66)." : tsan_outside;
  } else if (r.signal != 0) {
    t.verdict = Verdict::kCrash;
    t.message = fmt::format("the test passed, then the process died with {} (a thread still running, or a bad static destructor?).",
                            signal_name(r.signal));
  } else if (r.timed_out) {
    t.verdict = Verdict::kHang;
    t.message = "the test passed, but the process did not exit: a thread that is never joined or stopped?";
  }
}

// Applies one process run to the results: finished tests get their verdict, the test that was running when
// the process died or hung gets a crash or hang; tests that never started stay kNotRun.
void apply_run(const SuiteOptions& o, const ProcessResult& r, const std::string& stacks,
               std::map<std::string, TestResult>& results, const std::vector<std::string>& expected) {
  std::string outside;
  std::set<std::string> started;
  for (const auto& seg : split_output(r.output, &outside)) {
    if (!results.contains(seg.name)) continue;
    started.insert(seg.name);
    judge_segment(o, r, seg, stacks, results[seg.name]);
  }
  if (expected.size() == 1 && started.contains(expected[0])) judge_after_the_end(o, r, outside, results[expected[0]]);
}

// The program's tests (filtered by `only`), or the reason it could not list them.
std::vector<std::string> list_tests(const SuiteOptions& o, SuiteResult& suite) {
  ProcessOptions list;
  list.argv = {o.binary.string(), "--gtest_list_tests"};
  list.timeout = std::chrono::seconds(std::max<long>(10, o.timeout.count()));
  const ProcessResult listed = launch(o, list);
  ++suite.processes;
  std::vector<std::string> names = parse_test_list(listed.output);
  if (!listed.ok() || names.empty()) {
    suite.broken = true;
    suite.broken_message = listed.timed_out ? "the test program hung before running any test (in a static initialiser?)."
                           : listed.signal  ? fmt::format("the test program died with {} before running any test.", signal_name(listed.signal))
                                            : fmt::format("the test program could not list its tests:\n{}", tidy_failure(listed.output, o.root));
    return {};
  }
  if (o.only.empty()) return names;
  std::vector<std::string> kept;
  for (const auto& n : names) {
    if (std::find(o.only.begin(), o.only.end(), n) != o.only.end()) kept.push_back(n);
  }
  return kept;
}

// The whole run died after its last test (or with an exit code gtest never uses) and nothing explains it.
std::optional<TestResult> after_the_last_test(const ProcessResult& whole) {
  if (whole.ok() || whole.interrupted) return std::nullopt;
  TestResult t{"(after the last test)", whole.timed_out ? Verdict::kHang : Verdict::kCrash, {}, 0};
  t.message = whole.timed_out ? "every test passed, but the program did not exit: a thread that is never joined?"
              : whole.signal  ? fmt::format("every test passed, then the program died with {}.", signal_name(whole.signal))
                              : fmt::format("every test passed, but the program exited with code {}.", whole.exit_code);
  return t;
}

}  // namespace

SuiteResult run_suite(const SuiteOptions& o) {
  SuiteResult suite;
  if (!fs::exists(o.binary)) {
    suite.broken = true;
    suite.broken_message = fmt::format("the test program {} does not exist.", o.binary.string());
    return suite;
  }
  const std::vector<std::string> names = list_tests(o, suite);
  if (suite.broken) return suite;
  std::map<std::string, TestResult> results;
  for (const auto& n : names) results[n] = TestResult{n, Verdict::kNotRun, {}, 0};

  auto run = [&](const std::vector<std::string>& tests) {
    ProcessOptions p;
    p.argv = {o.binary.string(), "--gtest_filter=" + join(tests, ":")};
    p.timeout = o.timeout;
    std::string stacks;
    if (o.take_stacks) p.on_timeout = [&](pid_t pid) { stacks = take_stacks(pid); };
    const ProcessResult r = launch(o, p);
    ++suite.processes;
    apply_run(o, r, stacks, results, tests);
    return r;
  };

  const ProcessResult whole = run(names);
  const bool saw_tsan = o.tsan && (whole.exit_code == 66 || whole.output.find("WARNING: ThreadSanitizer") != std::string::npos);
  // TSan reports a given race once per process: after the first report, a test that passed may have had its
  // race hidden. Those tests run again alone; the ones before the first report, and the ones that reported,
  // are judged by the whole run. (A report outside any test, at exit, says nothing about which: all run again.)
  std::size_t first_report = names.size();
  if (saw_tsan) {
    first_report = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (results[names[i]].verdict == Verdict::kRace) {
        first_report = i;
        break;
      }
    }
  }
  // Tests the whole run never reached, and the ones a report may have masked: one process each.
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (interrupted().load()) break;
    const std::string& n = names[i];
    const bool masked = i >= first_report && results[n].verdict == Verdict::kPassed;
    if (results[n].verdict != Verdict::kNotRun && !masked) continue;
    const TestResult before = results[n];
    run({n});
    // A hang or crash seen in the whole run stands even if the test passes alone.
    if ((before.verdict == Verdict::kHang || before.verdict == Verdict::kCrash) && results[n].verdict == Verdict::kPassed) {
      results[n] = before;
    }
  }
  for (const auto& n : names) suite.tests.push_back(results[n]);
  const bool all_passed = std::all_of(names.begin(), names.end(), [&](const auto& n) { return results[n].verdict == Verdict::kPassed; });
  if (all_passed && !saw_tsan) {
    if (auto t = after_the_last_test(whole)) suite.tests.push_back(*t);
  }
  return suite;
}

}  // namespace conclab
