// `conclab maint lint`: what a lab must have for the build, the CLI and the lab contract (docs/authoring.md).
#pragma once

#include <string>
#include <vector>

#include "model/course.hpp"

namespace conclab {

// Problems that would break the build, the CLI or the contract, one line each (empty when the lab is well formed).
std::vector<std::string> lint_lab(const Course& course, const Lab& lab);

}  // namespace conclab
