// The course on disk: its labs, read from each lab.toml (the one source of truth about a lab).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace conclab {

namespace fs = std::filesystem;

// A problem with the course files or the user's input, worded for the person who reads it: one
// sentence saying what is wrong and what to do. main() prints it and exits with `exit_code`.
class UserError : public std::runtime_error {
 public:
  UserError(std::string message, int exit_code) : std::runtime_error(std::move(message)), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Documented in README.md ("Exit codes"). Keep the two in step.
namespace exit_code {
inline constexpr int kOk = 0;
inline constexpr int kNotPassed = 1;     // the lab's tests did not all pass (failed, race, hang, crash)
inline constexpr int kUsage = 2;         // bad input: unknown lab, bad option, nothing to do
inline constexpr int kNoCompile = 3;     // the code does not compile
inline constexpr int kEnvironment = 4;   // toolchain, build system or course files are broken
inline constexpr int kInterrupted = 130; // Ctrl-C
}  // namespace exit_code

struct VariantInfo {
  std::string summary;
  std::optional<std::vector<std::string>> fails;       // naive: tests failing in the default build
  std::optional<std::vector<std::string>> fails_tsan;  // naive: tests failing under ThreadSanitizer
};

struct Lab {
  std::string id;          // "00.01", or "P01" for a capstone
  std::string slug;        // "parallel-sum"
  std::string title;
  std::string summary;
  std::string module;      // "00-foundations", or "projects"
  std::string lesson;      // path from the course root
  fs::path dir;            // absolute: the learner's folder
  fs::path solutions_dir;  // absolute: holds naive/ improved/ final/
  std::vector<std::string> files;
  std::vector<std::string> tags;
  std::vector<std::string> hints;
  std::vector<std::string> sanitizers;
  std::vector<std::string> link;
  std::string difficulty;
  int minutes = 0;
  int timeout_seconds = 30;
  std::map<std::string, int> points;
  std::map<std::string, VariantInfo> variants;
  bool is_project = false;

  std::string target_id() const;  // "00_01"
  std::string target(std::string_view who) const { return "lab_" + target_id() + "_" + std::string(who); }
  bool needs_tsan() const;
  fs::path impl_dir(std::string_view who) const;  // "learner" or a variant name
  int points_for(const std::string& test) const;
};

struct Module {
  std::string name;   // "00-foundations"
  std::string title;  // from the module README's first heading
};

struct Course {
  fs::path root;
  std::vector<Lab> labs;  // in course order
  std::vector<Module> modules;

  const Lab* find(std::string_view id_or_slug) const;
  const Lab& get(std::string_view id_or_slug) const;  // throws UserError naming the closest ids
  std::string module_title(const std::string& module) const;
};

// Finds the course root: `explicit_root` if given, else $CONCLAB_ROOT, else the nearest folder above the
// current directory that holds CMakePresets.json and labs/.
fs::path find_course_root(const std::optional<fs::path>& explicit_root);

// Reads every lab.toml. Throws UserError (exit code kEnvironment) on a malformed file, naming it.
Course load_course(const fs::path& root);

// Problems that would break the build or the CLI, one line each (empty when the lab is well formed).
std::vector<std::string> lint_lab(const Course& course, const Lab& lab);

}  // namespace conclab
