// One job slot's scratch copy of the course: the build files, support/ and the one lab being graded (no
// solutions/, plus the grader's witness test), configured once and reused while the course does not change.
// Everything a submission's grade needs from it: its files put in place, its builds (checked for headers
// from outside), and the sandboxed runs of its tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/build.hpp"
#include "grading/grade.hpp"
#include "grading/sandbox.hpp"

namespace conclab::grading {

// What every submission of a grading run gets: the tests (from the trusted starter build), the repeats.
struct Plan {
  std::vector<std::string> tests;
  std::set<std::string> tsan_tests;  // the tests of the ThreadSanitizer build
  bool tsan = false;
  std::set<std::string> sim_tests;   // the sim tests (the explorer's build), when the lab has them
  bool sim = false;
  int repeat = 3;
  std::uint64_t seed = 1;
};

class ScratchCourse {
 public:
  ScratchCourse(int index, fs::path dir, const Course& course, const Lab& lab, const Sandbox& sandbox, Monitor& monitor,
                const GradeOptions& options);

  // Copies the pristine files (unless an identical copy is already there), configures the build trees,
  // builds the starter, and lists the tests from that trusted build into `plan`.
  void prepare(const std::vector<BuildKind>& kinds, Plan& plan, const GradeProgress& progress);

  // Puts back any file of the lab's scratch folder (its tests, the witness) that differs from the pristine
  // one, so a submission is always built against the course's own tests, whatever ran here before.
  void restore_pristine();
  // Writes the submission's editable files into the lab's scratch folder.
  void put_files(const std::map<std::string, std::string>& files);

  enum class Built { kOk, kNoCompile, kGraderError };
  // Builds the learner target and refuses a build that read a header from outside the scratch copy and the
  // system. kGraderError: the build failed for a reason that is not the code, never scored as "does not compile".
  Built build_checked(BuildKind kind, std::string& error);

  fs::path binary(BuildKind kind) const;
  RunSpec test_spec(BuildKind kind, const std::string& token);
  // The submission's uses of std's primitives where a sim lab needs conclab::sync's (the explorer cannot see
  // them): one sentence each, paths relative to the lab folder's parent course.
  std::vector<std::string> sim_blind_spots() const;
  Limits test_limits(bool tsan) const;
  RunResult run(const RunSpec& spec, const Limits& limits);

  int index() const { return index_; }
  const fs::path& root() const { return root_; }
  const Lab& lab() const { return lab_; }
  const fs::path& lab_rel() const { return lab_rel_; }
  const Sandbox& sandbox() const { return sandbox_; }
  const std::vector<std::string>& preferred_files() const { return preferred_; }

 private:
  bool copy_pristine(std::string& stamp);
  void configure(BuildKind kind, const GradeProgress& progress);
  std::vector<std::string> list_tests(BuildKind kind);
  Built build(BuildKind kind, std::string& error);
  std::string includes_outside(BuildKind kind, bool& failed);
  std::string facts(BuildKind kind) const;
  std::map<std::string, std::string> base_env(bool bwrap) const;
  RunSpec build_spec() const;
  Limits build_limits(std::chrono::milliseconds timeout) const;

  int index_;
  fs::path dir_;
  fs::path root_;     // dir_/course
  fs::path lab_rel_;  // the lab's folder, relative to the course root
  const Course& course_;
  const Lab& lab_;
  const Sandbox& sandbox_;
  Monitor& monitor_;
  const GradeOptions& options_;
  std::vector<std::string> preferred_;
};

}  // namespace conclab::grading
