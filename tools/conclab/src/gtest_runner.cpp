#include "gtest_runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace conclab {

namespace fs = std::filesystem;

std::string outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kPassed: return "passed";
    case Outcome::kFailed: return "failed";
    case Outcome::kRace: return "data race";
    case Outcome::kHang: return "hang";
    case Outcome::kCrash: return "crash";
    case Outcome::kNotRun: return "not run";
  }
  return "?";
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string relative_paths(std::string text, const fs::path& root) {
  if (root.empty()) return text;
  const std::string prefix = root.string() + "/";
  for (std::size_t pos; (pos = text.find(prefix)) != std::string::npos;) text.erase(pos, prefix.size());
  return text;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == '\n') ++i;
  return s.substr(i);
}

bool mentions_any(const std::string& line, const std::vector<std::string>& files) {
  return std::any_of(files.begin(), files.end(), [&](const std::string& f) { return !f.empty() && line.find("/" + f + ":") != std::string::npos; });
}

ProcessResult launch(const SuiteOptions& o, ProcessOptions p) {
  p.env["GTEST_COLOR"] = "no";
  p.env["GTEST_BRIEF"] = "0";
  // halt_on_error=0: keep running so every test gets a verdict; history_size=4 remembers more old
  // accesses, so races between far-apart accesses are still reported.
  p.env["TSAN_OPTIONS"] = "halt_on_error=0 history_size=4 second_deadlock_stack=1 exitcode=66";
  return o.launch ? o.launch(p) : run_process(p);
}

std::string take_stacks(pid_t pid) {
  const fs::path gdb = find_program("gdb");
  if (gdb.empty()) return {};
  ProcessOptions p;
  p.argv = {gdb.string(), "-p", std::to_string(pid), "-batch", "-nx", "-ex", "set pagination off",
            "-ex", "thread apply all bt 30"};
  p.timeout = std::chrono::seconds(20);
  return run_process(p).output;
}

}  // namespace

std::vector<std::string> parse_test_list(const std::string& out) {
  std::vector<std::string> tests;
  std::string suite;
  for (const auto& line : lines_of(out)) {
    if (line.empty() || line.rfind("Running main()", 0) == 0) continue;
    if (line[0] != ' ') {
      const auto end = line.find_first_of(" \t");
      suite = line.substr(0, end);  // "Suite." (with a trailing "  # TypeParam = ..." for typed tests)
      continue;
    }
    std::string name = line.substr(line.find_first_not_of(' '));
    name = name.substr(0, name.find_first_of(" \t"));  // drop "  # GetParam() = ..."
    if (!suite.empty() && !name.empty()) tests.push_back(suite + name);
  }
  return tests;
}

std::vector<Segment> split_output(const std::string& output, std::string* outside) {
  std::vector<Segment> segments;
  Segment* current = nullptr;
  static const std::regex run(R"(^\[ RUN      \] (\S+)$)");
  static const std::regex end(R"(^\[ +(OK|FAILED|SKIPPED) +\] (\S+) \(\d+ ms\)$)");
  bool summary = false;
  for (const auto& line : lines_of(output)) {
    std::smatch m;
    if (std::regex_match(line, m, run)) {
      segments.push_back(Segment{m[1], {}, false, false});
      current = &segments.back();
      continue;
    }
    if (current != nullptr && std::regex_match(line, m, end) && m[2] == current->name) {
      current->finished = true;
      current->passed = m[1] != "FAILED";
      current = nullptr;
      continue;
    }
    if (line.rfind("[==========]", 0) == 0 && !segments.empty()) summary = true;
    if (current != nullptr) {
      current->text += line + "\n";
    } else if (outside != nullptr && !summary) {
      *outside += line + "\n";
    } else if (outside != nullptr && line.find("ThreadSanitizer") != std::string::npos) {
      *outside += line + "\n";  // reports printed at exit (thread leaks) still count
    }
  }
  return segments;
}

std::string tidy_failure(const std::string& text, const fs::path& root) {
  // Keep the first assertion failure whole; count the rest (one is enough to start fixing).
  static const std::regex failure_head(R"(^\S+:\d+: Failure$)");
  std::string out;
  int failures = 0;
  for (const auto& line : lines_of(relative_paths(text, root))) {
    if (line.find("WARNING: ThreadSanitizer") != std::string::npos) break;  // reports are summarised apart
    if (std::regex_match(line, failure_head)) ++failures;
    if (failures <= 1) out += line + "\n";
  }
  if (failures > 1) out += fmt::format("(and {} more failed assertion{} in this test)\n", failures - 1, failures == 2 ? "" : "s");
  return trim(out);
}

std::string summarize_tsan(const std::string& text, const fs::path& root, const std::vector<std::string>& preferred) {
  static const std::regex header(R"(WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?$)");
  static const std::regex frame(R"(^\s*#(\d+) (.*) (\S+):(\d+)(?::\d+)? \(.*\)$)");
  static const std::regex access(R"(^  (\S.*?)(?: at 0x[0-9a-f]+)?( by .*)?:$)");
  std::string out;
  int reports = 0;
  const auto all = lines_of(text);
  for (std::size_t i = 0; i < all.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(all[i], m, header)) continue;
    if (++reports > 3) continue;  // the first few say enough; the count is given below
    out += fmt::format("ThreadSanitizer: {}\n", std::string(m[1]));
    // Walk the report until its closing "=====" line, keeping each access and its best frame.
    std::string pending_access;
    std::vector<std::pair<std::string, std::string>> frames;  // (function, file:line)
    auto flush = [&] {
      if (pending_access.empty()) return;
      std::string where;
      for (const auto& [fn, loc] : frames) {
        if (mentions_any("/" + loc, preferred) || mentions_any(loc, preferred)) { where = fmt::format("{}  ({})", loc, fn); break; }
      }
      if (where.empty()) {
        for (const auto& [fn, loc] : frames) {
          if (loc.find("/usr/") == std::string::npos && loc.rfind("/usr", 0) != 0) { where = fmt::format("{}  ({})", loc, fn); break; }
        }
      }
      if (where.empty() && !frames.empty()) where = fmt::format("{}  ({})", frames[0].second, frames[0].first);
      out += fmt::format("  {}\n", pending_access);
      if (!where.empty()) out += fmt::format("      at {}\n", where);
      pending_access.clear();
      frames.clear();
    };
    for (std::size_t j = i + 1; j < all.size() && all[j].rfind("==================", 0) != 0; ++j) {
      const std::string& line = all[j];
      std::smatch fm;
      if (std::regex_match(line, fm, frame)) {
        if (frames.size() < 12) {
          std::string fn = fm[2];
          if (fn.size() > 90) fn = fn.substr(0, 87) + "...";
          frames.emplace_back(fn, relative_paths(fmt::format("{}:{}", std::string(fm[3]), std::string(fm[4])), root));
        }
        continue;
      }
      if (line.rfind("  Location is", 0) == 0) {
        flush();
        out += fmt::format("  {}\n", std::regex_replace(line.substr(2), std::regex(R"( at 0x[0-9a-f]+)"), ""));
        continue;
      }
      if (line.rfind("  Thread T", 0) == 0 || (line.rfind("  Mutex M", 0) == 0 && line.find("created at") != std::string::npos)) {
        flush();
        continue;  // thread-creation stacks: useful in a debugger, noise in a verdict
      }
      std::smatch am;
      if (line.size() > 2 && line[2] != ' ' && std::regex_match(line, am, access)) {
        flush();
        pending_access = std::string(am[1]) + std::string(am[2]);
        if (pending_access.find("Thread T") == 0 || pending_access.find("Location") == 0) pending_access.clear();
      }
      if (line.rfind("SUMMARY:", 0) == 0) break;
    }
    flush();
  }
  if (reports > 3) out += fmt::format("  (and {} more reports)\n", reports - 3);
  return trim(out);
}

std::string summarize_stacks(const std::string& gdb, const fs::path& root, const std::vector<std::string>& preferred) {
  static const std::regex thread_line(R"(^Thread (\d+) .*$)");
  static const std::regex frame(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) (?:\(.*\) )?at (\S+):(\d+)$)");
  static const std::regex bare(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+))");
  struct Thread {
    std::string id;
    std::vector<std::string> functions;
    std::vector<std::pair<std::string, std::string>> course_frames;  // (function, file:line)
  };
  std::vector<Thread> threads;
  const std::string prefix = root.string() + "/";
  for (const auto& line : lines_of(gdb)) {
    std::smatch m;
    if (std::regex_match(line, m, thread_line)) {
      threads.push_back(Thread{m[1], {}, {}});
      continue;
    }
    if (threads.empty() || line.empty() || line[0] != '#') continue;
    if (std::regex_match(line, m, frame)) {
      threads.back().functions.push_back(m[1]);
      const std::string file = m[2];
      if (file.rfind(prefix, 0) == 0) {
        std::string fn = m[1];
        if (fn.size() > 80) fn = fn.substr(0, 77) + "...";
        threads.back().course_frames.emplace_back(fn, relative_paths(fmt::format("{}:{}", file, std::string(m[3])), root));
      }
    } else if (std::regex_search(line, m, bare)) {
      threads.back().functions.push_back(m[1]);
    }
  }
  // The most specific wait wins: a condition-variable wait also shows futex frames further in.
  auto what = [](const Thread& t) -> std::string {
    static const std::vector<std::pair<std::vector<std::string>, std::string>> kinds = {
        {{"pthread_cond_", "__condvar", "condition_variable"}, "waiting on a condition variable"},
        {{"lll_lock_wait", "pthread_mutex_lock", "pthread_mutex_clocklock", "std::mutex::lock"}, "blocked locking a mutex"},
        {{"pthread_join", "clockjoin", "std::thread::join"}, "waiting to join a thread"},
        {{"sem_wait", "sem_clockwait", "counting_semaphore", "__sem"}, "waiting on a semaphore"},
        {{"std::latch", "std::barrier", "__atomic_wait", "__platform_wait"}, "waiting on an atomic, latch or barrier"},
        {{"nanosleep", "sleep_for"}, "sleeping"},
        {{"epoll_wait", "poll", "recv", "accept", "read"}, "waiting for I/O"},
        {{"futex"}, "waiting (futex)"},
    };
    for (const auto& [needles, label] : kinds) {
      for (const auto& f : t.functions) {
        for (const auto& n : needles) {
          if (f.find(n) != std::string::npos) return label;
        }
      }
    }
    return "running (a busy loop?)";
  };
  std::string out;
  int shown = 0;
  for (const auto& t : threads) {
    if (t.course_frames.empty()) continue;  // runtime threads (TSan's, gtest's) say nothing useful
    if (++shown > 8) break;
    const auto* best = &t.course_frames.front();
    for (const auto& f : t.course_frames) {
      if (mentions_any("/" + f.second, preferred)) { best = &f; break; }
    }
    out += fmt::format("  thread {}: {}, in {} at {}\n", t.id, what(t), best->first, best->second);
  }
  return trim(out);
}

namespace {

// Applies one process run to the results: finished tests get their outcome, the test that was running
// when the process died or hung gets a crash or hang; tests that never started stay kNotRun.
void apply_run(const SuiteOptions& o, const ProcessResult& r, const std::string& stacks,
               std::map<std::string, TestResult>& results, const std::vector<std::string>& expected) {
  std::string outside;
  const auto segments = split_output(r.output, &outside);
  const std::string tsan_outside = summarize_tsan(outside, o.root, o.preferred_files);
  std::set<std::string> started;
  for (const auto& seg : segments) {
    if (!results.contains(seg.name)) continue;
    started.insert(seg.name);
    TestResult& t = results[seg.name];
    const std::string race = o.tsan ? summarize_tsan(seg.text, o.root, o.preferred_files) : "";
    if (seg.finished) {
      if (!race.empty()) {
        t.outcome = Outcome::kRace;
        t.message = race;
        const std::string failure = tidy_failure(seg.text, o.root);
        if (!seg.passed && !failure.empty()) t.message += "\n" + failure;
      } else if (seg.passed) {
        t.outcome = Outcome::kPassed;
        t.message.clear();
      } else {
        t.outcome = Outcome::kFailed;
        t.message = tidy_failure(seg.text, o.root);
      }
      continue;
    }
    // Started but never finished: this test was running when the process ended.
    if (r.timed_out) {
      t.outcome = Outcome::kHang;
      t.message = fmt::format("did not finish within {} s: a deadlock, a lost wakeup, or a wait that nothing ends.",
                              o.timeout.count());
      const std::string where = summarize_stacks(stacks, o.root, o.preferred_files);
      if (!where.empty()) {
        t.message += "\nWhere each thread was when it was stopped:\n" + where;
      } else if (find_program("gdb").empty()) {
        t.message += "\n(Install gdb to see where each thread was stuck.)";
      }
    } else if (r.interrupted) {
      t.outcome = Outcome::kNotRun;
    } else {
      t.outcome = Outcome::kCrash;
      const std::string tidy = tidy_failure(seg.text, o.root);
      t.message = r.signal != 0 ? fmt::format("the test process died with {}.", signal_name(r.signal))
                                : fmt::format("the test process exited with code {} in the middle of this test.", r.exit_code);
      if (o.tsan && !race.empty()) t.message += "\n" + race;
      if (!tidy.empty()) t.message += "\nLast output:\n" + tidy.substr(tidy.size() > 1500 ? tidy.size() - 1500 : 0);
    }
  }
  // A single test run in its own process: a crash or report after its end line (static destructors,
  // leaked threads) still belongs to it.
  if (expected.size() == 1 && started.contains(expected[0])) {
    TestResult& t = results[expected[0]];
    if (t.outcome == Outcome::kPassed) {
      if (o.tsan && (!tsan_outside.empty() || r.exit_code == 66)) {
        t.outcome = Outcome::kRace;
        t.message = tsan_outside.empty() ? "ThreadSanitizer reported a problem (exit code 66)." : tsan_outside;
      } else if (r.signal != 0) {
        t.outcome = Outcome::kCrash;
        t.message = fmt::format("the test passed, then the process died with {} (a thread still running, or a bad static destructor?).",
                                signal_name(r.signal));
      } else if (r.timed_out) {
        t.outcome = Outcome::kHang;
        t.message = "the test passed, but the process did not exit: a thread that is never joined or stopped?";
      }
    }
  }
}

}  // namespace

SuiteResult run_suite(const SuiteOptions& o) {
  SuiteResult suite;
  if (!fs::exists(o.binary)) {
    suite.broken = true;
    suite.broken_message = fmt::format("the test program {} does not exist.", o.binary.string());
    return suite;
  }
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
    return suite;
  }
  if (!o.only.empty()) {
    std::vector<std::string> kept;
    for (const auto& n : names) {
      if (std::find(o.only.begin(), o.only.end(), n) != o.only.end()) kept.push_back(n);
    }
    names = kept;
  }
  std::map<std::string, TestResult> results;
  for (const auto& n : names) results[n] = TestResult{n, Outcome::kNotRun, {}, 0};

  auto run = [&](const std::vector<std::string>& tests) {
    ProcessOptions p;
    std::string filter;
    for (const auto& t : tests) filter += (filter.empty() ? "" : ":") + t;
    p.argv = {o.binary.string(), "--gtest_filter=" + filter};
    p.timeout = o.timeout;
    std::string stacks;
    if (o.take_stacks) p.on_timeout = [&](pid_t pid) { stacks = take_stacks(pid); };
    const ProcessResult r = launch(o, p);
    ++suite.processes;
    apply_run(o, r, stacks, results, tests);
    return r;
  };

  const ProcessResult whole = run(names);
  bool saw_tsan = o.tsan && (whole.exit_code == 66 || whole.output.find("WARNING: ThreadSanitizer") != std::string::npos);
  // Tests the whole run never reached, or (under TSan, after any report) every test: one process each.
  for (const auto& n : names) {
    if (interrupted().load()) break;
    if (results[n].outcome == Outcome::kNotRun || saw_tsan) {
      const Outcome before = results[n].outcome;
      const std::string before_message = results[n].message;
      run({n});
      // A hang or crash seen in the whole run stands even if the test passes alone.
      if ((before == Outcome::kHang || before == Outcome::kCrash) && results[n].outcome == Outcome::kPassed) {
        results[n].outcome = before;
        results[n].message = before_message;
      }
    }
  }
  for (const auto& n : names) suite.tests.push_back(results[n]);
  // The whole run died after its last test (or with an exit code gtest never uses) and nothing explains it.
  const bool all_passed = std::all_of(names.begin(), names.end(), [&](const auto& n) { return results[n].outcome == Outcome::kPassed; });
  if (all_passed && !whole.ok() && !whole.interrupted && !saw_tsan) {
    TestResult t{"(after the last test)", whole.timed_out ? Outcome::kHang : Outcome::kCrash, {}, 0};
    t.message = whole.timed_out ? "every test passed, but the program did not exit: a thread that is never joined?"
                : whole.signal  ? fmt::format("every test passed, then the program died with {}.", signal_name(whole.signal))
                                : fmt::format("every test passed, but the program exited with code {}.", whole.exit_code);
    suite.tests.push_back(t);
  }
  return suite;
}

}  // namespace conclab
