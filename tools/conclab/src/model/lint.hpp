// `conclab maint lint`: what a lab must have for the build, the CLI and the lab contract (docs/authoring.md).
#pragma once

#include <string>
#include <vector>

#include "model/course.hpp"

namespace conclab {

// Problems that would break the build, the CLI or the contract, one line each (empty when the lab is well formed).
std::vector<std::string> lint_lab(const Course& course, const Lab& lab);

// In a lab with sim tests, the code under test must use conclab::sync's primitives: the explorer cannot see
// std::mutex, std::atomic, std::thread and the rest, and would miss (or hang on) what they do. One sentence per
// use, "<file>:<line>: ..." with the path relative to `root`, naming what to write instead. `files` are the
// lab's editable files, as they are in `dir` (the learner's folder, a reference version, a submission's copy).
std::vector<std::string> std_primitives_in(const fs::path& dir, const std::vector<std::string>& files, const fs::path& root);

}  // namespace conclab
