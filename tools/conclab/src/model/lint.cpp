#include "model/lint.hpp"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <regex>
#include <set>

#include "app/version.hpp"
#include "model/drill.hpp"
#include "util/files.hpp"

namespace conclab {

namespace {

using Problems = std::vector<std::string>;

void lint_metadata(const Course& course, const Lab& lab, const std::function<void(std::string)>& problem) {
  static const std::regex lab_id(R"(\d{2}\.\d{2})");
  static const std::regex project_id(R"(P\d{2})");
  if (!std::regex_match(lab.id, lab.is_project ? project_id : lab_id)) {
    problem(fmt::format("id '{}' must look like {}", lab.id, lab.is_project ? "P01" : "00.01"));
  }
  if (!lab.is_project) {
    const std::string expected = lab.module.substr(0, 2) + "." + lab.dir.filename().string().substr(0, 2);
    if (lab.id != expected) problem(fmt::format("id '{}' does not match its folder (expected {})", lab.id, expected));
  }
  if (read_text(lab.dir / "lab.toml").find("format_version") == std::string::npos) {
    problem(fmt::format("'format_version = {}' is missing (the first key of every lab.toml)", kLabFormatVersion));
  }
  if (lab.title.empty() || lab.title == lab.slug) problem("'title' is missing");
  if (lab.files.empty()) problem("'files' must name the files the learner edits");
  if (lab.lesson.empty()) {
    problem("'lesson' is missing");
  } else if (!fs::exists(course.root / lab.lesson)) {
    problem(fmt::format("lesson '{}' does not exist", lab.lesson));
  }
  if (lab.hints.empty()) problem("'hints' is empty: give at least one");
  if (lab.timeout_seconds <= 0 || lab.timeout_seconds > 300) problem("'timeout' must be between 1 and 300 seconds");
  static const std::set<std::string> difficulties{"intro", "core", "advanced"};
  if (!difficulties.contains(lab.difficulty)) problem("'difficulty' must be intro, core or advanced");
  for (const auto& s : lab.sanitizers) {
    if (s != "thread" && s != "address") problem(fmt::format("unknown sanitizer '{}' (use thread or address)", s));
  }
}

void lint_starter(const Lab& lab, const std::function<void(std::string)>& problem) {
  bool has_todo = false;
  for (const auto& f : lab.files) {
    if (!fs::exists(lab.dir / f)) problem(fmt::format("the starter file {} does not exist", f));
    if (read_text(lab.dir / f).find("TODO(lab)") != std::string::npos) has_todo = true;
  }
  if (!has_todo) problem("the starter marks no change point with // TODO(lab)");
  if (lab.tests.empty()) problem("no <name>_test.cpp beside lab.toml");
}

// Tests include the editable files with <...> (a quoted include finds the starter beside the test even when a
// solution is built), and never sleep to make an interleaving happen.
void lint_sources(const Course& course, const Lab& lab, Problems& problems) {
  std::vector<std::string> sources = lab.tests;
  sources.insert(sources.end(), lab.benchmarks.begin(), lab.benchmarks.end());
  static const std::regex sleeps(R"(sleep_for|usleep\(|\bsleep\()");
  for (const auto& name : sources) {
    const fs::path path = lab.dir / name;
    const bool is_test = name.ends_with("_test.cpp");
    std::ifstream in(path);
    int n = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      const std::string where = fmt::format("{}:{}", fs::relative(path, course.root).string(), n);
      for (const auto& f : lab.files) {
        if (line.find("#include \"" + f + "\"") != std::string::npos) {
          problems.push_back(fmt::format("{}: include {} with <{}>: a quoted include finds the starter beside the test "
                                         "even when a solution is being built",
                                         where, f, f));
        }
      }
      if (is_test && std::regex_search(line, sleeps)) {
        problems.push_back(fmt::format("{}: a test must not sleep to make an interleaving happen (use a latch or start gate)", where));
      }
    }
  }
}

void lint_variants(const Course& course, const Lab& lab, const std::function<void(std::string)>& problem) {
  for (const auto v : kReferenceVariants) {
    const std::string name(v);
    if (!fs::is_directory(lab.solutions_dir / name)) {
      problem(fmt::format("no {} solution at {}", name, fs::relative(lab.solutions_dir / name, course.root).string()));
      continue;
    }
    for (const auto& f : lab.files) {
      if (!fs::exists(lab.solutions_dir / name / f)) problem(fmt::format("the {} solution has no {}", name, f));
    }
    if (!lab.variants.contains(name) || lab.variants.at(name).summary.empty()) {
      problem(fmt::format("[variants.{}] needs a one-line summary", name));
    }
  }
  for (const auto& [name, info] : lab.variants) {
    if (!must_fail(name)) continue;
    const std::string table = is_wrong_variant(name) ? fmt::format("[wrong.{}]", name.substr(kWrongPrefix.size())) : "[variants.naive]";
    const bool any = (info.fails && !info.fails->empty()) || (info.fails_tsan && !info.fails_tsan->empty()) ||
                     (info.fails_sim && !info.fails_sim->empty());
    if (!any) problem(fmt::format("{} must name the tests it fails in `fails`, `fails_tsan` or `fails_sim`", table));
    if (info.fails_tsan && !info.fails_tsan->empty() && !lab.needs_tsan()) {
      problem(fmt::format("{} names fails_tsan but `sanitizers` does not include \"thread\"", table));
    }
    if (info.fails_sim && !info.fails_sim->empty() && !lab.needs_sim()) {
      problem(fmt::format("{} names fails_sim but the lab does not say `sim = true`", table));
    }
  }
}

// Every wrong variant is declared in lab.toml with its `why`, and has the lab's files on disk; every folder of
// wrong/ is declared.
void lint_wrong_variants(const Course& course, const Lab& lab, const std::function<void(std::string)>& problem) {
  for (const auto& name : lab.wrong_variants()) {
    const std::string slug = name.substr(kWrongPrefix.size());
    if (lab.variants.at(name).summary.empty()) problem(fmt::format("[wrong.{}] needs `why`: the bug, in a learner's words", slug));
    for (const auto& f : lab.files) {
      if (!fs::exists(lab.impl_dir(name) / f)) {
        problem(fmt::format("[wrong.{}]: {} does not exist", slug, fs::relative(lab.impl_dir(name) / f, course.root).string()));
      }
    }
  }
  const fs::path wrong_dir = lab.solutions_dir / "wrong";
  if (!fs::is_directory(wrong_dir)) return;
  for (const auto& e : fs::directory_iterator(wrong_dir)) {
    const std::string name = std::string(kWrongPrefix) + e.path().filename().string();
    if (e.is_directory() && !lab.variants.contains(name)) {
      problem(fmt::format("{} is not declared: add [wrong.{}] with `why` and `fails` to lab.toml", fs::relative(e.path(), course.root).string(),
                          e.path().filename().string()));
    }
  }
}

// [play]: a sim test that the naive version fails under the explorer, a goal, and outcomes the explorer can report.
void lint_play(const Lab& lab, const std::function<void(std::string)>& problem) {
  if (!lab.play) return;
  const PlayCampaign& p = *lab.play;
  if (!lab.needs_sim()) problem("[play] needs `sim = true`: the game runs a sim test under the explorer");
  if (p.goal.empty()) problem("[play] needs `goal`: what the player must make happen, in one or two sentences");
  if (p.win.empty()) problem("[play] needs `win`: the outcomes that win (deadlock, lost-wakeup, failed, never-ends)");
  for (const auto& w : p.win) {
    if (std::find(std::begin(kPlayOutcomes), std::end(kPlayOutcomes), w) == std::end(kPlayOutcomes)) {
      problem(fmt::format("[play] win has '{}': use deadlock, lost-wakeup, failed or never-ends", w));
    }
  }
  const auto naive = lab.variants.find("naive");
  const bool naive_fails_it = naive != lab.variants.end() && naive->second.fails_sim &&
                              std::find(naive->second.fails_sim->begin(), naive->second.fails_sim->end(), p.test) != naive->second.fails_sim->end();
  if (!naive_fails_it) problem(fmt::format("[play] test '{}' must be one of the tests [variants.naive] fails_sim names: the game is won on the naive version", p.test));
}

// A sim lab's starter and reference versions use conclab::sync, never std's primitives directly (a wrong
// variant may: that is a mistake learners make, and the check names it).
void lint_sim(const Course& course, const Lab& lab, Problems& problems) {
  if (!lab.needs_sim()) return;
  std::vector<fs::path> dirs = {lab.dir};
  for (const auto& v : lab.variants_on_disk()) {
    if (!is_wrong_variant(v)) dirs.push_back(lab.impl_dir(v));
  }
  for (const auto& d : dirs) {
    for (auto& p : std_primitives_in(d, lab.files, course.root)) problems.push_back(std::move(p));
  }
  bool has_sim_test = false;
  for (const auto& t : lab.tests) has_sim_test = has_sim_test || read_text(lab.dir / t).find("CONCLAB_SIM_TEST(") != std::string::npos;
  if (!has_sim_test) {
    problems.push_back(fmt::format("{}: `sim = true` but no test file has a CONCLAB_SIM_TEST (conclab/sim_test.hpp)",
                                   fs::relative(lab.dir / "lab.toml", course.root).string()));
  }
}

// `conclab maint new-lab` marks what it writes; a lab still carrying the mark is not finished.
void lint_scaffold(const Course& course, const Lab& lab, Problems& problems) {
  for (const fs::path& base : {lab.dir, lab.solutions_dir}) {
    if (!fs::is_directory(base)) continue;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (e.is_regular_file() && read_text(e.path()).find("CONCLAB-SCAFFOLD") != std::string::npos) {
        problems.push_back(fmt::format("{}: still the new-lab scaffold (CONCLAB-SCAFFOLD): replace it with the lab's own content",
                                       fs::relative(e.path(), course.root).string()));
      }
    }
  }
}

// A drill (tag "drill") is shown by `conclab drill`: its problem statement, and after a pass the discussion
// of the reference solutions (docs/authoring.md, "Drills").
void lint_drill(const Course& course, const Lab& lab, const std::function<void(std::string)>& problem) {
  if (!is_drill(lab)) return;
  if (!fs::is_regular_file(lab.dir / kProblemFile)) {
    problem(fmt::format("a drill needs {}: the problem statement ./conclab drill shows",
                        fs::relative(lab.dir / kProblemFile, course.root).string()));
  }
  if (lab.has_solutions() && !fs::is_regular_file(lab.solutions_dir / kDiscussionFile)) {
    problem(fmt::format("a drill needs {}: the discussion of the reference solutions shown after a pass",
                        fs::relative(lab.solutions_dir / kDiscussionFile, course.root).string()));
  }
}

}  // namespace

std::vector<std::string> lint_lab(const Course& course, const Lab& lab) {
  Problems problems;
  const std::string where = fs::relative(lab.dir / "lab.toml", course.root).string();
  auto problem = [&](std::string text) { problems.push_back(fmt::format("{}: {}", where, text)); };
  lint_metadata(course, lab, problem);
  lint_starter(lab, problem);
  lint_sources(course, lab, problems);
  lint_variants(course, lab, problem);
  lint_wrong_variants(course, lab, problem);
  lint_scaffold(course, lab, problems);
  lint_sim(course, lab, problems);
  lint_play(lab, problem);
  lint_drill(course, lab, problem);
  return problems;
}

namespace {

void std_primitives_in_file(const fs::path& file, const fs::path& root, std::vector<std::string>& out) {
  // std's name for each primitive conclab::sync has (sync.hpp): used directly, the explorer cannot see it.
  static const std::regex used(
      R"(\bstd::(mutex|shared_mutex|condition_variable(_any)?|atomic(_flag|_thread_fence)?|thread|jthread|latch|barrier|counting_semaphore|binary_semaphore|lock_guard|unique_lock|scoped_lock|shared_lock|stop_token|stop_source|stop_callback|this_thread|promise|future|shared_future)\b)");
  // ...and what runs where the explorer can neither see nor switch.
  static const std::regex opaque(R"(\bstd::(call_once|once_flag|async)\b)");
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const auto comment = line.find("//");
    const std::string code = comment == std::string::npos ? line : line.substr(0, comment);
    std::smatch m;
    if (std::regex_search(code, m, opaque)) {
      out.push_back(fmt::format("{}:{}: std::{} runs where the sim's explorer can neither see nor switch threads (a thread "
                                "waiting inside it blocks the explorer): in a sim lab, build it from conclab::sync (a "
                                "sync::mutex and a sync::atomic flag for \"once\", a sync::jthread and a sync::promise for async)",
                                fs::relative(file, root).string(), n, m[1].str()));
      continue;
    }
    if (!std::regex_search(code, m, used)) continue;
    out.push_back(fmt::format("{}:{}: std::{} is invisible to the sim's explorer: use conclab::sync::{} (#include <conclab/sync.hpp>), "
                              "the same type in the normal builds and an instrumented one in the sim build",
                              fs::relative(file, root).string(), n, m[1].str(), m[1].str()));
  }
}

}  // namespace

std::vector<std::string> std_primitives_in(const fs::path& dir, const std::vector<std::string>& files, const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& f : files) std_primitives_in_file(dir / f, root, out);
  return out;
}

}  // namespace conclab
