#include "grading/test_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <map>

#include "engine/gtest_output.hpp"
#include "grading/witness.hpp"
#include "util/text.hpp"

namespace conclab::grading {

namespace {

const std::vector<std::string>& resource_words() {
  static const std::vector<std::string> words = {"std::bad_alloc", "Resource temporarily unavailable", "Cannot allocate memory",
                                                 "Thread limit",   "out of memory",                    "Too many open files"};
  return words;
}

std::string timeout_message(const Monitor::Observation& seen, double wall, bool started) {
  std::string m = fmt::format("The test did not finish within {:.0f} s. ", wall);
  if (seen.late_cpu_rate > 0.03) {
    m += fmt::format("Its threads kept using CPU to the end ({:.1f} s in all), so something kept running: an endless loop, "
                     "a livelock, or spinning on a condition that never comes true.",
                     seen.cpu_seconds);
  } else if (seen.late_cpu_rate >= 0) {
    m += "Its threads used no CPU in the second half of that time, so they were waiting: likely a deadlock (threads "
         "waiting for each other), a lost wakeup, or a thread nobody stops or joins.";
  }
  if (!started) m += " The test had not even started: the program hangs while starting up (a static initialiser?).";
  return m;
}

// The process died of a signal: a limit the grader set (CPU, file size, memory words in the output) or a crash.
void classify_signal(const ProcessResult& p, const std::string& text, const Limits& l, Verdict& verdict, std::string& message) {
  const std::string word = first_line_with(text, resource_words());
  verdict = Verdict::kResourceLimit;
  if (p.signal == SIGKILL) {
    message = "The test was killed by the system: it reached the CPU-time limit, or the machine ran out of memory.";
  } else if (p.signal == SIGXCPU) {
    message = fmt::format("The test used up its CPU-time limit ({} s of CPU) and was killed.", l.cpu_seconds);
  } else if (p.signal == SIGXFSZ) {
    message = fmt::format("The test tried to write a file larger than {} MB.", l.file_size >> 20);
  } else if (!word.empty()) {
    message = fmt::format("The test ran out of a resource the grader limits ({}), and the process died with {}.", word, signal_name(p.signal));
  } else {
    verdict = Verdict::kCrash;
    message = fmt::format("The test process died with {}.", signal_name(p.signal));
  }
}

}  // namespace

TestRunner::OneRun TestRunner::run_test(BuildKind kind, const std::string& test, int repeat_index) {
  const std::string token = random_token();
  RunSpec spec = scratch_.test_spec(kind, token);
  const std::uint64_t seed = 1 + (plan_.seed + static_cast<std::uint64_t>(repeat_index)) % 99998;
  spec.args = {"--gtest_filter=" + test, fmt::format("--gtest_random_seed={}", seed), "--gtest_color=no"};
  spec.env["CONCLAB_SEED"] = std::to_string(seed);
  const Limits l = scratch_.test_limits(kind == BuildKind::kTsan);
  return classify(scratch_.run(spec, l), test, token, kind == BuildKind::kTsan, l);
}

TestRunner::OneRun TestRunner::classify(const RunResult& r, const std::string& test, const std::string& token, bool tsan, const Limits& l) const {
  OneRun o;
  ProcessResult p = r.process;
  o.seconds = p.seconds;
  // bubblewrap's init reports a child killed by signal N as exit code 128 + N.
  if (scratch_.sandbox().kind == SandboxKind::kBubblewrap && p.signal == 0 && p.exit_code > 128 && p.exit_code < 128 + 65) {
    p.signal = p.exit_code - 128;
    p.exit_code = -1;
  }
  // Take out the witness lines (they are the grader's, not something to show) and read ours.
  std::map<std::string, Witnessed> witnessed;
  const std::string text = strip_witness(p.output, token, &witnessed);
  const auto mine = witnessed.find(test);
  const bool confirmed = mine != witnessed.end();
  const int races = confirmed ? mine->second.reports : 0;
  const Segment* seg = nullptr;
  const auto segments = split_output(text);
  for (const auto& s : segments) {
    if (s.name == test) seg = &s;
  }
  o.started = seg != nullptr;
  const std::string body = seg != nullptr ? seg->text : text;
  const fs::path& root = scratch_.root();
  auto last_output = [&] {
    const std::string tidy = tidy_failure(body, root);
    return tidy.empty() ? std::string() : "\nLast output:\n" + tail(tidy, 1500);
  };

  if (!r.observed.killed_for.empty()) {
    o.verdict = Verdict::kResourceLimit;
    o.message = fmt::format("The test {} and was stopped.", r.observed.killed_for);
  } else if (p.timed_out) {
    o.verdict = Verdict::kHang;
    o.message = timeout_message(r.observed, std::chrono::duration<double>(l.timeout).count(), o.started);
  } else if (p.interrupted) {
    o.verdict = Verdict::kNotRun;
    o.message = "interrupted";
  } else if (p.failed_to_start) {
    o.verdict = Verdict::kCrash;
    o.message = "The test program could not be started: " + tail(p.output, 500);
  } else if (p.signal != 0) {
    classify_signal(p, text, l, o.verdict, o.message);
    if (o.verdict == Verdict::kCrash) {
      const std::string race = tsan ? summarize_tsan(text, root, scratch_.preferred_files()) : "";
      if (!race.empty()) o.message += "\n" + race;
      o.message += last_output();
    }
  } else if (tsan && (p.exit_code == 66 || races > 0 || text.find("WARNING: ThreadSanitizer") != std::string::npos)) {
    o.verdict = Verdict::kRace;
    const std::string race = summarize_tsan(text, root, scratch_.preferred_files());
    o.message = race.empty() ? fmt::format("ThreadSanitizer reported {} (its report was not printed).", plural(std::max(races, 1), "problem")) : race;
  } else if (p.exit_code != 0) {
    const std::string word = first_line_with(body, resource_words());
    const std::string tidy = tidy_failure(body, root);
    o.verdict = word.empty() ? Verdict::kFailed : Verdict::kResourceLimit;
    o.message = !word.empty()   ? fmt::format("The test ran out of a resource the grader limits: {}", word)
                : !o.started    ? fmt::format("The test program exited with code {} before the test started.{}", p.exit_code, last_output())
                : tidy.empty()  ? fmt::format("The test program exited with code {}.", p.exit_code)
                                : tail(tidy, 3000);
  } else if (!confirmed) {
    o.verdict = Verdict::kFailed;
    o.message = "The program exited with status 0, but the test never confirmed that it ran to its end: the code ended the program "
                "early (exit(0)?) or printed a test report of its own. Printed results are not trusted.";
  } else if (mine->second.result == "passed") {
    o.verdict = Verdict::kPassed;
  } else if (mine->second.result == "skipped") {
    o.verdict = Verdict::kFailed;
    o.message = "The test was skipped (GTEST_SKIP): a skipped test earns no points.";
  } else {
    o.verdict = Verdict::kFailed;
    o.message = tail(tidy_failure(body, root), 3000);
  }
  if (p.output_truncated && o.verdict != Verdict::kResourceLimit) o.message += "\n(output cut)";
  return o;
}

void TestRunner::run_repeats(TestGrade& t) {
  Verdict worst = Verdict::kPassed;
  for (int r = 0; r < plan_.repeat; ++r) {
    if (interrupted().load()) return;
    const OneRun o = run_test(BuildKind::kDefault, t.name, r);
    if (r == 0) first_run_started_ = o.started;
    ++t.runs;
    t.seconds += o.seconds;
    t.run_verdicts.push_back(o.verdict);
    if (o.verdict == Verdict::kPassed) {
      ++t.passed_runs;
    } else {
      worst = worse(worst, o.verdict);
      if (t.message.empty()) t.message = o.message;
    }
    // A run that took the whole timeout (or hit a limit) would do it again: skip the remaining runs.
    if (o.verdict == Verdict::kHang || o.verdict == Verdict::kResourceLimit) break;
  }
  t.verdict = worst;
}

// One process runs every eligible test; true only when it ended normally with every test confirmed passed and
// no report at all. (TSan reports a given race once per process, so a race seen in one test may hide the same
// race in a later one: the shared run only counts when it was clean from start to end.)
bool TestRunner::tsan_all_clean(const std::vector<TestGrade*>& eligible) {
  const std::string token = random_token();
  RunSpec spec = scratch_.test_spec(BuildKind::kTsan, token);
  std::vector<std::string> names;
  for (const TestGrade* t : eligible) names.push_back(t->name);
  spec.args = {"--gtest_filter=" + join(names, ":"), fmt::format("--gtest_random_seed={}", 1 + plan_.seed % 99998), "--gtest_color=no"};
  const RunResult r = scratch_.run(spec, scratch_.test_limits(true));
  const ProcessResult& p = r.process;
  const bool ended_normally = r.observed.killed_for.empty() && !p.timed_out && !p.interrupted && !p.failed_to_start && p.signal == 0 &&
                              (p.exit_code == 0 || p.exit_code == 66);
  std::map<std::string, Witnessed> confirmed;
  const std::string text = strip_witness(p.output, token, &confirmed);
  std::map<std::string, bool> warned;
  for (const auto& seg : split_output(text)) warned[seg.name] = seg.text.find("WARNING: ThreadSanitizer") != std::string::npos;
  const bool clean = ended_normally && p.exit_code == 0 && std::all_of(eligible.begin(), eligible.end(), [&](const TestGrade* t) {
                       auto it = confirmed.find(t->name);
                       return it != confirmed.end() && it->second.result == "passed" && it->second.reports == 0 && !warned[t->name];
                     });
  if (clean) {
    for (TestGrade* t : eligible) {
      t->tsan = {TsanRun::State::kRan, Verdict::kPassed};
      t->seconds += p.seconds / static_cast<double>(eligible.size());
    }
  }
  return clean;
}

void TestRunner::run_tsan(const std::vector<TestGrade*>& eligible) {
  if (eligible.size() > 1 && tsan_all_clean(eligible)) return;
  for (TestGrade* t : eligible) {
    if (interrupted().load()) return;
    const OneRun o = run_test(BuildKind::kTsan, t->name, 0);
    t->seconds += o.seconds;
    t->tsan = {TsanRun::State::kRan, o.verdict};
    if (o.verdict != Verdict::kPassed) {
      t->verdict = worse(t->verdict, o.verdict);
      t->message = "ThreadSanitizer build: " + o.message;
    }
  }
}

void TestRunner::run_sim(const std::vector<TestGrade*>& eligible) {
  for (TestGrade* t : eligible) {
    if (interrupted().load()) return;
    const OneRun o = run_test(BuildKind::kSim, t->name, 0);
    t->seconds += o.seconds;
    t->sim = {TsanRun::State::kRan, o.verdict};
    if (o.verdict != Verdict::kPassed) {
      t->verdict = worse(t->verdict, o.verdict);
      t->message = "The explorer (every schedule of the test's threads): " + o.message;
    }
  }
}

std::string TestRunner::summary_of(const TestGrade& t, const Plan& plan) {
  std::map<std::string, int> counts;
  for (const Verdict v : t.run_verdicts) {
    if (v != Verdict::kPassed) ++counts[std::string(verdict_name(v, Wording::kGrade))];
  }
  std::string kinds;
  for (const auto& [k, n] : counts) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", k, n);
  std::string s;
  if (t.passed_runs == t.runs) {
    s = fmt::format("passed {}/{} runs", t.passed_runs, t.runs);
  } else if (t.passed_runs > 0) {
    s = fmt::format("passed {}/{} runs ({}): the result depends on timing, likely a race", t.passed_runs, t.runs, kinds);
  } else if (counts.size() == 1) {
    s = fmt::format("{} in {}/{} runs", counts.begin()->first, t.runs, t.runs);
  } else {
    s = fmt::format("passed 0/{} runs ({})", t.runs, kinds);
  }
  const int skipped = plan.repeat - t.runs;
  if (skipped > 0) s += fmt::format("; the other {} run{} skipped (each would hit the same limit)", skipped, skipped == 1 ? " was" : "s were");
  if (plan.tsan) s += "; ThreadSanitizer: " + tsan_text(t.tsan);
  if (plan.sim && t.sim.state != TsanRun::State::kNotInBuild) s += "; the explorer: " + sim_text(t.sim);
  return s;
}

}  // namespace conclab::grading
