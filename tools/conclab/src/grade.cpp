#include "grade.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "builder.hpp"
#include "files.hpp"
#include "grade_sandbox.hpp"
#include "gtest_runner.hpp"
#include "process.hpp"
#include "state.hpp"

namespace conclab {

namespace fs = std::filesystem;
using grading::Limits;
using grading::Monitor;
using grading::RunSpec;
using grading::Sandbox;
using grading::SandboxKind;

std::string grade_verdict_name(GradeVerdict v) {
  switch (v) {
    case GradeVerdict::kPassed: return "passed";
    case GradeVerdict::kFailed: return "failed";
    case GradeVerdict::kRace: return "data race";
    case GradeVerdict::kTimeout: return "timeout";
    case GradeVerdict::kCrash: return "crash";
    case GradeVerdict::kResourceLimit: return "resource limit";
    case GradeVerdict::kNoCompile: return "does not compile";
    case GradeVerdict::kNotRun: return "not run";
  }
  return "?";
}

GradeVerdict worse(GradeVerdict a, GradeVerdict b) {
  // kNotRun sorts last in the enum but is the mildest: anything real beats it.
  if (a == GradeVerdict::kNotRun) return b;
  if (b == GradeVerdict::kNotRun) return a;
  return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

std::vector<Submission> discover_submissions(const fs::path& dir) {
  std::vector<Submission> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw UserError(fmt::format("{} is not a folder. --submissions takes a folder with one subfolder per learner.", dir.string()),
                    exit_code::kUsage);
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!fs::is_directory(fs::symlink_status(e.path()))) continue;  // a symlinked folder could point anywhere
    out.push_back(Submission{name, e.path()});
  }
  std::sort(out.begin(), out.end(), [](const Submission& a, const Submission& b) { return a.learner < b.learner; });
  return out;
}

std::string test_output_text(const TestGrade& t) {
  std::string s = t.summary;
  if (!t.message.empty()) s += "\n\n" + t.message;
  return s;
}

namespace {

constexpr const char* kWitnessFile = "conclab_grade_witness_test.cpp";

// Compiled into every graded test program (a *_test.cpp in the scratch copy of the lab, so the lab's build
// picks it up like its own tests). It is the only source of "this test ran to its end and passed".
constexpr const char* kWitnessSource = R"cpp(// Written by `conclab grade` into its scratch copy of the lab; never part of the course.
//
// A pass must be confirmed from inside the test program by a listener the grader owns, because the
// learner's code runs in the same process and can print any report it likes. The grader hands this
// file a per-process secret in CONCLAB_WITNESS; a constructor with priority 101 copies it and wipes it
// from the environment (and from /proc/self/environ) before the ordinary static initialisers run, which
// is where the learner's code could first look. Each finished test then prints one line with the secret,
// gtest's own result, and the number of ThreadSanitizer reports seen during the test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace {

char g_token[96];
std::atomic<int> g_reports{0};

__attribute__((constructor(101))) void conclab_take_token() {
  const char* t = std::getenv("CONCLAB_WITNESS");
  if (t == nullptr) return;
  std::snprintf(g_token, sizeof g_token, "%s", t);
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "CONCLAB_WITNESS=", 16) == 0) std::memset(*e + 16, 'x', std::strlen(*e + 16));
  }
  ::unsetenv("CONCLAB_WITNESS");
}

class ConclabWitness : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo&) override { start_ = g_reports.load(); }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult* r = info.result();
    const char* verdict = r->Skipped() ? "skipped" : r->Passed() ? "passed" : "failed";
    char line[1024];
    const int n = std::snprintf(line, sizeof line, "\n@@conclab-witness %s %s.%s %s %d\n", g_token, info.test_suite_name(),
                                info.name(), verdict, g_reports.load() - start_);
    std::fflush(stdout);
    std::fflush(stderr);
    for (int done = 0, left = n > 0 ? (n < static_cast<int>(sizeof line) ? n : static_cast<int>(sizeof line) - 1) : 0; left > 0;) {
      const ssize_t w = ::write(1, line + done, static_cast<size_t>(left));
      if (w <= 0) break;
      done += static_cast<int>(w);
      left -= static_cast<int>(w);
    }
  }

 private:
  int start_ = 0;
};

const bool g_registered = [] {
  if (g_token[0] != '\0') ::testing::UnitTest::GetInstance()->listeners().Append(new ConclabWitness);
  return true;
}();

}  // namespace

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer calls this for every report it prints (a weak hook of its runtime).
extern "C" void __tsan_on_report(const void*) { g_reports.fetch_add(1); }
#endif
)cpp";

// --- small helpers ----------------------------------------------------------------------------------

std::uint64_t fnv1a(std::uint64_t h, std::string_view data) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
constexpr std::uint64_t kFnvBasis = 14695981039346656037ull;

std::string random_token() {
  std::random_device rd;
  std::uniform_int_distribution<std::uint64_t> dist;
  return fmt::format("{:016x}{:016x}", dist(rd), dist(rd));
}

std::string tail(const std::string& s, std::size_t n) { return s.size() <= n ? s : "..." + s.substr(s.size() - n); }

std::string first_line_with(const std::string& text, const std::vector<std::string>& needles) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    for (const auto& n : needles) {
      if (line.find(n) != std::string::npos) {
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(line.begin());
        return line.substr(0, 300);
      }
    }
  }
  return {};
}

// A test that got no run of its own (the code did not compile, or the grader failed): zero points.
TestGrade unrun_test(const Lab& lab, const std::string& name, GradeVerdict verdict, std::string tsan, std::string summary,
                     std::string message) {
  TestGrade t;
  t.name = name;
  t.max_points = lab.points_for(name);
  t.verdict = verdict;
  t.tsan = std::move(tsan);
  t.summary = std::move(summary);
  t.message = std::move(message);
  return t;
}

// The pristine files a scratch copy is made of: the build files, support/, and the one lab folder.
std::vector<std::pair<fs::path, fs::path>> pristine_files(const Course& course, const Lab& lab) {
  std::vector<std::pair<fs::path, fs::path>> out;  // (relative, absolute)
  auto add_file = [&](const fs::path& rel) {
    const fs::path abs = course.root / rel;
    if (fs::is_regular_file(fs::symlink_status(abs))) out.emplace_back(rel, abs);
  };
  auto add_tree = [&](const fs::path& rel) {
    const fs::path base = course.root / rel;
    if (!fs::is_directory(base)) return;
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (e.is_regular_file() && !e.is_symlink()) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.emplace_back(fs::relative(f, course.root), f);
  };
  add_file("CMakeLists.txt");
  add_file("CMakePresets.json");
  add_tree("cmake");
  add_tree("support");
  add_tree(fs::relative(lab.dir, course.root));
  return out;
}

// --- what is taken from a submission ----------------------------------------------------------------

struct Collected {
  std::map<std::string, std::string> files;  // editable file -> content
  std::vector<std::string> notes;
  std::string refused;                        // non-empty: not compiled, and why
};

constexpr std::uintmax_t kMaxFileBytes = 1u << 20;

Collected collect(const Submission& sub, const Lab& lab, const fs::path& lab_rel) {
  Collected c;
  // Index the submission once: regular files only, no symlinks followed, not too deep, not too many.
  struct Found {
    fs::path path;
    int depth;
  };
  std::vector<Found> all;
  std::error_code ec;
  int entries = 0;
  for (auto it = fs::recursive_directory_iterator(sub.dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || ++entries > 20000) break;
    const std::string name = it->path().filename().string();
    const auto st = it->symlink_status(ec);
    if (fs::is_directory(st)) {
      // A course copy's solutions/ holds files with the same names as the learner's: never take those.
      if (name == "solutions" || name == ".git" || name == "build" || it.depth() >= 6) it.disable_recursion_pending();
      continue;
    }
    if (fs::is_regular_file(st) || fs::is_symlink(st)) all.push_back(Found{it->path(), it.depth()});
  }

  for (const auto& f : lab.files) {
    const fs::path direct_course = sub.dir / lab_rel / f;
    const fs::path direct = sub.dir / f;
    std::vector<fs::path> candidates = {direct_course, direct};
    // Nested one or more levels (an unzipped repository): the lab path wins over a bare file name.
    std::vector<Found> strong, weak;
    const std::string suffix = "/" + (lab_rel / f).generic_string();
    for (const auto& x : all) {
      const std::string g = x.path.generic_string();
      if (g.size() >= suffix.size() && g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
        strong.push_back(x);
      } else if (x.path.filename() == fs::path(f).filename()) {
        weak.push_back(x);
      }
    }
    auto by_depth = [](const Found& a, const Found& b) { return a.depth != b.depth ? a.depth < b.depth : a.path < b.path; };
    std::sort(strong.begin(), strong.end(), by_depth);
    std::sort(weak.begin(), weak.end(), by_depth);
    for (const auto& x : strong) candidates.push_back(x.path);
    for (const auto& x : weak) candidates.push_back(x.path);
    if (weak.size() > 1 && strong.empty() && weak[0].depth == weak[1].depth) {
      c.notes.push_back(fmt::format("{}: several files of that name; took {}", f, fs::relative(weak[0].path, sub.dir).string()));
    }

    bool taken = false;
    std::set<fs::path> seen;
    for (const auto& p : candidates) {
      if (!seen.insert(p).second) continue;
      const auto st = fs::symlink_status(p, ec);
      if (ec || !fs::exists(st)) continue;
      const std::string shown = fs::relative(p, sub.dir).string();
      if (fs::is_symlink(st)) {
        c.notes.push_back(fmt::format("{}: {} is a symbolic link, not a file: ignored", f, shown));
        continue;
      }
      if (!fs::is_regular_file(st)) continue;
      if (fs::file_size(p, ec) > kMaxFileBytes) {
        c.notes.push_back(fmt::format("{}: {} is larger than 1 MB: ignored", f, shown));
        continue;
      }
      c.files[f] = read_text(p);
      if (p != direct && p != direct_course) c.notes.push_back(fmt::format("{}: taken from {}", f, shown));
      taken = true;
      break;
    }
    if (!taken) {
      c.files[f] = read_text(lab.dir / f);
      c.notes.push_back(fmt::format("{}: not in the submission; graded with the starter file", f));
    }
  }

  // Constructs that have no place in a lab and can be used against the grader: noted for the instructor.
  // Only `.incbin` is refused outright: it makes the assembler read any file at build time.
  std::string all_text;
  for (const auto& [name, text] : c.files) all_text += text + "\n";
  std::string lowered = all_text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lowered.find("incbin") != std::string::npos) {
    c.refused = "the code uses .incbin, which makes the assembler read a file at build time: refused without compiling.";
  }
  static const std::vector<std::string> suspicious = {
      "@@conclab-witness", "CONCLAB_WITNESS", "[       OK ]", "[ RUN      ]", "[  PASSED  ]", "_exit(", "_Exit(", "quick_exit",
      "/proc/self", "environ", "init_priority", "constructor(", "preinit_array", "dup2(", "solutions/", "socket(", "__tsan_"};
  std::vector<std::string> hits;
  for (const auto& s : suspicious) {
    if (all_text.find(s) != std::string::npos) hits.push_back(s);
  }
  if (!hits.empty()) {
    std::string list;
    for (const auto& h : hits) list += (list.empty() ? "" : ", ") + h;
    c.notes.push_back(fmt::format("for review: the code contains {} (the verdicts do not trust what such code prints)", list));
  }
  return c;
}

// --- one scratch copy of the course, and everything done in it ----------------------------------------

struct Plan {
  std::vector<std::string> tests;
  std::set<std::string> tsan_tests;
  bool tsan = false;
  int repeat = 3;
  std::uint64_t seed = 1;
};

struct OneRun {
  GradeVerdict verdict = GradeVerdict::kNotRun;
  std::string message;
  double seconds = 0;
  bool started = false;  // the test's own start line was printed
};

class Slot {
 public:
  Slot(int index, fs::path dir, const Course& course, const Lab& lab, const Sandbox& sandbox, Monitor& monitor, const GradeOptions& options)
      : index_(index), dir_(std::move(dir)), course_(course), lab_(lab), sandbox_(sandbox), monitor_(monitor), options_(options) {
    lab_rel_ = fs::relative(lab.dir, course.root);
    root_ = dir_ / "course";
    preferred_ = lab.files;
    for (const auto& e : fs::directory_iterator(lab.dir)) {
      if (e.path().filename().string().ends_with("_test.cpp")) preferred_.push_back(e.path().filename().string());
    }
  }

  // Copies the pristine files (unless an identical copy is already there), configures the build trees,
  // builds the starter, and lists the tests from that trusted build.
  void prepare(const std::vector<std::string>& presets, Plan& plan, const GradeProgress& progress) {
    std::uint64_t h = fnv1a(kFnvBasis, "conclab-grade-v2");
    const auto files = pristine_files(course_, lab_);
    for (const auto& [rel, abs] : files) {
      h = fnv1a(h, rel.generic_string());
      h = fnv1a(h, read_text(abs));
    }
    h = fnv1a(h, kWitnessSource);
    const std::string stamp = fmt::format("{:016x}", h);
    const fs::path stamp_file = dir_ / "stamp";
    const bool reuse = fs::exists(stamp_file) && read_text(stamp_file) == stamp;
    if (!reuse) {
      fs::remove_all(dir_);
      fs::create_directories(root_);
      for (const auto& [rel, abs] : files) write_text_atomically(root_ / rel, read_text(abs));
      write_text_atomically(root_ / lab_rel_ / kWitnessFile, kWitnessSource);
    }
    fs::create_directories(dir_ / "home");
    fs::create_directories(dir_ / "tmp");
    if (sandbox_.switch_uid) grading::give_to(dir_, sandbox_.uid_for(index_));
    for (const auto& preset : presets) {
      const fs::path tree = root_ / "build" / preset;
      if (!fs::exists(tree / "build.ninja")) {
        if (progress) progress(fmt::format("slot {}: configuring the {} build (once; reused while the course files do not change)", index_ + 1, preset));
        RunSpec spec = build_spec();
        spec.program = "cmake";
        spec.args = {"-S", root_.string(), "--preset", preset, "-DCONCLAB_BUILD_CLI=OFF"};
        // The normal build without -g: debug information changes no generated code, no normal run is ever
        // symbolised, and it is an eighth of the compile time. (TSan keeps it: its reports need lines.)
        if (preset == "default") spec.args.push_back("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG");
        const auto r = run(spec, build_limits(std::chrono::minutes(10)));
        if (!r.process.ok()) {
          throw UserError(fmt::format("Configuring the scratch copy of the course ({} build, in {}) failed:\n{}", preset, tree.string(),
                                      tail(r.process.output, 3000)),
                          exit_code::kEnvironment);
        }
      }
    }
    write_text_atomically(stamp_file, stamp);
    // The starter, built here, is trusted: the list of tests comes from it, never from a submission. The
    // list is kept beside the stamp, so a later run (a re-grade, each Gradescope submission) skips this.
    std::map<std::string, std::string> starter;
    for (const auto& f : lab_.files) starter[f] = read_text(lab_.dir / f);
    bool starter_in_place = false;
    for (const auto& preset : presets) {
      const fs::path cached = dir_ / ("tests-" + preset);
      if (reuse && fs::exists(cached)) {
        std::vector<std::string> names;
        std::istringstream in(read_text(cached));
        for (std::string line; std::getline(in, line);) {
          if (!line.empty()) names.push_back(line);
        }
        if (!names.empty()) {
          if (preset == "default") {
            plan.tests = names;
          } else {
            plan.tsan_tests = std::set<std::string>(names.begin(), names.end());
          }
          continue;
        }
      }
      if (!starter_in_place) {
        put_files(starter);
        starter_in_place = true;
      }
      if (progress) progress(fmt::format("slot {}: building the starter ({} build)", index_ + 1, preset));
      std::string error;
      if (build(preset, error) != Built::kOk) {
        throw UserError(fmt::format("The lab's own starter does not build in the scratch copy ({} build). The course is broken, "
                                    "not a submission:\n{}",
                                    preset, error),
                        exit_code::kEnvironment);
      }
      RunSpec spec = test_spec(preset, random_token());
      spec.args = {"--gtest_list_tests"};
      Limits l = test_limits(preset == "tsan");
      l.timeout = std::max<std::chrono::milliseconds>(l.timeout, std::chrono::seconds(30));
      const auto r = run(spec, l);
      std::vector<std::string> names;
      for (auto& n : parse_test_list(r.process.output)) {
        if (n.find("DISABLED_") == std::string::npos) names.push_back(n);
      }
      if (!r.process.ok() || names.empty()) {
        throw UserError(fmt::format("The starter's test program ({} build) did not list its tests:\n{}", preset, tail(r.process.output, 2000)),
                        exit_code::kEnvironment);
      }
      if (preset == "default") {
        plan.tests = names;
      } else {
        plan.tsan_tests = std::set<std::string>(names.begin(), names.end());
      }
      std::string text;
      for (const auto& n : names) text += n + "\n";
      write_text_atomically(dir_ / ("tests-" + preset), text);
    }
  }

  SubmissionGrade grade(const Submission& sub, const Plan& plan) {
    const auto start = std::chrono::steady_clock::now();
    SubmissionGrade g;
    g.learner = sub.learner;
    auto finish = [&] {
      g.max_score = 0;
      g.score = 0;
      g.verdict = !g.graded ? GradeVerdict::kNotRun : g.compiled ? GradeVerdict::kPassed : GradeVerdict::kNoCompile;
      for (const auto& t : g.tests) {
        g.max_score += t.max_points;
        g.score += t.points;
        if (g.compiled) g.verdict = worse(g.verdict, t.verdict);
      }
      g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      return g;
    };
    auto no_compile = [&](const std::string& error) {
      g.compiled = false;
      g.compile_error = error;
      for (const auto& name : plan.tests) {
        g.tests.push_back(unrun_test(lab_, name, GradeVerdict::kNoCompile, plan.tsan ? "not run" : "off", "does not compile: no test could run", error));
      }
      return finish();
    };

    // The grader, not the code, failed: no score at all, and the instructor is told to grade it again.
    auto grader_error = [&](const std::string& why) {
      g.graded = false;
      g.compiled = false;
      g.compile_error = "The grader could not build this submission (a problem of the grading machine, not of the code):\n" + why;
      g.notes.push_back("NOT GRADED because of a grader problem; grade it again with --only " + g.learner);
      g.tests.clear();
      for (const auto& name : plan.tests) {
        g.tests.push_back(unrun_test(lab_, name, GradeVerdict::kNotRun, "not run", "not run: the grader failed", g.compile_error));
      }
      return finish();
    };

    Collected c;
    try {
      c = collect(sub, lab_, lab_rel_);
    } catch (const std::exception& e) {
      g.notes.push_back(fmt::format("could not read the submission: {}", e.what()));
      return no_compile(fmt::format("the submission could not be read: {}", e.what()));
    }
    g.notes = c.notes;
    std::uint64_t h = kFnvBasis;
    for (const auto& [name, text] : c.files) h = fnv1a(fnv1a(h, name), text);
    g.files_hash = fmt::format("{:016x}", h);
    if (!c.refused.empty()) return no_compile(c.refused);

    restore_pristine();
    put_files(c.files);
    // kOk, or why not: the code's fault (kNoCompile) or the grader's (kGraderError).
    auto build_checked = [&](const std::string& preset, std::string& error) {
      const Built b = build(preset, error);
      if (b != Built::kOk) return b;
      bool failed = false;
      const std::string outside = includes_outside(preset, failed);
      if (failed) {
        error = outside;
        return Built::kGraderError;
      }
      if (outside.empty()) return Built::kOk;
      error = fmt::format("refused: the code includes {}, which is outside the lab. Only the lab's own files, the course's support "
                          "headers and the system's headers may be included.",
                          outside);
      return Built::kNoCompile;
    };
    {
      std::string error;
      const Built b = build_checked("default", error);
      if (b == Built::kNoCompile) return no_compile(error);
      if (b == Built::kGraderError) return grader_error(error);
    }
    g.compiled = true;

    // Phase 1: every test, `repeat` times, in the normal build.
    bool startup_hang = false;
    std::string startup_message;
    for (const auto& name : plan.tests) {
      if (interrupted().load()) break;
      TestGrade t;
      t.name = name;
      t.max_points = lab_.points_for(name);
      if (startup_hang) {
        t.verdict = GradeVerdict::kTimeout;
        t.message = startup_message;
        t.summary = "timeout: the program hangs before any test starts, so this test was not run on its own";
        g.tests.push_back(std::move(t));
        continue;
      }
      run_repeats(t, plan);
      if (t.runs == 1 && t.verdict == GradeVerdict::kTimeout && !first_run_started_ && &name == &plan.tests.front()) {
        startup_hang = true;
        startup_message = t.message;
      }
      g.tests.push_back(std::move(t));
    }

    // Phase 2: ThreadSanitizer, for each test that passed every time. The TSan build is only made when
    // some test needs it, which saves most of its cost on submissions that fail anyway.
    std::vector<TestGrade*> eligible;
    for (auto& t : g.tests) {
      if (!plan.tsan) {
        t.tsan = "off";
      } else if (t.runs == 0 || t.passed_runs != plan.repeat) {
        t.tsan = "not run (the test already failed)";
      } else if (!plan.tsan_tests.contains(t.name)) {
        t.tsan = "not in the ThreadSanitizer build";
      } else {
        eligible.push_back(&t);
      }
    }
    if (!eligible.empty() && !interrupted().load()) {
      std::string error;
      const Built b = build_checked("tsan", error);
      if (b == Built::kGraderError) return grader_error("(ThreadSanitizer build) " + error);
      if (b == Built::kNoCompile) {
        for (TestGrade* t : eligible) {
          t->tsan = "does not compile";
          t->verdict = worse(t->verdict, GradeVerdict::kNoCompile);
          t->message = "The ThreadSanitizer build of the code failed:\n" + error;
        }
      } else {
        run_tsan(eligible, plan);
      }
    }
    for (auto& t : g.tests) {
      t.points = t.verdict == GradeVerdict::kPassed && t.passed_runs == plan.repeat ? t.max_points : 0;
      if (t.summary.empty()) t.summary = summary_of(t, plan);
    }
    return finish();
  }

 private:
  // The ThreadSanitizer pass. First one process runs every eligible test (TSan's start-up is the expensive
  // part). If it ends normally with every test confirmed passed and no report at all, each test is clean.
  // Otherwise (a report, a failure, a process that died or hung) every test is run again alone in a fresh
  // process, and those runs decide: a race is only ever pinned on a test by its own run.
  void run_tsan(const std::vector<TestGrade*>& eligible, const Plan& plan) {
    std::vector<TestGrade*> alone;
    if (eligible.size() == 1) {
      alone = eligible;
    } else {
      const std::string token = random_token();
      RunSpec spec = test_spec("tsan", token);
      std::string filter;
      for (const TestGrade* t : eligible) filter += (filter.empty() ? "" : ":") + t->name;
      spec.args = {"--gtest_filter=" + filter, fmt::format("--gtest_random_seed={}", 1 + plan.seed % 99998), "--gtest_color=no"};
      const grading::RunResult r = run(spec, test_limits(true));
      ProcessResult p = r.process;
      const bool ended_normally = r.observed.killed_for.empty() && !p.timed_out && !p.interrupted && !p.failed_to_start &&
                                  p.signal == 0 && (p.exit_code == 0 || p.exit_code == 66);
      std::map<std::string, std::pair<std::string, int>> confirmed;  // test -> (gtest verdict, reports)
      std::string text = strip_witness(p.output, token, &confirmed);
      std::map<std::string, bool> warned;
      for (const auto& seg : split_output(text)) warned[seg.name] = seg.text.find("WARNING: ThreadSanitizer") != std::string::npos;
      // TSan reports a given race once per process, so a race seen in one test may hide the same race in a
      // later one: the shared run only counts when it was clean from start to end.
      const bool all_clean = ended_normally && p.exit_code == 0 && std::all_of(eligible.begin(), eligible.end(), [&](const TestGrade* t) {
        auto it = confirmed.find(t->name);
        return it != confirmed.end() && it->second.first == "passed" && it->second.second == 0 && !warned[t->name];
      });
      if (all_clean) {
        for (TestGrade* t : eligible) {
          t->tsan = "clean";
          t->seconds += p.seconds / static_cast<double>(eligible.size());
        }
      } else {
        alone = eligible;
      }
    }
    for (TestGrade* t : alone) {
      if (interrupted().load()) return;
      const OneRun o = run_test("tsan", t->name, 0, plan);
      t->seconds += o.seconds;
      t->tsan = o.verdict == GradeVerdict::kPassed ? "clean" : grade_verdict_name(o.verdict);
      if (o.verdict != GradeVerdict::kPassed) {
        t->verdict = worse(t->verdict, o.verdict);
        t->message = "ThreadSanitizer build: " + o.message;
      }
    }
  }

  // The output without the witness lines; `confirmed` gets, per test, the lines that carry `token`.
  static std::string strip_witness(const std::string& output, const std::string& token,
                                   std::map<std::string, std::pair<std::string, int>>* confirmed) {
    std::string text;
    std::istringstream in(output);
    const std::string prefix = "@@conclab-witness ";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) {
        std::istringstream fields(line.substr(prefix.size()));
        std::string tok, name, verdict;
        int n = 0;
        fields >> tok >> name >> verdict >> n;
        if (tok == token && confirmed != nullptr) (*confirmed)[name] = {verdict, n};
        continue;
      }
      text += line + "\n";
    }
    return text;
  }

  // Runs one test `repeat` times in the normal build, each in a fresh process.
  void run_repeats(TestGrade& t, const Plan& plan) {
    GradeVerdict worst = GradeVerdict::kPassed;
    for (int r = 0; r < plan.repeat; ++r) {
      if (interrupted().load()) return;
      const OneRun o = run_test("default", t.name, r, plan);
      if (r == 0) first_run_started_ = o.started;
      ++t.runs;
      t.seconds += o.seconds;
      t.run_verdicts.push_back(grade_verdict_name(o.verdict));
      if (o.verdict == GradeVerdict::kPassed) {
        ++t.passed_runs;
      } else {
        worst = worse(worst, o.verdict);
        if (t.message.empty()) t.message = o.message;
      }
      // A run that took the whole timeout (or hit a limit) would do it again: skip the remaining runs.
      if (o.verdict == GradeVerdict::kTimeout || o.verdict == GradeVerdict::kResourceLimit) break;
    }
    t.verdict = worst;
  }

  static std::string summary_of(const TestGrade& t, const Plan& plan) {
    std::map<std::string, int> counts;
    for (const auto& v : t.run_verdicts) {
      if (v != "passed") ++counts[v];
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
    if (plan.tsan) s += "; ThreadSanitizer: " + t.tsan;
    return s;
  }

  OneRun run_test(const std::string& preset, const std::string& test, int repeat_index, const Plan& plan) {
    const bool tsan = preset == "tsan";
    const std::string token = random_token();
    RunSpec spec = test_spec(preset, token);
    const std::uint64_t seed = 1 + (plan.seed + static_cast<std::uint64_t>(repeat_index)) % 99998;
    spec.args = {"--gtest_filter=" + test, fmt::format("--gtest_random_seed={}", seed), "--gtest_color=no"};
    spec.env["CONCLAB_SEED"] = std::to_string(seed);
    const Limits l = test_limits(tsan);
    const grading::RunResult r = run(spec, l);
    return classify(r, test, token, tsan, l);
  }

  OneRun classify(const grading::RunResult& r, const std::string& test, const std::string& token, bool tsan, const Limits& l) const {
    OneRun o;
    ProcessResult p = r.process;
    o.seconds = p.seconds;
    // bubblewrap's init reports a child killed by signal N as exit code 128 + N.
    if (sandbox_.kind == SandboxKind::kBubblewrap && p.signal == 0 && p.exit_code > 128 && p.exit_code < 128 + 65) {
      p.signal = p.exit_code - 128;
      p.exit_code = -1;
    }
    // Take out the witness lines (they are the grader's, not something to show) and read ours.
    std::map<std::string, std::pair<std::string, int>> witnessed;
    const std::string text = strip_witness(p.output, token, &witnessed);
    const auto mine = witnessed.find(test);
    const bool confirmed = mine != witnessed.end();
    const std::string witness_verdict = confirmed ? mine->second.first : "";
    const int races = confirmed ? mine->second.second : 0;
    const auto segments = split_output(text);
    const Segment* seg = nullptr;
    for (const auto& s : segments) {
      if (s.name == test) seg = &s;
    }
    o.started = seg != nullptr;
    const std::string body = seg != nullptr ? seg->text : text;
    auto last_output = [&] {
      const std::string tidy = tidy_failure(body, root_);
      return tidy.empty() ? std::string() : "\nLast output:\n" + tail(tidy, 1500);
    };
    const double wall = std::chrono::duration<double>(l.timeout).count();
    static const std::vector<std::string> resource_words = {"std::bad_alloc", "Resource temporarily unavailable", "Cannot allocate memory",
                                                            "Thread limit", "out of memory", "Too many open files"};

    if (!r.observed.killed_for.empty()) {
      o.verdict = GradeVerdict::kResourceLimit;
      o.message = fmt::format("The test {} and was stopped.", r.observed.killed_for);
    } else if (p.timed_out) {
      o.verdict = GradeVerdict::kTimeout;
      const double rate = r.observed.late_cpu_rate;
      o.message = fmt::format("The test did not finish within {:.0f} s. ", wall);
      if (rate > 0.03) {
        o.message += fmt::format("Its threads kept using CPU to the end ({:.1f} s in all), so something kept running: an endless loop, "
                                 "a livelock, or spinning on a condition that never comes true.",
                                 r.observed.cpu_seconds);
      } else if (rate >= 0) {
        o.message += "Its threads used no CPU in the second half of that time, so they were waiting: likely a deadlock (threads "
                     "waiting for each other), a lost wakeup, or a thread nobody stops or joins.";
      }
      if (!o.started) o.message += " The test had not even started: the program hangs while starting up (a static initialiser?).";
    } else if (p.interrupted) {
      o.verdict = GradeVerdict::kNotRun;
      o.message = "interrupted";
    } else if (p.failed_to_start) {
      o.verdict = GradeVerdict::kCrash;
      o.message = "The test program could not be started: " + tail(p.output, 500);
    } else if (p.signal != 0) {
      const std::string word = first_line_with(text, resource_words);
      if (p.signal == SIGXCPU || p.signal == SIGKILL) {
        o.verdict = GradeVerdict::kResourceLimit;
        o.message = fmt::format("The test used up its CPU-time limit ({} s of CPU) and was killed.", l.cpu_seconds);
        if (p.signal == SIGKILL) o.message = "The test was killed by the system: it reached the CPU-time limit, or the machine ran out of memory.";
      } else if (p.signal == SIGXFSZ) {
        o.verdict = GradeVerdict::kResourceLimit;
        o.message = fmt::format("The test tried to write a file larger than {} MB.", l.file_size >> 20);
      } else if (!word.empty()) {
        o.verdict = GradeVerdict::kResourceLimit;
        o.message = fmt::format("The test ran out of a resource the grader limits ({}), and the process died with {}.", word,
                                signal_name(p.signal));
      } else {
        o.verdict = GradeVerdict::kCrash;
        o.message = fmt::format("The test process died with {}.", signal_name(p.signal));
        if (tsan) {
          const std::string race = summarize_tsan(text, root_, preferred_);
          if (!race.empty()) o.message += "\n" + race;
        }
        o.message += last_output();
      }
    } else if (tsan && (p.exit_code == 66 || races > 0 || text.find("WARNING: ThreadSanitizer") != std::string::npos)) {
      o.verdict = GradeVerdict::kRace;
      const std::string race = summarize_tsan(text, root_, preferred_);
      o.message = race.empty() ? fmt::format("ThreadSanitizer reported {} problem{} (its report was not printed).", std::max(races, 1), races > 1 ? "s" : "")
                               : race;
    } else if (p.exit_code != 0) {
      const std::string word = first_line_with(body, resource_words);
      if (!word.empty()) {
        o.verdict = GradeVerdict::kResourceLimit;
        o.message = fmt::format("The test ran out of a resource the grader limits: {}", word);
      } else {
        o.verdict = GradeVerdict::kFailed;
        const std::string tidy = tidy_failure(body, root_);
        o.message = !o.started ? fmt::format("The test program exited with code {} before the test started.{}", p.exit_code, last_output())
                    : tidy.empty() ? fmt::format("The test program exited with code {}.", p.exit_code)
                                   : tail(tidy, 3000);
      }
    } else if (!confirmed) {
      o.verdict = GradeVerdict::kFailed;
      o.message = "The program exited with status 0, but the test never confirmed that it ran to its end: the code ended the program "
                  "early (exit(0)?) or printed a test report of its own. Printed results are not trusted.";
    } else if (witness_verdict == "passed") {
      o.verdict = GradeVerdict::kPassed;
    } else if (witness_verdict == "skipped") {
      o.verdict = GradeVerdict::kFailed;
      o.message = "The test was skipped (GTEST_SKIP): a skipped test earns no points.";
    } else {
      o.verdict = GradeVerdict::kFailed;
      o.message = tail(tidy_failure(body, root_), 3000);
    }
    if (p.output_truncated && o.verdict != GradeVerdict::kResourceLimit) o.message += "\n(output cut)";
    return o;
  }

  // Puts back any file of the lab's scratch folder (its tests, the witness) that differs from the pristine
  // one. Nothing should have changed them; this makes sure a submission is always built against the
  // course's own tests, whatever ran in this slot before.
  void restore_pristine() {
    std::map<std::string, std::string> fixed;
    for (const auto& e : fs::recursive_directory_iterator(lab_.dir)) {
      if (!e.is_regular_file() || e.is_symlink()) continue;
      const std::string rel = fs::relative(e.path(), lab_.dir).string();
      if (std::find(lab_.files.begin(), lab_.files.end(), rel) != lab_.files.end()) continue;
      const std::string want = read_text(e.path());
      const fs::path mine = root_ / lab_rel_ / rel;
      std::error_code ec;
      if (!fs::is_regular_file(fs::symlink_status(mine, ec)) || read_text(mine) != want) fixed[rel] = want;
    }
    const fs::path witness = root_ / lab_rel_ / kWitnessFile;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(witness, ec)) || read_text(witness) != kWitnessSource) fixed[kWitnessFile] = kWitnessSource;
    put_files(fixed);
  }

  void put_files(const std::map<std::string, std::string>& files) {
    for (const auto& [name, text] : files) {
      const fs::path p = root_ / lab_rel_ / name;
      fs::remove(p);
      write_text_atomically(p, text);
      if (sandbox_.switch_uid) grading::give_to(p, sandbox_.uid_for(index_));
    }
  }

  fs::path binary(const std::string& preset) const { return root_ / "build" / preset / "bin" / lab_.target("learner"); }

  enum class Built { kOk, kNoCompile, kGraderError };

  // Builds the learner target. kGraderError: the build failed for a reason that is not the code (no
  // compiler or linker diagnostic at all), which must never be scored as "does not compile".
  Built build(const std::string& preset, std::string& error) {
    const fs::path tree = root_ / "build" / preset;
    const fs::path bin = binary(preset);
    std::error_code ec;
    fs::remove(bin, ec);  // a failed build must never leave the previous submission's program behind
    if (sandbox_.switch_uid) {
      for (const char* f : {".ninja_log", ".ninja_deps"}) (void)::lchown((tree / f).c_str(), sandbox_.uid_for(index_), sandbox_.uid_for(index_));
    }
    RunSpec spec = build_spec();
    spec.program = "cmake";
    spec.args = {"--build", tree.string(), "--target", lab_.target("learner"), "-j", "2"};
    const auto r = run(spec, build_limits(std::chrono::minutes(5)));
    if (r.process.ok() && fs::exists(bin)) return Built::kOk;
    if (!r.observed.killed_for.empty()) {
      error = fmt::format("The compiler {} and was stopped.", r.observed.killed_for);
      return Built::kNoCompile;
    }
    if (r.process.timed_out) {
      error = "The build did not finish within 5 minutes and was stopped.";
      return Built::kNoCompile;
    }
    if (r.process.interrupted) {
      error = "interrupted";
      return Built::kGraderError;
    }
    error = first_compile_error(r.process.output, root_);
    if (!error.empty()) return Built::kNoCompile;
    // The compiler itself ran out of what the grader allows it.
    static const std::vector<std::string> compiler_limits = {"virtual memory exhausted", "out of memory", "Killed signal", "internal compiler error",
                                                             "Cannot allocate memory"};
    error = first_line_with(r.process.output, compiler_limits);
    if (!error.empty()) {
      error = "The compiler ran out of a resource the grader limits: " + error;
      return Built::kNoCompile;
    }
    error = tail(r.process.output, 2000);
    return Built::kGraderError;
  }

  // The first header the build read from outside the scratch copy and the system folders, if any. Runs as
  // the build's user (ninja may rewrite its logs), and fails closed: no list, no grade.
  std::string includes_outside(const std::string& preset, bool& failed) {
    failed = false;
    const fs::path tree = root_ / "build" / preset;
    RunSpec spec = build_spec();
    spec.program = "ninja";
    spec.args = {"-C", tree.string(), "-t", "deps"};
    Limits l = build_limits(std::chrono::minutes(1));
    l.output_bytes = 64u << 20;
    const auto r = run(spec, l);
    if (!r.process.ok() || r.process.output_truncated) {
      failed = true;
      return "could not list the build's dependencies: " + tail(r.process.output, 1000);
    }
    std::istringstream in(r.process.output);
    const std::string slot = dir_.lexically_normal().string() + "/";
    for (std::string line; std::getline(in, line);) {
      if (line.size() < 5 || line.rfind("    ", 0) != 0) continue;
      fs::path dep = line.substr(4);
      if (dep.is_relative()) dep = tree / dep;
      const std::string d = dep.lexically_normal().string();
      if (d.rfind(slot, 0) == 0 || d.rfind("/usr/", 0) == 0) continue;
      return d;
    }
    return {};
  }

  std::map<std::string, std::string> base_env(bool bwrap) const {
    const std::string home = bwrap ? "/tmp" : (dir_ / "home").string();
    const std::string tmp = bwrap ? "/tmp" : (dir_ / "tmp").string();
    return {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", home}, {"TMPDIR", tmp}, {"LANG", "C.UTF-8"}};
  }

  RunSpec build_spec() const {
    RunSpec spec;
    spec.env = base_env(sandbox_.kind == SandboxKind::kBubblewrap);
    spec.rw_paths = {dir_};
    spec.cwd = root_;
    spec.token = dir_.string() + "/";
    return spec;
  }

  RunSpec test_spec(const std::string& preset, const std::string& token) {
    RunSpec spec;
    const bool bwrap = sandbox_.kind == SandboxKind::kBubblewrap;
    spec.program = binary(preset);
    spec.bind_program = true;
    spec.test_run = true;
    spec.env = base_env(bwrap);
    spec.env["GTEST_COLOR"] = "no";
    spec.env["GTEST_BRIEF"] = "0";
    spec.env["CONCLAB_WITNESS"] = token;
    if (preset == "tsan") spec.env["TSAN_OPTIONS"] = "halt_on_error=0 history_size=4 second_deadlock_stack=1 exitcode=66";
    spec.token = dir_.string() + "/";
    if (!bwrap) {
      // Without bubblewrap the "box" is a fresh folder per run.
      const fs::path box = dir_ / "box";
      std::error_code ec;
      fs::remove_all(box, ec);
      fs::create_directories(box);
      if (sandbox_.switch_uid) grading::give_to(box, sandbox_.uid_for(index_, true));
      spec.cwd = box;
      spec.env["HOME"] = box.string();
      spec.env["TMPDIR"] = box.string();
    }
    return spec;
  }

  Limits build_limits(std::chrono::milliseconds timeout) const {
    Limits l;
    l.timeout = timeout;
    l.cpu_seconds = static_cast<rlim_t>(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) * 2;
    l.address_space = rlim_t{4} << 30;
    l.file_size = rlim_t{1} << 30;
    l.open_files = 1024;
    l.processes = 128;
    l.rss_bytes = std::size_t{3} << 30;
    l.output_bytes = 4u << 20;
    l.tmp_bytes = 512u << 20;
    return l;
  }

  Limits test_limits(bool tsan) const {
    Limits l;
    const auto timeout = options_.timeout_seconds > 0 ? std::chrono::seconds(options_.timeout_seconds) : std::chrono::seconds(lab_.timeout_seconds);
    l.timeout = timeout;
    l.cpu_seconds = static_cast<rlim_t>(timeout.count()) * (tsan ? 4 : 2) + 10;
    const std::size_t mb = static_cast<std::size_t>(std::max(64, options_.memory_mb));
    l.address_space = tsan ? 0 : static_cast<rlim_t>((mb + 1024) << 20);
    l.rss_bytes = (tsan ? 2 * mb : mb) << 20;
    l.threads = 512;
    l.processes = 256;
    return l;
  }

  grading::RunResult run(const RunSpec& spec, const Limits& l) { return grading::run_sandboxed(sandbox_, index_, monitor_, spec, l); }

  int index_;
  fs::path dir_;
  fs::path root_;
  fs::path lab_rel_;
  const Course& course_;
  const Lab& lab_;
  const Sandbox& sandbox_;
  Monitor& monitor_;
  const GradeOptions& options_;
  std::vector<std::string> preferred_;
  bool first_run_started_ = true;
};

// Every existing folder on the way to `path` lets others through (o+x).
bool others_can_enter(const fs::path& path) {
  fs::path p;
  for (const auto& part : fs::absolute(path).lexically_normal()) {
    p /= part;
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) break;  // the rest will be created, 0755
    if (S_ISDIR(st.st_mode) && (st.st_mode & S_IXOTH) == 0) return false;
  }
  return true;
}

// Holds the work folder for this run: two graders sharing one would build over each other.
class WorkLock {
 public:
  explicit WorkLock(const fs::path& work) {
    fs::create_directories(work);
    fd_ = ::open((work / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      throw UserError(fmt::format("Another `conclab grade` is using {}. Wait for it to finish, or give this one its own --work folder.",
                                  work.string()),
                      exit_code::kUsage);
    }
  }
  ~WorkLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  WorkLock(const WorkLock&) = delete;
  WorkLock& operator=(const WorkLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

GradeRun failed_run(const Lab& lab, const std::vector<Submission>& submissions, const std::string& why) {
  GradeRun run;
  run.lab_id = lab.id;
  run.lab_title = lab.title;
  run.graded_at = utc_now();
  for (const auto& [name, pts] : lab.points) {
    run.tests.push_back(name);
    run.max_score += pts;
  }
  for (const auto& s : submissions) {
    SubmissionGrade g;
    g.learner = s.learner;
    g.graded = false;
    g.compile_error = why;
    g.verdict = GradeVerdict::kNotRun;
    g.notes.push_back("not graded: " + why);
    for (const auto& name : run.tests) {
      g.tests.push_back(unrun_test(lab, name, GradeVerdict::kNotRun, "not run", "not run: the grader could not run", why));
      g.max_score += g.tests.back().max_points;
    }
    run.submissions.push_back(std::move(g));
  }
  return run;
}

GradeRun grade_lab(const Course& course, const Lab& lab, const std::vector<Submission>& submissions, const GradeOptions& options,
                   const GradeProgress& progress, const GradeDone& done, bool prepare_only) {
  const auto start = std::chrono::steady_clock::now();
  GradeRun run;
  run.lab_id = lab.id;
  run.lab_title = lab.title;
  run.graded_at = utc_now();
  run.repeat = options.repeat;
  run.seed = options.seed;
  run.tsan = options.tsan && lab.needs_tsan();

  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int slots = options.jobs > 0 ? options.jobs : cores;
  if (!prepare_only) slots = std::min<int>(slots, static_cast<int>(std::max<std::size_t>(1, submissions.size())));
  slots = std::clamp(slots, 1, 32);

  Sandbox sandbox = grading::detect_sandbox(options.sandbox, slots);
  sandbox.hide = options.hide;
  sandbox.hide.push_back(course.root);
  run.sandbox = sandbox.description;
  run.sandboxed = sandbox.kind == SandboxKind::kBubblewrap;
  if (progress) progress("sandbox: " + sandbox.description);

  // Root grades as unprivileged users, which must be able to reach the scratch copies.
  fs::path work = options.work;
  if (sandbox.switch_uid && !others_can_enter(work)) {
    if (!options.work_is_default) {
      throw UserError(fmt::format("The scratch folder {} is inside a folder other users cannot enter, and the grader runs submissions as "
                                  "an unprivileged user. Give --work a folder under one they can (e.g. /var/tmp/conclab-grade).",
                                  work.string()),
                      exit_code::kUsage);
    }
    work = fs::path("/var/tmp/conclab-grade") / fmt::format("{:016x}", fnv1a(kFnvBasis, course.root.string())) / lab.target_id();
    if (progress) progress(fmt::format("scratch builds in {} (the course folder is closed to other users)", work.string()));
  }
  WorkLock lock(work);
  Monitor monitor;
  std::vector<std::unique_ptr<Slot>> pool;
  for (int i = 0; i < slots; ++i) {
    pool.push_back(std::make_unique<Slot>(i, work / fmt::format("s{}", i + 1), course, lab, sandbox, monitor, options));
  }

  Plan plan;
  plan.tsan = run.tsan;
  plan.repeat = std::max(1, options.repeat);
  plan.seed = options.seed;
  std::vector<std::string> presets = {"default"};
  if (plan.tsan) presets.push_back("tsan");
  {
    std::vector<std::exception_ptr> errors(pool.size());
    std::vector<Plan> plans(pool.size());
    std::vector<std::thread> threads;
    std::mutex progress_mu;
    const GradeProgress locked_progress = [&](const std::string& e) {
      std::lock_guard l(progress_mu);
      if (progress) progress(e);
    };
    for (std::size_t i = 0; i < pool.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          pool[i]->prepare(presets, plans[i], locked_progress);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
    plan.tests = plans[0].tests;
    plan.tsan_tests = plans[0].tsan_tests;
  }
  if (interrupted().load()) {
    run.interrupted = true;
    return run;
  }
  run.tests = plan.tests;
  for (const auto& t : plan.tests) run.max_score += lab.points_for(t);
  if (prepare_only) {
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return run;
  }

  std::vector<std::optional<SubmissionGrade>> results(submissions.size());
  std::atomic<std::size_t> next{0};
  std::mutex done_mu;
  int finished = 0;
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> errors(pool.size());
  for (std::size_t s = 0; s < pool.size(); ++s) {
    workers.emplace_back([&, s] {
      try {
        for (;;) {
          if (interrupted().load()) return;
          const std::size_t i = next.fetch_add(1);
          if (i >= submissions.size()) return;
          SubmissionGrade g = pool[s]->grade(submissions[i], plan);
          if (interrupted().load()) return;  // half-graded: leave it out rather than record a wrong score
          std::lock_guard l(done_mu);
          results[i] = std::move(g);
          ++finished;
          if (done) done(*results[i], finished, static_cast<int>(submissions.size()));
        }
      } catch (...) {
        errors[s] = std::current_exception();
      }
    });
  }
  for (auto& w : workers) w.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (auto& r : results) {
    if (r) run.submissions.push_back(std::move(*r));
  }
  run.interrupted = interrupted().load();
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace conclab
