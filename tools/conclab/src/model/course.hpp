// The course on disk: its labs (read from each lab.toml) in course order, and its modules.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/lab.hpp"

namespace conclab {

// What a build of the course needs besides the labs themselves: a lab's scratch copy for grading, an autograder
// zip, a test's fixture course all start from these (files and folders, relative to the course root).
inline constexpr std::string_view kBuildFiles[] = {"CMakeLists.txt", "CMakePresets.json", "cmake", "support"};

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

// The lab folders on disk: labs/NN-module/MM-slug/ and projects/NN-slug/ that hold a lab.toml, sorted.
std::vector<fs::path> lab_dirs(const fs::path& root);

// Reads every lab.toml. Throws UserError (exit code kEnvironment) on a malformed file, naming it.
Course load_course(const fs::path& root);

}  // namespace conclab
