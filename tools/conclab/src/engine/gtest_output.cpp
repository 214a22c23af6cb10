#include "engine/gtest_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <utility>

#include "util/text.hpp"

namespace conclab {

namespace fs = std::filesystem;

namespace {

bool mentions_any(const std::string& line, const std::vector<std::string>& files) {
  return std::any_of(files.begin(), files.end(),
                     [&](const std::string& f) { return !f.empty() && line.find("/" + f + ":") != std::string::npos; });
}

std::string shorten(std::string s, std::size_t max) { return s.size() > max ? s.substr(0, max - 3) + "..." : s; }

using Frame = std::pair<std::string, std::string>;  // (function, file:line)

// The frame a reader should look at: one in the learner's files, else the first outside the system, else the top.
std::string best_frame(const std::vector<Frame>& frames, const std::vector<std::string>& preferred) {
  for (const auto& [fn, loc] : frames) {
    if (mentions_any("/" + loc, preferred) || mentions_any(loc, preferred)) return fmt::format("{}  ({})", loc, fn);
  }
  for (const auto& [fn, loc] : frames) {
    if (loc.find("/usr/") == std::string::npos && loc.rfind("/usr", 0) != 0) return fmt::format("{}  ({})", loc, fn);
  }
  return frames.empty() ? std::string() : fmt::format("{}  ({})", frames[0].second, frames[0].first);
}

// One ThreadSanitizer report, from the line after its header to its closing "=====" line: each access (or
// location) with its best frame.
std::string summarize_one_report(const std::vector<std::string>& lines, std::size_t first, const fs::path& root,
                                 const std::vector<std::string>& preferred) {
  static const std::regex frame(R"(^\s*#(\d+) (.*) (\S+):(\d+)(?::\d+)? \(.*\)$)");
  static const std::regex access(R"(^  (\S.*?)(?: at 0x[0-9a-f]+)?( by .*)?:$)");
  static const std::regex address(R"( at 0x[0-9a-f]+)");
  std::string out;
  std::string pending_access;
  std::vector<Frame> frames;
  auto flush = [&] {
    if (pending_access.empty()) return;
    const std::string where = best_frame(frames, preferred);
    out += fmt::format("  {}\n", pending_access);
    if (!where.empty()) out += fmt::format("      at {}\n", where);
    pending_access.clear();
    frames.clear();
  };
  for (std::size_t j = first; j < lines.size() && lines[j].rfind("==================", 0) != 0; ++j) {
    const std::string& line = lines[j];
    std::smatch m;
    if (std::regex_match(line, m, frame)) {
      if (frames.size() < 12) frames.emplace_back(shorten(m[2], 90), relative_paths(fmt::format("{}:{}", std::string(m[3]), std::string(m[4])), root));
      continue;
    }
    if (line.rfind("  Location is", 0) == 0) {
      flush();
      // clang's runtime adds a second, unsymbolised line for stack locations ("global '??' ([stack]+0x...)").
      if (line.find("global '?" "?'") == std::string::npos) out += fmt::format("  {}\n", std::regex_replace(line.substr(2), address, ""));
      continue;
    }
    if (line.rfind("  Thread T", 0) == 0 || (line.rfind("  Mutex M", 0) == 0 && line.find("created at") != std::string::npos)) {
      flush();
      continue;  // thread-creation stacks: useful in a debugger, noise in a verdict
    }
    if (line.size() > 2 && line[2] != ' ' && std::regex_match(line, m, access)) {
      flush();
      pending_access = std::string(m[1]) + std::string(m[2]);
      if (pending_access.find("Thread T") == 0 || pending_access.find("Location") == 0) pending_access.clear();
    }
    if (line.rfind("SUMMARY:", 0) == 0) break;
  }
  flush();
  return out;
}

struct StackThread {
  std::string id;
  std::vector<std::string> functions;
  std::vector<Frame> course_frames;
};

std::vector<StackThread> parse_stacks(const std::string& gdb, const fs::path& root) {
  static const std::regex thread_line(R"(^Thread (\d+) .*$)");
  static const std::regex frame(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(.+?) (?:\(.*\) )?at (\S+):(\d+)$)");
  static const std::regex bare(R"(^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+))");
  std::vector<StackThread> threads;
  const std::string prefix = root.string() + "/";
  for (const auto& line : lines_of(gdb)) {
    std::smatch m;
    if (std::regex_match(line, m, thread_line)) {
      threads.push_back(StackThread{m[1], {}, {}});
      continue;
    }
    if (threads.empty() || line.empty() || line[0] != '#') continue;
    if (std::regex_match(line, m, frame)) {
      threads.back().functions.push_back(m[1]);
      const std::string file = m[2];
      if (file.rfind(prefix, 0) == 0 || file.rfind("../../", 0) == 0) {  // ../../: a tree compiled through ccache
        threads.back().course_frames.emplace_back(shorten(m[1], 80), relative_paths(fmt::format("{}:{}", file, std::string(m[3])), root));
      }
    } else if (std::regex_search(line, m, bare)) {
      threads.back().functions.push_back(m[1]);
    }
  }
  return threads;
}

// What a thread was doing, from its functions. The most specific wait wins: a condition-variable wait also
// shows futex frames further in.
std::string what_it_waits_for(const StackThread& t) {
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
}

}  // namespace

std::vector<std::string> parse_test_list(const std::string& out) {
  std::vector<std::string> tests;
  std::string suite;
  for (const auto& line : lines_of(out)) {
    if (line.empty() || line.rfind("Running main()", 0) == 0) continue;
    if (line[0] != ' ') {
      suite = line.substr(0, line.find_first_of(" \t"));  // "Suite." (typed tests add "  # TypeParam = ...")
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
    } else if (outside != nullptr && (!summary || line.find("ThreadSanitizer") != std::string::npos)) {
      *outside += line + "\n";  // after the summary, only reports printed at exit (thread leaks) still count
    }
  }
  return segments;
}

std::string tidy_failure(const std::string& text, const fs::path& root) {
  // Keep the first assertion failure whole, and the explorer's report (conclab/sim: the failing schedule, which
  // comes last); count the rest (one is enough to start fixing).
  static const std::regex failure_head(R"(^\S+:\d+: Failure$)");
  std::vector<std::string> blocks(1);  // blocks[0]: what comes before the first failure
  for (const auto& line : lines_of(relative_paths(text, root))) {
    if (line.find("WARNING: ThreadSanitizer") != std::string::npos) break;  // reports are summarised apart
    if (line.rfind("LLVMSymbolizer:", 0) == 0 || line.rfind("==================", 0) == 0) continue;  // the symbolizer's noise
    if (std::regex_match(line, failure_head)) blocks.emplace_back();
    blocks.back() += line + "\n";
  }
  std::string out = blocks[0];
  int hidden = 0;
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    const bool schedule = blocks[i].find("\nconclab::sim: ") != std::string::npos;
    if (i == 1 || schedule) {
      out += blocks[i];
    } else {
      ++hidden;
    }
  }
  if (hidden > 0) out += fmt::format("(and {} more failed assertion{} in this test)\n", hidden, hidden == 1 ? "" : "s");
  return trim(out);
}

std::string summarize_tsan(const std::string& text, const fs::path& root, const std::vector<std::string>& preferred) {
  static const std::regex header(R"(WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?$)");
  constexpr int kShown = 3;  // the first few say enough; the count is given below
  std::string out;
  int reports = 0;
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(lines[i], m, header)) continue;
    if (++reports > kShown) continue;
    out += fmt::format("ThreadSanitizer: {}\n", std::string(m[1]));
    out += summarize_one_report(lines, i + 1, root, preferred);
  }
  if (reports > kShown) out += fmt::format("  (and {} more reports)\n", reports - kShown);
  return trim(out);
}

std::string summarize_stacks(const std::string& gdb, const fs::path& root, const std::vector<std::string>& preferred) {
  constexpr int kShown = 8;
  std::string out;
  int shown = 0;
  for (const auto& t : parse_stacks(gdb, root)) {
    if (t.course_frames.empty()) continue;  // runtime threads (TSan's, gtest's) say nothing useful
    if (++shown > kShown) break;
    const Frame* best = &t.course_frames.front();
    for (const auto& f : t.course_frames) {
      if (mentions_any("/" + f.second, preferred)) {
        best = &f;
        break;
      }
    }
    out += fmt::format("  thread {}: {}, in {} at {}\n", t.id, what_it_waits_for(t), best->first, best->second);
  }
  return trim(out);
}

}  // namespace conclab
