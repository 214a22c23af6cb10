#include "grading/scratch_course.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "app/errors.hpp"
#include "engine/gtest_output.hpp"
#include "engine/lab_facts.hpp"
#include "grading/witness.hpp"
#include "model/lint.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace conclab::grading {

namespace {

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
  for (const auto entry : kBuildFiles) {
    const fs::path rel(entry);
    fs::is_directory(course.root / rel) ? add_tree(rel) : add_file(rel);
  }
  add_tree(fs::relative(lab.dir, course.root));
  return out;
}

fs::path facts_file(const fs::path& root, BuildKind kind) { return root / fmt::format("conclab-labs-{}.cmake", preset_name(kind)); }

}  // namespace

ScratchCourse::ScratchCourse(int index, fs::path dir, const Course& course, const Lab& lab, const Sandbox& sandbox, Monitor& monitor,
                             const GradeOptions& options)
    : index_(index),
      dir_(std::move(dir)),
      root_(dir_ / "course"),
      lab_rel_(fs::relative(lab.dir, course.root)),
      course_(course),
      lab_(lab),
      sandbox_(sandbox),
      monitor_(monitor),
      options_(options),
      preferred_(lab.preferred_files()) {}

// The one lab of this copy, as the build of `kind` sees it: the scratch folder, the witness among its tests,
// no reference versions.
std::string ScratchCourse::facts(BuildKind kind) const {
  Lab scratch = lab_;
  scratch.dir = root_ / lab_rel_;
  scratch.solutions_dir = root_ / "no-solutions";
  scratch.tests.emplace_back(kWitnessFile);
  scratch.variants.clear();
  return lab_facts_cmake({scratch}, kind);
}

bool ScratchCourse::copy_pristine(std::string& stamp) {
  std::uint64_t h = fnv1a(kFnvBasis, "conclab-grade-v3");
  const auto files = pristine_files(course_, lab_);
  for (const auto& [rel, abs] : files) h = fnv1a(fnv1a(h, rel.generic_string()), read_text(abs));
  h = fnv1a(fnv1a(fnv1a(fnv1a(h, kWitnessSource), facts(BuildKind::kDefault)), facts(BuildKind::kTsan)), facts(BuildKind::kSim));
  stamp = fmt::format("{:016x}", h);
  const fs::path stamp_file = dir_ / "stamp";
  if (fs::exists(stamp_file) && read_text(stamp_file) == stamp) return true;
  fs::remove_all(dir_);
  fs::create_directories(root_);
  for (const auto& [rel, abs] : files) write_text_atomically(root_ / rel, read_text(abs));
  write_text_atomically(root_ / lab_rel_ / kWitnessFile, std::string(kWitnessSource));
  for (const BuildKind kind : {BuildKind::kDefault, BuildKind::kTsan, BuildKind::kSim}) {
    write_text_atomically(facts_file(root_, kind), facts(kind));
  }
  return false;
}

void ScratchCourse::configure(BuildKind kind, const GradeProgress& progress) {
  const fs::path tree = root_ / "build" / std::string(preset_name(kind));
  if (fs::exists(tree / "build.ninja")) return;
  if (progress) {
    progress(fmt::format("slot {}: configuring the {} build (once; reused while the course files do not change)", index_ + 1, preset_name(kind)));
  }
  RunSpec spec = build_spec();
  spec.program = "cmake";
  spec.args = {"-S", root_.string(), "--preset", std::string(preset_name(kind)), "-DCONCLAB_LAB_FACTS=" + facts_file(root_, kind).string()};
  const auto r = run(spec, build_limits(std::chrono::minutes(10)));
  if (!r.process.ok()) {
    throw UserError(fmt::format("Configuring the scratch copy of the course ({} build, in {}) failed:\n{}", preset_name(kind), tree.string(),
                                tail(r.process.output, 3000)),
                    exit_code::kEnvironment);
  }
}

// The tests of the starter's program in the build of `kind` (the starter must be in place and built).
std::vector<std::string> ScratchCourse::list_tests(BuildKind kind) {
  RunSpec spec = test_spec(kind, random_token());
  spec.args = {"--gtest_list_tests"};
  Limits l = test_limits(kind == BuildKind::kTsan);
  l.timeout = std::max<std::chrono::milliseconds>(l.timeout, std::chrono::seconds(30));
  const auto r = run(spec, l);
  std::vector<std::string> names;
  for (auto& n : parse_test_list(r.process.output)) {
    if (n.find("DISABLED_") == std::string::npos) names.push_back(n);
  }
  if (!r.process.ok() || names.empty()) {
    throw UserError(fmt::format("The starter's test program ({} build) did not list its tests:\n{}", preset_name(kind), tail(r.process.output, 2000)),
                    exit_code::kEnvironment);
  }
  return names;
}

void ScratchCourse::prepare(const std::vector<BuildKind>& kinds, Plan& plan, const GradeProgress& progress) {
  std::string stamp;
  const bool reuse = copy_pristine(stamp);
  fs::create_directories(dir_ / "home");
  fs::create_directories(dir_ / "tmp");
  if (sandbox_.switch_uid) give_to(dir_, sandbox_.uid_for(index_));
  for (const BuildKind kind : kinds) configure(kind, progress);
  write_text_atomically(dir_ / "stamp", stamp);
  // The starter, built here, is trusted: the list of tests comes from it, never from a submission. The list is
  // kept beside the stamp, so a later run (a re-grade, each Gradescope submission) skips this.
  bool starter_in_place = false;
  for (const BuildKind kind : kinds) {
    const fs::path cached = dir_ / fmt::format("tests-{}", preset_name(kind));
    std::vector<std::string> names;
    if (reuse && fs::exists(cached)) names = lines_of(read_text(cached));
    std::erase(names, std::string());
    if (names.empty()) {
      if (!starter_in_place) {
        std::map<std::string, std::string> starter;
        for (const auto& f : lab_.files) starter[f] = read_text(lab_.dir / f);
        put_files(starter);
        starter_in_place = true;
      }
      if (progress) progress(fmt::format("slot {}: building the starter ({} build)", index_ + 1, preset_name(kind)));
      std::string error;
      if (build(kind, error) != Built::kOk) {
        throw UserError(fmt::format("The lab's own starter does not build in the scratch copy ({} build). The course is broken, not a "
                                    "submission:\n{}",
                                    preset_name(kind), error),
                        exit_code::kEnvironment);
      }
      names = list_tests(kind);
      write_text_atomically(cached, join(names, "\n") + "\n");
    }
    if (kind == BuildKind::kDefault) {
      plan.tests = names;
    } else if (kind == BuildKind::kTsan) {
      plan.tsan_tests = std::set<std::string>(names.begin(), names.end());
    } else {
      plan.sim_tests = std::set<std::string>(names.begin(), names.end());
    }
  }
}

void ScratchCourse::restore_pristine() {
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
  if (!fs::is_regular_file(fs::symlink_status(witness, ec)) || read_text(witness) != kWitnessSource) {
    fixed[std::string(kWitnessFile)] = std::string(kWitnessSource);
  }
  put_files(fixed);
}

void ScratchCourse::put_files(const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) {
    const fs::path p = root_ / lab_rel_ / name;
    fs::remove(p);
    write_text_atomically(p, text);
    if (sandbox_.switch_uid) give_to(p, sandbox_.uid_for(index_));
  }
}

fs::path ScratchCourse::binary(BuildKind kind) const { return target_binary(root_ / "build" / std::string(preset_name(kind)), lab_.target(kLearner)); }

ScratchCourse::Built ScratchCourse::build(BuildKind kind, std::string& error) {
  const fs::path tree = root_ / "build" / std::string(preset_name(kind));
  const fs::path bin = binary(kind);
  std::error_code ec;
  fs::remove(bin, ec);  // a failed build must never leave the previous submission's program behind
  if (sandbox_.switch_uid) {
    for (const char* f : {".ninja_log", ".ninja_deps"}) (void)::lchown((tree / f).c_str(), sandbox_.uid_for(index_), sandbox_.uid_for(index_));
  }
  RunSpec spec = build_spec();
  spec.program = "cmake";
  spec.args = {"--build", tree.string(), "--target", lab_.target(kLearner), "-j", "2"};
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

// The first header the build read from outside the scratch copy and the system folders, if any. Runs as the
// build's user (ninja may rewrite its logs), and fails closed: no list, no grade.
std::string ScratchCourse::includes_outside(BuildKind kind, bool& failed) {
  failed = false;
  const fs::path tree = root_ / "build" / std::string(preset_name(kind));
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
  const std::string slot = dir_.lexically_normal().string() + "/";
  for (const auto& line : lines_of(r.process.output)) {
    if (line.size() < 5 || line.rfind("    ", 0) != 0) continue;
    fs::path dep = line.substr(4);
    if (dep.is_relative()) dep = tree / dep;
    const std::string d = dep.lexically_normal().string();
    if (d.rfind(slot, 0) == 0 || d.rfind("/usr/", 0) == 0) continue;
    return d;
  }
  return {};
}

ScratchCourse::Built ScratchCourse::build_checked(BuildKind kind, std::string& error) {
  const Built b = build(kind, error);
  if (b != Built::kOk) return b;
  bool failed = false;
  const std::string outside = includes_outside(kind, failed);
  if (failed) {
    error = outside;
    return Built::kGraderError;
  }
  if (outside.empty()) return Built::kOk;
  error = fmt::format("refused: the code includes {}, which is outside the lab. Only the lab's own files, the course's support headers "
                      "and the system's headers may be included.",
                      outside);
  return Built::kNoCompile;
}

std::map<std::string, std::string> ScratchCourse::base_env(bool bwrap) const {
  const std::string home = bwrap ? "/tmp" : (dir_ / "home").string();
  const std::string tmp = bwrap ? "/tmp" : (dir_ / "tmp").string();
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", home}, {"TMPDIR", tmp}, {"LANG", "C.UTF-8"}};
}

RunSpec ScratchCourse::build_spec() const {
  RunSpec spec;
  spec.env = base_env(sandbox_.kind == SandboxKind::kBubblewrap);
  spec.rw_paths = {dir_};
  spec.cwd = root_;
  spec.token = dir_.string() + "/";
  return spec;
}

std::vector<std::string> ScratchCourse::sim_blind_spots() const {
  return std_primitives_in(root_ / lab_rel_, lab_.files, root_);
}

RunSpec ScratchCourse::test_spec(BuildKind kind, const std::string& token) {
  RunSpec spec;
  const bool bwrap = sandbox_.kind == SandboxKind::kBubblewrap;
  spec.program = binary(kind);
  spec.bind_program = true;
  spec.test_run = true;
  spec.env = base_env(bwrap);
  spec.env["GTEST_COLOR"] = "no";
  spec.env["GTEST_BRIEF"] = "0";
  spec.env["CONCLAB_WITNESS"] = token;
  // The instructor's stretch for the tests' own watchdogs on a slow grader (conclab/watchdog.hpp): the sandbox
  // starts from an empty environment, so it is passed on by name.
  if (const char* scale = std::getenv("CONCLAB_TIMEOUT_SCALE"); scale != nullptr) spec.env["CONCLAB_TIMEOUT_SCALE"] = scale;
  if (kind == BuildKind::kTsan) spec.env["TSAN_OPTIONS"] = "halt_on_error=0 history_size=4 second_deadlock_stack=1 exitcode=66";
  spec.token = dir_.string() + "/";
  if (!bwrap) {
    // Without bubblewrap the "box" is a fresh folder per run.
    const fs::path box = dir_ / "box";
    std::error_code ec;
    fs::remove_all(box, ec);
    fs::create_directories(box);
    if (sandbox_.switch_uid) give_to(box, sandbox_.uid_for(index_, true));
    spec.cwd = box;
    spec.env["HOME"] = box.string();
    spec.env["TMPDIR"] = box.string();
  }
  return spec;
}

Limits ScratchCourse::build_limits(std::chrono::milliseconds timeout) const {
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

Limits ScratchCourse::test_limits(bool tsan) const {
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

RunResult ScratchCourse::run(const RunSpec& spec, const Limits& l) { return run_sandboxed(sandbox_, index_, monitor_, spec, l); }

}  // namespace conclab::grading
