// The instructor's commands: `conclab grade` and `conclab gradebook export`, registered on the main app by
// add_grade_commands() and run by GradeCommands::run() (main.cpp calls both, nothing else).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace conclab {

struct GradeArgs {
  std::string lab;
  std::string submissions;
  std::string out;              // default: grades/<lab id>
  std::string gradebook;        // default: grades/gradebook.sqlite
  bool no_gradebook = false;
  int repeat = 3;
  bool tsan = true;
  int jobs = 0;
  std::uint64_t seed = 1;
  std::string sandbox = "auto";
  int memory_mb = 2048;
  int timeout = 0;
  std::string work;             // default: <course>/build/grade/<lab target id>
  std::vector<std::string> only;
  bool gradescope = false;
  std::string autograder_root;  // default: $AUTOGRADER_ROOT, else /autograder
  bool prepare = false;
};

struct GradebookArgs {
  std::string db = "grades/gradebook.sqlite";
  std::string lab;
  std::string format = "csv";
  std::string out;              // empty: stdout
  bool history = false;
};

struct GradeCommands {
  CLI::App* grade = nullptr;
  CLI::App* gradebook = nullptr;
  CLI::App* gradebook_export = nullptr;
  std::shared_ptr<GradeArgs> grade_args;
  std::shared_ptr<GradebookArgs> export_args;

  bool chosen() const;
  // Runs the chosen command; returns the exit code. `root` is the --root option of the main app.
  int run(const std::optional<std::filesystem::path>& root) const;
};

GradeCommands add_grade_commands(CLI::App& app);

}  // namespace conclab
